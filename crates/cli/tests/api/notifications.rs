//! In-app notifications (站内通知) through the API and the console: the deadline scheduler's
//! reminder and overdue notice reach the source organisation, listed newest first a page at a
//! time; they are marked read one by one or all at once, by the organisation they are
//! addressed to only — another organisation's id is a 404, never a silent success.

use chrono::{TimeZone, Utc};
use serde_json::json;

use crate::console_pages::{assert_chinese_page, post_form};
use crate::console_sharing::conditional_entry;
use crate::sharing::{ask, request};
use crate::support::TestApp;

/// 市民政局 asks 市公安局 on Friday 2025-09-26 and nobody answers: the deadline scheduler
/// reminds 市公安局 on 2025-10-09 and tells it the step is overdue on 2025-10-11. Returns the
/// request id and the two notification ids, newest (overdue) first.
async fn reminded_then_overdue(t: &TestApp) -> (String, [String; 2]) {
    let code = conditional_entry(t).await;
    t.set_now(Utc.with_ymd_and_hms(2025, 9, 26, 1, 0, 0).unwrap());
    let id = request(&t.login("mzj-admin").await, ask(&code, "2025-12-31")).await;
    for day in [9, 11] {
        t.set_now(Utc.with_ymd_and_hms(2025, 10, day, 1, 0, 0).unwrap());
        gongshu_app::sharing::run_deadlines(&t.app).await.unwrap();
    }
    let list = t
        .login("gaj-admin")
        .await
        .get("/api/v1/notifications")
        .await;
    list.expect_status(200);
    let ids = list.json["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["subject_id"] == id.as_str())
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let ids: [String; 2] = ids.try_into().unwrap_or_else(|_| panic!("{}", list.text));
    (id, ids)
}

// The API: listed newest first with the unread count and paging; marked read by a colleague of
// the same organisation (read for all of it, audited, idempotent); another organisation's id
// and an unknown id are 404 and change nothing; read-all marks the rest.
pub async fn notifications_are_listed_newest_first_and_marked_read_by_their_organisation(
    t: TestApp,
) {
    let (request_id, [overdue, reminder]) = reminded_then_overdue(&t).await;
    let gaj = t.login("gaj-admin").await;
    let list = gaj.get("/api/v1/notifications").await;
    assert_eq!(list.json["unread"], 2, "{}", list.text);
    let first = &list.json["notifications"][0];
    assert_eq!(first["id"], overdue.as_str());
    assert_eq!(first["kind"], "overdue");
    assert_eq!(first["kind_zh"], "逾期");
    assert_eq!(first["subject_kind"], "share_request");
    assert_eq!(first["subject_id"], request_id.as_str());
    assert_eq!(first["read_at"], json!(null));
    assert_eq!(list.json["notifications"][1]["kind"], "reminder");

    let page = gaj.get("/api/v1/notifications?per_page=1").await;
    assert_eq!(page.json["notifications"][0]["id"], overdue.as_str());
    assert_eq!(page.json["has_more"], true);
    let page = gaj.get("/api/v1/notifications?per_page=1&page=2").await;
    assert_eq!(page.json["notifications"][0]["id"], reminder.as_str());
    assert_eq!(page.json["has_more"], false);
    assert_eq!(page.json["unread"], 2);

    // 市民政局 sees none of them and cannot mark them read.
    let mzj = t.login("mzj-admin").await;
    let theirs = mzj.get("/api/v1/notifications").await;
    theirs.expect_status(200);
    assert!(!theirs.text.contains(&overdue) && !theirs.text.contains(&reminder));
    let events = t.audit_count().await;
    mzj.post(&format!("/api/v1/notifications/{overdue}/read"), json!({}))
        .await
        .expect_problem(404, "not_found");
    gaj.post("/api/v1/notifications/no-such-notification/read", json!({}))
        .await
        .expect_problem(404, "not_found");
    assert_eq!(gaj.get("/api/v1/notifications").await.json["unread"], 2);
    assert_eq!(t.audit_count().await, events);

    let read = t
        .login("gaj-staff")
        .await
        .post(&format!("/api/v1/notifications/{overdue}/read"), json!({}))
        .await;
    read.expect_status(200);
    assert_eq!(read.json["id"], overdue.as_str());
    let read_at = read.json["read_at"].clone();
    assert!(read_at.is_string(), "{}", read.text);
    let event = t.last_event().await;
    assert_eq!(event.action, "read_notification");
    assert_eq!(event.target_id, overdue);
    // Read for the whole organisation; marking it again changes nothing.
    let list = gaj.get("/api/v1/notifications").await;
    assert_eq!(list.json["unread"], 1);
    assert_eq!(list.json["notifications"][0]["read_at"], read_at);
    let again = gaj
        .post(&format!("/api/v1/notifications/{overdue}/read"), json!({}))
        .await;
    again.expect_status(200);
    assert_eq!(again.json["read_at"], read_at);

    let all = gaj.post("/api/v1/notifications/read-all", json!({})).await;
    all.expect_status(200);
    assert_eq!(all.json["marked"], 1);
    assert_eq!(t.last_event().await.action, "read_all_notifications");
    assert_eq!(gaj.get("/api/v1/notifications").await.json["unread"], 0);
    let none = gaj.post("/api/v1/notifications/read-all", json!({})).await;
    assert_eq!(none.json["marked"], 0);
    t.anonymous()
        .get("/api/v1/notifications")
        .await
        .expect_problem(401, "unauthenticated");
}

// The console: 站内通知 lists the unread notices highlighted, each linked to its request; 标记为
// 已读 returns to the same page with a notice; another organisation's is the 404 page; 全部标记
// 为已读 clears the rest, and the home page no longer carries them.
pub async fn the_notifications_page_marks_one_then_all_read(t: TestApp) {
    let (request_id, [overdue, reminder]) = reminded_then_overdue(&t).await;
    let gaj = t.browser_login("gaj-admin").await;
    let home = gaj.get("/").await;
    assert!(home.text.contains(r#"href="/notifications""#));
    assert!(home.text.contains("逾期"), "{}", home.text);
    let res = gaj.get("/notifications").await;
    res.expect_status(200);
    assert_chinese_page(&res, "the notifications");
    assert_eq!(res.text.matches(r#"<tr class="unread">"#).count(), 2);
    assert!(res.text.contains("未读2条"), "{}", res.text);
    assert!(
        res.text
            .contains(&format!(r#"href="/sharing/requests/{request_id}""#))
    );
    assert!(res.text.contains("全部标记为已读"));

    let other = t.browser_login("mzj-admin").await;
    let res = post_form(&other, &format!("/notifications/{overdue}/read"), &[]).await;
    res.expect_status(404);
    assert_chinese_page(&res, "another organisation's notification");

    let res = post_form(
        &gaj,
        &format!("/notifications/{reminder}/read"),
        &[("back", "/notifications?page=1")],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(
        res.header("location"),
        Some("/notifications?page=1&notice=notification_read")
    );
    let res = gaj
        .get("/notifications?page=1&notice=notification_read")
        .await;
    assert!(res.text.contains("通知已标记为已读"), "{}", res.text);
    assert_eq!(res.text.matches(r#"<tr class="unread">"#).count(), 1);

    let res = post_form(&gaj, "/notifications/read-all", &[]).await;
    assert_eq!(
        res.header("location"),
        Some("/notifications?notice=notifications_read")
    );
    let res = gaj.get("/notifications").await;
    assert_eq!(res.text.matches(r#"<tr class="unread">"#).count(), 0);
    assert!(res.text.contains("没有未读通知"));
    assert!(!res.text.contains("全部标记为已读</button>"));
    let home = gaj.get("/").await;
    assert!(!home.text.contains("逾期"), "{}", home.text);
}
