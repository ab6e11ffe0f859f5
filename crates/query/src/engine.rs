//! The port of the query engine (查询引擎): the operations the application runs on data, and
//! nothing of how. The application holds an `Arc<dyn QueryEngine>` it is given, so it builds
//! without the engine; the composition root (the binary, the tests) picks the implementation
//! (`gongshu_engine::Engine`, DataFusion).
//!
//! Every operation names its `reader` (whom admission control counts the query against) and
//! runs over [`Dataset`]s whose [`View`](crate::View) the application built from the reader's
//! policy: the engine never sees a table, only views.

use std::sync::Arc;

use async_trait::async_trait;
use object_store::ObjectStore;

use crate::aggregate::AggregateQuery;
use crate::batches::Batches;
use crate::error::QueryError;
use crate::limits::Limits;
use crate::rows::{OffsetPage, Page, PageRequest, RowsQuery};
use crate::stats::ColumnStats;
use crate::verify::{Digests, VerifyIndex};
use crate::view::Dataset;

#[async_trait]
pub trait QueryEngine: Send + Sync + 'static {
    /// What one query may take.
    fn limits(&self) -> &Limits;

    /// Tasks alive on the engine's runtimes: zero once every query has really stopped.
    fn running_tasks(&self) -> usize;

    /// Lets queries read the files of an object store (the lake's bucket) by their URLs
    /// (`s3://bucket/prefix/…`); `url` names the store (`s3://bucket`).
    fn register_store(&self, url: &str, store: Arc<dyn ObjectStore>) -> Result<(), QueryError>;

    /// The table names a SQL text reads, after checking it is one query (a SELECT) no longer
    /// than the limit. The caller resolves them to the datasets the reader may read and
    /// passes those to [`QueryEngine::sql`].
    fn tables_of(&self, sql: &str) -> Result<Vec<String>, QueryError>;

    /// One page of rows, in a total order, with a keyset cursor to the next.
    async fn page(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
        request: &PageRequest,
    ) -> Result<Page, QueryError>;

    /// One page of rows at an offset in a total order (the requested order, then every other
    /// column), the offset of the next page as its cursor: for clients that page by offset
    /// (CKAN's `datastore_search`). Deep offsets cost a sort of everything before them, so
    /// the caller bounds them.
    async fn offset_page(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
        page: &OffsetPage,
    ) -> Result<Page, QueryError>;

    /// How many rows match the query's filters and text.
    async fn count(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
    ) -> Result<u64, QueryError>;

    /// Every matching row, streamed in the requested order (unordered when none is given).
    async fn export(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
    ) -> Result<Batches, QueryError>;

    /// Groups and measures, ordered by the group columns, streamed.
    async fn aggregate(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &AggregateQuery,
    ) -> Result<Batches, QueryError>;

    /// One page of groups (offsets are stable: groups come in the order of their columns).
    async fn aggregate_page(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &AggregateQuery,
        page: &OffsetPage,
    ) -> Result<Page, QueryError>;

    /// Statistics of every column of the dataset's view, in one pass.
    async fn column_stats(
        &self,
        reader: &str,
        dataset: &Dataset,
    ) -> Result<Vec<ColumnStats>, QueryError>;

    /// Runs a query over `datasets` (the views of the tables [`QueryEngine::tables_of`]
    /// named), stopped at the SQL time limit: every row, streamed.
    async fn sql(
        &self,
        reader: &str,
        sql: &str,
        datasets: &[Dataset],
    ) -> Result<Batches, QueryError>;

    /// One page of a query's result (offset paging: stable when the query has an `ORDER BY`).
    async fn sql_page(
        &self,
        reader: &str,
        sql: &str,
        datasets: &[Dataset],
        page: &OffsetPage,
    ) -> Result<Page, QueryError>;

    /// The verification index of `value` keyed by `key` over the dataset's view (H21); both
    /// must be columns of the view.
    async fn verify_index(
        &self,
        reader: &str,
        dataset: &Dataset,
        key: &str,
        value: &str,
        digests: &Digests,
    ) -> Result<VerifyIndex, QueryError>;
}
