//! Read-only SQL over the datasets a reader may read. The text must be one SELECT (a query
//! statement: WITH, UNION and subqueries are fine); anything that defines, changes or
//! configures is refused before planning, and the plan is checked again. Only the readers'
//! views are registered, URL tables are off (DataFusion's default) and no file-reading table
//! function exists in this build, so a query cannot reach a file by name.

use datafusion::common::config::Dialect;
use datafusion::dataframe::DataFrame;
use datafusion::execution::context::SQLOptions;
use datafusion::sql::parser::Statement;
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;

use gongshu_query::{Batches, Dataset, OffsetPage, Page, QueryError};

use crate::engine::Engine;
use crate::executor::Lane;
use crate::view::view_frame;

impl Engine {
    /// The table names a SQL text reads, after checking it is one query. The caller resolves
    /// them to the datasets the reader may read and passes those to [`Engine::sql`].
    pub(crate) fn tables_of(&self, sql: &str) -> Result<Vec<String>, QueryError> {
        let max = self.limits().max_sql_bytes;
        if sql.len() > max {
            return Err(QueryError::SqlTooLong { max });
        }
        let state = self.session().state();
        let statement = state
            .sql_to_statement(sql, &Dialect::Generic)
            .map_err(|e| self.engine_error(e))?;
        match &statement {
            Statement::Statement(s) if matches!(**s, SqlStatement::Query(_)) => {}
            other => {
                let kind = other
                    .to_string()
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_uppercase();
                return Err(QueryError::NotAQuery(kind));
            }
        }
        let references = state
            .resolve_table_references(&statement)
            .map_err(|e| self.engine_error(e))?;
        let mut tables = Vec::new();
        for r in references {
            if r.schema().is_some() {
                return Err(QueryError::UnknownTable {
                    table: r.to_string(),
                });
            }
            let name = r.table().to_owned();
            if !tables.contains(&name) {
                tables.push(name);
            }
        }
        Ok(tables)
    }

    /// Runs a query over `datasets` (the views of the tables [`Engine::tables_of`] named) for
    /// `reader`, on the SQL lane, stopped at the SQL time limit: every row, streamed.
    pub(crate) async fn sql(
        &self,
        reader: &str,
        sql: &str,
        datasets: &[Dataset],
    ) -> Result<Batches, QueryError> {
        self.run_sql(reader, sql, datasets, None).await
    }

    /// One page of a query's result (offset paging: stable when the query has an `ORDER BY`).
    pub(crate) async fn sql_page(
        &self,
        reader: &str,
        sql: &str,
        datasets: &[Dataset],
        page: &OffsetPage,
    ) -> Result<Page, QueryError> {
        let (offset, limit) = page.bounds(self.limits().max_page_rows)?;
        let batches = self
            .run_sql(reader, sql, datasets, Some((offset, limit + 1)))
            .await?;
        Page::at_offset(batches, offset, limit).await
    }

    async fn run_sql(
        &self,
        reader: &str,
        sql: &str,
        datasets: &[Dataset],
        window: Option<(usize, usize)>,
    ) -> Result<Batches, QueryError> {
        let names = self.tables_of(sql)?;
        let mut views = Vec::with_capacity(names.len());
        for name in names {
            let dataset = datasets.iter().find(|d| d.name == name).ok_or_else(|| {
                QueryError::UnknownTable {
                    table: name.clone(),
                }
            })?;
            views.push((name, dataset.clone()));
        }
        let sql = sql.to_owned();
        self.run_frame(Lane::Sql, reader, window, move |engine| async move {
            engine.sql_frame(&sql, &views).await
        })
        .await
    }

    async fn sql_frame(
        &self,
        sql: &str,
        views: &[(String, Dataset)],
    ) -> Result<DataFrame, QueryError> {
        let memory = self.limits().memory_bytes;
        let ctx = self.session();
        for (name, dataset) in views {
            let frame = view_frame(&ctx, dataset, memory).await?;
            ctx.register_table(name.as_str(), frame.into_view())
                .map_err(|e| self.engine_error(e))?;
        }
        let options = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        ctx.sql_with_options(sql, options)
            .await
            .map_err(|e| self.engine_error(e))
    }
}
