//! Ending a case after verification (H27): the source agency withdraws the data, restores the
//! opening, or re-opens it once a new version has replaced the data; its answer is what the
//! objector is told. A withdrawal takes the entry off the open list (the search index learns
//! it after the commit).

use gongshu_domain::objection::{CaseOutcome, ResolveError};
use gongshu_domain::versions::VersionState;
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::{catalog, objections, versions};
use serde::Deserialize;
use serde_json::json;

use super::{CaseView, view};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    /// `withdraw` (撤回数据), `restore` (恢复开放) or `reopen` (依法处理后开放; needs a data
    /// version committed after the case was filed).
    pub outcome: String,
    /// What was verified and done: the answer the objector is told.
    pub answer: String,
}

pub async fn resolve_case(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: ResolveInput,
) -> Result<CaseView> {
    let mut v = Violations::default();
    let answer = v.text("answer", "核实处理意见", &input.answer, 2000);
    let outcome = CaseOutcome::parse(input.outcome.trim());
    if outcome.is_none() {
        v.push(Violation::new(
            "outcome",
            "bad_outcome",
            "处理结果应为撤回数据（withdraw）、恢复开放（restore）或依法处理后开放（reopen）",
            "outcome must be withdraw, restore or reopen",
        ));
    }
    v.into_result()?;
    let outcome = outcome.expect("checked above");

    let not_found = || AppError::not_found("objection case", "异议处理事项");
    let mut conn = app.db.acquire().await?;
    let case = objections::get_case(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let entry = catalog::get_entry_by_id(&mut conn, &case.entry_id)
        .await?
        .ok_or_else(not_found)?;
    let newest = versions::get_current_version(&mut conn, &entry.id)
        .await?
        .filter(|v| v.state == VersionState::Committed)
        .map(|v| (v.version, v.in_force_at()));
    let published = catalog::get_published_revision(&mut conn, &entry).await?;
    let provider = crate::catalog::scope::org_map(&mut conn)
        .await?
        .remove(&entry.org_id)
        .map(|o| o.name)
        .unwrap_or_default();
    drop(conn);
    authorize(
        app,
        ctx,
        Action::HandleOpeningCases,
        Target::Organisation { id: &entry.org_id },
        "opening_case",
        id,
    )
    .await?;
    let resolution = case
        .resolve(
            outcome,
            answer,
            ctx.principal.username.clone(),
            app.now_micros(),
            newest,
        )
        .map_err(|e| match e {
            ResolveError::AlreadyResolved(o) => already(o),
            ResolveError::NoNewVersion => AppError::conflict(
                "no_new_version",
                "依法处理后开放须先上传处理后的新数据版本（在异议提出之后提交）",
                "re-opening after processing needs a data version committed after the case was filed",
            ),
        })?;

    let mut tx = app.db.begin_write().await?;
    if !objections::resolve_case(&mut tx, id, &resolution).await? {
        // Another member of the agency ended it a moment ago.
        let now = objections::get_case(&mut tx, id)
            .await?
            .ok_or_else(not_found)?;
        let ended = now.resolution.map_or(outcome, |r| r.outcome);
        return Err(already(ended));
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "resolve_opening_case",
            target_kind: "opening_case",
            target_id: id,
            payload: json!({
                "entry": entry.code,
                "outcome": resolution.outcome.code(),
                "version": resolution.version,
            }),
        },
    )
    .await?;
    tx.commit().await?;

    if outcome == CaseOutcome::Withdraw {
        crate::catalog::search::reindex_published(app, &entry.code).await;
    }
    let name = published.map(|p| p.name).unwrap_or_default();
    let mut case = case;
    case.resolution = Some(resolution);
    Ok(view(app, case, &entry, &name, &provider, true))
}

fn already(outcome: CaseOutcome) -> AppError {
    AppError::conflict(
        "case_resolved",
        format!("该异议处理事项已办结（{}）", outcome.zh()),
        format!("this case has already ended ({})", outcome.code()),
    )
}
