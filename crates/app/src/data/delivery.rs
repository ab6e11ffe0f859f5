//! What a read actually handed over: every read on record with the rows and bytes it delivered
//! (H20, H21: each read goes through a live grant and is recorded; B8: the whole process
//! recordable, auditable and traceable).
//!
//! A read's audit event is written before its first byte leaves, so the read is on record even
//! if the process dies mid-stream. Bytes are only known once the encoded body has been sent,
//! so a second event, `deliver_data`, follows when the body ends — or when the reader goes
//! away half-way, which the event says (`complete: false`). Both carry the request id, which
//! links them.
//!
//! A delivery of open data is also metered (H26, `open::metering`): its counter row is
//! written in the same transaction as its `deliver_data` event.
//!
//! The body is encoded here too, from the rows the engine returned, so the reader gets bytes
//! in the format it asked for and nobody outside the application handles the rows.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use futures_util::Stream;
use gongshu_audit::Outcome;
use gongshu_query::{Batches, Encoded, Format, Page, encode};
use serde_json::Value;

use super::read::Reader;
use crate::open::metering::Metering;
use crate::record::{Change, Who, append};
use crate::{App, RequestMeta, Result};

/// The rows of a result: every one, streamed, or one page held in memory.
pub(super) enum Rows {
    /// Everything (a bulk download, the owner's or open data).
    All(Batches),
    /// One page: an API query through a sharing grant is capped per response (H20).
    Page(Page),
}

/// A read's rows as the reader receives them.
pub struct EncodedRows {
    /// Where the next page starts (`x-next-cursor`); `None` when nothing follows.
    pub next_cursor: Option<String>,
    /// The rows in the format asked for; the `deliver_data` event is written when the body
    /// ends, with the rows and bytes it carried.
    pub body: Encoded,
}

impl std::fmt::Debug for EncodedRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodedRows")
            .field("next_cursor", &self.next_cursor)
            .finish_non_exhaustive()
    }
}

/// The audit of one delivery, armed by [`Delivery::send`].
pub(super) struct Delivery {
    app: App,
    meta: RequestMeta,
    actor_id: Option<String>,
    actor_name: String,
    org_id: Option<String>,
    target: String,
    /// The read's policy fields (policy, grant, purpose), repeated so the event stands alone.
    payload: Value,
    /// The open datasets the delivery counts against, if it read any (H26).
    metering: Option<Metering>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("target", &self.target)
            .finish()
    }
}

impl Delivery {
    pub(super) fn new(app: &App, reader: Reader<'_>, target: &str, payload: Value) -> Self {
        let who = reader.who();
        Self {
            app: app.clone(),
            meta: reader.meta().clone(),
            actor_id: who.id.map(str::to_owned),
            actor_name: who.name.to_owned(),
            org_id: who.org.map(str::to_owned),
            target: target.to_owned(),
            payload,
            metering: None,
        }
    }

    /// Counts the delivery as a read of open data (H26) when it records it.
    pub(super) fn metered(mut self, metering: Option<Metering>) -> Self {
        self.metering = metering;
        self
    }

    /// Encodes `rows` in `format`, counting rows and bytes as they go out, and records the
    /// delivery when the body ends. A result that fails before its first row is an error here
    /// (and nothing was delivered).
    pub(super) async fn send(self, rows: Rows, format: Format) -> Result<EncodedRows> {
        let (batches, next_cursor) = match rows {
            Rows::All(batches) => (batches, None),
            Rows::Page(mut page) => {
                let next = page.next_cursor.take();
                (Batches::from(page), next)
            }
        };
        let rows = batches.rows_delivered();
        let body = encode(batches, format).await?;
        Ok(EncodedRows {
            next_cursor,
            body: Box::pin(Metered {
                body,
                delivery: Some(self),
                rows,
                bytes: 0,
            }),
        })
    }

    /// Writes the event on its own task: the body has already ended (or been dropped), so
    /// nobody is left to wait for it. A failure is logged, never lost silently.
    fn record(self, rows: u64, bytes: u64, complete: bool) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::error!(target = %self.target, bytes, "no runtime to record a data delivery");
            return;
        };
        runtime.spawn(async move {
            let target = self.target.clone();
            if let Err(e) = self.write(rows, bytes, complete).await {
                tracing::error!(%target, error = %e, "recording a data delivery failed");
            }
        });
    }

    /// The event, and for open data its counters, in one transaction of their own.
    async fn write(self, rows: u64, bytes: u64, complete: bool) -> Result<()> {
        let mut payload = self.payload;
        payload["rows"] = rows.into();
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
        let mut tx = self.app.db.begin_write().await?;
        append(
            &self.app,
            &mut tx,
            &self.meta,
            who,
            Outcome::Success,
            change,
        )
        .await?;
        if let Some(metering) = &self.metering {
            metering.count(&self.app, &mut tx, rows, bytes).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A body that counts what it yields and records the delivery once, at its end or drop.
struct Metered {
    body: Encoded,
    delivery: Option<Delivery>,
    /// Rows handed to the encoder so far.
    rows: Arc<AtomicU64>,
    bytes: u64,
}

impl Metered {
    fn finish(&mut self, complete: bool) {
        if let Some(delivery) = self.delivery.take() {
            delivery.record(self.rows.load(Ordering::Relaxed), self.bytes, complete);
        }
    }
}

impl Stream for Metered {
    type Item = <Encoded as Stream>::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.body.as_mut().poll_next(cx);
        match &polled {
            Poll::Ready(Some(Ok(chunk))) => self.bytes += chunk.len() as u64,
            Poll::Ready(Some(Err(_))) => self.finish(false),
            Poll::Ready(None) => self.finish(true),
            Poll::Pending => {}
        }
        polled
    }
}

impl Drop for Metered {
    fn drop(&mut self) {
        self.finish(false);
    }
}
