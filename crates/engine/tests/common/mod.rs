//! Helpers shared by the engine's test binaries: a 20,000-row fixture and running a query to
//! its end.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::ArrowWriter;
use gongshu_engine::Engine;
use gongshu_query::{Dataset, Format, QueryEngine, QueryError, View, encode};
use tempfile::TempDir;

pub const READER: &str = "reader-a";

/// 20,000 rows: a district of five values (so joins on it explode), a number, a name.
pub fn fixture(dir: &TempDir) -> Dataset {
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
pub async fn run(engine: &Engine, reader: &str, sql: &str, d: &Dataset) -> Result<(), QueryError> {
    let batches = engine.sql(reader, sql, std::slice::from_ref(d)).await?;
    batches.collect().await.map(|_| ())
}

/// Runs `sql` and encodes its result as JSON, as the API does.
pub async fn json(
    engine: &Engine,
    sql: &str,
    d: &Dataset,
) -> Result<serde_json::Value, QueryError> {
    use futures::StreamExt;
    let batches = engine.sql(READER, sql, std::slice::from_ref(d)).await?;
    let mut body = encode(batches, Format::Json).await?;
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        bytes.extend_from_slice(&chunk?);
    }
    Ok(serde_json::from_slice(&bytes).expect("the body is JSON"))
}
