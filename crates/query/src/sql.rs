//! Read-only SQL over the datasets a reader may read. The text must be one SELECT (a query
//! statement: WITH, UNION and subqueries are fine); anything that defines, changes or
//! configures is refused before planning, and the plan is checked again. Only the readers'
//! views are registered, URL tables are off (DataFusion's default) and no file-reading table
//! function exists in this build, so a query cannot reach a file by name.

use datafusion::common::config::Dialect;
use datafusion::execution::context::SQLOptions;
use datafusion::sql::parser::Statement;
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;
use tokio::time::Instant;

use crate::engine::{Batches, Engine};
use crate::error::QueryError;
use crate::view::{Dataset, view_frame};

impl Engine {
    /// The table names a SQL text reads, after checking it is one query. The caller resolves
    /// them to the datasets the reader may read and passes those to [`Engine::sql`].
    pub fn tables_of(&self, sql: &str) -> Result<Vec<String>, QueryError> {
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

    /// Runs a query over `datasets` (the views of the tables [`Engine::tables_of`] named),
    /// stopped after the SQL time limit.
    pub async fn sql(&self, sql: &str, datasets: &[Dataset]) -> Result<Batches, QueryError> {
        let names = self.tables_of(sql)?;
        let limits = self.limits();
        let seconds = limits.sql_timeout.as_secs().max(1);
        let deadline = Instant::now() + limits.sql_timeout;
        let ctx = self.session();
        for name in &names {
            let dataset = datasets.iter().find(|d| &d.name == name).ok_or_else(|| {
                QueryError::UnknownTable {
                    table: name.clone(),
                }
            })?;
            let frame = view_frame(&ctx, dataset, limits.memory_bytes).await?;
            ctx.register_table(name.as_str(), frame.into_view())
                .map_err(|e| self.engine_error(e))?;
        }
        let options = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        let planned = async {
            let frame = ctx
                .sql_with_options(sql, options)
                .await
                .map_err(|e| self.engine_error(e))?;
            frame
                .execute_stream()
                .await
                .map_err(|e| self.engine_error(e))
        };
        let stream = tokio::time::timeout_at(deadline, planned)
            .await
            .map_err(|_| QueryError::Timeout { seconds })??;
        Ok(Batches::new(
            stream,
            limits.memory_bytes,
            Some((deadline, seconds)),
        ))
    }
}
