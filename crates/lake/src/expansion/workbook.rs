//! An XLSX workbook is a ZIP of XML parts. calamine opens it by reading the shared-string
//! table whole into memory (reserving as many entries as the table's `uniqueCount` attribute
//! claims) and the styles, then streams the worksheet. Before it does, every part is
//! stream-decompressed once here, in constant memory, counting the bytes that really come out
//! (the sizes in the ZIP headers are the writer's claim, not a fact) and stopping at the first
//! limit passed. On the way through the shared-string table its `<si>` entries are counted and
//! its `uniqueCount` checked.

use std::io::{Read, Seek};

use super::{Expansion, ExpansionLimits};
use crate::error::IngestError;

/// What a workbook expands to, as measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkbookSize {
    pub parts: u64,
    /// All parts together, expanded.
    pub bytes: u64,
    /// Entries in the shared-string table.
    pub shared_strings: u64,
    /// The shared-string part, expanded.
    pub shared_string_bytes: u64,
}

/// Measures every part of the workbook `reader` holds against `limits`: refused with
/// [`IngestError::ExpandedTooLarge`] naming the limit as soon as one is passed, or as
/// malformed when the ZIP cannot be read. Memory stays constant whatever the workbook holds.
pub fn check_workbook<R: Read + Seek>(
    reader: R,
    limits: &ExpansionLimits,
) -> Result<WorkbookSize, IngestError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(malformed)?;
    let parts = zip.len() as u64;
    if parts > limits.workbook_parts {
        return Err(IngestError::ExpandedTooLarge {
            what: Expansion::WorkbookParts,
            limit: limits.workbook_parts,
        });
    }
    let mut size = WorkbookSize {
        parts,
        ..WorkbookSize::default()
    };
    let mut buf = vec![0u8; 64 * 1024];
    for index in 0..zip.len() {
        let mut part = zip.by_index(index).map_err(malformed)?;
        // calamine finds parts by name without regard to case.
        let shared = part
            .name_raw()
            .to_ascii_lowercase()
            .ends_with(b"sharedstrings.xml");
        let mut table = shared.then(SharedStrings::default);
        loop {
            let n = match part.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(malformed(e)),
            };
            size.bytes += n as u64;
            if size.bytes > limits.workbook_bytes {
                return Err(IngestError::ExpandedTooLarge {
                    what: Expansion::WorkbookBytes,
                    limit: limits.workbook_bytes,
                });
            }
            if let Some(table) = table.as_mut() {
                size.shared_string_bytes += n as u64;
                if size.shared_string_bytes > limits.shared_string_bytes {
                    return Err(IngestError::ExpandedTooLarge {
                        what: Expansion::SharedStringBytes,
                        limit: limits.shared_string_bytes,
                    });
                }
                table.feed(&buf[..n])?;
                size.shared_strings = table.entries;
                // calamine reserves the declared count before reading one entry.
                if table.entries > limits.shared_strings
                    || table.declared.is_some_and(|d| d > limits.shared_strings)
                {
                    return Err(IngestError::ExpandedTooLarge {
                        what: Expansion::SharedStrings,
                        limit: limits.shared_strings,
                    });
                }
            }
        }
    }
    Ok(size)
}

fn malformed(e: impl std::fmt::Display) -> IngestError {
    IngestError::Malformed {
        format: "XLSX",
        at: "workbook".into(),
        message: e.to_string(),
    }
}

/// The longest `<sst …>` start tag read for its attributes; a real one is a few hundred
/// bytes, and one longer could hide a count past the limit.
const MAX_SST_TAG: usize = 64 * 1024;

/// Counts the entries of a shared-string table as its bytes stream past: every start (or
/// empty) tag whose local name is `si`, whatever its prefix, and the `uniqueCount` of the
/// `sst` tag. Tags inside comments or CDATA are counted too: counting too many only refuses
/// sooner, and never lets a table through that calamine would read as larger.
#[derive(Debug, Default)]
struct SharedStrings {
    entries: u64,
    declared: Option<u64>,
    state: Scan,
    /// The tag name being read (only its last 4 bytes matter), or the `sst` tag being kept.
    name: Vec<u8>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Scan {
    #[default]
    Text,
    /// Just after `<`.
    Open,
    /// Reading a start tag's name.
    Name,
    /// Inside a tag, after its name, until `>`.
    Tag,
    /// Inside the `sst` tag, keeping its bytes for the attributes.
    Sst,
}

impl SharedStrings {
    fn feed(&mut self, bytes: &[u8]) -> Result<(), IngestError> {
        for &b in bytes {
            match self.state {
                Scan::Text => {
                    if b == b'<' {
                        self.state = Scan::Open;
                    }
                }
                Scan::Open => {
                    self.name.clear();
                    if is_name_end(b) || b == b'/' || b == b'!' || b == b'?' {
                        // An end tag, a comment, a declaration: not an entry.
                        self.state = if b == b'>' { Scan::Text } else { Scan::Tag };
                    } else {
                        self.name.push(b);
                        self.state = Scan::Name;
                    }
                }
                Scan::Name => {
                    if is_name_end(b) || b == b'/' {
                        let local = local_name(&self.name);
                        if local == b"si" {
                            self.entries += 1;
                        }
                        if local == b"sst" {
                            self.name.clear();
                            self.name.push(b);
                            self.state = if b == b'>' { Scan::Text } else { Scan::Sst };
                        } else {
                            self.state = if b == b'>' { Scan::Text } else { Scan::Tag };
                        }
                    } else if b == b'<' {
                        self.state = Scan::Open;
                    } else if self.name.len() < 64 {
                        self.name.push(b);
                    } else {
                        // A name this long is no `si` or `sst`.
                        self.name.clear();
                        self.name.extend_from_slice(b"-");
                    }
                }
                Scan::Tag => {
                    if b == b'>' {
                        self.state = Scan::Text;
                    }
                }
                Scan::Sst => {
                    if b == b'>' {
                        self.declared = self.declared.max(unique_count(&self.name));
                        self.name.clear();
                        self.state = Scan::Text;
                    } else if self.name.len() >= MAX_SST_TAG {
                        return Err(IngestError::Malformed {
                            format: "XLSX",
                            at: "sharedStrings.xml".into(),
                            message: "the shared-string table's start tag is too long".into(),
                        });
                    } else {
                        self.name.push(b);
                    }
                }
            }
        }
        Ok(())
    }
}

fn is_name_end(b: u8) -> bool {
    b == b'>' || b.is_ascii_whitespace()
}

fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

/// The largest number any `uniqueCount` attribute in the tag's bytes holds (saturating), if
/// one holds a number.
fn unique_count(tag: &[u8]) -> Option<u64> {
    const NAME: &[u8] = b"uniqueCount";
    let mut found: Option<u64> = None;
    let mut from = 0;
    while let Some(at) = tag[from..]
        .windows(NAME.len())
        .position(|w| w == NAME)
        .map(|p| p + from)
    {
        from = at + NAME.len();
        let rest = &tag[from..];
        let rest = rest.trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = rest.trim_ascii_start();
        let Some((&quote, rest)) = rest.split_first() else {
            continue;
        };
        if quote != b'"' && quote != b'\'' {
            continue;
        }
        let value = rest.split(|&b| b == quote).next().unwrap_or_default();
        let digits = value.trim_ascii();
        let digits = digits.strip_prefix(b"+").unwrap_or(digits);
        if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
            let n = digits.iter().fold(0u64, |n, &d| {
                n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
            });
            found = found.max(Some(n));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(xml: &str, chunk: usize) -> (u64, Option<u64>) {
        let mut table = SharedStrings::default();
        for piece in xml.as_bytes().chunks(chunk) {
            table.feed(piece).unwrap();
        }
        (table.entries, table.declared)
    }

    #[test]
    fn entries_are_counted_whatever_the_prefix_and_the_chunking() {
        let xml = r#"<?xml version="1.0"?><sst xmlns="x" count="9" uniqueCount="4"><si><t>a</t></si><si ><t>b</t></si><x:si><x:t>c</x:t></x:si><si/><sis>no</sis></sst>"#;
        for chunk in [1, 2, 3, 7, 1000] {
            assert_eq!(count(xml, chunk), (4, Some(4)), "chunk {chunk}");
        }
    }

    #[test]
    fn a_declared_count_is_read_even_when_it_lies() {
        let (_, declared) = count(r#"<sst uniqueCount = '99999999999999999999999'>"#, 5);
        assert_eq!(declared, Some(u64::MAX));
        let (_, declared) = count(r#"<x:sst count="3" uniqueCount="12">"#, 5);
        assert_eq!(declared, Some(12));
        let (_, declared) = count(r#"<sst uniqueCount="many">"#, 5);
        assert_eq!(declared, None);
    }
}
