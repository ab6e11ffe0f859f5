//! Writing audit events from commands, and the authorise step that records denials.

use gongshu_audit::{NewEvent, Outcome};
use gongshu_domain::{Action, Decision, Target, decide};
use gongshu_store::Conn;
use serde_json::Value;

use crate::{App, AppError, Ctx, RequestMeta, Result};

/// What a command changed, for its audit event.
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: &'a str,
    pub payload: Value,
}

/// Who acted, for events written before or without a principal (failed logins, the CLI).
#[derive(Clone, Copy)]
pub(crate) struct Who<'a> {
    pub id: Option<&'a str>,
    pub name: &'a str,
    pub org: Option<&'a str>,
}

/// Appends one event inside the caller's transaction.
pub(crate) async fn append(
    app: &App,
    conn: &mut Conn,
    meta: &RequestMeta,
    who: Who<'_>,
    outcome: Outcome,
    change: Change<'_>,
) -> Result<()> {
    gongshu_audit::append(
        conn,
        &NewEvent {
            occurred_at: app.now_micros(),
            actor_id: who.id,
            actor_name: who.name,
            org_id: who.org,
            action: change.action,
            outcome,
            target_kind: change.target_kind,
            target_id: change.target_id,
            request_id: &meta.request_id,
            client_addr: &meta.client_addr,
            payload: change.payload,
        },
    )
    .await?;
    Ok(())
}

/// Appends the success event of a command inside its transaction.
pub(crate) async fn record(
    app: &App,
    conn: &mut Conn,
    ctx: Ctx<'_>,
    change: Change<'_>,
) -> Result<()> {
    let p = ctx.principal;
    let who = Who {
        id: Some(&p.account_id),
        name: &p.username,
        org: p.org_id.as_deref(),
    };
    append(app, conn, ctx.meta, who, Outcome::Success, change).await
}

/// Appends an event in a transaction of its own: for outcomes that must be kept although the
/// command itself fails (denials, refused reads), and for reads, which change nothing else.
/// (A delivery opens its own, to count open data beside its event: `data::delivery`.)
pub(crate) async fn record_alone(
    app: &App,
    meta: &RequestMeta,
    who: Who<'_>,
    outcome: Outcome,
    change: Change<'_>,
) -> Result<()> {
    let mut tx = app.db.begin_write().await?;
    append(app, &mut tx, meta, who, outcome, change).await?;
    tx.commit().await?;
    Ok(())
}

/// Asks the domain's access decision; a denial is recorded in the audit log and returned.
pub(crate) async fn authorize(
    app: &App,
    ctx: Ctx<'_>,
    action: Action,
    target: Target<'_>,
    target_kind: &str,
    target_id: &str,
) -> Result<()> {
    match decide(&ctx.principal.actor, action, target) {
        Decision::Allow => Ok(()),
        Decision::Deny(reason) => {
            let p = ctx.principal;
            let who = Who {
                id: Some(&p.account_id),
                name: &p.username,
                org: p.org_id.as_deref(),
            };
            let change = Change {
                action: &action.name(),
                target_kind,
                target_id,
                payload: serde_json::json!({ "reason": reason }),
            };
            record_alone(app, ctx.meta, who, Outcome::Denied, change).await?;
            Err(AppError::Forbidden(reason))
        }
    }
}
