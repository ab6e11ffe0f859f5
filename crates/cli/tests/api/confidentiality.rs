//! Issue 13 items 5 and 6: the persons responsible for data security (第三十三条) and the
//! confidentiality review before sharing or opening (第三十四条).

use serde_json::{Value, json};

use crate::catalog_fixtures::{
    approve, create, edit, open_entry, publish, sign_review, submit_unreviewed, with,
};
use crate::console_pages::post_form;
use crate::sharing::{ask, conditional_people, request};
use crate::support::{Client, TestApp};

fn review(affirmed: bool) -> Value {
    json!({
        "no_state_secret": affirmed,
        "personal_information_protected": true,
        "legal_basis_checked": true,
        "opinion": "已逐项审查"
    })
}

async fn reviews_of(client: &Client, code: &str) -> Value {
    let res = client
        .get(&format!(
            "/api/v1/catalog/entries/{code}/confidentiality-reviews"
        ))
        .await;
    res.expect_status(200);
    res.json.clone()
}

// H34 第三十四条: "健全公共数据共享、开放的保密审查等安全保障机制". An entry to be opened to
// society is published only after its provider's security lead has signed a confidentiality
// review of the revision submitted; a review that cannot affirm every point is not signed; a
// revision submitted again later needs a review of its own.
pub async fn h34_an_entry_is_opened_only_after_a_confidentiality_review(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = create(&gaj, open_entry("保密审查测试开放统计")).await;
    submit_unreviewed(&gaj, &code).await.expect_status(200);

    let refused = approve(&reviewer, &code).await;
    refused.expect_problem(409, "confidentiality_review_required");
    assert!(refused.text.contains("保密审查"), "{}", refused.text);

    // Only the named security lead signs; someone else is refused and recorded.
    let staff = t.login("gaj-staff").await;
    staff
        .post(
            &format!("/api/v1/catalog/entries/{code}/confidentiality-reviews"),
            review(true),
        )
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(
        t.last_event_of("sign_confidentiality_review").await.outcome,
        "denied"
    );
    // A point not affirmed: nothing is signed, and the field says which.
    gaj.post(
        &format!("/api/v1/catalog/entries/{code}/confidentiality-reviews"),
        review(false),
    )
    .await
    .expect_field_error("no_state_secret", "not_affirmed");
    assert_eq!(reviews_of(&gaj, &code).await.as_array().unwrap().len(), 0);

    sign_review(&gaj, &code).await.expect_status(201);
    let published = approve(&reviewer, &code).await;
    published.expect_status(200);
    assert_eq!(published.json["state"], "published");
    let reviews = reviews_of(&reviewer, &code).await;
    assert_eq!(reviews[0]["revision"], 1, "{reviews}");
    assert_eq!(reviews[0]["signed_by"], "gaj-admin");

    // Revision 2 is a new release: revision 1's review does not cover it.
    let changed = with(open_entry("保密审查测试开放统计"), |e| {
        e["summary"] = json!("保密审查测试开放统计：口径调整后的新版本");
        e["change_note"] = json!("调整统计口径");
    });
    edit(&gaj, &code, changed).await.expect_status(200);
    submit_unreviewed(&gaj, &code).await.expect_status(200);
    approve(&reviewer, &code)
        .await
        .expect_problem(409, "confidentiality_review_required");
    sign_review(&gaj, &code).await.expect_status(201);
    approve(&reviewer, &code).await.expect_status(200);
    assert_eq!(reviews_of(&gaj, &code).await.as_array().unwrap().len(), 2);
}

// H34 第三十四条: a share of sensitive personal information (敏感个人信息) is approved only after
// the source's security lead has reviewed the request; an approval without the sensitive item
// needs no review.
pub async fn h34_a_share_of_sensitive_items_is_approved_only_after_a_confidentiality_review(
    t: TestApp,
) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let body = with(conditional_people(), |e| {
        e["items"].as_array_mut().unwrap().push(json!({
            "code": "jkzk", "name": "健康状况", "data_type": "text", "grade": "general_3",
            "personal": true, "sensitive_kind": "medical_health", "masked": true
        }));
    });
    let code = publish(&gaj, &reviewer, body).await;
    let mzj = t.login("mzj-staff").await;
    let wanted = |until: &str| {
        with(ask(&code, until), |a| {
            a["items"] = json!(["xm", "qx", "jkzk"]);
        })
    };
    let first = request(&mzj, wanted("2025-12-31")).await;
    let second = request(&mzj, wanted("2025-12-30")).await;

    let refused = gaj
        .post(
            &format!("/api/v1/share-requests/{first}/approve"),
            json!({}),
        )
        .await;
    refused.expect_problem(409, "confidentiality_review_required");
    assert!(refused.text.contains("健康状况"), "{}", refused.text);
    // Narrower, without the sensitive item: no review needed.
    gaj.post(
        &format!("/api/v1/share-requests/{first}/approve"),
        json!({ "items": ["xm", "qx"] }),
    )
    .await
    .expect_status(200);

    let signed = gaj
        .post(
            &format!("/api/v1/share-requests/{second}/confidentiality-reviews"),
            review(true),
        )
        .await;
    signed.expect_status(201);
    let approved = gaj
        .post(
            &format!("/api/v1/share-requests/{second}/approve"),
            json!({}),
        )
        .await;
    approved.expect_status(200);
    assert_eq!(approved.json["state"], "granted", "{}", approved.text);
    let reviews = approved.json["confidentiality_reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0]["subject_kind"], "share_request");
    // Decided: nothing left to review.
    gaj.post(
        &format!("/api/v1/share-requests/{second}/confidentiality-reviews"),
        review(true),
    )
    .await
    .expect_problem(409, "already_decided");
}

// H33 第三十三条: "主要负责人是本单位数据安全工作的第一责任人"; 第三十四条: "确定安全管理责任人".
// Each organisation names its head and its security lead — an active account of its own — on
// its record; only its admin (or the system admin) does, and the lead signs the reviews.
pub async fn h33_h34_the_head_and_the_security_lead_are_named_on_the_organisation(t: TestApp) {
    let gaj_id = t.org_id("市公安局").await;
    let url = format!("/api/v1/organisations/{gaj_id}/responsible-persons");
    let gaj = t.login("gaj-admin").await;
    let staff_id = t.account_id("gaj-staff").await;

    // The demo names every agency's head, and its admin as security lead.
    let org = gaj.get(&format!("/api/v1/organisations/{gaj_id}")).await;
    org.expect_status(200);
    assert!(
        !org.json["head_name"].as_str().unwrap().is_empty(),
        "{}",
        org.text
    );
    assert_eq!(
        org.json["security_lead_id"],
        t.account_id("gaj-admin").await
    );

    let outsider = t.account_id("mzj-staff").await;
    gaj.put(
        &url,
        json!({ "head_name": "高建国", "security_lead_id": outsider }),
    )
    .await
    .expect_field_error("security_lead_id", "not_a_member");
    t.login("mzj-admin")
        .await
        .put(
            &url,
            json!({ "head_name": "高建国", "security_lead_id": staff_id }),
        )
        .await
        .expect_problem(403, "forbidden");
    gaj.put(
        &url,
        json!({ "head_name": " ", "security_lead_id": staff_id }),
    )
    .await
    .expect_field_error("head_name", "required");

    let named = gaj
        .put(
            &url,
            json!({ "head_name": "高建国", "security_lead_id": staff_id }),
        )
        .await;
    named.expect_status(200);
    assert_eq!(named.json["head_name"], "高建国");
    assert_eq!(named.json["security_lead_id"], staff_id);
    assert_eq!(
        t.last_event_of("name_responsible_persons").await.outcome,
        "success"
    );

    // The new lead signs; the admin no longer does.
    let reviewer = t.login("reviewer").await;
    let code = create(&gaj, open_entry("安全责任人测试开放统计")).await;
    submit_unreviewed(&gaj, &code).await.expect_status(200);
    sign_review(&gaj, &code)
        .await
        .expect_problem(403, "forbidden");
    sign_review(&t.login("gaj-staff").await, &code)
        .await
        .expect_status(201);
    approve(&reviewer, &code).await.expect_status(200);
}

// H34, H33: the same steps in the console — the agency admin names the security lead on the
// organisation page, the entry page tells the reviewer the review is missing and offers the
// lead the checklist, an unticked point is shown on the form, and a signed review is listed.
pub async fn h33_h34_the_console_names_the_lead_and_signs_the_review(t: TestApp) {
    let gaj_id = t.org_id("市公安局").await;
    let admin = t.browser_login("gaj-admin").await;
    let form = admin
        .get(&format!("/orgs/{gaj_id}/responsible-persons"))
        .await;
    form.expect_status(200);
    assert!(form.text.contains("安全管理责任人"), "{}", form.text);
    let admin_id = t.account_id("gaj-admin").await;
    let saved = post_form(
        &admin,
        &format!("/orgs/{gaj_id}/responsible-persons"),
        &[("head_name", "高建国"), ("security_lead_id", &admin_id)],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);

    let gaj = t.login("gaj-admin").await;
    let code = create(&gaj, open_entry("控制台保密审查测试")).await;
    submit_unreviewed(&gaj, &code).await.expect_status(200);
    let page = format!("/catalog/entries/{code}");
    let reviewer_view = t.browser_login("reviewer").await.get(&page).await;
    reviewer_view.expect_status(200);
    assert!(reviewer_view.text.contains("须由提供单位的安全管理责任人"));
    assert!(!reviewer_view.text.contains("签署保密审查</button>"));

    let lead_view = admin.get(&page).await;
    assert!(
        lead_view.text.contains("签署保密审查</button>"),
        "{}",
        lead_view.text
    );
    let action = format!("{page}/confidentiality-review");
    let unticked = post_form(
        &admin,
        &action,
        &[
            ("personal_information_protected", "on"),
            ("legal_basis_checked", "on"),
            ("opinion", "同意"),
        ],
    )
    .await;
    assert_eq!(unticked.status, 422, "{}", unticked.text);
    assert!(unticked.text.contains("涉及国家秘密的数据不得共享或开放"));
    let signed = post_form(
        &admin,
        &action,
        &[
            ("no_state_secret", "on"),
            ("personal_information_protected", "on"),
            ("legal_basis_checked", "on"),
            ("opinion", "经审查同意开放"),
        ],
    )
    .await;
    assert_eq!(signed.status, 303, "{}", signed.text);
    let after = admin.get(&page).await;
    assert!(after.text.contains("经审查同意开放"), "{}", after.text);
    approve(&t.login("reviewer").await, &code)
        .await
        .expect_status(200);
}
