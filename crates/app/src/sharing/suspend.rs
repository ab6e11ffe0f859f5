//! Suspensions by the city authority (H41): a data user — one account or a whole organisation
//! — who misuses data loses access at once, until reinstated. Every read of shared data asks for
//! open suspensions (`data::read`), so the next request after the suspension is refused.

use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::sharing::{self, SuspensionRow};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result, format_time};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendInput {
    /// `account` or `organisation`.
    pub subject_kind: String,
    /// The account id or organisation id.
    pub subject_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuspensionView {
    pub id: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub reason: String,
    pub suspended_by: String,
    pub suspended_at: String,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<String>,
    pub lift_reason: Option<String>,
    pub open: bool,
}

fn view(s: SuspensionRow) -> SuspensionView {
    SuspensionView {
        open: s.lifted_at.is_none(),
        id: s.id,
        subject_kind: s.subject_kind,
        subject_id: s.subject_id,
        reason: s.reason,
        suspended_by: s.suspended_by,
        suspended_at: format_time(s.suspended_at),
        lifted_by: s.lifted_by,
        lifted_at: s.lifted_at.map(format_time),
        lift_reason: s.lift_reason,
    }
}

pub async fn suspend(app: &App, ctx: Ctx<'_>, input: SuspendInput) -> Result<SuspensionView> {
    authorize(
        app,
        ctx,
        Action::SuspendAccess,
        Target::Platform,
        &input.subject_kind,
        &input.subject_id,
    )
    .await?;
    let mut v = Violations::default();
    let reason = v.text("reason", "暂停原因", &input.reason, 2000);
    let subject_id = v.text("subject_id", "暂停对象", &input.subject_id, 100);
    if !matches!(input.subject_kind.as_str(), "account" | "organisation") {
        v.push(Violation::new(
            "subject_kind",
            "invalid_subject_kind",
            "暂停对象类型应为账号（account）或单位（organisation）",
            "subject_kind must be account or organisation",
        ));
    }
    v.into_result()?;
    let mut tx = app.db.begin_write().await?;
    let exists = match input.subject_kind.as_str() {
        "account" => gongshu_store::accounts::get_account(&mut tx, &subject_id)
            .await?
            .is_some(),
        _ => gongshu_store::orgs::get_org(&mut tx, &subject_id)
            .await?
            .is_some(),
    };
    if !exists {
        return Err(AppError::not_found("account or organisation", "账号或单位"));
    }
    let row = SuspensionRow {
        id: uuid::Uuid::now_v7().to_string(),
        subject_kind: input.subject_kind.clone(),
        subject_id,
        reason,
        suspended_by: ctx.principal.username.clone(),
        suspended_at: app.now_micros(),
        lifted_by: None,
        lifted_at: None,
        lift_reason: None,
    };
    sharing::insert_suspension(&mut tx, &row).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "suspend_access",
            target_kind: &row.subject_kind,
            target_id: &row.subject_id,
            payload: json!({ "suspension": row.id, "reason": row.reason }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view(row))
}

pub async fn lift_suspension(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    reason: &str,
) -> Result<SuspensionView> {
    authorize(
        app,
        ctx,
        Action::SuspendAccess,
        Target::Platform,
        "suspension",
        id,
    )
    .await?;
    let mut v = Violations::default();
    let reason = v.text("reason", "恢复原因", reason, 2000);
    v.into_result()?;
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    if !sharing::lift_suspension(&mut tx, id, &ctx.principal.username, now, &reason).await? {
        return Err(AppError::not_found("open suspension", "生效中的暂停"));
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "lift_suspension",
            target_kind: "suspension",
            target_id: id,
            payload: json!({ "reason": reason }),
        },
    )
    .await?;
    tx.commit().await?;
    let mut conn = app.db.acquire().await?;
    sharing::list_suspensions(&mut conn)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .map(view)
        .ok_or_else(|| AppError::Internal("lifted suspension vanished".into()))
}

pub async fn list_suspensions(app: &App, ctx: Ctx<'_>) -> Result<Vec<SuspensionView>> {
    authorize(
        app,
        ctx,
        Action::SuspendAccess,
        Target::Platform,
        "suspension",
        "*",
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    Ok(sharing::list_suspensions(&mut conn)
        .await?
        .into_iter()
        .map(view)
        .collect())
}
