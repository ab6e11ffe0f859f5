//! The quality rules an owner agency adds to its data items: which kinds fit which data
//! types, and the validation of their parameters (enumerated values, range bounds, patterns)
//! into one canonical, stored form.

use serde::{Deserialize, Serialize};

use super::bounds::RangeValue;
use crate::catalog::{DataType, Vocabulary, vocabulary};
use crate::{Violation, Violations};

/// A compiled pattern, as [`compile_pattern`] returns it (re-exported so the checker uses the
/// same engine and limits as the validator).
pub use regex::Regex;

vocabulary! {
    /// The kinds of quality rule an owner agency may add to a data item.
    RuleKind, "kind", "规则类型" {
        Required = "required", "必填";
        Unique = "unique", "唯一（主键）";
        Enum = "enum", "枚举值";
        Range = "range", "取值范围";
        Pattern = "pattern", "格式（正则表达式）";
    }
}

/// A validated quality rule on one data item. Stored as JSON (`kind` plus its parameters);
/// bounds and enumerated values are kept in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QualityRule {
    /// The item should be filled in every row (completeness).
    Required,
    /// The item is part of the entry's declared key; all items with this rule together
    /// identify a row (uniqueness).
    Unique,
    /// The value must be one of these (text and integer items).
    Enum { values: Vec<String> },
    /// The value must lie within these bounds, both inclusive (integer, decimal, date and
    /// datetime items).
    Range {
        min: Option<String>,
        max: Option<String>,
    },
    /// The whole value must match this regular expression (text, citizen-ID and credit-code
    /// items).
    Pattern { regex: String },
}

impl QualityRule {
    pub fn kind(&self) -> RuleKind {
        match self {
            QualityRule::Required => RuleKind::Required,
            QualityRule::Unique => RuleKind::Unique,
            QualityRule::Enum { .. } => RuleKind::Enum,
            QualityRule::Range { .. } => RuleKind::Range,
            QualityRule::Pattern { .. } => RuleKind::Pattern,
        }
    }

    /// Whether the rule can apply to an item of this type (an item's type may change in a
    /// later catalog revision; a rule that no longer fits is skipped, not enforced wrongly).
    pub fn fits(&self, data_type: DataType) -> bool {
        self.kind().fits(data_type)
    }
}

impl RuleKind {
    /// The data types a rule of this kind applies to.
    pub fn fits(self, data_type: DataType) -> bool {
        use DataType as T;
        match self {
            RuleKind::Required | RuleKind::Unique => true,
            RuleKind::Enum => matches!(data_type, T::Text | T::Integer),
            RuleKind::Range => matches!(data_type, T::Integer | T::Decimal | T::Date | T::DateTime),
            RuleKind::Pattern => matches!(data_type, T::Text | T::CitizenId | T::CreditCode),
        }
    }
}

/// The parameters of a rule as the owner agency gives them; which ones a kind takes is
/// checked by [`validate_rule`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleParams {
    pub values: Option<Vec<String>>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub pattern: Option<String>,
}

/// At most this many enumerated values per rule.
pub const MAX_ENUM_VALUES: usize = 1000;
/// At most this many characters per enumerated value.
pub const MAX_ENUM_VALUE_CHARS: usize = 200;
/// At most this many characters in a pattern.
pub const MAX_PATTERN_CHARS: usize = 500;
/// The compiled size limit of a pattern, in bytes: a pattern is run on every value of a
/// version (millions of them), so one that compiles to a huge automaton is refused up front.
pub const PATTERN_SIZE_LIMIT: usize = 256 * 1024;

/// Validates a rule of `kind` for an item of `data_type`: which kinds fit which types, the
/// parameters each kind takes, well-formed bounds in order, and a pattern that compiles within
/// the size limit. Every broken rule is reported, each on its field.
pub fn validate_rule(
    kind: &str,
    data_type: DataType,
    params: RuleParams,
) -> Result<QualityRule, Violations> {
    let kind = RuleKind::parse(kind)?;
    let mut v = Violations::default();
    if !kind.fits(data_type) {
        v.push(Violation::new(
            "kind",
            "rule_does_not_fit",
            format!(
                "“{}”规则不适用于数据类型为“{}”的信息项",
                kind.zh(),
                data_type.zh()
            ),
            format!(
                "a `{}` rule does not apply to an item of type `{}`",
                kind.code(),
                data_type.code()
            ),
        ));
        return Err(v);
    }
    let RuleParams {
        values,
        min,
        max,
        pattern,
    } = params;
    let taken: &[&str] = match kind {
        RuleKind::Required | RuleKind::Unique => &[],
        RuleKind::Enum => &["values"],
        RuleKind::Range => &["min", "max"],
        RuleKind::Pattern => &["pattern"],
    };
    for (field, given) in [
        ("values", values.is_some()),
        ("min", min.is_some()),
        ("max", max.is_some()),
        ("pattern", pattern.is_some()),
    ] {
        if given && !taken.contains(&field) {
            v.push(Violation::new(
                field,
                "not_allowed",
                format!("“{}”规则不接受参数 {field}", kind.zh()),
                format!("a `{}` rule takes no `{field}`", kind.code()),
            ));
        }
    }
    let rule = match kind {
        RuleKind::Required => Some(QualityRule::Required),
        RuleKind::Unique => Some(QualityRule::Unique),
        RuleKind::Enum => enum_values(&mut v, data_type, values.unwrap_or_default())
            .map(|values| QualityRule::Enum { values }),
        RuleKind::Range => range(&mut v, data_type, min, max),
        RuleKind::Pattern => {
            let pattern = pattern.unwrap_or_default();
            let trimmed = pattern.trim();
            if trimmed.is_empty() {
                v.push(Violation::required("pattern", "正则表达式"));
                None
            } else if trimmed.chars().count() > MAX_PATTERN_CHARS {
                v.push(Violation::too_long(
                    "pattern",
                    "正则表达式",
                    MAX_PATTERN_CHARS,
                ));
                None
            } else {
                match compile_pattern(trimmed) {
                    Ok(_) => Some(QualityRule::Pattern {
                        regex: trimmed.to_owned(),
                    }),
                    Err(e) => {
                        v.push(e);
                        None
                    }
                }
            }
        }
    };
    v.into_result()?;
    rule.ok_or_else(|| Violations(vec![Violation::required("kind", "规则类型")]))
}

fn enum_values(v: &mut Violations, data_type: DataType, raw: Vec<String>) -> Option<Vec<String>> {
    if raw.is_empty() {
        v.push(Violation::new(
            "values",
            "required",
            "请至少列出一个允许的取值",
            "list at least one allowed value",
        ));
        return None;
    }
    if raw.len() > MAX_ENUM_VALUES {
        v.push(Violation::new(
            "values",
            "too_many",
            format!("允许的取值最多{MAX_ENUM_VALUES}个"),
            format!("at most {MAX_ENUM_VALUES} allowed values"),
        ));
        return None;
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let before = v.0.len();
    for value in raw {
        let value = value.trim();
        if value.is_empty() {
            v.push(Violation::new(
                "values",
                "blank_value",
                "允许的取值不能为空白",
                "an allowed value is blank",
            ));
            continue;
        }
        if value.chars().count() > MAX_ENUM_VALUE_CHARS {
            v.push(Violation::new(
                "values",
                "too_long",
                format!("每个取值不能超过{MAX_ENUM_VALUE_CHARS}个字符"),
                format!("each value must be at most {MAX_ENUM_VALUE_CHARS} characters"),
            ));
            continue;
        }
        let canonical = match data_type {
            DataType::Integer => match value.parse::<i64>() {
                Ok(n) => n.to_string(),
                Err(_) => {
                    v.push(Violation::new(
                        "values",
                        "not_an_integer",
                        format!("“{value}”不是整数，整数信息项的取值必须是整数"),
                        format!("`{value}` is not an integer, as the item's values must be"),
                    ));
                    continue;
                }
            },
            _ => value.to_owned(),
        };
        if out.contains(&canonical) {
            v.push(Violation::new(
                "values",
                "duplicate_value",
                format!("取值“{value}”重复"),
                format!("`{value}` is listed twice"),
            ));
            continue;
        }
        out.push(canonical);
    }
    (v.0.len() == before).then_some(out)
}

fn range(
    v: &mut Violations,
    data_type: DataType,
    min: Option<String>,
    max: Option<String>,
) -> Option<QualityRule> {
    let min = min.filter(|m| !m.trim().is_empty());
    let max = max.filter(|m| !m.trim().is_empty());
    if min.is_none() && max.is_none() {
        v.push(Violation::new(
            "min",
            "required",
            "请至少给出下限或上限之一",
            "give a minimum, a maximum or both",
        ));
        return None;
    }
    let bound = |v: &mut Violations, field: &'static str, raw: Option<String>| match raw {
        None => Some(None),
        Some(raw) => match RangeValue::parse(data_type, &raw) {
            Some(value) => Some(Some(value)),
            None => {
                v.push(Violation::new(
                    field,
                    "bad_bound",
                    format!(
                        "“{}”不是有效的{}（{}）",
                        raw.trim(),
                        data_type.zh(),
                        bound_example(data_type)
                    ),
                    format!(
                        "`{}` is not a valid {} (e.g. {})",
                        raw.trim(),
                        data_type.code(),
                        bound_example(data_type)
                    ),
                ));
                None
            }
        },
    };
    let lo = bound(v, "min", min)?;
    let hi = bound(v, "max", max)?;
    if let (Some(lo), Some(hi)) = (&lo, &hi)
        && lo.ordinal() > hi.ordinal()
    {
        v.push(Violation::new(
            "max",
            "min_above_max",
            "下限大于上限",
            "the minimum is above the maximum",
        ));
        return None;
    }
    Some(QualityRule::Range {
        min: lo.map(|b| b.canonical()),
        max: hi.map(|b| b.canonical()),
    })
}

fn bound_example(data_type: DataType) -> &'static str {
    match data_type {
        DataType::Integer => "0、150",
        DataType::Decimal => "0、99.5，最多6位小数",
        DataType::Date => "2024-01-01",
        DataType::DateTime => "2024-01-01 08:00:00",
        _ => "",
    }
}

/// Compiles a pattern as it is checked: anchored, so the *whole* value must match (a rule
/// `\d{6}` on a postcode refuses `1234567`), and within [`PATTERN_SIZE_LIMIT`]. A pattern that
/// does not compile is a violation on the `pattern` field with the parser's reason.
pub fn compile_pattern(pattern: &str) -> Result<Regex, Violation> {
    regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(PATTERN_SIZE_LIMIT)
        .dfa_size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let reason = match &e {
                regex::Error::CompiledTooBig(_) => "the pattern compiles too large".to_owned(),
                other => other
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            };
            Violation::new(
                "pattern",
                "bad_pattern",
                format!("正则表达式无效或过于复杂：{reason}"),
                format!("the pattern is invalid or too complex: {reason}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> RuleParams {
        RuleParams::default()
    }

    fn codes(e: &Violations) -> Vec<(&str, &str)> {
        e.0.iter().map(|v| (v.field.as_str(), v.code)).collect()
    }

    // H11: each kind fits the data types it can be checked on, and says so otherwise.
    #[test]
    fn h11_rules_fit_only_the_types_they_can_check() {
        assert_eq!(
            validate_rule("required", DataType::Boolean, params()),
            Ok(QualityRule::Required)
        );
        assert_eq!(
            validate_rule("唯一（主键）", DataType::CitizenId, params()),
            Ok(QualityRule::Unique)
        );
        for (kind, data_type) in [
            ("enum", DataType::Date),
            ("range", DataType::Text),
            ("pattern", DataType::Integer),
        ] {
            let e = validate_rule(kind, data_type, params()).unwrap_err();
            assert_eq!(codes(&e), [("kind", "rule_does_not_fit")], "{kind}");
            assert!(e.0[0].zh.contains("不适用"));
        }
        let e = validate_rule("checksum", DataType::Text, params()).unwrap_err();
        assert_eq!(codes(&e), [("kind", "unknown_value")]);
        let e = validate_rule(
            "required",
            DataType::Text,
            RuleParams {
                min: Some("1".into()),
                ..params()
            },
        )
        .unwrap_err();
        assert_eq!(codes(&e), [("min", "not_allowed")]);
    }

    // H11: enumerations are trimmed, de-duplicated by refusal, and typed for integer items.
    #[test]
    fn h11_enum_values_are_checked_and_canonical() {
        let values = |v: &[&str]| RuleParams {
            values: Some(v.iter().map(|s| (*s).to_owned()).collect()),
            ..params()
        };
        assert_eq!(
            validate_rule("enum", DataType::Text, values(&[" 男 ", "女"])),
            Ok(QualityRule::Enum {
                values: vec!["男".into(), "女".into()]
            })
        );
        assert_eq!(
            validate_rule("enum", DataType::Integer, values(&["+1", "2"])),
            Ok(QualityRule::Enum {
                values: vec!["1".into(), "2".into()]
            })
        );
        let e =
            validate_rule("enum", DataType::Integer, values(&["1", "一", "1", " "])).unwrap_err();
        assert_eq!(
            codes(&e),
            [
                ("values", "not_an_integer"),
                ("values", "duplicate_value"),
                ("values", "blank_value")
            ]
        );
        let e = validate_rule("enum", DataType::Text, values(&[])).unwrap_err();
        assert_eq!(codes(&e), [("values", "required")]);
    }

    // H11: range bounds parse for their type, are stored canonically and must be in order.
    #[test]
    fn h11_range_bounds_parse_by_type_and_stay_in_order() {
        let range = |min: Option<&str>, max: Option<&str>| RuleParams {
            min: min.map(str::to_owned),
            max: max.map(str::to_owned),
            ..params()
        };
        assert_eq!(
            validate_rule(
                "range",
                DataType::Decimal,
                range(Some("0.50"), Some("+100"))
            ),
            Ok(QualityRule::Range {
                min: Some("0.5".into()),
                max: Some("100".into())
            })
        );
        assert_eq!(
            validate_rule(
                "range",
                DataType::DateTime,
                range(Some("2024-01-01 08:00:00"), None)
            ),
            Ok(QualityRule::Range {
                min: Some("2024-01-01T08:00:00+08:00".into()),
                max: None
            })
        );
        let e =
            validate_rule("range", DataType::Integer, range(Some("10"), Some("1"))).unwrap_err();
        assert_eq!(codes(&e), [("max", "min_above_max")]);
        let e =
            validate_rule("range", DataType::Date, range(Some("2024-02-30"), None)).unwrap_err();
        assert_eq!(codes(&e), [("min", "bad_bound")]);
        assert!(e.0[0].zh.contains("2024-01-01"), "{}", e.0[0].zh);
        let e =
            validate_rule("range", DataType::Decimal, range(None, Some("1.0000001"))).unwrap_err();
        assert_eq!(codes(&e), [("max", "bad_bound")]);
        let e = validate_rule("range", DataType::Integer, range(None, Some(" "))).unwrap_err();
        assert_eq!(codes(&e), [("min", "required")]);
    }

    // H11: a pattern must match the whole value, compile, and stay small.
    #[test]
    fn h11_patterns_match_whole_values_and_are_size_limited() {
        let pattern = |p: &str| RuleParams {
            pattern: Some(p.to_owned()),
            ..params()
        };
        assert_eq!(
            validate_rule("pattern", DataType::Text, pattern(r"\d{6}")),
            Ok(QualityRule::Pattern {
                regex: r"\d{6}".into()
            })
        );
        let re = compile_pattern(r"\d{6}").unwrap();
        assert!(re.is_match("010010"));
        assert!(!re.is_match("0100101"), "anchored at both ends");
        let e = validate_rule("pattern", DataType::Text, pattern("(unclosed")).unwrap_err();
        assert_eq!(codes(&e), [("pattern", "bad_pattern")]);
        let e = validate_rule(
            "pattern",
            DataType::Text,
            pattern(r"\w{1000}\w{1000}\w{1000}"),
        )
        .unwrap_err();
        assert_eq!(codes(&e), [("pattern", "bad_pattern")]);
        assert!(e.0[0].en.contains("too large"), "{}", e.0[0].en);
        let e = validate_rule("pattern", DataType::Text, pattern(&"a".repeat(501))).unwrap_err();
        assert_eq!(codes(&e), [("pattern", "too_long")]);
    }
}
