//! `gongshu audit verify`: recomputes the SM3 audit chain; exit code 2 names the first broken
//! sequence number.

use std::process::ExitCode;

use clap::Subcommand;

use crate::args::DataArgs;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recomputes the SM3 chain; exits non-zero naming the first broken sequence number.
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify { data } = command;
    let app = data.open().await?;
    let report = gongshu_app::audit_log::verify_unattended(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match report.first_broken {
        None => {
            println!(
                "审计日志完整 audit chain intact: {} events, head #{} {}",
                report.events_checked, report.head_seq, report.head_hash
            );
            Ok(ExitCode::SUCCESS)
        }
        Some((seq, breakage)) => {
            println!(
                "审计日志被篡改 audit chain BROKEN at sequence number {seq} ({breakage:?}); {} events before it verified",
                report.events_checked
            );
            Ok(ExitCode::from(2))
        }
    }
}
