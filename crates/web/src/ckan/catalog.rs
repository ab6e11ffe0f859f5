//! The catalog actions: `status_show`, `package_list`, `package_search`, `package_show`,
//! `resource_show`, `organization_list`/`_show`, `group_list`/`_show` and `tag_list`. Each
//! reads its parameters, calls one query of `gongshu_app::interop`, and writes CKAN's dicts.

use std::collections::BTreeMap;

use gongshu_app::interop::{self, DatasetSearch, Facet, MAX_ROWS, OpenDataset};
use serde_json::{Map, Value, json};

use super::Call;
use super::dicts::{self, FORMATS, group, organization, package, tag};
use super::reply::{CkanError, Reply};
use super::search::{FACET_FIELDS, SORT, asked, facet_items};

/// The most names one `package_list` (or organisation and group list) call answers.
const MAX_LIST: usize = 10_000;
/// The most datasets `organization_show` and `group_show` include.
const MAX_INCLUDED: usize = 100;

/// The version of CKAN whose API this follows.
const CKAN_VERSION: &str = "2.10.4";

pub(super) fn status_show(call: &Call<'_>) -> Result<Reply, CkanError> {
    Ok(Reply::Json(json!({
        "site_title": "公共数据开放平台",
        "site_description": "公数（Gongshu）公共数据开放平台：开放数据目录、数据下载与接口",
        "site_url": call.base,
        "ckan_version": CKAN_VERSION,
        "locale_default": "zh_Hans_CN",
        "error_emails_to": null,
        "extensions": ["datastore", "dcat"],
    })))
}

/// The names (codes) of every open dataset, in code order; `limit` (at most 10,000, the
/// default) and `offset` page them.
pub(super) async fn package_list(call: &Call<'_>) -> Result<Reply, CkanError> {
    let limit = call.params.count("limit", MAX_LIST, MAX_LIST)?;
    let offset = call.params.count("offset", 0, usize::MAX)?;
    let codes = interop::dataset_codes(&call.state.app, offset, limit).await?;
    Ok(Reply::Json(json!(codes)))
}

/// Searches the open datasets: `q`, `fq`, `rows` (0–1,000, default 10), `start`, `sort`,
/// `facet.field`, `facet.limit` (default 50, -1 for all), `facet.mincount`.
pub(super) async fn package_search(call: &Call<'_>) -> Result<Reply, CkanError> {
    let p = call.params;
    let q = p.text("q")?;
    let fq = p.text("fq")?;
    let rows = p.count("rows", 10, MAX_ROWS)?;
    let start = p.count("start", 0, usize::MAX)?;
    // Any order is answered in the index's: relevance with text, newest without (the
    // result's `sort` says so). Paging stays stable while nothing is published.
    let _ = p.text("sort")?;
    let fields = p
        .list("facet.field", FACET_FIELDS.len())?
        .unwrap_or_default();
    for f in &fields {
        if !FACET_FIELDS.contains(&f.as_str()) {
            return Err(CkanError::invalid(
                "facet.field",
                format!("不支持的分面“{f}”；可用：{}", FACET_FIELDS.join("、")),
                format!("unknown facet `{f}`; facets: {}", FACET_FIELDS.join(", ")),
            ));
        }
    }
    let facet_limit = match p.text("facet.limit")?.as_deref().map(str::trim) {
        None | Some("") => 50,
        Some("-1") => usize::MAX,
        Some(_) => p.count("facet.limit", 50, 1_000)?,
    };
    let mincount = p.count("facet.mincount", 1, usize::MAX)?;
    let asked = asked(q.as_deref(), fq.as_deref())?;
    let (count, results, facets) = if asked.nothing {
        (0, Vec::new(), BTreeMap::new())
    } else {
        let hits = interop::search_datasets(
            &call.state.app,
            DatasetSearch {
                q: asked.text,
                filters: asked.filters,
                start,
                rows,
            },
        )
        .await?;
        (hits.total, hits.datasets, hits.facets)
    };
    let mut facet_counts = Map::new();
    let mut search_facets = Map::new();
    for field in &fields {
        let items: Vec<(String, String, usize)> = facet_items(field, &facets)
            .into_iter()
            .filter(|(_, _, n)| *n >= mincount)
            .take(facet_limit)
            .collect();
        facet_counts.insert(
            field.clone(),
            items
                .iter()
                .map(|(v, _, n)| (v.clone(), json!(n)))
                .collect::<Map<_, _>>()
                .into(),
        );
        search_facets.insert(
            field.clone(),
            json!({
                "title": field,
                "items": items.iter().map(|(v, label, n)| json!({
                    "name": v, "display_name": label, "count": n,
                })).collect::<Vec<_>>(),
            }),
        );
    }
    Ok(Reply::Json(json!({
        "count": count,
        "sort": SORT,
        "facets": facet_counts,
        "search_facets": search_facets,
        "results": results.iter().map(|d| package(d, call.base)).collect::<Vec<_>>(),
    })))
}

/// The dataset named by `id`: its code (the package name) or its entry id.
async fn dataset_of(call: &Call<'_>, key: &str) -> Result<OpenDataset, CkanError> {
    let id = call
        .params
        .text(key)?
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CkanError::invalid(key, "缺少必填参数", "missing value"))?;
    interop::dataset(&call.state.app, &id)
        .await
        .map_err(|_| CkanError::not_found("数据集", "dataset"))
}

pub(super) async fn package_show(call: &Call<'_>) -> Result<Reply, CkanError> {
    let d = dataset_of(call, "id").await?;
    Ok(Reply::Json(package(&d, call.base)))
}

/// The dataset and format suffix of a resource id (`{code}-{format}`).
pub(super) fn split_resource(id: &str) -> Option<(&str, &str)> {
    let (code, suffix) = id.trim().rsplit_once('-')?;
    FORMATS
        .iter()
        .any(|(s, _, _)| *s == suffix)
        .then_some((code, suffix))
}

pub(super) async fn resource_show(call: &Call<'_>) -> Result<Reply, CkanError> {
    let not_found = || CkanError::not_found("资源", "resource");
    let id = call.params.text("id")?.unwrap_or_default();
    let (code, suffix) = split_resource(&id).ok_or_else(not_found)?;
    let d = interop::dataset(&call.state.app, code)
        .await
        .map_err(|_| not_found())?;
    dicts::resource(&d, call.base, suffix)
        .map(Reply::Json)
        .ok_or_else(not_found)
}

/// A list of names, or of dicts with `all_fields`, paged by `limit` and `offset`.
fn listing(call: &Call<'_>, all: Vec<(String, Value)>) -> Result<Reply, CkanError> {
    let all_fields = call.params.flag("all_fields")?.unwrap_or(false);
    let limit = call.params.count("limit", MAX_LIST, MAX_LIST)?;
    let offset = call.params.count("offset", 0, usize::MAX)?;
    let page = all.into_iter().skip(offset).take(limit);
    Ok(Reply::Json(if all_fields {
        json!(page.map(|(_, dict)| dict).collect::<Vec<_>>())
    } else {
        json!(page.map(|(name, _)| name).collect::<Vec<_>>())
    }))
}

/// The organisations that publish open datasets.
pub(super) async fn organization_list(call: &Call<'_>) -> Result<Reply, CkanError> {
    let all = interop::publishers(&call.state.app)
        .await?
        .into_iter()
        .map(|(p, n)| {
            let mut dict = organization(&p);
            dict["package_count"] = n.into();
            (p.id, dict)
        })
        .collect();
    listing(call, all)
}

/// The open datasets of one facet value, for `organization_show` and `group_show`.
async fn included(
    call: &Call<'_>,
    facet: Facet,
    value: &str,
) -> Result<(usize, Vec<Value>), CkanError> {
    let include = call.params.flag("include_datasets")?.unwrap_or(false);
    let hits = interop::search_datasets(
        &call.state.app,
        DatasetSearch {
            q: None,
            filters: vec![(facet, value.to_owned())],
            start: 0,
            rows: if include { MAX_INCLUDED } else { 0 },
        },
    )
    .await?;
    let packages = hits
        .datasets
        .iter()
        .map(|d| package(d, call.base))
        .collect();
    Ok((hits.total, packages))
}

pub(super) async fn organization_show(call: &Call<'_>) -> Result<Reply, CkanError> {
    let id = call.params.text("id")?.unwrap_or_default();
    let publisher = interop::publishers(&call.state.app)
        .await?
        .into_iter()
        .map(|(p, _)| p)
        .find(|p| p.id == id.trim())
        .ok_or_else(|| CkanError::not_found("组织", "organization"))?;
    let (count, packages) = included(call, Facet::Agency, &publisher.id).await?;
    let mut dict = organization(&publisher);
    dict["package_count"] = count.into();
    dict["packages"] = packages.into();
    dict["users"] = json!([]);
    dict["extras"] = json!([{ "key": "credit_code", "value": publisher.credit_code }]);
    Ok(Reply::Json(dict))
}

/// The topics (主题): every category of the scheme in force.
pub(super) async fn group_list(call: &Call<'_>) -> Result<Reply, CkanError> {
    let all = interop::topic_counts(&call.state.app)
        .await?
        .into_iter()
        .map(|(t, n)| {
            let mut dict = group(&t);
            dict["package_count"] = n.into();
            (t.code, dict)
        })
        .collect();
    listing(call, all)
}

pub(super) async fn group_show(call: &Call<'_>) -> Result<Reply, CkanError> {
    let id = call.params.text("id")?.unwrap_or_default();
    let topic = interop::topic_counts(&call.state.app)
        .await?
        .into_iter()
        .map(|(t, _)| t)
        .find(|t| t.code == id.trim())
        .ok_or_else(|| CkanError::not_found("主题", "group"))?;
    let (count, packages) = included(call, Facet::Category, &topic.code).await?;
    let mut dict = group(&topic);
    dict["package_count"] = count.into();
    dict["packages"] = packages.into();
    Ok(Reply::Json(dict))
}

/// The tags in use: the labels of the open types, update frequencies and data forms of the
/// open datasets; `query` keeps those containing it.
pub(super) async fn tag_list(call: &Call<'_>) -> Result<Reply, CkanError> {
    let query = call.params.text("query")?.unwrap_or_default();
    let all_fields = call.params.flag("all_fields")?.unwrap_or(false);
    let hits = interop::search_datasets(&call.state.app, DatasetSearch::default()).await?;
    let mut labels: Vec<String> = facet_items("tags", &hits.facets)
        .into_iter()
        .map(|(label, _, _)| label)
        .filter(|label| label.contains(query.trim()))
        .collect();
    labels.sort();
    Ok(Reply::Json(if all_fields {
        json!(labels.iter().map(|l| tag(l)).collect::<Vec<_>>())
    } else {
        json!(labels)
    }))
}
