//! Issue 3 item 3 (H9): the 5-WD review deadline and the 15-WD update duty over National Day
//! 2026, counted from the day in China time; overdue work on the authority's desk; publishing a
//! revision closes the duty.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

use crate::catalog_fixtures::{
    create, edit, entry, get, publish, publish_in_county, submit, submit_and_approve, with,
};
use crate::support::{Client, TestApp};

/// `y-m-d h:m` in Beijing time (UTC+8) as an instant.
fn cst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

async fn desk(reviewer: &Client) -> serde_json::Value {
    let res = reviewer.get("/api/v1/catalog/review-desk").await;
    res.expect_status(200);
    res.json
}

// H9: 2026 — Mid-Autumn 25–27 September, National Day 1–7 October, Saturday 10 October worked.
// Submitted at 00:30 on Monday 28 September in Beijing (still Sunday 27th in UTC):
//   5 WD  → 29, 30 Sep, 8, 9, 10 Oct                       = Saturday 2026-10-10;
//   15 WD → … 10 Oct, 12–16 Oct, 19–23 Oct                 = Friday 2026-10-23.
// Counting from the UTC date would give 10-09 and 10-22.
pub async fn review_and_update_deadlines_skip_national_day_and_count_the_worked_saturday(
    t: TestApp,
) {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let published = publish(&gaj, &reviewer, entry("已发布的户籍条目")).await;
    let unpublished = create(&gaj, entry("从未发布的草稿")).await;

    t.set_now(cst(2026, 9, 28, 0, 30));
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;

    let pending = create(&gaj, entry("国庆前提交的条目")).await;
    let res = submit(&gaj, &pending).await;
    res.expect_status(200);
    assert_eq!(res.json["due_date"], "2026-10-10");
    assert_eq!(res.json["due_provisional"], false);

    let res = gaj
        .post(
            &format!("/api/v1/catalog/entries/{published}/changes"),
            json!({ "reason_kind": "legal_basis_changed", "reason": "《中华人民共和国户口登记条例》修订，户籍登记事项调整" }),
        )
        .await;
    res.expect_status(201);
    assert_eq!(res.json["due_date"], "2026-10-23");
    assert_eq!(res.json["due_provisional"], false);
    assert_eq!(res.json["overdue"], false);
    assert_eq!(res.json["closed_at"], json!(null));
    assert_eq!(res.json["entry_code"], published.as_str());
    assert_eq!(res.json["reason_kind"], "legal_basis_changed");
    let duty_id = res.json["id"].as_str().unwrap().to_owned();

    // A duty is about a published entry; the kind of change is one of two.
    gaj.post(
        &format!("/api/v1/catalog/entries/{unpublished}/changes"),
        json!({ "reason_kind": "function_changed", "reason": "机构改革" }),
    )
    .await
    .expect_problem(409, "not_published");
    gaj.post(
        &format!("/api/v1/catalog/entries/{published}/changes"),
        json!({ "reason_kind": "weather_changed", "reason": "天气变化" }),
    )
    .await
    .expect_field_error("reason_kind", "unknown_value");

    let d = desk(&reviewer).await;
    assert_eq!(d["overdue_reviews"], 0);
    assert_eq!(d["overdue_duties"], 0);
    assert!(
        d["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == pending.as_str())
    );
    assert!(
        d["open_duties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == duty_id.as_str())
    );

    // The due day itself is still in time; the next day in Beijing it is overdue, even while
    // the UTC date is still the due day.
    t.set_now(cst(2026, 10, 10, 23, 30));
    let reviewer = t.login("reviewer").await;
    assert_eq!(desk(&reviewer).await["overdue_reviews"], 0);
    t.set_now(cst(2026, 10, 11, 0, 30));
    let reviewer = t.login("reviewer").await;
    let d = desk(&reviewer).await;
    assert_eq!(d["overdue_reviews"], 1);
    assert_eq!(d["overdue_duties"], 0);
    let item = d["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == pending.as_str())
        .unwrap();
    assert_eq!(item["overdue"], true);
    assert_eq!(get(&reviewer, &pending).await.json["overdue"], true);

    t.set_now(cst(2026, 10, 24, 9, 0));
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let d = desk(&reviewer).await;
    assert_eq!(d["overdue_reviews"], 1);
    assert_eq!(d["overdue_duties"], 1);
    let duty = d["open_duties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == duty_id.as_str())
        .unwrap();
    assert_eq!(duty["overdue"], true);
    assert_eq!(duty["org_name"], "市公安局");
    assert_eq!(duty["entry_name"], "已发布的户籍条目");

    // Publishing a revision of the entry closes the duty (late, but closed).
    let revised = with(entry("已发布的户籍条目"), |e| {
        e["legal_bases"] = json!([{ "law": "中华人民共和国户口登记条例", "article": "第四条" }]);
        e["change_note"] = json!("按修订后的条例更新法律依据");
    });
    edit(&gaj, &published, revised).await.expect_status(200);
    submit_and_approve(&gaj, &reviewer, &published).await;
    let duties = gaj
        .get(&format!("/api/v1/catalog/entries/{published}/duties"))
        .await;
    duties.expect_status(200);
    let duty = &duties.json[0];
    assert_eq!(duty["id"], duty_id.as_str());
    assert!(duty["closed_at"].is_string(), "{}", duties.text);
    assert_eq!(duty["closed_revision"], 2);
    assert_eq!(duty["overdue"], false);
    let d = desk(&reviewer).await;
    assert_eq!(d["overdue_duties"], 0);
    assert!(
        !d["open_duties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == duty_id.as_str()),
        "a closed duty leaves the desk"
    );
    // The late review is still on the desk until it is decided.
    assert_eq!(d["overdue_reviews"], 1);
}

// H9: a county's duties are on its county authority's desk, and on the city's, not another
// county's.
pub async fn update_duties_appear_on_the_desks_of_their_area(t: TestApp) {
    let county = t.login("xcq-gaj-admin").await;
    let county_reviewer = t.login("xcq-reviewer").await;
    let city_reviewer = t.login("reviewer").await;
    let code = publish_in_county(
        &county,
        &county_reviewer,
        &city_reviewer,
        entry("新城区户籍测试"),
    )
    .await;
    let res = county
        .post(
            &format!("/api/v1/catalog/entries/{code}/changes"),
            json!({ "reason_kind": "function_changed", "reason": "分局职能调整" }),
        )
        .await;
    res.expect_status(201);
    assert_eq!(
        res.json["due_date"], "2025-09-22",
        "15 WD after Monday 2025-09-01"
    );
    let id = res.json["id"].as_str().unwrap().to_owned();
    for (user, sees) in [
        ("xcq-reviewer", true),
        ("reviewer", true),
        ("tzq-reviewer", false),
    ] {
        let d = desk(&t.login(user).await).await;
        let listed = d["open_duties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str());
        assert_eq!(listed, sees, "{user}");
    }
}
