//! Issue 11 items 1, 2 and 8 through the HTTP API: the review's SQL attacks answer 4xx with
//! a named code, and the platform stays responsive while the query executor is saturated
//! (B31, H33: availability under hostile signed-in users).

use std::time::{Duration, Instant};

use serde_json::json;

use crate::catalog_fixtures::publish;
use crate::data::{people_csv, people_entry, upload};
use crate::support::{Client, DEMO_PASSWORD, TestApp};

/// A published open entry with 250 rows; every signed-in user may query it.
async fn open_people(t: &TestApp) -> String {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(&gaj, &reviewer, people_entry()).await;
    upload(&gaj, &code, people_csv()).await;
    code
}

async fn sql(client: &Client, text: &str) -> crate::support::Resp {
    client.post("/api/v1/sql", json!({ "sql": text })).await
}

// Issue 11 items 1 and 8: the attacks of the review — a value built up to gigabytes with no
// table, a non-equi self-join, engine errors of the reader's own making — are each a 4xx
// with a stable code and the engine's message; none is a 500.
pub async fn the_sql_attacks_of_the_review_answer_4xx_with_a_named_code(t: TestApp) {
    let code = open_people(&t).await;
    let user = t.login("mzj-staff").await;
    let mut bomb = "'aaaaaaaaaa'".to_owned();
    for _ in 0..9 {
        bomb = format!("replace({bomb}, 'a', 'aaaaaaaaaa')");
    }
    let cases = [
        (format!("SELECT length({bomb})"), 422, "value_too_large"),
        (
            format!(
                "SELECT count(*) FROM \"{code}\" a, \"{code}\" b, \"{code}\" c, \"{code}\" d WHERE a.nl < b.nl"
            ),
            422,
            "join_too_large",
        ),
        (
            "SELECT input_file_name()".to_owned(),
            400,
            "function_not_allowed",
        ),
        (
            "SELECT regexp_like('a', '(')".to_owned(),
            400,
            "invalid_sql",
        ),
        (
            "SELECT abs(-9223372036854775808)".to_owned(),
            400,
            "invalid_sql",
        ),
        ("SELECT sqrt(-1)".to_owned(), 400, "invalid_sql"),
        (
            "SELECT CAST(x'ff' AS VARCHAR)".to_owned(),
            400,
            "invalid_sql",
        ),
    ];
    for (text, status, problem) in cases {
        let res = sql(&user, &text).await;
        assert_eq!(
            (res.status, res.code()),
            (status, problem),
            "{text}: {}",
            res.text
        );
        res.expect_problem(status, problem);
    }
}

/// The `q`-th quantile of `samples`.
fn quantile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    let at = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
    samples[at]
}

// Issue 11 item 2: with the SQL executor saturated by endless joins — every place taken,
// the queue full — `/healthz`, login and catalog search still answer within 200 ms at the
// 99th percentile; one more query is refused at once with 429 and `Retry-After`; and when the
// readers go away, the queries stop using the CPU within a second.
pub async fn health_login_and_search_stay_responsive_while_the_sql_executor_is_saturated(
    t: TestApp,
) {
    let code = open_people(&t).await;
    let endless = format!(
        "SELECT count(*) FROM \"{code}\" a JOIN \"{code}\" b ON a.qx = b.qx \
         JOIN \"{code}\" c ON b.qx = c.qx JOIN \"{code}\" d ON c.qx = d.qx \
         JOIN \"{code}\" e ON d.qx = e.qx"
    );
    let lane = &t.app.query_limits().sql_lane;
    let places = lane.running + lane.queued;
    // Readers of other agencies, each up to its own limit of queries in flight.
    let users = [
        "mzj-staff",
        "rsj-staff",
        "wjw-staff",
        "scjgj-staff",
        "zrzyj-staff",
        "jyj-staff",
    ];
    let mut saturating = Vec::new();
    for (n, user) in users.iter().cycle().take(places).enumerate() {
        let client = t.login(user).await;
        let text = format!("{endless} WHERE a.nl > {n}");
        saturating.push(tokio::spawn(async move { sql(&client, &text).await }));
    }
    // Wait until every place is taken and the queue is full: one more is refused at once.
    let extra = t.login("gjjzx-staff").await;
    let started = Instant::now();
    let refused = loop {
        let res = sql(&extra, &endless).await;
        if res.status == 429 || started.elapsed() > Duration::from_secs(20) {
            break res;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    refused.expect_problem(429, "query_busy");
    assert!(
        refused.header("retry-after").is_some(),
        "{:?}",
        refused.headers
    );

    let anonymous = t.anonymous();
    let (mut health, mut login, mut search) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..20 {
        let at = Instant::now();
        anonymous.get("/healthz").await.expect_status(200);
        health.push(at.elapsed());
        let at = Instant::now();
        anonymous
            .login("public-person", DEMO_PASSWORD)
            .await
            .expect_status(200);
        login.push(at.elapsed());
        let at = Instant::now();
        anonymous
            .get("/api/v1/catalog/entries?q=人员")
            .await
            .expect_status(200);
        search.push(at.elapsed());
    }
    for (what, samples) in [
        ("healthz", &mut health),
        ("login", &mut login),
        ("search", &mut search),
    ] {
        let p99 = quantile(samples, 0.99);
        assert!(
            p99 < Duration::from_millis(200),
            "{what}: p99 {p99:?} while the executor is saturated"
        );
    }

    // The readers go away: their queries stop.
    assert!(t.app.running_query_tasks() > 0, "the joins are running");
    for task in &saturating {
        task.abort();
    }
    let gone = Instant::now();
    while t.app.running_query_tasks() > 0 && gone.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        gone.elapsed() < Duration::from_secs(1),
        "the queries stopped after {:?}",
        gone.elapsed()
    );
}
