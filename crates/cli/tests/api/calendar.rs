//! Issue 2 §7: the working-day calendar — official holidays and adjusted working weekends
//! (调休) for 2024–2026 shipped, further years imported by the city authority; a deadline in a
//! year without a notice is computed Monday–Friday and marked provisional.

use chrono::Duration;
use serde_json::json;

use crate::support::{Client, TestApp, year_2027};

async fn deadline(client: &Client, start: &str, days: u32) -> (String, bool) {
    let res = client
        .get(&format!(
            "/api/v1/calendar/deadline?start={start}&days={days}"
        ))
        .await;
    res.expect_status(200);
    let due = res.json["due"].as_str().expect("a due date").to_owned();
    let provisional = res.json["provisional"].as_bool().expect("provisional");
    (due, provisional)
}

// Issue 2 §7: the known answers (the submission day never counts).
pub async fn known_deadlines_come_out_right(t: TestApp) {
    let staff = t.login("gaj-staff").await;
    for (start, days, due) in [
        ("2025-09-26", 5, "2025-10-10"),
        ("2026-02-12", 5, "2026-02-26"),
        ("2024-09-27", 15, "2024-10-23"),
        ("2025-01-24", 7, "2025-02-10"),
    ] {
        assert_eq!(
            deadline(&staff, start, days).await,
            (due.to_owned(), false),
            "{days} WD after {start}"
        );
    }
    // Public users may compute deadlines too.
    let public = t.login("public-person").await;
    assert_eq!(deadline(&public, "2025-09-26", 5).await.0, "2025-10-10");
}

// Issue 2 §7: a year with no notice is provisional until the authority imports one.
pub async fn a_deadline_in_an_unloaded_year_is_provisional_until_the_year_is_imported(t: TestApp) {
    let staff = t.login("gaj-staff").await;
    let reviewer = t.login("reviewer").await;
    assert_eq!(
        deadline(&staff, "2027-09-30", 5).await,
        ("2027-10-07".to_owned(), true),
        "Monday to Friday, provisional"
    );
    // A deadline that merely reaches into 2027 is provisional as well.
    assert!(deadline(&staff, "2026-12-30", 5).await.1);

    let imported = reviewer.post("/api/v1/calendar/years", year_2027()).await;
    imported.expect_status(201);
    assert_eq!(imported.json["year"], 2027);
    assert_eq!(imported.json["holiday_days"], 10);
    assert_eq!(imported.json["adjusted_working_days"], 2);

    // National Day 1–7 October, Saturday 9 October worked.
    assert_eq!(
        deadline(&staff, "2027-09-30", 5).await,
        ("2027-10-13".to_owned(), false)
    );
    let status = staff.get("/api/v1/calendar").await;
    status.expect_status(200);
    let years: Vec<i64> = status.json["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2024, 2025, 2026, 2027]);

    // Importing the same year again replaces it.
    let mut corrected = year_2027();
    corrected["adjusted_working_days"] = json!(["2027-09-26"]);
    reviewer
        .post("/api/v1/calendar/years", corrected)
        .await
        .expect_status(201);
    assert_eq!(
        deadline(&staff, "2027-09-30", 5).await,
        ("2027-10-14".to_owned(), false)
    );
}

// Issue 2 §7: a notice that does not make sense is refused with the broken fields.
pub async fn an_invalid_year_file_is_refused(t: TestApp) {
    let reviewer = t.login("reviewer").await;
    let mut no_holidays = year_2027();
    no_holidays["holidays"] = json!([]);
    reviewer
        .post("/api/v1/calendar/years", no_holidays)
        .await
        .expect_field_error("holidays", "required");

    let mut weekday_worked = year_2027();
    weekday_worked["adjusted_working_days"] = json!(["2027-10-12"]);
    reviewer
        .post("/api/v1/calendar/years", weekday_worked)
        .await
        .expect_field_error("adjusted_working_days[0]", "not_weekend");

    let mut backwards = year_2027();
    backwards["holidays"][1]["to"] = json!("2027-09-01");
    reviewer
        .post("/api/v1/calendar/years", backwards)
        .await
        .expect_field_error("holidays[1]", "bad_period");

    let mut far_year = year_2027();
    far_year["year"] = json!(3000);
    reviewer
        .post("/api/v1/calendar/years", far_year)
        .await
        .expect_problem(422, "invalid_input");

    let mut unknown_field = year_2027();
    unknown_field["holidays"][0]["length"] = json!(3);
    reviewer
        .post("/api/v1/calendar/years", unknown_field)
        .await
        .expect_problem(422, "invalid_body");

    let mut bad_date = year_2027();
    bad_date["holidays"][0]["from"] = json!("2027-02-30");
    reviewer
        .post("/api/v1/calendar/years", bad_date)
        .await
        .expect_problem(422, "invalid_body");

    // Nothing was loaded.
    let staff = t.login("gaj-staff").await;
    assert!(deadline(&staff, "2027-09-30", 5).await.1);
}

// Issue 2 §7: the authority loads further years — the city's, not a county's.
pub async fn only_the_city_authority_imports_a_year(t: TestApp) {
    for user in ["xcq-reviewer", "sysadmin", "gaj-admin"] {
        t.login(user)
            .await
            .post("/api/v1/calendar/years", year_2027())
            .await
            .expect_problem(403, "forbidden");
    }
    let staff = t.login("gaj-staff").await;
    assert!(deadline(&staff, "2027-09-30", 5).await.1);
}

// Issue 2 §7: the console warns the authority about a coming year with no notice.
pub async fn the_authority_is_warned_about_a_coming_year_without_a_notice(t: TestApp) {
    let reviewer = t.login("reviewer").await;
    let now = reviewer.get("/api/v1/calendar").await;
    now.expect_status(200);
    assert_eq!(now.json["missing_years"], json!([]), "{}", now.text);
    assert!(now.json["warning_zh"].is_null());

    // Mid-November 2026: deadlines soon reach into 2027.
    t.advance(Duration::days(441));
    let reviewer = t.login("reviewer").await;
    let later = reviewer.get("/api/v1/calendar").await;
    later.expect_status(200);
    assert_eq!(later.json["missing_years"], json!([2027]), "{}", later.text);
    assert!(
        later.json["warning_zh"]
            .as_str()
            .unwrap()
            .contains("2027年")
    );

    reviewer
        .post("/api/v1/calendar/years", year_2027())
        .await
        .expect_status(201);
    let loaded = reviewer.get("/api/v1/calendar").await;
    assert_eq!(loaded.json["missing_years"], json!([]));
}
