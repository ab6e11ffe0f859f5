//! Grade rules (分级管控规则, H7, H25, H36): what each grade of a classification scheme allows
//! and suggests. Which grades may be shared or opened, and how freely, is a rule the authority
//! sets and versions with its scheme (第七条), not a constant of the platform: the platform
//! only refuses a scheme whose rules are incomplete or contradict each other or the law.
//!
//! A grade's suggested share and open types are its defaults. An entry may take another type
//! the grade allows, but then states why (偏离理由), so that no agency adds conditions to
//! sharing or opening on its own authority without the reviewer seeing it (第三十六条).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Vocabulary;
use super::grade::{Grade, SensitiveKind};
use super::kinds::{OpenType, ShareType};
use crate::{Violation, Violations};

/// The rule of one grade. Fields missing from a submitted scheme read as empty so that
/// [`GradeRules::check`] can name each one, rather than the JSON parser refusing the whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeRule {
    /// Share types an entry of this grade may take; always includes `not_shared`.
    #[serde(default)]
    pub share_types: Vec<ShareType>,
    /// Open types an entry of this grade may take; always includes `not_open`.
    #[serde(default)]
    pub open_types: Vec<OpenType>,
    /// The grade's default share type (建议共享类型); `None` when the scheme sets none, so no
    /// share type departs from it.
    #[serde(default)]
    pub suggested_share_type: Option<ShareType>,
    /// The grade's default open type (建议开放属性); `None` when the scheme sets none.
    #[serde(default)]
    pub suggested_open_type: Option<OpenType>,
    /// Items of this grade are masked unless the provider decides otherwise. Required in a
    /// scheme; `None` only in a scheme that fails [`GradeRules::check`].
    #[serde(default)]
    pub masked: Option<bool>,
}

impl GradeRule {
    pub fn allows_share(&self, share: ShareType) -> bool {
        self.share_types.contains(&share)
    }

    pub fn allows_open(&self, open: OpenType) -> bool {
        self.open_types.contains(&open)
    }

    /// Whether items of the grade are masked by default; an unset flag masks (fails closed).
    pub fn masks(&self) -> bool {
        self.masked.unwrap_or(true)
    }

    /// Whether an entry with these types departs from the grade's defaults and so must state
    /// a reason.
    pub fn departs(&self, share: ShareType, open: OpenType) -> bool {
        self.suggested_share_type.is_some_and(|s| s != share)
            || self.suggested_open_type.is_some_and(|o| o != open)
    }

    /// The grade's defaults in words, e.g. `建议无条件共享、有条件开放`.
    pub fn suggestion_zh(&self) -> String {
        let parts: Vec<&str> = [
            self.suggested_share_type.map(ShareType::zh),
            self.suggested_open_type.map(OpenType::zh),
        ]
        .into_iter()
        .flatten()
        .collect();
        format!("建议{}", parts.join("、"))
    }

    fn suggestion_en(&self) -> String {
        let parts: Vec<String> = [
            self.suggested_share_type
                .map(|s| format!("share type {}", s.code())),
            self.suggested_open_type
                .map(|o| format!("open type {}", o.code())),
        ]
        .into_iter()
        .flatten()
        .collect();
        parts.join(" and ")
    }
}

/// How freely a share type lets data flow: not shared < conditional < unconditional.
fn share_openness(s: ShareType) -> u8 {
    match s {
        ShareType::NotShared => 0,
        ShareType::Conditional => 1,
        ShareType::Unconditional => 2,
    }
}

/// How freely an open type lets data flow: not open < conditional < unconditional.
fn open_openness(o: OpenType) -> u8 {
    match o {
        OpenType::NotOpen => 0,
        OpenType::Conditional => 1,
        OpenType::Unconditional => 2,
    }
}

/// The rules of every grade of one scheme version, keyed by grade code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GradeRules(pub BTreeMap<String, GradeRule>);

impl GradeRules {
    pub fn rule(&self, grade: Grade) -> Option<&GradeRule> {
        self.0.get(&grade.code())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether an item is masked unless decided otherwise: sensitive personal information
    /// always (PIPL art. 28), otherwise as its grade's rule says; a grade without a rule masks.
    pub fn masked_by_default(&self, grade: Grade, sensitive: Option<SensitiveKind>) -> bool {
        sensitive.is_some() || self.rule(grade).is_none_or(GradeRule::masks)
    }

    /// Every grade has a complete rule, each suggestion is a type its grade allows, each grade
    /// allows the law's restrictions (不予共享, 第十八条; 非开放, 第二十五条), and no grade is
    /// shared, opened or left unmasked more freely than a less sensitive one (otherwise raising
    /// the grade would loosen the controls). Problems are pushed onto `v` under
    /// `grade_rules.<grade>[.<field>]`.
    pub fn check(&self, v: &mut Violations) {
        for key in self.0.keys() {
            if Grade::parse("grade_rules", key).is_err() {
                v.push(Violation::new(
                    format!("grade_rules.{key}"),
                    "unknown_grade",
                    format!(
                        "分级规则中的级别“{key}”无效，可选：general_1…general_4、important、core"
                    ),
                    format!("grade rule for unknown grade `{key}`"),
                ));
            }
        }
        let mut lower: Option<(Grade, &GradeRule)> = None;
        for grade in Grade::all() {
            let Some(rule) = self.rule(grade) else {
                v.push(Violation::new(
                    format!("grade_rules.{grade}"),
                    "grade_rule_missing",
                    format!("缺少“{}”的分级规则", grade.zh()),
                    format!("grade {grade} has no rule"),
                ));
                continue;
            };
            let before = v.0.len();
            check_rule(grade, rule, v);
            let sound = v.0.len() == before;
            if let Some((below, below_rule)) = lower {
                check_order(below, below_rule, grade, rule, v);
            }
            // A broken rule is compared with nothing above it: its own errors say enough.
            if sound {
                lower = Some((grade, rule));
            }
        }
    }
}

fn check_rule(grade: Grade, rule: &GradeRule, v: &mut Violations) {
    let field = |f: &str| format!("grade_rules.{grade}.{f}");
    let zh = grade.zh();
    if !rule.allows_share(ShareType::NotShared) {
        v.push(Violation::new(
            field("share_types"),
            "not_shared_always_allowed",
            format!("{zh}的可选共享类型须包含不予共享：法律、法规规定不予共享的数据不论级别都可以列为不予共享（第十八条）"),
            format!("grade {grade} must allow not_shared: data a law bars from sharing is not shared whatever its grade"),
        ));
    }
    if !rule.allows_open(OpenType::NotOpen) {
        v.push(Violation::new(
            field("open_types"),
            "not_open_always_allowed",
            format!("{zh}的可选开放属性须包含非开放：涉及商业秘密、个人隐私或法律法规规定不得开放的数据不论级别都属于非开放类型（第二十五条）"),
            format!("grade {grade} must allow not_open: commercial secrets, privacy and data a law bars from opening are not open whatever the grade"),
        ));
    }
    if let Some(s) = rule.suggested_share_type
        && !rule.allows_share(s)
    {
        v.push(Violation::new(
            field("suggested_share_type"),
            "suggestion_not_allowed",
            format!("{zh}的建议共享类型“{}”不在其可选共享类型中", s.zh()),
            format!(
                "grade {grade} suggests share type {} which it does not allow",
                s.code()
            ),
        ));
    }
    if let Some(o) = rule.suggested_open_type
        && !rule.allows_open(o)
    {
        v.push(Violation::new(
            field("suggested_open_type"),
            "suggestion_not_allowed",
            format!("{zh}的建议开放属性“{}”不在其可选开放属性中", o.zh()),
            format!(
                "grade {grade} suggests open type {} which it does not allow",
                o.code()
            ),
        ));
    }
    if rule.masked.is_none() {
        v.push(Violation::new(
            field("masked"),
            "required",
            format!("请写明{zh}的信息项是否默认脱敏（masked 取 true 或 false）"),
            format!("grade {grade} must say whether its items are masked by default"),
        ));
    }
}

/// `grade` is more sensitive than `below`, so it may be no freer.
fn check_order(below: Grade, b: &GradeRule, grade: Grade, r: &GradeRule, v: &mut Violations) {
    let freest_share = |r: &GradeRule| r.share_types.iter().copied().map(share_openness).max();
    let freest_open = |r: &GradeRule| r.open_types.iter().copied().map(open_openness).max();
    if freest_share(r) > freest_share(b) {
        v.push(Violation::new(
            format!("grade_rules.{grade}.share_types"),
            "looser_than_lower_grade",
            format!("{}的共享不得比{}更宽松", grade.zh(), below.zh()),
            format!("grade {grade} may not be shared more freely than {below}"),
        ));
    }
    if freest_open(r) > freest_open(b) {
        v.push(Violation::new(
            format!("grade_rules.{grade}.open_types"),
            "looser_than_lower_grade",
            format!("{}的开放不得比{}更宽松", grade.zh(), below.zh()),
            format!("grade {grade} may not be opened more freely than {below}"),
        ));
    }
    if b.masked == Some(true) && r.masked == Some(false) {
        v.push(Violation::new(
            format!("grade_rules.{grade}.masked"),
            "looser_than_lower_grade",
            format!("{}默认脱敏，更高的{}也须默认脱敏", below.zh(), grade.zh()),
            format!("grade {below} is masked by default, so the higher grade {grade} must be too"),
        ));
    }
}

/// The violation of an entry whose types depart from its grade's defaults without a reason.
pub(crate) fn departure_reason_required(grade: Grade, rule: &GradeRule) -> Violation {
    Violation::new(
        "departure_reason",
        "departure_reason_required",
        format!(
            "分类分级方案对{}{}；本条目的共享类型或开放属性与之不同，须填写偏离理由（不得擅自增设条件，第三十六条）",
            grade.zh(),
            rule.suggestion_zh()
        ),
        format!(
            "grade {grade} suggests {}; an entry that departs from it must state a departure reason",
            rule.suggestion_en()
        ),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::catalog::Scheme;

    fn rules() -> GradeRules {
        Scheme::default_scheme().grade_rules
    }

    fn codes(r: &GradeRules) -> Vec<(String, &'static str)> {
        let mut v = Violations::default();
        r.check(&mut v);
        v.0.into_iter().map(|x| (x.field, x.code)).collect()
    }

    fn g(l: u8) -> Grade {
        Grade::general(l).unwrap()
    }

    // H7, B12: the shipped scheme keeps the rules the platform always applied: core data is
    // never shared nor opened, only general-1/2 may be unconditionally open, general-4 and
    // above are masked.
    #[test]
    fn the_default_rules_are_the_platforms_former_constants() {
        let r = rules();
        let core = r.rule(Grade::Core).unwrap();
        assert_eq!(core.share_types, [ShareType::NotShared]);
        assert_eq!(core.open_types, [OpenType::NotOpen]);
        for grade in Grade::all().into_iter().filter(|g| *g != Grade::Core) {
            for s in <ShareType as Vocabulary>::ALL {
                assert!(r.rule(grade).unwrap().allows_share(*s), "{grade} {s:?}");
            }
            assert!(r.rule(grade).unwrap().allows_open(OpenType::Conditional));
        }
        let open: Vec<String> = Grade::all()
            .into_iter()
            .filter(|g| r.rule(*g).unwrap().allows_open(OpenType::Unconditional))
            .map(Grade::code)
            .collect();
        assert_eq!(open, ["general_1", "general_2"]);
        let masked: Vec<String> = Grade::all()
            .into_iter()
            .filter(|g| r.masked_by_default(*g, None))
            .map(Grade::code)
            .collect();
        assert_eq!(masked, ["general_4", "important", "core"]);
        assert!(r.masked_by_default(g(1), Some(SensitiveKind::Biometric)));
        assert!(codes(&r).is_empty());
    }

    // H36: the default scheme adds no departure duty where there was none: only core data,
    // which allows one type each, has a suggestion.
    #[test]
    fn under_the_default_rules_no_allowed_type_departs() {
        let r = rules();
        for grade in Grade::all() {
            let rule = r.rule(grade).unwrap();
            for s in &rule.share_types {
                for o in &rule.open_types {
                    assert!(!rule.departs(*s, *o), "{grade} {s:?} {o:?}");
                }
            }
        }
    }

    #[test]
    fn incomplete_rules_are_named_by_field() {
        let mut r = rules();
        r.0.remove("core");
        r.0.insert(
            "general_3".into(),
            GradeRule {
                share_types: vec![],
                open_types: vec![OpenType::NotOpen],
                suggested_share_type: None,
                suggested_open_type: None,
                masked: None,
            },
        );
        r.0.insert("general_9".into(), r.0["general_1"].clone());
        assert_eq!(
            codes(&r),
            [
                ("grade_rules.general_9".into(), "unknown_grade"),
                (
                    "grade_rules.general_3.share_types".into(),
                    "not_shared_always_allowed"
                ),
                ("grade_rules.general_3.masked".into(), "required"),
                ("grade_rules.core".into(), "grade_rule_missing"),
            ]
        );
    }

    #[test]
    fn contradictory_rules_are_named_by_field() {
        let mut r = rules();
        r.0.get_mut("general_1").unwrap().open_types =
            vec![OpenType::Unconditional, OpenType::Conditional];
        r.0.get_mut("general_2").unwrap().open_types = vec![OpenType::NotOpen];
        r.0.get_mut("important").unwrap().masked = Some(false);
        r.0.get_mut("core").unwrap().suggested_open_type = Some(OpenType::Conditional);
        let f = |grade: &str, field: &str, code| (format!("grade_rules.{grade}.{field}"), code);
        assert_eq!(
            codes(&r),
            [
                f("general_1", "open_types", "not_open_always_allowed"),
                f("general_3", "open_types", "looser_than_lower_grade"),
                f("important", "masked", "looser_than_lower_grade"),
                f("core", "suggested_open_type", "suggestion_not_allowed"),
            ]
        );
    }

    #[test]
    fn a_departure_needs_a_suggestion_to_depart_from() {
        let rule = GradeRule {
            share_types: vec![ShareType::Unconditional, ShareType::NotShared],
            open_types: vec![OpenType::Conditional, OpenType::NotOpen],
            suggested_share_type: Some(ShareType::Unconditional),
            suggested_open_type: None,
            masked: Some(false),
        };
        assert!(!rule.departs(ShareType::Unconditional, OpenType::NotOpen));
        assert!(!rule.departs(ShareType::Unconditional, OpenType::Conditional));
        assert!(rule.departs(ShareType::NotShared, OpenType::NotOpen));
        assert_eq!(rule.suggestion_zh(), "建议无条件共享");
    }

    /// Rules as a random author might write them: anything goes.
    fn any_rules() -> impl Strategy<Value = GradeRules> {
        let rule = (
            proptest::sample::subsequence(<ShareType as Vocabulary>::ALL.to_vec(), 0..=3),
            proptest::sample::subsequence(<OpenType as Vocabulary>::ALL.to_vec(), 0..=3),
            proptest::option::of(proptest::sample::select(<ShareType as Vocabulary>::ALL)),
            proptest::option::of(proptest::sample::select(<OpenType as Vocabulary>::ALL)),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(|(s, o, ss, so, m)| GradeRule {
                share_types: s,
                open_types: o,
                suggested_share_type: ss,
                suggested_open_type: so,
                masked: m,
            });
        proptest::collection::vec(rule, 6).prop_map(|rules| {
            GradeRules(
                Grade::all()
                    .into_iter()
                    .map(Grade::code)
                    .zip(rules)
                    .collect(),
            )
        })
    }

    /// Rules built to be sound: per grade a freest share and open level that never rises with
    /// the grade, masking from some grade up, suggestions among the allowed types.
    fn sound_rules() -> impl Strategy<Value = GradeRules> {
        (
            proptest::collection::vec((0u8..=2, 0u8..=2), 6),
            0usize..=6,
            proptest::collection::vec((any::<bool>(), any::<bool>(), 0usize..4, 0usize..4), 6),
        )
            .prop_map(|(mut levels, mask_from, picks)| {
                let (mut share, mut open): (Vec<u8>, Vec<u8>) = levels.drain(..).unzip();
                share.sort_by(|a, b| b.cmp(a));
                open.sort_by(|a, b| b.cmp(a));
                let mut rules = BTreeMap::new();
                for (i, grade) in Grade::all().into_iter().enumerate() {
                    let (keep_share, keep_open, pick_share, pick_open) = picks[i];
                    let share_types: Vec<ShareType> = <ShareType as Vocabulary>::ALL
                        .iter()
                        .copied()
                        .filter(|t| {
                            let l = share_openness(*t);
                            l == 0 || l == share[i] || (l < share[i] && keep_share)
                        })
                        .collect();
                    let open_types: Vec<OpenType> = <OpenType as Vocabulary>::ALL
                        .iter()
                        .copied()
                        .filter(|t| {
                            let l = open_openness(*t);
                            l == 0 || l == open[i] || (l < open[i] && keep_open)
                        })
                        .collect();
                    let rule = GradeRule {
                        suggested_share_type: share_types.get(pick_share).copied(),
                        suggested_open_type: open_types.get(pick_open).copied(),
                        share_types,
                        open_types,
                        masked: Some(i >= mask_from),
                    };
                    rules.insert(grade.code(), rule);
                }
                GradeRules(rules)
            })
    }

    /// The properties the check stands for, stated independently of it.
    fn sound(r: &GradeRules) -> bool {
        let all = Grade::all();
        let complete = r.0.len() == all.len()
            && all.iter().all(|g| {
                r.rule(*g).is_some_and(|rule| {
                    rule.allows_share(ShareType::NotShared)
                        && rule.allows_open(OpenType::NotOpen)
                        && rule
                            .suggested_share_type
                            .is_none_or(|s| rule.allows_share(s))
                        && rule.suggested_open_type.is_none_or(|o| rule.allows_open(o))
                        && rule.masked.is_some()
                })
            });
        complete
            && all.windows(2).all(|pair| {
                let (lo, hi) = (r.rule(pair[0]).unwrap(), r.rule(pair[1]).unwrap());
                hi.share_types.iter().all(|s| {
                    lo.share_types
                        .iter()
                        .any(|t| share_openness(*t) >= share_openness(*s))
                }) && hi.open_types.iter().all(|o| {
                    lo.open_types
                        .iter()
                        .any(|t| open_openness(*t) >= open_openness(*o))
                }) && (!lo.masks() || hi.masks())
            })
    }

    proptest! {
        // H7, H36: the platform refuses exactly the schemes whose rules are incomplete or
        // contradictory, and no other: the authority's choice is otherwise its own.
        #[test]
        fn the_check_refuses_exactly_the_unsound_rules(
            r in prop_oneof![sound_rules(), any_rules()]
        ) {
            let found = codes(&r);
            prop_assert_eq!(found.is_empty(), sound(&r), "{:?}", found);
            for (field, _) in &found {
                prop_assert!(field.starts_with("grade_rules."), "{}", field);
            }
        }

        // H36: in an accepted scheme, following a grade's defaults never needs a reason, and
        // any allowed type other than a default does.
        #[test]
        fn only_a_departure_from_the_defaults_needs_a_reason(r in sound_rules()) {
            for grade in Grade::all() {
                let rule = r.rule(grade).unwrap();
                for s in &rule.share_types {
                    for o in &rule.open_types {
                        let departs = rule.suggested_share_type.is_some_and(|x| x != *s)
                            || rule.suggested_open_type.is_some_and(|x| x != *o);
                        prop_assert_eq!(rule.departs(*s, *o), departs);
                    }
                }
                let share = rule.suggested_share_type.unwrap_or(ShareType::NotShared);
                let open = rule.suggested_open_type.unwrap_or(OpenType::NotOpen);
                prop_assert!(!rule.departs(share, open));
            }
        }

        // Sensitive personal information is masked by default under any rules.
        #[test]
        fn sensitive_items_are_always_masked_by_default(r in any_rules(), level in 0usize..6) {
            let grade = Grade::all()[level];
            prop_assert!(r.masked_by_default(grade, Some(SensitiveKind::MedicalHealth)));
        }
    }
}
