//! Reading an entry's data (数据读取, issue 4 item 3): every read is resolved to one
//! committed version and one [`Policy`], handed to the query engine as a view, and recorded
//! in the audit log: one event per request, with the query, before any data leaves, and one
//! when a streamed body ends, with the rows and bytes it carried ([`Delivery`]). The engine lives in
//! `gongshu-query`; this module decides who may read what.

mod delivery;
mod policy;
mod read;
mod sql;
mod verify;

pub use delivery::Delivery;
pub use policy::{Masks, Policy, PolicySource};
pub use read::{
    DataExport, DataPage, DataStats, Reader, Rows, aggregate_data, data_stats, export_data,
    read_page,
};
pub use sql::{SqlRequest, SqlResult, run_sql};
pub(crate) use verify::Verifier;
pub use verify::{
    MAX_VERIFY_RECORDS, VerifyAnswer, VerifyInput, VerifyRecord, VerifyResult, verify,
};
