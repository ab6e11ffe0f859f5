//! The vocabularies a DCAT-AP 3 catalog speaks: the namespaces, and the EU authority tables
//! the platform's own values map to — topics to data themes, update frequencies to
//! frequencies, open types to access rights, download formats to file types.

use gongshu_domain::catalog::{OpenType, UpdateFrequency};

pub(crate) const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
pub(crate) const DCAT: &str = "http://www.w3.org/ns/dcat#";
pub(crate) const DCT: &str = "http://purl.org/dc/terms/";
pub(crate) const FOAF: &str = "http://xmlns.com/foaf/0.1/";
pub(crate) const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
pub(crate) const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
pub(crate) const HYDRA: &str = "http://www.w3.org/ns/hydra/core#";
pub(crate) const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Prefixes for the Turtle and RDF/XML writers.
pub(crate) const PREFIXES: [(&str, &str); 8] = [
    ("rdf", RDF),
    ("dcat", DCAT),
    ("dct", DCT),
    ("foaf", FOAF),
    ("vcard", VCARD),
    ("skos", SKOS),
    ("hydra", HYDRA),
    ("xsd", XSD),
];

const AUTHORITY: &str = "http://publications.europa.eu/resource/authority/";

/// The EU data-theme concept scheme.
pub(crate) fn data_theme_scheme() -> String {
    format!("{AUTHORITY}data-theme")
}

/// The EU data theme closest to a category of the shipped scheme (GB/T 21063 catalog
/// guide): 人口 → society, 法人单位 and credit → economy, 自然资源和空间地理 → environment,
/// and so on. A category the authority adds later falls under government and public sector,
/// which all public data belongs to.
pub(crate) fn data_theme(category_code: &str) -> String {
    let code = match category_code {
        "101" | "203" => "SOCI",
        "102" | "104" | "204" | "212" => "ECON",
        "103" | "206" => "ENVI",
        "202" | "208" => "HEAL",
        "205" => "REGI",
        "207" | "209" => "JUST",
        "210" => "TRAN",
        "211" => "EDUC",
        _ => "GOVE",
    };
    format!("{AUTHORITY}data-theme/{code}")
}

/// The EU frequency of an update frequency (更新频率).
pub(crate) fn frequency(f: UpdateFrequency) -> String {
    let code = match f {
        UpdateFrequency::RealTime => "UPDATE_CONT",
        UpdateFrequency::Daily => "DAILY",
        UpdateFrequency::Weekly => "WEEKLY",
        UpdateFrequency::Monthly => "MONTHLY",
        UpdateFrequency::Quarterly => "QUARTERLY",
        UpdateFrequency::HalfYearly => "ANNUAL_2",
        UpdateFrequency::Yearly => "ANNUAL",
        UpdateFrequency::Irregular => "IRREG",
    };
    format!("{AUTHORITY}frequency/{code}")
}

/// Unconditionally open data is public; conditionally open data is restricted (H26: an
/// application decides who may use it).
pub(crate) fn access_right(open: OpenType) -> String {
    let code = match open {
        OpenType::Unconditional => "PUBLIC",
        _ => "RESTRICTED",
    };
    format!("{AUTHORITY}access-right/{code}")
}

/// The EU file type of a download format (`CSV`, `JSON`, `XLSX`, `PARQUET`).
pub(crate) fn file_type(format: &str) -> String {
    format!("{AUTHORITY}file-type/{format}")
}

/// The IANA media type IRI of a media type.
pub(crate) fn media_type(mime: &str) -> String {
    format!("http://www.iana.org/assignments/media-types/{mime}")
}

/// Chinese.
pub(crate) fn language() -> String {
    format!("{AUTHORITY}language/ZHO")
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongshu_domain::catalog::Vocabulary;

    #[test]
    fn every_frequency_and_shipped_category_maps_to_an_eu_concept() {
        let frequencies: Vec<String> = UpdateFrequency::ALL.iter().map(|f| frequency(*f)).collect();
        let mut distinct = frequencies.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), frequencies.len(), "one EU frequency each");
        for category in gongshu_domain::catalog::Scheme::default_scheme().categories {
            assert!(data_theme(&category.code).starts_with(&data_theme_scheme()));
        }
        assert!(data_theme("101").ends_with("/SOCI"));
        assert!(data_theme("999").ends_with("/GOVE"));
        assert!(access_right(OpenType::Conditional).ends_with("/RESTRICTED"));
    }
}
