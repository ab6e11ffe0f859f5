//! 数据 in the console (issue 4 item 6): an entry's data page — the versions with their
//! quality scores and rejects files, the latest quality report's worst rows, the upload form
//! (its progress is shown by the vendored `upload.js`, which sends the file to the same API a
//! script would), the first rows as the viewer's policy shows them with column statistics, and
//! the downloads in every format. The public sees the page of an unconditionally open entry,
//! masked as its catalog says. A held version (issue 11 item 4) is shown with why it was held
//! and two forms: confirm it (it becomes current) or discard it (it is withdrawn).

mod held;
mod page;
pub(crate) mod preview;

pub use held::{confirm, discard};
pub use page::show;
