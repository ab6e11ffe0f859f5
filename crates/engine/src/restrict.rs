//! The policy's row filter as a hard boundary (行级过滤边界). A row filter written as an
//! ordinary filter under the reader's query is not enough: the optimizer merges filters and
//! pushes them into the Parquet scan, where a reader's predicate may run on a row the policy
//! hides — and if it fails there (a division by zero, a failed cast) the error tells the
//! reader that such a row exists. Here the filtered rows are a table of their own whose
//! physical plan ends in a node no filter, projection or limit is pushed through, so every
//! expression of the reader runs only on rows the policy lets through.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, TableType};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties};

/// The stored rows a row filter lets through (the plan: stored scan + the policy's filters).
/// Reader filters are not taken (`supports_filters_pushdown` keeps its default, unsupported),
/// so they stay above the scan.
#[derive(Debug)]
pub(crate) struct RestrictedRows {
    plan: LogicalPlan,
    schema: SchemaRef,
}

impl RestrictedRows {
    pub(crate) fn new(plan: LogicalPlan) -> Self {
        let schema = Arc::clone(plan.schema().inner());
        Self { plan, schema }
    }
}

#[async_trait]
impl TableProvider for RestrictedRows {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    /// Plans the policy's rows on their own (only the columns the query reads), then seals
    /// them; a reader's limit is applied above, never inside the filter.
    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let mut plan = LogicalPlanBuilder::from(self.plan.clone());
        if let Some(columns) = projection {
            plan = plan.select(columns.iter().copied())?;
        }
        let input = state.create_physical_plan(&plan.build()?).await?;
        Ok(Arc::new(Sealed { input }))
    }
}

/// Passes its input through unchanged; its only job is to be opaque to the optimizer (the
/// trait's defaults push no filter, projection or limit into an unknown node).
#[derive(Debug)]
struct Sealed {
    input: Arc<dyn ExecutionPlan>,
}

impl DisplayAs for Sealed {
    fn fmt_as(&self, _kind: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("PolicyRowFilterSeal")
    }
}

impl ExecutionPlan for Sealed {
    fn name(&self) -> &str {
        "PolicyRowFilterSeal"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.input.properties()
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
            DataFusionError::Internal(format!(
                "the row filter seal has one input, got {}",
                c.len()
            ))
        })?;
        Ok(Arc::new(Sealed { input }))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        self.input.execute(partition, context)
    }
}
