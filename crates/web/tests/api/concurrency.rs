//! Issue 2 §8: concurrent commands never fork the audit chain, on either database.

use serde_json::json;

use crate::support::{TestApp, city_agency};

const TOKEN_WRITERS: [&str; 4] = ["gaj-admin", "mzj-admin", "reviewer", "operator"];
const TOKENS_EACH: usize = 8;
const ORGANISATIONS: u32 = 8;

// Issue 2 §8: parallel writers on both databases; the chain stays one line, 1..N, no gaps.
pub async fn concurrent_writers_never_fork_the_chain(t: TestApp) {
    let city = t.org_id("市大数据管理局").await;
    let mut writers = Vec::new();
    for user in TOKEN_WRITERS {
        writers.push((user, t.login(user).await));
    }
    let sysadmin = t.login("sysadmin").await;
    let before = t.audit_count().await;

    let mut tasks = Vec::new();
    for (user, client) in &writers {
        for i in 0..TOKENS_EACH {
            let client = client.clone();
            let what = format!("token {i} of {user}");
            tasks.push(tokio::spawn(async move {
                let res = client
                    .post("/api/v1/me/tokens", json!({ "name": what }))
                    .await;
                (what, res)
            }));
        }
    }
    for n in 0..ORGANISATIONS {
        let client = sysadmin.clone();
        let body = city_agency(&city, 100 + n);
        tasks.push(tokio::spawn(async move {
            (
                format!("organisation {n}"),
                client.post("/api/v1/organisations", body).await,
            )
        }));
    }
    let total = tasks.len() as i64;
    assert!(total >= 20);
    for task in tasks {
        let (what, res) = task.await.expect("writer task");
        assert_eq!(res.status, 201, "{what}: {}", res.text);
    }

    let after = t.audit_count().await;
    assert_eq!(after, before + total, "one event per command");
    let seqs = sqlx::query_scalar::<_, i64>("SELECT seq FROM audit_events ORDER BY seq")
        .fetch_all(t.db().pool())
        .await
        .expect("sequence numbers");
    let expected: Vec<i64> = (1..=after).collect();
    assert!(
        seqs == expected,
        "sequence numbers are 1..{after} without gaps"
    );
    let report = t.verify_chain().await;
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.head_seq, after);
    let tokens = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'create_token'",
    )
    .fetch_one(t.db().pool())
    .await
    .unwrap();
    assert_eq!(tokens, (TOKEN_WRITERS.len() * TOKENS_EACH) as i64);
}
