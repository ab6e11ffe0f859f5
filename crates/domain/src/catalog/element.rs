//! Basic data elements (基础数据项) named by H13 (natural persons, keyed by citizen ID) and
//! H14 (organisations, keyed by credit code), each with one kind of source department. Where
//! the regulation names two departments for one line (出生和死亡登记), the line is split so
//! that each element keeps exactly one source.

use serde::{Deserialize, Serialize};

use super::kinds::DataType;

const SEED: &str = include_str!("../../data/elements.json");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementSeed {
    pub code: String,
    pub name: String,
    /// `natural_person` or `organisation`.
    pub subject: String,
    pub source_kind: String,
    /// Article of 呼和浩特市公共数据管理暂行办法.
    pub legal_basis: String,
}

/// The elements of H13 and H14.
pub fn seed_elements() -> Vec<ElementSeed> {
    serde_json::from_str(SEED).expect("shipped element list is valid JSON")
}

/// Which subject an item identifies when its values are identifiers (H13, H14).
pub fn identifies(data_type: DataType) -> Option<&'static str> {
    match data_type {
        DataType::CitizenId => Some("natural_person"),
        DataType::CreditCode => Some("organisation"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    // H13, H14: one source per element, codes and names unique.
    #[test]
    fn seeded_elements_have_one_source_each() {
        let all = seed_elements();
        assert!(all.len() >= 20);
        let codes: HashSet<_> = all.iter().map(|e| &e.code).collect();
        let names: HashSet<_> = all.iter().map(|e| &e.name).collect();
        assert_eq!(codes.len(), all.len());
        assert_eq!(names.len(), all.len());
        assert!(
            all.iter()
                .all(|e| !e.source_kind.contains('、') && !e.source_kind.contains('和'))
        );
        assert!(
            all.iter()
                .all(|e| e.subject == "natural_person" || e.subject == "organisation")
        );
    }

    #[test]
    fn identifier_items_are_recognised() {
        assert_eq!(identifies(DataType::CitizenId), Some("natural_person"));
        assert_eq!(identifies(DataType::CreditCode), Some("organisation"));
        assert_eq!(identifies(DataType::Text), None);
    }
}
