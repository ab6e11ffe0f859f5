//! Matching source columns to data items: a header names an item by its code (trimmed,
//! case-insensitive) or by its name (trimmed, exact). Unknown columns are ignored with a
//! warning; a required item with no column stops the file.

use std::collections::HashMap;

use crate::error::IngestError;
use crate::report::{MissingItem, Warning};
use crate::schema::ItemSpec;

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
    let matcher = ItemMatcher::new(items);
    let mut map = ColumnMap {
        source_of: vec![None; items.len()],
        header_of: vec![None; items.len()],
    };
    let mut warnings = Vec::new();
    for (column, header) in headers.into_iter().enumerate() {
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
    check_present(items, &map.header_of, &mut warnings)?;
    Ok((map, warnings))
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
            if item.required {
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
    fn two_columns_for_one_item_are_refused() {
        let err = map_headers(["xm", "姓名", "sfzh"], &items()).unwrap_err();
        assert!(matches!(err, IngestError::DuplicateColumn { .. }), "{err}");
    }
}
