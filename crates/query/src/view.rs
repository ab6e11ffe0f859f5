//! Policy views (策略视图): what one reader sees of one entry's data is never the stored file
//! but a view over it — the policy's row filter on the stored values, then only the visible
//! items, each either as stored or through its masking function. The engine plans every query
//! a reader sends on top of that view, so nothing they write can reach beneath it.

use std::sync::Arc;

use gongshu_privacy::{MaskContext, MaskingRule, PolicySalt, Secret};

use crate::filter::Filter;

/// One entry's data as one reader may see it.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The table name in SQL and in error messages (the entry code).
    pub name: String,
    /// The Parquet files of the version being read: local paths or object-store URLs.
    pub files: Vec<String>,
    pub view: View,
}

/// The policy's part of a dataset. Grants (issue 5) produce these as well; the engine does not
/// care where a view came from.
#[derive(Debug, Clone)]
pub struct View {
    /// The columns the reader sees, in order; the others do not exist for them.
    pub columns: Vec<ViewColumn>,
    /// Rows the reader may see, as filters on the stored values (all must hold). A hard
    /// boundary: the reader's expressions never run on a row it drops (see `restrict`).
    pub row_filter: Vec<Filter>,
    /// The keyed context of the policy, for pseudonyms.
    pub mask: Arc<MaskContext>,
}

#[derive(Debug, Clone)]
pub struct ViewColumn {
    pub name: String,
    /// `None`: shown as stored.
    pub rule: Option<MaskingRule>,
}

impl ViewColumn {
    pub fn clear(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            rule: None,
        }
    }

    pub fn masked(name: &str, rule: MaskingRule) -> Self {
        Self {
            name: name.to_owned(),
            rule: Some(rule),
        }
    }
}

impl View {
    /// Every column shown as stored, every row: the owner's view.
    pub fn full(columns: &[&str]) -> Self {
        Self {
            columns: columns.iter().map(|c| ViewColumn::clear(c)).collect(),
            row_filter: Vec::new(),
            mask: Arc::new(MaskContext::without_keys()),
        }
    }

    /// The view of a read policy: its columns, each clear or masked by its rule, and its rows.
    /// Pseudonyms are keyed by the platform secret and the policy's salt; without either they
    /// fail closed (NULL), so a missing key never shows a value.
    pub fn of_policy(
        columns: &[(String, Option<MaskingRule>)],
        row_filter: &[Filter],
        secret: Option<&Secret>,
        salt: Option<&PolicySalt>,
    ) -> Self {
        let mask = match (secret, salt) {
            (Some(secret), Some(salt)) => MaskContext::new(secret, salt),
            _ => MaskContext::without_keys(),
        };
        Self {
            columns: columns
                .iter()
                .map(|(code, rule)| ViewColumn {
                    name: code.clone(),
                    rule: *rule,
                })
                .collect(),
            row_filter: row_filter.to_vec(),
            mask: Arc::new(mask),
        }
    }

    /// The same rows with only `columns`, each as stored: what a verification index compares
    /// (H21), where no value leaves and a masked value could never match a claim.
    pub fn clear_columns(&self, columns: &[&str]) -> Self {
        Self {
            columns: columns.iter().map(|c| ViewColumn::clear(c)).collect(),
            row_filter: self.row_filter.clone(),
            mask: Arc::clone(&self.mask),
        }
    }
}
