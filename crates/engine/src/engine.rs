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
use std::sync::Arc;

use datafusion::dataframe::DataFrame;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::object_store::ObjectStore;
use datafusion::prelude::{SessionConfig, SessionContext};
use gongshu_query::{Batches, Dataset, Limits, QueryError};

use crate::error::from_engine;
use crate::executor::{Executor, Lane};
use crate::functions::AllowedFunctions;
use crate::joins::RefuseAbsurdJoins;
use crate::view::view_frame;
use crate::yielding::YieldRegularly;

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
    /// An engine keeping `limits`; its query runtimes start with the first query.
    pub fn new(limits: Limits) -> Result<Self, QueryError> {
        let env = || {
            RuntimeEnvBuilder::new()
                .with_memory_pool(Arc::new(FairSpillPool::new(limits.memory_bytes)))
                .build_arc()
                .map_err(|e| QueryError::Engine(e.to_string()))
        };
        let (sql_env, reads_env) = (env()?, env()?);
        let executor = Executor::new(
            (limits.threads, limits.read_threads),
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

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Tasks alive on the query runtimes: zero once every query has really stopped.
    pub(crate) fn running_tasks(&self) -> usize {
        self.executor.alive_tasks()
    }

    /// Lets queries read the files of an object store by their URLs. The store is registered
    /// on both environments, so every session sees it.
    pub(crate) fn register_store(
        &self,
        url: &str,
        store: Arc<dyn ObjectStore>,
    ) -> Result<(), QueryError> {
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
        from_engine(e, self.limits.memory_bytes)
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
                    .map_err(|e| from_engine(e, memory))?;
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
