//! A grant (授权) as the platform keeps it: the items, share modes, row filter, purpose and
//! period another agency may read an entry under, with the salt its pseudonyms are keyed by.
//! Stored values are parsed into these types once, at the store boundary; a value that does
//! not parse is an error there (fail closed), so no reader ever gets a grant with a silently
//! missing row filter.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::ShareMode;
use crate::filter::Filter;
use crate::sharing::{GrantState, GrantStatus};

/// A grant of one entry to one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub request_id: String,
    pub entry_id: String,
    pub source_org_id: String,
    pub grantee_org_id: String,
    /// The item codes the grantee sees.
    pub items: Vec<String>,
    pub modes: Vec<ShareMode>,
    pub row_filter: RowFilter,
    pub purpose: String,
    /// Valid over `[valid_from, valid_until)`, in microseconds since the epoch.
    pub valid_from: i64,
    pub valid_until: i64,
    pub state: GrantState,
    pub salt: PolicySalt,
    /// Why the state last changed (suspension, revocation); empty while active.
    pub state_reason: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Grant {
    /// What the grant allows at `now`.
    pub fn status(&self, now: i64) -> GrantStatus {
        GrantStatus::at(self.state, self.valid_from, self.valid_until, now)
    }

    pub fn covers(&self, mode: ShareMode) -> bool {
        self.modes.contains(&mode)
    }
}

/// The rows a grantee sees: every condition holds (`[[item, "op.value"], …]`, the data API's
/// operators). Each condition is parsed when the value is read, so a grant whose filter does not
/// parse cannot be loaded at all; the text is kept as written for showing and storing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<(String, String)>", into = "Vec<(String, String)>")]
pub struct RowFilter(Vec<RowCondition>);

/// One condition of a row filter: `item` compared as `spec` says (`gte.18`, `in.(a,b)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCondition {
    pub item: String,
    pub spec: String,
    pub filter: Filter,
}

/// A row filter condition that is not an item with an `op.value` condition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row filter condition {index}: {reason}")]
pub struct BadRowFilter {
    pub index: usize,
    pub reason: String,
}

impl RowFilter {
    /// No condition: every row.
    pub fn none() -> Self {
        Self::default()
    }

    pub fn conditions(&self) -> &[RowCondition] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The engine's filters, one per condition.
    pub fn filters(&self) -> Vec<Filter> {
        self.0.iter().map(|c| c.filter.clone()).collect()
    }

    /// The `[item, spec]` pairs, as the API shows them.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|c| (c.item.clone(), c.spec.clone()))
            .collect()
    }
}

impl TryFrom<Vec<(String, String)>> for RowFilter {
    type Error = BadRowFilter;

    /// Refuses blank items and conditions that do not parse, so a damaged value cannot pass
    /// for "no condition" or for a different one.
    fn try_from(pairs: Vec<(String, String)>) -> Result<Self, Self::Error> {
        pairs
            .into_iter()
            .enumerate()
            .map(|(index, (item, spec))| {
                let bad = |reason: String| BadRowFilter { index, reason };
                if item.trim().is_empty() {
                    return Err(bad("no item named".into()));
                }
                let filter = Filter::parse(&item, &spec).map_err(|e| bad(e.to_string()))?;
                Ok(RowCondition { item, spec, filter })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl From<RowFilter> for Vec<(String, String)> {
    fn from(f: RowFilter) -> Self {
        f.0.into_iter().map(|c| (c.item, c.spec)).collect()
    }
}

/// A policy's salt: 16 bytes, chosen at random when a grant is created and stored with it
/// (as 32 hex digits). Not secret on its own, but it belongs to one policy only, so the
/// pseudonyms of two grants cannot be linked.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PolicySalt([u8; 16]);

/// A stored salt that is not 32 hexadecimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a policy salt must be exactly 16 bytes, written as 32 hexadecimal digits")]
pub struct BadSalt;

impl PolicySalt {
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Reads the stored form: exactly 32 hexadecimal digits.
    pub fn parse_hex(text: &str) -> Result<Self, BadSalt> {
        let mut bytes = [0u8; 16];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| BadSalt)?;
        Ok(Self(bytes))
    }

    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

/// Salts are not secret, but they stay out of logs all the same.
impl fmt::Debug for PolicySalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PolicySalt(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn h20_row_filters_round_trip_and_damaged_ones_are_refused() {
        let f = RowFilter::try_from(pairs(&[("qx", "eq.新城区"), ("nl", "not.gte.60")])).unwrap();
        assert_eq!(f.conditions().len(), 2);
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, r#"[["qx","eq.新城区"],["nl","not.gte.60"]]"#);
        assert_eq!(serde_json::from_str::<RowFilter>(&json).unwrap(), f);
        assert_eq!(
            RowFilter::try_from(pairs(&[("qx", "eq.a"), ("", "eq.b")]))
                .unwrap_err()
                .index,
            1
        );
        assert_eq!(
            RowFilter::try_from(pairs(&[("qx", "新城区")]))
                .unwrap_err()
                .index,
            0
        );
        assert_eq!(
            RowFilter::try_from(pairs(&[("qx", "equals.a")]))
                .unwrap_err()
                .index,
            0
        );
        assert_eq!(f.filters()[1].column, "nl");
        assert!(f.filters()[1].negated);
        for damaged in [
            r#"{"qx":"eq.a"}"#,
            r#"[["qx"]]"#,
            "null",
            "[[1,2]]",
            "not json",
        ] {
            assert!(
                serde_json::from_str::<RowFilter>(damaged).is_err(),
                "{damaged}"
            );
        }
    }

    #[test]
    fn salts_are_32_hex_digits() {
        let salt = PolicySalt::parse_hex("000102030405060708090a0b0c0d0e0f").unwrap();
        assert_eq!(salt.as_bytes()[15], 15);
        assert_eq!(salt.to_hex(), "000102030405060708090a0b0c0d0e0f");
        for bad in [
            "",
            "00",
            "000102030405060708090a0b0c0d0e0f00",
            "zz01020304050607",
        ] {
            assert_eq!(PolicySalt::parse_hex(bad), Err(BadSalt), "{bad}");
        }
        assert_eq!(format!("{salt:?}"), "PolicySalt(..)");
    }
}
