//! What the console's closures page shows (H41): the closures on the viewer's account or
//! organisation with the correction each demands, and, for those who close for their
//! organisation, the form — grantees and scopes drawn from the grants of the data they
//! govern — and the closures their organisation made, to reopen once corrected.

use std::collections::{BTreeMap, BTreeSet};

use gongshu_domain::{Action, Decision, Target, Violation, Violations, decide};
use gongshu_store::{accounts, catalog, sharing};
use serde::Serialize;

use super::{CloseInput, ClosureSide, ClosureView, above, close_access, list_closures};
use crate::catalog::scope::org_map;
use crate::sharing::pages::Choice;
use crate::{App, AppError, Ctx, Result};

/// The closures page of one viewer.
#[derive(Debug, Clone, Serialize)]
pub struct ClosuresPage {
    /// Closures on the viewer's account or organisation, open first (at most 50).
    pub mine: Vec<ClosureView>,
    /// The viewer closes and reopens access for their organisation.
    pub may_close: bool,
    /// Closures the viewer's organisation made, a page at a time.
    pub given: Vec<ClosureView>,
    /// Organisations holding grants of the data the viewer governs.
    pub grantees: Vec<Choice>,
    /// `provider:<org id>` (all of a provider's data) or `entry:<code>` (one entry).
    pub scopes: Vec<Choice>,
    pub page: i64,
    pub has_more: bool,
}

pub async fn closures_page(
    app: &App,
    ctx: Ctx<'_>,
    page: i64,
    per_page: i64,
) -> Result<ClosuresPage> {
    let mine = list_closures(app, ctx, ClosureSide::Subject, false, 1, 50).await?;
    let own = ctx.principal.org_id.clone().unwrap_or_default();
    let actor = &ctx.principal.actor;
    let may_close = decide(
        actor,
        Action::CloseAccess,
        Target::Organisation { id: &own },
    )
    .is_allowed();
    if !may_close {
        return Ok(ClosuresPage {
            mine,
            may_close,
            given: Vec::new(),
            grantees: Vec::new(),
            scopes: Vec::new(),
            page: 1,
            has_more: false,
        });
    }
    let page = page.max(1);
    let mut given = list_closures(app, ctx, ClosureSide::Closer, false, page, per_page + 1).await?;
    let has_more = given.len() as i64 > per_page;
    given.truncate(per_page as usize);

    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let mut grantees = BTreeSet::new();
    let mut providers = BTreeMap::new();
    let mut entries = BTreeMap::new();
    for provider in orgs.values() {
        let above = above(&orgs, &provider.id);
        let data = Target::ProviderData {
            provider: &provider.id,
            above: &above,
        };
        if !decide(actor, Action::CloseAccess, data).is_allowed() {
            continue;
        }
        for g in sharing::list_given_grants(&mut conn, &provider.id).await? {
            grantees.insert(g.grantee_org_id.clone());
            providers.insert(provider.id.clone(), provider.name.clone());
            if entries.contains_key(&g.entry_id) {
                continue;
            }
            if let Some(entry) = catalog::get_entry_by_id(&mut conn, &g.entry_id).await? {
                let name = catalog::get_published_revision(&mut conn, &entry)
                    .await?
                    .map(|r| r.name)
                    .unwrap_or_default();
                let label = format!("{name}（{}，{}）", entry.code, provider.name);
                entries.insert(g.entry_id.clone(), (entry.code, label));
            }
        }
    }
    let grantees = grantees
        .into_iter()
        .map(|id| Choice {
            label: orgs.get(&id).map_or_else(|| id.clone(), |o| o.name.clone()),
            value: id,
        })
        .collect();
    let scopes = providers
        .into_iter()
        .map(|(id, name)| Choice {
            value: format!("provider:{id}"),
            label: format!("{name}的全部数据"),
        })
        .chain(entries.into_values().map(|(code, label)| Choice {
            value: format!("entry:{code}"),
            label,
        }))
        .collect();
    Ok(ClosuresPage {
        mine,
        may_close,
        given,
        grantees,
        scopes,
        page,
        has_more,
    })
}

/// The closure form: an organisation chosen from the grantees, or an account by user name,
/// and a scope from the page's list.
#[derive(Debug, Clone, Default)]
pub struct CloseNamed {
    /// `account` or `organisation`.
    pub subject_kind: String,
    pub org_id: String,
    pub username: String,
    /// `provider:<org id>` or `entry:<code>`.
    pub scope: String,
    pub reason: String,
    pub correction: String,
}

/// Closes the access the form names (H41).
pub async fn close_named(app: &App, ctx: Ctx<'_>, form: CloseNamed) -> Result<ClosureView> {
    // Only those who close for an organisation learn whether a user name exists;
    // `close_access` decides again, on the data named, and records the decision.
    let own = ctx.principal.org_id.clone().unwrap_or_default();
    if let Decision::Deny(reason) = decide(
        &ctx.principal.actor,
        Action::CloseAccess,
        Target::Organisation { id: &own },
    ) {
        return Err(AppError::Forbidden(reason));
    }
    let mut v = Violations::default();
    let subject_id = if form.subject_kind == "account" {
        let username = form.username.trim();
        let mut conn = app.db.acquire().await?;
        match accounts::get_account_by_username(&mut conn, username).await? {
            Some(a) => a.id,
            None => {
                v.push(if username.is_empty() {
                    Violation::required("username", "用户名")
                } else {
                    Violation::new(
                        "username",
                        "unknown_account",
                        format!("没有用户名为“{username}”的账号"),
                        format!("no account is named {username}"),
                    )
                });
                String::new()
            }
        }
    } else {
        form.org_id
    };
    let (scope, entry_code, provider_org_id) = match form.scope.split_once(':') {
        Some(("entry", code)) => ("entry", Some(code.to_owned()), None),
        Some(("provider", org)) => ("provider", None, Some(org.to_owned())),
        _ => {
            v.push(Violation::required("scope", "关闭范围"));
            ("", None, None)
        }
    };
    v.into_result()?;
    close_access(
        app,
        ctx,
        CloseInput {
            subject_kind: form.subject_kind,
            subject_id,
            scope: scope.to_owned(),
            entry_code,
            provider_org_id,
            reason: form.reason,
            correction: form.correction,
        },
    )
    .await
}
