//! A result as a stream of Arrow batches, whatever engine produced it, counting the rows it
//! hands out so the audit of a streamed read can say how many left.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use futures_util::stream::{self, BoxStream, Stream, StreamExt};

use crate::error::QueryError;
use crate::rows::Page;

/// The batches of a result with their schema. Dropping it drops the engine's stream, which
/// stops the query (a client that went away, a timeout).
pub struct Batches {
    schema: SchemaRef,
    stream: BoxStream<'static, Result<RecordBatch, QueryError>>,
    /// Rows handed to the reader so far, shared with whoever audits the delivery.
    rows: Arc<AtomicU64>,
}

impl std::fmt::Debug for Batches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl Batches {
    /// The batches `stream` yields, each of `schema`.
    pub fn new(
        schema: SchemaRef,
        stream: impl Stream<Item = Result<RecordBatch, QueryError>> + Send + 'static,
    ) -> Self {
        Self {
            schema,
            stream: stream.boxed(),
            rows: Arc::default(),
        }
    }

    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// A live count of the rows handed out so far: the audit of a streamed read reads it when
    /// the stream ends, however far the reader got.
    pub fn rows_delivered(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.rows)
    }

    /// Every batch, in memory: only for results known to be small (a page, statistics).
    pub async fn collect(mut self) -> Result<Vec<RecordBatch>, QueryError> {
        let mut out = Vec::new();
        while let Some(batch) = self.next().await {
            out.push(batch?);
        }
        Ok(out)
    }
}

/// A page's rows, to be encoded like any result.
impl From<Page> for Batches {
    fn from(page: Page) -> Self {
        Self::new(page.schema, stream::iter(page.batches.into_iter().map(Ok)))
    }
}

impl Stream for Batches {
    type Item = Result<RecordBatch, QueryError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.stream.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Ok(batch))) = &polled {
            self.rows
                .fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
        }
        polled
    }
}
