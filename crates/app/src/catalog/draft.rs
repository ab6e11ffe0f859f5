//! Drafting entries: create, edit a draft, or start a new revision of a published entry (H8).

use gongshu_domain::catalog::{ReviewAction, ReviewState};
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::{Conn, elements};
use serde_json::json;

use super::input::{EntryInput, Parsed};
use super::records::{NewRevision, build};
use super::scope::org_map;
use super::views::EntryView;
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

/// Checks what only the database knows: the source organisation, related codes and elements.
pub(crate) async fn check_references(
    conn: &mut Conn,
    input: &EntryInput,
    parsed: &Parsed,
) -> Result<()> {
    let mut v = Violations::default();
    if let Some(source) = input.source_org_id.as_deref().filter(|s| !s.is_empty())
        && gongshu_store::orgs::get_org(conn, source).await?.is_none()
    {
        v.push(Violation::new(
            "source_org_id",
            "unknown_org",
            "数源部门不存在",
            "the source department does not exist",
        ));
    }
    for (i, code) in input
        .related_codes
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .enumerate()
    {
        if catalog::get_entry_by_code(conn, code).await?.is_none() {
            v.push(Violation::new(
                format!("related_codes[{i}]"),
                "unknown_entry",
                format!("关联资源“{code}”不存在"),
                format!("related entry {code} does not exist"),
            ));
        }
    }
    for (i, element) in parsed.element_codes.iter().enumerate() {
        if let Some(code) = element
            && elements::get_element(conn, code).await?.is_none()
        {
            v.push(Violation::new(
                format!("items[{i}].element_code"),
                "unknown_element",
                format!("基础数据项“{code}”未登记"),
                format!("data element {code} is not registered"),
            ));
        }
    }
    v.into_result()?;
    Ok(())
}

/// Inserts a new entry with its first draft revision inside the caller's transaction; returns
/// its code. The caller has authorised and checked references.
pub(crate) async fn insert_new(
    app: &App,
    conn: &mut Conn,
    ctx: Ctx<'_>,
    org_id: &str,
    scheme_version: i64,
    parsed: &Parsed,
    input: &EntryInput,
) -> Result<String> {
    if !org_map(conn).await?.contains_key(org_id) {
        return Err(AppError::not_found("organisation", "机构"));
    }
    let seq = catalog::next_sequence(conn, &parsed.category_code).await?;
    let now = app.now_micros();
    let entry = EntryRow {
        id: uuid::Uuid::now_v7().to_string(),
        code: format!("{}-{seq:05}", parsed.category_code),
        org_id: org_id.to_owned(),
        published_revision: None,
        latest_revision: 1,
        created_at: now,
        updated_at: now,
    };
    catalog::insert_entry(conn, &entry).await?;
    let (row, items) = build(NewRevision {
        entry_id: &entry.id,
        revision: 1,
        scheme_version,
        parsed,
        input,
        source_org_id: source_of(input, org_id),
        created_by: &ctx.principal.username,
        now,
    });
    catalog::insert_revision(conn, &row).await?;
    catalog::insert_items(conn, &items).await?;
    record(
        app,
        conn,
        ctx,
        Change {
            action: "create_entry",
            target_kind: "catalog_entry",
            target_id: &entry.code,
            payload: json!({ "name": row.name, "revision": 1, "org_id": entry.org_id }),
        },
    )
    .await?;
    Ok(entry.code)
}

fn source_of(input: &EntryInput, org_id: &str) -> Option<String> {
    input
        .source_org_id
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| Some(org_id.to_owned()))
}

/// Applies an edit inside the caller's transaction; returns the revision written. A draft or
/// returned revision changes in place; a published entry gets a new draft revision. A masked
/// derivative is refused: its items and rules change only through a revised proposal (H19).
pub(crate) async fn apply_edit(
    app: &App,
    conn: &mut Conn,
    ctx: Ctx<'_>,
    entry: &EntryRow,
    scheme_version: i64,
    parsed: &Parsed,
    input: &EntryInput,
) -> Result<i64> {
    super::refuse_if_derivative(conn, entry, super::Refused::Edit).await?;
    write_edit(app, conn, ctx, entry, scheme_version, parsed, input).await
}

/// [`apply_edit`] without the derivative check, for the revision of a derivative whose caller
/// writes its rules.
pub(crate) async fn write_edit(
    app: &App,
    conn: &mut Conn,
    ctx: Ctx<'_>,
    entry: &EntryRow,
    scheme_version: i64,
    parsed: &Parsed,
    input: &EntryInput,
) -> Result<i64> {
    let latest = catalog::get_revision(conn, &entry.id, entry.latest_revision)
        .await?
        .ok_or_else(|| AppError::Internal("latest revision missing".into()))?;
    let state = latest.state;
    let now = app.now_micros();
    let (revision, created_at, action) = match state {
        ReviewState::Published => (entry.latest_revision + 1, now, "start_entry_revision"),
        s => {
            s.next(ReviewAction::Edit)
                .map_err(|e| AppError::conflict("illegal_transition", e.zh(), e.to_string()))?;
            (entry.latest_revision, latest.created_at, "update_entry")
        }
    };
    let (mut row, items) = build(NewRevision {
        entry_id: &entry.id,
        revision,
        scheme_version,
        parsed,
        input,
        source_org_id: source_of(input, &entry.org_id),
        created_by: &ctx.principal.username,
        now,
    });
    row.created_at = created_at;
    if revision == entry.latest_revision {
        // A returned revision keeps its reviewer's reasons visible until it is resubmitted.
        row.review_reasons = latest.review_reasons.clone();
        catalog::replace_revision(conn, &row).await?;
    } else {
        catalog::insert_revision(conn, &row).await?;
        catalog::update_entry_pointers(conn, &entry.id, entry.published_revision, revision, now)
            .await?;
    }
    catalog::insert_items(conn, &items).await?;
    record(
        app,
        conn,
        ctx,
        Change {
            action,
            target_kind: "catalog_entry",
            target_id: &entry.code,
            payload: json!({ "revision": revision, "name": row.name, "change_note": row.change_note }),
        },
    )
    .await?;
    Ok(revision)
}

/// Creates an entry of `org_id` (default: the caller's own organisation) as a draft.
pub async fn create_entry(
    app: &App,
    ctx: Ctx<'_>,
    org_id: Option<String>,
    input: EntryInput,
) -> Result<EntryView> {
    let org_id = org_id
        .or_else(|| ctx.principal.org_id.clone())
        .ok_or_else(|| {
            AppError::from(Violation::new(
                "org_id",
                "required",
                "请指定提供单位",
                "the providing organisation is required",
            ))
        })?;
    let (scheme_version, scheme) = super::scheme::latest(&mut *app.db.acquire().await?).await?;
    let parsed = input.parse(&scheme)?;
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &org_id },
        "catalog_entry",
        &parsed.draft.name,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    check_references(&mut tx, &input, &parsed).await?;
    let code = insert_new(app, &mut tx, ctx, &org_id, scheme_version, &parsed, &input).await?;
    tx.commit().await?;
    super::views::entry_view(app, Some(ctx), &code, None).await
}

/// Edits an entry: a draft or returned revision is changed in place; a published entry gets a
/// new draft revision (the published one stays in force until the new one is approved).
pub async fn update_entry(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    input: EntryInput,
) -> Result<EntryView> {
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or(AppError::not_found("catalog entry", "目录条目"))?;
    let (scheme_version, scheme) = super::scheme::latest(&mut conn).await?;
    drop(conn);
    let parsed = input.parse(&scheme)?;
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
    check_references(&mut tx, &input, &parsed).await?;
    let entry = catalog::get_entry_by_code(&mut tx, code)
        .await?
        .ok_or(AppError::not_found("catalog entry", "目录条目"))?;
    let revision = apply_edit(app, &mut tx, ctx, &entry, scheme_version, &parsed, &input).await?;
    tx.commit().await?;
    super::views::entry_view(app, Some(ctx), code, Some(revision)).await
}
