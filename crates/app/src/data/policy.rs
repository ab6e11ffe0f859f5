//! Which view of an entry's data a reader gets (读取策略): the owner agency (everything, as
//! stored); for an unconditionally open entry, anyone (every item, the ones the catalog marks
//! for masking masked by their default rule); or another agency through a live sharing grant
//! (only the granted items, masked the same way, only the rows of the grant's row filter, with
//! pseudonyms salted per grant). A masked derivative entry (脱敏衍生目录, H19) serves its
//! source's data: every reader, its owner included, sees only the derivative's items, masked
//! by the rules the authority approved with its published revision.

use std::collections::HashMap;

use gongshu_domain::catalog::{DataType, Vocabulary};
use gongshu_privacy::{MaskingRule, PolicySalt, Secret, default_for};
use gongshu_query::{Filter, View};
use gongshu_store::catalog::ItemRow;

/// Why a reader may read, for the audit record and the response headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicySource {
    /// The providing agency reads its own data.
    Owner,
    /// Unconditionally open data (无条件开放), readable by anyone.
    Open,
    /// A live sharing grant (共享授权) of the reader's organisation.
    Grant,
}

impl PolicySource {
    pub fn code(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Open => "open",
            Self::Grant => "grant",
        }
    }
}

/// How the items the catalog marks as masked are masked.
#[derive(Debug, Clone, Default)]
pub enum Masks {
    /// By the default rule of the item's type and name.
    #[default]
    Default,
    /// By the rules approved with a derivative's published revision (H19), per item code; a
    /// masked item without one shows nothing (fail closed).
    Approved(HashMap<String, MaskingRule>),
}

impl Masks {
    fn rule_for(&self, item: &ItemRow) -> Option<MaskingRule> {
        if item.masked == 0 {
            return None;
        }
        Some(match self {
            Masks::Default => {
                let data_type = DataType::parse(&item.data_type).unwrap_or(DataType::Text);
                default_for(data_type, Some(&item.name))
            }
            Masks::Approved(rules) => rules.get(&item.code).copied().unwrap_or(MaskingRule::Null),
        })
    }
}

/// The stored columns the published revision lists (and, when `only` is given, that list
/// names), each masked where the catalog marks it: fail closed for anything the catalog no
/// longer knows.
fn catalog_view(
    columns: &[String],
    items: &[ItemRow],
    masks: &Masks,
    only: Option<&[String]>,
) -> Vec<(String, Option<MaskingRule>)> {
    columns
        .iter()
        .filter(|c| only.is_none_or(|o| o.contains(c)))
        .filter_map(|code| {
            let item = items.iter().find(|i| &i.code == code)?;
            Some((code.clone(), masks.rule_for(item)))
        })
        .collect()
}

/// A policy: the items a reader sees, each clear or masked, and the rows.
#[derive(Debug, Clone)]
pub struct Policy {
    pub source: PolicySource,
    pub columns: Vec<(String, Option<MaskingRule>)>,
    pub row_filter: Vec<Filter>,
    /// The salt of this policy's pseudonyms; `None` when it uses none.
    pub salt: Option<PolicySalt>,
    /// The grant read through, for the audit record: id and purpose.
    pub grant: Option<(String, String)>,
    /// For a masked derivative (H19): the code of the source entry whose data is served.
    pub derived_from: Option<String>,
}

impl Policy {
    /// The owner's policy: every stored column, as stored.
    pub fn owner(columns: &[String]) -> Self {
        Self {
            source: PolicySource::Owner,
            columns: columns.iter().map(|c| (c.clone(), None)).collect(),
            row_filter: Vec::new(),
            salt: None,
            grant: None,
            derived_from: None,
        }
    }

    /// The owner's policy of a masked derivative (H19): what everyone else sees too, the
    /// derivative's items masked by its approved rules; the owner reads its clear data
    /// through the source entry.
    pub fn derivative_owner(columns: &[String], items: &[ItemRow], masks: &Masks) -> Self {
        Self {
            source: PolicySource::Owner,
            columns: catalog_view(columns, items, masks, None),
            row_filter: Vec::new(),
            salt: None,
            grant: None,
            derived_from: None,
        }
    }

    /// The public policy of open data: the stored columns the published revision still lists
    /// (a column it no longer has is not shown: fail closed); items it marks as masked (脱敏)
    /// through the default rule of their type and name (a derivative's: its approved rules).
    pub fn open(columns: &[String], items: &[ItemRow], masks: &Masks) -> Self {
        Self {
            source: PolicySource::Open,
            columns: catalog_view(columns, items, masks, None),
            row_filter: Vec::new(),
            salt: None,
            grant: None,
            derived_from: None,
        }
    }

    /// The policy of a sharing grant: only the granted items the published revision still
    /// lists, masked as for open data; the grant's rows; pseudonyms salted per grant, so two
    /// grantees cannot link their tokens.
    pub fn grant(
        columns: &[String],
        items: &[ItemRow],
        masks: &Masks,
        granted: &[String],
        row_filter: Vec<Filter>,
        grant: (String, String),
        salt: PolicySalt,
    ) -> Self {
        Self {
            source: PolicySource::Grant,
            columns: catalog_view(columns, items, masks, Some(granted)),
            row_filter,
            salt: Some(salt),
            grant: Some(grant),
            derived_from: None,
        }
    }

    /// The view the engine applies. Without a platform secret, pseudonyms fail closed (NULL).
    pub fn view(&self, secret: Option<&Secret>) -> View {
        View::of_policy(&self.columns, &self.row_filter, secret, self.salt.as_ref())
    }

    /// The audit payload of a read: `fields` plus the policy, and the grant and its purpose
    /// when read through one.
    pub fn audit(&self, mut fields: serde_json::Value) -> serde_json::Value {
        fields["policy"] = self.source.code().into();
        if let Some((id, purpose)) = &self.grant {
            fields["grant"] = id.as_str().into();
            fields["purpose"] = purpose.as_str().into();
        }
        if let Some(source) = &self.derived_from {
            fields["derived_from"] = source.as_str().into();
        }
        fields
    }

    /// For the reader: which columns come masked, and how.
    pub fn masked_columns(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter(|(_, r)| r.is_some())
            .map(|(c, _)| c.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str, name: &str, data_type: &str, masked: i64) -> ItemRow {
        ItemRow {
            entry_id: "e".into(),
            revision: 1,
            position: 0,
            code: code.into(),
            name: name.into(),
            data_type: data_type.into(),
            description: String::new(),
            grade: "general_1".into(),
            personal: masked,
            sensitive_kind: None,
            masked,
            element_code: None,
        }
    }

    #[test]
    fn h19_open_data_masks_what_the_catalog_marks() {
        let items = [
            item("xm", "姓名", "text", 1),
            item("sfzh", "公民身份号码", "citizen_id", 1),
            item("jgmc", "机构名称", "text", 0),
        ];
        let columns = ["xm", "sfzh", "jgmc"].map(String::from);
        let p = Policy::open(&columns, &items, &Masks::Default);
        assert_eq!(p.columns[0].1, Some(MaskingRule::chinese_name()));
        assert_eq!(p.columns[1].1, Some(MaskingRule::citizen_id()));
        assert_eq!(p.columns[2].1, None);
        assert_eq!(p.masked_columns(), ["xm", "sfzh"]);
        assert!(Policy::owner(&columns).masked_columns().is_empty());
        // A stored column the published revision no longer lists is not shown.
        let p = Policy::open(
            &["xm".to_owned(), "gone".to_owned()],
            &items,
            &Masks::Default,
        );
        assert_eq!(p.columns.len(), 1);
    }

    #[test]
    fn h19_a_derivative_masks_by_its_approved_rules_and_fails_closed() {
        let items = [
            item("xm", "姓名", "text", 1),
            item("sfzh", "公民身份号码", "citizen_id", 1),
            item("qx", "所在区", "text", 0),
        ];
        let columns = ["xm", "sfzh", "qx", "dropped"].map(String::from);
        let masks = Masks::Approved(HashMap::from([(
            "sfzh".to_owned(),
            MaskingRule::keep(6, 0).unwrap(),
        )]));
        let p = Policy::derivative_owner(&columns, &items, &masks);
        assert_eq!(p.source, PolicySource::Owner);
        assert_eq!(
            p.columns,
            [
                ("xm".to_owned(), Some(MaskingRule::Null)),
                ("sfzh".to_owned(), Some(MaskingRule::keep(6, 0).unwrap())),
                ("qx".to_owned(), None),
            ],
            "approved rules, not the defaults; a stored column the derivative drops is not shown"
        );
    }
}
