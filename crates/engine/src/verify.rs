//! Verification indexes (核验比对, H21) built by one scan of a dataset's view; the index and its
//! lookups are the query model's ([`VerifyIndex`]).

use gongshu_query::{Dataset, Digests, QueryError, VerifyIndex};

use crate::engine::Engine;
use crate::executor::Lane;

impl Engine {
    /// Builds the index of `value` keyed by `key` over the dataset's view (its row filter
    /// applies: rows outside it cannot be verified). Both must be columns of the view.
    pub(crate) async fn verify_index(
        &self,
        reader: &str,
        dataset: &Dataset,
        key: &str,
        value: &str,
        digests: &Digests,
    ) -> Result<VerifyIndex, QueryError> {
        let (dataset, key, value) = (dataset.clone(), key.to_owned(), value.to_owned());
        let (batches, (key_at, value_at)) = self
            .run(Lane::Rows, reader, move |engine| async move {
                let frame = engine.frame(&dataset).await?;
                let column = |name: &str| {
                    frame
                        .schema()
                        .index_of_column_by_name(None, name)
                        .ok_or_else(|| QueryError::UnknownColumn {
                            column: name.to_owned(),
                        })
                };
                let at = (column(&key)?, column(&value)?);
                Ok((frame, at))
            })
            .await?;
        VerifyIndex::build(batches, key_at, value_at, digests).await
    }
}
