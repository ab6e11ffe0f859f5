//! The sharing forms as typed: repeated checkboxes (`items`, `modes`) and numbered row-filter
//! lines (`filter[0].item`, `filter[0].op`, `filter[0].value`) read from the submitted pairs,
//! turned into the commands' inputs, and kept to show the form again after an error.

use std::collections::BTreeMap;

use gongshu_app::sharing::{ApproveInput, RequestInput, RequestView};
use gongshu_domain::sharing::Commitments;
use serde::Serialize;

/// Row-filter lines offered on the approval form.
const FILTER_LINES: usize = 3;

/// The operators of a row-filter line, as the data API spells them, with their Chinese names.
pub const OPERATORS: &[(&str, &str)] = &[
    ("eq", "等于"),
    ("neq", "不等于"),
    ("gt", "大于"),
    ("gte", "大于等于"),
    ("lt", "小于"),
    ("lte", "小于等于"),
    ("like", "匹配（*为通配符）"),
    ("in", "属于（以逗号分隔）"),
];

fn checked(value: &str) -> bool {
    matches!(value, "on" | "true" | "1" | "yes")
}

/// The request form as typed.
#[derive(Serialize, Default, Clone)]
pub struct RequestFields {
    pub items: Vec<String>,
    pub modes: Vec<String>,
    pub scenario: String,
    pub purpose: String,
    pub using_unit: String,
    pub until: String,
    pub purpose_bound: bool,
    pub no_onward_transfer: bool,
    pub security: bool,
}

impl RequestFields {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "items" => f.items.push(value),
                "modes" => f.modes.push(value),
                "scenario" => f.scenario = value,
                "purpose" => f.purpose = value,
                "using_unit" => f.using_unit = value,
                "until" => f.until = value,
                "purpose_bound" => f.purpose_bound = checked(&value),
                "no_onward_transfer" => f.no_onward_transfer = checked(&value),
                "security" => f.security = checked(&value),
                _ => {}
            }
        }
        f
    }

    pub fn input(&self, entry_code: &str) -> RequestInput {
        RequestInput {
            entry_code: entry_code.to_owned(),
            items: self.items.clone(),
            modes: self.modes.clone(),
            scenario: self.scenario.clone(),
            purpose: self.purpose.clone(),
            using_unit: self.using_unit.clone(),
            until: self.until.clone(),
            commitments: Commitments {
                purpose_bound: self.purpose_bound,
                no_onward_transfer: self.no_onward_transfer,
                security: self.security,
            },
        }
    }
}

/// One row-filter line of the approval form.
#[derive(Serialize, Default, Clone)]
pub struct FilterLine {
    pub item: String,
    pub op: String,
    pub value: String,
}

/// The approval form as typed.
#[derive(Serialize, Default, Clone)]
pub struct ApproveFields {
    pub items: Vec<String>,
    pub until: String,
    pub filter: Vec<FilterLine>,
    pub prepare: bool,
    pub note: String,
}

impl ApproveFields {
    /// The form as first shown: everything requested, until the requested date.
    pub fn proposed(r: &RequestView) -> Self {
        Self {
            items: r.items.clone(),
            until: r.until.clone(),
            ..Self::default()
        }
        .padded()
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        let mut lines: BTreeMap<usize, FilterLine> = BTreeMap::new();
        for (key, value) in pairs {
            match key.as_str() {
                "items" => f.items.push(value),
                "until" => f.until = value,
                "prepare" => f.prepare = checked(&value),
                "note" => f.note = value,
                other => {
                    let Some((index, part)) = other
                        .strip_prefix("filter[")
                        .and_then(|rest| rest.split_once("]."))
                    else {
                        continue;
                    };
                    let Ok(index) = index.parse::<usize>() else {
                        continue;
                    };
                    if index >= FILTER_LINES {
                        continue;
                    }
                    let line = lines.entry(index).or_default();
                    match part {
                        "item" => line.item = value,
                        "op" => line.op = value,
                        "value" => line.value = value,
                        _ => {}
                    }
                }
            }
        }
        f.filter = lines.into_values().collect();
        f.padded()
    }

    /// Always the same number of filter lines, so the form has room to add one.
    fn padded(mut self) -> Self {
        self.filter.resize(FILTER_LINES, FilterLine::default());
        self
    }

    /// The command's input; lines without an item are left out, `in` lists get their brackets.
    pub fn input(&self) -> ApproveInput {
        let row_filter = self
            .filter
            .iter()
            .filter(|l| !l.item.trim().is_empty())
            .map(|l| {
                let value = l.value.trim();
                let value = if l.op == "in" && !value.starts_with('(') {
                    format!("({value})")
                } else {
                    value.to_owned()
                };
                (l.item.trim().to_owned(), format!("{}.{value}", l.op))
            })
            .collect();
        ApproveInput {
            items: Some(self.items.clone()),
            until: Some(self.until.clone()),
            row_filter,
            prepare: self.prepare,
            note: self.note.clone(),
        }
    }
}

/// The refusal form as typed.
#[derive(Serialize, serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct RefuseFields {
    pub reason: String,
    pub legal_basis: String,
}

/// Field messages of numbered fields (`items[2]`, `row_filter[0]`) shown at their group.
pub fn grouped(fields: BTreeMap<String, String>) -> BTreeMap<String, String> {
    crate::console::forms::join_messages(fields.into_iter().map(|(field, message)| {
        let key = field
            .split_once('[')
            .map_or(field.as_str(), |(group, _)| group)
            .to_owned();
        (key, message)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn filter_lines_become_the_row_filter_and_empty_ones_are_dropped() {
        let f = ApproveFields::from_pairs(pairs(&[
            ("items", "xm"),
            ("items", "qx"),
            ("filter[0].item", "qx"),
            ("filter[0].op", "in"),
            ("filter[0].value", "新城区,回民区"),
            ("filter[1].item", ""),
            ("filter[1].op", "eq"),
            ("filter[2].item", "nl"),
            ("filter[2].op", "gte"),
            ("filter[2].value", "18"),
            ("filter[7].item", "ignored"),
            ("prepare", "on"),
        ]));
        assert_eq!(f.filter.len(), FILTER_LINES);
        let input = f.input();
        assert_eq!(input.items, Some(vec!["xm".to_owned(), "qx".to_owned()]));
        assert_eq!(
            input.row_filter,
            vec![
                ("qx".to_owned(), "in.(新城区,回民区)".to_owned()),
                ("nl".to_owned(), "gte.18".to_owned()),
            ]
        );
        assert!(input.prepare);
    }

    #[test]
    fn numbered_field_messages_are_shown_at_their_group() {
        let grouped = grouped(BTreeMap::from([
            ("items[0]".to_owned(), "甲".to_owned()),
            ("items[2]".to_owned(), "乙".to_owned()),
            ("until".to_owned(), "丙".to_owned()),
        ]));
        assert_eq!(grouped["items"], "甲；乙");
        assert_eq!(grouped["until"], "丙");
    }
}
