//! Reading masked derivative entries (H19): the rules approved with a derivative's revision,
//! which the data plane masks with, and what an entry's page says about derivatives — a
//! derivative's source and rules, a source's derivatives.

use std::collections::HashMap;

use gongshu_privacy::MaskingRule;
use gongshu_store::Conn;
use gongshu_store::catalog::{self, EntryRow, ItemRow};
use gongshu_store::derivatives;
use serde::Serialize;

use crate::{AppError, Result};

/// A derivative's link to its source and the masking rules of the revision shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DerivativeView {
    pub source_code: String,
    pub source_name: String,
    pub rules: Vec<RuleView>,
}

/// One masked item and its rule, as the reviewer approves it and readers receive it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    pub item_code: String,
    pub item_name: String,
    /// The rule in its JSON wire form.
    #[schema(value_type = Object)]
    pub rule: MaskingRule,
    pub rule_zh: String,
}

/// The approved masking rules of a derivative's revision, by item code (the data plane masks
/// with these, H19). A stored rule that no longer parses is an internal error, never clear data.
pub(crate) async fn approved_rules(
    conn: &mut Conn,
    entry_id: &str,
    revision: i64,
) -> Result<HashMap<String, MaskingRule>> {
    derivatives::list_rules(conn, entry_id, revision)
        .await?
        .into_iter()
        .map(|r| {
            let rule = serde_json::from_str(&r.rule).map_err(|e| {
                AppError::Internal(format!(
                    "rule of {entry_id}/{revision}/{}: {e}",
                    r.item_code
                ))
            })?;
            Ok((r.item_code, rule))
        })
        .collect()
}

/// The derivative facts of `entry` at `revision` for its page: its source and rules, or, for a
/// source, the codes of its derivatives the viewer may know of (all for the owner and the
/// reviewer, published ones for everyone else).
pub(crate) async fn derivative_facts(
    conn: &mut Conn,
    entry: &EntryRow,
    revision: i64,
    items: &[ItemRow],
    sees_all: bool,
) -> Result<(Option<DerivativeView>, Vec<String>)> {
    let Some(link) = derivatives::get_derivative(conn, &entry.id).await? else {
        let codes = derivatives::list_derivative_codes(conn, &entry.id)
            .await?
            .into_iter()
            .filter(|(_, published)| sees_all || published.is_some())
            .map(|(code, _)| code)
            .collect();
        return Ok((None, codes));
    };
    let source = catalog::get_entry_by_id(conn, &link.source_entry_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("{}: source entry missing", entry.code)))?;
    let source_name = catalog::get_published_revision(conn, &source)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    let mut rules: Vec<RuleView> = approved_rules(conn, &entry.id, revision)
        .await?
        .into_iter()
        .map(|(item_code, rule)| RuleView {
            item_name: items
                .iter()
                .find(|i| i.code == item_code)
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            rule_zh: rule.zh(),
            item_code,
            rule,
        })
        .collect();
    let position = |code: &str| items.iter().position(|i| i.code == code);
    rules.sort_by_key(|r| position(&r.item_code));
    Ok((
        Some(DerivativeView {
            source_code: source.code,
            source_name,
            rules,
        }),
        Vec::new(),
    ))
}
