//! Size limits and the edges of a source: every upload has a size limit (DESIGN conventions;
//! issue 4 item 1).

use std::io::{self, Read};

use gongshu_lake::{Format, IngestError, IngestOptions, Source, ingest};

use crate::support::*;

/// A source that must never be read.
struct Untouchable;

impl Read for Untouchable {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        panic!("the source was read");
    }
}

#[test]
fn a_source_of_known_length_over_the_limit_is_refused_before_reading() {
    let opts = IngestOptions {
        max_source_bytes: Some(1000),
        ..options()
    };
    let source = Source::new(Untouchable).with_len(1001);
    let err = ingest(source, &people(), &opts, io::sink(), io::sink(), |_| {})
        .err()
        .unwrap();
    assert!(
        matches!(err, IngestError::TooLarge { limit: 1000 }),
        "{err}"
    );
    assert_eq!(err.code(), "source_too_large");
}

#[test]
fn a_declared_workbook_of_known_length_over_the_xlsx_limit_is_refused_before_reading() {
    let opts = IngestOptions {
        max_xlsx_bytes: 1000,
        ..options()
    };
    let source = Source::new(Untouchable)
        .with_format(Format::Xlsx { sheet: None })
        .with_len(1001);
    let err = ingest(source, &people(), &opts, io::sink(), io::sink(), |_| {})
        .err()
        .unwrap();
    assert!(
        matches!(err, IngestError::TooLarge { limit: 1000 }),
        "{err}"
    );
}

#[test]
fn a_stream_is_refused_as_soon_as_it_passes_the_limit() {
    let mut csv = String::from("sfzh,xm\n");
    for i in 0..5000 {
        csv.push_str(&format!(
            "{},张{i}\n",
            citizen_id("110105", "19800101", i % 1000)
        ));
    }
    let opts = IngestOptions {
        max_source_bytes: Some(100_000),
        ..options()
    };
    let err = run_with(csv.as_bytes(), None, &people(), &opts)
        .err()
        .unwrap();
    assert!(
        matches!(err, IngestError::TooLarge { limit: 100_000 }),
        "{err}"
    );
    // At the limit exactly, it passes.
    let opts = IngestOptions {
        max_source_bytes: Some(csv.len() as u64),
        ..options()
    };
    assert_eq!(
        run_with(csv.as_bytes(), None, &people(), &opts)
            .unwrap()
            .report
            .rows_written,
        5000
    );
}

#[test]
fn a_workbook_over_the_xlsx_limit_is_refused() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "xm").unwrap();
    for r in 1..2000 {
        sheet.write_string(r, 0, format!("名字{r}")).unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let opts = IngestOptions {
        max_xlsx_bytes: 1024,
        ..options()
    };
    let err = run_with(
        &bytes,
        Some(Format::Xlsx { sheet: None }),
        &people()[1..2],
        &opts,
    )
    .err()
    .unwrap();
    assert!(
        matches!(err, IngestError::TooLarge { limit: 1024 }),
        "{err}"
    );
    let run = run_with(&bytes, None, &people()[1..2], &options()).unwrap();
    assert_eq!(run.report.rows_written, 1999);
}

#[test]
fn an_empty_source_has_no_header() {
    let err = run_with(b"", Some(Format::Csv), &people(), &options())
        .err()
        .unwrap();
    assert_eq!(err.code(), "no_header");
    let err = run_with(b"\n\n", None, &people(), &options())
        .err()
        .unwrap();
    assert_eq!(err.code(), "no_header");
}

#[test]
fn a_header_without_rows_gives_an_empty_typed_file() {
    let run = run_with(
        "公民身份号码,姓名\n".as_bytes(),
        None,
        &people(),
        &options(),
    )
    .unwrap();
    assert!(run.report.written);
    assert_eq!(run.report.rows_written, 0);
    let batches = read_parquet(&run.parquet);
    assert!(batches.iter().all(|b| b.num_rows() == 0));
}

/// An output that refuses every write, as a full disk would.
struct FullDisk;

impl io::Write for FullDisk {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// The writer runs on its own thread: its failure comes back as an error, never a hang.
#[test]
fn a_failing_output_is_an_error() {
    let mut csv = String::from("sfzh,xm\n");
    for i in 0..50_000 {
        csv.push_str(&format!(
            "{},张{i}\n",
            citizen_id("110105", "19800101", i % 1000)
        ));
    }
    let opts = IngestOptions {
        row_group_rows: 10_000,
        ..options()
    };
    let source = Source::new(csv.as_bytes());
    let err = ingest(source, &people(), &opts, FullDisk, io::sink(), |_| {})
        .err()
        .unwrap();
    assert!(err.to_string().contains("no space left"), "{err}");
    assert_eq!(err.code(), "output_io");
}

#[test]
fn a_panic_in_the_progress_callback_does_not_hang() {
    let mut csv = String::from("sfzh,xm\n");
    for i in 0..100 {
        csv.push_str(&format!("{},张{i}\n", citizen_id("110105", "19800101", i)));
    }
    let opts = IngestOptions {
        batch_rows: 10,
        ..options()
    };
    let result = std::panic::catch_unwind(|| {
        let source = Source::new(csv.as_bytes());
        ingest(source, &people(), &opts, io::sink(), io::sink(), |_| {
            panic!("bar broke")
        })
    });
    assert!(result.is_err());
}
