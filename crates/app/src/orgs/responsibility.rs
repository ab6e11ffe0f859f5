//! The persons responsible for an organisation's data security: its head (主要负责人), the
//! first person responsible (第一责任人, 第三十三条), and its security lead (安全管理责任人,
//! 第三十四条), an account of the organisation who signs its confidentiality reviews.

use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::{accounts, orgs};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::OrgView;
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponsibilityInput {
    /// The head of the organisation (主要负责人).
    pub head_name: String,
    /// The account id of the security lead: an active account of the organisation.
    pub security_lead_id: String,
}

/// Names both persons; the organisation's own admin or the system admin.
pub async fn name_responsible_persons(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: ResponsibilityInput,
) -> Result<OrgView> {
    let mut v = Violations::default();
    let head_name = v.text("head_name", "主要负责人姓名", &input.head_name, 50);
    let lead_id = v.text(
        "security_lead_id",
        "安全管理责任人",
        &input.security_lead_id,
        64,
    );
    v.into_result()?;
    authorize(
        app,
        ctx,
        Action::NameResponsiblePersons,
        Target::Organisation { id },
        "organisation",
        id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let mut row = orgs::get_org(&mut tx, id)
        .await?
        .ok_or(AppError::not_found("organisation", "机构"))?;
    let lead = accounts::get_account(&mut tx, &lead_id).await?;
    if !lead
        .as_ref()
        .is_some_and(|a| a.org_id.as_deref() == Some(id) && a.status == "active")
    {
        return Err(Violations(vec![Violation::new(
            "security_lead_id",
            "not_a_member",
            "安全管理责任人须为本单位的在用账号",
            "the security lead must be an active account of the organisation",
        )])
        .into());
    }
    let before = json!({ "head_name": row.head_name, "security_lead_id": row.security_lead_id });
    row.head_name = head_name;
    row.security_lead_id = Some(lead_id);
    row.updated_at = app.now_micros();
    orgs::update_org(&mut tx, &row).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "name_responsible_persons",
            target_kind: "organisation",
            target_id: id,
            payload: json!({ "before": before, "after": { "head_name": row.head_name, "security_lead_id": row.security_lead_id } }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(OrgView::from_row(row, 0))
}

/// One account that may be named security lead.
#[derive(Debug, Clone, Serialize)]
pub struct LeadCandidate {
    pub id: String,
    /// Display name and user name (`张伟（gaj-admin）`).
    pub label: String,
}

/// What the form naming the responsible persons shows: the organisation and its active
/// accounts. A city's organisation has tens of accounts, so the list is read whole (at most
/// [`MAX_CANDIDATES`]).
#[derive(Debug, Clone, Serialize)]
pub struct ResponsibilityForm {
    pub org: OrgView,
    pub candidates: Vec<LeadCandidate>,
}

const MAX_CANDIDATES: i64 = 500;

pub async fn responsibility_form(app: &App, ctx: Ctx<'_>, id: &str) -> Result<ResponsibilityForm> {
    authorize(
        app,
        ctx,
        Action::NameResponsiblePersons,
        Target::Organisation { id },
        "organisation",
        id,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let row = orgs::get_org(&mut conn, id)
        .await?
        .ok_or(AppError::not_found("organisation", "机构"))?;
    let filter = accounts::AccountFilter {
        org_id: Some(id.to_owned()),
        query: None,
    };
    let (members, _) = accounts::list_accounts(&mut conn, &filter, MAX_CANDIDATES, 0).await?;
    let candidates = members
        .into_iter()
        .filter(|a| a.status == "active")
        .map(|a| LeadCandidate {
            label: format!("{}（{}）", a.display_name, a.username),
            id: a.id,
        })
        .collect();
    Ok(ResponsibilityForm {
        org: OrgView::from_row(row, 0),
        candidates,
    })
}
