//! The engine: one DataFusion runtime shared by all queries (one memory pool, so concurrent
//! queries together stay under the limit), and a fresh session per query holding only the
//! views of the datasets that query may read.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::object_store::ObjectStore;
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::{Stream, StreamExt};
use tokio::time::Instant;

use crate::error::QueryError;
use crate::view::{Dataset, view_frame};

/// What one query may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Memory all running queries may hold together (sorts and aggregates spill beyond it
    /// where they can, and fail with `query_out_of_memory` where they cannot).
    pub memory_bytes: usize,
    /// Wall time of one SQL query, from planning to its last row.
    pub sql_timeout: Duration,
    /// The longest SQL text accepted.
    pub max_sql_bytes: usize,
    /// The largest page of rows (the `limit` parameter).
    pub max_page_rows: usize,
    /// Threads one query uses.
    pub partitions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 1024 * 1024 * 1024,
            sql_timeout: Duration::from_secs(30),
            max_sql_bytes: 64 * 1024,
            max_page_rows: 10_000,
            partitions: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// The query engine of the data plane.
#[derive(Clone)]
pub struct Engine {
    limits: Limits,
    runtime: Arc<RuntimeEnv>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("limits", &self.limits)
            .finish()
    }
}

impl Engine {
    pub fn new(limits: Limits) -> Result<Self, QueryError> {
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(FairSpillPool::new(limits.memory_bytes)))
            .build_arc()
            .map_err(|e| QueryError::Engine(e.to_string()))?;
        Ok(Self { limits, runtime })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Lets queries read the files of an object store (the lake's bucket) by their URLs
    /// (`s3://bucket/prefix/…`). The store is registered on the shared runtime, so every
    /// session sees it; `url` names the store (`s3://bucket`).
    pub fn register_store(&self, url: &str, store: Arc<dyn ObjectStore>) -> Result<(), QueryError> {
        let url = ObjectStoreUrl::parse(url).map_err(|e| QueryError::Engine(e.to_string()))?;
        self.runtime.register_object_store(url.as_ref(), store);
        Ok(())
    }

    pub(crate) fn session(&self) -> SessionContext {
        let mut config = SessionConfig::new()
            .with_target_partitions(self.limits.partitions.max(1))
            .with_information_schema(false);
        // Identifiers are item codes as written (lower case by the catalog's rules); keep
        // quoted ones as they are.
        config.options_mut().sql_parser.enable_ident_normalization = true;
        // Parquet row-group statistics and page indexes prune selective filters.
        config.options_mut().execution.parquet.pushdown_filters = true;
        let ctx = SessionContext::new_with_config_rt(config, Arc::clone(&self.runtime));
        // Functions that build one value of up to 2 GiB outside the memory pool's accounting:
        // `repeat('x', 300000000)` would take the process down, not the query.
        for name in ["repeat", "lpad", "rpad", "overlay"] {
            ctx.deregister_udf(name);
        }
        ctx
    }

    pub(crate) fn engine_error(&self, e: datafusion::error::DataFusionError) -> QueryError {
        QueryError::from_engine(e, self.limits.memory_bytes)
    }

    /// The view of one dataset in a fresh session.
    pub(crate) async fn frame(&self, dataset: &Dataset) -> Result<DataFrame, QueryError> {
        let ctx = self.session();
        view_frame(&ctx, dataset, self.limits.memory_bytes).await
    }

    pub(crate) async fn stream(&self, frame: DataFrame) -> Result<Batches, QueryError> {
        let stream = frame
            .execute_stream()
            .await
            .map_err(|e| self.engine_error(e))?;
        Ok(Batches::new(stream, self.limits.memory_bytes, None))
    }
}

/// The result of a query as a stream of batches, with engine errors already sorted and an
/// optional deadline. The plan runs in its own task feeding a small channel: the deadline is
/// kept by the reader's side even while the plan is busy, and dropping the result (a client
/// that went away, a timeout) aborts the plan.
pub struct Batches {
    schema: SchemaRef,
    received: tokio::sync::mpsc::Receiver<Result<RecordBatch, QueryError>>,
    task: tokio::task::AbortHandle,
    deadline: Option<(Pin<Box<tokio::time::Sleep>>, u64)>,
    /// Rows handed to the reader so far, shared with whoever audits the delivery.
    rows: Arc<AtomicU64>,
}

impl std::fmt::Debug for Batches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches")
            .field("schema", &self.schema)
            .finish()
    }
}

impl Drop for Batches {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Batches {
    pub(crate) fn new(
        mut inner: SendableRecordBatchStream,
        memory_limit: usize,
        deadline: Option<(Instant, u64)>,
    ) -> Self {
        let schema = inner.schema();
        let (send, received) = tokio::sync::mpsc::channel(2);
        let task = tokio::spawn(async move {
            let sender = send.clone();
            let run = std::panic::AssertUnwindSafe(async move {
                while let Some(batch) = inner.next().await {
                    let batch = batch.map_err(|e| QueryError::from_engine(e, memory_limit));
                    let failed = batch.is_err();
                    if send.send(batch).await.is_err() || failed {
                        break;
                    }
                }
            });
            // A panic must not look like the end of a complete result.
            if futures::FutureExt::catch_unwind(run).await.is_err() {
                let stopped = QueryError::Engine("the query stopped unexpectedly".into());
                let _ = sender.send(Err(stopped)).await;
            }
        })
        .abort_handle();
        Self {
            schema,
            received,
            task,
            deadline: deadline.map(|(at, s)| (Box::pin(tokio::time::sleep_until(at)), s)),
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

impl Stream for Batches {
    type Item = Result<RecordBatch, QueryError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some((sleep, seconds)) = self.deadline.as_mut()
            && sleep.as_mut().poll(cx).is_ready()
        {
            let seconds = *seconds;
            self.deadline = None;
            self.task.abort();
            self.received.close();
            return Poll::Ready(Some(Err(QueryError::Timeout { seconds })));
        }
        let polled = self.received.poll_recv(cx);
        if let Poll::Ready(Some(Ok(batch))) = &polled {
            self.rows
                .fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
        }
        polled
    }
}
