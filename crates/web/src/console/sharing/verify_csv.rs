//! The records of the verification form (核验比对, H21) as typed, pasted or uploaded: CSV text
//! whose header names the key item and then the claimed items, one line per record. Text
//! pasted from a spreadsheet is tab-separated, which is read too, and a header cell may be an
//! item's code or its Chinese name. What is wrong with the text itself is said here, with its
//! line; whether the items are granted and how many records one call may check is for the
//! verification command to decide, as it does for the API.

use csv::{ErrorKind, ReaderBuilder, Trim};
use gongshu_app::data::{VerifyAnswer, VerifyInput, VerifyRecord};
use gongshu_app::sharing::pages::Choice;
use serde::Serialize;

use crate::console::forms::FormErrors;

/// The form field the records are typed in; the command's own messages are shown there too.
pub const FIELD: &str = "records";

/// The submitted records, read.
pub struct Records {
    pub input: VerifyInput,
    /// The header's claimed items (codes), in its order: the columns of the result table.
    pub claimed: Vec<String>,
    /// The line of the text each record came from, for the result table.
    pub lines: Vec<u64>,
}

/// One record of the result table: per claimed item `Some(matches)`, or `None` where the
/// record's cell was empty and nothing was claimed.
#[derive(Serialize)]
pub struct ResultRow {
    pub line: u64,
    /// The key as the user typed it (their own input, never a stored value).
    pub key: String,
    pub fields: Vec<Option<bool>>,
}

fn bad(zh: impl AsRef<str>) -> FormErrors {
    FormErrors::field(FIELD, zh.as_ref())
}

/// The code of the item a header cell names: a granted item's code or name, else the cell
/// as typed (the command refuses an item outside the grant by name).
fn code_of(cell: &str, items: &[Choice]) -> String {
    items
        .iter()
        .find(|i| i.value == cell || i.label == cell)
        .map_or_else(|| cell.to_owned(), |i| i.value.clone())
}

/// The line (from 1) of the record at `byte`. The reader places a record after blank lines at
/// the first of them, so those are skipped to name the line the user sees.
fn line_at(text: &str, byte: u64) -> u64 {
    let start = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
    let rest = &text[start..];
    let blank = rest.len() - rest.trim_start_matches(['\r', '\n']).len();
    1 + text[..start + blank].matches('\n').count() as u64
}

fn unreadable(text: &str, e: &csv::Error) -> FormErrors {
    match e.kind() {
        ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let at = pos
                .as_ref()
                .map_or_else(String::new, |p| format!("第{}行", line_at(text, p.byte())));
            bad(format!(
                "{at}有{len}列，与表头的{expected_len}列不一致；值中含有逗号时请用英文双引号括起来"
            ))
        }
        _ => bad("记录无法按CSV格式读取，请检查引号和分隔符"),
    }
}

/// Reads the records of `text` for a grant with `items`.
pub fn parse(text: &str, items: &[Choice]) -> Result<Records, FormErrors> {
    let text = text.trim_start_matches('\u{feff}');
    let Some(header_line) = text.lines().find(|l| !l.trim().is_empty()) else {
        return Err(bad(
            "请粘贴或上传要核验的记录：第一行为表头，其后每行一条记录",
        ));
    };
    let delimiter = if header_line.contains('\t') && !header_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| unreadable(text, &e))?
        .iter()
        .map(str::to_owned)
        .collect();
    if header.len() < 2 {
        return Err(bad(
            "表头至少要有两列：第一列为核验依据的数据项，其后为要核验的数据项",
        ));
    }
    let mut columns: Vec<String> = Vec::with_capacity(header.len());
    for (i, cell) in header.iter().enumerate() {
        if cell.is_empty() {
            return Err(bad(format!("表头第{}列为空，请填写数据项", i + 1)));
        }
        let code = code_of(cell, items);
        if columns.contains(&code) {
            return Err(bad(format!("表头中的数据项“{cell}”重复")));
        }
        columns.push(code);
    }
    let mut records = Vec::new();
    let mut lines = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| unreadable(text, &e))?;
        let line = row.position().map_or(0, |p| line_at(text, p.byte()));
        let key = row.get(0).unwrap_or_default();
        if key.is_empty() {
            return Err(bad(format!("第{line}行缺少第一列“{}”的值", header[0])));
        }
        let claims = columns[1..]
            .iter()
            .zip(row.iter().skip(1))
            .filter(|(_, value)| !value.is_empty())
            .map(|(item, value)| (item.clone(), value.to_owned()))
            .collect();
        records.push(VerifyRecord {
            key: key.to_owned(),
            claims,
        });
        lines.push(line);
    }
    if records.is_empty() {
        return Err(bad("表头下没有要核验的记录，请每行填写一条"));
    }
    let key = columns.remove(0);
    Ok(Records {
        input: VerifyInput { key, records },
        claimed: columns,
        lines,
    })
}

impl Records {
    /// The result table of the command's answer, record by record in the text's order.
    pub fn table(&self, answer: &VerifyAnswer) -> Vec<ResultRow> {
        self.input
            .records
            .iter()
            .zip(&answer.results)
            .zip(&self.lines)
            .map(|((record, result), line)| ResultRow {
                line: *line,
                key: record.key.clone(),
                fields: self
                    .claimed
                    .iter()
                    .map(|item| result.fields.get(item).copied())
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<Choice> {
        [("sfzh", "公民身份号码"), ("xm", "姓名"), ("nl", "年龄")]
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.to_owned(),
                label: label.to_owned(),
            })
            .collect()
    }

    fn message(text: &str) -> String {
        match parse(text, &items()) {
            Ok(_) => panic!("{text:?} was read"),
            Err(f) => f.fields[FIELD].clone(),
        }
    }

    #[test]
    fn h21_a_header_by_code_or_name_and_empty_cells_claim_nothing() {
        let r = parse(
            "\u{feff}sfzh,姓名,nl\n\n 110101199003070011 , 张伟 ,20\n110101199003070029,,21\n",
            &items(),
        )
        .expect("read");
        assert_eq!(r.input.key, "sfzh");
        assert_eq!(r.claimed, ["xm", "nl"]);
        assert_eq!(r.lines, [3, 4]);
        assert_eq!(r.input.records[0].key, "110101199003070011");
        assert_eq!(r.input.records[0].claims["xm"], "张伟");
        assert!(!r.input.records[1].claims.contains_key("xm"));
        assert_eq!(r.input.records[1].claims["nl"], "21");
    }

    #[test]
    fn h21_text_pasted_from_a_spreadsheet_is_tab_separated() {
        let r = parse(
            "公民身份号码\t姓名\n110101199003070011\t张伟, 王芳\n",
            &items(),
        )
        .expect("read");
        assert_eq!(r.input.key, "sfzh");
        assert_eq!(r.input.records[0].claims["xm"], "张伟, 王芳");
    }

    #[test]
    fn h21_malformed_text_is_explained_with_its_line() {
        assert!(message("  \n").contains("请粘贴或上传"));
        assert!(message("sfzh\n1\n").contains("至少要有两列"));
        assert!(message("sfzh,,nl\n1,2,3\n").contains("第2列为空"));
        assert!(message("sfzh,xm,姓名\n1,2,3\n").contains("“姓名”重复"));
        assert!(message("sfzh,xm\n1,张伟\n\n2,王芳,多余\n").contains("第4行有3列"));
        assert!(message("sfzh,xm\n,张伟\n").contains("第2行缺少第一列“sfzh”的值"));
        assert!(message("sfzh,xm\n").contains("没有要核验的记录"));
    }
}
