//! Sharing between agencies (共享, H17–H23), as pure rules: the share request and the grant it
//! produces (`request`), and the demand request for data not yet catalogued (`demand`). Both
//! are re-exported here, so callers name `gongshu_domain::sharing::…` whichever they use.

mod demand;
mod request;

pub use demand::*;
pub use request::*;
