//! Creating, changing and deleting organisations.

use gongshu_domain::org::check_placement;
use gongshu_domain::{Action, OrgKind, OrgLevel, OrgPlacement, Target, Violation};
use gongshu_store::{Conn, orgs, orgs::OrgRow};
use serde_json::json;

use super::input::{CheckedOrg, LiaisonInput};
use super::{OrgInput, OrgView};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

fn placement(row: &OrgRow) -> Option<OrgPlacement> {
    Some(OrgPlacement {
        kind: row.kind.parse::<OrgKind>().ok()?,
        level: row.level.parse::<OrgLevel>().ok()?,
    })
}

fn duplicate(e: gongshu_store::StoreError) -> AppError {
    match e {
        gongshu_store::StoreError::Duplicate(what) if what.contains("credit_code") => {
            Violation::new(
                "credit_code",
                "duplicate_credit_code",
                "该统一社会信用代码已被其他机构使用",
                "another organisation already has this credit code",
            )
            .into()
        }
        gongshu_store::StoreError::Duplicate(what) if what.contains("name") => Violation::new(
            "name",
            "duplicate_name",
            "已存在同名机构",
            "an organisation with this name already exists",
        )
        .into(),
        other => other.into(),
    }
}

/// Checks the parent exists and the tree rule holds. `moving` is an existing organisation
/// being updated: it may not end up under itself, and only the current root may stay a root.
async fn check_parent(conn: &mut Conn, org: &CheckedOrg, moving: Option<&OrgRow>) -> Result<()> {
    let root_exists = orgs::count_orgs(conn).await? > 0;
    let parent = match &org.parent_id {
        None => None,
        Some(pid) => {
            let Some(row) = orgs::get_org(conn, pid).await? else {
                return Err(Violation::new(
                    "parent_id",
                    "unknown_parent",
                    "上级机构不存在",
                    "the parent organisation does not exist",
                )
                .into());
            };
            if let Some(moving) = moving {
                let mut cursor = Some(row.clone());
                while let Some(c) = cursor {
                    if c.id == moving.id {
                        return Err(Violation::new(
                            "parent_id",
                            "cycle",
                            "不能把机构移到它自己或其下级之下",
                            "an organisation cannot sit under itself or its own descendants",
                        )
                        .into());
                    }
                    cursor = match c.parent_id {
                        Some(p) => orgs::get_org(conn, &p).await?,
                        None => None,
                    };
                }
            }
            placement(&row)
        }
    };
    let this = OrgPlacement {
        kind: org.kind,
        level: org.level,
    };
    // The root itself may be updated in place; nobody else may become a second root.
    let root_exists = root_exists && moving.is_none_or(|m| m.parent_id.is_some());
    check_placement(this, parent, root_exists)?;
    Ok(())
}

/// A change of kind or level must keep the organisation's children where the tree allows them
/// and its members' roles fitting (e.g. an agency with agency admins cannot become a regulator).
async fn check_dependents(conn: &mut Conn, id: &str, org: &CheckedOrg) -> Result<()> {
    let this = OrgPlacement {
        kind: org.kind,
        level: org.level,
    };
    for child in orgs::list_orgs(conn)
        .await?
        .iter()
        .filter(|o| o.parent_id.as_deref() == Some(id))
    {
        if let Some(placement) = placement(child)
            && check_placement(placement, Some(this), true).is_err()
        {
            return Err(Violation::new(
                "kind",
                "strands_children",
                format!(
                    "修改后下级机构“{}”将不符合机构层级规则，请先调整下级机构",
                    child.name
                ),
                format!(
                    "the change would leave the sub-organisation {} misplaced",
                    child.name
                ),
            )
            .into());
        }
    }
    let members = gongshu_store::accounts::list_accounts(
        conn,
        &gongshu_store::accounts::AccountFilter {
            org_id: Some(id.to_owned()),
            query: None,
        },
        i64::MAX,
        0,
    )
    .await?
    .0;
    for account in members {
        let roles = gongshu_store::accounts::list_roles(conn, &account.id).await?;
        let set = gongshu_domain::RoleSet::new(roles.iter().filter_map(|r| r.parse().ok()));
        if set.check(Some(org.kind)).is_err() {
            return Err(Violation::new(
                "kind",
                "roles_no_longer_fit",
                format!(
                    "账号“{}”的角色与修改后的机构类型不符，请先由安全管理员调整其角色",
                    account.username
                ),
                format!(
                    "the roles of account {} would not fit the new kind",
                    account.username
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// The stored organisation for checked input; the persons responsible for data security are
/// named by their own command and carried over from `before`.
fn to_row(id: String, org: CheckedOrg, before: Option<&OrgRow>, now: i64) -> OrgRow {
    OrgRow {
        id,
        parent_id: org.parent_id,
        kind: org.kind.as_str().into(),
        level: org.level.as_str().into(),
        name: org.name,
        credit_code: org.credit_code.to_string(),
        liaison_name: org.liaison.name,
        liaison_phone: org.liaison.phone,
        liaison_email: org.liaison.email,
        head_name: before.map(|b| b.head_name.clone()).unwrap_or_default(),
        security_lead_id: before.and_then(|b| b.security_lead_id.clone()),
        created_at: before.map_or(now, |b| b.created_at),
        updated_at: now,
    }
}

pub async fn create_org(app: &App, ctx: Ctx<'_>, input: OrgInput) -> Result<OrgView> {
    let org = input.check()?;
    authorize(
        app,
        ctx,
        Action::CreateOrganisation,
        Target::Platform,
        "organisation",
        &org.name,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    check_parent(&mut tx, &org, None).await?;
    let now = app.now_micros();
    let row = to_row(uuid::Uuid::now_v7().to_string(), org, None, now);
    orgs::insert_org(&mut tx, &row).await.map_err(duplicate)?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "create_organisation",
            target_kind: "organisation",
            target_id: &row.id,
            payload: json!({ "name": row.name, "kind": row.kind, "level": row.level, "credit_code": row.credit_code, "parent_id": row.parent_id }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(OrgView::from_row(row, 0))
}

pub async fn update_org(app: &App, ctx: Ctx<'_>, id: &str, input: OrgInput) -> Result<OrgView> {
    let org = input.check()?;
    authorize(
        app,
        ctx,
        Action::UpdateOrganisation,
        Target::Organisation { id },
        "organisation",
        id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let before = orgs::get_org(&mut tx, id)
        .await?
        .ok_or(AppError::not_found("organisation", "机构"))?;
    check_parent(&mut tx, &org, Some(&before)).await?;
    check_dependents(&mut tx, id, &org).await?;
    let row = to_row(id.to_owned(), org, Some(&before), app.now_micros());
    orgs::update_org(&mut tx, &row).await.map_err(duplicate)?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "update_organisation",
            target_kind: "organisation",
            target_id: id,
            payload: json!({
                "before": { "name": before.name, "kind": before.kind, "level": before.level, "credit_code": before.credit_code, "parent_id": before.parent_id, "liaison_name": before.liaison_name, "liaison_phone": before.liaison_phone },
                "after": { "name": row.name, "kind": row.kind, "level": row.level, "credit_code": row.credit_code, "parent_id": row.parent_id, "liaison_name": row.liaison_name, "liaison_phone": row.liaison_phone },
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(OrgView::from_row(row, 0))
}

/// The agency admin keeps its own liaison up to date; the system admin may too.
pub async fn update_liaison(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: LiaisonInput,
) -> Result<OrgView> {
    let mut v = gongshu_domain::Violations::default();
    let liaison = input.check(&mut v);
    v.into_result()?;
    authorize(
        app,
        ctx,
        Action::UpdateLiaison,
        Target::Organisation { id },
        "organisation",
        id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let mut row = orgs::get_org(&mut tx, id)
        .await?
        .ok_or(AppError::not_found("organisation", "机构"))?;
    let before = json!({ "liaison_name": row.liaison_name, "liaison_phone": row.liaison_phone, "liaison_email": row.liaison_email });
    row.liaison_name = liaison.name;
    row.liaison_phone = liaison.phone;
    row.liaison_email = liaison.email;
    row.updated_at = app.now_micros();
    orgs::update_org(&mut tx, &row).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "update_liaison",
            target_kind: "organisation",
            target_id: id,
            payload: json!({ "before": before, "after": { "liaison_name": row.liaison_name, "liaison_phone": row.liaison_phone, "liaison_email": row.liaison_email } }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(OrgView::from_row(row, 0))
}

/// Deletes an organisation that has no sub-organisations and no accounts.
pub async fn delete_org(app: &App, ctx: Ctx<'_>, id: &str) -> Result<()> {
    authorize(
        app,
        ctx,
        Action::DeleteOrganisation,
        Target::Organisation { id },
        "organisation",
        id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let row = orgs::get_org(&mut tx, id)
        .await?
        .ok_or(AppError::not_found("organisation", "机构"))?;
    let (children, members) = orgs::count_dependents(&mut tx, id).await?;
    if children > 0 || members > 0 {
        return Err(AppError::conflict(
            "organisation_not_empty",
            format!("该机构还有{children}个下级机构和{members}个账号，不能删除"),
            format!(
                "the organisation still has {children} sub-organisations and {members} accounts"
            ),
        ));
    }
    orgs::delete_org(&mut tx, id).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "delete_organisation",
            target_kind: "organisation",
            target_id: id,
            payload: json!({ "name": row.name, "credit_code": row.credit_code, "kind": row.kind }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
