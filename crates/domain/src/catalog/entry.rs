//! The rules a catalog entry must satisfy before it can be submitted (H2, H7, H8, H18, H25,
//! H36). The grade's rules come from the classification scheme the entry is graded under.
//! Every broken rule is reported with the field it concerns, so a form or an Excel import can
//! point at the cell.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::Vocabulary;
use super::grade::{Grade, SensitiveKind};
use super::grade_rule::{GradeRules, departure_reason_required};
use super::kinds::{
    DataForm, DataType, NotOpenReason, OpenType, ShareMode, ShareType, UpdateFrequency,
};
use crate::{Violation, Violations};

/// A structured citation (法律法规依据): the law and the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    pub law: String,
    pub article: String,
}

/// One data item (信息项) as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDraft {
    pub name: String,
    pub code: String,
    pub data_type: DataType,
    pub description: String,
    pub grade: Grade,
    pub personal: bool,
    pub sensitive: Option<SensitiveKind>,
    pub masked: bool,
}

/// A catalog entry as submitted, with its vocabularies already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDraft {
    pub name: String,
    pub summary: String,
    /// Marked as a state secret (涉密): refused outright (H2).
    pub state_secret: bool,
    pub grade: Grade,
    pub data_form: DataForm,
    pub share_type: ShareType,
    pub share_conditions: String,
    pub share_scope: String,
    pub share_modes: Vec<ShareMode>,
    pub open_type: OpenType,
    pub open_conditions: String,
    pub not_open_reason: Option<NotOpenReason>,
    pub legal_bases: Vec<LegalBasis>,
    pub update_frequency: UpdateFrequency,
    /// Why the share or open type departs from the grade's suggested one (偏离理由); empty
    /// when none is given.
    pub departure_reason: String,
    pub items: Vec<ItemDraft>,
}

/// The longest departure reason, in characters.
pub const DEPARTURE_REASON_MAX: usize = 1000;

fn item_code_ok(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && code.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// All the rules, with the grade rules of the scheme the entry is graded under; `Ok` only when
/// none is broken.
pub fn validate_entry(e: &EntryDraft, rules: &GradeRules) -> Result<(), Violations> {
    let mut v = Violations::default();
    if e.state_secret {
        v.push(Violation::new(
            "state_secret",
            "state_secret_refused",
            "涉及国家秘密的数据不得在公共数据平台编目或上传",
            "data marked as a state secret may not be catalogued on the platform",
        ));
    }
    v.text("name", "资源名称", &e.name, 100);
    v.text("summary", "资源摘要", &e.summary, 1000);

    // H18: no legal basis ⇒ unconditional; conditional and not-shared need one.
    if e.share_type != ShareType::Unconditional && e.legal_bases.is_empty() {
        v.push(Violation::new(
            "legal_bases",
            "legal_basis_required",
            "有条件共享或不予共享的数据必须列明法律、法规依据；无法律法规依据的应当无条件共享",
            "conditional and not-shared entries need a legal basis; without one the entry must be unconditionally shared",
        ));
    }
    if e.share_type == ShareType::Conditional && e.share_conditions.trim().is_empty() {
        v.push(Violation::new(
            "share_conditions",
            "share_conditions_required",
            "有条件共享的数据必须明确共享条件",
            "a conditional entry must state its share conditions",
        ));
    }
    for (i, basis) in e.legal_bases.iter().enumerate() {
        if basis.law.trim().is_empty() || basis.article.trim().is_empty() {
            v.push(Violation::new(
                format!("legal_bases[{i}]"),
                "incomplete_legal_basis",
                "法律法规依据须写明法律名称和条款",
                "a legal basis needs the law's name and the article",
            ));
        }
    }
    match e.share_type {
        ShareType::NotShared if e.share_modes.iter().any(|m| *m != ShareMode::Verification) => v
            .push(Violation::new(
                "share_modes",
                "not_shared_mode",
                "不予共享的数据只能提供核验比对",
                "not-shared data can only be offered for verification",
            )),
        ShareType::Unconditional | ShareType::Conditional if e.share_modes.is_empty() => {
            v.push(Violation::new(
                "share_modes",
                "required",
                "请至少选择一种共享方式",
                "choose at least one share mode",
            ))
        }
        _ => {}
    }

    // H25: not open needs its reason; conditional opening needs its conditions.
    if e.open_type == OpenType::NotOpen && e.not_open_reason.is_none() {
        v.push(Violation::new(
            "not_open_reason",
            "not_open_reason_required",
            "非开放数据必须说明理由（商业秘密、个人隐私或法律法规规定不得开放）",
            "a not-open entry needs a reason: commercial secret, privacy or legal bar",
        ));
    }
    if e.open_type == OpenType::Conditional && e.open_conditions.trim().is_empty() {
        v.push(Violation::new(
            "open_conditions",
            "open_conditions_required",
            "有条件开放的数据必须明确开放条件",
            "a conditionally open entry must state its conditions",
        ));
    }

    check_grade(e, rules, &mut v);
    check_items(e, &mut v);
    v.into_result()
}

/// H7, B12, H36: the scheme's rule for the grade limits sharing and opening, and a departure
/// from the grade's suggested types states its reason.
fn check_grade(e: &EntryDraft, rules: &GradeRules, v: &mut Violations) {
    if e.departure_reason.chars().count() > DEPARTURE_REASON_MAX {
        v.push(Violation::too_long(
            "departure_reason",
            "偏离理由",
            DEPARTURE_REASON_MAX,
        ));
    }
    let Some(rule) = rules.rule(e.grade) else {
        v.push(Violation::new(
            "grade",
            "grade_rule_missing",
            format!("分类分级方案没有“{}”的分级规则", e.grade.zh()),
            format!("the scheme has no rule for grade {}", e.grade),
        ));
        return;
    };
    let share_allowed = rule.allows_share(e.share_type);
    if !share_allowed {
        v.push(Violation::new(
            "share_type",
            "grade_forbids_share",
            format!(
                "按分类分级方案，{}不得{}，可选共享类型：{}",
                e.grade.zh(),
                e.share_type.zh(),
                zh_list(&rule.share_types)
            ),
            format!(
                "{} data may not be {} under the scheme; allowed: {}",
                e.grade,
                e.share_type.code(),
                code_list(&rule.share_types)
            ),
        ));
    }
    let open_allowed = rule.allows_open(e.open_type);
    if !open_allowed {
        v.push(Violation::new(
            "open_type",
            "grade_forbids_open",
            format!(
                "按分类分级方案，{}不得{}，可选开放属性：{}",
                e.grade.zh(),
                e.open_type.zh(),
                zh_list(&rule.open_types)
            ),
            format!(
                "{} data may not be {} under the scheme; allowed: {}",
                e.grade,
                e.open_type.code(),
                code_list(&rule.open_types)
            ),
        ));
    }
    if share_allowed
        && open_allowed
        && rule.departs(e.share_type, e.open_type)
        && e.departure_reason.trim().is_empty()
    {
        v.push(departure_reason_required(e.grade, rule));
    }
}

fn zh_list<V: Vocabulary>(values: &[V]) -> String {
    values.iter().map(|v| v.zh()).collect::<Vec<_>>().join("、")
}

fn code_list<V: Vocabulary>(values: &[V]) -> String {
    values
        .iter()
        .map(|v| v.code())
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_items(e: &EntryDraft, v: &mut Violations) {
    if e.items.is_empty() {
        v.push(Violation::new(
            "items",
            "required",
            "至少需要一个信息项",
            "an entry needs at least one data item",
        ));
    }
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for (i, item) in e.items.iter().enumerate() {
        let field = |f: &str| format!("items[{i}].{f}");
        v.text(&field("name"), "信息项名称", &item.name, 100);
        if !item_code_ok(&item.code) {
            v.push(Violation::new(
                field("code"),
                "bad_item_code",
                "信息项代码须以字母开头，由字母、数字和下划线组成，不超过64位",
                "item code must start with a letter and hold only letters, digits and '_' (≤ 64)",
            ));
        }
        if !codes.insert(item.code.to_ascii_lowercase()) {
            v.push(Violation::new(
                field("code"),
                "duplicate_item_code",
                format!("信息项代码“{}”重复", item.code),
                format!("item code {} appears twice", item.code),
            ));
        }
        if !names.insert(item.name.trim()) {
            v.push(Violation::new(
                field("name"),
                "duplicate_item_name",
                format!("信息项名称“{}”重复", item.name),
                format!("item name {} appears twice", item.name),
            ));
        }
        if item.grade > e.grade {
            v.push(Violation::new(
                field("grade"),
                "item_grade_exceeds_entry",
                format!(
                    "信息项级别（{}）高于资源级别（{}），资源应按最高级别定级",
                    item.grade.zh(),
                    e.grade.zh()
                ),
                format!(
                    "item grade {} is above the entry's grade {}",
                    item.grade, e.grade
                ),
            ));
        }
        if item.sensitive.is_some() && !item.personal {
            v.push(Violation::new(
                field("personal"),
                "sensitive_not_personal",
                "敏感个人信息必须同时标记为个人信息",
                "sensitive personal information must also be flagged as personal information",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str, grade: Grade) -> ItemDraft {
        ItemDraft {
            name: format!("项{code}"),
            code: code.into(),
            data_type: DataType::Text,
            description: String::new(),
            grade,
            personal: false,
            sensitive: None,
            masked: false,
        }
    }

    fn g(l: u8) -> Grade {
        Grade::general(l).unwrap()
    }

    fn entry() -> EntryDraft {
        EntryDraft {
            name: "户籍人口基本信息".into(),
            summary: "全市户籍人口的基本登记信息".into(),
            state_secret: false,
            grade: g(3),
            data_form: DataForm::Database,
            share_type: ShareType::Unconditional,
            share_conditions: String::new(),
            share_scope: "全市公共管理和服务机构".into(),
            share_modes: vec![ShareMode::ApiQuery],
            open_type: OpenType::NotOpen,
            open_conditions: String::new(),
            not_open_reason: Some(NotOpenReason::Privacy),
            legal_bases: vec![],
            update_frequency: UpdateFrequency::Daily,
            departure_reason: String::new(),
            items: vec![item("xm", g(3)), item("gmsfhm", g(3))],
        }
    }

    /// The shipped scheme's grade rules.
    fn rules() -> GradeRules {
        crate::catalog::Scheme::default_scheme().grade_rules
    }

    fn codes(e: &EntryDraft) -> Vec<&'static str> {
        codes_under(e, &rules())
    }

    fn codes_under(e: &EntryDraft, rules: &GradeRules) -> Vec<&'static str> {
        validate_entry(e, rules)
            .err()
            .map(|v| v.0.iter().map(|x| x.code).collect())
            .unwrap_or_default()
    }

    fn basis() -> LegalBasis {
        LegalBasis {
            law: "中华人民共和国居民身份证法".into(),
            article: "第十三条".into(),
        }
    }

    #[test]
    fn a_complete_entry_passes() {
        assert!(validate_entry(&entry(), &rules()).is_ok());
    }

    // H2
    #[test]
    fn state_secrets_are_refused() {
        let e = EntryDraft {
            state_secret: true,
            ..entry()
        };
        assert_eq!(codes(&e), ["state_secret_refused"]);
    }

    // H18
    #[test]
    fn conditional_and_not_shared_need_a_legal_basis() {
        let e = EntryDraft {
            share_type: ShareType::Conditional,
            share_conditions: "仅用于社保资格认证".into(),
            ..entry()
        };
        assert_eq!(codes(&e), ["legal_basis_required"]);
        let e = EntryDraft {
            share_type: ShareType::NotShared,
            share_modes: vec![],
            ..entry()
        };
        assert_eq!(codes(&e), ["legal_basis_required"]);
        let e = EntryDraft {
            share_type: ShareType::NotShared,
            share_modes: vec![],
            legal_bases: vec![basis()],
            ..entry()
        };
        assert!(validate_entry(&e, &rules()).is_ok());
    }

    #[test]
    fn conditional_needs_its_conditions() {
        let e = EntryDraft {
            share_type: ShareType::Conditional,
            legal_bases: vec![basis()],
            ..entry()
        };
        assert_eq!(codes(&e), ["share_conditions_required"]);
    }

    #[test]
    fn a_legal_basis_names_law_and_article() {
        let e = EntryDraft {
            legal_bases: vec![LegalBasis {
                law: "某法".into(),
                article: " ".into(),
            }],
            ..entry()
        };
        assert_eq!(codes(&e), ["incomplete_legal_basis"]);
    }

    #[test]
    fn not_shared_offers_verification_only() {
        let e = EntryDraft {
            share_type: ShareType::NotShared,
            legal_bases: vec![basis()],
            share_modes: vec![ShareMode::BulkDownload],
            ..entry()
        };
        assert_eq!(codes(&e), ["not_shared_mode"]);
        let e = EntryDraft {
            share_modes: vec![],
            ..entry()
        };
        assert_eq!(codes(&e), ["required"]);
    }

    // H25
    #[test]
    fn not_open_needs_a_reason_and_conditional_open_needs_conditions() {
        let e = EntryDraft {
            not_open_reason: None,
            ..entry()
        };
        assert_eq!(codes(&e), ["not_open_reason_required"]);
        let e = EntryDraft {
            open_type: OpenType::Conditional,
            ..entry()
        };
        assert_eq!(codes(&e), ["open_conditions_required"]);
    }

    // H7, B12
    #[test]
    fn the_grade_limits_sharing_and_opening() {
        let core = EntryDraft {
            grade: Grade::Core,
            ..entry()
        };
        assert_eq!(codes(&core), ["grade_forbids_share"]);
        let open3 = EntryDraft {
            open_type: OpenType::Unconditional,
            not_open_reason: None,
            ..entry()
        };
        assert_eq!(codes(&open3), ["grade_forbids_open"]);
        let open2 = EntryDraft {
            grade: g(2),
            open_type: OpenType::Unconditional,
            items: vec![item("a", g(2))],
            ..entry()
        };
        assert!(validate_entry(&open2, &rules()).is_ok());
    }

    #[test]
    fn item_rules() {
        let e = EntryDraft {
            items: vec![],
            ..entry()
        };
        assert_eq!(codes(&e), ["required"]);
        let e = EntryDraft {
            items: vec![item("xm", g(3)), item("XM", g(3))],
            ..entry()
        };
        assert_eq!(codes(&e), ["duplicate_item_code"]);
        let e = EntryDraft {
            items: vec![item("1bad", g(3))],
            ..entry()
        };
        assert_eq!(codes(&e), ["bad_item_code"]);
        let e = EntryDraft {
            items: vec![item("xm", Grade::Important)],
            ..entry()
        };
        assert_eq!(codes(&e), ["item_grade_exceeds_entry"]);
        let mut sensitive = item("jkzk", g(3));
        sensitive.sensitive = Some(SensitiveKind::MedicalHealth);
        let e = EntryDraft {
            items: vec![sensitive],
            ..entry()
        };
        assert_eq!(codes(&e), ["sensitive_not_personal"]);
    }

    // H7, H36: the authority's scheme, not the platform, decides which grades may be opened
    // without conditions.
    #[test]
    fn the_schemes_rules_decide_what_a_grade_allows() {
        let open3 = EntryDraft {
            open_type: OpenType::Unconditional,
            not_open_reason: None,
            ..entry()
        };
        assert_eq!(codes(&open3), ["grade_forbids_open"]);
        let mut relaxed = rules();
        let g3 = relaxed.0.get_mut("general_3").unwrap();
        g3.open_types.push(OpenType::Unconditional);
        assert!(codes_under(&open3, &relaxed).is_empty());
        let mut no_rule = rules();
        no_rule.0.remove("general_3");
        assert_eq!(codes_under(&entry(), &no_rule), ["grade_rule_missing"]);
    }

    // H36: a departure from the grade's suggested types states its reason; following them
    // needs none; a forbidden type is refused for that, not for a missing reason.
    #[test]
    fn a_departure_from_the_grades_defaults_states_its_reason() {
        let mut suggesting = rules();
        let g3 = suggesting.0.get_mut("general_3").unwrap();
        g3.suggested_share_type = Some(ShareType::Unconditional);
        g3.suggested_open_type = Some(OpenType::Conditional);
        let departing = entry();
        assert_eq!(
            codes_under(&departing, &suggesting),
            ["departure_reason_required"]
        );
        let err = validate_entry(&departing, &suggesting).unwrap_err();
        assert_eq!(err.0[0].field, "departure_reason");
        assert!(
            err.0[0].zh.contains("建议无条件共享、有条件开放"),
            "{}",
            err.0[0].zh
        );
        let reasoned = EntryDraft {
            departure_reason: "含公民身份号码，依个人信息保护法不宜开放".into(),
            ..entry()
        };
        assert!(codes_under(&reasoned, &suggesting).is_empty());
        let following = EntryDraft {
            open_type: OpenType::Conditional,
            open_conditions: "签署数据使用协议".into(),
            not_open_reason: None,
            ..entry()
        };
        assert!(codes_under(&following, &suggesting).is_empty());
        let forbidden = EntryDraft {
            open_type: OpenType::Unconditional,
            not_open_reason: None,
            ..entry()
        };
        assert_eq!(codes_under(&forbidden, &suggesting), ["grade_forbids_open"]);
        let too_long = EntryDraft {
            departure_reason: "理".repeat(DEPARTURE_REASON_MAX + 1),
            ..entry()
        };
        assert_eq!(codes(&too_long), ["too_long"]);
    }

    #[test]
    fn every_violation_names_its_field() {
        let e = EntryDraft {
            name: String::new(),
            state_secret: true,
            share_type: ShareType::Conditional,
            open_type: OpenType::Unconditional,
            not_open_reason: None,
            grade: Grade::Core,
            items: vec![],
            ..entry()
        };
        let errs = validate_entry(&e, &rules()).unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|v| v.field.as_str()).collect();
        for f in [
            "state_secret",
            "name",
            "legal_bases",
            "share_conditions",
            "share_type",
            "open_type",
            "items",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }
}
