//! Lists of entries with a search box and facets: 本单位目录 (the caller's own organisation's
//! entries at their latest revision, drafts included) and 公共数据目录 (published entries the
//! visitor may see, no login needed: open ones for the public, all published ones for staff).
//! Both come from the catalog search command; facet links filter on one value each. The open
//! data portal's search (`crate::portal`) lists with its own facets through the same code.

use std::collections::BTreeMap;

use gongshu_app::catalog::search::{CatalogPage, FacetValue, SearchParams};
use serde::{Deserialize, Serialize};

/// The list's query parameters as typed; all optional.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct ListParams {
    pub q: String,
    pub agency: String,
    pub category: String,
    pub grade: String,
    pub share_type: String,
    pub open_type: String,
    pub update_frequency: String,
    pub data_form: String,
    pub quality: String,
    pub page: String,
    /// 本单位目录 only: a resource code to open directly.
    pub code: String,
}

/// Every facet a list may filter on (and keeps in its links).
const KEYS: &[&str] = &[
    "agency",
    "category",
    "grade",
    "share_type",
    "open_type",
    "update_frequency",
    "data_form",
    "quality",
];

/// The console's facets in the order the page shows them, with their Chinese names.
pub const FACETS: &[(&str, &str)] = &[
    ("agency", "提供单位"),
    ("category", "资源分类"),
    ("grade", "数据级别"),
    ("share_type", "共享类型"),
    ("open_type", "开放属性"),
    ("update_frequency", "更新频率"),
    ("data_form", "数据形式"),
];

pub const PER_PAGE: usize = 30;

impl ListParams {
    fn get(&self, key: &str) -> &str {
        match key {
            "q" => &self.q,
            "agency" => &self.agency,
            "category" => &self.category,
            "grade" => &self.grade,
            "share_type" => &self.share_type,
            "open_type" => &self.open_type,
            "update_frequency" => &self.update_frequency,
            "data_form" => &self.data_form,
            "quality" => &self.quality,
            _ => "",
        }
    }

    /// The search command's parameters.
    pub fn search(&self, mine: bool) -> SearchParams {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        SearchParams {
            q: some(&self.q),
            agency: some(&self.agency),
            category: some(&self.category),
            grade: some(&self.grade),
            share_type: some(&self.share_type),
            open_type: some(&self.open_type),
            update_frequency: some(&self.update_frequency),
            data_form: some(&self.data_form),
            quality: some(&self.quality),
            mine: mine.then_some(true),
            page: self.page.trim().parse().ok(),
            per_page: Some(PER_PAGE),
        }
    }

    /// The address of this list with `key` set to `value` (removed when empty), from page 1.
    fn href(&self, base: &str, key: &str, value: &str, page: Option<usize>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for k in std::iter::once("q").chain(KEYS.iter().copied()) {
            let v = if k == key { value } else { self.get(k) };
            if !v.trim().is_empty() {
                pairs.push((k, v.trim().to_owned()));
            }
        }
        if let Some(p) = page.filter(|p| *p > 1) {
            pairs.push(("page", p.to_string()));
        }
        if pairs.is_empty() {
            return base.to_owned();
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        format!("{base}?{}", query.join("&"))
    }

    fn filtered(&self) -> bool {
        std::iter::once("q")
            .chain(KEYS.iter().copied())
            .any(|k| !self.get(k).trim().is_empty())
    }
}

/// Percent-encoding of a query value (everything but the unreserved characters).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Serialize)]
pub struct FacetLink {
    pub label: String,
    pub count: usize,
    pub href: String,
    pub active: bool,
}

#[derive(Serialize)]
pub struct FacetView {
    pub name: &'static str,
    pub label: &'static str,
    pub values: Vec<FacetLink>,
}

/// What the list template shows besides the entries themselves.
#[derive(Serialize)]
pub struct Listing {
    pub base: &'static str,
    pub facets: Vec<FacetView>,
    pub pages: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub clear: Option<String>,
}

/// The list's facets (`facets`: name and Chinese label, in the order shown), pages and links.
pub fn listing(
    base: &'static str,
    facets: &[(&'static str, &'static str)],
    params: &ListParams,
    page: &CatalogPage,
) -> Listing {
    let facets = facets
        .iter()
        .filter_map(|(name, label)| {
            let values: &Vec<FacetValue> = page.facets.get(*name)?;
            let chosen = params.get(name).trim();
            let values: Vec<FacetLink> = values
                .iter()
                .filter(|v| v.count > 0 || chosen.split(',').any(|c| c.trim() == v.value))
                .map(|v| {
                    let active = chosen.split(',').any(|c| c.trim() == v.value);
                    FacetLink {
                        label: v.label.clone(),
                        count: v.count,
                        href: params.href(base, name, if active { "" } else { &v.value }, None),
                        active,
                    }
                })
                .collect();
            (!values.is_empty()).then_some(FacetView {
                name,
                label,
                values,
            })
        })
        .collect();
    let pages = page.total.div_ceil(page.per_page.max(1)).max(1);
    let at = |p: usize| Some(params.href(base, "", "", Some(p)));
    Listing {
        base,
        facets,
        pages,
        prev: if page.page > 1 {
            at(page.page - 1)
        } else {
            None
        },
        next: if page.page < pages {
            at(page.page + 1)
        } else {
            None
        },
        clear: params.filtered().then(|| base.to_owned()),
    }
}

/// Labels of the workflow states, for the state column of one's own catalog.
pub fn state_labels() -> BTreeMap<String, String> {
    gongshu_domain::catalog::ReviewState::ALL
        .into_iter()
        .map(|s| (s.code().to_owned(), s.zh().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_links_keep_the_other_filters_and_encode_the_query() {
        let p = ListParams {
            q: "户籍 人口".into(),
            grade: "general_1".into(),
            page: "3".into(),
            ..ListParams::default()
        };
        assert_eq!(
            p.href("/catalog", "share_type", "conditional", None),
            "/catalog?q=%E6%88%B7%E7%B1%8D%20%E4%BA%BA%E5%8F%A3&grade=general_1&share_type=conditional"
        );
        assert_eq!(
            p.href("/catalog", "grade", "", Some(2)),
            "/catalog?q=%E6%88%B7%E7%B1%8D%20%E4%BA%BA%E5%8F%A3&page=2"
        );
        assert_eq!(
            ListParams::default().href("/catalog", "", "", None),
            "/catalog"
        );
    }

    #[test]
    fn every_state_has_a_label() {
        let labels = state_labels();
        assert_eq!(labels.len(), 6);
        assert_eq!(labels["submitted"], "待审核");
        assert_eq!(labels["county_approved"], "待市级审核");
    }
}
