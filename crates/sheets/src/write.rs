//! Writes entries into the template: `资源目录`, `信息项` and the instructions sheet `填写说明`.
//! Headers are bold and frozen, every column is formatted as text (so codes such as `330100` or
//! `001` keep their form when an agency types them), 是/否 columns and the columns the guide
//! gives short value lists for get a drop-down.

use std::borrow::Cow;
use std::collections::HashSet;

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, Workbook, Worksheet,
};

use crate::template::{
    CellKind, Column, ENTRY_COLUMNS, ENTRY_SHEET, GUIDE_SHEET, ITEM_COLUMNS, ITEM_SHEET, e, i,
};
use crate::{EntryRow, WriteError};

/// Allowed values to show on `填写说明` and offer as drop-downs, keyed by English field name.
///
/// The app passes its vocabularies' Chinese labels in, e.g.
/// `("share_type", ["无条件共享", "有条件共享", "不予共享"])`. `Guide::default()` writes the
/// instructions without value lists.
#[derive(Debug, Clone, Default)]
pub struct Guide {
    /// For columns of `资源目录` (`grade`, `data_form`, `share_type`, `share_modes`, …).
    pub entry_values: Vec<(String, Vec<String>)>,
    /// For columns of `信息项` (`data_type`, `grade`, `sensitive_kind`, …).
    pub item_values: Vec<(String, Vec<String>)>,
}

/// Last row a drop-down covers (0-based): room for far more rows than an import accepts.
const VALIDATED_ROWS: u32 = 20_000;
/// Separator used when writing a list cell.
const SEP: &str = "；";

/// The catalog as an .xlsx file in the template, readable back by
/// [`read_catalog`](crate::read_catalog) into the same rows.
pub fn write_catalog(entries: &[EntryRow], guide: &Guide) -> Result<Vec<u8>, WriteError> {
    let entry_values = values_by_column(&guide.entry_values, &ENTRY_COLUMNS)?;
    let item_values = values_by_column(&guide.item_values, &ITEM_COLUMNS)?;

    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");

    let keys = keys(entries)?;

    let sheet = book.add_worksheet().set_name(ENTRY_SHEET)?;
    layout(sheet, &ENTRY_COLUMNS, &entry_values, &bold, &text)?;
    for (n, (entry, key)) in entries.iter().zip(&keys).enumerate() {
        for (col, value) in entry_cells(entry, key) {
            put(sheet, n as u32 + 1, col, &value, &text)?;
        }
    }
    sheet.autofilter(0, 0, entries.len() as u32, ENTRY_COLUMNS.len() as u16 - 1)?;

    let sheet = book.add_worksheet().set_name(ITEM_SHEET)?;
    layout(sheet, &ITEM_COLUMNS, &item_values, &bold, &text)?;
    let mut row = 1;
    for (entry, key) in entries.iter().zip(&keys) {
        for item in &entry.items {
            let cells: [(usize, &str); 10] = [
                (i::ENTRY_KEY, key),
                (i::CODE, &item.code),
                (i::NAME, &item.name),
                (i::DATA_TYPE, &item.data_type),
                (i::DESCRIPTION, &item.description),
                (i::GRADE, &item.grade),
                (i::PERSONAL, yes_no(item.personal)),
                (i::SENSITIVE_KIND, &item.sensitive_kind),
                (i::MASKED, yes_no(item.masked)),
                (i::ELEMENT_CODE, &item.element_code),
            ];
            for (col, value) in cells {
                put(sheet, row, col, value, &text)?;
            }
            row += 1;
        }
    }
    sheet.autofilter(0, 0, row - 1, ITEM_COLUMNS.len() as u16 - 1)?;

    let sheet = book.add_worksheet().set_name(GUIDE_SHEET)?;
    write_guide(sheet, &entry_values, &item_values, &bold)?;

    Ok(book.save_to_buffer()?)
}

/// Each entry's `序号`: its own, or its 1-based position when empty; all distinct.
fn keys(entries: &[EntryRow]) -> Result<Vec<Cow<'_, str>>, WriteError> {
    let mut seen = HashSet::with_capacity(entries.len());
    let mut keys = Vec::with_capacity(entries.len());
    for (n, entry) in entries.iter().enumerate() {
        let key = match entry.key.trim() {
            "" => Cow::Owned((n + 1).to_string()),
            key => Cow::Borrowed(key),
        };
        if !seen.insert(key.clone()) {
            return Err(WriteError::DuplicateKey(key.into_owned()));
        }
        keys.push(key);
    }
    Ok(keys)
}

fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

fn entry_cells(entry: &EntryRow, key: &str) -> [(usize, String); 23] {
    let legal = entry
        .legal_bases
        .iter()
        .map(|(law, article)| format!("{law}|{article}"))
        .collect::<Vec<_>>()
        .join(SEP);
    [
        (e::KEY, key.to_owned()),
        (e::CODE, entry.code.clone()),
        (e::NAME, entry.name.clone()),
        (e::SUMMARY, entry.summary.clone()),
        (e::CATEGORY_CODE, entry.category_code.clone()),
        (e::GRADE, entry.grade.clone()),
        (e::DATA_FORM, entry.data_form.clone()),
        (e::SHARE_TYPE, entry.share_type.clone()),
        (e::SHARE_CONDITIONS, entry.share_conditions.clone()),
        (e::SHARE_SCOPE, entry.share_scope.clone()),
        (e::SHARE_MODES, entry.share_modes.join(SEP)),
        (e::OPEN_TYPE, entry.open_type.clone()),
        (e::OPEN_CONDITIONS, entry.open_conditions.clone()),
        (e::NOT_OPEN_REASON, entry.not_open_reason.clone()),
        (e::LEGAL_BASES, legal),
        (e::UPDATE_FREQUENCY, entry.update_frequency.clone()),
        (e::SOURCE_DEPT, entry.source_dept.clone()),
        (e::COLLECTING_DEPT, entry.collecting_dept.clone()),
        (e::APPROVING_DEPT, entry.approving_dept.clone()),
        (e::PROVIDING_DEPT, entry.providing_dept.clone()),
        (e::RELATED_CODES, entry.related_codes.join(SEP)),
        (e::STATE_SECRET, yes_no(entry.state_secret).to_owned()),
        (e::DEPARTURE_REASON, entry.departure_reason.clone()),
    ]
}

/// Writes a text cell; empty cells are left out so the file stays small.
fn put(
    sheet: &mut Worksheet,
    row: u32,
    col: usize,
    value: &str,
    text: &Format,
) -> Result<(), WriteError> {
    if !value.is_empty() {
        sheet.write_string_with_format(row, col as u16, value, text)?;
    }
    Ok(())
}

/// The guide's value lists in column order; an unknown field name is an error.
fn values_by_column<'g>(
    given: &'g [(String, Vec<String>)],
    columns: &[Column],
) -> Result<Vec<Option<&'g [String]>>, WriteError> {
    let mut out = vec![None; columns.len()];
    for (field, values) in given {
        let n = columns
            .iter()
            .position(|c| c.field == field)
            .ok_or_else(|| WriteError::UnknownField(field.clone()))?;
        out[n] = Some(values.as_slice());
    }
    Ok(out)
}

/// Header row, widths, text format, frozen header, drop-downs.
fn layout(
    sheet: &mut Worksheet,
    columns: &[Column],
    values: &[Option<&[String]>],
    bold: &Format,
    text: &Format,
) -> Result<(), WriteError> {
    for (n, c) in columns.iter().enumerate() {
        let col = n as u16;
        sheet.write_string_with_format(0, col, c.header, bold)?;
        sheet.set_column_width(col, c.width)?;
        sheet.set_column_format(col, text)?;
        let list: Option<Vec<&str>> = match (c.kind, values[n]) {
            (CellKind::YesNo, _) => Some(vec!["是", "否"]),
            (CellKind::Text, Some(v)) if !v.is_empty() => {
                Some(v.iter().map(String::as_str).collect())
            }
            _ => None,
        };
        // Excel caps a literal list at 255 characters; longer lists are only on the guide sheet.
        if let Some(Ok(dv)) = list.map(|l| DataValidation::new().allow_list_strings(&l)) {
            let dv = dv
                .set_error_style(DataValidationErrorStyle::Warning)
                .set_error_message("请从下拉列表中选择，或参照“填写说明”工作表填写")?;
            sheet.add_data_validation(1, col, VALIDATED_ROWS, col, &dv)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

const GENERAL_NOTES: [&str; 6] = [
    "公共数据资源目录导入模板 填写说明",
    "1. “资源目录”工作表每行填写一条资源，“信息项”工作表每行填写一个信息项；请勿修改、增删或调换第1行表头。",
    "2. “序号”在本文件内唯一，信息项的“资源序号”填写所属资源的序号。新资源的“资源代码”留空，修改已编目资源时保留原代码。",
    "3. 可填多个值的列（共享方式、法律法规依据、关联资源）以“；”分隔；法律法规依据每条写作“法律名称|条款”。",
    "4. “是/否”列填写“是”或“否”。所有单元格均按文本保存。",
    "5. 导入时先校验全部行，任何一处有误则整份文件不导入，错误报告会指明工作表、行号和列。",
];

fn write_guide(
    sheet: &mut Worksheet,
    entry_values: &[Option<&[String]>],
    item_values: &[Option<&[String]>],
    bold: &Format,
) -> Result<(), WriteError> {
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    sheet.write_string_with_format(0, 0, GENERAL_NOTES[0], bold)?;
    for (n, note) in GENERAL_NOTES.iter().enumerate().skip(1) {
        sheet.write_string(n as u32, 0, *note)?;
    }
    let top = GENERAL_NOTES.len() as u32 + 1;
    for (col, (header, width)) in [
        ("工作表", 10),
        ("列", 5),
        ("表头", 16),
        ("填写要求", 50),
        ("可选值", 60),
        ("字段 (field)", 18),
    ]
    .into_iter()
    .enumerate()
    {
        sheet.write_string_with_format(top, col as u16, header, bold)?;
        sheet.set_column_width(col as u16, width)?;
    }
    let rows = ENTRY_COLUMNS
        .iter()
        .zip(entry_values)
        .map(|(c, v)| (ENTRY_SHEET, c, *v))
        .chain(
            ITEM_COLUMNS
                .iter()
                .zip(item_values)
                .map(|(c, v)| (ITEM_SHEET, c, *v)),
        );
    for (n, (sheet_name, c, values)) in rows.enumerate() {
        let row = top + 1 + n as u32;
        let allowed = match (c.kind, values) {
            (CellKind::YesNo, _) => "是；否".to_owned(),
            (_, Some(v)) => v.join(SEP),
            (_, None) => String::new(),
        };
        for (col, value) in [sheet_name, c.letter, c.header, c.note, &allowed, c.field]
            .into_iter()
            .enumerate()
        {
            sheet.write_string_with_format(row, col as u16, value, &wrap)?;
        }
    }
    Ok(())
}
