//! The DCAT-AP 3 description of the open catalog as RDF triples: the catalog (dct:title,
//! dct:description, dct:publisher, dcat:dataset, dcat:service, dcat:themeTaxonomy), each open
//! dataset (dct:title, dct:description, dcat:distribution, dct:publisher, dcat:theme,
//! dct:accrualPeriodicity, dcat:contactPoint, …), one distribution per download format
//! (dcat:accessURL, dct:format, dcat:mediaType), the data API as a dcat:DataService, and
//! the topics (主题) as a SKOS scheme matched to the EU data themes. Text is tagged `@zh`.
//! Every node has an IRI under the platform's address, so the output is the same each time.

use chrono::DateTime;
use gongshu_app::interop::{OpenDataset, Publisher, Topic};
use gongshu_domain::catalog::Vocabulary;
use oxrdf::vocab::xsd;
use oxrdf::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};

use super::vocab::{
    DCAT, DCT, FOAF, HYDRA, RDF, SKOS, VCARD, access_right, data_theme, data_theme_scheme,
    file_type, frequency, language, media_type,
};
use crate::ckan::FORMATS;

/// Where a page of the catalog sits among the others.
pub(crate) struct PageFacts {
    /// This page's address (`…/catalog.ttl?page=2`).
    pub this: String,
    /// The address of page `n`.
    pub page_url: Box<dyn Fn(usize) -> String + Send>,
    pub page: usize,
    pub last: usize,
    pub per_page: usize,
    pub total: u64,
}

/// Collects triples.
pub(crate) struct Graph {
    base: String,
    pub(crate) triples: Vec<Triple>,
}

fn iri(text: impl Into<String>) -> NamedNode {
    NamedNode::new_unchecked(text)
}

fn zh(text: &str) -> Term {
    Literal::new_language_tagged_literal_unchecked(text, "zh").into()
}

fn plain(text: impl Into<String>) -> Term {
    Literal::new_simple_literal(text).into()
}

fn date_time(micros: i64) -> Term {
    let at = DateTime::from_timestamp_micros(micros).unwrap_or_default();
    Literal::new_typed_literal(at.format("%Y-%m-%dT%H:%M:%SZ").to_string(), xsd::DATE_TIME).into()
}

fn count(n: u64) -> Term {
    Literal::new_typed_literal(n.to_string(), xsd::NON_NEGATIVE_INTEGER).into()
}

impl Graph {
    pub(crate) fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            triples: Vec::new(),
        }
    }

    fn add(&mut self, s: &NamedNode, p: &str, o: impl Into<Term>) {
        let subject: NamedOrBlankNode = s.clone().into();
        self.triples.push(Triple::new(subject, iri(p), o));
    }

    fn a(&mut self, s: &NamedNode, class: &str) {
        self.add(s, &format!("{RDF}type"), iri(class));
    }

    pub(crate) fn catalog_iri(&self) -> NamedNode {
        iri(format!("{}/catalog", self.base))
    }

    fn dataset_iri(&self, code: &str) -> NamedNode {
        iri(format!("{}/dataset/{code}", self.base))
    }

    fn service_iri(&self) -> NamedNode {
        iri(format!("{}/catalog/services/api", self.base))
    }

    fn topics_iri(&self) -> NamedNode {
        iri(format!("{}/catalog/topics", self.base))
    }

    fn topic_iri(&self, code: &str) -> NamedNode {
        iri(format!("{}/catalog/topics/{code}", self.base))
    }

    fn agent_iri(&self, id: &str) -> NamedNode {
        iri(format!("{}/catalog/publishers/{id}", self.base))
    }

    /// A publisher as a foaf:Agent.
    fn publisher(&mut self, p: &Publisher) -> NamedNode {
        let node = self.agent_iri(&p.id);
        self.a(&node, &format!("{FOAF}Agent"));
        self.add(&node, &format!("{FOAF}name"), zh(&p.name));
        if !p.credit_code.is_empty() {
            self.add(
                &node,
                &format!("{DCT}identifier"),
                plain(p.credit_code.clone()),
            );
        }
        node
    }

    /// The publisher's contact for its data as a vcard:Organization.
    fn contact(&mut self, p: &Publisher) -> NamedNode {
        let node = iri(format!("{}/catalog/publishers/{}/contact", self.base, p.id));
        self.a(&node, &format!("{VCARD}Organization"));
        self.add(&node, &format!("{VCARD}fn"), zh(&p.name));
        let email = p.email.trim();
        if let Ok(mail) = NamedNode::new(format!("mailto:{email}"))
            && email.contains('@')
        {
            self.add(&node, &format!("{VCARD}hasEmail"), mail);
        }
        let phone: String = p
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '-' || *c == '+')
            .collect();
        if !phone.is_empty() {
            self.add(
                &node,
                &format!("{VCARD}hasTelephone"),
                iri(format!("tel:{phone}")),
            );
        }
        node
    }

    /// The data API, through which every distribution is reached.
    pub(crate) fn service(&mut self, datasets: &[OpenDataset], publisher: &Publisher) -> NamedNode {
        let node = self.service_iri();
        self.a(&node, &format!("{DCAT}DataService"));
        self.add(&node, &format!("{DCT}title"), zh("公共数据开放接口"));
        self.add(
            &node,
            &format!("{DCT}description"),
            zh("按数据集读取开放数据的行（筛选、排序、分页）并以CSV、JSON、XLSX或Parquet下载；有条件开放数据需经申请获批后使用"),
        );
        self.add(
            &node,
            &format!("{DCAT}endpointURL"),
            iri(format!("{}/api/v1/", self.base)),
        );
        self.add(
            &node,
            &format!("{DCAT}endpointDescription"),
            iri(format!("{}/api/openapi.json", self.base)),
        );
        let agent = self.publisher(publisher);
        self.add(&node, &format!("{DCT}publisher"), agent);
        for d in datasets {
            let dataset = self.dataset_iri(&d.code);
            self.add(&node, &format!("{DCAT}servesDataset"), dataset);
        }
        node
    }

    /// The topics as a SKOS scheme, each matched to its EU data theme.
    pub(crate) fn topics(&mut self, topics: &[Topic]) {
        let scheme = self.topics_iri();
        self.a(&scheme, &format!("{SKOS}ConceptScheme"));
        self.add(
            &scheme,
            &format!("{DCT}title"),
            zh("公共数据资源分类（主题）"),
        );
        for t in topics {
            let node = self.topic_iri(&t.code);
            self.a(&node, &format!("{SKOS}Concept"));
            self.add(&node, &format!("{SKOS}prefLabel"), zh(&t.name));
            self.add(&node, &format!("{SKOS}notation"), plain(t.code.clone()));
            self.add(&node, &format!("{SKOS}inScheme"), scheme.clone());
            self.add(
                &node,
                &format!("{SKOS}closeMatch"),
                iri(data_theme(&t.code)),
            );
        }
    }

    /// One open dataset with its distributions.
    pub(crate) fn dataset(&mut self, d: &OpenDataset) -> NamedNode {
        let node = self.dataset_iri(&d.code);
        self.a(&node, &format!("{DCAT}Dataset"));
        self.add(&node, &format!("{DCT}title"), zh(&d.name));
        self.add(&node, &format!("{DCT}description"), zh(&d.summary));
        self.add(&node, &format!("{DCT}identifier"), plain(d.code.clone()));
        let agent = self.publisher(&d.publisher);
        self.add(&node, &format!("{DCT}publisher"), agent);
        let contact = self.contact(&d.publisher);
        self.add(&node, &format!("{DCAT}contactPoint"), contact);
        self.add(
            &node,
            &format!("{DCAT}theme"),
            iri(data_theme(&d.topic.code)),
        );
        let topic = self.topic_iri(&d.topic.code);
        self.add(&node, &format!("{DCAT}theme"), topic);
        self.add(&node, &format!("{DCAT}keyword"), zh(&d.topic.name));
        for keyword in [d.open_type.zh(), d.update_frequency.zh(), d.data_form.zh()] {
            self.add(&node, &format!("{DCAT}keyword"), zh(keyword));
        }
        self.add(
            &node,
            &format!("{DCT}accrualPeriodicity"),
            iri(frequency(d.update_frequency)),
        );
        self.add(
            &node,
            &format!("{DCT}accessRights"),
            iri(access_right(d.open_type)),
        );
        if !d.open_conditions.trim().is_empty() {
            self.add(&node, &format!("{DCT}rights"), zh(&d.open_conditions));
        }
        self.add(&node, &format!("{DCT}language"), iri(language()));
        self.add(&node, &format!("{DCT}issued"), date_time(d.created_at));
        let modified = d
            .data
            .as_ref()
            .map_or(d.published_at, |v| v.in_force_at.max(d.published_at));
        self.add(&node, &format!("{DCT}modified"), date_time(modified));
        self.add(
            &node,
            &format!("{DCAT}landingPage"),
            iri(format!("{}/open/datasets/{}", self.base, d.code)),
        );
        self.add(
            &node,
            &format!("{DCAT}version"),
            plain(d.revision.to_string()),
        );
        let service = self.service_iri();
        for (suffix, format, mime) in FORMATS {
            let dist = iri(format!(
                "{}/dataset/{}/distributions/{suffix}",
                self.base, d.code
            ));
            self.add(&node, &format!("{DCAT}distribution"), dist.clone());
            self.a(&dist, &format!("{DCAT}Distribution"));
            self.add(
                &dist,
                &format!("{DCT}title"),
                zh(&format!("{}（{format}）", d.name)),
            );
            let url = iri(format!(
                "{}/api/v1/entries/{}/data?format={suffix}",
                self.base, d.code
            ));
            self.add(&dist, &format!("{DCAT}accessURL"), url.clone());
            self.add(&dist, &format!("{DCAT}downloadURL"), url);
            self.add(&dist, &format!("{DCT}format"), iri(file_type(format)));
            self.add(&dist, &format!("{DCAT}mediaType"), iri(media_type(mime)));
            self.add(&dist, &format!("{DCAT}accessService"), service.clone());
            self.add(
                &dist,
                &format!("{DCT}accessRights"),
                iri(access_right(d.open_type)),
            );
            if let Some(v) = &d.data {
                self.add(&dist, &format!("{DCT}modified"), date_time(v.in_force_at));
            }
        }
        node
    }

    /// The catalog record around a page of datasets.
    pub(crate) fn catalog(
        &mut self,
        publisher: &Publisher,
        topics: &[Topic],
        datasets: &[OpenDataset],
        page: Option<&PageFacts>,
    ) {
        let node = self.catalog_iri();
        self.a(&node, &format!("{DCAT}Catalog"));
        self.add(&node, &format!("{DCT}title"), zh("公共数据开放目录"));
        self.add(
            &node,
            &format!("{DCT}description"),
            zh(&format!(
                "{}发布的公共数据开放目录：无条件开放和有条件开放的数据集，可下载，可经接口调用",
                publisher.name
            )),
        );
        let agent = self.publisher(publisher);
        self.add(&node, &format!("{DCT}publisher"), agent);
        self.add(&node, &format!("{DCT}language"), iri(language()));
        self.add(
            &node,
            &format!("{FOAF}homepage"),
            iri(format!("{}/open", self.base)),
        );
        self.add(
            &node,
            &format!("{DCAT}themeTaxonomy"),
            iri(data_theme_scheme()),
        );
        let taxonomy = self.topics_iri();
        self.add(&node, &format!("{DCAT}themeTaxonomy"), taxonomy);
        self.topics(topics);
        let service = self.service(datasets, publisher);
        self.add(&node, &format!("{DCAT}service"), service);
        for d in datasets {
            let dataset = self.dataset(d);
            self.add(&node, &format!("{DCAT}dataset"), dataset);
        }
        if let Some(page) = page {
            self.paging(&node, page);
        }
    }

    /// hydra paging: where this page sits and how many datasets there are.
    fn paging(&mut self, catalog: &NamedNode, p: &PageFacts) {
        let view = iri(p.this.clone());
        self.add(catalog, &format!("{HYDRA}view"), view.clone());
        self.a(&view, &format!("{HYDRA}PartialCollectionView"));
        self.add(&view, &format!("{HYDRA}totalItems"), count(p.total));
        self.add(
            &view,
            &format!("{HYDRA}itemsPerPage"),
            count(p.per_page as u64),
        );
        self.add(&view, &format!("{HYDRA}first"), iri((p.page_url)(1)));
        self.add(&view, &format!("{HYDRA}last"), iri((p.page_url)(p.last)));
        if p.page > 1 {
            self.add(
                &view,
                &format!("{HYDRA}previous"),
                iri((p.page_url)(p.page - 1)),
            );
        }
        if p.page < p.last {
            self.add(
                &view,
                &format!("{HYDRA}next"),
                iri((p.page_url)(p.page + 1)),
            );
        }
    }
}
