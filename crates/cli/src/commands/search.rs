//! `gongshu search rebuild`: rebuilds the catalog search index from the database.

use std::process::ExitCode;

use clap::Subcommand;

use crate::args::DataArgs;

#[derive(Subcommand)]
pub enum SearchCommand {
    /// Rebuilds the search index of the data directory from the database.
    Rebuild {
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn run(command: SearchCommand) -> anyhow::Result<ExitCode> {
    let SearchCommand::Rebuild { data } = command;
    let app = data.open_with_index().await?;
    let n = gongshu_app::catalog::search::rebuild(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("搜索索引已重建 search index rebuilt: {n} published entries");
    Ok(ExitCode::SUCCESS)
}
