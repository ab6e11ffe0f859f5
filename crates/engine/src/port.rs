//! The engine behind the query model's port: each operation of [`QueryEngine`] is the
//! engine's own, so the application runs them without knowing DataFusion.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::object_store::ObjectStore;
use gongshu_query::{
    AggregateQuery, Batches, ColumnStats, Dataset, Digests, Limits, OffsetPage, Page, PageRequest,
    QueryEngine, QueryError, RowsQuery, VerifyIndex,
};

use crate::engine::Engine;

// `Engine::name(self, …)` below is the inherent method of that name (inherent methods come
// first), not this trait's: each forwards to the module that plans the operation.
#[async_trait]
impl QueryEngine for Engine {
    fn limits(&self) -> &Limits {
        Engine::limits(self)
    }

    fn running_tasks(&self) -> usize {
        Engine::running_tasks(self)
    }

    fn register_store(&self, url: &str, store: Arc<dyn ObjectStore>) -> Result<(), QueryError> {
        Engine::register_store(self, url, store)
    }

    fn tables_of(&self, sql: &str) -> Result<Vec<String>, QueryError> {
        Engine::tables_of(self, sql)
    }

    async fn page(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
        request: &PageRequest,
    ) -> Result<Page, QueryError> {
        Engine::page(self, reader, dataset, query, request).await
    }

    async fn offset_page(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
        page: &OffsetPage,
    ) -> Result<Page, QueryError> {
        Engine::offset_page(self, reader, dataset, query, page).await
    }

    async fn count(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
    ) -> Result<u64, QueryError> {
        Engine::count(self, reader, dataset, query).await
    }

    async fn export(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
    ) -> Result<Batches, QueryError> {
        Engine::export(self, reader, dataset, query).await
    }

    async fn aggregate(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &AggregateQuery,
    ) -> Result<Batches, QueryError> {
        Engine::aggregate(self, reader, dataset, query).await
    }

    async fn aggregate_page(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &AggregateQuery,
        page: &OffsetPage,
    ) -> Result<Page, QueryError> {
        Engine::aggregate_page(self, reader, dataset, query, page).await
    }

    async fn column_stats(
        &self,
        reader: &str,
        dataset: &Dataset,
    ) -> Result<Vec<ColumnStats>, QueryError> {
        Engine::column_stats(self, reader, dataset).await
    }

    async fn sql(
        &self,
        reader: &str,
        sql: &str,
        datasets: &[Dataset],
    ) -> Result<Batches, QueryError> {
        Engine::sql(self, reader, sql, datasets).await
    }

    async fn sql_page(
        &self,
        reader: &str,
        sql: &str,
        datasets: &[Dataset],
        page: &OffsetPage,
    ) -> Result<Page, QueryError> {
        Engine::sql_page(self, reader, sql, datasets, page).await
    }

    async fn verify_index(
        &self,
        reader: &str,
        dataset: &Dataset,
        key: &str,
        value: &str,
        digests: &Digests,
    ) -> Result<VerifyIndex, QueryError> {
        Engine::verify_index(self, reader, dataset, key, value, digests).await
    }
}
