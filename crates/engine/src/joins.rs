//! Refusing joins that would compare an absurd number of row pairs (连接规模上限). A join
//! without an equality condition — a cross join, or `a.x < b.x` over the same entry — pairs
//! every row of one side with every row of the other: two copies of such a query over a
//! million-row entry kept both cores busy for minutes. Before a plan runs, each such join's
//! pairs are estimated from an upper bound of its inputs' rows (the stored files' row counts,
//! which filters, projections and aggregates only reduce), and a plan over the limit is
//! refused with [`QueryError::JoinTooLarge`]. Joins on equal keys are left to the deadline:
//! their size depends on the data, not on the plan.

use std::sync::Arc;

use datafusion::common::config::ConfigOptions;
use datafusion::common::stats::Precision;
use datafusion::common::{DataFusionError, Result};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::statistics::{StatisticsArgs, StatisticsContext};

use gongshu_query::QueryError;

/// Operators that pair every row of one input with every row of the other.
const PAIRWISE: &[&str] = &[
    "NestedLoopJoinExec",
    "CrossJoinExec",
    "PiecewiseMergeJoinExec",
];
/// Operators whose output can be as large as the sum of their inputs.
const ADDING: &[&str] = &["UnionExec", "InterleaveExec"];

#[derive(Debug)]
pub(crate) struct RefuseAbsurdJoins {
    max_pairs: u64,
}

impl RefuseAbsurdJoins {
    pub(crate) fn new(max_pairs: u64) -> Self {
        Self { max_pairs }
    }

    /// An upper bound of the rows `plan` produces, refusing any pairwise join over the limit
    /// on the way.
    fn rows(&self, plan: &Arc<dyn ExecutionPlan>, stats: &StatisticsContext) -> Result<u64> {
        let children = plan.children();
        if children.is_empty() {
            return Ok(leaf_rows(plan.as_ref(), stats));
        }
        let inputs = children
            .iter()
            .map(|c| self.rows(c, stats))
            .collect::<Result<Vec<_>>>()?;
        let name = plan.name();
        if PAIRWISE.contains(&name) {
            let pairs = inputs.iter().fold(1u64, |n, r| n.saturating_mul(*r));
            if pairs > self.max_pairs {
                return Err(DataFusionError::External(Box::new(
                    QueryError::JoinTooLarge {
                        pairs,
                        limit: self.max_pairs,
                    },
                )));
            }
            return Ok(pairs);
        }
        Ok(if ADDING.contains(&name) || name.contains("Join") {
            // An equi-join's output is unknown before it runs; its inputs' sum is the usual
            // case, and the deadline bounds the rest.
            inputs.iter().fold(0u64, |n, r| n.saturating_add(*r))
        } else {
            inputs.into_iter().max().unwrap_or(0)
        })
    }
}

/// Rows of a leaf (a file scan, values, an empty relation): its statistics where they are
/// known; a leaf that cannot tell is counted as one row, as only in-memory leaves lack them.
fn leaf_rows(plan: &dyn ExecutionPlan, stats: &StatisticsContext) -> u64 {
    let Ok(s) = stats.compute(plan, &StatisticsArgs::new()) else {
        return 1;
    };
    match s.num_rows {
        Precision::Exact(n) | Precision::Inexact(n) => n as u64,
        Precision::Absent => 1,
    }
}

impl PhysicalOptimizerRule for RefuseAbsurdJoins {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.rows(&plan, &StatisticsContext::new())?;
        Ok(plan)
    }

    fn name(&self) -> &str {
        "gongshu_refuse_absurd_joins"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
