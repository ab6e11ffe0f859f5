//! Policy views (策略视图): what one reader sees of one entry's data is never the stored file
//! but a view over it — the policy's row filter on the stored values, then only the visible
//! items, each either as stored or through its masking function. Every query a reader sends is
//! planned on top of that view, so nothing they write can reach beneath it.

use std::sync::Arc;

use datafusion::dataframe::DataFrame;
use datafusion::logical_expr::{Expr, ident};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use gongshu_privacy::{MaskContext, MaskingRule};

use crate::error::QueryError;
use crate::filter::Filter;
use crate::mask::mask_udf;
use crate::restrict::RestrictedRows;

/// One entry's data as one reader may see it.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The table name in SQL and in error messages (the entry code).
    pub name: String,
    /// The Parquet files of the version being read: local paths or object-store URLs.
    pub files: Vec<String>,
    pub view: View,
}

/// The policy's part of a dataset. Grants (issue 5) produce these as well; the engine does not
/// care where a view came from.
#[derive(Debug, Clone)]
pub struct View {
    /// The columns the reader sees, in order; the others do not exist for them.
    pub columns: Vec<ViewColumn>,
    /// Rows the reader may see, as filters on the stored values (all must hold). A hard
    /// boundary: the reader's expressions never run on a row it drops (see `restrict`).
    pub row_filter: Vec<Filter>,
    /// The keyed context of the policy, for pseudonyms.
    pub mask: Arc<MaskContext>,
}

#[derive(Debug, Clone)]
pub struct ViewColumn {
    pub name: String,
    /// `None`: shown as stored.
    pub rule: Option<MaskingRule>,
}

impl ViewColumn {
    pub fn clear(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            rule: None,
        }
    }

    pub fn masked(name: &str, rule: MaskingRule) -> Self {
        Self {
            name: name.to_owned(),
            rule: Some(rule),
        }
    }
}

impl View {
    /// Every column shown as stored, every row: the owner's view.
    pub fn full(columns: &[&str]) -> Self {
        Self {
            columns: columns.iter().map(|c| ViewColumn::clear(c)).collect(),
            row_filter: Vec::new(),
            mask: Arc::new(MaskContext::without_keys()),
        }
    }
}

/// The dataset as a DataFrame the reader's query starts from. The stored files are read
/// through a DataFrame that is never registered, so SQL cannot name them.
pub(crate) async fn view_frame(
    ctx: &SessionContext,
    dataset: &Dataset,
    memory_limit: usize,
) -> Result<DataFrame, QueryError> {
    let engine = |e| QueryError::from_engine(e, memory_limit);
    let stored = ctx
        .read_parquet(dataset.files.clone(), ParquetReadOptions::default())
        .await
        .map_err(engine)?;
    let mut frame = stored;
    if !dataset.view.row_filter.is_empty() {
        for filter in &dataset.view.row_filter {
            let expr = filter.to_expr(frame.schema())?;
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
