//! Rows planned: column selection, filters, ordering, and either one page with a keyset
//! cursor or every matching row as a stream (an export of any size).

use std::sync::Arc;

use datafusion::arrow::array::{Array, UInt64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::functions_aggregate::count::count_all;
use datafusion::logical_expr::ident;

use datafusion::dataframe::DataFrame;

use gongshu_query::{
    Batches, Dataset, OffsetPage, OrderKey, Page, PageRequest, QueryError, RowsQuery, take_rows,
};

use crate::engine::Engine;
use crate::executor::Lane;
use crate::filter::{contains_expr, filter_expr};
use crate::order::{Cursor, next_cursor, sort_expr, total_order};

impl Engine {
    /// One page of rows, for `reader`.
    pub(crate) async fn page(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
        request: &PageRequest,
    ) -> Result<Page, QueryError> {
        let max = self.limits().max_page_rows;
        if request.limit == 0 || request.limit > max {
            return Err(QueryError::BadLimit { max });
        }
        let (dataset, rows, page) = (dataset.clone(), query.clone(), request.clone());
        let (stream, (keys, cursor)) = self
            .run(Lane::Rows, reader, move |engine| async move {
                engine.page_frame(&dataset, &rows, &page).await
            })
            .await?;
        let schema = stream.schema();
        let batches = stream.collect().await?;
        let more = batches.iter().map(RecordBatch::num_rows).sum::<usize>() > request.limit;
        let batches = if more {
            take_rows(batches, request.limit)
        } else {
            batches
        };
        let next_cursor = if more {
            Some(next_cursor(&batches, &keys, cursor.as_ref())?.encode())
        } else {
            None
        };
        let (schema, batches) = project(schema, batches, query.select.as_deref())?;
        Ok(Page {
            schema,
            batches,
            next_cursor,
        })
    }

    /// The page's frame (one row more than asked tells whether another page follows), with
    /// the total order and the cursor it starts from.
    async fn page_frame(
        &self,
        dataset: &Dataset,
        query: &RowsQuery,
        request: &PageRequest,
    ) -> Result<(DataFrame, (Vec<OrderKey>, Option<Cursor>)), QueryError> {
        let mut frame = self.filtered(dataset, query).await?;
        let keys = total_order(&query.order, frame.schema())?;
        let cursor = match &request.cursor {
            Some(text) => Some(Cursor::decode(text, &keys)?),
            None => None,
        };
        let skip = cursor.as_ref().map_or(0, Cursor::seen);
        if let Some(c) = &cursor {
            let from = c.at_or_after(&keys, frame.schema())?;
            frame = frame.filter(from).map_err(|e| self.engine_error(e))?;
        }
        let frame = frame
            .sort(keys.iter().map(sort_expr).collect())
            .and_then(|f| f.limit(skip, Some(request.limit + 1)))
            .map_err(|e| self.engine_error(e))?;
        Ok((frame, (keys, cursor)))
    }

    /// One page at an offset of the total order (the requested order, then every other
    /// column ascending), so pages neither skip nor repeat rows while the data is unchanged;
    /// the next page's offset is its cursor.
    pub(crate) async fn offset_page(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
        page: &OffsetPage,
    ) -> Result<Page, QueryError> {
        let (offset, limit) = page.bounds(self.limits().max_page_rows)?;
        let (dataset, query) = (dataset.clone(), query.clone());
        let batches = self
            .run_frame(
                Lane::Rows,
                reader,
                Some((offset, limit + 1)),
                move |engine| async move {
                    let frame = engine.filtered(&dataset, &query).await?;
                    let keys = total_order(&query.order, frame.schema())?;
                    let mut frame = frame
                        .sort(keys.iter().map(sort_expr).collect())
                        .map_err(|e| engine.engine_error(e))?;
                    if let Some(columns) = &query.select {
                        frame = frame
                            .select(columns.iter().map(ident).collect::<Vec<_>>())
                            .map_err(|e| engine.engine_error(e))?;
                    }
                    Ok(frame)
                },
            )
            .await?;
        Page::at_offset(batches, offset, limit).await
    }

    /// How many rows of the view match the query's filters and text.
    pub(crate) async fn count(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
    ) -> Result<u64, QueryError> {
        let (dataset, query) = (dataset.clone(), query.clone());
        let batches = self
            .run_frame(Lane::Rows, reader, None, move |engine| async move {
                engine
                    .filtered(&dataset, &query)
                    .await?
                    .aggregate(vec![], vec![count_all().alias("rows")])
                    .map_err(|e| engine.engine_error(e))
            })
            .await?
            .collect()
            .await?;
        let internal = |e: datafusion::arrow::error::ArrowError| QueryError::Engine(e.to_string());
        let batch = batches
            .into_iter()
            .find(|b| b.num_rows() == 1)
            .ok_or_else(|| QueryError::Engine("the count returned no row".into()))?;
        let column = cast(batch.column(0), &DataType::UInt64).map_err(internal)?;
        let column = column
            .as_any()
            .downcast_ref::<UInt64Array>()
            .ok_or_else(|| QueryError::Engine("the count is not a number".into()))?;
        Ok(if column.is_null(0) {
            0
        } else {
            column.value(0)
        })
    }

    /// Every matching row, streamed in the requested order (unordered when none is given:
    /// exports should not pay for a sort nobody asked for), for `reader`.
    pub(crate) async fn export(
        &self,
        reader: &str,
        dataset: &Dataset,
        query: &RowsQuery,
    ) -> Result<Batches, QueryError> {
        let (dataset, query) = (dataset.clone(), query.clone());
        self.run_frame(Lane::Export, reader, None, move |engine| async move {
            engine.export_frame(&dataset, &query).await
        })
        .await
    }

    async fn export_frame(
        &self,
        dataset: &Dataset,
        query: &RowsQuery,
    ) -> Result<DataFrame, QueryError> {
        let mut frame = self.filtered(dataset, query).await?;
        if !query.order.is_empty() {
            for key in &query.order {
                if frame
                    .schema()
                    .field_with_unqualified_name(&key.column)
                    .is_err()
                {
                    return Err(QueryError::UnknownColumn {
                        column: key.column.clone(),
                    });
                }
            }
            frame = frame
                .sort(query.order.iter().map(sort_expr).collect())
                .map_err(|e| self.engine_error(e))?;
        }
        if let Some(columns) = &query.select {
            frame = frame
                .select(columns.iter().map(ident).collect::<Vec<_>>())
                .map_err(|e| self.engine_error(e))?;
        }
        Ok(frame)
    }

    /// The dataset's view with the reader's filters applied, every selected column checked.
    async fn filtered(
        &self,
        dataset: &Dataset,
        query: &RowsQuery,
    ) -> Result<datafusion::dataframe::DataFrame, QueryError> {
        let mut frame = self.frame(dataset).await?;
        if let Some(columns) = &query.select {
            if columns.is_empty() {
                return Err(QueryError::UnknownColumn {
                    column: String::new(),
                });
            }
            for c in columns {
                if frame.schema().field_with_unqualified_name(c).is_err() {
                    return Err(QueryError::UnknownColumn { column: c.clone() });
                }
            }
        }
        for filter in &query.filters {
            let expr = filter_expr(filter, frame.schema())?;
            frame = frame.filter(expr).map_err(|e| self.engine_error(e))?;
        }
        if let Some(text) = query.text.as_deref().filter(|t| !t.is_empty()) {
            let expr = contains_expr(text, frame.schema());
            frame = frame.filter(expr).map_err(|e| self.engine_error(e))?;
        }
        Ok(frame)
    }
}

/// Keeps the selected columns of each batch (the page query carried every column for its
/// cursor).
fn project(
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    select: Option<&[String]>,
) -> Result<(SchemaRef, Vec<RecordBatch>), QueryError> {
    let Some(select) = select else {
        return Ok((schema, batches));
    };
    let indices: Vec<usize> = select
        .iter()
        .map(|c| {
            schema
                .index_of(c)
                .map_err(|_| QueryError::UnknownColumn { column: c.clone() })
        })
        .collect::<Result<_, _>>()?;
    let internal = |e: datafusion::arrow::error::ArrowError| QueryError::Engine(e.to_string());
    let projected = Arc::new(schema.project(&indices).map_err(internal)?);
    let batches = batches
        .into_iter()
        .map(|b| b.project(&indices).map_err(internal))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((projected, batches))
}
