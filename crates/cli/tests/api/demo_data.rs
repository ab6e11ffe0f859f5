//! Issue 4 item 6: `--demo` ships synthetic datasets for at least 15 demo entries, including
//! a 1,000,000-row one (seeded here at a thousandth) and at least two of 市公安局, one of them
//! conditionally shared. They arrive as ordinary versions through the upload command, so
//! every generated citizen ID and credit code has passed the ingest's checksum checks.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use gongshu_demo::data::{DemoDataSize, seed_data};
use serde_json::Value;

use crate::catalog_fixtures::successes;
use crate::support::{Client, TestApp};

/// A thousandth of the full size: the register has 1,000 rows instead of 1,000,000.
const SCALE: DemoDataSize = DemoDataSize { rows_scale: 0.001 };

/// The published entry named `name`, as the owner's admin sees it in the catalog export.
async fn entry(client: &Client, name: &str) -> Value {
    let res = client.get("/api/v1/catalog/export.json").await;
    res.expect_status(200);
    res.json
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("{name} is published"))
        .clone()
}

async fn versions(client: &Client, code: &str) -> Vec<Value> {
    let res = client
        .get(&format!("/api/v1/catalog/entries/{code}/versions"))
        .await;
    res.expect_status(200);
    res.json.as_array().expect("versions").clone()
}

// Issue 4 item 6, H13/H14: the demo datasets become versions of at least 15 entries, every
// value accepted by the ingest; the register is conditionally shared 市公安局 data; a second
// seeding adds nothing.
pub async fn the_demo_datasets_become_versions_of_at_least_fifteen_entries(t: TestApp) {
    gongshu_demo::catalog::seed_catalog(&t.app)
        .await
        .expect("seed the demo catalog");
    let stop = Arc::new(AtomicBool::new(false));
    let first = seed_data(&t.app, SCALE, stop.clone())
        .await
        .expect("seed the demo datasets");
    assert!(first.missing_entries.is_empty(), "{first:?}");
    assert_eq!(first.present, 0);
    let entries = t
        .count("SELECT COUNT(DISTINCT entry_id) FROM data_versions")
        .await;
    assert!(entries >= 15, "{entries} entries have data");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM data_versions").await,
        first.versions as i64
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM data_versions WHERE bad_rows <> 0")
            .await,
        0,
        "no row was refused"
    );

    let gaj = t.login("gaj-admin").await;
    let register = entry(&gaj, "户籍人口基本信息").await;
    assert_eq!(register["share_type"], "conditional");
    let code = register["code"].as_str().unwrap();
    let listed = versions(&gaj, code).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["rows"], 1_000, "a thousandth of a million");
    assert_eq!(listed[0]["source_name"], "户籍人口基本信息_202506.csv");
    assert_eq!(listed[0]["uploaded_by"], "gaj-admin");
    assert_eq!(
        successes(&t, "upload_data_version", &format!("{code}/v1")).await,
        1,
        "the upload is audited like any other"
    );

    // A second 市公安局 entry, with history: the older snapshot is smaller.
    let migrants = entry(&gaj, "流动人口居住登记").await;
    let listed = versions(&gaj, migrants["code"].as_str().unwrap()).await;
    let numbers: Vec<i64> = listed
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 1]);
    assert!(listed[1]["rows"].as_i64() < listed[0]["rows"].as_i64());
    assert_eq!(listed[1]["source_name"], "流动人口居住登记_202412.csv");

    let again = seed_data(&t.app, SCALE, stop).await.expect("seed again");
    assert_eq!(again.versions, 0, "nothing is seeded twice");
    assert_eq!(again.present, first.versions);
}
