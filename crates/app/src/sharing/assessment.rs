//! The yearly assessment of conditionally shared entries (有条件共享定期评估, H19). Each such
//! entry falls due a year after its conditional sharing began or was last assessed, shows on
//! its agency's responsibility list 30 days ahead, and is settled by the agency recording an
//! outcome: keep the conditions (with the reason) or convert to unconditional sharing — which
//! writes the new revision and submits it for the authority's review in the same transaction,
//! since a catalog change only takes effect once reviewed (H8).

use chrono::NaiveDate;
use gongshu_domain::catalog::{ShareType, Vocabulary};
use gongshu_domain::share_assessment::{
    AssessmentOutcome, PublishedShareType, assessment_due, assessment_shown, check_assessment,
    conditional_since,
};
use gongshu_domain::{Action, Target};
use gongshu_store::Conn;
use gongshu_store::assessments::{self, AssessmentRow};
use gongshu_store::catalog::{self, EntryRow};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Oversight;
use super::usage::day_of;
use crate::catalog::draft::apply_edit;
use crate::catalog::records::to_input;
use crate::catalog::review::submit_revision;
use crate::catalog::scope::org_map;
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result, format_time};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// `keep` (维持有条件共享) or `convert` (转为无条件共享).
    pub outcome: String,
    /// Why the conditions still hold, or why the entry can now be shared unconditionally.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessmentView {
    pub id: String,
    pub entry_code: String,
    /// The published revision assessed.
    pub revision: i64,
    pub outcome: String,
    pub outcome_zh: &'static str,
    pub reason: String,
    /// For `convert`: the revision now awaiting the authority's review.
    pub draft_revision: Option<i64>,
    pub assessed_by: String,
    pub assessed_on: String,
    pub assessed_at: String,
}

/// A conditionally shared entry whose assessment is coming up or overdue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessmentDue {
    pub entry_code: String,
    pub entry_name: String,
    pub org_id: String,
    pub org_name: String,
    /// The day its conditional sharing began.
    pub conditional_since: String,
    pub last_assessed_on: Option<String>,
    pub due_date: String,
    pub overdue: bool,
}

fn view(code: &str, a: AssessmentRow) -> AssessmentView {
    let outcome_zh = AssessmentOutcome::parse(&a.outcome).map_or("", |o| o.zh());
    AssessmentView {
        id: a.id,
        entry_code: code.to_owned(),
        revision: a.revision,
        outcome: a.outcome,
        outcome_zh,
        reason: a.reason,
        draft_revision: a.draft_revision,
        assessed_by: a.assessed_by,
        assessed_on: a.assessed_on,
        assessed_at: format_time(a.assessed_at),
    }
}

/// When `entry`'s next assessment is due, with the start of its conditional run and its last
/// assessment; `None` when it is not conditionally shared now.
pub(crate) async fn due_of(
    conn: &mut Conn,
    entry: &EntryRow,
) -> Result<Option<(NaiveDate, Option<NaiveDate>, NaiveDate)>> {
    let mut published: Vec<_> = catalog::list_revisions(conn, &entry.id)
        .await?
        .into_iter()
        .filter_map(|r| {
            r.published_at.map(|at| {
                (
                    r.revision,
                    PublishedShareType {
                        published_on: day_of(at),
                        conditional: r.share_type == ShareType::Conditional,
                    },
                )
            })
        })
        .collect();
    published.sort_by_key(|(revision, _)| std::cmp::Reverse(*revision));
    let history: Vec<PublishedShareType> = published.into_iter().map(|(_, p)| p).collect();
    let Some(since) = conditional_since(&history) else {
        return Ok(None);
    };
    let last = assessments::list_for_entry(conn, &entry.id)
        .await?
        .first()
        .and_then(|a| NaiveDate::parse_from_str(&a.assessed_on, "%Y-%m-%d").ok());
    Ok(Some((since, last, assessment_due(since, last))))
}

/// Records an assessment of a published, conditionally shared entry of the caller's agency.
pub async fn assess_share_type(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    input: AssessmentInput,
) -> Result<AssessmentView> {
    let outcome = check_assessment(&input.outcome, &input.reason)?;
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let entry = catalog::get_entry_by_code(&mut *app.db.acquire().await?, code)
        .await?
        .ok_or_else(not_found)?;
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &entry.org_id },
        "catalog_entry",
        code,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let entry = catalog::get_entry_by_code(&mut tx, code)
        .await?
        .ok_or_else(not_found)?;
    let published = catalog::get_published_revision(&mut tx, &entry)
        .await?
        .filter(|p| p.share_type == ShareType::Conditional)
        .ok_or_else(|| {
            AppError::conflict(
                "not_conditional",
                "只有已发布的有条件共享条目需要定期评估",
                "only published, conditionally shared entries are assessed",
            )
        })?;
    let draft_revision = match outcome {
        AssessmentOutcome::Keep => None,
        AssessmentOutcome::Convert => {
            if entry.latest_revision != published.revision {
                return Err(AppError::conflict(
                    "revision_in_progress",
                    "该条目已有未发布的修订，请先提交或处理该修订，再记录转换",
                    "the entry already has an unpublished revision; settle it before converting",
                ));
            }
            let items = catalog::list_items(&mut tx, &entry.id, published.revision).await?;
            let mut change = to_input(&published, &items);
            change.share_type = ShareType::Unconditional.code().into();
            change.share_conditions = String::new();
            change.change_note =
                format!("年度共享属性评估：转为无条件共享。{}", input.reason.trim());
            let (scheme_version, scheme) = crate::catalog::scheme::latest(&mut tx).await?;
            let parsed = change.parse(&scheme)?;
            let revision =
                apply_edit(app, &mut tx, ctx, &entry, scheme_version, &parsed, &change).await?;
            let draft = catalog::get_revision(&mut tx, &entry.id, revision)
                .await?
                .ok_or_else(|| AppError::Internal("new revision missing".into()))?;
            let entry = catalog::get_entry_by_code(&mut tx, code)
                .await?
                .ok_or_else(not_found)?;
            Some(submit_revision(app, &mut tx, ctx, &entry, &draft).await?)
        }
    };
    let row = AssessmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        entry_id: entry.id.clone(),
        revision: published.revision,
        outcome: outcome.code().into(),
        reason: input.reason.trim().to_owned(),
        draft_revision,
        assessed_by: ctx.principal.username.clone(),
        assessed_on: crate::calendar::today(app).to_string(),
        assessed_at: app.now_micros(),
    };
    assessments::insert_assessment(&mut tx, &row).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "assess_share_type",
            target_kind: "catalog_entry",
            target_id: code,
            payload: json!({ "outcome": row.outcome, "reason": row.reason, "revision": row.revision, "draft_revision": draft_revision }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view(code, row))
}

/// An entry's assessments, newest first: for staff who can see the catalog.
pub async fn entry_assessments(app: &App, ctx: Ctx<'_>, code: &str) -> Result<Vec<AssessmentView>> {
    authorize(
        app,
        ctx,
        Action::ViewCatalog,
        Target::Platform,
        "catalog_entry",
        code,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(|| AppError::not_found("catalog entry", "目录条目"))?;
    Ok(assessments::list_for_entry(&mut conn, &entry.id)
        .await?
        .into_iter()
        .map(|a| view(code, a))
        .collect())
}

/// Every assessment coming up (within 30 days) or overdue, soonest first: an agency sees its
/// own entries, an authority those under it, the regulator the whole city.
pub async fn assessments_due(app: &App, ctx: Ctx<'_>) -> Result<Vec<AssessmentDue>> {
    authorize(
        app,
        ctx,
        Action::ViewCatalog,
        Target::Platform,
        "sharing_list",
        "assessments",
    )
    .await?;
    let oversight = Oversight::of(ctx);
    let own = ctx.principal.org_id.as_deref();
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let mut out = due_list(app, &mut conn).await?;
    out.retain(|d| own == Some(d.org_id.as_str()) || oversight.covers(&orgs, &d.org_id));
    Ok(out)
}

/// The whole city's assessments that are due or coming up, soonest first.
pub(crate) async fn due_list(app: &App, conn: &mut Conn) -> Result<Vec<AssessmentDue>> {
    let today = crate::calendar::today(app);
    let orgs = org_map(conn).await?;
    let mut out = Vec::new();
    for entry in catalog::list_entries(conn).await? {
        let Some((since, last, due)) = due_of(conn, &entry).await? else {
            continue;
        };
        if !assessment_shown(due, today) {
            continue;
        }
        let name = catalog::get_published_revision(conn, &entry)
            .await?
            .map(|r| r.name)
            .unwrap_or_default();
        out.push(AssessmentDue {
            org_name: orgs
                .get(&entry.org_id)
                .map_or_else(String::new, |o| o.name.clone()),
            entry_code: entry.code,
            entry_name: name,
            org_id: entry.org_id,
            conditional_since: since.to_string(),
            last_assessed_on: last.map(|d| d.to_string()),
            due_date: due.to_string(),
            overdue: due < today,
        });
    }
    out.sort_by(|a, b| a.due_date.cmp(&b.due_date));
    Ok(out)
}
