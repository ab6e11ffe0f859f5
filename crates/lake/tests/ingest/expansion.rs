//! Decompression bombs (issue 11 item 3; H11/B17 data supply that cannot take the platform
//! down): a workbook or a Parquet file that expands far past what it declares is refused with
//! the limit it passed, before calamine or the Parquet reader holds it, and memory never comes
//! near the expanded size.

use std::io::Write;
use std::sync::Arc;

use arrow::array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray};
use arrow::datatypes::{Field, Int32Type, Schema};
use flate2::Compression;
use flate2::write::DeflateEncoder;
use gongshu_domain::catalog::DataType;
use gongshu_lake::{
    Expansion, ExpansionLimits, Format, IngestError, IngestOptions, ItemSpec, check_workbook,
};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::support::*;

const MIB: u64 = 1024 * 1024;

/// A raw DEFLATE segment for `data` from a fresh compressor, ending byte-aligned (a sync
/// flush) unless it is the `last`: it refers to nothing before itself, so segments can be
/// concatenated, and one compressed chunk repeated a thousand times is a valid stream a
/// thousand times as long, made in milliseconds.
fn deflate_segment(data: &[u8], last: bool) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data).unwrap();
    if last {
        encoder.finish().unwrap()
    } else {
        encoder.flush().unwrap();
        encoder.get_ref().clone()
    }
}

/// One ZIP entry: its name, its compressed bytes, how it is stored (0 stored, 8 deflated),
/// and the sizes and CRC it *declares*.
struct Entry {
    name: &'static str,
    data: Vec<u8>,
    method: u16,
    crc: u32,
    declared: u32,
}

fn stored(name: &'static str, text: &str) -> Entry {
    let mut crc = flate2::Crc::new();
    crc.update(text.as_bytes());
    Entry {
        name,
        data: text.as_bytes().to_vec(),
        method: 0,
        crc: crc.sum(),
        declared: text.len() as u32,
    }
}

/// A ZIP written by hand, so its headers can lie.
fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes()); // version needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(e.method.to_le_bytes());
            h.extend(0u32.to_le_bytes()); // time, date
            h.extend(e.crc.to_le_bytes());
            h.extend((e.data.len() as u32).to_le_bytes());
            h.extend(e.declared.to_le_bytes());
            h.extend((e.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend([0u8; 6]); // comment length, disk, internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(e.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&e.data);
        central.extend(header(0x0201_4b50, true));
    }
    let start = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A workbook of one sheet (header 姓名, 公民身份号码 and one row) whose shared-string table
/// is `head`, then `chunk` repeated `times` times, then `</sst>`, deflated; its ZIP headers
/// declare the real size and CRC.
fn workbook_bomb(head: &str, chunk: &str, times: usize) -> Vec<u8> {
    bomb(head, chunk, times, false)
}

/// The same, and when `lie`, the headers declare 1 KB.
fn bomb(head: &str, chunk: &str, times: usize, lie: bool) -> Vec<u8> {
    let tail = "</sst>";
    let mut strings = deflate_segment(head.as_bytes(), false);
    let repeated = deflate_segment(chunk.as_bytes(), false);
    let mut crc = flate2::Crc::new();
    crc.update(head.as_bytes());
    let mut chunk_crc = flate2::Crc::new();
    chunk_crc.update(chunk.as_bytes());
    for _ in 0..times {
        strings.extend(&repeated);
        crc.combine(&chunk_crc);
    }
    strings.extend(deflate_segment(tail.as_bytes(), true));
    crc.update(tail.as_bytes());
    let id = citizen_id("110105", "19800101", 1);
    zip(&[
        stored(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        stored(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        stored(
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="人口" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        stored(
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        stored(
            "xl/worksheets/sheet1.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>公民身份号码</t></is></c></row><row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="inlineStr"><is><t>{id}</t></is></c></row></sheetData></worksheet>"#
            ),
        ),
        Entry {
            name: "xl/sharedStrings.xml",
            data: strings,
            method: 8,
            crc: crc.sum(),
            declared: if lie { 1024 } else { crc.amount() },
        },
    ])
}

const SST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="1"><si><t>张三</t></si>"#;

fn xlsx(limits: ExpansionLimits) -> IngestOptions {
    IngestOptions {
        expansion: limits,
        ..options()
    }
}

fn two_items() -> Vec<ItemSpec> {
    vec![
        ItemSpec::new("xm", "姓名", DataType::Text, true),
        ItemSpec::new("sfzh", "公民身份号码", DataType::CitizenId, true),
    ]
}

/// The process's peak resident memory, in bytes (Linux); `None` elsewhere.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn the_hand_made_workbook_reads_when_it_is_no_bomb() {
    let bytes = workbook_bomb(SST, "", 0);
    let run = run_with(&bytes, None, &two_items(), &options()).unwrap();
    assert_eq!(run.report.rows_written, 1, "{:?}", run.report.bad_cells);
    assert_eq!(
        column(&read_parquet(&run.parquet), "xm"),
        strings(&["张三"])
    );
}

// Issue 11 item 3, H11: the attack — a small workbook whose shared strings expand to 1 GiB
// while its ZIP headers declare 1 KB — is refused with the limit it passed, long before the
// expanded size is ever in memory.
#[test]
fn h11_a_shared_string_bomb_is_refused_with_its_limit_and_memory_stays_low() {
    let chunk = format!("<si><t>{}</t></si>", "A".repeat(1000)).repeat(1040);
    let bytes = workbook_bomb(SST, &chunk, 1000);
    assert!(bytes.len() < 4 * MIB as usize, "{} bytes", bytes.len());
    let limits = ExpansionLimits {
        shared_string_bytes: 8 * MIB,
        ..ExpansionLimits::default()
    };
    let err = run_with(&bytes, None, &two_items(), &xlsx(limits))
        .err()
        .expect("refused");
    assert!(
        matches!(
            err,
            IngestError::ExpandedTooLarge {
                what: Expansion::SharedStringBytes,
                limit
            } if limit == 8 * MIB
        ),
        "{err}"
    );
    assert_eq!(err.code(), "expanded_too_large");
    assert!(err.zh().contains("8 MiB"), "{}", err.zh());
    assert!(err.to_string().contains("8 MiB"), "{err}");
    // The whole workbook is held to its own limit too, with the default shared-string limits.
    let limits = ExpansionLimits {
        workbook_bytes: 16 * MIB,
        ..ExpansionLimits::default()
    };
    let err = run_with(&bytes, None, &two_items(), &xlsx(limits))
        .err()
        .expect("refused");
    assert_eq!(err.expansion(), Some((Expansion::WorkbookBytes, 16 * MIB)));
    // A liar's headers declare 1 KB: the entry is cut off where it passes what it declares.
    let err = run_with(
        &bomb(SST, &chunk, 1000, true),
        None,
        &two_items(),
        &options(),
    )
    .err()
    .expect("refused");
    assert_eq!(err.code(), "malformed_source", "{err}");
    if let Some(peak) = peak_rss() {
        assert!(peak < 512 * MIB, "peak memory {} MiB", peak / MIB);
    }
}

// Issue 11 item 3: millions of tiny shared strings, and a table that claims billions of
// entries (calamine would reserve them all before reading one), are refused by count.
#[test]
fn too_many_shared_strings_or_a_lying_count_are_refused() {
    let bytes = workbook_bomb(SST, &"<si/>".repeat(200_000), 60);
    let err = run_with(&bytes, None, &two_items(), &options())
        .err()
        .expect("refused");
    assert_eq!(
        err.expansion(),
        Some((Expansion::SharedStrings, 1_000_000)),
        "{err}"
    );
    let liar = SST.replace(r#"uniqueCount="1""#, r#"uniqueCount="4000000000""#);
    let bytes = workbook_bomb(&liar, "", 0);
    let size = check_workbook(std::io::Cursor::new(&bytes), &ExpansionLimits::default());
    assert!(
        matches!(
            size,
            Err(IngestError::ExpandedTooLarge {
                what: Expansion::SharedStrings,
                ..
            })
        ),
        "{size:?}"
    );
    // Honest counts pass and are measured.
    let size = check_workbook(
        std::io::Cursor::new(workbook_bomb(SST, "<si><t>李四</t></si>", 3)),
        &ExpansionLimits::default(),
    )
    .unwrap();
    assert_eq!(size.shared_strings, 4);
    assert_eq!(size.parts, 6);
}

/// A one-column Parquet file (SNAPPY, no statistics, so each page header is the three sizes
/// and the data page header) holding `values`, dictionary-encoded or not.
fn text_parquet(values: &[&str], dictionary: bool) -> Vec<u8> {
    write_text(Arc::new(StringArray::from(values.to_vec())), dictionary)
}

/// The same value in `rows` rows, dictionary-encoded: one copy in the file.
fn repeated_parquet(value: &str, rows: usize) -> Vec<u8> {
    let keys = Int32Array::from(vec![0; rows]);
    let values = Arc::new(StringArray::from(vec![value]));
    write_text(
        Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values).unwrap()),
        true,
    )
}

fn write_text(column: ArrayRef, dictionary: bool) -> Vec<u8> {
    let schema = Arc::new(Schema::new(vec![Field::new(
        "xm",
        column.data_type().clone(),
        true,
    )]));
    let batch = RecordBatch::try_new(Arc::clone(&schema), vec![column]).unwrap();
    let props = WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_dictionary_enabled(dictionary)
        .set_dictionary_page_size_limit(4 * MIB as usize)
        .set_statistics_enabled(EnabledStatistics::None)
        .build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, schema, Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    out
}

/// Reads an unsigned LEB128 varint at `at`: its value and length.
fn varint(bytes: &[u8], at: usize) -> (u64, usize) {
    let mut value = 0u64;
    for i in 0.. {
        let b = bytes[at + i];
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return (value, i + 1);
        }
    }
    unreachable!()
}

/// Rewrites the first page header's `uncompressed_page_size` (right after the magic) to
/// `size`, keeping its encoded length (a varint may carry redundant continuation bytes).
fn lie_about_the_first_page(file: &mut [u8], size: u64) {
    // `15 <type>` then `15 <uncompressed>`: field 1 and field 2, both i32.
    assert_eq!(file[4], 0x15);
    let (_, type_len) = varint(file, 5);
    let at = 5 + type_len;
    assert_eq!(file[at], 0x15);
    let (_, len) = varint(file, at + 1);
    let mut zigzag = size << 1;
    for i in 0..len {
        let mut b = (zigzag & 0x7f) as u8;
        zigzag >>= 7;
        if i + 1 < len {
            b |= 0x80;
        }
        file[at + 1 + i] = b;
    }
    assert_eq!(zigzag, 0, "the new size fits the old varint's length");
}

// Issue 11 item 3: a Parquet page whose header declares a huge expanded size (the reader
// would reserve and zero that much at once) is refused with the page limit, before decoding.
#[test]
fn a_parquet_page_declaring_a_huge_size_is_refused_before_decoding() {
    let long = "A".repeat(1_100_000);
    let honest = text_parquet(&[&long], false);
    let items = [ItemSpec::new("xm", "姓名", DataType::Text, false)];
    let limits = ExpansionLimits {
        parquet_page_bytes: 8 * MIB,
        cell_bytes: 4 * MIB,
        ..ExpansionLimits::default()
    };
    let opts = IngestOptions {
        expansion: limits.clone(),
        ..options()
    };
    let run = run_with(&honest, Some(Format::Parquet), &items, &opts).unwrap();
    assert_eq!(run.report.rows_written, 1);

    let mut huge = honest.clone();
    lie_about_the_first_page(&mut huge, 60 * MIB);
    let err = run_with(&huge, Some(Format::Parquet), &items, &opts)
        .err()
        .expect("refused");
    assert_eq!(
        err.expansion(),
        Some((Expansion::ParquetPageBytes, 8 * MIB)),
        "{err}"
    );
    assert!(
        err.zh().contains("Parquet") && err.zh().contains("8 MiB"),
        "{}",
        err.zh()
    );

    // All pages together are held to their own limit.
    let opts = IngestOptions {
        expansion: ExpansionLimits {
            parquet_bytes: MIB,
            ..limits
        },
        ..options()
    };
    let err = run_with(&honest, Some(Format::Parquet), &items, &opts)
        .err()
        .expect("refused");
    assert_eq!(
        err.expansion(),
        Some((Expansion::ParquetBytes, MIB)),
        "{err}"
    );
}

// Issue 11 item 3: one long dictionary value repeated in every row is resolved cell by cell,
// never copied into a whole batch, and the text of all cells is held to its limit.
#[test]
fn a_dictionary_value_repeated_in_every_row_stops_at_the_text_limit() {
    let long = "B".repeat(256 * 1024);
    let file = repeated_parquet(&long, 1000);
    assert!(file.len() < MIB as usize, "{} bytes", file.len());
    let items = [ItemSpec::new("xm", "姓名", DataType::Text, false)];
    let opts = IngestOptions {
        expansion: ExpansionLimits {
            cell_text_bytes: 32 * MIB,
            ..ExpansionLimits::default()
        },
        ..options()
    };
    let err = run_with(&file, Some(Format::Parquet), &items, &opts)
        .err()
        .expect("refused");
    assert_eq!(
        err.expansion(),
        Some((Expansion::CellTextBytes, 32 * MIB)),
        "{err}"
    );
    // A cell longer than the cell limit is a bad cell, named as such.
    let opts = IngestOptions {
        expansion: ExpansionLimits {
            cell_bytes: 1000,
            ..ExpansionLimits::default()
        },
        ..options()
    };
    let run = run_with(
        &text_parquet(&["短", &long], false),
        Some(Format::Parquet),
        &items,
        &opts,
    )
    .unwrap();
    assert_eq!(run.report.bad_rows, 1);
    assert_eq!(run.report.bad_cells[0].defect.code(), "value_too_long");
    if let Some(peak) = peak_rss() {
        assert!(peak < 512 * MIB, "peak memory {} MiB", peak / MIB);
    }
}

#[test]
fn a_corrupt_workbook_is_malformed_not_a_crash() {
    let mut bytes = workbook_bomb(SST, "", 0);
    let n = bytes.len();
    bytes[n / 2..].fill(0);
    let err = run_with(
        &bytes,
        Some(Format::Xlsx { sheet: None }),
        &two_items(),
        &options(),
    )
    .err()
    .expect("refused");
    assert_eq!(err.code(), "malformed_source", "{err}");
}
