//! Reading an entry's data (数据读取, issue 4 item 3): every read is resolved to one
//! committed version and one [`Policy`], handed to the query engine as a view, and recorded
//! in the audit log: one event per request, with the query, before any data leaves, and one
//! when a streamed body ends, with the rows and bytes it carried (`delivery`). Rows leave
//! this module encoded in the format the reader asked for ([`EncodedRows`]), or as text for a
//! page shown to a person ([`RowsPreview`]). The engine sits behind `gongshu-query`'s port;
//! this module decides who may read what, in which share mode ([`ReadMode`]).

mod aggregate;
mod delivery;
mod mode;
mod policy;
mod preview;
mod read;
mod rows;
mod sql;
mod stats;
mod verify;
mod window;

pub use aggregate::{AggregateRequest, aggregate_data};
pub use delivery::EncodedRows;
pub use mode::{PageAsked, ReadMode};
pub use policy::{Masks, Policy, PolicySource};
pub use preview::{PreviewColumn, RowsPreview, preview_groups, preview_rows, preview_rows_as};
pub use read::Reader;
pub use rows::{DataExport, RowsRequest, read_rows};
pub use sql::{SqlRequest, run_sql};
pub use stats::{DataStats, data_stats};
pub(crate) use verify::Verifier;
pub use verify::{
    MAX_VERIFY_RECORDS, VerifyAnswer, VerifyInput, VerifyRecord, VerifyResult, verify,
};
pub use window::{MAX_OFFSET, OffsetColumn, OffsetRequest, OffsetRows, read_offset_rows};
