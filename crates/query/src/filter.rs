//! Row filters: the grammar is the domain's (a grant's row filter is written in it), so the
//! query model names the same types.

pub use gongshu_domain::filter::{Filter, Op};
