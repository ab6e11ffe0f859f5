//! How typed values are kept in columns: closed vocabularies as their codes, lists and
//! structures as JSON text. Reading back is strict — the error says what did not parse, and
//! the repository turns it into [`crate::StoreError::Corrupt`] with the row it came from.

use gongshu_domain::catalog::{ShareMode, Vocabulary};

/// Reads stored JSON text; the error says what did not parse.
pub(crate) fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("domain values serialise")
}

/// A closed vocabulary's stored code; an unknown code is an error.
pub(crate) fn code<V: Vocabulary>(text: &str) -> Result<V, String> {
    V::parse(text).map_err(|_| format!("unknown {} `{text}`", V::FIELD))
}

/// Share modes stored as a JSON list of codes; an unknown code is an error, not skipped.
pub(crate) fn modes(text: &str) -> Result<Vec<ShareMode>, String> {
    json::<Vec<String>>(text)?
        .iter()
        .map(|c| code::<ShareMode>(c))
        .collect()
}

pub(crate) fn mode_codes(modes: &[ShareMode]) -> String {
    to_json(&ShareMode::codes(modes))
}
