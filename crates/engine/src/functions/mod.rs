//! The functions a reader's query may call (允许使用的函数), as an allow-list: the scalar,
//! aggregate and window functions a data user needs, each scalar one wrapped so that no value
//! it builds can outgrow the platform's bound ([`bound`]). Anything else — table functions,
//! functions that read files or reveal the engine (`input_file_name`, `version`), list and
//! struct builders, unbounded aggregates (`array_agg`, `string_agg`) — is refused by name
//! before the query runs, with [`QueryError::FunctionNotAllowed`].
//!
//! The check is an analyzer rule, so it sees every function of the plan however it was
//! written: by name, by SQL syntax the planner turns into a function (`POSITION … IN`,
//! `SUBSTRING … FROM`, `TRIM`), or inside a view, a subquery or a CTE. It runs after type
//! coercion, and also turns the string operator `||` into a bounded function.

mod bound;
mod concat;

use std::sync::Arc;

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::expr::{AggregateFunction, ScalarFunction};
use datafusion::logical_expr::{
    BinaryExpr, Expr, LogicalPlan, Operator, ScalarUDF, WindowFunctionDefinition,
};
use datafusion::optimizer::AnalyzerRule;

use bound::Bounded;
pub(crate) use bound::Growth;

use gongshu_query::QueryError;

/// Scalar functions a query may call, with how large their output can grow.
const SCALAR: &[(&str, Growth)] = &[
    // Numbers.
    ("abs", Growth::Fixed),
    ("acos", Growth::Fixed),
    ("acosh", Growth::Fixed),
    ("asin", Growth::Fixed),
    ("asinh", Growth::Fixed),
    ("atan", Growth::Fixed),
    ("atan2", Growth::Fixed),
    ("atanh", Growth::Fixed),
    ("cbrt", Growth::Fixed),
    ("ceil", Growth::Fixed),
    ("cos", Growth::Fixed),
    ("cosh", Growth::Fixed),
    ("cot", Growth::Fixed),
    ("degrees", Growth::Fixed),
    ("exp", Growth::Fixed),
    ("factorial", Growth::Fixed),
    ("floor", Growth::Fixed),
    ("gcd", Growth::Fixed),
    ("isnan", Growth::Fixed),
    ("iszero", Growth::Fixed),
    ("lcm", Growth::Fixed),
    ("ln", Growth::Fixed),
    ("log", Growth::Fixed),
    ("log10", Growth::Fixed),
    ("log2", Growth::Fixed),
    ("nanvl", Growth::Fixed),
    ("pi", Growth::Fixed),
    ("pow", Growth::Fixed),
    ("power", Growth::Fixed),
    ("radians", Growth::Fixed),
    ("random", Growth::Fixed),
    ("round", Growth::Fixed),
    ("signum", Growth::Fixed),
    ("sin", Growth::Fixed),
    ("sinh", Growth::Fixed),
    ("sqrt", Growth::Fixed),
    ("tan", Growth::Fixed),
    ("tanh", Growth::Fixed),
    ("trunc", Growth::Fixed),
    // Choosing among values.
    ("coalesce", Growth::Pick),
    ("greatest", Growth::Pick),
    ("ifnull", Growth::Pick),
    ("least", Growth::Pick),
    ("nullif", Growth::Pick),
    ("nvl", Growth::Pick),
    ("nvl2", Growth::Pick),
    // Text.
    ("ascii", Growth::Fixed),
    ("bit_length", Growth::Fixed),
    ("btrim", Growth::Shrinks),
    ("char_length", Growth::Fixed),
    ("character_length", Growth::Fixed),
    ("chr", Growth::Small),
    ("concat", Growth::Concat),
    ("concat_ws", Growth::ConcatWs),
    ("contains", Growth::Fixed),
    ("ends_with", Growth::Fixed),
    ("find_in_set", Growth::Fixed),
    ("initcap", Growth::Shrinks),
    ("instr", Growth::Fixed),
    ("left", Growth::Shrinks),
    ("length", Growth::Fixed),
    ("levenshtein", Growth::Fixed),
    ("lower", Growth::Shrinks),
    ("lpad", Growth::Pad),
    ("ltrim", Growth::Shrinks),
    ("octet_length", Growth::Fixed),
    ("overlay", Growth::Concat),
    ("position", Growth::Fixed),
    ("regexp_count", Growth::Fixed),
    ("regexp_instr", Growth::Fixed),
    ("regexp_like", Growth::Fixed),
    ("regexp_replace", Growth::RegexpReplace),
    ("repeat", Growth::Repeat),
    ("replace", Growth::Replace),
    ("reverse", Growth::Shrinks),
    ("right", Growth::Shrinks),
    ("rpad", Growth::Pad),
    ("rtrim", Growth::Shrinks),
    ("split_part", Growth::Shrinks),
    ("starts_with", Growth::Fixed),
    ("strpos", Growth::Fixed),
    ("substr", Growth::Shrinks),
    ("substr_index", Growth::Shrinks),
    ("substring", Growth::Shrinks),
    ("substring_index", Growth::Shrinks),
    ("to_hex", Growth::Small),
    ("translate", Growth::Shrinks),
    ("trim", Growth::Shrinks),
    ("upper", Growth::Shrinks),
    // Dates and times.
    ("current_date", Growth::Fixed),
    ("current_time", Growth::Fixed),
    ("current_timestamp", Growth::Fixed),
    ("date_bin", Growth::Fixed),
    ("date_format", Growth::Format),
    ("date_part", Growth::Fixed),
    ("date_trunc", Growth::Fixed),
    ("datepart", Growth::Fixed),
    ("datetrunc", Growth::Fixed),
    ("from_unixtime", Growth::Fixed),
    ("make_date", Growth::Fixed),
    ("make_time", Growth::Fixed),
    ("now", Growth::Fixed),
    ("to_char", Growth::Format),
    ("to_date", Growth::Fixed),
    ("to_local_time", Growth::Fixed),
    ("to_time", Growth::Fixed),
    ("to_timestamp", Growth::Fixed),
    ("to_timestamp_micros", Growth::Fixed),
    ("to_timestamp_millis", Growth::Fixed),
    ("to_timestamp_nanos", Growth::Fixed),
    ("to_timestamp_seconds", Growth::Fixed),
    ("to_unixtime", Growth::Fixed),
    ("today", Growth::Fixed),
    // Types.
    ("arrow_typeof", Growth::Small),
];

/// Aggregate functions a query may call: each keeps its state inside the memory pool, and
/// none builds one value out of a whole group (`array_agg` and `string_agg` would).
const AGGREGATE: &[&str] = &[
    "any_value",
    "approx_distinct",
    "approx_median",
    "approx_percentile_cont",
    "approx_percentile_cont_with_weight",
    "avg",
    "bit_and",
    "bit_or",
    "bit_xor",
    "bool_and",
    "bool_or",
    "corr",
    "count",
    "covar",
    "covar_pop",
    "covar_samp",
    "first_value",
    "grouping",
    "last_value",
    "max",
    "mean",
    "median",
    "min",
    "nth_value",
    "percentile_cont",
    "quantile_cont",
    "regr_avgx",
    "regr_avgy",
    "regr_count",
    "regr_intercept",
    "regr_r2",
    "regr_slope",
    "regr_sxx",
    "regr_sxy",
    "regr_syy",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "sum",
    "var",
    "var_pop",
    "var_population",
    "var_samp",
    "var_sample",
];

/// Window functions a query may call.
const WINDOW: &[&str] = &[
    "cume_dist",
    "dense_rank",
    "first_value",
    "lag",
    "last_value",
    "lead",
    "nth_value",
    "ntile",
    "percent_rank",
    "rank",
    "row_number",
];

/// Functions this crate puts into views itself (masking); SQL cannot name them, as they are
/// never registered.
const OURS: &str = "gongshu_";

fn scalar_growth(name: &str) -> Option<Growth> {
    SCALAR.iter().find(|(n, _)| *n == name).map(|(_, g)| *g)
}

/// A window may run a window function, or an aggregate over its frame.
fn window_allowed(function: &WindowFunctionDefinition) -> bool {
    match function {
        WindowFunctionDefinition::AggregateUDF(f) => AGGREGATE.contains(&f.name()),
        WindowFunctionDefinition::WindowUDF(f) => WINDOW.contains(&f.name()),
    }
}

fn not_allowed(name: &str) -> DataFusionError {
    DataFusionError::External(Box::new(QueryError::FunctionNotAllowed {
        name: name.to_owned(),
    }))
}

/// The analyzer rule that refuses functions outside the allow-list and bounds the rest.
#[derive(Debug)]
pub(crate) struct AllowedFunctions {
    /// The largest value (in bytes, per column of a batch) an expression may build beyond its
    /// inputs.
    max_value_bytes: usize,
}

impl AllowedFunctions {
    pub(crate) fn new(max_value_bytes: usize) -> Self {
        Self { max_value_bytes }
    }

    fn rewrite(&self, expr: Expr) -> Result<Transformed<Expr>> {
        match expr {
            Expr::AggregateFunction(AggregateFunction { func, .. })
                if !AGGREGATE.contains(&func.name()) =>
            {
                Err(not_allowed(func.name()))
            }
            Expr::WindowFunction(w) if !window_allowed(&w.fun) => Err(not_allowed(w.fun.name())),
            other => bound(other, self.max_value_bytes, Unlisted::Refuse),
        }
    }
}

/// What to do with a scalar function missing from the allow-list.
#[derive(Clone, Copy)]
enum Unlisted {
    /// A reader wrote it: refuse it by name.
    Refuse,
    /// DataFusion built it while simplifying an allowed function: bound it conservatively.
    Bound,
}

/// Wraps one scalar function (or `||`) in its bound.
fn bound(expr: Expr, limit: usize, unlisted: Unlisted) -> Result<Transformed<Expr>> {
    match expr {
        Expr::ScalarFunction(ScalarFunction { func, args }) => {
            let name = func.name();
            if name.starts_with(OURS) || func.inner().is::<Bounded>() {
                return Ok(Transformed::no(Expr::ScalarFunction(ScalarFunction {
                    func,
                    args,
                })));
            }
            let growth = match (scalar_growth(name), unlisted) {
                (Some(growth), _) => growth,
                (None, Unlisted::Bound) => Growth::Concat,
                (None, Unlisted::Refuse) => return Err(not_allowed(name)),
            };
            let bounded = Bounded::new(func.as_ref().clone(), growth, limit);
            Ok(Transformed::yes(Expr::ScalarFunction(
                ScalarFunction::new_udf(Arc::new(ScalarUDF::new_from_impl(bounded)), args),
            )))
        }
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::StringConcat,
            right,
        }) => Ok(Transformed::yes(
            concat::operator(limit).call(vec![*left, *right]),
        )),
        other => Ok(Transformed::no(other)),
    }
}

/// Bounds every function of an expression an allowed function simplified into (`coalesce`
/// becomes a `CASE`; `concat` of constants folds).
pub(super) fn bound_simplified(expr: Expr, limit: usize) -> Result<Expr> {
    expr.transform_up(|e| bound(e, limit, Unlisted::Bound))
        .map(|t| t.data)
}

impl AnalyzerRule for AllowedFunctions {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            node.map_expressions(|e| e.transform_up(|e| self.rewrite(e)))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "gongshu_allowed_functions"
    }
}
