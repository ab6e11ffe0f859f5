//! Grants (授权): created by approvals, checked on every read, revoked by their source, and
//! suspended or reinstated by the authority (H41). A grant's status at an instant is computed
//! from its state and period, so expiry needs no job: the read after `valid_until` is refused.

use gongshu_domain::Paging;
use gongshu_domain::catalog::{ShareMode, Vocabulary};
use gongshu_domain::sharing::{GrantState, GrantStatus};
use gongshu_domain::{Action, Target, Violations};
use gongshu_store::Conn;
use gongshu_store::catalog;
use gongshu_store::sharing::{self, GrantRow, RequestRow};
use serde::Deserialize;
use serde_json::json;

use super::{GrantView, grant_not_found, grant_status, grant_view, json_list, row_filter_of};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

/// Writes the grant of an approved request inside the caller's transaction.
pub(crate) async fn create_grant(
    conn: &mut Conn,
    request: &RequestRow,
    items: &[String],
    row_filter: &[(String, String)],
    valid_from: i64,
    valid_until: i64,
) -> Result<GrantRow> {
    let salt = rand::random::<[u8; 16]>();
    let grant = GrantRow {
        id: uuid::Uuid::now_v7().to_string(),
        request_id: request.id.clone(),
        entry_id: request.entry_id.clone(),
        source_org_id: request.source_org_id.clone(),
        grantee_org_id: request.requester_org_id.clone(),
        items: json!(items).to_string(),
        modes: request.modes.clone(),
        row_filter: json!(row_filter).to_string(),
        purpose: request.purpose.clone(),
        valid_from,
        valid_until,
        state: GrantState::Active.code().to_owned(),
        salt: hex::encode(salt),
        state_reason: String::new(),
        created_at: valid_from,
        updated_at: valid_from,
    };
    sharing::insert_grant(conn, &grant).await?;
    Ok(grant)
}

/// A grant that allows a read now.
#[derive(Debug, Clone)]
pub(crate) struct LiveGrant {
    pub id: String,
    pub items: Vec<String>,
    pub row_filter: Vec<(String, String)>,
    pub purpose: String,
    pub salt: String,
}

/// The live grant of `org` on an entry for `mode`, if any; the newest one wins.
pub(crate) async fn live_grant(
    conn: &mut Conn,
    org: &str,
    entry_id: &str,
    mode: ShareMode,
    now: i64,
) -> Result<Option<LiveGrant>> {
    for g in sharing::grants_for(conn, org, entry_id).await? {
        if grant_status(&g, now) != GrantStatus::Active {
            continue;
        }
        if !json_list(&g.modes)?.iter().any(|m| m == mode.code()) {
            continue;
        }
        return Ok(Some(LiveGrant {
            items: json_list(&g.items)?,
            row_filter: row_filter_of(&g.row_filter)?,
            id: g.id,
            purpose: g.purpose,
            salt: g.salt,
        }));
    }
    Ok(None)
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
        out.push(grant_view(g, &code, now)?);
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
    let current = GrantState::parse(&grant.state).unwrap_or(GrantState::Revoked);
    if !from.contains(&current) {
        return Err(AppError::conflict(
            "illegal_transition",
            format!(
                "授权当前状态为“{}”，不能执行此操作",
                grant_status(&grant, app.now_micros()).zh()
            ),
            format!("the grant is {}; this change does not apply", grant.state),
        ));
    }
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    if !sharing::update_grant_state(&mut tx, id, &grant.state, to.code(), &reason, now).await? {
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
            payload: json!({ "from": grant.state, "to": to.code(), "reason": reason }),
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
    grant_view(grant, &code, now)
}
