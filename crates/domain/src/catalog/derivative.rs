//! Masked derivative entries (脱敏衍生目录, H19): the rules a proposal must meet before the
//! authority reviews it. Not-shared data may become shareable only after masking by rules the
//! authority approves; these rules decide what may be proposed at all: the source must be a
//! published not-shared entry, the derivative must be shareable, and it may carry only the
//! source's items, with every item the source protects masked.

use std::collections::HashSet;

use super::ShareType;
use crate::{Violation, Violations};

/// One published item of the source entry, as far as the rules need it.
#[derive(Debug, Clone, Copy)]
pub struct SourceItem<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// The source marks it personal, sensitive or masked: it may never be served clear.
    pub protected: bool,
}

/// One item the proposal keeps: its code and whether it carries a masking rule.
#[derive(Debug, Clone, Copy)]
pub struct ChosenItem<'a> {
    pub code: &'a str,
    pub masked: bool,
}

/// What a proposal is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Proposal<'a> {
    /// The source's published share type; `None` when it is not published.
    pub source_share_type: Option<ShareType>,
    pub share_type: ShareType,
    pub source_items: &'a [SourceItem<'a>],
    pub items: &'a [ChosenItem<'a>],
}

/// All the rules; `Ok` only when none is broken.
pub fn check_derivative(p: &Proposal<'_>) -> Result<(), Violations> {
    let mut v = Violations::default();
    match p.source_share_type {
        None => v.push(Violation::new(
            "source",
            "source_not_published",
            "源目录尚未发布，不能申请脱敏衍生目录",
            "the source entry is not published",
        )),
        Some(ShareType::NotShared) => {}
        Some(_) => v.push(Violation::new(
            "source",
            "source_shareable",
            "只有不予共享类型的目录可以申请脱敏衍生目录；该目录可直接申请共享",
            "only a not-shared entry can get a masked derivative; this one can be requested directly",
        )),
    }
    if p.source_share_type.is_none() {
        // Without a published revision there are no items to check against.
        return v.into_result();
    }
    if p.share_type == ShareType::NotShared {
        v.push(Violation::new(
            "share_type",
            "derivative_not_shareable",
            "脱敏衍生目录的共享类型应为有条件共享或无条件共享",
            "a masked derivative must be conditionally or unconditionally shared",
        ));
    }
    if p.items.is_empty() {
        v.push(Violation::new(
            "items",
            "required",
            "至少需要一个信息项",
            "a derivative needs at least one data item",
        ));
    }
    let mut seen = HashSet::new();
    for (i, item) in p.items.iter().enumerate() {
        let field = format!("items[{i}].code");
        let Some(source) = p.source_items.iter().find(|s| s.code == item.code) else {
            v.push(Violation::new(
                field,
                "unknown_item",
                format!("源目录没有信息项“{}”", item.code),
                format!("the source entry has no item {}", item.code),
            ));
            continue;
        };
        if !seen.insert(item.code) {
            v.push(Violation::new(
                field,
                "duplicate_item",
                format!("信息项“{}”重复", source.name),
                format!("item {} appears twice", item.code),
            ));
        } else if source.protected && !item.masked {
            v.push(Violation::new(
                format!("items[{i}].rule"),
                "rule_required",
                format!(
                    "信息项“{}”在源目录中为个人信息、敏感个人信息或脱敏项，必须指定脱敏规则",
                    source.name
                ),
                format!(
                    "item {} is personal, sensitive or masked in the source and needs a masking rule",
                    item.code
                ),
            ));
        }
    }
    // A derivative that keeps every item clear is the source itself under another name.
    let changes_something = p.items.iter().any(|i| i.masked) || seen.len() < p.source_items.len();
    if !p.items.is_empty() && v.is_empty() && !changes_something {
        v.push(Violation::new(
            "items",
            "nothing_masked",
            "脱敏衍生目录须对至少一个信息项脱敏或去除至少一个信息项",
            "a derivative must mask or drop at least one item",
        ));
    }
    v.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &[SourceItem<'static>] = &[
        SourceItem {
            code: "xm",
            name: "姓名",
            protected: true,
        },
        SourceItem {
            code: "sfzh",
            name: "公民身份号码",
            protected: true,
        },
        SourceItem {
            code: "qx",
            name: "所在区",
            protected: false,
        },
        SourceItem {
            code: "je",
            name: "补贴金额",
            protected: false,
        },
    ];

    fn chosen(items: &[(&'static str, bool)]) -> Vec<ChosenItem<'static>> {
        items
            .iter()
            .map(|&(code, masked)| ChosenItem { code, masked })
            .collect()
    }

    fn check(
        source: Option<ShareType>,
        share: ShareType,
        items: &[(&'static str, bool)],
    ) -> Vec<(String, &'static str)> {
        let items = chosen(items);
        match check_derivative(&Proposal {
            source_share_type: source,
            share_type: share,
            source_items: SOURCE,
            items: &items,
        }) {
            Ok(()) => Vec::new(),
            Err(v) => v.0.into_iter().map(|x| (x.field, x.code)).collect(),
        }
    }

    fn codes(found: &[(String, &'static str)]) -> Vec<&'static str> {
        found.iter().map(|(_, c)| *c).collect()
    }

    #[test]
    fn h19_a_not_shared_source_masking_its_personal_items_may_be_derived() {
        let ok = [("xm", true), ("sfzh", true), ("qx", false)];
        assert!(check(Some(ShareType::NotShared), ShareType::Conditional, &ok).is_empty());
        assert!(check(Some(ShareType::NotShared), ShareType::Unconditional, &ok).is_empty());
        // Masking a harmless item and dropping nothing is fine too.
        let all = [("xm", true), ("sfzh", true), ("qx", true), ("je", false)];
        assert!(check(Some(ShareType::NotShared), ShareType::Conditional, &all).is_empty());
    }

    #[test]
    fn h19_only_a_published_not_shared_source_and_a_shareable_derivative() {
        let ok = [("xm", true)];
        for (source, code) in [
            (None, "source_not_published"),
            (Some(ShareType::Conditional), "source_shareable"),
            (Some(ShareType::Unconditional), "source_shareable"),
        ] {
            assert_eq!(
                check(source, ShareType::Conditional, &ok),
                [("source".to_owned(), code)]
            );
        }
        assert_eq!(
            check(Some(ShareType::NotShared), ShareType::NotShared, &ok),
            [("share_type".to_owned(), "derivative_not_shareable")]
        );
    }

    #[test]
    fn h19_a_protected_item_is_never_clear() {
        let found = check(
            Some(ShareType::NotShared),
            ShareType::Conditional,
            &[("xm", true), ("sfzh", false), ("qx", false)],
        );
        assert_eq!(found, [("items[1].rule".to_owned(), "rule_required")]);
    }

    #[test]
    fn h19_items_are_a_non_empty_subset_without_repeats() {
        let s = Some(ShareType::NotShared);
        let c = ShareType::Conditional;
        assert_eq!(codes(&check(s, c, &[])), ["required"]);
        assert_eq!(
            check(s, c, &[("xm", true), ("dz", false)]),
            [("items[1].code".to_owned(), "unknown_item")]
        );
        assert_eq!(
            check(s, c, &[("xm", true), ("xm", true)]),
            [("items[1].code".to_owned(), "duplicate_item")]
        );
    }

    #[test]
    fn h19_a_derivative_must_mask_or_drop_something() {
        let unprotected = [
            SourceItem {
                code: "qx",
                name: "所在区",
                protected: false,
            },
            SourceItem {
                code: "je",
                name: "补贴金额",
                protected: false,
            },
        ];
        let items = chosen(&[("qx", false), ("je", false)]);
        let found = check_derivative(&Proposal {
            source_share_type: Some(ShareType::NotShared),
            share_type: ShareType::Unconditional,
            source_items: &unprotected,
            items: &items,
        })
        .unwrap_err();
        assert_eq!(found.0[0].code, "nothing_masked");
        let items = chosen(&[("qx", false)]);
        assert!(
            check_derivative(&Proposal {
                source_share_type: Some(ShareType::NotShared),
                share_type: ShareType::Unconditional,
                source_items: &unprotected,
                items: &items,
            })
            .is_ok()
        );
    }
}
