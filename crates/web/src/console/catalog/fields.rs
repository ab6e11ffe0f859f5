//! The entry form as typed: every field of `EntryInput`, legal bases and data items as numbered
//! rows (`legal_bases[0].law`, `items[2].code`, …). Rows left completely empty are dropped
//! before the command runs, and the command's field paths are mapped back to the rows the user
//! sees, so each message lands next to its input.

use std::collections::BTreeMap;

use gongshu_app::catalog::{EntryInput, EntryView, ItemInput};
use gongshu_domain::catalog::LegalBasis;
use serde::Serialize;

/// Empty rows offered below the filled ones, so items can be added without JavaScript.
const EMPTY_ITEM_ROWS: usize = 10;
const EMPTY_BASIS_ROWS: usize = 3;
/// More rows than any real entry has; larger indices are ignored.
const MAX_ROWS: usize = 1000;

#[derive(Serialize, Default, Clone)]
pub struct EntryFields {
    pub category_code: String,
    pub name: String,
    pub summary: String,
    pub grade: String,
    pub data_form: String,
    pub share_type: String,
    pub share_conditions: String,
    pub share_scope: String,
    pub share_modes: Vec<String>,
    pub open_type: String,
    pub open_conditions: String,
    pub not_open_reason: String,
    pub update_frequency: String,
    pub source_org_id: String,
    pub collecting_dept: String,
    pub approving_dept: String,
    pub providing_dept: String,
    /// Codes of related entries, separated by commas or spaces.
    pub related_codes: String,
    pub state_secret: bool,
    pub change_note: String,
    /// 偏离理由, for a share or open type other than the grade's suggestion.
    pub departure_reason: String,
    pub legal_bases: Vec<BasisRow>,
    pub items: Vec<ItemRow>,
}

#[derive(Serialize, Default, Clone)]
pub struct BasisRow {
    pub law: String,
    pub article: String,
}

impl BasisRow {
    fn is_empty(&self) -> bool {
        self.law.trim().is_empty() && self.article.trim().is_empty()
    }
}

#[derive(Serialize, Clone)]
pub struct ItemRow {
    pub code: String,
    pub name: String,
    pub data_type: String,
    pub description: String,
    /// Empty: the entry's own grade.
    pub grade: String,
    pub personal: bool,
    pub sensitive_kind: String,
    /// Empty: by grade and sensitivity (the command's default); `yes` or `no`: decided.
    pub masked: String,
    pub element_code: String,
}

impl Default for ItemRow {
    fn default() -> Self {
        Self {
            code: String::new(),
            name: String::new(),
            data_type: "text".into(),
            description: String::new(),
            grade: String::new(),
            personal: false,
            sensitive_kind: String::new(),
            masked: String::new(),
            element_code: String::new(),
        }
    }
}

impl ItemRow {
    /// Nothing typed and nothing ticked; the select boxes keep their defaults and do not count.
    fn is_empty(&self) -> bool {
        [
            &self.code,
            &self.name,
            &self.description,
            &self.element_code,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
            && !self.personal
            && self.sensitive_kind.is_empty()
    }
}

/// `items[12].code` → ("items", 12, "code"); `legal_bases[0]` → ("legal_bases", 0, "").
fn indexed(key: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = key.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let index: usize = index.parse().ok()?;
    Some((list, index, rest.strip_prefix('.').unwrap_or(rest)))
}

/// The command input and, for each of its items and legal bases, the form row it came from.
pub struct Submitted {
    pub input: EntryInput,
    item_rows: Vec<usize>,
    basis_rows: Vec<usize>,
}

impl EntryFields {
    /// Reads the submitted pairs; unknown names are ignored.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = EntryFields::default();
        let mut items: BTreeMap<usize, ItemRow> = BTreeMap::new();
        let mut bases: BTreeMap<usize, BasisRow> = BTreeMap::new();
        for (key, value) in pairs {
            if let Some((list, i, field)) = indexed(&key).filter(|(_, i, _)| *i < MAX_ROWS) {
                match list {
                    "items" => {
                        let row = items.entry(i).or_default();
                        match field {
                            "code" => row.code = value,
                            "name" => row.name = value,
                            "data_type" => row.data_type = value,
                            "description" => row.description = value,
                            "grade" => row.grade = value,
                            "personal" => row.personal = true,
                            "sensitive_kind" => row.sensitive_kind = value,
                            "masked" => row.masked = value,
                            "element_code" => row.element_code = value,
                            _ => {}
                        }
                    }
                    "legal_bases" => {
                        let row = bases.entry(i).or_default();
                        match field {
                            "law" => row.law = value,
                            "article" => row.article = value,
                            _ => {}
                        }
                    }
                    _ => {}
                }
                continue;
            }
            match key.as_str() {
                "category_code" => f.category_code = value,
                "name" => f.name = value,
                "summary" => f.summary = value,
                "grade" => f.grade = value,
                "data_form" => f.data_form = value,
                "share_type" => f.share_type = value,
                "share_conditions" => f.share_conditions = value,
                "share_scope" => f.share_scope = value,
                "share_modes" => f.share_modes.push(value),
                "open_type" => f.open_type = value,
                "open_conditions" => f.open_conditions = value,
                "not_open_reason" => f.not_open_reason = value,
                "update_frequency" => f.update_frequency = value,
                "source_org_id" => f.source_org_id = value,
                "collecting_dept" => f.collecting_dept = value,
                "approving_dept" => f.approving_dept = value,
                "providing_dept" => f.providing_dept = value,
                "related_codes" => f.related_codes = value,
                "state_secret" => f.state_secret = true,
                "change_note" => f.change_note = value,
                "departure_reason" => f.departure_reason = value,
                _ => {}
            }
        }
        f.items = items.into_values().collect();
        f.legal_bases = bases.into_values().collect();
        f
    }

    /// The form of an existing revision, for editing it.
    pub fn of(e: &EntryView) -> Self {
        EntryFields {
            category_code: e.category_code.clone(),
            name: e.name.clone(),
            summary: e.summary.clone(),
            grade: e.grade.clone(),
            data_form: e.data_form.clone(),
            share_type: e.share_type.clone(),
            share_conditions: e.share_conditions.clone(),
            share_scope: e.share_scope.clone(),
            share_modes: e.share_modes.clone(),
            open_type: e.open_type.clone(),
            open_conditions: e.open_conditions.clone(),
            not_open_reason: e.not_open_reason.clone().unwrap_or_default(),
            update_frequency: e.update_frequency.clone(),
            source_org_id: e.source_org_id.clone().unwrap_or_default(),
            collecting_dept: e.collecting_dept.clone(),
            approving_dept: e.approving_dept.clone(),
            providing_dept: e.providing_dept.clone(),
            related_codes: e.related_codes.join("，"),
            state_secret: false,
            // A new note for the change about to be made.
            change_note: String::new(),
            // The reason stays while the departure does; the user edits it with the types.
            departure_reason: e.departure_reason.clone(),
            legal_bases: e
                .legal_bases
                .iter()
                .map(|b| BasisRow {
                    law: b.law.clone(),
                    article: b.article.clone(),
                })
                .collect(),
            items: e
                .items
                .iter()
                .map(|i| ItemRow {
                    code: i.code.clone(),
                    name: i.name.clone(),
                    data_type: i.data_type.clone(),
                    description: i.description.clone(),
                    grade: i.grade.clone(),
                    personal: i.personal,
                    sensitive_kind: i.sensitive_kind.clone().unwrap_or_default(),
                    masked: if i.masked { "yes" } else { "no" }.into(),
                    element_code: i.element_code.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// Adds empty rows below the filled ones, for the form.
    pub fn padded(mut self) -> Self {
        let empty_items = self.items.iter().rev().take_while(|r| r.is_empty()).count();
        for _ in empty_items..EMPTY_ITEM_ROWS {
            self.items.push(ItemRow::default());
        }
        let empty_bases = self
            .legal_bases
            .iter()
            .rev()
            .take_while(|r| r.is_empty())
            .count();
        for _ in empty_bases..EMPTY_BASIS_ROWS {
            self.legal_bases.push(BasisRow::default());
        }
        self
    }

    /// The command input: empty rows dropped, an item without a grade takes the entry's.
    pub fn submitted(&self) -> Submitted {
        let blank = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let (mut item_rows, mut items) = (Vec::new(), Vec::new());
        for (row, i) in self.items.iter().enumerate().filter(|(_, i)| !i.is_empty()) {
            item_rows.push(row);
            items.push(ItemInput {
                code: i.code.clone(),
                name: i.name.clone(),
                data_type: i.data_type.clone(),
                description: i.description.clone(),
                grade: blank(&i.grade).unwrap_or_else(|| self.grade.clone()),
                personal: i.personal,
                sensitive_kind: blank(&i.sensitive_kind),
                masked: match i.masked.as_str() {
                    "yes" => Some(true),
                    "no" => Some(false),
                    _ => None,
                },
                element_code: blank(&i.element_code),
            });
        }
        let (mut basis_rows, mut legal_bases) = (Vec::new(), Vec::new());
        for (row, b) in self
            .legal_bases
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.is_empty())
        {
            basis_rows.push(row);
            legal_bases.push(LegalBasis {
                law: b.law.clone(),
                article: b.article.clone(),
            });
        }
        let input = EntryInput {
            category_code: self.category_code.clone(),
            name: self.name.clone(),
            summary: self.summary.clone(),
            grade: self.grade.clone(),
            data_form: self.data_form.clone(),
            share_type: self.share_type.clone(),
            share_conditions: self.share_conditions.clone(),
            share_scope: self.share_scope.clone(),
            share_modes: self.share_modes.clone(),
            open_type: self.open_type.clone(),
            open_conditions: self.open_conditions.clone(),
            not_open_reason: blank(&self.not_open_reason),
            legal_bases,
            update_frequency: self.update_frequency.clone(),
            source_org_id: blank(&self.source_org_id),
            collecting_dept: self.collecting_dept.clone(),
            approving_dept: self.approving_dept.clone(),
            providing_dept: self.providing_dept.clone(),
            related_codes: self
                .related_codes
                .split(|c: char| c.is_whitespace() || ",，、;；".contains(c))
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            state_secret: self.state_secret,
            change_note: self.change_note.clone(),
            departure_reason: self.departure_reason.clone(),
            items,
        };
        Submitted {
            input,
            item_rows,
            basis_rows,
        }
    }
}

impl Submitted {
    /// The form field a command's field path belongs to: `items[k].x` of the k-th non-empty
    /// item becomes that item's row; every `related_codes[k]` goes to the one text box.
    pub fn form_field(&self, path: &str) -> String {
        let Some((list, i, rest)) = indexed(path) else {
            return path.to_owned();
        };
        let row = match list {
            "items" => self.item_rows.get(i),
            "legal_bases" => self.basis_rows.get(i),
            "related_codes" => return "related_codes".into(),
            _ => None,
        };
        match (row, rest) {
            (Some(row), "") => format!("{list}[{row}]"),
            (Some(row), rest) => format!("{list}[{row}].{rest}"),
            (None, _) => path.to_owned(),
        }
    }

    /// Field errors keyed by form field; messages for the same field joined.
    pub fn remap(&self, fields: BTreeMap<String, String>) -> BTreeMap<String, String> {
        crate::console::forms::join_messages(
            fields
                .into_iter()
                .map(|(path, message)| (self.form_field(&path), message)),
        )
    }
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
    fn empty_rows_are_dropped_and_errors_point_at_the_typed_row() {
        let f = EntryFields::from_pairs(pairs(&[
            ("name", "户籍"),
            ("grade", "general_3"),
            ("share_modes", "api_query"),
            ("share_modes", "verification"),
            ("items[0].data_type", "text"),
            ("items[1].code", "xm"),
            ("items[1].name", "姓名"),
            ("items[1].personal", "on"),
            ("items[3].code", "2bad"),
            ("legal_bases[0].law", ""),
            ("legal_bases[1].law", "中华人民共和国户口登记条例"),
        ]));
        assert_eq!(f.share_modes, ["api_query", "verification"]);
        assert_eq!(f.items.len(), 3, "rows 0, 1 and 3 were sent");
        let s = f.submitted();
        assert_eq!(s.input.items.len(), 2);
        assert_eq!(
            s.input.items[0].grade, "general_3",
            "the entry's grade by default"
        );
        assert!(s.input.items[0].personal);
        assert_eq!(s.input.legal_bases.len(), 1);
        assert_eq!(s.form_field("items[1].code"), "items[2].code");
        assert_eq!(s.form_field("legal_bases[0]"), "legal_bases[1]");
        assert_eq!(s.form_field("related_codes[3]"), "related_codes");
        assert_eq!(s.form_field("share_conditions"), "share_conditions");
    }

    #[test]
    fn related_codes_split_on_chinese_and_latin_separators() {
        let f = EntryFields {
            related_codes: "101-00001，101-00002 、 102-00003".into(),
            ..EntryFields::default()
        };
        assert_eq!(
            f.submitted().input.related_codes,
            ["101-00001", "101-00002", "102-00003"]
        );
    }

    #[test]
    fn padding_leaves_room_for_new_rows() {
        let f = EntryFields::default().padded();
        assert_eq!(f.items.len(), EMPTY_ITEM_ROWS);
        assert_eq!(f.legal_bases.len(), EMPTY_BASIS_ROWS);
    }
}
