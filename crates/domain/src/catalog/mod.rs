//! Catalog rules (目录): classification and grading with the scheme's grade rules (H7, B12,
//! H36), share and open types (H18, H25), update frequency (H12), the two-level review
//! workflow of entries (H8, H9), the city catalog's submission to the region (H8) and what a
//! masked derivative of a not-shared entry may be (H19). Pure: the application layer stores
//! entries and asks these functions what is allowed.

mod derivative;
mod element;
mod entry;
mod grade;
mod grade_rule;
mod kinds;
mod region;
mod revision;
mod scheme;
mod workflow;

pub use derivative::{ChosenItem, Proposal, SourceItem, check_derivative};
pub use element::{ElementSeed, identifies, seed_elements};
pub use entry::{DEPARTURE_REASON_MAX, EntryDraft, ItemDraft, LegalBasis, validate_entry};
pub use grade::{Grade, SensitiveKind};
pub use grade_rule::{GradeRule, GradeRules};
pub use kinds::{
    DataForm, DataType, NotOpenReason, OpenType, ShareMode, ShareType, UpdateFrequency,
};
pub use region::{
    AlreadyAnswered, RecordedAnswer, RegionAnswer, RegionSubmission, SubmissionState, parse_answer,
};
pub use revision::{CountyApproval, Revision};
pub use scheme::{BaseDatabase, Category, CategoryGroup, Scheme};
pub use workflow::{ReviewAction, ReviewRoute, ReviewState, TransitionError};

/// A closed vocabulary: its stable code (API, storage) and Chinese label (UI).
pub trait Vocabulary: Sized + Copy + 'static {
    const ALL: &'static [Self];
    /// The field name used in validation messages.
    const FIELD: &'static str;
    /// The Chinese name of the field.
    const FIELD_ZH: &'static str;
    fn code(self) -> &'static str;
    fn zh(self) -> &'static str;

    /// The codes of a list of values, as stored and as the API shows them.
    fn codes(values: &[Self]) -> Vec<String> {
        values.iter().map(|v| v.code().to_owned()).collect()
    }

    fn parse(raw: &str) -> Result<Self, crate::Violation> {
        let raw = raw.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.code() == raw || v.zh() == raw)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
                crate::Violation::new(
                    Self::FIELD,
                    "unknown_value",
                    format!(
                        "{}“{raw}”无效，可选：{}",
                        Self::FIELD_ZH,
                        Self::ALL
                            .iter()
                            .map(|v| v.zh())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                    format!(
                        "{} `{raw}` is not one of: {}",
                        Self::FIELD,
                        allowed.join(", ")
                    ),
                )
            })
    }
}

/// The Chinese label of a stored code, or the code itself when the vocabulary does not know
/// it (so a value stored under an older scheme still shows).
pub fn label_zh<V: Vocabulary>(code: &str) -> String {
    V::parse(code)
        .map(|v| v.zh().to_owned())
        .unwrap_or_else(|_| code.to_owned())
}

/// Declares a vocabulary enum with its codes and Chinese labels in one table.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $field:literal, $field_zh:literal { $($variant:ident = $code:literal, $zh:literal;)+ }) => {
        $(#[$meta])*
        // Serialised as its code, the text it is stored and answered with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $code)] $variant,)+ }

        impl $crate::catalog::Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)+];
            const FIELD: &'static str = $field;
            const FIELD_ZH: &'static str = $field_zh;
            fn code(self) -> &'static str { match self { $($name::$variant => $code,)+ } }
            fn zh(self) -> &'static str { match self { $($name::$variant => $zh,)+ } }
        }
    };
}
pub(crate) use vocabulary;
