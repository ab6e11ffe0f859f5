//! `gongshu migrate`: applies the database migrations and exits.

use std::process::ExitCode;

use crate::args::DataArgs;

pub async fn run(data: DataArgs) -> anyhow::Result<ExitCode> {
    data.open().await?;
    println!("数据库迁移已完成 migrations applied");
    Ok(ExitCode::SUCCESS)
}
