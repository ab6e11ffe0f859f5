//! Issue 11 item 1, alone in its test binary so that the process's peak memory measures this
//! test only: the string bomb is refused before its value is built (B31, H33).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::ArrowWriter;
use gongshu_query::{Dataset, Engine, Format, Limits, QueryError, View, encode};
use tempfile::TempDir;

const READER: &str = "reader-a";

/// 20,000 rows: a district of five values (so joins on it explode), a number, a name.
fn fixture(dir: &TempDir) -> Dataset {
    let rows = 20_000;
    let schema = Arc::new(Schema::new(vec![
        Field::new("qx", DataType::Utf8, true),
        Field::new("nl", DataType::Int64, true),
        Field::new("xm", DataType::Utf8, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter(
            (0..rows).map(|i| Some(format!("区{}", i % 5))),
        )),
        Arc::new(Int64Array::from_iter((0..rows).map(|i| Some(i as i64)))),
        Arc::new(StringArray::from_iter(
            (0..rows).map(|i| Some(format!("张{i}"))),
        )),
    ];
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).unwrap();
    let path = dir.path().join("v1.parquet");
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    Dataset {
        name: "t".into(),
        files: vec![path.to_string_lossy().into_owned()],
        view: View::full(&["qx", "nl", "xm"]),
    }
}

/// Runs `sql` to its end: the error, if any.
async fn run(engine: &Engine, reader: &str, sql: &str, d: &Dataset) -> Result<(), QueryError> {
    let batches = engine.sql(reader, sql, std::slice::from_ref(d)).await?;
    batches.collect().await.map(|_| ())
}

/// Runs `sql` and encodes its result as JSON, as the API does.
async fn json(engine: &Engine, sql: &str, d: &Dataset) -> Result<serde_json::Value, QueryError> {
    use futures::StreamExt;
    let batches = engine.sql(READER, sql, std::slice::from_ref(d)).await?;
    let schema = batches.schema();
    let mut body = encode(batches, schema, Format::Json).await?;
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        bytes.extend_from_slice(&chunk?);
    }
    Ok(serde_json::from_slice(&bytes).expect("the body is JSON"))
}

/// The process's peak resident memory so far, in bytes (Linux).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

// Issue 11 item 1: the attack — `replace` nested until ten bytes become gigabytes, with no
// table at all — is refused before the big value is built; the process never grows by it.
#[tokio::test]
async fn a_string_bomb_is_refused_before_it_allocates() {
    let dir = TempDir::new().unwrap();
    let d = fixture(&dir);
    let engine = Engine::new(Limits::default()).unwrap();
    let mut bomb = "'aaaaaaaaaa'".to_owned();
    for _ in 0..9 {
        bomb = format!("replace({bomb}, 'a', 'aaaaaaaaaa')");
    }
    let before = peak_rss();
    for sql in [
        format!("SELECT length({bomb})"),
        format!("SELECT length({bomb}) FROM t"),
        format!("SELECT length(concat({bomb}, xm)) FROM t"),
    ] {
        let err = run(&engine, READER, &sql, &d).await.unwrap_err();
        assert_eq!(err.code(), "value_too_large", "{sql}: {err}");
    }
    let grown = peak_rss().saturating_sub(before);
    assert!(grown < 256 << 20, "peak memory grew by {grown} bytes");
    // What a reader needs still works, with its usual column names.
    let rows = json(
        &engine,
        "SELECT replace(qx, '区', '-') AS r, xm || qx, upper(xm) FROM t ORDER BY nl LIMIT 1",
        &d,
    )
    .await
    .unwrap();
    assert_eq!(rows[0]["r"], "-0");
    assert_eq!(rows[0]["t.xm || t.qx"], "张0区0", "{rows}");
}
