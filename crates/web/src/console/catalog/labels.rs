//! The catalog's vocabularies for the pages: the options of the select boxes and the Chinese
//! label of every stored code, so templates show 有条件共享 rather than `conditional`.

use std::collections::BTreeMap;

use gongshu_domain::catalog::{
    BaseDatabase, CategoryGroup, DataForm, DataType, Grade, NotOpenReason, OpenType, Scheme,
    SensitiveKind, ShareMode, ShareType, UpdateFrequency, Vocabulary,
};
use serde::Serialize;

/// One option of a select box or checkbox group.
#[derive(Serialize, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

fn opts<V: Vocabulary>() -> Vec<Opt> {
    V::ALL
        .iter()
        .map(|v| Opt {
            value: v.code().to_owned(),
            label: v.zh().to_owned(),
        })
        .collect()
}

fn grade_opts() -> Vec<Opt> {
    Grade::all()
        .into_iter()
        .map(|g| Opt {
            value: g.code(),
            label: g.zh(),
        })
        .collect()
}

/// The kinds of change that open an update duty (H9), as `duties::record_change` accepts them.
pub const REASON_KINDS: &[(&str, &str)] = &[
    ("legal_basis_changed", "法律法规依据变化"),
    ("function_changed", "法定职能变化"),
];

/// Every select box of the entry form.
#[derive(Serialize)]
pub struct Choices {
    pub grades: Vec<Opt>,
    pub data_forms: Vec<Opt>,
    pub share_types: Vec<Opt>,
    pub share_modes: Vec<Opt>,
    pub open_types: Vec<Opt>,
    pub not_open_reasons: Vec<Opt>,
    pub update_frequencies: Vec<Opt>,
    pub data_types: Vec<Opt>,
    pub sensitive_kinds: Vec<Opt>,
    pub reason_kinds: Vec<Opt>,
    /// The scheme's categories in its three groups, for `<optgroup>`.
    pub category_groups: Vec<Group>,
}

#[derive(Serialize)]
pub struct Group {
    pub label: String,
    pub categories: Vec<Opt>,
}

pub fn choices(scheme: &Scheme) -> Choices {
    Choices {
        grades: grade_opts(),
        data_forms: opts::<DataForm>(),
        share_types: opts::<ShareType>(),
        share_modes: opts::<ShareMode>(),
        open_types: opts::<OpenType>(),
        not_open_reasons: opts::<NotOpenReason>(),
        update_frequencies: opts::<UpdateFrequency>(),
        data_types: opts::<DataType>(),
        sensitive_kinds: opts::<SensitiveKind>(),
        reason_kinds: REASON_KINDS
            .iter()
            .map(|(v, l)| Opt {
                value: (*v).to_owned(),
                label: (*l).to_owned(),
            })
            .collect(),
        category_groups: CategoryGroup::ALL
            .iter()
            .map(|g| Group {
                label: g.zh().to_owned(),
                categories: scheme
                    .categories
                    .iter()
                    .filter(|c| c.group == *g)
                    .map(|c| Opt {
                        value: c.code.clone(),
                        label: format!("{} {}", c.code, c.name),
                    })
                    .collect(),
            })
            .filter(|g| !g.categories.is_empty())
            .collect(),
    }
}

fn map<V: Vocabulary>() -> BTreeMap<String, String> {
    V::ALL
        .iter()
        .map(|v| (v.code().to_owned(), v.zh().to_owned()))
        .collect()
}

/// Chinese labels by vocabulary and code: `labels.share_type["conditional"]` in a template.
pub fn labels() -> BTreeMap<&'static str, BTreeMap<String, String>> {
    BTreeMap::from([
        (
            "grade",
            Grade::all()
                .into_iter()
                .map(|g| (g.code(), g.zh()))
                .collect(),
        ),
        ("data_form", map::<DataForm>()),
        ("share_type", map::<ShareType>()),
        ("share_mode", map::<ShareMode>()),
        ("open_type", map::<OpenType>()),
        ("not_open_reason", map::<NotOpenReason>()),
        ("update_frequency", map::<UpdateFrequency>()),
        ("data_type", map::<DataType>()),
        ("sensitive_kind", map::<SensitiveKind>()),
        ("category_group", map::<CategoryGroup>()),
        ("base_database", map::<BaseDatabase>()),
        (
            "reason_kind",
            REASON_KINDS
                .iter()
                .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
                .collect(),
        ),
        (
            "subject",
            BTreeMap::from([
                ("natural_person".to_owned(), "自然人".to_owned()),
                ("organisation".to_owned(), "法人和其他组织".to_owned()),
            ]),
        ),
    ])
}

/// The Chinese label of `code` in vocabulary `V`, or the code itself when unknown.
pub fn zh<V: Vocabulary>(code: &str) -> String {
    V::parse(code)
        .map(|v| v.zh().to_owned())
        .unwrap_or_else(|_| code.to_owned())
}
