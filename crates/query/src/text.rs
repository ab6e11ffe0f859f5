//! A page's cells as the text a person reads on a page (the console's data preview): the same
//! text the downloads carry — decimals without trailing zeros, dates as `YYYY-MM-DD` — and
//! booleans as 是 / 否, the platform's display language. No Arrow type leaves this crate for it.

use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;

use crate::encode::{internal, plain_decimals};
use crate::error::QueryError;
use crate::rows::Page;

impl Page {
    /// The cells of every row, in column order; `None` is a null.
    pub fn text_rows(&self) -> Result<Vec<Vec<Option<String>>>, QueryError> {
        let mut rows = Vec::with_capacity(self.rows());
        for batch in &self.batches {
            let batch = plain_decimals(batch)?;
            let columns = batch
                .columns()
                .iter()
                .map(|column| match column.data_type() {
                    DataType::Boolean => Ok(column
                        .as_boolean()
                        .iter()
                        .map(|v| v.map(|v| if v { "是" } else { "否" }.to_owned()))
                        .collect()),
                    _ => {
                        let text = cast(column, &DataType::Utf8).map_err(internal)?;
                        Ok(text
                            .as_string::<i32>()
                            .iter()
                            .map(|v| v.map(str::to_owned))
                            .collect())
                    }
                })
                .collect::<Result<Vec<Vec<Option<String>>>, QueryError>>()?;
            for r in 0..batch.num_rows() {
                rows.push(columns.iter().map(|c| c[r].clone()).collect());
            }
        }
        Ok(rows)
    }

    /// The names of the page's columns, in order.
    pub fn column_names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, BooleanArray, Decimal128Array, Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema};
    use arrow::record_batch::RecordBatch;

    use super::*;

    #[test]
    fn cells_read_as_the_page_shows_them() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("xm", DataType::Utf8, true),
            Field::new("nl", DataType::Int64, true),
            Field::new("je", DataType::Decimal128(10, 4), true),
            Field::new("db", DataType::Boolean, true),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec![Some("张*"), None])),
            Arc::new(Int64Array::from(vec![Some(42), None])),
            Arc::new(
                Decimal128Array::from(vec![Some(125_000), None])
                    .with_precision_and_scale(10, 4)
                    .unwrap(),
            ),
            Arc::new(BooleanArray::from(vec![Some(true), Some(false)])),
        ];
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns).unwrap();
        let page = Page {
            schema,
            batches: vec![batch],
            next_cursor: None,
        };
        let text = |s: &str| Some(s.to_owned());
        assert_eq!(
            page.text_rows().unwrap(),
            [
                vec![text("张*"), text("42"), text("12.5"), text("是")],
                vec![None, None, None, text("否")],
            ]
        );
        assert_eq!(page.column_names(), ["xm", "nl", "je", "db"]);
    }
}
