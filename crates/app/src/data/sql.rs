//! `POST /api/v1/sql`: one SELECT over every entry the caller may read, each table being the
//! caller's view of the entry's current version. Tables the caller may not read are reported
//! as unknown, exactly like tables that do not exist.

use gongshu_domain::catalog::ShareMode;
use gongshu_query::{Batches, QueryError};
use serde_json::json;

use super::delivery::Delivery;
use super::read::{Reader, readable, record_read};
use crate::{App, AppError, Ctx, Result};

/// A query's result and the meter of its delivery.
#[derive(Debug)]
pub struct SqlResult {
    pub batches: Batches,
    pub delivery: Delivery,
}

pub async fn run_sql(app: &App, ctx: Ctx<'_>, sql: &str) -> Result<SqlResult> {
    let reader = Reader::Signed(ctx);
    let tables = app.engine.tables_of(sql)?;
    let mut datasets = Vec::with_capacity(tables.len());
    let mut read = Vec::with_capacity(tables.len());
    let mut policies = Vec::with_capacity(tables.len());
    for table in &tables {
        match readable(app, reader, table, None, ShareMode::ApiQuery).await {
            Ok(r) => {
                let table = format!("{}/v{}", r.entry.code, r.version.version);
                policies.push(r.policy.audit(json!({ "table": table })));
                read.push(table);
                datasets.push(r.dataset);
            }
            Err(
                AppError::NotFound { .. }
                | AppError::Conflict { .. }
                | AppError::Denied {
                    code: "no_grant", ..
                },
            ) => {
                return Err(QueryError::UnknownTable {
                    table: table.clone(),
                }
                .into());
            }
            Err(e) => return Err(e),
        }
    }
    let batches = app.engine.sql(&reader.query_key(), sql, &datasets).await?;
    let target = if read.is_empty() {
        "sql".to_owned()
    } else {
        read.join(",")
    };
    record_read(
        app,
        reader,
        "query_sql",
        &target,
        json!({ "sql": sql, "tables": policies }),
    )
    .await?;
    let delivery = Delivery::new(
        app,
        reader,
        &target,
        json!({ "tables": policies }),
        batches.rows_delivered(),
    );
    Ok(SqlResult { batches, delivery })
}
