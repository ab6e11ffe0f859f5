//! Quality rules per data item (H11, B17): the owner agency adds `required`, `unique`, `enum`,
//! `range` and `pattern` rules beyond the automatic checks (types, ID checksums); the next
//! upload is scored against them. Rules never refuse a row: they measure, so a provider learns
//! what to fix without being blocked from supplying data. Each change is audited.

use std::collections::HashMap;

use gongshu_domain::catalog::{DataType, Vocabulary};
use gongshu_domain::quality::{RuleKind, RuleParams, validate_rule};
use gongshu_domain::{Action, Target, Violation};
use gongshu_store::catalog::{self, EntryRow, ItemRow};
use gongshu_store::quality::{self, QualityRuleRow};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{fits, rule_of};
use crate::record::{Change, authorize, record};
use crate::versions::entry_for_versions;
use crate::{App, AppError, Ctx, Result, format_time};

/// A new rule, as the owner agency writes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    /// The data item's code, as in the published catalog entry.
    pub item_code: String,
    /// `required`, `unique`, `enum`, `range` or `pattern`.
    pub kind: String,
    /// `enum`: the allowed values (text or integer items).
    pub values: Option<Vec<String>>,
    /// `range`: the inclusive minimum (integer, decimal, date or datetime items).
    pub min: Option<String>,
    /// `range`: the inclusive maximum.
    pub max: Option<String>,
    /// `pattern`: a regular expression the whole value must match (text, citizen-ID and
    /// credit-code items).
    pub pattern: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QualityRuleView {
    pub id: String,
    pub entry_code: String,
    pub item_code: String,
    /// The item's name in the published revision; `None` when the item is gone.
    pub item_name: Option<String>,
    pub kind: String,
    pub kind_zh: String,
    /// The rule with its parameters: `{"kind": "range", "min": "0", "max": "150"}`.
    #[schema(value_type = Object)]
    pub rule: serde_json::Value,
    /// False when the item is gone from the published revision or its type no longer takes
    /// the rule: it is then skipped when versions are scored.
    pub applies: bool,
    pub created_by: String,
    pub created_at: String,
}

fn rule_view(code: &str, r: QualityRuleRow, items: &HashMap<&str, &ItemRow>) -> QualityRuleView {
    let item = items.get(r.item_code.as_str());
    let rule = rule_of(&r);
    QualityRuleView {
        applies: match (item, &rule) {
            (Some(item), Some(rule)) => fits(&item.data_type, rule),
            _ => false,
        },
        item_name: item.map(|i| i.name.clone()),
        kind_zh: RuleKind::parse(&r.kind)
            .map(|k| k.zh().to_owned())
            .unwrap_or_else(|_| r.kind.clone()),
        rule: serde_json::from_str(&r.params).unwrap_or(serde_json::Value::Null),
        id: r.id,
        entry_code: code.to_owned(),
        item_code: r.item_code,
        kind: r.kind,
        created_by: r.created_by,
        created_at: format_time(r.created_at),
    }
}

/// The items of the published revision (rules are checked against what uploads are).
async fn published_items(app: &App, entry: &EntryRow) -> Result<Vec<ItemRow>> {
    let Some(revision) = entry.published_revision else {
        return Ok(Vec::new());
    };
    let mut conn = app.db.acquire().await?;
    Ok(catalog::list_items(&mut conn, &entry.id, revision).await?)
}

/// The entry's rules, by item then kind (owner agency and reviewing authority).
pub async fn list_rules(app: &App, ctx: Ctx<'_>, code: &str) -> Result<Vec<QualityRuleView>> {
    let entry = entry_for_versions(app, ctx, code).await?;
    let items = published_items(app, &entry).await?;
    let by_code: HashMap<&str, &ItemRow> = items.iter().map(|i| (i.code.as_str(), i)).collect();
    let mut conn = app.db.acquire().await?;
    Ok(quality::list_rules(&mut conn, &entry.id)
        .await?
        .into_iter()
        .map(|r| rule_view(code, r, &by_code))
        .collect())
}

/// Adds a rule to an item of a published entry (owner agency). One rule of each kind per
/// item: a second one is a 409 `duplicate_rule` (delete the first to change it).
pub async fn create_rule(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    input: RuleInput,
) -> Result<QualityRuleView> {
    let entry = entry_for_versions(app, ctx, code).await?;
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &entry.org_id },
        "quality_rule",
        code,
    )
    .await?;
    if entry.published_revision.is_none() {
        return Err(AppError::conflict(
            "entry_not_published",
            "目录条目尚未发布，不能设置质量规则",
            "the catalog entry is not published; quality rules apply to its data",
        ));
    }
    let items = published_items(app, &entry).await?;
    let item_code = input.item_code.trim();
    let Some(item) = items.iter().find(|i| i.code == item_code) else {
        return Err(Violation::new(
            "item_code",
            "unknown_item",
            format!("已发布的目录条目没有信息项“{item_code}”"),
            format!("the published entry has no data item `{item_code}`"),
        )
        .into());
    };
    let data_type = DataType::parse(&item.data_type)?;
    let rule = validate_rule(
        &input.kind,
        data_type,
        RuleParams {
            values: input.values,
            min: input.min,
            max: input.max,
            pattern: input.pattern,
        },
    )?;
    let kind = rule.kind();
    let row = QualityRuleRow {
        id: uuid::Uuid::now_v7().to_string(),
        entry_id: entry.id.clone(),
        item_code: item.code.clone(),
        kind: kind.code().to_owned(),
        params: serde_json::to_string(&rule)
            .map_err(|e| AppError::Internal(format!("quality rule: {e}")))?,
        created_by: ctx.principal.username.clone(),
        created_at: app.now_micros(),
    };
    let mut tx = app.db.begin_write().await?;
    let existing = quality::list_rules(&mut tx, &entry.id).await?;
    if existing
        .iter()
        .any(|r| r.item_code == row.item_code && r.kind == row.kind)
    {
        return Err(AppError::conflict(
            "duplicate_rule",
            format!(
                "信息项“{}”已有“{}”规则；如需修改，请先删除原规则",
                item.name,
                kind.zh()
            ),
            format!(
                "item `{}` already has a `{}` rule; delete it first to change it",
                item.code,
                kind.code()
            ),
        ));
    }
    quality::insert_rule(&mut tx, &row).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "create_quality_rule",
            target_kind: "quality_rule",
            target_id: &row.id,
            payload: json!({ "entry_code": code, "item_code": row.item_code, "rule": rule }),
        },
    )
    .await?;
    tx.commit().await?;
    let by_code: HashMap<&str, &ItemRow> = items.iter().map(|i| (i.code.as_str(), i)).collect();
    Ok(rule_view(code, row, &by_code))
}

/// Deletes a rule (owner agency); versions already scored keep their scores.
pub async fn delete_rule(app: &App, ctx: Ctx<'_>, code: &str, id: &str) -> Result<()> {
    let entry = entry_for_versions(app, ctx, code).await?;
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: &entry.org_id },
        "quality_rule",
        id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    let row = quality::get_rule(&mut tx, &entry.id, id)
        .await?
        .ok_or(AppError::not_found("quality rule", "质量规则"))?;
    if !quality::delete_rule(&mut tx, &entry.id, id).await? {
        return Err(AppError::not_found("quality rule", "质量规则"));
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "delete_quality_rule",
            target_kind: "quality_rule",
            target_id: id,
            payload: json!({ "entry_code": code, "item_code": row.item_code, "kind": row.kind }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
