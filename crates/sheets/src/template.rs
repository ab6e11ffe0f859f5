//! The layout of the template: sheet names, the columns of each sheet in order, and the mapping
//! from the English field names the app uses in its validation errors to a sheet, row and column.
//! Writer and reader both take the layout from here, so the two cannot drift apart.

use crate::{CellError, EntryRow};

/// Sheet of catalog entries, one per row.
pub const ENTRY_SHEET: &str = "资源目录";
/// Sheet of data items, one per row, linked to their entry by `资源序号`.
pub const ITEM_SHEET: &str = "信息项";
/// Sheet of instructions; written for people, ignored when reading.
pub const GUIDE_SHEET: &str = "填写说明";

/// How a column's cell text is turned into a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Trimmed text.
    Text,
    /// Several values separated by `；`, `;` or a line break.
    List,
    /// Several `法律名称|条款` citations separated by `；`, `;` or a line break.
    LegalBases,
    /// `是`/`否` (also `Y`/`N`, `true`/`false`, `1`/`0`, an Excel boolean).
    YesNo,
}

/// One column of a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The English field name the app uses (`name`, `share_modes`, …).
    pub field: &'static str,
    /// The Chinese header in row 1, exactly as it must appear.
    pub header: &'static str,
    /// The Excel column letter.
    pub letter: &'static str,
    pub kind: CellKind,
    /// What to fill in, for the instructions sheet.
    pub note: &'static str,
    /// Column width in Excel character units.
    pub width: u16,
}

const LETTERS: [&str; 26] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T", "U", "V", "W", "X", "Y", "Z",
];

const fn col(
    i: usize,
    field: &'static str,
    header: &'static str,
    kind: CellKind,
    width: u16,
    note: &'static str,
) -> Column {
    Column {
        field,
        header,
        letter: LETTERS[i],
        kind,
        note,
        width,
    }
}

use CellKind::{LegalBases, List, Text, YesNo};

/// The columns of `资源目录`, in order (A, B, …).
pub const ENTRY_COLUMNS: [Column; 23] = [
    col(
        0,
        "key",
        "序号",
        Text,
        8,
        "本文件内唯一的行号或任意文字，信息项表以此关联资源",
    ),
    col(
        1,
        "code",
        "资源代码",
        Text,
        24,
        "已编目资源的代码；新资源留空",
    ),
    col(2, "name", "资源名称", Text, 28, "必填"),
    col(3, "summary", "资源摘要", Text, 40, "资源内容的简要说明"),
    col(
        4,
        "category_code",
        "资源分类代码",
        Text,
        14,
        "按资源分类填写分类代码",
    ),
    col(
        5,
        "grade",
        "数据级别",
        Text,
        14,
        "核心数据、重要数据或一般数据1～4级",
    ),
    col(6, "data_form", "数据形式", Text, 12, "见可选值"),
    col(
        7,
        "share_type",
        "共享类型",
        Text,
        12,
        "无条件共享、有条件共享或不予共享",
    ),
    col(
        8,
        "share_conditions",
        "共享条件",
        Text,
        30,
        "有条件共享时必填",
    ),
    col(9, "share_scope", "共享范围", Text, 24, "可共享的部门或范围"),
    col(
        10,
        "share_modes",
        "共享方式",
        List,
        22,
        "可填多个，以“；”分隔",
    ),
    col(
        11,
        "open_type",
        "开放属性",
        Text,
        12,
        "无条件开放、有条件开放或非开放",
    ),
    col(
        12,
        "open_conditions",
        "开放条件",
        Text,
        24,
        "有条件开放时必填",
    ),
    col(
        13,
        "not_open_reason",
        "不开放理由",
        Text,
        16,
        "非开放时必填",
    ),
    col(
        14,
        "legal_bases",
        "法律法规依据",
        LegalBases,
        40,
        "每条写作“法律名称|条款”，多条以“；”分隔，如：中华人民共和国居民身份证法|第十三条",
    ),
    col(15, "update_frequency", "更新频率", Text, 10, "见可选值"),
    col(
        16,
        "source_dept",
        "数源部门",
        Text,
        20,
        "数据的法定来源部门",
    ),
    col(17, "collecting_dept", "采集部门", Text, 20, ""),
    col(18, "approving_dept", "核准部门", Text, 20, ""),
    col(19, "providing_dept", "提供部门", Text, 20, ""),
    col(
        20,
        "related_codes",
        "关联资源",
        List,
        24,
        "关联资源的资源代码，多个以“；”分隔",
    ),
    col(
        21,
        "state_secret",
        "是否涉密",
        YesNo,
        10,
        "“是”或“否”；涉密数据不得编目",
    ),
    col(
        22,
        "departure_reason",
        "偏离理由",
        Text,
        30,
        "共享类型或开放属性与分类分级方案对该级别的建议不同时必填",
    ),
];

/// The columns of `信息项`, in order (A, B, …).
pub const ITEM_COLUMNS: [Column; 10] = [
    col(
        0,
        "entry_key",
        "资源序号",
        Text,
        10,
        "所属资源在资源目录表中的序号",
    ),
    col(
        1,
        "code",
        "信息项代码",
        Text,
        18,
        "以字母开头，由字母、数字和下划线组成",
    ),
    col(2, "name", "信息项名称", Text, 20, "必填，同一资源内不重复"),
    col(3, "data_type", "数据类型", Text, 10, "见可选值"),
    col(4, "description", "描述", Text, 30, ""),
    col(
        5,
        "grade",
        "数据级别",
        Text,
        14,
        "不得高于所属资源的数据级别",
    ),
    col(6, "personal", "个人信息", YesNo, 10, "“是”或“否”"),
    col(
        7,
        "sensitive_kind",
        "敏感个人信息类型",
        Text,
        18,
        "非敏感个人信息留空",
    ),
    col(8, "masked", "是否脱敏", YesNo, 10, "“是”或“否”"),
    col(
        9,
        "element_code",
        "基础数据项代码",
        Text,
        16,
        "对应的基础数据项代码；没有则留空",
    ),
];

/// Indexes into [`ENTRY_COLUMNS`], so code reads by name rather than number.
pub(crate) mod e {
    pub const KEY: usize = 0;
    pub const CODE: usize = 1;
    pub const NAME: usize = 2;
    pub const SUMMARY: usize = 3;
    pub const CATEGORY_CODE: usize = 4;
    pub const GRADE: usize = 5;
    pub const DATA_FORM: usize = 6;
    pub const SHARE_TYPE: usize = 7;
    pub const SHARE_CONDITIONS: usize = 8;
    pub const SHARE_SCOPE: usize = 9;
    pub const SHARE_MODES: usize = 10;
    pub const OPEN_TYPE: usize = 11;
    pub const OPEN_CONDITIONS: usize = 12;
    pub const NOT_OPEN_REASON: usize = 13;
    pub const LEGAL_BASES: usize = 14;
    pub const UPDATE_FREQUENCY: usize = 15;
    pub const SOURCE_DEPT: usize = 16;
    pub const COLLECTING_DEPT: usize = 17;
    pub const APPROVING_DEPT: usize = 18;
    pub const PROVIDING_DEPT: usize = 19;
    pub const RELATED_CODES: usize = 20;
    pub const STATE_SECRET: usize = 21;
    pub const DEPARTURE_REASON: usize = 22;
}

/// Indexes into [`ITEM_COLUMNS`].
pub(crate) mod i {
    pub const ENTRY_KEY: usize = 0;
    pub const CODE: usize = 1;
    pub const NAME: usize = 2;
    pub const DATA_TYPE: usize = 3;
    pub const DESCRIPTION: usize = 4;
    pub const GRADE: usize = 5;
    pub const PERSONAL: usize = 6;
    pub const SENSITIVE_KIND: usize = 7;
    pub const MASKED: usize = 8;
    pub const ELEMENT_CODE: usize = 9;
}

/// The column of `资源目录` holding an entry field (`"name"`, `"legal_bases"`, …).
pub fn entry_column(field: &str) -> Option<&'static Column> {
    ENTRY_COLUMNS.iter().find(|c| c.field == field)
}

/// The column of `信息项` holding an item field (`"code"`, `"masked"`, …).
pub fn item_column(field: &str) -> Option<&'static Column> {
    ITEM_COLUMNS.iter().find(|c| c.field == field)
}

/// A cell of the workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub sheet: &'static str,
    /// 1-based Excel row.
    pub row: u32,
    pub column: &'static str,
    pub header: &'static str,
}

impl Position {
    /// Turns a message about this cell into a [`CellError`].
    pub fn error(self, zh: impl Into<String>, en: impl Into<String>) -> CellError {
        CellError {
            sheet: self.sheet.to_owned(),
            row: self.row,
            column: self.column.to_owned(),
            header: self.header.to_owned(),
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// `"legal_bases[0].law"` → `"legal_bases"`.
fn base_name(field: &str) -> &str {
    field.split(['[', '.']).next().unwrap_or(field)
}

impl EntryRow {
    /// The cell a validation error about `field` points at, for an entry read by
    /// [`read_catalog`](crate::read_catalog).
    ///
    /// `field` uses the app's paths: `"name"`, `"legal_bases[1]"`, `"items[3].code"` (the 4th
    /// of [`EntryRow::items`], in sheet order). `"items"` and `"items[3]"` point at the row's
    /// key column. `None` for a field the template has no column for.
    pub fn locate(&self, field: &str) -> Option<Position> {
        if let Some(rest) = field.strip_prefix("items[") {
            let (index, rest) = rest.split_once(']')?;
            let item = self.items.get(index.parse::<usize>().ok()?)?;
            let column = match rest.strip_prefix('.') {
                Some(sub) => item_column(base_name(sub))?,
                None if rest.is_empty() => &ITEM_COLUMNS[i::ENTRY_KEY],
                None => return None,
            };
            return Some(Position {
                sheet: ITEM_SHEET,
                row: item.row,
                column: column.letter,
                header: column.header,
            });
        }
        let column = match base_name(field) {
            "items" => &ENTRY_COLUMNS[e::KEY],
            name => entry_column(name)?,
        };
        Some(Position {
            sheet: ENTRY_SHEET,
            row: self.row,
            column: column.letter,
            header: column.header,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_follow_the_order_of_the_columns() {
        for (n, c) in ENTRY_COLUMNS.iter().chain(ITEM_COLUMNS.iter()).enumerate() {
            let idx = if n < ENTRY_COLUMNS.len() {
                n
            } else {
                n - ENTRY_COLUMNS.len()
            };
            assert_eq!(c.letter, LETTERS[idx], "{}", c.header);
        }
        assert_eq!(ENTRY_COLUMNS[e::STATE_SECRET].field, "state_secret");
        assert_eq!(ENTRY_COLUMNS[e::DEPARTURE_REASON].field, "departure_reason");
        assert_eq!(ENTRY_COLUMNS[e::RELATED_CODES].field, "related_codes");
        assert_eq!(ENTRY_COLUMNS[e::LEGAL_BASES].field, "legal_bases");
        assert_eq!(ITEM_COLUMNS[i::ELEMENT_CODE].field, "element_code");
        assert_eq!(ITEM_COLUMNS[i::MASKED].field, "masked");
    }

    #[test]
    fn field_names_are_unique_per_sheet() {
        for cols in [&ENTRY_COLUMNS[..], &ITEM_COLUMNS[..]] {
            for (n, c) in cols.iter().enumerate() {
                assert!(cols[n + 1..].iter().all(|d| d.field != c.field));
                assert!(cols[n + 1..].iter().all(|d| d.header != c.header));
            }
        }
    }

    #[test]
    fn base_name_strips_indexes_and_sub_fields() {
        assert_eq!(base_name("legal_bases[0].law"), "legal_bases");
        assert_eq!(base_name("name"), "name");
        assert_eq!(base_name("share_modes[2]"), "share_modes");
    }
}
