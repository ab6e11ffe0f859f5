//! The providing agency answers a ticket (H11, H12, B17): with a correction — a new version of
//! the entry's data, in force after the ticket was opened, that fixes the finding — or with an
//! explanation of why the data is right or cannot change. Its reviewing authority is told, and
//! closes the ticket or reopens it.

use gongshu_domain::quality::ticket::{
    Candidate, TicketAction, TicketStep, check_correction, optional_text, required_text,
};
use gongshu_domain::versions::VersionState;
use gongshu_domain::{Action, Target, Violation};
use gongshu_store::versions;
use serde::Deserialize;
use serde_json::json;

use super::{
    EntryNames, Scope, TicketView, commit_step, notify, reread, transition, view, visible_ticket,
};
use crate::catalog::scope::{org_map, reviewing_authority};
use crate::record::authorize;
use crate::{App, Ctx, Result, format_time};

/// The provider's answer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// `correction` (name the correcting `version`) or `explanation` (give the `note`).
    pub answer: String,
    /// The version that fixes the finding: committed after the ticket was opened.
    #[serde(default)]
    pub version: Option<i64>,
    /// What was done, or why the data stands (required for an explanation).
    #[serde(default)]
    pub note: String,
}

/// Answers an open ticket addressed to the caller's agency (agency admin or staff). 422 for a
/// correction without a usable version or an explanation without a note; 409 when the ticket
/// is not open.
pub async fn answer_ticket(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: AnswerInput,
) -> Result<TicketView> {
    let action = match input.answer.trim() {
        "correction" => TicketAction::Correct,
        "explanation" => TicketAction::Explain,
        other => {
            return Err(Violation::new(
                "answer",
                "unknown_value",
                format!("答复方式“{other}”无效，可选：整改（correction）、说明（explanation）"),
                format!("answer `{other}` is not one of: correction, explanation"),
            )
            .into());
        }
    };
    let note = match action {
        TicketAction::Explain => required_text("note", "情况说明", &input.note)?,
        _ => optional_text("note", "整改说明", &input.note)?,
    };
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let scope = Scope::of(ctx, &orgs);
    let ticket = visible_ticket(&mut conn, &scope, id).await?;
    drop(conn);
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &ticket.org_id },
        "quality_ticket",
        id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let before = reread(&mut tx, id).await?;
    let state = transition(&before, action)?;
    let fixed = match (action, input.version) {
        (TicketAction::Correct, None) => {
            return Err(Violation::required("version", "整改后的数据版本").into());
        }
        (TicketAction::Correct, Some(v)) => {
            let row = versions::get_version(&mut tx, &before.entry_id, v)
                .await?
                .filter(|r| r.withdrawn_at.is_none() && r.state == VersionState::Committed)
                .ok_or_else(|| {
                    Violation::new(
                        "version",
                        "unknown_version",
                        format!("没有已生效的第{v}版数据（待确认或已撤回的版本不能作为整改版本）"),
                        format!("there is no committed version {v} in force (a held or withdrawn version cannot be the correction)"),
                    )
                })?;
            check_correction(
                &before,
                Candidate {
                    version: v,
                    in_force_at: row.in_force_at(),
                },
            )?;
            Some(v)
        }
        (_, Some(_)) => {
            return Err(Violation::new(
                "version",
                "not_allowed",
                "情况说明不附数据版本；如已上传新版本，请选择“整改”",
                "an explanation names no version; answer with a correction instead",
            )
            .into());
        }
        (_, None) => None,
    };
    let now = app.now_micros();
    let mut after = before.clone();
    after.state = state;
    after.fixed_version = fixed.or(before.fixed_version);
    after.updated_at = now;
    after.history.push(TicketStep {
        at: format_time(now),
        by: ctx.principal.username.clone(),
        action: action.into(),
        note: note.clone(),
        version: fixed,
    });
    let answer = if fixed.is_some() {
        "correction"
    } else {
        "explanation"
    };
    commit_step(
        app,
        &mut tx,
        ctx,
        before.state,
        &after,
        "answer_quality_ticket",
        json!({ "answer": answer, "version": fixed, "note": note }),
    )
    .await?;
    if let Ok(authority) = reviewing_authority(&orgs, &after.org_id) {
        notify(
            app,
            &mut tx,
            &authority.id,
            &after.id,
            format!(
                "数据质量问题工单“{}”已{}，请确认办结或退回重办",
                after.summary,
                if fixed.is_some() {
                    "整改"
                } else {
                    "作出说明"
                }
            ),
        )
        .await?;
    }
    let today = crate::calendar::today(app);
    let shown = view(&mut tx, &orgs, &mut EntryNames::default(), today, after).await?;
    tx.commit().await?;
    Ok(shown)
}
