//! Matching source columns to data items: a header names an item by its code (trimmed,
//! case-insensitive) or by its name (trimmed, exact). Unknown columns are ignored with a
//! warning; a required item with no column stops the file, and so does a header that names no
//! item at all (its rows would be all empty).
//!
//! In CSV and worksheets the header need not be the first row: agencies put a title (and a
//! date, a unit) above it. The header is the first of the first [`HEADER_SEARCH_ROWS`]
//! non-blank rows that names at least one item and every item whose column is required; the
//! rows above it are skipped with a warning.

use std::collections::HashMap;

use crate::error::IngestError;
use crate::report::{MissingItem, SourcePosition, Warning};
use crate::schema::ItemSpec;

/// How many non-blank rows at the top of a CSV or worksheet may precede the header.
pub(crate) const HEADER_SEARCH_ROWS: u64 = 10;

/// How many found columns and expected items an error lists (all are counted).
const LISTED_COLUMNS: usize = 30;

/// Finds the item a header (or JSON key) names.
pub(crate) struct ItemMatcher {
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl ItemMatcher {
    pub(crate) fn new(items: &[ItemSpec]) -> Self {
        let mut by_code = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            by_code.entry(item.code.trim().to_lowercase()).or_insert(i);
            by_name.entry(item.name.trim().to_owned()).or_insert(i);
        }
        Self { by_code, by_name }
    }

    /// A code match wins over a name match.
    pub(crate) fn find(&self, header: &str) -> Option<usize> {
        let header = header.trim();
        self.by_code
            .get(&header.to_lowercase())
            .or_else(|| self.by_name.get(header))
            .copied()
    }
}

/// Which source column feeds each item, and the header it had.
#[derive(Debug, Clone, Default)]
pub(crate) struct ColumnMap {
    pub(crate) source_of: Vec<Option<usize>>,
    pub(crate) header_of: Vec<Option<String>>,
}

/// Maps a header row to the items. Returns the map and the warnings (unknown columns, absent
/// optional items).
pub(crate) fn map_headers<'h>(
    headers: impl IntoIterator<Item = &'h str>,
    items: &[ItemSpec],
) -> Result<(ColumnMap, Vec<Warning>), IngestError> {
    let headers: Vec<&str> = headers.into_iter().collect();
    let matcher = ItemMatcher::new(items);
    let mut map = ColumnMap {
        source_of: vec![None; items.len()],
        header_of: vec![None; items.len()],
    };
    let mut warnings = Vec::new();
    for (column, &header) in headers.iter().enumerate() {
        match matcher.find(header) {
            Some(item) => {
                if let Some(first) = &map.header_of[item] {
                    return Err(IngestError::DuplicateColumn {
                        item: items[item].code.clone(),
                        first: first.clone(),
                        second: header.to_owned(),
                    });
                }
                map.source_of[item] = Some(column);
                map.header_of[item] = Some(header.to_owned());
            }
            None => warnings.push(Warning::UnknownColumn {
                column: header.to_owned(),
            }),
        }
    }
    refuse_if_nothing_matched(items, &map.header_of, &headers)?;
    check_present(items, &map.header_of, &mut warnings)?;
    Ok((map, warnings))
}

/// A header (or first JSON object) that names no item at all is refused with the columns it
/// has and the items expected: its rows would be stored as all empty.
pub(crate) fn refuse_if_nothing_matched(
    items: &[ItemSpec],
    header_of: &[Option<String>],
    found: &[&str],
) -> Result<(), IngestError> {
    if header_of.iter().any(Option::is_some) {
        return Ok(());
    }
    Err(no_matching_columns(items, found))
}

fn no_matching_columns(items: &[ItemSpec], found: &[&str]) -> IngestError {
    let found: Vec<String> = found
        .iter()
        .map(|h| h.trim())
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect();
    IngestError::NoMatchingColumns {
        found_total: found.len(),
        found: found.into_iter().take(LISTED_COLUMNS).collect(),
        expected_total: items.len(),
        expected: items
            .iter()
            .take(LISTED_COLUMNS)
            .map(|i| MissingItem {
                code: i.code.clone(),
                name: i.name.clone(),
            })
            .collect(),
    }
}

/// Looks for the header among the first non-blank rows of a CSV or worksheet: each row is
/// offered in turn until one is taken.
pub(crate) struct HeaderSearch<'i> {
    items: &'i [ItemSpec],
    matcher: ItemMatcher,
    /// Non-blank rows offered and not taken.
    skipped: u64,
    /// The cells of the first non-blank row, for the error when no row names an item.
    first: Option<Vec<String>>,
    /// Why the row that named the most items was not taken, with how many it named.
    best: Option<(usize, IngestError)>,
}

impl<'i> HeaderSearch<'i> {
    pub(crate) fn new(items: &'i [ItemSpec]) -> Self {
        Self {
            items,
            matcher: ItemMatcher::new(items),
            skipped: 0,
            first: None,
            best: None,
        }
    }

    /// Offers the next non-blank row, found at `at`. Returns its map when it is the header;
    /// `None` to go on with the next row; an error once [`HEADER_SEARCH_ROWS`] rows were
    /// offered and none was taken.
    pub(crate) fn offer(
        &mut self,
        cells: &[&str],
        at: SourcePosition,
    ) -> Result<Option<(ColumnMap, Vec<Warning>)>, IngestError> {
        if self.first.is_none() {
            self.first = Some(cells.iter().map(|c| (*c).to_owned()).collect());
        }
        let mut named = vec![false; self.items.len()];
        for cell in cells {
            if let Some(i) = self.matcher.find(cell) {
                named[i] = true;
            }
        }
        let count = named.iter().filter(|n| **n).count();
        if count > 0 {
            match map_headers(cells.iter().copied(), self.items) {
                Ok((map, mut warnings)) => {
                    if self.skipped > 0 {
                        warnings.insert(
                            0,
                            Warning::RowsAboveHeader {
                                skipped: self.skipped,
                                header: at,
                            },
                        );
                    }
                    return Ok(Some((map, warnings)));
                }
                Err(e) => {
                    if self.best.as_ref().is_none_or(|(n, _)| count > *n) {
                        self.best = Some((count, e));
                    }
                }
            }
        }
        self.skipped += 1;
        if self.skipped >= HEADER_SEARCH_ROWS {
            return Err(self.give_up());
        }
        Ok(None)
    }

    /// The source ended before a header was found.
    pub(crate) fn finish(mut self) -> IngestError {
        if self.first.is_none() {
            return IngestError::NoHeader;
        }
        self.give_up()
    }

    fn give_up(&mut self) -> IngestError {
        match self.best.take() {
            Some((_, e)) => e,
            None => {
                let first = self.first.take().unwrap_or_default();
                let found: Vec<&str> = first.iter().map(String::as_str).collect();
                no_matching_columns(self.items, &found)
            }
        }
    }
}

/// A required item without a column is an error naming every such item; an optional one is a
/// warning.
pub(crate) fn check_present(
    items: &[ItemSpec],
    header_of: &[Option<String>],
    warnings: &mut Vec<Warning>,
) -> Result<(), IngestError> {
    let mut missing = Vec::new();
    for (item, header) in items.iter().zip(header_of) {
        if header.is_none() {
            if item.needs_column() {
                missing.push(MissingItem {
                    code: item.code.clone(),
                    name: item.name.clone(),
                });
            } else {
                warnings.push(Warning::ItemAbsent {
                    item: item.code.clone(),
                    name: item.name.clone(),
                });
            }
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(IngestError::MissingColumns(missing))
    }
}

#[cfg(test)]
mod tests {
    use gongshu_domain::catalog::DataType;

    use super::*;

    fn items() -> Vec<ItemSpec> {
        vec![
            ItemSpec::new("xm", "姓名", DataType::Text, true),
            ItemSpec::new("sfzh", "公民身份号码", DataType::CitizenId, true),
            ItemSpec::new("bz", "备注", DataType::Text, false),
        ]
    }

    #[test]
    fn headers_match_by_code_or_name() {
        let (map, warnings) = map_headers([" 姓名 ", "SFZH", "电话"], &items()).unwrap();
        assert_eq!(map.source_of, vec![Some(0), Some(1), None]);
        assert_eq!(
            warnings,
            vec![
                Warning::UnknownColumn {
                    column: "电话".into()
                },
                Warning::ItemAbsent {
                    item: "bz".into(),
                    name: "备注".into()
                },
            ]
        );
    }

    #[test]
    fn missing_required_columns_are_named() {
        let err = map_headers(["备注"], &items()).unwrap_err();
        let IngestError::MissingColumns(missing) = &err else {
            panic!("{err}")
        };
        let codes: Vec<_> = missing.iter().map(|m| m.code.as_str()).collect();
        assert_eq!(codes, ["xm", "sfzh"]);
        assert!(err.zh().contains("姓名（xm）"));
    }

    #[test]
    fn a_header_naming_no_item_is_refused_with_what_was_found_and_expected() {
        let err = map_headers(["编号", " 名称 ", ""], &items()).unwrap_err();
        let IngestError::NoMatchingColumns {
            found, expected, ..
        } = &err
        else {
            panic!("{err}")
        };
        assert_eq!(found, &["编号", "名称"]);
        let codes: Vec<_> = expected.iter().map(|m| m.code.as_str()).collect();
        assert_eq!(codes, ["xm", "sfzh", "bz"]);
        assert!(
            err.zh().contains("“编号”") && err.zh().contains("姓名（xm）"),
            "{}",
            err.zh()
        );
        assert!(err.to_string().contains("`编号`"), "{err}");
    }

    #[test]
    fn a_key_item_needs_its_column_though_its_cells_may_be_blank() {
        let items = vec![
            ItemSpec::new("bh", "编号", DataType::Text, false).with_column_required(),
            ItemSpec::new("bz", "备注", DataType::Text, false),
        ];
        let err = map_headers(["备注"], &items).unwrap_err();
        assert!(
            matches!(err, IngestError::MissingColumns(ref m) if m[0].code == "bh"),
            "{err}"
        );
        assert!(map_headers(["编号"], &items).is_ok());
    }

    /// B17, H11: a title row (and a blank or a date line) above the header is skipped, and
    /// the skip is reported.
    #[test]
    fn the_header_is_found_below_a_title_row() {
        let items = items();
        let mut search = HeaderSearch::new(&items);
        let rows: [&[&str]; 3] = [
            &["2024年人口登记表"],
            &["制表日期：2024-03-01", ""],
            &["姓名", "公民身份号码"],
        ];
        let mut found = None;
        for (i, row) in rows.iter().enumerate() {
            if let Some(header) = search
                .offer(row, SourcePosition::ExcelRow(i as u32 + 2))
                .unwrap()
            {
                found = Some(header);
                break;
            }
        }
        let (map, warnings) = found.expect("the third row is the header");
        assert_eq!(map.source_of, vec![Some(0), Some(1), None]);
        assert_eq!(
            warnings[0],
            Warning::RowsAboveHeader {
                skipped: 2,
                header: SourcePosition::ExcelRow(4)
            }
        );
    }

    #[test]
    fn with_no_header_in_the_first_rows_the_best_candidate_explains_why() {
        let items = items();
        // A header that names an item but lacks a required one: its error wins.
        let mut search = HeaderSearch::new(&items);
        assert!(
            search
                .offer(&["标题"], SourcePosition::Line(1))
                .unwrap()
                .is_none()
        );
        assert!(
            search
                .offer(&["姓名", "电话"], SourcePosition::Line(2))
                .unwrap()
                .is_none()
        );
        let err = search.finish();
        assert!(matches!(err, IngestError::MissingColumns(_)), "{err}");

        // Nothing names an item within the first rows: the first row is what was found.
        let mut search = HeaderSearch::new(&items);
        let mut outcome = Ok(None);
        for i in 0..HEADER_SEARCH_ROWS {
            outcome = search.offer(&["a", "b"], SourcePosition::Line(i + 1));
            if outcome.is_err() {
                break;
            }
        }
        let err = outcome.unwrap_err();
        assert!(
            matches!(err, IngestError::NoMatchingColumns { .. }),
            "{err}"
        );
        assert!(matches!(
            HeaderSearch::new(&items).finish(),
            IngestError::NoHeader
        ));
    }

    #[test]
    fn two_columns_for_one_item_are_refused() {
        let err = map_headers(["xm", "姓名", "sfzh"], &items()).unwrap_err();
        assert!(matches!(err, IngestError::DuplicateColumn { .. }), "{err}");
    }
}
