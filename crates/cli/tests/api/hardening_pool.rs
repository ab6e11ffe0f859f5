//! Issue 11 item 7: no request holds two database connections, and a request that finds the
//! pool exhausted is told to come back (503 with `Retry-After`) within seconds, not left to
//! time out into a 500. H33/B31: the platform stays available to anonymous crowds.

use crate::catalog_fixtures::{open_entry, publish};
use crate::support::TestApp;

/// The code of a published open entry the public can read.
async fn an_open_entry(t: &TestApp) -> String {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    publish(&gaj, &reviewer, open_entry("交通事故月度统计")).await
}

// Issue 11 item 7 (H33): eight concurrent anonymous entry reads once stalled every database
// call for 30 s (the entry page took a second connection while holding one); four times the
// pool's size now all answer.
pub async fn concurrent_anonymous_entry_reads_never_stall_the_pool(t: TestApp) {
    let code = an_open_entry(&t).await;
    let size = t.db().pool().options().get_max_connections() as usize;
    let anonymous = t.anonymous();
    let mut reads = Vec::new();
    for _ in 0..4 * size {
        let client = anonymous.clone();
        let path = format!("/api/v1/catalog/entries/{code}");
        reads.push(tokio::spawn(async move { client.get(&path).await }));
    }
    for read in reads {
        let res = read.await.expect("the read task");
        res.expect_status(200);
        assert_eq!(res.json["code"], code.as_str());
    }
    anonymous.get("/readyz").await.expect_status(200);
}

// Issue 11 item 7: with every pooled connection taken, a request waits a few seconds at most
// and gets 503 `busy` with `Retry-After`; once connections are free it succeeds again.
pub async fn an_exhausted_pool_answers_503_with_retry_after(t: TestApp) {
    let code = an_open_entry(&t).await;
    let pool = t.db().pool();
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.expect("a pooled connection"));
    }
    let path = format!("/api/v1/catalog/entries/{code}");
    let res = t.anonymous().get(&path).await;
    res.expect_status(503);
    assert_eq!(res.code(), "busy", "{}", res.text);
    assert!(
        res.header("retry-after")
            .is_some_and(|s| s.parse::<u64>().is_ok()),
        "Retry-After in seconds: {:?}",
        res.headers
    );
    drop(held);
    t.anonymous().get(&path).await.expect_status(200);
}
