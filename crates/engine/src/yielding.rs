//! Queries that can be stopped (可中止的查询). A query is stopped by aborting its task, which
//! takes effect only when the task next yields to the runtime. DataFusion yields when its scans
//! wait for data, but an operator pulling batches from an in-memory join in a loop can run for
//! minutes without yielding; a client that went away, or a deadline, then could not stop it.
//! So every operator's output is wrapped: once a task has been busy for [`SLICE`] without
//! yielding, the next batch that passes through makes it yield. A stopped query therefore
//! stops using the CPU within about one slice plus the time to produce one batch.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::{RecordBatchStream, SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties};
use futures::Stream;

/// The longest a query task runs without yielding.
const SLICE: Duration = Duration::from_millis(10);

/// The physical optimizer rule that wraps every operator (run last).
#[derive(Debug, Default)]
pub(crate) struct YieldRegularly;

impl PhysicalOptimizerRule for YieldRegularly {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            // Plans built inside a view's scan arrive already wrapped.
            if node.is::<Yielding>() {
                return Ok(Transformed::no(node));
            }
            Ok(Transformed::yes(Arc::new(Yielding { input: node }) as _))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "gongshu_yield_regularly"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// Passes its input through, yielding when the task has been busy too long.
#[derive(Debug)]
struct Yielding {
    input: Arc<dyn ExecutionPlan>,
}

impl DisplayAs for Yielding {
    fn fmt_as(&self, _kind: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("YieldRegularly")
    }
}

impl ExecutionPlan for Yielding {
    fn name(&self) -> &str {
        "YieldRegularly"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.input.properties()
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let [input] = <[_; 1]>::try_from(children).map_err(|c| {
            DataFusionError::Internal(format!("YieldRegularly has one input, got {}", c.len()))
        })?;
        Ok(Arc::new(Yielding { input }))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        Ok(Box::pin(YieldingStream {
            input: self.input.execute(partition, context)?,
            since: None,
        }))
    }
}

struct YieldingStream {
    input: SendableRecordBatchStream,
    /// When this stream last saw its task start working (after a yield).
    since: Option<Instant>,
}

impl Stream for YieldingStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let now = Instant::now();
        let since = *self.since.get_or_insert(now);
        if now.duration_since(since) > SLICE {
            self.since = None;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let polled = self.input.as_mut().poll_next(cx);
        if polled.is_pending() {
            self.since = None;
        }
        polled
    }
}

impl RecordBatchStream for YieldingStream {
    fn schema(&self) -> SchemaRef {
        self.input.schema()
    }
}
