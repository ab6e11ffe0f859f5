//! Grants (授权): created by approvals, checked on every read, revoked by their source, and
//! suspended or reinstated by the authority (H41). A grant's status at an instant is computed
//! from its state and period, so expiry needs no job: the read after `valid_until` is refused.

use gongshu_domain::Paging;
use gongshu_domain::grant::{Grant, PolicySalt, RowFilter};
use gongshu_domain::sharing::GrantState;
use gongshu_domain::sharing::ShareRequest;
use gongshu_domain::{Action, Target, Violations};
use gongshu_store::Conn;
use gongshu_store::catalog;
use gongshu_store::sharing;
use serde::Deserialize;
use serde_json::json;

use super::{GrantView, grant_not_found, grant_view};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

/// Writes the grant of an approved request inside the caller's transaction.
pub(crate) async fn create_grant(
    conn: &mut Conn,
    request: &ShareRequest,
    items: &[String],
    row_filter: &RowFilter,
    valid_from: i64,
    valid_until: i64,
) -> Result<Grant> {
    let grant = Grant {
        id: uuid::Uuid::now_v7().to_string(),
        request_id: request.id.clone(),
        entry_id: request.entry_id.clone(),
        source_org_id: request.source_org_id.clone(),
        grantee_org_id: request.requester_org_id.clone(),
        items: items.to_vec(),
        modes: request.modes.clone(),
        row_filter: row_filter.clone(),
        purpose: request.purpose.clone(),
        valid_from,
        valid_until,
        state: GrantState::Active,
        salt: PolicySalt::from_bytes(rand::random()),
        state_reason: String::new(),
        created_at: valid_from,
        updated_at: valid_from,
    };
    sharing::insert_grant(conn, &grant).await?;
    Ok(grant)
}

/// Grants the caller's organisation holds or gave, newest first.
pub async fn list_grants(
    app: &App,
    ctx: Ctx<'_>,
    page: i64,
    per_page: i64,
) -> Result<Vec<GrantView>> {
    let paging = Paging::parse(page, per_page, 200)?;
    let Some(org) = ctx.principal.org_id.as_deref() else {
        return Ok(Vec::new());
    };
    let mut conn = app.db.acquire().await?;
    let rows = sharing::list_grants(&mut conn, org, paging.per_page(), paging.offset()).await?;
    let now = app.now_micros();
    let mut out = Vec::with_capacity(rows.len());
    for g in rows {
        let code = catalog::get_entry_by_id(&mut conn, &g.entry_id)
            .await?
            .map(|e| e.code)
            .unwrap_or_default();
        out.push(grant_view(g, &code, now));
    }
    Ok(out)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantChange {
    /// Why; shown to the grantee and kept in the audit log.
    pub reason: String,
}

/// Revocation by the source department: final.
pub async fn revoke_grant(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: GrantChange,
) -> Result<GrantView> {
    change_state(app, ctx, id, input, GrantMove::Revoke).await
}

/// Suspension by the authority (H41): the grant stops at once, until reinstated.
pub async fn suspend_grant(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: GrantChange,
) -> Result<GrantView> {
    change_state(app, ctx, id, input, GrantMove::Suspend).await
}

pub async fn reinstate_grant(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: GrantChange,
) -> Result<GrantView> {
    change_state(app, ctx, id, input, GrantMove::Reinstate).await
}

/// The three changes of a grant's state after it is created.
#[derive(Clone, Copy)]
enum GrantMove {
    Revoke,
    Suspend,
    Reinstate,
}

impl GrantMove {
    fn states(self) -> (&'static [GrantState], GrantState, &'static str) {
        match self {
            Self::Revoke => (
                &[GrantState::Active, GrantState::Suspended],
                GrantState::Revoked,
                "revoke_grant",
            ),
            Self::Suspend => (
                &[GrantState::Active],
                GrantState::Suspended,
                "suspend_grant",
            ),
            Self::Reinstate => (
                &[GrantState::Suspended],
                GrantState::Active,
                "reinstate_grant",
            ),
        }
    }
}

async fn change_state(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: GrantChange,
    change: GrantMove,
) -> Result<GrantView> {
    let mut v = Violations::default();
    let reason = v.text("reason", "原因", &input.reason, 2000);
    v.into_result()?;
    let mut conn = app.db.acquire().await?;
    let grant = sharing::get_grant(&mut conn, id)
        .await?
        .ok_or_else(grant_not_found)?;
    drop(conn);
    let (action, target) = match change {
        GrantMove::Revoke => (
            Action::RevokeGrant,
            Target::Organisation {
                id: &grant.source_org_id,
            },
        ),
        GrantMove::Suspend | GrantMove::Reinstate => (Action::SuspendAccess, Target::Platform),
    };
    authorize(app, ctx, action, target, "grant", id).await?;
    let (from, to, audit) = change.states();
    if !from.contains(&grant.state) {
        return Err(AppError::conflict(
            "illegal_transition",
            format!(
                "授权当前状态为“{}”，不能执行此操作",
                grant.status(app.now_micros()).zh()
            ),
            format!(
                "the grant is {}; this change does not apply",
                grant.state.code()
            ),
        ));
    }
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    if !sharing::update_grant_state(&mut tx, id, grant.state, to, &reason, now).await? {
        return Err(AppError::conflict(
            "already_decided",
            "该授权已由他人处理，请刷新后查看",
            "someone else has already changed this grant",
        ));
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: audit,
            target_kind: "grant",
            target_id: id,
            payload: json!({ "from": grant.state.code(), "to": to.code(), "reason": reason }),
        },
    )
    .await?;
    tx.commit().await?;
    let mut conn = app.db.acquire().await?;
    let grant = sharing::get_grant(&mut conn, id)
        .await?
        .ok_or_else(grant_not_found)?;
    let code = catalog::get_entry_by_id(&mut conn, &grant.entry_id)
        .await?
        .map(|e| e.code)
        .unwrap_or_default();
    Ok(grant_view(grant, &code, now))
}
