//! `gongshu catalog export` and `gongshu catalog import`: the catalog's Excel round trip.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use crate::args::DataArgs;

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Writes a catalog as .xlsx in the import template (every published entry in scope).
    Export {
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// Organisation id, credit code or name: an agency's catalog, or an authority's area.
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Imports an .xlsx in the template into an organisation's catalog, all or nothing.
    Import {
        file: PathBuf,
        /// Organisation id, credit code or name.
        #[arg(long)]
        org: String,
        /// The account to act as (default: the organisation's first agency admin).
        #[arg(long = "as")]
        as_user: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn run(command: CatalogCommand) -> anyhow::Result<ExitCode> {
    use gongshu_app::catalog::excel;
    let fail = |e: gongshu_app::AppError| anyhow::anyhow!("{e}");
    match command {
        CatalogCommand::Export { out, org, data } => {
            let app = data.open().await?;
            let org_id = match org {
                Some(key) => Some(excel::find_org(&app, &key).await.map_err(fail)?),
                None => None,
            };
            let bytes = excel::export_xlsx(&app, excel::Reader::Operator, org_id.as_deref())
                .await
                .map_err(fail)?;
            std::fs::write(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("已导出 exported {} ({} bytes)", out.display(), bytes.len());
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Import {
            file,
            org,
            as_user,
            data,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let app = data.open().await?;
            let org_id = excel::find_org(&app, &org).await.map_err(fail)?;
            let username = match as_user {
                Some(u) => u,
                None => gongshu_app::accounts::first_admin_of(&app, &org_id)
                    .await
                    .map_err(fail)?
                    .context("the organisation has no agency admin; name an account with --as")?,
            };
            let principal = gongshu_app::identity::principal_for_cli(&app, &username)
                .await
                .map_err(fail)?;
            let meta = gongshu_app::RequestMeta::cli();
            let ctx = gongshu_app::Ctx {
                meta: &meta,
                principal: &principal,
            };
            match excel::import_xlsx(&app, ctx, &org_id, &bytes).await {
                Ok(report) => {
                    println!(
                        "导入成功 imported as {username}: {} created, {} updated, {} unchanged",
                        report.created.len(),
                        report.updated.len(),
                        report.unchanged.len()
                    );
                    for code in report.created.iter().chain(&report.updated) {
                        println!("  {code}");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(gongshu_app::AppError::InvalidFile(problems)) => {
                    println!(
                        "导入失败，未写入任何内容 import refused, nothing written: {} problem(s)",
                        problems.len()
                    );
                    for p in problems {
                        println!("  {} {}：{} / {}", p.location, p.header, p.zh, p.en);
                    }
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(fail(e)),
            }
        }
    }
}
