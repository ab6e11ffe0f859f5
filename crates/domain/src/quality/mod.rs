//! Data quality rules (数据质量, H11, H12, B11, B17). Every version of an entry's data is scored
//! on four dimensions, each 0–100:
//!
//! - **completeness** (完整性): the share of expected cells that are filled. The expected cells
//!   are those of the items with a `required` rule; when no item has one, every item's.
//! - **validity** (有效性): the share of filled cells that are valid: of their data type
//!   (integer, date, citizen-ID and credit-code checksums, …) and within the item's `enum`,
//!   `range` and `pattern` rules. A row with the wrong number of fields counts as one bad cell.
//! - **uniqueness** (唯一性): the share of rows with a complete declared key (the items with a
//!   `unique` rule, together) whose key no earlier row had. Without a declared key, 100.
//! - **timeliness** (及时性): how the update kept to the entry's update frequency: 100 while the
//!   data is no older than the frequency allows, then falling linearly to 0 at twice that age.
//!
//! The overall score is the plain mean of the four: no dimension is privileged, so a score
//! can be explained to a provider in one sentence. Scores are rounded *down* to one decimal,
//! so 100 means no problem was found at all, never "almost none".
//!
//! Rules beyond the automatic ones are added per data item by the owner agency; they are
//! validated here (which kinds fit which data type, well-formed bounds and patterns) and
//! checked while a version streams through ingest, so scoring needs no second pass.
//!
//! What falls short becomes a quality ticket (质量问题工单, [`ticket`]) addressed to the
//! providing agency, as do stale data, people's reports and disagreements with an element's
//! source department.

mod bounds;
mod grade;
mod rules;
mod scores;
pub mod ticket;

pub use bounds::{DECIMAL_SCALE, RangeValue};
pub use grade::QualityGrade;
pub use rules::{
    MAX_ENUM_VALUE_CHARS, MAX_ENUM_VALUES, MAX_PATTERN_CHARS, PATTERN_SIZE_LIMIT, QualityRule,
    Regex, RuleKind, RuleParams, compile_pattern, validate_rule,
};
pub use scores::{Scores, Tally, due_at, is_overdue, share, timeliness};
