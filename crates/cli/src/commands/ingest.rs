//! `gongshu ingest`: uploads a file as the next data version of a published entry with a
//! progress bar, and prints the ingest report. Exit code 2 when the file was refused and
//! nothing kept, 3 when the version was stored but held for confirmation.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::args::{DataArgs, UploadLimits};

#[derive(Args)]
pub struct IngestArgs {
    file: PathBuf,
    /// The entry code.
    #[arg(long)]
    entry: String,
    /// Keep the good rows of a file with bad ones.
    #[arg(long)]
    drop_bad_rows: bool,
    /// Make the version current even if it is empty or has fewer than half the current
    /// version's rows (otherwise it is held until confirmed).
    #[arg(long)]
    confirm_drop: bool,
    /// The account to act as (default: the entry organisation's first agency admin).
    #[arg(long = "as")]
    as_user: Option<String>,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    limits: UploadLimits,
}

pub async fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let IngestArgs {
        file,
        entry,
        drop_bad_rows,
        confirm_drop,
        as_user,
        data,
        limits,
    } = args;
    ingest(
        file,
        entry,
        IngestFlags {
            drop_bad_rows,
            confirm_drop,
        },
        as_user,
        data.with_limits(limits),
    )
    .await
}

/// What `gongshu ingest` asks of the upload.
struct IngestFlags {
    drop_bad_rows: bool,
    confirm_drop: bool,
}

async fn ingest(
    file: PathBuf,
    entry: String,
    flags: IngestFlags,
    as_user: Option<String>,
    data: DataArgs,
) -> anyhow::Result<ExitCode> {
    use gongshu_app::versions::{self, UploadOptions, UploadSource};
    let fail = |e: gongshu_app::AppError| anyhow::anyhow!("{e}");
    let reader =
        std::fs::File::open(&file).with_context(|| format!("cannot read {}", file.display()))?;
    // A pipe or a device has no length to check against the size limit or show an ETA for.
    let len = reader
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .context("the file has no name")?;
    let app = data.open().await?;
    let username = match as_user {
        Some(u) => u,
        None => {
            let org_id = versions::entry_org(&app, &entry).await.map_err(fail)?;
            gongshu_app::accounts::first_admin_of(&app, &org_id)
                .await
                .map_err(fail)?
                .context("the organisation has no agency admin; name an account with --as")?
        }
    };
    let principal = gongshu_app::identity::principal_for_cli(&app, &username)
        .await
        .map_err(fail)?;
    let meta = gongshu_app::RequestMeta::cli();
    let ctx = gongshu_app::Ctx {
        meta: &meta,
        principal: &principal,
    };
    // A bar over the source's bytes when its length is known, a spinner otherwise; rows and
    // throughput in the message. indicatif draws nothing when stderr is not a terminal.
    let bar = match len {
        Some(total) => indicatif::ProgressBar::new(total).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} 剩余 ETA {eta} · {msg}",
            )
            .expect("a valid template"),
        ),
        None => indicatif::ProgressBar::new_spinner().with_style(
            indicatif::ProgressStyle::with_template("{spinner} {bytes} {bytes_per_sec} · {msg}")
                .expect("a valid template"),
        ),
    };
    let shown = bar.clone();
    let progress = move |p: versions::Progress| {
        shown.set_position(p.bytes);
        shown.set_message(format!("{} 行 rows", p.rows));
    };
    let source = UploadSource {
        name,
        reader: Box::new(std::io::BufReader::new(reader)),
        len,
    };
    let options = UploadOptions {
        drop_bad_rows: flags.drop_bad_rows,
        progress: Some(Box::new(progress)),
        confirm_drop: flags.confirm_drop,
    };
    let uploaded = versions::upload_version(&app, ctx, &entry, source, options).await;
    bar.finish_and_clear();
    match uploaded {
        Ok(v) => {
            let held = v.state == "held";
            println!(
                "{} {} v{} as {username}: {} rows ({} bad rows dropped), {} {}",
                if held {
                    "已保存但待确认 held"
                } else {
                    "已提交 committed"
                },
                v.entry_code,
                v.version,
                v.rows,
                v.bad_rows,
                v.source_format,
                v.source_encoding.as_deref().unwrap_or("")
            );
            for w in &v.warnings {
                println!("  提示 note: {} / {}", w.zh, w.en);
            }
            println!("  source {} bytes, SM3 {}", v.source_bytes, v.source_sm3);
            println!(
                "  data   {} ({} bytes), SM3 {}",
                v.data_file, v.data_bytes, v.data_sm3
            );
            if let (Some(file), Some(bytes), Some(sm3)) =
                (&v.rejects_file, v.rejects_bytes, &v.rejects_sm3)
            {
                println!("  剔除行 rejects {file} ({bytes} bytes), SM3 {sm3}");
            }
            if let Some(q) = &v.quality {
                println!(
                    "  质量 quality {:.1}: 完整性 completeness {:.1}, 有效性 validity {:.1}, \
                     唯一性 uniqueness {:.1}, 及时性 timeliness {:.1}",
                    q.overall, q.completeness, q.validity, q.uniqueness, q.timeliness
                );
            }
            if let Some(hold) = v.hold.as_ref().filter(|_| held) {
                println!("  {}", hold.zh);
                println!("  {}", hold.en);
                println!(
                    "  确认 to confirm: POST /api/v1/entries/{}/versions/{}/confirm (or the button on the data page, /catalog/entries/{}/data); \
                     to make such a version current at once, ingest again with --confirm-drop",
                    v.entry_code, v.version, v.entry_code
                );
                return Ok(ExitCode::from(3));
            }
            if v.hold.is_some() {
                println!(
                    "  行数为零或骤减，已按 --confirm-drop 确认生效 / the empty or sharply smaller version was made current as --confirm-drop asked"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(gongshu_app::AppError::RejectedData {
            bad_rows,
            bad_cells,
            problems,
        }) => {
            println!(
                "未提交，未保存任何内容 refused, nothing kept: {bad_cells} bad cell(s) in {bad_rows} row(s); use --drop-bad-rows to keep the rest"
            );
            for p in problems {
                println!("  {}：{} / {}", p.location, p.zh, p.en);
            }
            Ok(ExitCode::from(2))
        }
        Err(gongshu_app::AppError::ExpandedTooLarge { limit_zh, limit_en }) => {
            println!(
                "未提交，未保存任何内容 refused, nothing kept: 文件解压后超过{limit_zh} / the file expands past {limit_en}"
            );
            Ok(ExitCode::from(2))
        }
        Err(gongshu_app::AppError::UnusableFile { zh, en, .. }) => {
            println!("未提交，未保存任何内容 refused, nothing kept: {zh} / {en}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(fail(e)),
    }
}
