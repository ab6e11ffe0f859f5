//! The platform's open datasets in CKAN's words: a package (数据集) per open entry, a resource
//! per download format of its current data, its publisher as the organisation, its topic
//! (主题, a category of the scheme) as the group, and its open type, update frequency and data
//! form as tags. Field names and shapes are CKAN 2.10's, so CKAN clients and harvesters read
//! them unchanged; what CKAN has no field for travels in `extras`.

use chrono::DateTime;
use gongshu_app::interop::{OpenDataset, Publisher, Topic};
use gongshu_domain::catalog::{OpenType, Vocabulary};
use serde_json::{Value, json};

/// The download formats every dataset with data offers, as (resource suffix, CKAN format,
/// media type); the data API's `format` is the suffix.
pub(crate) const FORMATS: [(&str, &str, &str); 4] = [
    ("csv", "CSV", "text/csv"),
    ("json", "JSON", "application/json"),
    (
        "xlsx",
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("parquet", "PARQUET", "application/vnd.apache.parquet"),
];

/// The terms of use of an open type (开放协议), as CKAN's licence id and title.
pub(crate) fn licence(open: OpenType) -> (&'static str, &'static str) {
    match open {
        OpenType::Conditional => (
            "gongshu-conditional-open",
            "有条件开放：经申请获批后，按批准的用途、范围和期限使用",
        ),
        _ => (
            "gongshu-unconditional-open",
            "无条件开放：任何人可免费获取和使用，使用时注明数据来源",
        ),
    }
}

/// A time as CKAN writes it: UTC, no zone, microseconds (`2025-09-01T01:00:00.000000`).
pub(crate) fn ckan_time(micros: i64) -> String {
    DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.6f")
        .to_string()
}

/// The resource id of one format of a dataset's data: `{code}-{format}`.
pub(crate) fn resource_id(code: &str, suffix: &str) -> String {
    format!("{code}-{suffix}")
}

pub(crate) fn organization(p: &Publisher) -> Value {
    json!({
        "id": p.id,
        "name": p.id,
        "title": p.name,
        "display_name": p.name,
        "description": "",
        "type": "organization",
        "is_organization": true,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(p.created_at),
    })
}

pub(crate) fn group(t: &Topic) -> Value {
    json!({
        "id": t.code,
        "name": t.code,
        "title": t.name,
        "display_name": t.name,
        "description": t.group.zh(),
        "type": "group",
        "is_organization": false,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
    })
}

pub(crate) fn tag(label: &str) -> Value {
    json!({
        "id": label,
        "name": label,
        "display_name": label,
        "state": "active",
        "vocabulary_id": null,
    })
}

/// The tags of a dataset: its open type, update frequency and data form, in Chinese.
pub(crate) fn tag_names(d: &OpenDataset) -> [&'static str; 3] {
    [d.open_type.zh(), d.update_frequency.zh(), d.data_form.zh()]
}

/// The resources of a dataset: one per download format of its data through the data API.
/// Every open dataset has them; `datastore_active` and the dates say whether a version of
/// its data is in force yet.
pub(crate) fn resources(d: &OpenDataset, base: &str) -> Vec<Value> {
    let in_force = d.data.as_ref().map(|v| ckan_time(v.in_force_at));
    let description = match &d.data {
        Some(v) => format!("第{}版数据，共{}行", v.version, v.rows),
        None => "尚无数据版本".to_owned(),
    };
    FORMATS
        .iter()
        .enumerate()
        .map(|(position, (suffix, format, mimetype))| {
            json!({
                "id": resource_id(&d.code, suffix),
                "package_id": d.id,
                "name": format!("{}（{format}）", d.name),
                "description": description,
                "format": format,
                "mimetype": mimetype,
                "url": format!("{base}/api/v1/entries/{}/data?format={suffix}", d.code),
                "url_type": null,
                "resource_type": "api",
                "state": "active",
                "position": position,
                "datastore_active": d.data.is_some(),
                "created": in_force,
                "last_modified": in_force,
                "metadata_modified": in_force,
                "size": null,
                "hash": "",
            })
        })
        .collect()
}

/// One resource of a dataset by its suffix.
pub(crate) fn resource(d: &OpenDataset, base: &str, suffix: &str) -> Option<Value> {
    let position = FORMATS.iter().position(|(s, _, _)| *s == suffix)?;
    resources(d, base).into_iter().nth(position)
}

pub(crate) fn package(d: &OpenDataset, base: &str) -> Value {
    let (license_id, license_title) = licence(d.open_type);
    let tags: Vec<Value> = tag_names(d).iter().map(|t| tag(t)).collect();
    let resources = resources(d, base);
    let email = (!d.publisher.email.is_empty()).then(|| d.publisher.email.clone());
    let modified = d
        .data
        .as_ref()
        .map_or(d.published_at, |v| v.in_force_at.max(d.published_at));
    json!({
        "id": d.id,
        "name": d.code,
        "title": d.name,
        "notes": d.summary,
        "type": "dataset",
        "state": "active",
        "private": false,
        "isopen": d.open_type == OpenType::Unconditional,
        "url": format!("{base}/open/datasets/{}", d.code),
        "version": d.revision.to_string(),
        "author": d.publisher.name,
        "author_email": email,
        "maintainer": d.publisher.name,
        "maintainer_email": email,
        "license_id": license_id,
        "license_title": license_title,
        "metadata_created": ckan_time(d.created_at),
        "metadata_modified": ckan_time(modified),
        "owner_org": d.publisher.id,
        "organization": organization(&d.publisher),
        "groups": [group(&d.topic)],
        "num_tags": tags.len(),
        "tags": tags,
        "num_resources": resources.len(),
        "resources": resources,
        "extras": [
            { "key": "identifier", "value": d.code },
            { "key": "open_type", "value": d.open_type.code() },
            { "key": "open_conditions", "value": d.open_conditions },
            { "key": "update_frequency", "value": d.update_frequency.code() },
            { "key": "data_form", "value": d.data_form.code() },
            { "key": "catalog_revision", "value": d.revision.to_string() },
            { "key": "published_at", "value": ckan_time(d.published_at) },
        ],
    })
}
