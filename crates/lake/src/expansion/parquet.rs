//! Parquet pages, checked before they are decoded. What the Parquet reader (parquet 59)
//! allocates comes from each page's header, not from the file's metadata: for a page it
//! reserves `uncompressed_page_size` bytes, and the SNAPPY, LZ4_RAW and ZSTD codecs fill (or
//! zero) exactly that much; GZIP, BROTLI and LZ4 decode until their stream ends, whatever the
//! header says; a dictionary page's `num_values` sizes the dictionary. So before the reader
//! starts, [`walk`] reads every page header of every column chunk that will be read (its own
//! Thrift compact decoder, strict where the reader's is lenient), and checks:
//!
//! - each chunk lies inside the file, before its footer, with a codec whose output is bounded
//!   (BROTLI and the deprecated LZ4 are refused: their output cannot be bounded beforehand);
//! - each page's declared sizes are sane and the expanded size is within
//!   [`ExpansionLimits::parquet_page_bytes`], and all pages together within
//!   [`ExpansionLimits::parquet_bytes`];
//! - a dictionary page holds no more values than its bytes can;
//! - a GZIP page really expands to what its header declares: it is stream-decompressed once,
//!   in constant memory, stopping just past the limit.
//!
//! The reader is then given a [`CheckedFile`]: it may fetch only the page bodies the walk
//! checked, at exactly the offsets and lengths the walk found, so a header the two decoders
//! read differently fails closed instead of slipping through.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::sync::Arc;

use bytes::Bytes;
use parquet::basic::{Compression, Type as PhysicalType};
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::{ChunkReader, Length};

use super::{Expansion, ExpansionLimits};
use crate::error::IngestError;

/// The longest page header read; real ones are tens of bytes (a few hundred with statistics).
const MAX_HEADER_BYTES: u64 = 1024 * 1024;
/// How deep Thrift structs may nest in a page header.
const MAX_DEPTH: u32 = 16;

/// The page bodies the walk checked: `(offset, length)`.
#[derive(Debug, Default)]
pub(crate) struct CheckedPages {
    pages: HashSet<(u64, usize)>,
    /// All pages together, expanded.
    pub(crate) expanded_bytes: u64,
}

/// The length of the footer (metadata) of a Parquet file of `len` bytes, checked against the
/// limit before the reader allocates it.
pub(crate) fn check_footer(
    file: &File,
    len: u64,
    limits: &ExpansionLimits,
) -> Result<(), IngestError> {
    if len < 12 {
        return Err(malformed("file", "too short to be Parquet"));
    }
    let mut tail = [0u8; 8];
    let mut reader = file;
    reader
        .seek(SeekFrom::Start(len - 8))
        .and_then(|_| reader.read_exact(&mut tail))
        .map_err(IngestError::Io)?;
    if &tail[4..] != b"PAR1" {
        return Err(malformed("footer", "no PAR1 magic at the end"));
    }
    let metadata = u64::from(u32::from_le_bytes(tail[..4].try_into().expect("4 bytes")));
    if metadata + 8 > len {
        return Err(malformed("footer", "the metadata is longer than the file"));
    }
    if metadata > limits.parquet_page_bytes {
        return Err(IngestError::ExpandedTooLarge {
            what: Expansion::ParquetPageBytes,
            limit: limits.parquet_page_bytes,
        });
    }
    Ok(())
}

/// Walks the pages of every column chunk of the leaf columns `leaves` in every row group.
pub(crate) fn walk(
    file: &File,
    len: u64,
    metadata: &ParquetMetaData,
    leaves: &[usize],
    limits: &ExpansionLimits,
) -> Result<CheckedPages, IngestError> {
    // Pages lie before the footer: its 8-byte tail and the metadata before it.
    let footer = {
        let mut tail = [0u8; 4];
        let mut reader = file;
        reader
            .seek(SeekFrom::Start(len - 8))
            .and_then(|_| reader.read_exact(&mut tail))
            .map_err(IngestError::Io)?;
        len - 8 - u64::from(u32::from_le_bytes(tail))
    };
    let mut checked = CheckedPages::default();
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    for (group, row_group) in metadata.row_groups().iter().enumerate() {
        for &leaf in leaves {
            let Some(chunk) = row_group.columns().get(leaf) else {
                return Err(malformed("metadata", "a row group lacks a column"));
            };
            let at = |what: &str| format!("row group {group}, column {leaf}: {what}");
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset());
            let size = chunk.compressed_size();
            let (Ok(start), Ok(size)) = (u64::try_from(start), u64::try_from(size)) else {
                return Err(malformed(&at("chunk"), "negative offset or size"));
            };
            if start.checked_add(size).is_none_or(|end| end > footer) {
                return Err(malformed(
                    &at("chunk"),
                    "the chunk lies outside the file's data",
                ));
            }
            let gzip = match chunk.compression() {
                Compression::UNCOMPRESSED
                | Compression::SNAPPY
                | Compression::ZSTD(_)
                | Compression::LZ4_RAW => false,
                Compression::GZIP(_) => true,
                other => {
                    return Err(IngestError::UnsupportedCompression {
                        format: "Parquet",
                        codec: codec_name(other),
                    });
                }
            };
            let column = chunk.column_descr();
            let column = Column {
                gzip,
                value_width: min_value_width(column.physical_type(), column.type_length()),
            };
            walk_chunk(&mut reader, start, size, column, limits, &mut checked)
                .map_err(|e| e.located(&at("page")))?;
        }
    }
    Ok(checked)
}

/// What the walk needs to know of a column.
#[derive(Debug, Clone, Copy)]
struct Column {
    gzip: bool,
    /// The fewest bytes one PLAIN-encoded dictionary value takes.
    value_width: u64,
}

fn codec_name(codec: Compression) -> String {
    match codec {
        Compression::BROTLI(_) => "BROTLI".into(),
        Compression::LZ4 => "LZ4".into(),
        Compression::LZO => "LZO".into(),
        other => format!("{other:?}"),
    }
}

fn min_value_width(physical: PhysicalType, type_length: i32) -> u64 {
    match physical {
        PhysicalType::BOOLEAN => 1,
        PhysicalType::INT32 | PhysicalType::FLOAT | PhysicalType::BYTE_ARRAY => 4,
        PhysicalType::INT64 | PhysicalType::DOUBLE => 8,
        PhysicalType::INT96 => 12,
        PhysicalType::FIXED_LEN_BYTE_ARRAY => u64::try_from(type_length).unwrap_or(1).max(1),
    }
}

/// Why a page failed the walk, before it is placed.
enum PageError {
    Malformed(String),
    Limit(Expansion, u64),
    Io(io::Error),
}

impl PageError {
    fn located(self, at: &str) -> IngestError {
        match self {
            PageError::Malformed(message) => malformed(at, &message),
            PageError::Limit(what, limit) => IngestError::ExpandedTooLarge { what, limit },
            PageError::Io(e) => IngestError::Io(e),
        }
    }
}

fn bad(message: impl Into<String>) -> PageError {
    PageError::Malformed(message.into())
}

fn walk_chunk(
    reader: &mut BufReader<&File>,
    start: u64,
    size: u64,
    column: Column,
    limits: &ExpansionLimits,
    checked: &mut CheckedPages,
) -> Result<(), PageError> {
    let mut offset = start;
    let mut remaining = size;
    while remaining > 0 {
        reader
            .seek(SeekFrom::Start(offset))
            .map_err(PageError::Io)?;
        let mut thrift = Thrift {
            input: reader.by_ref().take(remaining.min(MAX_HEADER_BYTES)),
            read: 0,
        };
        let header = thrift.page_header()?;
        let header_len = thrift.read;
        offset += header_len;
        remaining -= header_len;
        let compressed = u64::try_from(header.compressed).map_err(|_| bad("negative size"))?;
        let uncompressed = u64::try_from(header.uncompressed).map_err(|_| bad("negative size"))?;
        if compressed > remaining {
            return Err(bad("the page is longer than its column chunk"));
        }
        let body = offset;
        offset += compressed;
        remaining -= compressed;
        if header.kind == PageKind::Index {
            // The reader skips index pages without reading them.
            continue;
        }
        if uncompressed > limits.parquet_page_bytes {
            return Err(PageError::Limit(
                Expansion::ParquetPageBytes,
                limits.parquet_page_bytes,
            ));
        }
        checked.expanded_bytes += uncompressed;
        if checked.expanded_bytes > limits.parquet_bytes {
            return Err(PageError::Limit(
                Expansion::ParquetBytes,
                limits.parquet_bytes,
            ));
        }
        // What stays uncompressed at the front of a v2 page (its levels), and whether the
        // rest is compressed.
        let (levels, compressed_body) = match header.kind {
            PageKind::Dictionary { values } => {
                let values = u64::try_from(values).map_err(|_| bad("negative value count"))?;
                if values.saturating_mul(column.value_width) > uncompressed {
                    return Err(bad("the dictionary holds more values than its bytes can"));
                }
                (0, true)
            }
            PageKind::Data { values } => {
                u64::try_from(values).map_err(|_| bad("negative value count"))?;
                (0, true)
            }
            PageKind::DataV2 {
                values,
                levels,
                compressed,
            } => {
                u64::try_from(values).map_err(|_| bad("negative value count"))?;
                let levels = u64::try_from(levels).map_err(|_| bad("negative level length"))?;
                if levels > uncompressed {
                    return Err(bad("the levels are longer than the page"));
                }
                (levels, compressed)
            }
            PageKind::Index => unreachable!("skipped above"),
        };
        if levels > compressed {
            return Err(bad("the levels are longer than the page"));
        }
        if column.gzip && compressed_body {
            reader
                .seek(SeekFrom::Start(body + levels))
                .map_err(PageError::Io)?;
            let expanded = gzip_size(
                reader.by_ref().take(compressed - levels),
                limits.parquet_page_bytes,
            )?;
            if expanded > limits.parquet_page_bytes {
                return Err(PageError::Limit(
                    Expansion::ParquetPageBytes,
                    limits.parquet_page_bytes,
                ));
            }
            if levels + expanded != uncompressed {
                return Err(bad(format!(
                    "the page expands to {} bytes, not the {uncompressed} its header declares",
                    levels + expanded
                )));
            }
        }
        let length = usize::try_from(compressed).map_err(|_| bad("page too long"))?;
        checked.pages.insert((body, length));
    }
    Ok(())
}

/// How many bytes a GZIP stream (of one or more members, as the Parquet reader decodes it)
/// expands to, counted up to `limit + 1`.
fn gzip_size(input: impl Read, limit: u64) -> Result<u64, PageError> {
    let mut decoder = flate2::read::MultiGzDecoder::new(input).take(limit + 1);
    io::copy(&mut decoder, &mut io::sink()).map_err(|e| bad(format!("GZIP: {e}")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageKind {
    Data {
        values: i32,
    },
    Index,
    Dictionary {
        values: i32,
    },
    DataV2 {
        values: i32,
        levels: i32,
        compressed: bool,
    },
}

#[derive(Debug)]
struct PageHeader {
    kind: PageKind,
    uncompressed: i32,
    compressed: i32,
}

/// A strict reader of the Thrift compact protocol, for page headers: every varint at most
/// ten bytes, every `i32` in range, known field types only, nesting bounded, and the three
/// required fields present exactly once. Anything the Parquet reader might read differently
/// is refused instead.
struct Thrift<R> {
    input: R,
    /// Bytes consumed: the header's length.
    read: u64,
}

// Compact protocol field types.
const BOOL_TRUE: u8 = 1;
const BOOL_FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;

impl<R: Read> Thrift<R> {
    fn byte(&mut self) -> Result<u8, PageError> {
        let mut b = [0u8; 1];
        self.input
            .read_exact(&mut b)
            .map_err(|_| bad("the page header is cut short"))?;
        self.read += 1;
        Ok(b[0])
    }

    fn varint(&mut self) -> Result<u64, PageError> {
        let mut value = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(bad("a varint longer than ten bytes"))
    }

    fn zigzag(&mut self) -> Result<i64, PageError> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn i32(&mut self) -> Result<i32, PageError> {
        i32::try_from(self.zigzag()?).map_err(|_| bad("an i32 out of range"))
    }

    fn skip_bytes(&mut self, n: u64) -> Result<(), PageError> {
        let copied =
            io::copy(&mut self.input.by_ref().take(n), &mut io::sink()).map_err(PageError::Io)?;
        self.read += copied;
        if copied == n {
            Ok(())
        } else {
            Err(bad("the page header is cut short"))
        }
    }

    /// Reads a field header: `None` at the struct's end, otherwise its id and type.
    fn field(&mut self, last: i16) -> Result<Option<(i16, u8)>, PageError> {
        let b = self.byte()?;
        let kind = b & 0x0f;
        // As the Parquet reader does: a zero type ends the struct, whatever the high bits.
        if kind == 0 {
            return Ok(None);
        }
        let delta = b >> 4;
        let id = if delta == 0 {
            i16::try_from(self.zigzag()?).map_err(|_| bad("a field id out of range"))?
        } else {
            last.checked_add(i16::from(delta))
                .ok_or_else(|| bad("a field id out of range"))?
        };
        if !(BOOL_TRUE..=STRUCT).contains(&kind) {
            return Err(bad(format!("unknown Thrift type {kind}")));
        }
        Ok(Some((id, kind)))
    }

    fn skip(&mut self, kind: u8, depth: u32) -> Result<(), PageError> {
        if depth > MAX_DEPTH {
            return Err(bad("the page header nests too deep"));
        }
        match kind {
            BOOL_TRUE | BOOL_FALSE => Ok(()),
            BYTE => self.byte().map(drop),
            I16 | I32 | I64 => self.varint().map(drop),
            DOUBLE => self.skip_bytes(8),
            BINARY => {
                let n = self.varint()?;
                self.skip_bytes(n)
            }
            LIST | SET => {
                let b = self.byte()?;
                let element = b & 0x0f;
                let count = match b >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                for _ in 0..count {
                    if matches!(element, BOOL_TRUE | BOOL_FALSE) {
                        self.byte()?;
                    } else {
                        self.skip(element, depth + 1)?;
                    }
                }
                Ok(())
            }
            MAP => {
                let count = self.varint()?;
                if count == 0 {
                    return Ok(());
                }
                let types = self.byte()?;
                for _ in 0..count {
                    for kind in [types >> 4, types & 0x0f] {
                        if matches!(kind, BOOL_TRUE | BOOL_FALSE) {
                            self.byte()?;
                        } else {
                            self.skip(kind, depth + 1)?;
                        }
                    }
                }
                Ok(())
            }
            STRUCT => {
                let mut last = 0;
                while let Some((id, kind)) = self.field(last)? {
                    self.skip(kind, depth + 1)?;
                    last = id;
                }
                Ok(())
            }
            other => Err(bad(format!("unknown Thrift type {other}"))),
        }
    }

    /// Reads the `i32` fields `wanted` of a nested struct (and the boolean field `flag`),
    /// skipping the rest. Each wanted field may appear once.
    fn sub_struct(
        &mut self,
        wanted: &[i16],
        flag: Option<i16>,
    ) -> Result<(Vec<Option<i32>>, Option<bool>), PageError> {
        let mut values = vec![None; wanted.len()];
        let mut flag_value = None;
        let mut last = 0;
        while let Some((id, kind)) = self.field(last)? {
            last = id;
            if let Some(at) = wanted.iter().position(|w| *w == id) {
                if kind != I32 || values[at].is_some() {
                    return Err(bad(format!("field {id} is not one i32")));
                }
                values[at] = Some(self.i32()?);
            } else if flag == Some(id) {
                if !matches!(kind, BOOL_TRUE | BOOL_FALSE) || flag_value.is_some() {
                    return Err(bad(format!("field {id} is not one boolean")));
                }
                flag_value = Some(kind == BOOL_TRUE);
            } else {
                self.skip(kind, 2)?;
            }
        }
        Ok((values, flag_value))
    }

    fn page_header(&mut self) -> Result<PageHeader, PageError> {
        let mut kind = None;
        let mut uncompressed = None;
        let mut compressed = None;
        let mut data = None;
        let mut dictionary = None;
        let mut data_v2 = None;
        let mut last = 0;
        while let Some((id, field)) = self.field(last)? {
            last = id;
            let once = |seen: bool| {
                if seen {
                    Err(bad(format!("page header field {id} appears twice")))
                } else {
                    Ok(())
                }
            };
            match (id, field) {
                (1, I32) => {
                    once(kind.is_some())?;
                    kind = Some(self.i32()?);
                }
                (2, I32) => {
                    once(uncompressed.is_some())?;
                    uncompressed = Some(self.i32()?);
                }
                (3, I32) => {
                    once(compressed.is_some())?;
                    compressed = Some(self.i32()?);
                }
                (1..=3, _) => return Err(bad(format!("page header field {id} is not an i32"))),
                (5, STRUCT) => {
                    once(data.is_some())?;
                    data = Some(self.sub_struct(&[1], None)?.0[0]);
                }
                (7, STRUCT) => {
                    once(dictionary.is_some())?;
                    dictionary = Some(self.sub_struct(&[1], None)?.0[0]);
                }
                (8, STRUCT) => {
                    once(data_v2.is_some())?;
                    let (values, flag) = self.sub_struct(&[1, 5, 6], Some(7))?;
                    data_v2 = Some((values, flag));
                }
                (5 | 7 | 8, _) => {
                    return Err(bad(format!("page header field {id} is not a struct")));
                }
                (_, other) => self.skip(other, 1)?,
            }
        }
        let (Some(kind), Some(uncompressed), Some(compressed)) = (kind, uncompressed, compressed)
        else {
            return Err(bad("a page header lacks its type or sizes"));
        };
        let required = |v: Option<Option<i32>>, what: &str| {
            v.flatten()
                .ok_or_else(|| bad(format!("a {what} page header lacks its value count")))
        };
        let kind = match kind {
            0 => PageKind::Data {
                values: required(data, "data")?,
            },
            1 => PageKind::Index,
            2 => PageKind::Dictionary {
                values: required(dictionary, "dictionary")?,
            },
            3 => {
                let (values, flag) =
                    data_v2.ok_or_else(|| bad("a v2 data page lacks its header"))?;
                let (Some(count), Some(definition), Some(repetition)) =
                    (values[0], values[1], values[2])
                else {
                    return Err(bad("a v2 data page header lacks a count or a level length"));
                };
                if definition < 0 || repetition < 0 {
                    return Err(bad("negative level length"));
                }
                PageKind::DataV2 {
                    values: count,
                    levels: definition
                        .checked_add(repetition)
                        .ok_or_else(|| bad("level lengths out of range"))?,
                    // Compressed unless it says otherwise.
                    compressed: flag.unwrap_or(true),
                }
            }
            other => return Err(bad(format!("unknown page type {other}"))),
        };
        Ok(PageHeader {
            kind,
            uncompressed,
            compressed,
        })
    }
}

fn malformed(at: &str, message: &str) -> IngestError {
    IngestError::Malformed {
        format: "Parquet",
        at: at.to_owned(),
        message: message.to_owned(),
    }
}

/// The spooled file as the Parquet reader sees it: page bodies only where the walk checked
/// them, at exactly those offsets and lengths.
pub(crate) struct CheckedFile {
    file: File,
    len: u64,
    pages: Arc<HashSet<(u64, usize)>>,
}

impl CheckedFile {
    pub(crate) fn new(file: File, len: u64, checked: CheckedPages) -> Self {
        Self {
            file,
            len,
            pages: Arc::new(checked.pages),
        }
    }
}

impl Length for CheckedFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for CheckedFile {
    type T = BufReader<File>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        let mut file = self.file.try_clone()?;
        file.seek(SeekFrom::Start(start))?;
        Ok(BufReader::new(file))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        if !self.pages.contains(&(start, length)) {
            return Err(ParquetError::General(format!(
                "bytes {start}..+{length} are not a page the expansion check read"
            )));
        }
        let mut buffer = vec![0u8; length];
        let mut file = self.file.try_clone()?;
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buffer)?;
        Ok(buffer.into())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn parse(bytes: &[u8]) -> Result<(PageHeader, u64), String> {
        let mut thrift = Thrift {
            input: bytes,
            read: 0,
        };
        match thrift.page_header() {
            Ok(h) => Ok((h, thrift.read)),
            Err(PageError::Malformed(m)) => Err(m),
            Err(_) => Err("other".into()),
        }
    }

    /// type 0, uncompressed 100, compressed 50, a data page header of 10 values.
    const DATA_PAGE: &[u8] = &[
        0x15, 0x00, 0x15, 0xc8, 0x01, 0x15, 0x64, 0x2c, 0x15, 0x14, 0x15, 0x00, 0x15, 0x00, 0x15,
        0x00, 0x00, 0x00,
    ];

    #[test]
    fn a_page_header_is_read_with_its_length() {
        let (header, len) = parse(DATA_PAGE).unwrap();
        assert_eq!(header.kind, PageKind::Data { values: 10 });
        assert_eq!((header.uncompressed, header.compressed), (100, 50));
        assert_eq!(len, DATA_PAGE.len() as u64);
    }

    #[test]
    fn padded_varints_read_as_the_parquet_reader_reads_them() {
        let padded = [
            &[0x15, 0x00, 0x15, 0xc8, 0x81, 0x80, 0x80, 0x00][..],
            &DATA_PAGE[5..],
        ]
        .concat();
        assert_eq!(parse(&padded).unwrap().0.uncompressed, 100);
    }

    #[test]
    fn what_the_reader_might_read_otherwise_is_refused() {
        // The uncompressed size twice.
        let twice = [&DATA_PAGE[..5], &[0x05, 0x02], &DATA_PAGE[5..]].concat();
        assert!(parse(&twice).unwrap_err().contains("twice"));
        // An i32 past its range, which the reader would truncate.
        let wide = [
            &[0x15, 0x00, 0x15, 0x80, 0x80, 0x80, 0x80, 0x20][..],
            &DATA_PAGE[5..],
        ]
        .concat();
        assert!(parse(&wide).unwrap_err().contains("out of range"));
        // A varint of eleven bytes.
        let long = [
            &[0x15, 0x00, 0x15][..],
            &[0x80; 10],
            &[0x00],
            &DATA_PAGE[5..],
        ]
        .concat();
        assert!(parse(&long).unwrap_err().contains("ten bytes"));
        // Cut short.
        assert!(parse(&DATA_PAGE[..6]).is_err());
    }

    #[test]
    fn a_gzip_bomb_is_measured_only_to_just_past_the_limit() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..8 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 16 * 1024);
        let measured = gzip_size(&bomb[..], 1 << 20).ok().unwrap();
        assert_eq!(measured, (1 << 20) + 1);
        assert_eq!(gzip_size(&bomb[..], 1 << 30).ok().unwrap(), 8 << 20);
    }
}
