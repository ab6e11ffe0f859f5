//! Privacy rules of the Gongshu platform (公数), starting with masking (脱敏, H19, B35): what a
//! reader sees of an item they may read but not see in full. A policy gives each item a
//! [`MaskingRule`]; the query engine applies it to every value with [`apply`].
//!
//! Rules are data (serde, validated on the way in) and masking is a pure function of the rule,
//! the value and a [`MaskContext`] (the platform secret and the policy's salt, for
//! pseudonyms). Three promises hold for every rule:
//! - NULL in, NULL out;
//! - masking fails closed: a value a rule cannot read becomes NULL, never itself;
//! - the output is text (or NULL), whatever the type of the item.
//!
//! No I/O here; wiring the functions into DataFusion as UDFs belongs to the data plane.
#![forbid(unsafe_code)]

mod district;
mod error;
mod generalise;
mod keep;
mod pseudonym;
mod rule;

pub use district::district;
pub use error::RuleError;
pub use generalise::{Generalise, bucket, parse_date, year, year_month};
pub use keep::Keep;
pub use pseudonym::{MaskContext, PolicySalt, Secret, hmac_sm3};
pub use rule::{MaskingRule, apply, default_for};
