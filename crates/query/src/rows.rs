//! Reading rows as a reader asks for it: column selection, filters, ordering, and either one
//! page with a cursor or every matching row; and the page a result comes back as.

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

use crate::batches::Batches;
use crate::error::QueryError;
use crate::filter::Filter;
use crate::order::OrderKey;

/// A row read as the API receives it.
#[derive(Debug, Clone, Default)]
pub struct RowsQuery {
    /// The columns to return, in order; `None` is every visible column.
    pub select: Option<Vec<String>>,
    pub filters: Vec<Filter>,
    pub order: Vec<OrderKey>,
    /// Only rows one of whose visible columns contains this text, ignoring case, read in the
    /// text form the reader sees (masked values masked): CKAN's `datastore_search` `q`.
    pub text: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: usize,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One page of rows, held in memory (its size is capped by the limit).
#[derive(Debug)]
pub struct Page {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    /// Where the next page starts; `None` when this was the last.
    pub next_cursor: Option<String>,
}

impl Page {
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// A page of a result read with `LIMIT limit + 1 OFFSET offset`: the extra row, if it
    /// came, says another page follows at `offset + limit` (the cursor of results in a fixed
    /// order: aggregates, and SQL with an `ORDER BY`).
    pub async fn at_offset(
        batches: Batches,
        offset: usize,
        limit: usize,
    ) -> Result<Self, QueryError> {
        let schema = batches.schema();
        let batches = batches.collect().await?;
        let more = batches.iter().map(RecordBatch::num_rows).sum::<usize>() > limit;
        Ok(Self {
            schema,
            batches: if more {
                take_rows(batches, limit)
            } else {
                batches
            },
            next_cursor: more.then(|| (offset + limit).to_string()),
        })
    }
}

/// A page of an offset-paged result: at most `limit` rows after the `cursor` (an offset
/// handed out as `next_cursor`).
#[derive(Debug, Clone)]
pub struct OffsetPage {
    pub limit: usize,
    pub cursor: Option<String>,
}

impl OffsetPage {
    /// The offset and limit, checked against the largest page.
    pub fn bounds(&self, max: usize) -> Result<(usize, usize), QueryError> {
        if self.limit == 0 || self.limit > max {
            return Err(QueryError::BadLimit { max });
        }
        let offset = match &self.cursor {
            None => 0,
            Some(c) => c
                .trim()
                .parse::<usize>()
                .map_err(|_| QueryError::BadCursor)?,
        };
        Ok((offset, self.limit))
    }
}

/// The first `n` rows of `batches`.
pub fn take_rows(batches: Vec<RecordBatch>, n: usize) -> Vec<RecordBatch> {
    let mut left = n;
    let mut out = Vec::new();
    for b in batches {
        if left == 0 {
            break;
        }
        let take = b.num_rows().min(left);
        left -= take;
        out.push(b.slice(0, take));
    }
    out
}
