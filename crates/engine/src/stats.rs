//! Column statistics computed in one pass over the reader's view: rows, and per column its
//! filled count, a distinct estimate, its least and greatest value.

use datafusion::arrow::array::{Array, StringArray, UInt64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::count::count_all;
use datafusion::functions_aggregate::expr_fn::{approx_distinct, count, max, min};
use datafusion::logical_expr::{cast as cast_expr, ident};

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::dataframe::DataFrame;

use gongshu_query::{ColumnStats, Dataset, QueryError};

use crate::engine::Engine;
use crate::executor::Lane;

impl Engine {
    /// One pass over the dataset's view, for `reader`.
    pub(crate) async fn column_stats(
        &self,
        reader: &str,
        dataset: &Dataset,
    ) -> Result<Vec<ColumnStats>, QueryError> {
        let dataset = dataset.clone();
        let (batches, fields) = self
            .run(Lane::Rows, reader, move |engine| async move {
                engine.stats_frame(&dataset).await
            })
            .await?;
        read_stats(batches.collect().await?, fields)
    }

    /// One row: the count of rows, then per column its filled count, distinct estimate, least
    /// and greatest value (`n0`, `d0`, `lo0`, `hi0`, …).
    async fn stats_frame(
        &self,
        dataset: &Dataset,
    ) -> Result<(DataFrame, Vec<(String, DataType)>), QueryError> {
        let frame = self.frame(dataset).await?;
        let fields: Vec<(String, DataType)> = frame
            .schema()
            .fields()
            .iter()
            .map(|f| (f.name().clone(), f.data_type().clone()))
            .collect();
        let mut measures = vec![count_all().alias("rows")];
        for (i, (name, _)) in fields.iter().enumerate() {
            let c = || ident(name);
            measures.push(count(c()).alias(format!("n{i}")));
            measures.push(approx_distinct(c()).alias(format!("d{i}")));
            measures.push(cast_expr(min(c()), DataType::Utf8).alias(format!("lo{i}")));
            measures.push(cast_expr(max(c()), DataType::Utf8).alias(format!("hi{i}")));
        }
        let frame = frame
            .aggregate(vec![], measures)
            .map_err(|e| self.engine_error(e))?;
        Ok((frame, fields))
    }
}

fn read_stats(
    batches: Vec<RecordBatch>,
    fields: Vec<(String, DataType)>,
) -> Result<Vec<ColumnStats>, QueryError> {
    let batch = batches
        .into_iter()
        .find(|b| b.num_rows() == 1)
        .ok_or_else(|| QueryError::Engine("statistics returned no row".into()))?;
    let int = |name: &str| -> Result<u64, QueryError> {
        let column = batch
            .column_by_name(name)
            .ok_or_else(|| QueryError::Engine(format!("no statistic {name}")))?;
        let column =
            cast(column, &DataType::UInt64).map_err(|e| QueryError::Engine(e.to_string()))?;
        let column = column
            .as_any()
            .downcast_ref::<UInt64Array>()
            .expect("cast to UInt64");
        Ok(if column.is_null(0) {
            0
        } else {
            column.value(0)
        })
    };
    let text = |name: &str| -> Option<String> {
        let column = batch.column_by_name(name)?;
        let column = column.as_any().downcast_ref::<StringArray>()?;
        (!column.is_null(0)).then(|| column.value(0).to_owned())
    };
    let rows = int("rows")?;
    fields
        .into_iter()
        .enumerate()
        .map(|(i, (name, data_type))| {
            let non_null = int(&format!("n{i}"))?;
            Ok(ColumnStats {
                name,
                data_type: data_type.to_string(),
                non_null,
                nulls: rows - non_null,
                distinct_approx: int(&format!("d{i}"))?,
                min: text(&format!("lo{i}")),
                max: text(&format!("hi{i}")),
            })
        })
        .collect()
}
