//! The engine: two DataFusion runtime environments — one for reader-written SQL, one for the
//! platform's reads — each with one memory pool its queries share (so concurrent queries
//! together stay under the limit, and a flood of SQL cannot take the memory pages and
//! aggregates need), a fresh session per query holding only the views of the datasets that
//! query may read, and the [`Executor`] the queries run on.
//!
//! What one query may take, all of it bounded: memory held by operators (the shared pool),
//! memory built by expressions (`functions`: no value grows past `max_value_bytes`), CPU
//! (`joins` refuses absurd pairwise joins before they run; a deadline and `yielding` stop a
//! query within moments), and places in the executor's lanes.

use std::future::Future;
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
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::object_store::ObjectStore;
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::{Stream, StreamExt};
use tokio::time::Instant;

use crate::error::QueryError;
use crate::executor::{Executor, Lane, LaneLimits};
use crate::functions::AllowedFunctions;
use crate::joins::RefuseAbsurdJoins;
use crate::view::{Dataset, view_frame};
use crate::yielding::YieldRegularly;

/// What queries may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Memory the operators of all running queries of one kind may hold together — SQL
    /// queries in one pool, the platform's reads in another (sorts and aggregates spill beyond
    /// it where they can, and fail with `query_out_of_memory` where they cannot).
    pub memory_bytes: usize,
    /// The most bytes one expression may add to a column of a batch (string growth, `||`,
    /// padding): a function may return as much as it was given plus this. With the lanes'
    /// running queries and `partitions`, this bounds what expressions hold beside the pool.
    pub max_value_bytes: usize,
    /// Wall time of one SQL query, from planning to its last row.
    pub sql_timeout: Duration,
    /// Wall time of one page, aggregate or statistics read.
    pub read_timeout: Duration,
    /// The longest SQL text accepted.
    pub max_sql_bytes: usize,
    /// The largest page of rows (the `limit` parameter).
    pub max_page_rows: usize,
    /// The most row pairs a join without an equality condition may compare.
    pub max_join_pairs: u64,
    /// Threads one query uses.
    pub partitions: usize,
    /// Threads of each query runtime: fewer than the cores, so queries never take them all.
    pub threads: usize,
    /// Admission of reader-written SQL.
    pub sql_lane: LaneLimits,
    /// Admission of pages, aggregates and statistics.
    pub rows_lane: LaneLimits,
    /// Admission of whole exports.
    pub export_lane: LaneLimits,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = cores.saturating_sub(1).max(1);
        Self {
            memory_bytes: 512 * 1024 * 1024,
            max_value_bytes: 64 * 1024 * 1024,
            sql_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(30),
            max_sql_bytes: 64 * 1024,
            max_page_rows: 10_000,
            max_join_pairs: 100_000_000,
            partitions: cores,
            threads,
            sql_lane: LaneLimits {
                running: threads + 1,
                queued: 8 * threads,
                per_reader: 2,
                queue_wait: Duration::from_secs(5),
            },
            rows_lane: LaneLimits {
                running: 4 * threads,
                queued: 64,
                per_reader: 8,
                queue_wait: Duration::from_secs(10),
            },
            export_lane: LaneLimits {
                running: 4 * threads,
                queued: 16,
                per_reader: 2,
                queue_wait: Duration::from_secs(5),
            },
        }
    }
}

/// The query engine of the data plane.
#[derive(Clone)]
pub struct Engine {
    limits: Limits,
    /// The environment (memory pool, object stores) of SQL queries.
    sql_env: Arc<RuntimeEnv>,
    /// The environment of the platform's reads.
    reads_env: Arc<RuntimeEnv>,
    /// The one sessions of this handle use: the reads' by default, a lane's inside a query.
    env: Arc<RuntimeEnv>,
    executor: Arc<Executor>,
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
        let env = || {
            RuntimeEnvBuilder::new()
                .with_memory_pool(Arc::new(FairSpillPool::new(limits.memory_bytes)))
                .build_arc()
                .map_err(|e| QueryError::Engine(e.to_string()))
        };
        let (sql_env, reads_env) = (env()?, env()?);
        let executor = Executor::new(
            limits.threads,
            [
                (limits.sql_lane.clone(), Some(limits.sql_timeout)),
                (limits.rows_lane.clone(), Some(limits.read_timeout)),
                (limits.export_lane.clone(), None),
            ],
        );
        Ok(Self {
            limits,
            env: Arc::clone(&reads_env),
            sql_env,
            reads_env,
            executor: Arc::new(executor),
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Tasks alive on the query runtimes: zero once every query has really stopped.
    pub fn running_tasks(&self) -> usize {
        self.executor.alive_tasks()
    }

    /// Lets queries read the files of an object store (the lake's bucket) by their URLs
    /// (`s3://bucket/prefix/…`). The store is registered on both environments, so every
    /// session sees it; `url` names the store (`s3://bucket`).
    pub fn register_store(&self, url: &str, store: Arc<dyn ObjectStore>) -> Result<(), QueryError> {
        let url = ObjectStoreUrl::parse(url).map_err(|e| QueryError::Engine(e.to_string()))?;
        for env in [&self.sql_env, &self.reads_env] {
            env.register_object_store(url.as_ref(), Arc::clone(&store));
        }
        Ok(())
    }

    /// This engine with the environment of `lane`'s queries.
    fn for_lane(&self, lane: Lane) -> Self {
        let env = match lane {
            Lane::Sql => &self.sql_env,
            Lane::Rows | Lane::Export => &self.reads_env,
        };
        Self {
            env: Arc::clone(env),
            ..self.clone()
        }
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
        // A recursive query can grow its working table without end.
        config.options_mut().execution.enable_recursive_ctes = false;
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(Arc::clone(&self.env))
            .with_default_features()
            .with_analyzer_rule(Arc::new(AllowedFunctions::new(self.limits.max_value_bytes)))
            .with_physical_optimizer_rule(Arc::new(RefuseAbsurdJoins::new(
                self.limits.max_join_pairs,
            )))
            .with_physical_optimizer_rule(Arc::new(YieldRegularly))
            .build();
        let ctx = SessionContext::new_with_state(state);
        // Table functions generate rows from nothing; readers query entries.
        for name in ["generate_series", "range"] {
            ctx.deregister_udtf(name);
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

    /// Runs a query on `lane` for `reader` (who is counted against the per-reader limit):
    /// `plan` builds the frame on the query runtime, and may hand back something learnt while
    /// planning.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        lane: Lane,
        reader: &str,
        plan: F,
    ) -> Result<(Batches, T), QueryError>
    where
        T: Send + 'static,
        F: FnOnce(Engine) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(DataFrame, T), QueryError>> + Send + 'static,
    {
        let engine = self.for_lane(lane);
        let memory = self.limits.memory_bytes;
        self.executor
            .run(lane, reader, memory, move || async move {
                let (frame, extra) = plan(engine.clone()).await?;
                let stream: SendableRecordBatchStream = frame
                    .execute_stream()
                    .await
                    .map_err(|e| QueryError::from_engine(e, memory))?;
                Ok((stream, extra))
            })
            .await
    }

    /// [`Engine::run`] of a frame alone, cut to `window` (rows to skip, rows to fetch) when
    /// given: the pages of results read at an offset (SQL, aggregates).
    pub(crate) async fn run_frame<F, Fut>(
        &self,
        lane: Lane,
        reader: &str,
        window: Option<(usize, usize)>,
        plan: F,
    ) -> Result<Batches, QueryError>
    where
        F: FnOnce(Engine) -> Fut + Send + 'static,
        Fut: Future<Output = Result<DataFrame, QueryError>> + Send + 'static,
    {
        let (batches, ()) = self
            .run(lane, reader, move |engine| async move {
                let mut frame = plan(engine.clone()).await?;
                if let Some((skip, fetch)) = window {
                    frame = frame
                        .limit(skip, Some(fetch))
                        .map_err(|e| engine.engine_error(e))?;
                }
                Ok((frame, ()))
            })
            .await?;
        Ok(batches)
    }
}

/// The result of a query as a stream of batches, with engine errors already sorted and an
/// optional deadline. The plan runs in its own task on the query runtime feeding a small
/// channel: the deadline is kept by the reader's side even while the plan is busy, and
/// dropping the result (a client that went away, a timeout) aborts the plan.
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
        schema: SchemaRef,
        received: tokio::sync::mpsc::Receiver<Result<RecordBatch, QueryError>>,
        task: tokio::task::AbortHandle,
        deadline: Option<(Instant, u64)>,
    ) -> Self {
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
