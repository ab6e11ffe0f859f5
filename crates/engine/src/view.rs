//! Policy views planned: the stored files read through a DataFrame that is never registered,
//! the policy's row filter sealed as a table of its own (`restrict`), then the visible items,
//! each as stored or through its masking UDF (`mask`).

use std::sync::Arc;

use datafusion::dataframe::DataFrame;
use datafusion::logical_expr::{Expr, ident};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use gongshu_query::{Dataset, QueryError};

use crate::error::from_engine;
use crate::filter::filter_expr;
use crate::mask::mask_udf;
use crate::restrict::RestrictedRows;

/// The dataset as a DataFrame the reader's query starts from. The stored files are read
/// through a DataFrame that is never registered, so SQL cannot name them.
pub(crate) async fn view_frame(
    ctx: &SessionContext,
    dataset: &Dataset,
    memory_limit: usize,
) -> Result<DataFrame, QueryError> {
    let engine = |e| from_engine(e, memory_limit);
    let stored = ctx
        .read_parquet(dataset.files.clone(), ParquetReadOptions::default())
        .await
        .map_err(engine)?;
    let mut frame = stored;
    if !dataset.view.row_filter.is_empty() {
        for filter in &dataset.view.row_filter {
            let expr = filter_expr(filter, frame.schema())?;
            frame = frame.filter(expr).map_err(engine)?;
        }
        let rows = RestrictedRows::new(frame.into_unoptimized_plan());
        frame = ctx.read_table(Arc::new(rows)).map_err(engine)?;
    }
    let columns: Vec<Expr> = dataset
        .view
        .columns
        .iter()
        .map(|c| {
            let stored = ident(&c.name);
            match &c.rule {
                None => stored,
                Some(rule) => mask_udf(*rule, Arc::clone(&dataset.view.mask)).call(vec![stored]),
            }
            .alias(&c.name)
        })
        .collect();
    frame.select(columns).map_err(engine)
}
