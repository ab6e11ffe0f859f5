//! Issue 3 item 3 and issue 13 item 1: who reviews what (H8, 第八条: county entries by the
//! county authority and then the city authority, city entries by the city authority), the
//! authorities' desks, and two reviewers deciding at once.

use serde_json::json;

use crate::catalog_fixtures::{approve, create, entry, get, return_with, submit, successes};
use crate::support::{Client, Resp, TestApp};

// H8 (第八条): a county agency's entry goes to its county authority first; the city reviewer
// may not decide it at that stage, and the county reviewer never decides a city entry. Once
// the county approves, the entry is the city's to decide and no longer the county's.
// Changed in issue 13 item 1: the county's approval used to publish the entry; now it reports
// it to the city, whose approval publishes it.
pub async fn h8_county_entries_are_reviewed_by_the_county_then_the_city_and_city_entries_by_the_city(
    t: TestApp,
) {
    let county_agency = t.login("xcq-gaj-admin").await;
    let city_agency = t.login("gaj-admin").await;
    let city_reviewer = t.login("reviewer").await;
    let county_reviewer = t.login("xcq-reviewer").await;
    let other_county = t.login("tzq-reviewer").await;
    let xcq = t.org_id("新城区大数据管理局").await;
    let city = t.org_id("市大数据管理局").await;

    let county_code = create(&county_agency, entry("新城区户籍人口测试")).await;
    let res = submit(&county_agency, &county_code).await;
    res.expect_status(200);
    assert_eq!(res.json["reviewer_org_id"], xcq.as_str());
    let city_code = create(&city_agency, entry("市级户籍人口测试")).await;
    let res = submit(&city_agency, &city_code).await;
    res.expect_status(200);
    assert_eq!(res.json["reviewer_org_id"], city.as_str());

    // The city authority oversees the county's catalog (it sees the submission) but does not
    // decide on it before the county has; authorities elsewhere cannot even see it.
    for (reviewer, code, status, problem) in [
        (&city_reviewer, &county_code, 403, "forbidden"),
        (&other_county, &county_code, 404, "not_found"),
        (&county_reviewer, &city_code, 404, "not_found"),
        (&other_county, &city_code, 404, "not_found"),
    ] {
        approve(reviewer, code)
            .await
            .expect_problem(status, problem);
        return_with(reviewer, code, "越权退回")
            .await
            .expect_problem(status, problem);
    }
    // The denials are recorded, and the entries wait untouched.
    let denied = t
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE outcome = 'denied' AND target_id = '{county_code}'"
        ))
        .await;
    assert_eq!(denied, 4);
    assert_eq!(
        get(&county_agency, &county_code).await.json["state"],
        "submitted"
    );

    // The county approves: the entry now waits for the city, which alone decides it.
    let res = approve(&county_reviewer, &county_code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "county_approved");
    assert_eq!(res.json["reviewer_org_id"], city.as_str());
    assert_eq!(res.json["county_approval"]["approved_by"], "xcq-reviewer");
    assert_eq!(res.json["county_approval"]["org_id"], xcq.as_str());
    assert!(res.json["published_revision"].is_null());
    for (reviewer, status, problem) in [
        (&county_reviewer, 403, "forbidden"),
        (&other_county, 404, "not_found"),
    ] {
        approve(reviewer, &county_code)
            .await
            .expect_problem(status, problem);
    }
    let res = approve(&city_reviewer, &county_code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "published");
    assert_eq!(res.json["reviewed_by"], "reviewer");
    assert_eq!(res.json["county_approval"]["approved_by"], "xcq-reviewer");
    // The city's own agencies' entries have one review: the city's approval publishes them.
    let res = approve(&city_reviewer, &city_code).await;
    res.expect_status(200);
    assert_eq!(res.json["state"], "published");
    assert!(res.json["county_approval"].is_null());
}

async fn desk(client: &Client) -> Resp {
    let res = client.get("/api/v1/catalog/review-desk").await;
    res.expect_status(200);
    res
}

fn desk_codes(res: &Resp) -> Vec<String> {
    res.json["reviews"]
        .as_array()
        .expect("reviews")
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

// H8 (第八条): each authority's desk lists what awaits its own decision: a county authority's
// its county's submissions; the city authority's its own agencies' submissions and the county
// entries the county authorities approved. A county's desk also follows what it reported to
// the city. Agencies have no desk.
// Changed in issue 13 item 1: the city's desk used to list the counties' submissions before
// the county had decided; they reach it now once the county approves.
pub async fn each_authority_desk_lists_what_awaits_its_decision(t: TestApp) {
    let county_agency = t.login("xcq-gaj-admin").await;
    let city_agency = t.login("gaj-admin").await;
    let city_reviewer = t.login("reviewer").await;
    let county_reviewer = t.login("xcq-reviewer").await;
    let county_code = create(&county_agency, entry("新城区户籍人口测试")).await;
    submit(&county_agency, &county_code)
        .await
        .expect_status(200);
    let city_code = create(&city_agency, entry("市级户籍人口测试")).await;
    submit(&city_agency, &city_code).await.expect_status(200);
    let draft = create(&city_agency, entry("未提交的草稿")).await;

    let city_desk = desk(&city_reviewer).await;
    assert_eq!(
        desk_codes(&city_desk),
        std::slice::from_ref(&city_code),
        "drafts excluded"
    );
    assert!(city_desk.json["reports_to"].is_null());
    let county_desk = desk(&county_reviewer).await;
    assert_eq!(desk_codes(&county_desk), std::slice::from_ref(&county_code));
    assert_eq!(county_desk.json["reports_to"], "市大数据管理局");

    // The county approves on Monday 2025-09-01, and the city has 5 working days from then.
    approve(&county_reviewer, &county_code)
        .await
        .expect_status(200);
    let city_desk = desk(&city_reviewer).await;
    let mut codes = desk_codes(&city_desk);
    codes.sort();
    let mut expected = vec![county_code.clone(), city_code.clone()];
    expected.sort();
    assert_eq!(codes, expected);
    let county_item = city_desk.json["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == county_code.as_str())
        .unwrap();
    assert_eq!(county_item["org_name"], "新城区公安分局");
    assert_eq!(county_item["state"], "county_approved");
    assert_eq!(county_item["state_zh"], "待市级审核");
    assert_eq!(
        county_item["county_approval"]["org_name"],
        "新城区大数据管理局"
    );
    assert_eq!(county_item["due_date"], "2025-09-08");
    assert_eq!(county_item["overdue"], false);
    assert_eq!(city_desk.json["overdue_reviews"], 0);
    let county_desk = desk(&county_reviewer).await;
    assert!(desk_codes(&county_desk).is_empty());
    assert_eq!(
        county_desk.json["reported"][0]["code"],
        county_code.as_str(),
        "the county follows what it reported"
    );

    let other = desk(&t.login("tzq-reviewer").await).await;
    assert!(desk_codes(&other).is_empty());
    assert!(!desk_codes(&other).contains(&draft));
    assert!(other.json["reported"].as_array().unwrap().is_empty());

    city_agency
        .get("/api/v1/catalog/review-desk")
        .await
        .expect_problem(403, "forbidden");
}

/// A second reviewer of the city authority, logged in.
async fn second_city_reviewer(t: &TestApp) -> crate::support::Client {
    let sysadmin = t.login("sysadmin").await;
    let secadmin = t.login("secadmin").await;
    let city = t.org_id("市大数据管理局").await;
    let created = sysadmin
        .post(
            "/api/v1/accounts",
            json!({ "username": "reviewer-2", "display_name": "第二审核员", "org_id": city, "password": "second-reviewer-pw" }),
        )
        .await;
    created.expect_status(201);
    let id = created.json["id"].as_str().unwrap();
    secadmin
        .post(
            &format!("/api/v1/accounts/{id}/roles"),
            json!({ "role": "authority_reviewer" }),
        )
        .await
        .expect_status(200);
    t.login_with("reviewer-2", "second-reviewer-pw").await
}

// H8: decisions are final. Two reviewers approving and returning the same submission at the
// same moment: exactly one wins (200), the other is told it was already decided (409), and the
// audit log holds exactly one decision.
pub async fn two_reviewers_deciding_at_once_make_exactly_one_decision(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let first = t.login("reviewer").await;
    let second = second_city_reviewer(&t).await;
    const ROUNDS: usize = 6;
    let mut raced = 0;
    for round in 0..ROUNDS {
        let code = create(&gaj, entry(&format!("并发审核测试{round}"))).await;
        submit(&gaj, &code).await.expect_status(200);
        // Alternate who approves and who returns, and the order the requests are started in.
        let (approver, returner) = if round % 2 == 0 {
            (&first, &second)
        } else {
            (&second, &first)
        };
        let (approved, returned) = if round % 4 < 2 {
            tokio::join!(
                approve(approver, &code),
                return_with(returner, &code, "同时退回")
            )
        } else {
            let (r, a) = tokio::join!(
                return_with(returner, &code, "同时退回"),
                approve(approver, &code)
            );
            (a, r)
        };
        let mut statuses = [approved.status, returned.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [200, 409],
            "round {round}: approve {} / return {}",
            approved.text,
            returned.text
        );
        let (winner, loser, state) = if approved.status == 200 {
            (&approved, &returned, "published")
        } else {
            (&returned, &approved, "returned")
        };
        assert_eq!(winner.json["state"], state);
        loser.expect_problem(409, loser.code());
        assert!(
            ["already_decided", "illegal_transition"].contains(&loser.code()),
            "round {round}: {}",
            loser.text
        );
        raced += usize::from(loser.code() == "already_decided");
        let decisions = successes(&t, "approve_entry", &code).await
            + successes(&t, "return_entry", &code).await;
        assert_eq!(decisions, 1, "round {round}: exactly one decision event");
        assert_eq!(get(&gaj, &code).await.json["state"], state);
    }
    eprintln!("{raced} of {ROUNDS} rounds lost the race inside the transaction (already_decided)");
    let report = t.verify_chain().await;
    assert!(report.is_intact(), "{report:?}");
}
