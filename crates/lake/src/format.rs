//! Source formats: declared by the uploader (or a file extension), or sniffed from the first
//! bytes.

use serde::Serialize;

/// A source format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Format {
    /// Delimited text with a header row, in any encoding (detected unless declared).
    Csv,
    /// An Office Open XML workbook: the named sheet, or the first one.
    Xlsx {
        sheet: Option<String>,
    },
    /// One JSON array of objects.
    JsonArray,
    /// One JSON object per line.
    Ndjson,
    Parquet,
}

impl Format {
    /// The format a file extension names (case-insensitive), if any.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.trim_start_matches('.').to_ascii_lowercase().as_str() {
            "csv" | "txt" | "tsv" => Some(Format::Csv),
            "xlsx" | "xlsm" => Some(Format::Xlsx { sheet: None }),
            "json" => Some(Format::JsonArray),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }

    /// Tells the format from the first bytes: the Parquet magic, a ZIP header (XLSX), a JSON
    /// array or object (after any BOM and whitespace), and otherwise CSV.
    pub fn sniff(prefix: &[u8]) -> Self {
        if prefix.starts_with(b"PAR1") {
            return Format::Parquet;
        }
        if prefix.starts_with(b"PK\x03\x04") {
            return Format::Xlsx { sheet: None };
        }
        let text = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
        match text.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => Format::JsonArray,
            Some(b'{') => Format::Ndjson,
            _ => Format::Csv,
        }
    }

    /// The name shown to people: `CSV`, `XLSX`, `JSON`, `NDJSON`, `Parquet`.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Xlsx { .. } => "XLSX",
            Format::JsonArray => "JSON",
            Format::Ndjson => "NDJSON",
            Format::Parquet => "Parquet",
        }
    }
}

/// Whether the caller knows the format or wants it sniffed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FormatChoice {
    #[default]
    Sniff,
    Declared(Format),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_tells_each_format() {
        assert_eq!(Format::sniff(b"PAR1\x15\x04"), Format::Parquet);
        assert_eq!(
            Format::sniff(b"PK\x03\x04\x14\x00"),
            Format::Xlsx { sheet: None }
        );
        assert_eq!(Format::sniff(b"  \n[{\"a\":1}]"), Format::JsonArray);
        assert_eq!(Format::sniff(b"\xEF\xBB\xBF{\"a\":1}\n"), Format::Ndjson);
        assert_eq!(Format::sniff("姓名,年龄\n".as_bytes()), Format::Csv);
        assert_eq!(Format::from_extension(".JSONL"), Some(Format::Ndjson));
        assert_eq!(Format::from_extension("doc"), None);
    }
}
