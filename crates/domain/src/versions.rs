//! Data versions held for their owner's confirmation (H11, H12, B17; issue 11 item 4). An
//! upload normally becomes the entry's current version at once. One that is empty, or whose
//! row count falls below half of the current version's, is far more often a wrong file (a
//! header-only export, a truncated extract, last month's partial) than a real change, and
//! making it current would silently empty every reader's view. Such a version is stored but
//! **held**: readers, grantees and the quality bookkeeping keep seeing the current version
//! until the owner agency confirms the held one (or discards it by withdrawing it).
//!
//! The rule is pure: the row counts in, whether to hold and why out.
//!
//! A version also records the columns its Parquet file was written with ([`VersionColumn`]):
//! the store parses them once, and a schema that does not parse is an error, never empty.

use serde::{Deserialize, Serialize};

use crate::catalog::DataType;

/// A version whose row count falls below this share (in percent) of the current version's is
/// held. Half: a monthly register that loses half its rows between two uploads is almost
/// always an incomplete file, and a real halving is rare enough to ask about.
pub const SHARP_DROP_PERCENT: u64 = 50;

/// One column of a version's data file: the data item's code it is named by and the type its
/// values were written as. Stored (and shown) as `{code, data_type}`, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionColumn {
    pub code: String,
    pub data_type: DataType,
}

/// Where a stored version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionState {
    /// Part of the entry's history; the newest committed version not withdrawn is current.
    Committed,
    /// Stored, but never current until its owner confirms it.
    Held,
}

impl VersionState {
    pub const ALL: [VersionState; 2] = [VersionState::Committed, VersionState::Held];

    /// The stable code (storage, API).
    pub fn code(self) -> &'static str {
        match self {
            VersionState::Committed => "committed",
            VersionState::Held => "held",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            VersionState::Committed => "已生效",
            VersionState::Held => "待确认",
        }
    }

    /// Parses a stored code; anything else is an error (fail closed), never a default.
    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or_else(|| UnknownCode::new("version state", code))
    }
}

impl TryFrom<String> for VersionState {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, UnknownCode> {
        Self::parse(&code)
    }
}

/// Why a version was held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HoldReason {
    /// The version has no rows.
    Empty,
    /// The version has fewer than [`SHARP_DROP_PERCENT`] % of the current version's rows.
    SharpDrop,
}

impl HoldReason {
    pub const ALL: [HoldReason; 2] = [HoldReason::Empty, HoldReason::SharpDrop];

    pub fn code(self) -> &'static str {
        match self {
            HoldReason::Empty => "empty",
            HoldReason::SharpDrop => "sharp_drop",
        }
    }

    pub fn parse(code: &str) -> Result<Self, UnknownCode> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .ok_or_else(|| UnknownCode::new("hold reason", code))
    }

    /// The explanation in Chinese, with the row counts before (the current version's, if
    /// any) and after.
    pub fn zh(self, before: Option<u64>, after: u64) -> String {
        match (self, before) {
            (HoldReason::Empty, Some(before)) => format!(
                "新版本没有数据行（现行版本有{before}行），已保存但暂不生效，须经本单位确认后才替换现行版本"
            ),
            (HoldReason::Empty, None) => {
                "新版本没有数据行，已保存但暂不生效，须经本单位确认后才作为现行版本".into()
            }
            (HoldReason::SharpDrop, before) => format!(
                "新版本行数由{}行降至{after}行，低于现行版本的{SHARP_DROP_PERCENT}%，已保存但暂不生效，须经本单位确认后才替换现行版本",
                before.unwrap_or(0)
            ),
        }
    }

    pub fn en(self, before: Option<u64>, after: u64) -> String {
        match (self, before) {
            (HoldReason::Empty, Some(before)) => format!(
                "the new version has no rows (the current one has {before}); it is stored but held until the owner agency confirms it"
            ),
            (HoldReason::Empty, None) => {
                "the new version has no rows; it is stored but held until the owner agency confirms it".into()
            }
            (HoldReason::SharpDrop, before) => format!(
                "the row count falls from {} to {after}, below {SHARP_DROP_PERCENT}% of the current version; the new version is stored but held until the owner agency confirms it",
                before.unwrap_or(0)
            ),
        }
    }
}

/// Whether a new version of `rows` rows must be held, given the current version's row count
/// (`None` when the entry has no current version): an empty version always is; otherwise one
/// with fewer than [`SHARP_DROP_PERCENT`] % of the current rows.
pub fn hold_reason(current_rows: Option<u64>, rows: u64) -> Option<HoldReason> {
    if rows == 0 {
        return Some(HoldReason::Empty);
    }
    match current_rows {
        // rows / current < 50 %, in integers without overflow.
        Some(current)
            if u128::from(rows) * 100 < u128::from(current) * u128::from(SHARP_DROP_PERCENT) =>
        {
            Some(HoldReason::SharpDrop)
        }
        _ => None,
    }
}

/// A stored code that names nothing this version of the platform knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{code}`")]
pub struct UnknownCode {
    what: &'static str,
    code: String,
}

impl UnknownCode {
    fn new(what: &'static str, code: &str) -> Self {
        Self {
            what,
            code: code.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn an_empty_version_is_always_held() {
        assert_eq!(hold_reason(None, 0), Some(HoldReason::Empty));
        assert_eq!(hold_reason(Some(0), 0), Some(HoldReason::Empty));
        assert_eq!(hold_reason(Some(1_000_000), 0), Some(HoldReason::Empty));
    }

    #[test]
    fn a_drop_below_half_is_held_and_half_is_not() {
        assert_eq!(hold_reason(Some(1000), 499), Some(HoldReason::SharpDrop));
        assert_eq!(hold_reason(Some(1000), 500), None);
        assert_eq!(hold_reason(Some(1000), 600), None);
        assert_eq!(hold_reason(Some(10), 4), Some(HoldReason::SharpDrop));
        assert_eq!(hold_reason(None, 1), None, "a first version with rows");
        assert_eq!(
            hold_reason(Some(0), 1),
            None,
            "growth from an empty version"
        );
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_fail() {
        for s in VersionState::ALL {
            assert_eq!(VersionState::parse(s.code()), Ok(s));
        }
        for r in HoldReason::ALL {
            assert_eq!(HoldReason::parse(r.code()), Ok(r));
        }
        assert!(VersionState::parse("current").is_err());
        assert!(HoldReason::parse("").is_err());
    }

    #[test]
    fn stored_columns_read_back_and_unknown_types_fail() {
        let stored = r#"[{"code":"xm","data_type":"text"},{"code":"csrq","data_type":"datetime"}]"#;
        let columns: Vec<VersionColumn> = serde_json::from_str(stored).unwrap();
        assert_eq!(columns[1].data_type, DataType::DateTime);
        assert_eq!(serde_json::to_string(&columns).unwrap(), stored);
        let unknown = stored.replace("datetime", "timestamp");
        assert!(serde_json::from_str::<Vec<VersionColumn>>(&unknown).is_err());
        assert!(serde_json::from_str::<Vec<VersionColumn>>(r#"{"xm":"text"}"#).is_err());
    }

    #[test]
    fn explanations_name_both_row_counts() {
        let zh = HoldReason::SharpDrop.zh(Some(1_000_000), 400_000);
        assert!(zh.contains("1000000") && zh.contains("400000"), "{zh}");
        let en = HoldReason::Empty.en(Some(1_000_000), 0);
        assert!(en.contains("1000000"), "{en}");
    }

    proptest! {
        #[test]
        fn held_exactly_when_empty_or_below_half(current in proptest::option::of(0u64..=u64::MAX), rows in 0u64..=u64::MAX) {
            let held = hold_reason(current, rows).is_some();
            let expected = rows == 0 || current.is_some_and(|c| u128::from(rows) * 2 < u128::from(c));
            prop_assert_eq!(held, expected);
        }

        #[test]
        fn growing_never_holds(current in 1u64..u64::MAX / 2, extra in 0u64..1000) {
            prop_assert_eq!(hold_reason(Some(current), current + extra), None);
        }
    }
}
