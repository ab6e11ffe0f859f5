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

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use gongshu_audit::Outcome;
use gongshu_domain::objection::Opening;
use gongshu_query::{Batches, Encoded, Format, Page, QueryError, encode};
use gongshu_store::objections;
use serde_json::Value;
use tokio::time::Instant;

use super::read::{OpenRead, Reader};
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
    /// The entries read on the open basis, whose opening is re-checked while the body streams.
    open: Vec<OpenRead>,
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
            open: Vec::new(),
            metering: None,
        }
    }

    /// Watches these open entries while the body streams (H27): an objection or a risk filed
    /// mid-delivery cuts the body within about a second, so a long download of data whose
    /// opening is suspended does not run on to its end.
    pub(super) fn watching(mut self, open: Vec<OpenRead>) -> Self {
        self.open = open;
        self
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
        let watch = (!self.open.is_empty()).then(|| OpeningWatch {
            app: self.app.clone(),
            open: self.open.clone(),
            next: Instant::now() + OpeningWatch::EVERY,
            check: None,
        });
        Ok(EncodedRows {
            next_cursor,
            body: Box::pin(Metered {
                body,
                delivery: Some(self),
                rows,
                bytes: 0,
                watch,
                cut: false,
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
    /// For open data: the watch on its opening.
    watch: Option<OpeningWatch>,
    /// The watch cut the body; nothing more follows.
    cut: bool,
}

/// Re-checks every [`OpeningWatch::EVERY`] of streaming that the opening of the entries a
/// delivery reads still stands. Each check takes a connection of its own for one indexed
/// query, as the delivery's closing audit event does.
struct OpeningWatch {
    app: App,
    open: Vec<OpenRead>,
    next: Instant,
    check: Option<Pin<Box<dyn Future<Output = bool> + Send>>>,
}

impl OpeningWatch {
    const EVERY: Duration = Duration::from_secs(1);

    /// `false` once a check found an opening suspended or withdrawn (or could not tell: fail
    /// closed).
    fn poll_open(&mut self, cx: &mut Context<'_>) -> bool {
        if self.check.is_none() && Instant::now() >= self.next {
            let (app, open) = (self.app.clone(), self.open.clone());
            self.check = Some(Box::pin(async move { still_open(&app, &open).await }));
        }
        let Some(check) = self.check.as_mut() else {
            return true;
        };
        match check.as_mut().poll(cx) {
            Poll::Ready(open) => {
                self.check = None;
                self.next = Instant::now() + Self::EVERY;
                open
            }
            Poll::Pending => true,
        }
    }
}

async fn still_open(app: &App, open: &[OpenRead]) -> bool {
    let check = async {
        let mut conn = app.db.acquire().await?;
        for read in open {
            let cases = objections::cases_deciding_opening(&mut conn, &read.entry_id).await?;
            if Opening::of(&cases, read.revision) != Opening::Open {
                tracing::info!(entry.code = %read.code, "open delivery cut: the opening was suspended");
                return Ok(false);
            }
        }
        Ok::<_, gongshu_store::StoreError>(true)
    };
    check.await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "checking an opening mid-delivery failed; cutting the delivery");
        false
    })
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
        if self.cut {
            return Poll::Ready(None);
        }
        if let Some(watch) = self.watch.as_mut()
            && !watch.poll_open(cx)
        {
            self.cut = true;
            self.finish(false);
            return Poll::Ready(Some(Err(QueryError::Engine(
                "the opening of this data was suspended during the delivery (H27)".into(),
            ))));
        }
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
