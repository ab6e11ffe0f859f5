//! `POST /api/v1/sql`: one SELECT over every entry the caller may read, each table being the
//! caller's view of the entry's current version. Tables the caller may not read are reported
//! as unknown, exactly like tables that do not exist.

use gongshu_domain::catalog::ShareMode;
use gongshu_query::{Batches, QueryError};
use serde_json::json;

use super::read::{Reader, readable, record_read};
use crate::{App, AppError, Ctx, Result};

pub async fn run_sql(app: &App, ctx: Ctx<'_>, sql: &str) -> Result<Batches> {
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
    let batches = app.engine.sql(sql, &datasets).await?;
    record_read(
        app,
        reader,
        "query_sql",
        &if read.is_empty() {
            "sql".to_owned()
        } else {
            read.join(",")
        },
        json!({ "sql": sql, "tables": policies }),
    )
    .await?;
    Ok(batches)
}
