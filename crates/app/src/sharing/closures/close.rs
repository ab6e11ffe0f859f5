//! Closing a data user's access (暂时关闭, H41): validate the subject, scope, reason and the
//! correction demanded; authorise against the provider's data (its own admin, or a reviewer
//! of an authority above it); check the subject holds grants of that data; then record the
//! closure and its audit event in one transaction. The next read of the subject is refused.

use gongshu_domain::closure::{Closure, ClosureScope, ClosureSubject};
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::{accounts, catalog, closures, sharing};
use serde::Deserialize;
use serde_json::json;

use super::{ClosureView, Names, above, view};
use crate::catalog::scope::org_map;
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// `account` or `organisation`.
    pub subject_kind: String,
    /// The account id or organisation id.
    pub subject_id: String,
    /// `entry`: one entry (`entry_code`); `provider`: every entry of `provider_org_id`.
    pub scope: String,
    #[serde(default)]
    pub entry_code: Option<String>,
    /// For `provider`: whose data; the caller's organisation when left out.
    #[serde(default)]
    pub provider_org_id: Option<String>,
    /// The misuse found; shown to the user and kept in the audit log.
    pub reason: String,
    /// What the user must correct before access reopens (督促改正).
    pub correction: String,
}

pub async fn close_access(app: &App, ctx: Ctx<'_>, input: CloseInput) -> Result<ClosureView> {
    let mut v = Violations::default();
    let reason = v.text("reason", "关闭原因", &input.reason, 2000);
    let correction = v.text("correction", "改正要求", &input.correction, 2000);
    let subject_id = v.text("subject_id", "关闭对象", &input.subject_id, 100);
    let subject = ClosureSubject::parse(&input.subject_kind, subject_id.clone());
    if subject.is_none() {
        v.push(Violation::new(
            "subject_kind",
            "invalid_subject_kind",
            "关闭对象类型应为账号（account）或单位（organisation）",
            "subject_kind must be account or organisation",
        ));
    }
    let entry_code = input.entry_code.as_deref().map(str::trim).unwrap_or("");
    match input.scope.as_str() {
        "entry" if entry_code.is_empty() => v.push(Violation::required("entry_code", "数据资源")),
        "entry" | "provider" => {}
        _ => v.push(Violation::new(
            "scope",
            "invalid_scope",
            "关闭范围应为单个数据资源（entry）或本单位全部数据（provider）",
            "scope must be entry or provider",
        )),
    }
    v.into_result()?;
    let subject = subject.expect("checked above");

    let mut conn = app.db.acquire().await?;
    let (scope, provider) = if input.scope == "entry" {
        let entry = catalog::get_entry_by_code(&mut conn, entry_code)
            .await?
            .filter(|e| e.published_revision.is_some())
            .ok_or_else(|| AppError::not_found("catalog entry", "目录条目"))?;
        (ClosureScope::Entry(entry.id), entry.org_id)
    } else {
        let own = ctx.principal.org_id.clone().unwrap_or_default();
        let provider = input.provider_org_id.clone().unwrap_or(own);
        (ClosureScope::Provider, provider)
    };
    let orgs = org_map(&mut conn).await?;
    let Some(provider_org) = orgs.get(&provider) else {
        return Err(AppError::not_found("organisation", "单位"));
    };
    let above = above(&orgs, &provider);
    drop(conn);
    authorize(
        app,
        ctx,
        Action::CloseAccess,
        Target::ProviderData {
            provider: &provider,
            above: &above,
        },
        subject.kind(),
        subject.id(),
    )
    .await?;

    let mut tx = app.db.begin_write().await?;
    // Whose grants: the organisation itself, or the account's organisation.
    let grantee = match &subject {
        ClosureSubject::Organisation(id) => orgs.get(id).map(|o| o.id.clone()),
        ClosureSubject::Account(id) => {
            accounts::get_account(&mut tx, id)
                .await?
                .ok_or_else(|| AppError::not_found("account", "账号"))?
                .org_id
        }
    };
    let holds = match grantee.as_deref() {
        Some(org) => sharing::holds_grants_of(&mut tx, org, &provider, scope.entry_id()).await?,
        None => false,
    };
    if !holds {
        let what = match scope {
            ClosureScope::Entry(_) => "该数据资源",
            ClosureScope::Provider => "该单位数据",
        };
        return Err(Violation::new(
            "subject_id",
            "not_a_grantee",
            format!("关闭对象未持有{what}的共享授权，无需关闭"),
            "the subject holds no grant of this data, so there is no access to close",
        )
        .into());
    }
    if closures::open_closure_on(&mut tx, &subject, &provider, &scope)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "already_closed",
            "该对象获取这些数据的权限已被关闭，尚未恢复",
            "this access is already closed and not reopened yet",
        ));
    }
    let closing_org_id = ctx.principal.org_id.clone().unwrap_or_default();
    let closure = Closure {
        id: uuid::Uuid::now_v7().to_string(),
        subject,
        provider_org_id: provider_org.id.clone(),
        scope,
        reason,
        correction,
        closed_by: ctx.principal.username.clone(),
        closing_org_name: orgs
            .get(&closing_org_id)
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        closing_org_id,
        closed_at: app.now_micros(),
        reopening: None,
    };
    closures::insert_closure(&mut tx, &closure).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "close_access",
            target_kind: closure.subject.kind(),
            target_id: closure.subject.id(),
            payload: json!({
                "closure": closure.id,
                "provider": closure.provider_org_id,
                "scope": closure.scope.kind(),
                "entry": closure.scope.entry_id(),
                "reason": closure.reason,
                "correction": closure.correction,
            }),
        },
    )
    .await?;
    let mut names = Names::load(&mut tx).await?;
    let shown = view(&mut tx, &mut names, closure).await?;
    tx.commit().await?;
    Ok(shown)
}
