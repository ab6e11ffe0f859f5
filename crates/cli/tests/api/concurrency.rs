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

// B16, B28: two security-admin grants of two different triad roles to one account at the same
// moment — exactly one wins, on PostgreSQL too (writers serialise from their first statement).
pub async fn concurrent_triad_grants_leave_one_triad_role(t: TestApp) {
    let secadmin = t.login("secadmin").await;
    let sysadmin = t.login("sysadmin").await;
    let centre = t.org_id("市大数据服务中心").await;
    let created = sysadmin
        .post(
            "/api/v1/accounts",
            json!({ "username": "triad-race", "display_name": "并发测试", "org_id": centre, "password": "race-password-1" }),
        )
        .await;
    created.expect_status(201);
    let id = created.json["id"].as_str().expect("account id").to_owned();
    for _round in 0..3 {
        let path = format!("/api/v1/accounts/{id}/roles");
        let (a, b) = tokio::join!(
            secadmin.post(&path, json!({ "role": "system_admin" })),
            secadmin.post(&path, json!({ "role": "auditor" })),
        );
        let ok = [a.status, b.status].iter().filter(|s| **s == 200).count();
        assert_eq!(ok, 1, "exactly one grant wins: {} / {}", a.text, b.text);
        let roles =
            sqlx::query_scalar::<_, String>("SELECT role FROM account_roles WHERE account_id = $1")
                .bind(&id)
                .fetch_all(t.db().pool())
                .await
                .expect("roles");
        assert_eq!(roles.len(), 1, "one triad role: {roles:?}");
        secadmin
            .delete(&format!("/api/v1/accounts/{id}/roles/{}", roles[0]))
            .await
            .expect_status(200);
    }
}

// Issue 2 §8: verifying while commands write never reports a break that is not there.
pub async fn verifying_while_writing_finds_the_chain_intact(t: TestApp) {
    let gaj = t.login("gaj-admin").await;
    let mut writers = Vec::new();
    for i in 0..20 {
        let client = gaj.clone();
        writers.push(tokio::spawn(async move {
            client
                .post(
                    "/api/v1/me/tokens",
                    json!({ "name": format!("verify race {i}") }),
                )
                .await
                .status
        }));
    }
    for _ in 0..10 {
        let report = t.verify_chain().await;
        assert!(report.is_intact(), "verify during writes: {report:?}");
    }
    for w in writers {
        assert_eq!(w.await.expect("writer"), 201);
    }
    assert!(t.verify_chain().await.is_intact());
}
