//! `gongshu calendar import`: loads one year's holiday notice from a JSON file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use crate::args::DataArgs;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Loads one year's holiday notice from a JSON file (format: crates/domain/data/holidays-cn.json, one year object).
    Import {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn run(command: CalendarCommand) -> anyhow::Result<ExitCode> {
    let CalendarCommand::Import { file, data } = command;
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let app = data.open().await?;
    let operator = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    let summary = gongshu_app::calendar::import_file_unattended(&app, &operator, &text)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "已导入{}年节假日安排 imported {}: {} holiday days, {} adjusted working days ({})",
        summary.year,
        summary.year,
        summary.holiday_days,
        summary.adjusted_working_days,
        summary.source
    );
    Ok(ExitCode::SUCCESS)
}
