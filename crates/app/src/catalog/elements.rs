//! The registry of basic data elements (一数一源, H13, H14, H10). Each element has exactly one
//! source organisation on the platform; naming a second one is refused.

use gongshu_audit::Outcome;
use gongshu_domain::catalog::seed_elements;
use gongshu_domain::{Action, Target};
use gongshu_store::catalog;
use gongshu_store::elements::{self, ElementRow};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::scope::org_map;
use crate::record::{Change, Who, append, authorize, record};
use crate::{App, AppError, Ctx, RequestMeta, Result};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ElementView {
    pub code: String,
    pub name: String,
    pub subject: String,
    pub source_kind: String,
    pub source_org_id: Option<String>,
    pub source_org_name: Option<String>,
    pub legal_basis: String,
    /// Published entries carrying the element, as (entry code, organisation name, item name).
    pub collected_by: Vec<Collector>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Collector {
    pub entry_code: String,
    pub org_name: String,
    pub item_name: String,
    /// Collected by someone other than the source department (H10).
    pub duplicate: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignSourceInput {
    pub org_id: String,
}

/// Registers the elements of H13 and H14 that are missing (at every start; idempotent).
pub(crate) async fn ensure_seeded(app: &App) -> Result<()> {
    let mut tx = app.db.begin_write().await?;
    let meta = RequestMeta {
        request_id: "startup".into(),
        client_addr: "local".into(),
    };
    let now = app.now_micros();
    for seed in seed_elements() {
        if elements::get_element(&mut tx, &seed.code).await?.is_some() {
            continue;
        }
        elements::insert_element(
            &mut tx,
            &ElementRow {
                code: seed.code.clone(),
                name: seed.name.clone(),
                subject: seed.subject.clone(),
                source_kind: seed.source_kind.clone(),
                source_org_id: None,
                legal_basis: format!("《呼和浩特市公共数据管理暂行办法》{}", seed.legal_basis),
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        let change = Change {
            action: "register_element",
            target_kind: "data_element",
            target_id: &seed.code,
            payload: json!({ "name": seed.name, "source_kind": seed.source_kind }),
        };
        append(
            app,
            &mut tx,
            &meta,
            Who {
                id: None,
                name: "system",
                org: None,
            },
            Outcome::Success,
            change,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The registry, with who collects each element; readable by all staff.
pub async fn list_elements(app: &App, ctx: Ctx<'_>) -> Result<Vec<ElementView>> {
    authorize(
        app,
        ctx,
        Action::ViewCatalog,
        Target::Platform,
        "data_element",
        "*",
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let mut out = Vec::new();
    for e in elements::list_elements(&mut conn).await? {
        let collected_by = catalog::list_published_collectors(&mut conn, &e.code)
            .await?
            .into_iter()
            .map(|(entry_code, org_id, item_name)| Collector {
                duplicate: e.source_org_id.as_ref().is_some_and(|s| *s != org_id),
                org_name: orgs
                    .get(&org_id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                entry_code,
                item_name,
            })
            .collect();
        out.push(ElementView {
            source_org_name: e
                .source_org_id
                .as_ref()
                .and_then(|s| orgs.get(s))
                .map(|o| o.name.clone()),
            code: e.code,
            name: e.name,
            subject: e.subject,
            source_kind: e.source_kind,
            source_org_id: e.source_org_id,
            legal_basis: e.legal_basis,
            collected_by,
        });
    }
    Ok(out)
}

/// The city authority names an element's source organisation; refused if another organisation
/// already holds it (一数一源).
pub async fn assign_source(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    input: AssignSourceInput,
) -> Result<()> {
    authorize(
        app,
        ctx,
        Action::ManageElements,
        Target::Platform,
        "data_element",
        code,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let element = elements::get_element(&mut tx, code)
        .await?
        .ok_or(AppError::not_found("data element", "基础数据项"))?;
    let orgs = org_map(&mut tx).await?;
    let org = orgs
        .get(&input.org_id)
        .ok_or(AppError::not_found("organisation", "机构"))?;
    if let Some(holder) = element
        .source_org_id
        .as_ref()
        .filter(|h| **h != input.org_id)
    {
        let holder_name = orgs.get(holder).map(|o| o.name.clone()).unwrap_or_default();
        return Err(AppError::conflict(
            "element_has_source",
            format!(
                "基础数据项“{}”的数源部门已是{holder_name}，一数一源，不能再指定其他部门",
                element.name
            ),
            format!("element {code} already has its source department ({holder_name})"),
        ));
    }
    if !elements::claim_element(&mut tx, code, &input.org_id, app.now_micros()).await?
        && element.source_org_id.is_none()
    {
        return Err(AppError::Busy);
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "assign_element_source",
            target_kind: "data_element",
            target_id: code,
            payload: json!({ "org_id": input.org_id, "org_name": org.name }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
