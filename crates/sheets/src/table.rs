//! A plain list as one worksheet: bold frozen header, text cells, an autofilter. For the lists
//! the platform publishes as spreadsheets (the sharing lists of H17), which are read by people,
//! not imported back.

use rust_xlsxwriter::{Format, Workbook};

use crate::WriteError;

/// The rows under `headers` on a sheet named `title` (at most 31 characters, Excel's limit).
pub fn write_table(
    title: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet().set_name(title)?;
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *header, &bold)?;
        sheet.set_column_width(col as u16, 18)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            sheet.write_string_with_format(r as u32 + 1, col as u16, value, &text)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if !headers.is_empty() {
        sheet.autofilter(0, 0, rows.len() as u32, headers.len() as u16 - 1)?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_round_trips_through_calamine() {
        use calamine::{Reader, Xlsx};
        let rows = vec![vec!["市公安局".to_owned(), "001".to_owned()]];
        let bytes = write_table("负面清单", &["单位", "编码"], &rows).unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("负面清单").unwrap();
        assert_eq!(range.get_value((1, 0)).unwrap().to_string(), "市公安局");
        assert_eq!(
            range.get_value((1, 1)).unwrap().to_string(),
            "001",
            "codes keep their zeros"
        );
    }
}
