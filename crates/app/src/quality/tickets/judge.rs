//! The authority judges a provider's answer (H11, B17: the authority organises the provider's
//! rectification): it closes the ticket when the correction or explanation stands, or reopens
//! it — saying why — and the provider has another five working days to answer. Only an
//! authority reviewer of an authority over the provider may: its reviewing authority, the
//! county authority for its county, the city authority for the whole city.

use gongshu_domain::quality::ticket::{
    QualityTicket, TicketAction, TicketStep, optional_text, required_text,
};
use gongshu_domain::{Action, Target};
use serde::Deserialize;
use serde_json::json;

use super::{
    EntryNames, Scope, TicketView, commit_step, due_date, notify, oversees, reread, transition,
    view, visible_ticket,
};
use crate::catalog::scope::{org_map, reviewing_authority};
use crate::record::authorize;
use crate::{App, Ctx, Result, format_time};

/// The authority's note on its judgement.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgeInput {
    /// Why the answer stands (optional when closing) or what is still wrong (required when
    /// reopening).
    #[serde(default)]
    pub note: String,
}

/// Closes an answered ticket.
pub async fn close_ticket(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: JudgeInput,
) -> Result<TicketView> {
    let note = optional_text("note", "确认意见", &input.note)?;
    judge(app, ctx, id, TicketAction::Close, note).await
}

/// Reopens an answered ticket: the answer does not stand.
pub async fn reopen_ticket(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: JudgeInput,
) -> Result<TicketView> {
    let note = required_text("note", "退回理由", &input.note)?;
    judge(app, ctx, id, TicketAction::Reopen, note).await
}

async fn judge(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    action: TicketAction,
    note: String,
) -> Result<TicketView> {
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let scope = Scope::of(ctx, &orgs);
    let ticket = visible_ticket(&mut conn, &scope, id).await?;
    drop(conn);
    // The caller's own authority when it oversees the provider; otherwise the provider's, so
    // the decision refuses (and the refusal is audited) for anyone but its reviewers.
    let authority = if oversees(&orgs, &scope.own, &ticket.org_id) {
        scope.own.clone()
    } else {
        reviewing_authority(&orgs, &ticket.org_id)?.id.clone()
    };
    authorize(
        app,
        ctx,
        Action::ReviewEntries,
        Target::Organisation { id: &authority },
        "quality_ticket",
        id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let before = reread(&mut tx, id).await?;
    let state = transition(&before, action)?;
    let now = app.now_micros();
    let mut after: QualityTicket = before.clone();
    after.state = state;
    after.updated_at = now;
    if action == TicketAction::Reopen {
        after.due_date = due_date(app);
    }
    after.history.push(TicketStep {
        at: format_time(now),
        by: ctx.principal.username.clone(),
        action: action.into(),
        note: note.clone(),
        version: None,
    });
    let (event, message) = match action {
        TicketAction::Reopen => (
            "reopen_quality_ticket",
            format!(
                "数据质量问题工单“{}”的答复未获确认，已退回重办，请于{}前重新答复：{note}",
                after.summary, after.due_date
            ),
        ),
        _ => (
            "close_quality_ticket",
            format!("数据质量问题工单“{}”已办结", after.summary),
        ),
    };
    commit_step(
        app,
        &mut tx,
        ctx,
        before.state,
        &after,
        event,
        json!({ "from": before.state, "note": note, "due_date": after.due_date.to_string() }),
    )
    .await?;
    notify(app, &mut tx, &after.org_id, &after.id, message.clone()).await?;
    // The reporter learns how their report ended.
    if let Some(reporter_org) = after
        .reporter_org_id
        .as_deref()
        .filter(|o| action == TicketAction::Close && *o != after.org_id)
    {
        notify(app, &mut tx, reporter_org, &after.id, message).await?;
    }
    let today = crate::calendar::today(app);
    let shown = view(&mut tx, &orgs, &mut EntryNames::default(), today, after).await?;
    tx.commit().await?;
    Ok(shown)
}
