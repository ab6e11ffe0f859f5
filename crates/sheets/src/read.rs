//! Reads a workbook in the template back into rows. Every structural problem is collected
//! (missing sheet, wrong header, bad 是/否, malformed legal basis, cell holding an Excel error,
//! missing or duplicate 序号, item pointing at no entry) so the agency sees them all at once.
//! Whether the values make sense is the app's question, not this module's.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::template::{
    CellKind, Column, ENTRY_COLUMNS, ENTRY_SHEET, ITEM_COLUMNS, ITEM_SHEET, Position, e, i,
};
use crate::{CellError, EntryRow, ItemRow, ReadError};

/// Most data rows a sheet may hold; far beyond any agency's catalog, it bounds the memory a
/// crafted upload can take.
pub const MAX_ROWS: usize = 200_000;

/// The entries of a workbook in the template, each with its items, in sheet order.
///
/// An entry without items is returned as such (the app decides whether that is allowed).
pub fn read_catalog(bytes: &[u8]) -> Result<Vec<EntryRow>, ReadError> {
    read_with_limit(bytes, MAX_ROWS)
}

fn read_with_limit(bytes: &[u8], max_rows: usize) -> Result<Vec<EntryRow>, ReadError> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::NotXlsx(e.to_string()))?;
    let mut errors = Vec::new();
    let mut load =
        |sheet, columns, errors: &mut _| Grid::load(&mut book, sheet, columns, max_rows, errors);
    let entry_grid = load(ENTRY_SHEET, &ENTRY_COLUMNS, &mut errors)?;
    let item_grid = load(ITEM_SHEET, &ITEM_COLUMNS, &mut errors)?;

    let entries = entry_grid.map(|g| read_entries(&g, &mut errors));
    let items = item_grid.map(|g| read_items(&g, &mut errors));

    let mut entries = match (entries, items) {
        (Some(mut entries), Some(items)) => {
            attach_items(&mut entries, items, &mut errors);
            entries
        }
        (entries, _) => entries.unwrap_or_default(),
    };
    if errors.is_empty() {
        entries.shrink_to_fit();
        Ok(entries)
    } else {
        // Entries first, then items; by row; within a row by column (all one letter wide).
        errors.sort_by(|a, b| {
            (a.sheet != ENTRY_SHEET, a.row, &a.column).cmp(&(
                b.sheet != ENTRY_SHEET,
                b.row,
                &b.column,
            ))
        });
        Err(ReadError::Cells(errors))
    }
}

fn sheet_error(sheet: &str, zh: String, en: String) -> CellError {
    CellError {
        sheet: sheet.to_owned(),
        row: 0,
        column: String::new(),
        header: String::new(),
        zh,
        en,
    }
}

/// The non-empty cells of a sheet that fall in the template's columns, by 0-based row.
///
/// Read from the cell stream rather than as one rectangle: a stray value in cell XFD1048576
/// must not make the reader allocate the whole sheet.
struct Grid {
    rows: BTreeMap<u32, Vec<Data>>,
}

impl Grid {
    /// `None`, with the reason in `errors`, when the sheet is missing, too long or its headers
    /// are wrong: its rows are then not worth reading.
    fn load(
        book: &mut Xlsx<Cursor<&[u8]>>,
        sheet: &'static str,
        columns: &[Column],
        max_rows: usize,
        errors: &mut Vec<CellError>,
    ) -> Result<Option<Grid>, ReadError> {
        if !book.sheet_names().iter().any(|n| n == sheet) {
            errors.push(sheet_error(
                sheet,
                format!("缺少工作表“{sheet}”"),
                format!("the workbook has no sheet named {sheet}"),
            ));
            return Ok(None);
        }
        let not_xlsx = |e: calamine::XlsxError| ReadError::NotXlsx(e.to_string());
        let mut cells = book.worksheet_cells_reader(sheet).map_err(not_xlsx)?;
        let mut rows: BTreeMap<u32, Vec<Data>> = BTreeMap::new();
        while let Some(cell) = cells.next_cell().map_err(not_xlsx)? {
            let (r, c) = cell.get_position();
            let value = Data::from(cell.get_value().clone());
            if c as usize >= columns.len() || value == Data::Empty {
                continue;
            }
            if !rows.contains_key(&r) && rows.len() > max_rows {
                errors.push(sheet_error(
                    sheet,
                    format!("工作表“{sheet}”超过{max_rows}行，请分批导入"),
                    format!("sheet {sheet} has more than {max_rows} rows; import it in parts"),
                ));
                return Ok(None);
            }
            rows.entry(r)
                .or_insert_with(|| vec![Data::Empty; columns.len()])[c as usize] = value;
        }
        let grid = Grid { rows };
        Ok(grid.headers_ok(sheet, columns, errors).then_some(grid))
    }

    /// The data rows (Excel row 2 on), 0-based, with their cells.
    fn data_rows(&self) -> impl Iterator<Item = (u32, &[Data])> {
        self.rows
            .range(1..)
            .map(|(r, cells)| (*r, cells.as_slice()))
    }

    /// Row 1 must hold the template's headers in order; extra columns after them are ignored.
    fn headers_ok(
        &self,
        sheet: &'static str,
        columns: &[Column],
        errors: &mut Vec<CellError>,
    ) -> bool {
        let before = errors.len();
        for (n, c) in columns.iter().enumerate() {
            let found = self
                .rows
                .get(&0)
                .map(|cells| cells[n].to_string())
                .unwrap_or_default();
            let found = found.trim();
            if found != c.header {
                let pos = Position {
                    sheet,
                    row: 1,
                    column: c.letter,
                    header: c.header,
                };
                errors.push(if found.is_empty() {
                    pos.error(
                        format!("第1行{}列缺少表头，应为“{}”", c.letter, c.header),
                        format!("header missing: {}1 should be {}", c.letter, c.header),
                    )
                } else {
                    pos.error(
                        format!(
                            "第1行{}列表头应为“{}”，实际为“{found}”；请勿修改、增删或调换表头",
                            c.letter, c.header
                        ),
                        format!(
                            "header {}1 should be {} but is {found}; headers must not be renamed, added, removed or moved",
                            c.letter, c.header
                        ),
                    )
                });
            }
        }
        errors.len() == before
    }
}

/// The cells of one data row, as text, with positions for error reports.
struct Row<'a> {
    sheet: &'static str,
    columns: &'static [Column],
    /// 1-based Excel row.
    number: u32,
    cells: Vec<String>,
    errors: &'a mut Vec<CellError>,
}

impl Row<'_> {
    /// The cells of row `r` (0-based), or `None` for a blank row.
    fn read<'a>(
        data: &[Data],
        r: u32,
        sheet: &'static str,
        columns: &'static [Column],
        errors: &'a mut Vec<CellError>,
    ) -> Option<Row<'a>> {
        let before = errors.len();
        let mut row = Row {
            sheet,
            columns,
            number: r + 1,
            cells: Vec::with_capacity(columns.len()),
            errors,
        };
        for (n, d) in data.iter().enumerate() {
            let text = match d {
                Data::Error(err) => {
                    row.error(
                        n,
                        format!("单元格含错误值 {err}"),
                        format!("the cell holds the error value {err}"),
                    );
                    String::new()
                }
                d => cell_text(d),
            };
            row.cells.push(text);
        }
        let blank = row.cells.iter().all(String::is_empty);
        (!blank || row.errors.len() > before).then_some(row)
    }

    fn error(&mut self, n: usize, zh: String, en: String) {
        let c = &self.columns[n];
        self.errors.push(
            Position {
                sheet: self.sheet,
                row: self.number,
                column: c.letter,
                header: c.header,
            }
            .error(zh, en),
        );
    }

    fn text(&mut self, n: usize) -> String {
        debug_assert_eq!(self.columns[n].kind, CellKind::Text);
        std::mem::take(&mut self.cells[n])
    }

    fn list(&mut self, n: usize) -> Vec<String> {
        split_list(&self.cells[n]).map(str::to_owned).collect()
    }

    fn yes_no(&mut self, n: usize) -> bool {
        match parse_yes_no(&self.cells[n]) {
            Some(b) => b,
            None => {
                let found = self.cells[n].clone();
                self.error(
                    n,
                    format!("应填写“是”或“否”，实际为“{found}”"),
                    format!("expected 是 (yes) or 否 (no), found {found:?}"),
                );
                false
            }
        }
    }

    fn legal_bases(&mut self, n: usize) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut bad = Vec::new();
        for part in split_list(&self.cells[n]) {
            match part.split_once(['|', '｜']) {
                Some((law, article)) => {
                    out.push((law.trim().to_owned(), article.trim().to_owned()))
                }
                None => bad.push(part.to_owned()),
            }
        }
        for part in bad {
            self.error(
                n,
                format!("法律法规依据“{part}”应写作“法律名称|条款”，多条以“；”分隔"),
                format!("legal basis {part:?} should read law|article, several separated by ；"),
            );
        }
        out
    }
}

fn read_entries(grid: &Grid, errors: &mut Vec<CellError>) -> Vec<EntryRow> {
    let mut out = Vec::with_capacity(grid.rows.len());
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (r, data) in grid.data_rows() {
        let Some(mut row) = Row::read(data, r, ENTRY_SHEET, &ENTRY_COLUMNS, errors) else {
            continue;
        };
        let key = row.text(e::KEY);
        if key.is_empty() {
            row.error(
                e::KEY,
                "序号不能为空".into(),
                "the key (序号) is empty".into(),
            );
        } else if let Some(first) = seen.insert(key.clone(), row.number) {
            row.error(
                e::KEY,
                format!("序号“{key}”与第{first}行重复"),
                format!("key {key:?} already used on row {first}"),
            );
        }
        out.push(EntryRow {
            row: row.number,
            key,
            code: row.text(e::CODE),
            name: row.text(e::NAME),
            summary: row.text(e::SUMMARY),
            category_code: row.text(e::CATEGORY_CODE),
            grade: row.text(e::GRADE),
            data_form: row.text(e::DATA_FORM),
            share_type: row.text(e::SHARE_TYPE),
            share_conditions: row.text(e::SHARE_CONDITIONS),
            share_scope: row.text(e::SHARE_SCOPE),
            share_modes: row.list(e::SHARE_MODES),
            open_type: row.text(e::OPEN_TYPE),
            open_conditions: row.text(e::OPEN_CONDITIONS),
            not_open_reason: row.text(e::NOT_OPEN_REASON),
            legal_bases: row.legal_bases(e::LEGAL_BASES),
            update_frequency: row.text(e::UPDATE_FREQUENCY),
            source_dept: row.text(e::SOURCE_DEPT),
            collecting_dept: row.text(e::COLLECTING_DEPT),
            approving_dept: row.text(e::APPROVING_DEPT),
            providing_dept: row.text(e::PROVIDING_DEPT),
            related_codes: row.list(e::RELATED_CODES),
            state_secret: row.yes_no(e::STATE_SECRET),
            departure_reason: row.text(e::DEPARTURE_REASON),
            items: Vec::new(),
        });
    }
    out
}

/// Items with the entry key they name.
fn read_items(grid: &Grid, errors: &mut Vec<CellError>) -> Vec<(String, ItemRow)> {
    let mut out = Vec::with_capacity(grid.rows.len());
    for (r, data) in grid.data_rows() {
        let Some(mut row) = Row::read(data, r, ITEM_SHEET, &ITEM_COLUMNS, errors) else {
            continue;
        };
        let key = row.text(i::ENTRY_KEY);
        if key.is_empty() {
            row.error(
                i::ENTRY_KEY,
                "资源序号不能为空，请填写所属资源在“资源目录”中的序号".into(),
                "the entry key (资源序号) is empty".into(),
            );
        }
        let item = ItemRow {
            row: row.number,
            code: row.text(i::CODE),
            name: row.text(i::NAME),
            data_type: row.text(i::DATA_TYPE),
            description: row.text(i::DESCRIPTION),
            grade: row.text(i::GRADE),
            personal: row.yes_no(i::PERSONAL),
            sensitive_kind: row.text(i::SENSITIVE_KIND),
            masked: row.yes_no(i::MASKED),
            element_code: row.text(i::ELEMENT_CODE),
        };
        out.push((key, item));
    }
    out
}

/// Gives each entry its items; an item naming no entry is an error.
fn attach_items(
    entries: &mut [EntryRow],
    items: Vec<(String, ItemRow)>,
    errors: &mut Vec<CellError>,
) {
    let mut by_key: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    for (n, entry) in entries.iter().enumerate() {
        by_key.entry(entry.key.as_str()).or_insert(n);
    }
    let mut placed = Vec::with_capacity(items.len());
    for (key, item) in items {
        match by_key.get(key.as_str()) {
            Some(&n) => placed.push((n, item)),
            None if key.is_empty() => {} // already reported
            None => {
                let c = &ITEM_COLUMNS[i::ENTRY_KEY];
                errors.push(
                    Position {
                        sheet: ITEM_SHEET,
                        row: item.row,
                        column: c.letter,
                        header: c.header,
                    }
                    .error(
                        format!("资源序号“{key}”在“{ENTRY_SHEET}”工作表中不存在"),
                        format!("entry key {key:?} matches no row of {ENTRY_SHEET}"),
                    ),
                );
            }
        }
    }
    for (n, item) in placed {
        entries[n].items.push(item);
    }
}

/// Splits a list cell on `；`, `;` and line breaks, dropping empty parts.
fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(['；', ';', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn parse_yes_no(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "是" | "y" | "yes" | "true" | "1" => Some(true),
        "否" | "n" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// A cell as trimmed text: numbers as Excel shows them without a format (`330100`, `0.5`),
/// dates as `2024-03-01` or `2024-03-01 08:30:00`, booleans as `TRUE`/`FALSE`.
fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.trim().to_owned(),
        Data::Empty => String::new(),
        Data::Bool(true) => "TRUE".into(),
        Data::Bool(false) => "FALSE".into(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => {
            let secs = (dt.as_f64() * 86_400.0).round() as i64;
            format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
        }
        other => other.to_string().trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    use super::*;

    #[test]
    fn a_sheet_longer_than_the_limit_is_refused_unread() {
        let row = |key: &str| EntryRow {
            key: key.into(),
            ..Default::default()
        };
        let bytes =
            crate::write_catalog(&[row("1"), row("2"), row("3")], &Default::default()).unwrap();
        assert_eq!(read_with_limit(&bytes, 3).unwrap().len(), 3);
        let Err(ReadError::Cells(errs)) = read_with_limit(&bytes, 2) else {
            panic!("three rows read under a limit of two")
        };
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].sheet.as_str(), errs[0].row), (ENTRY_SHEET, 0));
        assert_eq!(errs[0].zh, "工作表“资源目录”超过2行，请分批导入");
    }

    #[test]
    fn numbers_and_dates_become_their_text() {
        assert_eq!(cell_text(&Data::Float(330100.0)), "330100");
        assert_eq!(cell_text(&Data::Float(0.5)), "0.5");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        let date = ExcelDateTime::new(45352.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(date)), "2024-03-01");
        let stamp = ExcelDateTime::new(45352.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(stamp)), "2024-03-01 12:00:00");
        let span = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(cell_text(&Data::DateTime(span)), "36:00:00");
        assert_eq!(cell_text(&Data::String("  户籍 \n".into())), "户籍");
    }

    #[test]
    fn yes_no_accepts_the_usual_spellings() {
        for s in ["是", "Y", "y", "YES", "true", "TRUE", "1"] {
            assert_eq!(parse_yes_no(s), Some(true), "{s}");
        }
        for s in ["否", "N", "no", "False", "0"] {
            assert_eq!(parse_yes_no(s), Some(false), "{s}");
        }
        for s in ["", "有", "2", "对"] {
            assert_eq!(parse_yes_no(s), None, "{s}");
        }
    }

    #[test]
    fn lists_split_on_full_and_half_width_semicolons_and_line_breaks() {
        let parts: Vec<_> = split_list("接口调用；库表交换;\n 文件下载 ；；").collect();
        assert_eq!(parts, ["接口调用", "库表交换", "文件下载"]);
    }
}
