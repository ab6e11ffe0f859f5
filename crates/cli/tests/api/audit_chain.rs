//! Issue 2 §8, B8, B18, H32–H35 (SM3): the SM3 hash chain makes any edit, removal or
//! reordering of a stored event visible, naming the first broken sequence number. The
//! append-only triggers are the first line of defence; these tests drop them, as an attacker
//! with database access could, and check that the chain still tells.

use gongshu_audit::Breakage;

use crate::support::TestApp;

/// A chain with a few events from real requests on top of the demo seed; returns its length.
async fn some_history(t: &TestApp) -> i64 {
    let client = t.anonymous();
    client.login("gaj-staff", "wrong-password").await;
    t.login("gaj-staff").await;
    let report = t.verify_chain().await;
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.events_checked, t.audit_count().await);
    report.head_seq
}

// Issue 2, done when: `gongshu audit verify` passes on a fresh demo database.
pub async fn the_chain_verifies_on_a_fresh_demo_database(t: TestApp) {
    let report = t.verify_chain().await;
    assert!(report.is_intact(), "{report:?}");
    let count = t.audit_count().await;
    assert!(
        count > 40,
        "the demo seed writes one event per organisation and account"
    );
    assert_eq!(report.events_checked, count);
    assert_eq!(report.head_seq, count);
    assert_eq!(report.head_hash, t.last_event().await.hash);
}

// Issue 2 §8: no code path updates or deletes an event — and the tables refuse it as well.
pub async fn the_database_refuses_to_update_or_delete_audit_events(t: TestApp) {
    let n = some_history(&t).await;
    let attempts = [
        "UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 3".to_owned(),
        "UPDATE audit_events SET payload = '{}'".to_owned(),
        "DELETE FROM audit_events WHERE seq = 3".to_owned(),
        format!("DELETE FROM audit_events WHERE seq = {n}"),
    ];
    for sql in &attempts {
        let err = t.execute(sql).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    if t.backend == crate::support::Backend::Postgres {
        let err = t
            .execute("TRUNCATE audit_events")
            .await
            .expect_err("truncate");
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    assert_eq!(t.audit_count().await, n);
    assert!(t.verify_chain().await.is_intact());
}

// Issue 2 §8: an edited event is found (the payload no longer matches its SM3 digest).
pub async fn editing_an_event_payload_breaks_the_chain_at_that_event(t: TestApp) {
    let n = some_history(&t).await;
    let k = n / 2;
    t.drop_audit_triggers().await;
    let changed = t
        .execute(&format!(
            "UPDATE audit_events SET payload = '{{\"name\":\"伪造\"}}' WHERE seq = {k}"
        ))
        .await
        .expect("tamper");
    assert_eq!(changed, 1);
    let report = t.verify_chain().await;
    assert_eq!(
        report.first_broken,
        Some((k, Breakage::PayloadAltered)),
        "{report:?}"
    );
    assert_eq!(report.events_checked, k - 1);
}

// Issue 2 §8: editing who acted is found too (the event no longer produces its hash), also
// for the newest event, which has no successor to notice.
pub async fn editing_an_event_actor_breaks_the_chain_at_that_event(t: TestApp) {
    let n = some_history(&t).await;
    let k = n / 3;
    t.drop_audit_triggers().await;
    let set_actor = |seq: i64, name: &str| {
        format!("UPDATE audit_events SET actor_name = '{name}' WHERE seq = {seq}")
    };
    let original =
        sqlx::query_scalar::<_, String>("SELECT actor_name FROM audit_events WHERE seq = $1")
            .bind(k)
            .fetch_one(t.db().pool())
            .await
            .expect("the event");
    t.execute(&set_actor(k, "mallory")).await.expect("tamper");
    let report = t.verify_chain().await;
    assert_eq!(
        report.first_broken,
        Some((k, Breakage::Altered)),
        "{report:?}"
    );

    t.execute(&set_actor(k, &original)).await.expect("restore");
    assert!(
        t.verify_chain().await.is_intact(),
        "restoring the field restores the chain"
    );

    t.execute(&set_actor(n, "mallory")).await.expect("tamper");
    let report = t.verify_chain().await;
    assert_eq!(
        report.first_broken,
        Some((n, Breakage::Altered)),
        "{report:?}"
    );
}

// Issue 2 §8: a removed event is found, at its own sequence number.
pub async fn deleting_an_event_in_the_middle_breaks_the_chain_at_that_event(t: TestApp) {
    let n = some_history(&t).await;
    let k = n / 2;
    t.drop_audit_triggers().await;
    t.execute(&format!("DELETE FROM audit_events WHERE seq = {k}"))
        .await
        .expect("tamper");
    let report = t.verify_chain().await;
    assert_eq!(
        report.first_broken,
        Some((k, Breakage::Missing)),
        "{report:?}"
    );
}

// Issue 2 §8: reordered events are found at the first position that changed.
pub async fn swapping_two_events_breaks_the_chain_at_the_first_of_them(t: TestApp) {
    let n = some_history(&t).await;
    let (a, b) = (n / 2, n / 2 + 3);
    t.drop_audit_triggers().await;
    for sql in [
        format!("UPDATE audit_events SET seq = -1 WHERE seq = {a}"),
        format!("UPDATE audit_events SET seq = {a} WHERE seq = {b}"),
        format!("UPDATE audit_events SET seq = {b} WHERE seq = -1"),
    ] {
        assert_eq!(t.execute(&sql).await.expect("tamper"), 1, "{sql}");
    }
    assert_eq!(t.audit_count().await, n);
    let report = t.verify_chain().await;
    assert_eq!(
        report.first_broken,
        Some((a, Breakage::Altered)),
        "{report:?}"
    );
}

// Issue 2 §8: cutting off the newest event is found: the chain head is ahead of the log.
pub async fn deleting_the_last_event_is_reported_as_truncation(t: TestApp) {
    let n = some_history(&t).await;
    t.drop_audit_triggers().await;
    t.execute(&format!("DELETE FROM audit_events WHERE seq = {n}"))
        .await
        .expect("tamper");
    let report = t.verify_chain().await;
    assert_eq!(
        report.first_broken,
        Some((n, Breakage::Truncated)),
        "{report:?}"
    );
    assert_eq!(report.events_checked, n - 1);
}

// Issue 2 §8: the auditor sees the same verdict in the API.
pub async fn auditor_sees_the_break_through_the_api(t: TestApp) {
    let n = some_history(&t).await;
    let auditor = t.login("auditor").await;
    let intact = auditor.get("/api/v1/audit/verify").await;
    intact.expect_status(200);
    assert!(intact.json["first_broken"].is_null(), "{}", intact.text);
    let k = n / 2;
    t.drop_audit_triggers().await;
    t.execute(&format!(
        "UPDATE audit_events SET target_id = 'x' WHERE seq = {k}"
    ))
    .await
    .expect("tamper");
    let broken = auditor.get("/api/v1/audit/verify").await;
    broken.expect_status(200);
    assert_eq!(
        broken.json["first_broken"],
        serde_json::json!([k, "altered"]),
        "{}",
        broken.text
    );
}

/// Rewrites who acted in event `seq` and gives it a hash that matches its new fields, as a
/// forger who knows the hashing rule would.
async fn forge_actor(t: &TestApp, seq: i64) {
    let mut conn = t.db().pool().acquire().await.expect("connection");
    let filter = gongshu_audit::EventFilter {
        before_seq: Some(seq + 1),
        ..Default::default()
    };
    let mut event = gongshu_audit::list_events(&mut conn, &filter, 1)
        .await
        .expect("the event")
        .pop()
        .expect("the event");
    assert_eq!(event.seq, seq);
    event.actor_name = "mallory".into();
    let hash = event.expected_hash();
    t.execute(&format!(
        "UPDATE audit_events SET actor_name = 'mallory', hash = '{hash}' WHERE seq = {seq}"
    ))
    .await
    .expect("forge");
}

// Issue 2 §8: an event rewritten with a matching hash of its own still breaks the link to
// its successor.
pub async fn a_forged_event_with_a_fresh_hash_breaks_the_link_to_its_successor(t: TestApp) {
    let n = some_history(&t).await;
    let k = n / 2;
    t.drop_audit_triggers().await;
    forge_actor(&t, k).await;
    let report = t.verify_chain().await;
    assert_eq!(
        report.first_broken,
        Some((k + 1, Breakage::Unlinked)),
        "{report:?}"
    );
}

// Issue 2 §8: the newest event, rewritten with a matching hash, no longer matches the chain
// head; the verdict names that event, not a sequence number that does not exist.
pub async fn a_forged_last_event_is_named_by_its_own_sequence_number(t: TestApp) {
    let n = some_history(&t).await;
    t.drop_audit_triggers().await;
    forge_actor(&t, n).await;
    let report = t.verify_chain().await;
    let (seq, _) = report.first_broken.expect("the forgery is found");
    assert_eq!(seq, n, "{report:?}");
    assert_eq!(
        report.first_broken,
        Some((n, Breakage::Altered)),
        "{report:?}"
    );
}
