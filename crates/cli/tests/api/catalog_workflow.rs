//! Issue 3 item 3: the review workflow (H8, H9) — draft → submitted → published, or returned
//! with reasons; revisions of published entries; every illegal transition refused.

use serde_json::json;

use crate::catalog_fixtures::{
    approve, create, edit, entry, get, get_revision, return_with, submit, submit_and_approve, with,
};
use crate::support::TestApp;

// H8, H9: create → draft; submit → due 5 working days later, to the city authority; approve →
// published. The test clock starts on Monday 2025-09-01, so the review is due Monday 2025-09-08.
pub async fn an_entry_goes_from_draft_through_review_to_published(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let city = t.org_id("市大数据管理局").await;
    let gaj_id = t.org_id("市公安局").await;

    let code = create(&gaj, entry("户籍人口测试")).await;
    let draft = get(&gaj, &code).await;
    draft.expect_status(200);
    assert_eq!(draft.json["org_id"], gaj_id.as_str());
    assert_eq!(draft.json["provider_name"], "市公安局");
    assert_eq!(draft.json["published_revision"], json!(null));
    assert_eq!(draft.json["due_date"], json!(null));

    let res = submit(&gaj, &code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "submitted");
    assert_eq!(res.json["due_date"], "2025-09-08");
    assert_eq!(res.json["due_provisional"], false);
    assert_eq!(res.json["overdue"], false);
    assert_eq!(res.json["reviewer_org_id"], city.as_str());

    let res = approve(&reviewer, &code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "published");
    assert_eq!(res.json["revision"], 1);
    assert_eq!(res.json["published_revision"], 1);
    assert_eq!(res.json["reviewed_by"], "reviewer");
    assert!(res.json["published_at"].is_string());
}

// H8: a published entry changes only through a new revision; the old one stays readable until
// the new one is approved, then it is superseded; the diff lists what changed.
pub async fn editing_a_published_entry_makes_a_revision_that_supersedes_it_when_approved(
    t: TestApp,
) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let other_staff = t.login("mzj-staff").await;
    let code = create(&gaj, entry("户籍人口测试")).await;
    submit_and_approve(&gaj, &reviewer, &code).await;

    let changed = with(entry("户籍人口基本信息（修订）"), |e| {
        e["update_frequency"] = json!("weekly");
        e["change_note"] = json!("增加民族信息项，改为每周更新");
        e["items"]
            .as_array_mut()
            .unwrap()
            .push(json!({ "code": "mz", "name": "民族", "data_type": "text", "grade": "general_3", "personal": true }));
    });
    let res = edit(&gaj, &code, changed.clone()).await;
    res.expect_status(200);
    assert_eq!(res.json["revision"], 2);
    assert_eq!(res.json["state"], "draft");
    assert_eq!(res.json["published_revision"], 1);
    assert_eq!(res.json["latest_revision"], 2);

    // Revision 1 stays published and is what everyone else reads.
    let one = get_revision(&gaj, &code, 1).await;
    one.expect_status(200);
    assert_eq!(one.json["state"], "published");
    assert_eq!(one.json["name"], "户籍人口测试");
    let seen = get(&other_staff, &code).await;
    seen.expect_status(200);
    assert_eq!(seen.json["revision"], 1);
    assert_eq!(seen.json["name"], "户籍人口测试");
    get_revision(&other_staff, &code, 2)
        .await
        .expect_problem(404, "not_found");
    // A second edit of the draft revision changes it in place.
    let res = edit(&gaj, &code, changed).await;
    res.expect_status(200);
    assert_eq!(res.json["revision"], 2);

    submit_and_approve(&gaj, &reviewer, &code).await;
    let one = get_revision(&gaj, &code, 1).await;
    one.expect_status(200);
    assert_eq!(one.json["state"], "superseded");
    assert_eq!(
        one.json["name"], "户籍人口测试",
        "the old revision stays readable"
    );
    let now = get(&other_staff, &code).await;
    assert_eq!(now.json["revision"], 2);
    assert_eq!(now.json["state"], "published");
    assert_eq!(now.json["name"], "户籍人口基本信息（修订）");

    let history = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/revisions"))
        .await;
    history.expect_status(200);
    let states: Vec<(i64, String)> = history
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = states.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [(1, "superseded".to_owned()), (2, "published".to_owned())]
    );

    let diff = gaj
        .get(&format!("/api/v1/catalog/entries/{code}/diff?from=1&to=2"))
        .await;
    diff.expect_status(200);
    let fields: Vec<&str> = diff
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    for f in ["name", "summary", "update_frequency", "items.mz"] {
        assert!(fields.contains(&f), "{f} missing from the diff {fields:?}");
    }
    for f in [
        "grade",
        "share_type",
        "open_type",
        "items.xm",
        "items.gmsfhm",
    ] {
        assert!(!fields.contains(&f), "{f} did not change: {fields:?}");
    }
    let name = diff
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "name")
        .unwrap();
    assert_eq!(name["before"], "户籍人口测试");
    assert_eq!(name["after"], "户籍人口基本信息（修订）");
    assert_eq!(name["label_zh"], "资源名称");
}

// H8: the authority returns a submission with reasons; the agency sees them, edits and
// resubmits; the next review is due 5 working days after the resubmission.
pub async fn a_returned_entry_shows_its_reasons_and_goes_back_for_review_after_editing(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = create(&gaj, entry("户籍人口测试")).await;
    submit(&gaj, &code).await.expect_status(200);
    let reasons = "信息项“公民身份号码”应标注为一数一源基础数据项，请补充后重新提交";
    let res = return_with(&reviewer, &code, reasons).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "returned");
    assert_eq!(res.json["review_reasons"], reasons);

    let seen = get(&gaj, &code).await;
    assert_eq!(seen.json["state"], "returned");
    assert_eq!(seen.json["review_reasons"], reasons);
    assert_eq!(seen.json["reviewed_by"], "reviewer");

    let fixed = with(entry("户籍人口测试"), |e| {
        e["items"][1]["element_code"] = json!("NP01");
    });
    let res = edit(&gaj, &code, fixed).await;
    res.expect_status(200);
    assert_eq!(
        res.json["revision"], 1,
        "a returned revision is edited in place"
    );
    assert_eq!(res.json["state"], "draft");
    assert_eq!(res.json["items"][1]["element_code"], "NP01");
    assert_eq!(
        res.json["review_reasons"], reasons,
        "the reasons stay visible while the agency works on them"
    );

    t.advance(chrono::Duration::days(2));
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let res = submit(&gaj, &code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "submitted");
    assert_eq!(
        res.json["due_date"], "2025-09-10",
        "5 WD after Wednesday 3 September"
    );
    approve(&reviewer, &code).await.expect_status(200);
}

// H8: every transition the workflow does not allow is refused with 409 `illegal_transition`,
// and leaves the entry as it was.
pub async fn every_illegal_transition_is_refused(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = create(&gaj, entry("状态测试")).await;

    // A draft can be neither approved nor returned.
    approve(&reviewer, &code)
        .await
        .expect_problem(409, "illegal_transition");
    return_with(&reviewer, &code, "不应能退回草稿")
        .await
        .expect_problem(409, "illegal_transition");

    // A submitted revision is neither submitted again nor edited.
    submit(&gaj, &code).await.expect_status(200);
    submit(&gaj, &code)
        .await
        .expect_problem(409, "illegal_transition");
    edit(&gaj, &code, entry("状态测试（改）"))
        .await
        .expect_problem(409, "illegal_transition");
    assert_eq!(get(&gaj, &code).await.json["name"], "状态测试");

    // A returned revision cannot be approved or returned again before resubmission.
    return_with(&reviewer, &code, "请补充摘要")
        .await
        .expect_status(200);
    approve(&reviewer, &code)
        .await
        .expect_problem(409, "illegal_transition");
    return_with(&reviewer, &code, "再次退回")
        .await
        .expect_problem(409, "illegal_transition");

    // A published revision is not submitted, approved or returned again.
    submit_and_approve(&gaj, &reviewer, &code).await;
    submit(&gaj, &code)
        .await
        .expect_problem(409, "illegal_transition");
    approve(&reviewer, &code)
        .await
        .expect_problem(409, "illegal_transition");
    return_with(&reviewer, &code, "发布后退回")
        .await
        .expect_problem(409, "illegal_transition");

    // Its new draft revision cannot be approved before it is submitted either.
    edit(&gaj, &code, entry("状态测试（修订）"))
        .await
        .expect_status(200);
    approve(&reviewer, &code)
        .await
        .expect_problem(409, "illegal_transition");
    let seen = get_revision(&gaj, &code, 1).await;
    assert_eq!(seen.json["state"], "published");
    let seen = get(&gaj, &code).await;
    assert_eq!(seen.json["revision"], 2);
    assert_eq!(seen.json["state"], "draft");
}

// H8: a return needs its reasons.
pub async fn returning_without_reasons_is_refused(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = create(&gaj, entry("退回测试")).await;
    submit(&gaj, &code).await.expect_status(200);
    return_with(&reviewer, &code, "  ")
        .await
        .expect_field_error("reasons", "required");
    assert_eq!(get(&gaj, &code).await.json["state"], "submitted");
}

// H8: only the agency (admin or staff) drafts and submits its entries, only its reviewing
// authority decides on them.
pub async fn only_the_owner_submits_and_only_its_authority_decides(t: TestApp) {
    let gaj_staff = t.login("gaj-staff").await;
    let mzj = t.login("mzj-admin").await;
    let regulator = t.login("regulator").await;
    let gaj_admin = t.login("gaj-admin").await;

    let code = create(&gaj_staff, entry("员工编目")).await;
    // Another agency cannot even tell the draft exists; its attempt is still recorded.
    submit(&mzj, &code).await.expect_problem(404, "not_found");
    submit(&gaj_staff, &code).await.expect_status(200);
    approve(&gaj_admin, &code)
        .await
        .expect_problem(403, "forbidden");
    approve(&regulator, &code)
        .await
        .expect_problem(404, "not_found");
    assert_eq!(get(&gaj_staff, &code).await.json["state"], "submitted");
}
