//! Issue 14 item 8 through HTTP: the DCAT-AP 3 catalog at `/catalog.ttl`, `/catalog.jsonld`
//! and `/catalog.rdf` and per dataset at `/dataset/{code}.ttl|.jsonld|.rdf`, parsed back as
//! RDF with Oxigraph's parsers: every mandatory class and property is there for every open
//! dataset (H25), in Chinese (`@zh`), with EU themes, frequencies and access rights, and a
//! not-open entry appears nowhere.

use std::collections::{BTreeSet, HashMap};

use oxrdfio::{JsonLdProfileSet, RdfFormat, RdfParser};

use crate::ckan::fixture;
use crate::support::TestApp;

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCT: &str = "http://purl.org/dc/terms/";
const HYDRA: &str = "http://www.w3.org/ns/hydra/core#";

/// A parsed document: each subject's properties with their objects (IRIs as text, literals
/// as `"text"@lang` or `"text"^^type`).
struct Doc {
    by_subject: HashMap<String, Vec<(String, String)>>,
    text: String,
}

impl Doc {
    fn parse(bytes: &[u8], format: RdfFormat) -> Doc {
        let mut by_subject: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for quad in RdfParser::from_format(format).for_slice(bytes) {
            let quad = quad.unwrap_or_else(|e| panic!("{format} does not parse: {e}"));
            let object = match &quad.object {
                oxrdf::Term::NamedNode(n) => n.as_str().to_owned(),
                other => other.to_string(),
            };
            let subject = match &quad.subject {
                oxrdf::NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
                other => other.to_string(),
            };
            by_subject
                .entry(subject)
                .or_default()
                .push((quad.predicate.as_str().to_owned(), object));
        }
        Doc {
            by_subject,
            text: String::from_utf8_lossy(bytes).into_owned(),
        }
    }

    fn values(&self, subject: &str, property: &str) -> Vec<String> {
        self.by_subject
            .get(subject)
            .map(|props| {
                props
                    .iter()
                    .filter(|(p, _)| p == property)
                    .map(|(_, o)| o.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn of_type(&self, class: &str) -> BTreeSet<String> {
        self.by_subject
            .iter()
            .filter(|(_, props)| props.iter().any(|(p, o)| p == RDF_TYPE && o == class))
            .map(|(s, _)| s.clone())
            .collect()
    }

    #[track_caller]
    fn has(&self, subject: &str, property: &str) -> Vec<String> {
        let values = self.values(subject, property);
        assert!(!values.is_empty(), "{subject} has no {property}");
        values
    }

    #[track_caller]
    fn has_zh(&self, subject: &str, property: &str) {
        let values = self.has(subject, property);
        assert!(
            values.iter().any(|v| v.ends_with("@zh")),
            "{subject} {property} is not tagged @zh: {values:?}"
        );
    }
}

/// The mandatory and recommended properties of DCAT-AP 3 that issue 14 names, on every
/// dataset of `doc` and its distributions; returns the datasets' identifiers.
#[track_caller]
fn check_datasets(doc: &Doc) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for dataset in doc.of_type(&format!("{DCAT}Dataset")) {
        doc.has_zh(&dataset, &format!("{DCT}title"));
        doc.has_zh(&dataset, &format!("{DCT}description"));
        let publisher = &doc.has(&dataset, &format!("{DCT}publisher"))[0];
        doc.has_zh(publisher, "http://xmlns.com/foaf/0.1/name");
        let themes = doc.has(&dataset, &format!("{DCAT}theme"));
        assert!(
            themes
                .iter()
                .any(|t| t
                    .starts_with("http://publications.europa.eu/resource/authority/data-theme/")),
            "an EU data theme: {themes:?}"
        );
        assert!(
            themes.iter().any(|t| t.contains("/catalog/topics/")),
            "the platform's own topic: {themes:?}"
        );
        let frequency = &doc.has(&dataset, &format!("{DCT}accrualPeriodicity"))[0];
        assert!(
            frequency.starts_with("http://publications.europa.eu/resource/authority/frequency/"),
            "{frequency}"
        );
        let contact = &doc.has(&dataset, &format!("{DCAT}contactPoint"))[0];
        doc.has_zh(contact, "http://www.w3.org/2006/vcard/ns#fn");
        let distributions = doc.has(&dataset, &format!("{DCAT}distribution"));
        assert_eq!(distributions.len(), 4, "CSV, JSON, XLSX and Parquet");
        for d in &distributions {
            assert!(
                doc.values(d, RDF_TYPE)
                    .contains(&format!("{DCAT}Distribution"))
            );
            let url = &doc.has(d, &format!("{DCAT}accessURL"))[0];
            assert!(url.contains("/api/v1/entries/"), "{url}");
            let format = &doc.has(d, &format!("{DCT}format"))[0];
            assert!(
                format.starts_with("http://publications.europa.eu/resource/authority/file-type/"),
                "{format}"
            );
            doc.has(d, &format!("{DCAT}mediaType"));
        }
        let code = &doc.has(&dataset, &format!("{DCT}identifier"))[0];
        codes.insert(code.trim_matches('"').to_owned());
    }
    codes
}

async fn fetch(t: &TestApp, path: &str, content_type: &str) -> Vec<u8> {
    let res = reqwest::get(format!("{}{path}", t.base)).await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    let got = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(got.starts_with(content_type), "{path}: {got}");
    res.bytes().await.unwrap().to_vec()
}

fn formats() -> [(&'static str, &'static str, RdfFormat); 3] {
    [
        ("ttl", "text/turtle", RdfFormat::Turtle),
        (
            "jsonld",
            "application/ld+json",
            RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
        ),
        ("rdf", "application/rdf+xml", RdfFormat::RdfXml),
    ]
}

// H25: the catalog in Turtle, JSON-LD and RDF/XML parses as RDF and carries every mandatory
// property: the catalog's title, description, publisher and datasets; each open dataset's
// title, description, distributions, publisher, themes (EU and ours), frequency and contact;
// each distribution's access URL, format and media type; the data API as a data service.
// The conditional dataset is described as restricted; the not-open one appears nowhere.
pub async fn h25_the_dcat_ap_catalog_parses_with_every_mandatory_property(t: TestApp) {
    let f = fixture(&t).await;
    for (ext, content_type, format) in formats() {
        let bytes = fetch(&t, &format!("/catalog.{ext}"), content_type).await;
        let doc = Doc::parse(&bytes, format);
        let catalogs = doc.of_type(&format!("{DCAT}Catalog"));
        assert_eq!(catalogs.len(), 1, "{ext}: one catalog");
        let catalog = catalogs.first().unwrap();
        doc.has_zh(catalog, &format!("{DCT}title"));
        doc.has_zh(catalog, &format!("{DCT}description"));
        let publisher = &doc.has(catalog, &format!("{DCT}publisher"))[0];
        assert!(
            doc.values(publisher, "http://xmlns.com/foaf/0.1/name")[0].contains("市大数据管理局")
        );
        assert_eq!(
            doc.has(catalog, &format!("{DCAT}dataset")).len(),
            2,
            "{ext}"
        );
        let services = doc.of_type(&format!("{DCAT}DataService"));
        assert_eq!(services.len(), 1, "{ext}");
        let service = services.first().unwrap();
        assert!(doc.has(service, &format!("{DCAT}endpointURL"))[0].ends_with("/api/v1/"));
        assert_eq!(doc.has(service, &format!("{DCAT}servesDataset")).len(), 2);
        let codes = check_datasets(&doc);
        assert_eq!(
            codes,
            BTreeSet::from([f.open.clone(), f.conditional.clone()]),
            "{ext}: every open dataset and no other"
        );
        assert!(
            !doc.text.contains(&f.closed),
            "{ext}: the not-open entry appears nowhere"
        );
        let dataset = |code: &str| format!("{}/dataset/{code}", t.base);
        assert!(
            doc.values(&dataset(&f.conditional), &format!("{DCT}accessRights"))[0]
                .ends_with("/access-right/RESTRICTED")
        );
        assert!(
            doc.values(&dataset(&f.open), &format!("{DCT}accessRights"))[0]
                .ends_with("/access-right/PUBLIC")
        );
        assert!(
            doc.values(&dataset(&f.open), &format!("{DCT}accrualPeriodicity"))[0]
                .ends_with("/frequency/MONTHLY")
        );
        assert!(
            doc.values(
                &dataset(&f.conditional),
                &format!("{DCT}accrualPeriodicity")
            )[0]
            .ends_with("/frequency/QUARTERLY")
        );
        // The catalog says how big it is and where its pages are (hydra).
        let view = &doc.has(catalog, &format!("{HYDRA}view"))[0];
        assert!(doc.has(view, &format!("{HYDRA}totalItems"))[0].starts_with("\"2\""));
        assert!(
            doc.has(view, &format!("{HYDRA}first"))[0].ends_with(&format!("catalog.{ext}?page=1"))
        );
        assert!(
            doc.values(view, &format!("{HYDRA}next")).is_empty(),
            "one page"
        );

        // Each dataset on its own, in the same syntax.
        let one = fetch(
            &t,
            &format!("/dataset/{}.{ext}", f.conditional),
            content_type,
        )
        .await;
        let doc = Doc::parse(&one, format);
        assert_eq!(
            check_datasets(&doc),
            BTreeSet::from([f.conditional.clone()])
        );
    }
    let client = t.anonymous();
    client
        .get(&format!("/dataset/{}.ttl", f.closed))
        .await
        .expect_problem(404, "not_found");
    client
        .get(&format!("/dataset/{}.csv", f.open))
        .await
        .expect_problem(404, "not_found");
    client
        .get("/catalog.ttl?page=2")
        .await
        .expect_problem(404, "not_found");
    client
        .get("/catalog.ttl?page=0")
        .await
        .expect_problem(400, "bad_query");
}
