//! What a read actually handed over (H21, H38: "each read is audited with rows and bytes").
//!
//! A read's audit event is written before its first byte leaves, so the read is on record even
//! if the process dies mid-stream. Bytes are only known once the encoded body has been sent,
//! so a second event, `deliver_data`, follows when the body ends — or when the reader goes
//! away half-way, which the event says (`complete: false`). Both carry the request id, which
//! links them.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use futures_util::Stream;
use futures_util::stream::BoxStream;
use gongshu_audit::Outcome;
use serde_json::Value;

use super::read::Reader;
use crate::record::{Change, Who, record_alone};
use crate::{App, RequestMeta};

/// The audit of one delivery, armed by [`Delivery::meter`]. A delivery never metered (a page
/// rendered into a console page rather than sent as data) records nothing more.
pub struct Delivery {
    app: App,
    meta: RequestMeta,
    actor_id: Option<String>,
    actor_name: String,
    org_id: Option<String>,
    target: String,
    /// The read's policy fields (policy, grant, purpose), repeated so the event stands alone.
    payload: Value,
    rows: Arc<AtomicU64>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("target", &self.target)
            .finish()
    }
}

impl Delivery {
    pub(super) fn new(
        app: &App,
        reader: Reader<'_>,
        target: &str,
        payload: Value,
        rows: Arc<AtomicU64>,
    ) -> Self {
        let who = reader.who();
        Self {
            app: app.clone(),
            meta: reader.meta().clone(),
            actor_id: who.id.map(str::to_owned),
            actor_name: who.name.to_owned(),
            org_id: who.org.map(str::to_owned),
            target: target.to_owned(),
            payload,
            rows,
        }
    }

    /// Counts the bytes of `body` as they go out and records the delivery when it ends.
    pub fn meter<B, E>(
        self,
        body: BoxStream<'static, Result<B, E>>,
    ) -> BoxStream<'static, Result<B, E>>
    where
        B: AsRef<[u8]> + Send + 'static,
        E: Send + 'static,
    {
        Box::pin(Metered {
            body,
            delivery: Some(self),
            bytes: 0,
        })
    }

    /// Writes the event on its own task: the body has already ended (or been dropped), so
    /// nobody is left to wait for it. A failure is logged, never lost silently.
    fn record(self, bytes: u64, complete: bool) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::error!(target = %self.target, bytes, "no runtime to record a data delivery");
            return;
        };
        runtime.spawn(async move {
            let target = self.target.clone();
            if let Err(e) = self.write(bytes, complete).await {
                tracing::error!(%target, error = %e, "recording a data delivery failed");
            }
        });
    }

    async fn write(self, bytes: u64, complete: bool) -> crate::Result<()> {
        let mut payload = self.payload;
        payload["rows"] = self.rows.load(Ordering::Relaxed).into();
        payload["bytes"] = bytes.into();
        payload["complete"] = complete.into();
        let who = Who {
            id: self.actor_id.as_deref(),
            name: &self.actor_name,
            org: self.org_id.as_deref(),
        };
        let change = Change {
            action: "deliver_data",
            target_kind: "data_version",
            target_id: &self.target,
            payload,
        };
        record_alone(&self.app, &self.meta, who, Outcome::Success, change).await
    }
}

/// A body that counts what it yields and records the delivery once, at its end or drop.
struct Metered<B, E> {
    body: BoxStream<'static, Result<B, E>>,
    delivery: Option<Delivery>,
    bytes: u64,
}

impl<B, E> Metered<B, E> {
    fn finish(&mut self, complete: bool) {
        if let Some(delivery) = self.delivery.take() {
            delivery.record(self.bytes, complete);
        }
    }
}

impl<B: AsRef<[u8]>, E> Stream for Metered<B, E> {
    type Item = Result<B, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.body.as_mut().poll_next(cx);
        match &polled {
            Poll::Ready(Some(Ok(chunk))) => self.bytes += chunk.as_ref().len() as u64,
            Poll::Ready(Some(Err(_))) => self.finish(false),
            Poll::Ready(None) => self.finish(true),
            Poll::Pending => {}
        }
        polled
    }
}

impl<B, E> Drop for Metered<B, E> {
    fn drop(&mut self) {
        self.finish(false);
    }
}
