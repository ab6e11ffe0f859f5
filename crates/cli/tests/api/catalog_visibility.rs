//! Issue 3 item 7: who sees which entry. Anonymous callers and public users see published
//! entries that are open; staff every published entry; the owner agency and its reviewing
//! authority every revision; anyone else gets 404, so drafts do not leak their existence.

use serde_json::Value;

use crate::catalog_fixtures::{create, edit, entry, get, get_revision, open_entry, publish};
use crate::support::TestApp;

// H8, H25: a not-open entry is invisible to the public, an open one visible.
pub async fn anonymous_callers_see_open_published_entries_only(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let closed = publish(&gaj, &reviewer, entry("非开放的户籍条目")).await;
    let open = publish(&gaj, &reviewer, open_entry("交通事故月度统计")).await;
    let anonymous = t.anonymous();
    let public = t.login("public-person").await;
    for (who, client) in [("anonymous", &anonymous), ("public-person", &public)] {
        get(client, &closed).await.expect_problem(404, "not_found");
        let res = get(client, &open).await;
        res.expect_status(200);
        assert_eq!(res.json["name"], "交通事故月度统计", "{who}");
        assert_eq!(res.json["state"], "published", "{who}");
    }
    // Staff of any organisation read every published entry.
    for user in ["mzj-staff", "regulator", "xcq-gaj-admin"] {
        get(&t.login(user).await, &closed).await.expect_status(200);
    }
    // Unknown codes are the same 404 as hidden ones.
    get(&anonymous, "101-99999")
        .await
        .expect_problem(404, "not_found");
}

// H8: a draft is seen by its agency and its reviewing authority only.
pub async fn a_draft_is_visible_to_its_agency_and_reviewing_authority_only(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let code = create(&gaj, open_entry("尚未提交的统计条目")).await;
    for user in ["gaj-admin", "gaj-staff", "reviewer"] {
        let res = get(&t.login(user).await, &code).await;
        res.expect_status(200);
        assert_eq!(res.json["state"], "draft", "{user}");
    }
    for user in [
        "mzj-admin",
        "xcq-reviewer",
        "regulator",
        "sjj-admin",
        "public-person",
    ] {
        get(&t.login(user).await, &code)
            .await
            .expect_problem(404, "not_found");
    }
    get(&t.anonymous(), &code)
        .await
        .expect_problem(404, "not_found");
    // A county draft is seen by the county authority and by the city authority above it (H8:
    // the city catalog is the union, overseen by the city), not by another county.
    let county = t.login("xcq-gaj-admin").await;
    let county_code = create(&county, entry("新城区草稿")).await;
    get(&t.login("xcq-reviewer").await, &county_code)
        .await
        .expect_status(200);
    get(&t.login("reviewer").await, &county_code)
        .await
        .expect_status(200);
    get(&t.login("tzq-reviewer").await, &county_code)
        .await
        .expect_problem(404, "not_found");
}

// H8: while a published entry has a draft revision, others read the published one and cannot
// ask for the draft; its history shows them only published revisions.
pub async fn others_read_the_published_revision_while_a_new_one_is_drafted(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(&gaj, &reviewer, open_entry("公开统计")).await;
    edit(&gaj, &code, open_entry("公开统计（草稿修订）"))
        .await
        .expect_status(200);
    let anonymous = t.anonymous();
    let res = get(&anonymous, &code).await;
    res.expect_status(200);
    assert_eq!(res.json["revision"], 1);
    assert_eq!(res.json["name"], "公开统计");
    get_revision(&anonymous, &code, 2)
        .await
        .expect_problem(404, "not_found");
    let other = t.login("mzj-staff").await;
    let history = other
        .get(&format!("/api/v1/catalog/entries/{code}/revisions"))
        .await;
    history.expect_status(200);
    let revisions: Vec<i64> = history
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_i64().unwrap())
        .collect();
    assert_eq!(revisions, [1]);
    other
        .get(&format!("/api/v1/catalog/entries/{code}/diff?from=1&to=2"))
        .await
        .expect_problem(404, "not_found");
}

fn codes(page: &Value) -> Vec<String> {
    page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

// Issue 3 item 7: `mine=true` lists the caller's own agency's entries, drafts included, at
// their latest revision; nobody else's.
pub async fn mine_lists_my_agencys_entries_with_drafts(t: TestApp) {
    let gaj = t.login("gaj-staff").await;
    let reviewer = t.login("reviewer").await;
    let published = publish(&gaj, &reviewer, entry("已发布条目")).await;
    let draft = create(&gaj, entry("草稿条目")).await;
    let mzj = t.login("mzj-admin").await;
    let theirs = create(&mzj, entry("民政局草稿")).await;

    let res = gaj.get("/api/v1/catalog/entries?mine=true").await;
    res.expect_status(200);
    assert_eq!(res.json["total"], 2, "{}", res.text);
    let mut mine = codes(&res.json);
    mine.sort();
    let mut expected = vec![published.clone(), draft.clone()];
    expected.sort();
    assert_eq!(mine, expected);
    let draft_row = res.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == draft.as_str())
        .unwrap();
    assert_eq!(draft_row["state"], "draft");
    for key in [
        "code",
        "name",
        "provider",
        "share_type",
        "open_type",
        "grade",
        "update_frequency",
    ] {
        assert!(!draft_row[key].is_null(), "{key} missing: {draft_row}");
    }
    let res = gaj
        .get("/api/v1/catalog/entries?mine=true&q=%E8%8D%89%E7%A8%BF")
        .await;
    assert_eq!(
        codes(&res.json),
        std::slice::from_ref(&draft),
        "q=草稿 within mine"
    );

    let res = mzj.get("/api/v1/catalog/entries?mine=true").await;
    assert_eq!(codes(&res.json), [theirs]);
    // Drafts never show up in the search of published entries.
    let res = mzj.get("/api/v1/catalog/entries?per_page=100").await;
    res.expect_status(200);
    assert_eq!(codes(&res.json), [published]);
    t.anonymous()
        .get("/api/v1/catalog/entries?mine=true")
        .await
        .expect_problem(401, "unauthenticated");
}
