//! What the interfaces for other open-data tools read (开放数据互操作): CKAN's Action API and
//! DCAT-AP catalogs. They show exactly what the public may see of the catalog — published
//! entries whose open type is unconditional or conditional, never a not-open one — as
//! [`OpenDataset`]s, found through the catalog's search index or paged from the database;
//! reading the data itself goes through [`crate::data`]'s read decision like every read.

pub mod datasets;
pub mod search;

pub use datasets::{
    CATALOG_MAX_PAGE, DataFacts, OpenDataset, Publisher, Topic, catalog_publisher, dataset,
    dataset_codes, datasets_page,
};
pub use gongshu_search::{Facet, FacetCount};
pub use search::{DatasetHits, DatasetSearch, MAX_ROWS, publishers, search_datasets, topic_counts};
