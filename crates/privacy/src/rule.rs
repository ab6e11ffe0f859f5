//! A masking rule as data (stored with a policy, one per item) and the one function that applies
//! any rule to any value.
//!
//! Wire form (JSON), checked on the way in:
//! ```json
//! {"kind": "keep", "first": 3, "last": 4}
//! {"kind": "null"}
//! {"kind": "generalise", "to": "year"}        // also "month", "district"
//! {"kind": "generalise", "to": "range", "width": 10}
//! {"kind": "pseudonym"}
//! ```

use std::num::NonZeroU64;

use gongshu_domain::catalog::DataType;
use serde::{Deserialize, Serialize};

use crate::generalise::GeneraliseTo;
use crate::{Generalise, Keep, MaskContext, RuleError};

/// How one item's values are shown to a reader. Every rule maps text to text (or NULL), so a
/// masked column is a text column whatever the type of the source item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RuleSpec", into = "RuleSpec")]
pub enum MaskingRule {
    /// Keep the first / last few characters, one `*` per hidden character.
    Keep(Keep),
    /// Show nothing: every value becomes NULL.
    Null,
    /// Replace the value by a coarser class (year, month, range, district).
    Generalise(Generalise),
    /// Replace the value by a keyed token, stable within the policy.
    Pseudonym,
}

/// The unchecked wire form; [`MaskingRule`] is only ever built from it through validation.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RuleSpec {
    Keep {
        first: usize,
        last: usize,
    },
    Null {},
    Generalise {
        to: GeneraliseTo,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        width: Option<u64>,
    },
    Pseudonym {},
}

impl TryFrom<RuleSpec> for MaskingRule {
    type Error = RuleError;

    fn try_from(spec: RuleSpec) -> Result<Self, Self::Error> {
        Ok(match spec {
            RuleSpec::Keep { first, last } => MaskingRule::keep(first, last)?,
            RuleSpec::Null {} => MaskingRule::Null,
            RuleSpec::Pseudonym {} => MaskingRule::Pseudonym,
            RuleSpec::Generalise { to, width } => MaskingRule::Generalise(match (to, width) {
                (GeneraliseTo::Range, Some(w)) => Generalise::range(w)?,
                (GeneraliseTo::Range, None) => return Err(RuleError::MissingWidth),
                (other, Some(_)) => return Err(RuleError::UnexpectedWidth { to: other.code() }),
                (GeneraliseTo::Year, None) => Generalise::Year,
                (GeneraliseTo::Month, None) => Generalise::Month,
                (GeneraliseTo::District, None) => Generalise::District,
            }),
        })
    }
}

impl From<MaskingRule> for RuleSpec {
    fn from(rule: MaskingRule) -> Self {
        match rule {
            MaskingRule::Keep(k) => RuleSpec::Keep {
                first: k.first(),
                last: k.last(),
            },
            MaskingRule::Null => RuleSpec::Null {},
            MaskingRule::Pseudonym => RuleSpec::Pseudonym {},
            MaskingRule::Generalise(g) => RuleSpec::Generalise {
                to: g.to(),
                width: match g {
                    Generalise::Range { width } => Some(width.get()),
                    _ => None,
                },
            },
        }
    }
}

impl MaskingRule {
    /// Keep the first `first` and last `last` characters (see [`Keep`] for the edge cases).
    pub fn keep(first: usize, last: usize) -> Result<Self, RuleError> {
        Keep::new(first, last).map(MaskingRule::Keep)
    }

    /// Numbers → buckets of `width` integers (`20-29`).
    pub fn range(width: u64) -> Result<Self, RuleError> {
        Generalise::range(width).map(MaskingRule::Generalise)
    }

    /// 公民身份号码 `11010519491231002X` → `110***********002X`: the first three digits (province
    /// and city) and the last four.
    pub const fn citizen_id() -> Self {
        MaskingRule::Keep(Keep::new_unchecked(3, 4))
    }

    /// Mobile number `13812345678` → `138****5678`.
    pub const fn mobile() -> Self {
        MaskingRule::Keep(Keep::new_unchecked(3, 4))
    }

    /// Chinese name: the first character (the surname) only — `张*`, `张**`, `欧***`.
    pub const fn chinese_name() -> Self {
        MaskingRule::Keep(Keep::new_unchecked(1, 0))
    }

    /// 统一社会信用代码 → the first eight characters (registering authority, organisation type,
    /// administrative division), which say where and what kind, not which organisation.
    pub const fn credit_code() -> Self {
        MaskingRule::Keep(Keep::new_unchecked(8, 0))
    }

    /// Dates → year.
    pub const fn year() -> Self {
        MaskingRule::Generalise(Generalise::Year)
    }

    /// Dates → year and month.
    pub const fn year_month() -> Self {
        MaskingRule::Generalise(Generalise::Month)
    }

    /// Ages → ten-year buckets (`20-29`).
    pub const fn age_bracket() -> Self {
        MaskingRule::Generalise(Generalise::Range {
            width: NonZeroU64::new(10).expect("10 is not zero"),
        })
    }

    /// Addresses → district.
    pub const fn district() -> Self {
        MaskingRule::Generalise(Generalise::District)
    }

    /// The rule in words, for the reviewer who approves it (H19) and the reader who gets it.
    pub fn zh(&self) -> String {
        match self {
            MaskingRule::Keep(k) => format!("保留前{}位、后{}位，其余以*代替", k.first(), k.last()),
            MaskingRule::Null => "不显示（置空）".into(),
            MaskingRule::Generalise(Generalise::Year) => "泛化到年份".into(),
            MaskingRule::Generalise(Generalise::Month) => "泛化到年月".into(),
            MaskingRule::Generalise(Generalise::Range { width }) => {
                format!("泛化为宽度{width}的区间")
            }
            MaskingRule::Generalise(Generalise::District) => "泛化到区县".into(),
            MaskingRule::Pseudonym => "假名化（不可逆的标识符）".into(),
        }
    }

    /// Applies the rule; see [`apply`].
    pub fn apply(&self, value: Option<&str>, ctx: &MaskContext) -> Option<String> {
        apply(self, value, ctx)
    }
}

/// Masks one value. NULL stays NULL under every rule. A value a rule cannot read (a non-date for
/// a year, a non-number for a range, an address without a city, a pseudonym without keys)
/// becomes NULL too: **masking fails closed** and never passes the raw value through.
pub fn apply(rule: &MaskingRule, value: Option<&str>, ctx: &MaskContext) -> Option<String> {
    let value = value?;
    match rule {
        MaskingRule::Keep(k) => Some(k.apply(value)),
        MaskingRule::Null => None,
        MaskingRule::Generalise(g) => g.apply(value),
        MaskingRule::Pseudonym => ctx.pseudonym(value),
    }
}

/// The rule an item gets when it must be masked and no reviewer chose one (B35, H19): picked by
/// the item's data type and, for text, by words in its Chinese name.
///
/// | data type | item name contains | rule |
/// |---|---|---|
/// | `citizen_id` | | [`citizen_id`](MaskingRule::citizen_id) `110***********002X` |
/// | `credit_code` | | [`credit_code`](MaskingRule::credit_code) (first 8) |
/// | `date`, `datetime` | | [`year`](MaskingRule::year) |
/// | `integer` | 年龄 | [`age_bracket`](MaskingRule::age_bracket) `20-29` |
/// | `text` | 身份证, 证件号 | [`citizen_id`](MaskingRule::citizen_id) |
/// | `text` | 姓名, 名字 | [`chinese_name`](MaskingRule::chinese_name) `张*` |
/// | `text` | 手机, 电话, 联系方式 | [`mobile`](MaskingRule::mobile) `138****5678` |
/// | `text` | 地址, 住址, 住所 | [`district`](MaskingRule::district) |
/// | anything else | | `Null` |
///
/// When a value's meaning cannot be told from its item, the safe default is to show nothing.
pub fn default_for(data_type: DataType, item_name: Option<&str>) -> MaskingRule {
    let named = |words: &[&str]| item_name.is_some_and(|n| words.iter().any(|w| n.contains(w)));
    match data_type {
        DataType::CitizenId => MaskingRule::citizen_id(),
        DataType::CreditCode => MaskingRule::credit_code(),
        DataType::Date | DataType::DateTime => MaskingRule::year(),
        DataType::Integer if named(&["年龄"]) => MaskingRule::age_bracket(),
        DataType::Text if named(&["身份证", "证件号"]) => MaskingRule::citizen_id(),
        DataType::Text if named(&["姓名", "名字"]) => MaskingRule::chinese_name(),
        DataType::Text if named(&["手机", "电话", "联系方式"]) => MaskingRule::mobile(),
        DataType::Text if named(&["地址", "住址", "住所"]) => MaskingRule::district(),
        DataType::Text | DataType::Integer | DataType::Decimal | DataType::Boolean => {
            MaskingRule::Null
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::{PolicySalt, Secret};

    fn ctx() -> MaskContext {
        MaskContext::new(
            &Secret::new(*b"gongshu-test-platform-secret-01").unwrap(),
            &PolicySalt::from_bytes([7; 16]),
        )
    }

    fn all_rules() -> Vec<MaskingRule> {
        vec![
            MaskingRule::citizen_id(),
            MaskingRule::mobile(),
            MaskingRule::chinese_name(),
            MaskingRule::credit_code(),
            MaskingRule::keep(0, 0).unwrap(),
            MaskingRule::Null,
            MaskingRule::year(),
            MaskingRule::year_month(),
            MaskingRule::age_bracket(),
            MaskingRule::range(1000).unwrap(),
            MaskingRule::district(),
            MaskingRule::Pseudonym,
        ]
    }

    // H19, B35: the issue's examples through the one entry point.
    #[test]
    fn named_defaults_mask_like_the_issue_says() {
        let c = ctx();
        let m = |rule: MaskingRule, v: &str| apply(&rule, Some(v), &c);
        assert_eq!(
            m(MaskingRule::citizen_id(), "11010519491231002X").as_deref(),
            Some("110***********002X")
        );
        assert_eq!(
            m(MaskingRule::mobile(), "13812345678").as_deref(),
            Some("138****5678")
        );
        assert_eq!(
            m(MaskingRule::chinese_name(), "张三").as_deref(),
            Some("张*")
        );
        assert_eq!(
            m(MaskingRule::chinese_name(), "张三丰").as_deref(),
            Some("张**")
        );
        assert_eq!(
            m(MaskingRule::credit_code(), "91110000600037341L").as_deref(),
            Some("91110000**********")
        );
        assert_eq!(
            m(MaskingRule::year(), "2024-03-15").as_deref(),
            Some("2024")
        );
        assert_eq!(
            m(MaskingRule::year_month(), "2024-03-15").as_deref(),
            Some("2024-03")
        );
        assert_eq!(
            m(MaskingRule::age_bracket(), "27").as_deref(),
            Some("20-29")
        );
        assert_eq!(
            m(
                MaskingRule::district(),
                "内蒙古自治区呼和浩特市新城区海拉尔东街12号"
            )
            .as_deref(),
            Some("内蒙古自治区呼和浩特市新城区")
        );
        assert_eq!(m(MaskingRule::Null, "张三"), None);
        let token = m(MaskingRule::Pseudonym, "11010519491231002X").unwrap();
        assert_eq!(token.len(), 32);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    // H19: NULL in, NULL out, for every rule.
    #[test]
    fn null_stays_null_under_every_rule() {
        for rule in all_rules() {
            assert_eq!(apply(&rule, None, &ctx()), None, "{rule:?}");
            assert_eq!(apply(&rule, None, &MaskContext::without_keys()), None);
        }
    }

    // H19: masking fails closed — unreadable input becomes NULL, never the raw value.
    #[test]
    fn unreadable_values_are_masked_to_null() {
        let c = ctx();
        assert_eq!(MaskingRule::year().apply(Some("不详"), &c), None);
        assert_eq!(
            MaskingRule::year_month().apply(Some("2024-02-30"), &c),
            None
        );
        assert_eq!(MaskingRule::age_bracket().apply(Some("二十七"), &c), None);
        assert_eq!(MaskingRule::district().apply(Some("建国路88号"), &c), None);
        assert_eq!(
            MaskingRule::Pseudonym.apply(Some("11010519491231002X"), &MaskContext::without_keys()),
            None
        );
    }

    #[test]
    fn rules_round_trip_through_json() {
        let c = [
            (
                MaskingRule::citizen_id(),
                r#"{"kind":"keep","first":3,"last":4}"#,
            ),
            (MaskingRule::Null, r#"{"kind":"null"}"#),
            (MaskingRule::year(), r#"{"kind":"generalise","to":"year"}"#),
            (
                MaskingRule::year_month(),
                r#"{"kind":"generalise","to":"month"}"#,
            ),
            (
                MaskingRule::age_bracket(),
                r#"{"kind":"generalise","to":"range","width":10}"#,
            ),
            (
                MaskingRule::district(),
                r#"{"kind":"generalise","to":"district"}"#,
            ),
            (MaskingRule::Pseudonym, r#"{"kind":"pseudonym"}"#),
        ];
        for (rule, json) in c {
            assert_eq!(serde_json::to_string(&rule).unwrap(), json);
            assert_eq!(serde_json::from_str::<MaskingRule>(json).unwrap(), rule);
        }
    }

    // Parse, don't validate: a bad rule cannot be read in.
    #[test]
    fn bad_rules_are_refused_on_the_way_in() {
        for json in [
            r#"{"kind":"keep","first":40,"last":0}"#,
            r#"{"kind":"keep","first":3}"#,
            r#"{"kind":"keep","first":3,"last":4,"middle":1}"#,
            r#"{"kind":"null","first":1}"#,
            r#"{"kind":"pseudonym","salt":"00"}"#,
            r#"{"kind":"generalise","to":"range"}"#,
            r#"{"kind":"generalise","to":"range","width":0}"#,
            r#"{"kind":"generalise","to":"year","width":10}"#,
            r#"{"kind":"generalise","to":"century"}"#,
            r#"{"kind":"shuffle"}"#,
            r#"{"first":3,"last":4}"#,
        ] {
            assert!(serde_json::from_str::<MaskingRule>(json).is_err(), "{json}");
        }
        assert_eq!(MaskingRule::range(0), Err(RuleError::ZeroWidth));
        assert!(matches!(
            MaskingRule::keep(20, 20),
            Err(RuleError::KeepTooMuch { .. })
        ));
    }

    // B35: defaults by data type and item name.
    #[test]
    fn h19_every_rule_reads_in_chinese() {
        assert_eq!(
            MaskingRule::citizen_id().zh(),
            "保留前3位、后4位，其余以*代替"
        );
        assert_eq!(MaskingRule::age_bracket().zh(), "泛化为宽度10的区间");
        for rule in all_rules() {
            assert!(!rule.zh().is_empty(), "{rule:?}");
        }
    }

    #[test]
    fn defaults_follow_the_data_type_and_name() {
        use DataType::*;
        assert_eq!(default_for(CitizenId, None), MaskingRule::citizen_id());
        assert_eq!(
            default_for(CreditCode, Some("统一社会信用代码")),
            MaskingRule::credit_code()
        );
        assert_eq!(default_for(Date, Some("出生日期")), MaskingRule::year());
        assert_eq!(default_for(DateTime, None), MaskingRule::year());
        assert_eq!(
            default_for(Integer, Some("年龄")),
            MaskingRule::age_bracket()
        );
        assert_eq!(default_for(Integer, Some("家庭人口")), MaskingRule::Null);
        assert_eq!(default_for(Text, Some("姓名")), MaskingRule::chinese_name());
        assert_eq!(
            default_for(Text, Some("法定代表人姓名")),
            MaskingRule::chinese_name()
        );
        assert_eq!(
            default_for(Text, Some("身份证号码")),
            MaskingRule::citizen_id()
        );
        assert_eq!(default_for(Text, Some("手机号码")), MaskingRule::mobile());
        assert_eq!(default_for(Text, Some("联系电话")), MaskingRule::mobile());
        assert_eq!(default_for(Text, Some("户籍地址")), MaskingRule::district());
        assert_eq!(default_for(Text, Some("备注")), MaskingRule::Null);
        assert_eq!(default_for(Text, None), MaskingRule::Null);
        assert_eq!(default_for(Decimal, Some("月收入")), MaskingRule::Null);
        assert_eq!(default_for(Boolean, Some("是否低保")), MaskingRule::Null);
    }

    proptest! {
        // H19: keep, null and pseudonym never give a value back unchanged. (A generalisation may
        // legitimately equal its input: `2024` is its own year.) Values here hold no `*`: where
        // a hidden character is itself a `*`, the mask shows `*` again without revealing
        // anything (keep.rs checks the hidden positions directly).
        #[test]
        fn no_rule_passes_a_value_through(value in "[^*]{1,30}") {
            for rule in all_rules() {
                let out = apply(&rule, Some(&value), &ctx());
                if matches!(rule, MaskingRule::Keep(_) | MaskingRule::Pseudonym | MaskingRule::Null) {
                    prop_assert_ne!(out.as_deref(), Some(value.as_str()));
                }
            }
        }
    }
}
