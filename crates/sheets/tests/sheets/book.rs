//! Builds workbooks cell by cell, to feed the reader files an agency could have produced by hand.

use gongshu_sheets::template::{ENTRY_COLUMNS, ITEM_COLUMNS};
use gongshu_sheets::{ENTRY_SHEET, EntryRow, ITEM_SHEET, ItemRow};
use rust_xlsxwriter::{Format, Formula, Workbook};

#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    /// An Excel serial date shown as a date.
    Date(f64),
    /// A formula whose cached result is `#N/A`.
    NotAvailable,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

/// Sheets of rows of cells; row 0 is Excel row 1.
pub struct Book {
    pub sheets: Vec<(String, Vec<Vec<Cell>>)>,
    /// Texts far from the others: (sheet, 0-based row, 0-based column, text).
    pub far: Vec<(String, u32, u16, String)>,
}

fn headers(cols: &[gongshu_sheets::template::Column]) -> Vec<Cell> {
    cols.iter().map(|c| c.header.into()).collect()
}

fn column_index(letter: &str) -> usize {
    (letter.as_bytes()[0] - b'A') as usize
}

impl Book {
    /// Both sheets with their headers, entry `1` on row 2 and its item on row 2.
    pub fn template() -> Self {
        let mut entry = vec![Cell::from(""); ENTRY_COLUMNS.len()];
        entry[0] = "1".into();
        entry[2] = "户籍人口基本信息".into();
        entry[21] = "否".into();
        let mut item = vec![Cell::from(""); ITEM_COLUMNS.len()];
        item[0] = "1".into();
        item[1] = "xm".into();
        item[2] = "姓名".into();
        item[6] = "是".into();
        item[8] = "否".into();
        Book {
            sheets: vec![
                (ENTRY_SHEET.into(), vec![headers(&ENTRY_COLUMNS), entry]),
                (ITEM_SHEET.into(), vec![headers(&ITEM_COLUMNS), item]),
            ],
            far: Vec::new(),
        }
    }

    pub fn rows(&mut self, sheet: &str) -> &mut Vec<Vec<Cell>> {
        &mut self
            .sheets
            .iter_mut()
            .find(|(name, _)| name == sheet)
            .expect("sheet")
            .1
    }

    /// Sets the cell at Excel `row` (1-based) and column `letter`, growing the sheet as needed.
    pub fn set(&mut self, sheet: &str, row: u32, letter: &str, cell: impl Into<Cell>) -> &mut Self {
        let rows = self.rows(sheet);
        let r = row as usize - 1;
        let c = column_index(letter);
        if rows.len() <= r {
            rows.resize(r + 1, Vec::new());
        }
        if rows[r].len() <= c {
            rows[r].resize(c + 1, "".into());
        }
        rows[r][c] = cell.into();
        self
    }

    /// Copies Excel row `from` of `sheet` to row `to`.
    pub fn copy_row(&mut self, sheet: &str, from: u32, to: u32) -> &mut Self {
        let rows = self.rows(sheet);
        let row = rows[from as usize - 1].clone();
        if rows.len() < to as usize {
            rows.resize(to as usize, Vec::new());
        }
        rows[to as usize - 1] = row;
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut book = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (name, rows) in &self.sheets {
            let sheet = book.add_worksheet().set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match cell {
                        Cell::Text(s) if s.is_empty() => {}
                        Cell::Text(s) => {
                            sheet.write_string(r, c, s).unwrap();
                        }
                        Cell::Number(n) => {
                            sheet.write_number(r, c, *n).unwrap();
                        }
                        Cell::Bool(b) => {
                            sheet.write_boolean(r, c, *b).unwrap();
                        }
                        Cell::Date(n) => {
                            sheet.write_number_with_format(r, c, *n, &date).unwrap();
                        }
                        Cell::NotAvailable => {
                            sheet
                                .write_formula(r, c, Formula::new("=NA()").set_result("#N/A"))
                                .unwrap();
                        }
                    }
                }
            }
        }
        for (name, r, c, text) in &self.far {
            book.worksheet_from_name(name)
                .unwrap()
                .write_string(*r, *c, text)
                .unwrap();
        }
        book.save_to_buffer().unwrap()
    }
}

/// A realistic entry with several legal bases, share modes and items.
pub fn entry(key: &str, n: usize) -> EntryRow {
    EntryRow {
        key: key.into(),
        code: format!("330100/101/{n:06}"),
        name: format!("户籍人口基本信息（第{n}批）"),
        summary:
            "全市户籍人口的姓名、公民身份号码、出生日期、户籍地址等登记信息；含“引号”与'单引号'。"
                .into(),
        category_code: "101".into(),
        grade: "一般数据3级".into(),
        data_form: "数据库".into(),
        share_type: "有条件共享".into(),
        share_conditions: "仅限履行法定职责使用，不得向第三方提供".into(),
        share_scope: "全市公共管理和服务机构".into(),
        share_modes: vec!["接口调用".into(), "库表交换".into(), "核验比对".into()],
        open_type: "不予开放".into(),
        open_conditions: String::new(),
        not_open_reason: "个人隐私".into(),
        legal_bases: vec![
            ("中华人民共和国居民身份证法".into(), "第十三条".into()),
            ("中华人民共和国个人信息保护法".into(), "第三十四条".into()),
            ("浙江省公共数据条例".into(), "第二十四条第二款".into()),
        ],
        update_frequency: "每日".into(),
        source_dept: "市公安局".into(),
        collecting_dept: "市公安局户政管理支队".into(),
        approving_dept: "市公安局".into(),
        providing_dept: "市公安局".into(),
        related_codes: vec!["330100/102/000001".into(), "330100/103/000002".into()],
        state_secret: false,
        departure_reason: "含公民身份号码，不宜开放".into(),
        items: vec![
            ItemRow {
                code: "xm".into(),
                name: "姓名".into(),
                data_type: "字符型".into(),
                description: "户籍登记的姓名".into(),
                grade: "一般数据3级".into(),
                personal: true,
                ..Default::default()
            },
            ItemRow {
                code: "gmsfhm".into(),
                name: "公民身份号码".into(),
                data_type: "字符型".into(),
                description: "18位公民身份号码".into(),
                grade: "一般数据3级".into(),
                personal: true,
                sensitive_kind: "特定身份".into(),
                masked: true,
                element_code: "NP0001".into(),
                ..Default::default()
            },
            ItemRow {
                code: "csrq".into(),
                name: "出生日期".into(),
                data_type: "日期型".into(),
                grade: "一般数据2级".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

/// Sets the rows a read will report: entries from row 2, items from row 2 in entry order.
pub fn with_rows(mut entries: Vec<EntryRow>) -> Vec<EntryRow> {
    let mut item_row = 2;
    for (n, e) in entries.iter_mut().enumerate() {
        e.row = n as u32 + 2;
        for item in &mut e.items {
            item.row = item_row;
            item_row += 1;
        }
    }
    entries
}
