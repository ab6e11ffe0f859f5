//! Masked derivative entries (脱敏衍生目录, H19): the providing agency of a published,
//! not-shared entry proposes a shareable entry of its own that serves the source's data with
//! items dropped and masked by chosen rules. The proposal becomes a new catalog entry submitted
//! for the authority's normal review; approving that revision approves its masking rules
//! ("脱敏等处理规则，由公共数据主管部门会同公共管理和服务机构制定"). Reads of the derivative go
//! through the source's current committed version (see `data::read`); nothing is copied.

use std::collections::HashMap;

use gongshu_domain::catalog::Revision;
use gongshu_domain::catalog::{
    ChosenItem, Proposal, ReviewState, ShareType, SourceItem, Vocabulary, check_derivative,
};
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_privacy::MaskingRule;
use gongshu_store::Conn;
use gongshu_store::catalog::{self, EntryRow, ItemRow};
use gongshu_store::derivatives::{self, DerivativeRow, RuleRow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::draft::{check_references, insert_new, write_edit};
use super::input::{EntryInput, Parsed};
use super::records::to_input;
use super::review::submit_revision;
use super::scope::org_map;
use super::views::{Access, EntryView, access};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

/// A proposed derivative: what it is called, how it is shared, and which of the source's items
/// it keeps, each clear or masked. Everything else (category, grade, legal bases, departments,
/// update frequency) is the source's.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DerivativeInput {
    pub name: String,
    pub summary: String,
    /// conditional or unconditional (never not_shared).
    pub share_type: String,
    #[serde(default)]
    pub share_conditions: String,
    #[serde(default)]
    pub share_scope: String,
    #[serde(default)]
    pub share_modes: Vec<String>,
    /// unconditional, conditional or not_open; default: the source's.
    #[serde(default)]
    pub open_type: Option<String>,
    #[serde(default)]
    pub open_conditions: String,
    /// Required when not open; default: the source's.
    #[serde(default)]
    pub not_open_reason: Option<String>,
    #[serde(default)]
    pub change_note: String,
    pub items: Vec<DerivedItemInput>,
}

/// One of the source's items the derivative keeps.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DerivedItemInput {
    /// The source item's code.
    pub code: String,
    /// The masking rule, e.g. `{"kind": "keep", "first": 3, "last": 4}`; absent: served clear.
    /// Items the source marks personal, sensitive or masked must have one.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub rule: Option<Value>,
}

/// Proposes a masked derivative of the published, not-shared entry `source_code` and submits
/// it for review; returns the new entry, submitted.
pub async fn propose_derivative(
    app: &App,
    ctx: Ctx<'_>,
    source_code: &str,
    input: DerivativeInput,
) -> Result<EntryView> {
    let p = prepare(app, ctx, source_code, &input).await?;
    let mut tx = app.db.begin_write().await?;
    check_references(&mut tx, &p.entry, &p.parsed).await?;
    let org_id = p.source.org_id.clone();
    let code = insert_new(
        app,
        &mut tx,
        ctx,
        &org_id,
        p.scheme_version,
        &p.parsed,
        &p.entry,
    )
    .await?;
    let entry = catalog::get_entry_by_code(&mut tx, &code)
        .await?
        .ok_or_else(|| AppError::Internal(format!("entry {code} vanished")))?;
    derivatives::insert_derivative(
        &mut tx,
        &DerivativeRow {
            entry_id: entry.id.clone(),
            source_entry_id: p.source.id.clone(),
            created_by: ctx.principal.username.clone(),
            created_at: app.now_micros(),
        },
    )
    .await?;
    let revision = rules_and_submit(
        app,
        &mut tx,
        ctx,
        &entry,
        entry.latest_revision,
        &p,
        "propose_derivative",
    )
    .await?;
    tx.commit().await?;
    super::views::entry_view(app, Some(ctx), &code, Some(revision)).await
}

/// Revises a derivative with a new proposal and submits it: a draft or returned revision is
/// rewritten in place; a published one gets a new revision, and its approved rules stay in
/// force until the authority approves the new ones.
pub async fn revise_derivative(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    input: DerivativeInput,
) -> Result<EntryView> {
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(|| AppError::not_found("catalog entry", "目录条目"))?;
    let link = derivatives::get_derivative(&mut conn, &entry.id)
        .await?
        .ok_or_else(|| {
            AppError::conflict(
                "not_a_derivative",
                "该目录条目不是脱敏衍生目录",
                "this catalog entry is not a masked derivative",
            )
        })?;
    let source = catalog::get_entry_by_id(&mut conn, &link.source_entry_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("{code}: source entry missing")))?;
    drop(conn);
    let p = prepare(app, ctx, &source.code, &input).await?;
    let mut tx = app.db.begin_write().await?;
    check_references(&mut tx, &p.entry, &p.parsed).await?;
    let entry = catalog::get_entry_by_code(&mut tx, code)
        .await?
        .ok_or_else(|| AppError::not_found("catalog entry", "目录条目"))?;
    let latest = catalog::get_revision(&mut tx, &entry.id, entry.latest_revision)
        .await?
        .ok_or_else(|| AppError::Internal("latest revision missing".into()))?;
    if latest.state != ReviewState::Published {
        derivatives::delete_rules(&mut tx, &entry.id, entry.latest_revision).await?;
    }
    let revision = write_edit(
        app,
        &mut tx,
        ctx,
        &entry,
        p.scheme_version,
        &p.parsed,
        &p.entry,
    )
    .await?;
    let revision =
        rules_and_submit(app, &mut tx, ctx, &entry, revision, &p, "revise_derivative").await?;
    tx.commit().await?;
    super::views::entry_view(app, Some(ctx), code, Some(revision)).await
}

/// A proposal checked against its source, ready to be written.
struct Prepared {
    source: EntryRow,
    /// The derivative as an ordinary entry input: the source's description with the proposal's
    /// name, sharing and items.
    entry: EntryInput,
    parsed: Parsed,
    scheme_version: i64,
    /// The rule of each masked item, by code, in the proposal's order.
    rules: Vec<(String, MaskingRule)>,
    /// The item codes kept, in order, for the audit record.
    items: Vec<String>,
}

async fn prepare(
    app: &App,
    ctx: Ctx<'_>,
    source_code: &str,
    input: &DerivativeInput,
) -> Result<Prepared> {
    let (source, published, source_items) = load_source(app, ctx, source_code).await?;
    let rules = parse_input(input, published.as_ref(), &source_items)?;
    let published =
        published.ok_or_else(|| AppError::Internal("checked: the source is published".into()))?;
    let entry = derived_entry(source_code, &published, &source_items, input, &rules);
    let mut conn = app.db.acquire().await?;
    let (scheme_version, scheme) = super::scheme::latest(&mut conn).await?;
    drop(conn);
    let parsed = entry.parse(&scheme)?;
    Ok(Prepared {
        source,
        entry,
        parsed,
        scheme_version,
        rules,
        items: input
            .items
            .iter()
            .map(|i| i.code.trim().to_owned())
            .collect(),
    })
}

/// Writes the rules of `revision`, records the proposal (`action`) and submits the revision
/// for the authority's review, inside the caller's transaction.
async fn rules_and_submit(
    app: &App,
    conn: &mut Conn,
    ctx: Ctx<'_>,
    entry: &EntryRow,
    revision: i64,
    p: &Prepared,
    action: &str,
) -> Result<i64> {
    let rows: Vec<RuleRow> = p
        .rules
        .iter()
        .map(|(item, rule)| RuleRow {
            entry_id: entry.id.clone(),
            revision,
            item_code: item.clone(),
            rule: json!(rule).to_string(),
        })
        .collect();
    derivatives::insert_rules(conn, &rows).await?;
    record(
        app,
        conn,
        ctx,
        Change {
            action,
            target_kind: "catalog_entry",
            target_id: &entry.code,
            payload: json!({
                "source": p.source.code,
                "revision": revision,
                "share_type": p.entry.share_type,
                "items": p.items,
                "rules": p.rules.iter().map(|(item, rule)| (item.as_str(), rule)).collect::<HashMap<_, _>>(),
            }),
        },
    )
    .await?;
    let written = catalog::get_revision(conn, &entry.id, revision)
        .await?
        .ok_or_else(|| AppError::Internal("revision just written is missing".into()))?;
    submit_revision(app, conn, ctx, entry, &written).await
}

/// The source entry, its published revision and that revision's items. A caller who may not
/// see the entry gets "not found"; one who sees it but does not provide it is forbidden.
async fn load_source(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
) -> Result<(EntryRow, Option<Revision>, Vec<ItemRow>)> {
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(not_found)?;
    let published = catalog::get_published_revision(&mut conn, &entry).await?;
    let visible = !matches!(
        access(
            Some(ctx),
            &entry,
            published.as_ref(),
            &org_map(&mut conn).await?
        ),
        Access::None
    );
    let items = match &published {
        Some(p) => catalog::list_items(&mut conn, &entry.id, p.revision).await?,
        None => Vec::new(),
    };
    drop(conn);
    let decided = authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &entry.org_id },
        "catalog_entry",
        code,
    )
    .await;
    match decided {
        Ok(()) => Ok((entry, published, items)),
        Err(AppError::Forbidden(_)) if !visible => Err(not_found()),
        Err(e) => Err(e),
    }
}

/// Checks the proposal against the source (H19 rules and rule syntax, every problem at once);
/// returns the rule of each masked item by code.
fn parse_input(
    input: &DerivativeInput,
    published: Option<&Revision>,
    source_items: &[ItemRow],
) -> Result<Vec<(String, MaskingRule)>> {
    let mut v = Violations::default();
    let share_type = ShareType::parse(&input.share_type)
        .map_err(|e| v.push(e))
        .ok();
    let mut rules = Vec::new();
    for (i, item) in input.items.iter().enumerate() {
        let Some(raw) = &item.rule else { continue };
        match serde_json::from_value::<MaskingRule>(raw.clone()) {
            Ok(rule) => rules.push((item.code.trim().to_owned(), rule)),
            Err(e) => v.push(Violation::new(
                format!("items[{i}].rule"),
                "invalid_rule",
                format!("脱敏规则无效：{e}"),
                format!("invalid masking rule: {e}"),
            )),
        }
    }
    let source_share_type = published.map(|p| p.share_type);
    let sources: Vec<SourceItem<'_>> = source_items
        .iter()
        .map(|i| SourceItem {
            code: &i.code,
            name: &i.name,
            protected: i.personal != 0 || i.sensitive_kind.is_some() || i.masked != 0,
        })
        .collect();
    let chosen: Vec<ChosenItem<'_>> = input
        .items
        .iter()
        .map(|i| ChosenItem {
            code: i.code.trim(),
            masked: i.rule.is_some(),
        })
        .collect();
    if let Some(share_type) = share_type
        && let Err(more) = check_derivative(&Proposal {
            source_share_type,
            share_type,
            source_items: &sources,
            items: &chosen,
        })
    {
        v.0.extend(more.0);
    }
    v.into_result()?;
    Ok(rules)
}

/// The entry the derivative is: the source's description with the proposal's name, sharing and
/// items; masked items lose their basic data element (a masked ID is no longer the element).
fn derived_entry(
    source_code: &str,
    published: &Revision,
    source_items: &[ItemRow],
    input: &DerivativeInput,
    rules: &[(String, MaskingRule)],
) -> EntryInput {
    let mut e = to_input(published, source_items);
    let source = e.items.clone();
    e.name = input.name.clone();
    e.summary = input.summary.clone();
    e.share_type = input.share_type.clone();
    e.share_conditions = input.share_conditions.clone();
    e.share_scope = input.share_scope.clone();
    e.share_modes = input.share_modes.clone();
    if let Some(open_type) = &input.open_type {
        e.open_type = open_type.clone();
        e.open_conditions = input.open_conditions.clone();
        e.not_open_reason = input.not_open_reason.clone();
    }
    e.related_codes.push(source_code.to_owned());
    e.change_note = match input.change_note.trim() {
        "" => format!("由不予共享目录{source_code}经脱敏处理衍生（H19）"),
        note => note.to_owned(),
    };
    e.items = input
        .items
        .iter()
        .filter_map(|chosen| {
            let mut item = source
                .iter()
                .find(|s| s.code == chosen.code.trim())?
                .clone();
            let masked = rules.iter().any(|(code, _)| *code == item.code);
            item.masked = Some(masked);
            if masked {
                item.element_code = None;
            }
            Some(item)
        })
        .collect();
    e
}

/// Refuses a change a derivative cannot take through the ordinary paths: its data comes from
/// its source, and its description only through a proposal whose rules the authority reviews.
pub(crate) async fn refuse_if_derivative(
    conn: &mut Conn,
    entry: &EntryRow,
    what: Refused,
) -> Result<()> {
    if derivatives::get_derivative(conn, &entry.id)
        .await?
        .is_none()
    {
        return Ok(());
    }
    Err(match what {
        Refused::Edit => AppError::conflict(
            "derivative_edit",
            "脱敏衍生目录的信息项和脱敏规则须通过修改脱敏衍生申请变更，不能直接编辑",
            "a masked derivative entry cannot be edited directly; revise its proposal instead",
        ),
        Refused::Upload => AppError::conflict(
            "derivative_upload",
            "脱敏衍生目录的数据取自源目录的现行版本，不能直接上传；请向源目录上传数据",
            "a masked derivative entry serves its source's data; upload to the source entry instead",
        ),
    })
}

/// Which ordinary change a derivative refuses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Refused {
    Edit,
    Upload,
}
