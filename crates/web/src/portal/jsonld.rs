//! schema.org `Dataset` JSON-LD for a dataset page, so search engines (and dataset search)
//! understand it: name, description, identifier, keywords, the providing department, dates,
//! the licence, the data items as variables, and — for unconditionally open data — the
//! downloads as `DataDownload`s. The text is made safe to sit in a `<script>` data block.

use gongshu_app::open::OpenDataset;
use serde_json::{Value, json};

/// The JSON-LD of `d`, as text ready for `<script type="application/ld+json">`.
pub fn dataset_jsonld(d: &OpenDataset, origin: &str, page_url: &str) -> String {
    let e = &d.entry;
    let provider = json!({ "@type": "GovernmentOrganization", "name": e.provider_name });
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": page_url,
        "url": page_url,
        "name": e.name,
        "description": e.summary,
        "identifier": e.code,
        "inLanguage": "zh-CN",
        "keywords": [e.category_name, e.provider_name],
        "creator": provider.clone(),
        "publisher": provider,
        "isAccessibleForFree": true,
        "license": {
            "@type": "CreativeWork",
            "name": d.licence.title,
            "url": format!("{page_url}#licence"),
        },
        "variableMeasured": e.items.iter().map(|i| json!({
            "@type": "PropertyValue",
            "name": i.name,
            "propertyID": i.code,
        })).collect::<Vec<Value>>(),
    });
    if let Some(published) = &d.published_iso {
        doc["datePublished"] = json!(published);
    }
    if let Some(modified) = &d.modified_iso {
        doc["dateModified"] = json!(modified);
    }
    if d.unconditional && !d.versions.is_empty() {
        let download = |format: &str, media: &str| {
            json!({
                "@type": "DataDownload",
                "encodingFormat": media,
                "contentUrl": format!(
                    "{origin}/api/v1/entries/{}/data?mode=bulk_download&format={format}",
                    e.code
                ),
            })
        };
        doc["distribution"] = json!([
            download("csv", "text/csv"),
            download("json", "application/json"),
            download("parquet", "application/vnd.apache.parquet"),
        ]);
    } else if !d.unconditional {
        doc["conditionsOfAccess"] = json!(e.open_conditions);
    }
    script_safe(&doc.to_string())
}

/// JSON that cannot end or open markup inside a `<script>` block: `<`, `>` and `&` as
/// escapes (still the same JSON).
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_json_is_the_same_json() {
        let raw = json!({ "name": "</script><b>&" }).to_string();
        let safe = script_safe(&raw);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["name"], "</script><b>&");
    }
}
