//! Issue 11 item 5, B8 (identity authentication and access control), H35: login throttling
//! cannot be turned against the owner. Guesses lock new password logins only (sessions and
//! tokens keep working), per account name at a client address before anything wider; correct
//! logins in parallel are never refused; parallel guesses never get more passwords checked
//! than the limit; unknown names answer exactly like known ones.
//!
//! Client addresses are varied through a server that trusts `X-Forwarded-For` from loopback
//! (`TestApp::behind_proxy`), as it would behind the city's reverse proxy.

use chrono::Duration;
use serde_json::{Value, json};

use crate::support::{Client, DEMO_PASSWORD, Resp, TestApp};

/// Failed-login events whose password was checked (wrong or unknown name), as opposed to
/// logins refused unchecked.
async fn checked_failures(t: &TestApp, username: &str) -> i64 {
    t.count(&format!(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'login' AND outcome = 'failed' \
         AND actor_name = '{username}' \
         AND (payload LIKE '%\"wrong_password\"%' OR payload LIKE '%\"unknown_user\"%')"
    ))
    .await
}

/// Lowers the policy to three failures, so the account-wide limit (ten times it) is 30.
async fn threshold_three(t: &TestApp) {
    t.login("secadmin")
        .await
        .put(
            "/api/v1/security-policy",
            json!({ "password_min_length": 10, "lockout_threshold": 3, "lockout_minutes": 15, "session_idle_minutes": 30 }),
        )
        .await
        .expect_status(200);
}

/// A personal API token of the client's account.
async fn token_of(client: &Client) -> String {
    let created = client
        .post("/api/v1/me/tokens", json!({ "name": "同步脚本" }))
        .await;
    created.expect_status(201);
    created.json["token"].as_str().expect("a token").to_owned()
}

/// Guesses until the account name is locked everywhere: three wrong passwords from each of
/// ten addresses (threshold three). Returns every answer.
async fn lock_everywhere(base: &str, username: &str, subnet: u8) -> Vec<Resp> {
    let mut answers = Vec::new();
    for host in 1..=10 {
        let guesser = Client::at(base).coming_from(&format!("10.{subnet}.0.{host}"));
        for _ in 0..3 {
            answers.push(guesser.login(username, "not-the-password").await);
        }
    }
    answers
}

// B8: guesses lock new password logins only. The owner's session and API token keep working
// through a lock of the name at the guesser's address and through an account-wide lock.
pub async fn b8_a_lock_ends_neither_the_owners_session_nor_its_token(t: TestApp) {
    let owner = t.login("gaj-admin").await;
    let bearer = t.anonymous().with_bearer(&token_of(&owner).await);
    let guesser = t.anonymous();
    for _ in 0..4 {
        guesser
            .login("gaj-admin", "not-the-password")
            .await
            .expect_problem(401, "bad_credentials");
    }
    guesser
        .login("gaj-admin", "not-the-password")
        .await
        .expect_problem(429, "login_throttled");
    assert_eq!(owner.me().await["username"], "gaj-admin");
    assert_eq!(bearer.me().await["username"], "gaj-admin");

    threshold_three(&t).await;
    let base = t.behind_proxy().await;
    let answers = lock_everywhere(&base, "gaj-admin", 1).await;
    answers
        .last()
        .expect("answers")
        .expect_problem(423, "account_locked");
    // A new password login is refused from anywhere, the right password too…
    Client::at(&base)
        .coming_from("198.51.100.20")
        .login("gaj-admin", DEMO_PASSWORD)
        .await
        .expect_problem(423, "account_locked");
    // …but what the owner already holds still works, and may act.
    assert_eq!(owner.me().await["username"], "gaj-admin");
    assert_eq!(bearer.me().await["username"], "gaj-admin");
    owner
        .post("/api/v1/me/tokens", json!({ "name": "锁定期间新建" }))
        .await
        .expect_status(201);
    // The lock ends on time.
    t.advance(Duration::minutes(15));
    owner.me().await;
    Client::at(&base)
        .coming_from("198.51.100.20")
        .login("gaj-admin", DEMO_PASSWORD)
        .await
        .expect_status(200);
}

// B8: guesses from one address stop that address trying the name, not the owner elsewhere;
// the lock doubles when the guessing resumes, and every step is an audit event.
pub async fn b8_guesses_from_one_address_do_not_stop_the_owner_at_another(t: TestApp) {
    let base = t.behind_proxy().await;
    let guesser = Client::at(&base).coming_from("203.0.113.7");
    for _ in 0..4 {
        guesser
            .login("gaj-admin", "not-the-password")
            .await
            .expect_problem(401, "bad_credentials");
    }
    let locked = guesser.login("gaj-admin", "not-the-password").await;
    locked.expect_problem(429, "login_throttled");
    assert_eq!(locked.header("retry-after"), Some("900"), "fifteen minutes");
    // The guesser is refused without a check, even with the right password.
    guesser
        .login("gaj-admin", DEMO_PASSWORD)
        .await
        .expect_problem(429, "login_throttled");
    // The owner, from another address, logs in at once.
    let owner = Client::at(&base).coming_from("198.51.100.20");
    owner
        .login("gaj-admin", DEMO_PASSWORD)
        .await
        .expect_status(200);
    owner.me().await;

    let events = t
        .count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'login' AND outcome = 'failed' \
             AND client_addr = '203.0.113.7'",
        )
        .await;
    assert_eq!(events, 6, "five checked failures and one refusal");
    let last = t.last_event_of("login").await;
    assert_eq!(
        last.outcome.as_str(),
        "success",
        "the owner's login is last"
    );
    assert_eq!(
        last.client_addr, "198.51.100.20",
        "the address behind the proxy"
    );
    let lock_events = t
        .count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'login' \
             AND payload LIKE '%\"account_address\"%' AND payload LIKE '%\"wrong_password\"%'",
        )
        .await;
    assert_eq!(lock_events, 1, "the fifth failure records the lock it set");
    let throttled = t
        .count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'login' \
             AND payload LIKE '%\"throttled\"%'",
        )
        .await;
    assert_eq!(throttled, 1, "the refusal is recorded");

    // After the lock, five more failures lock the address for twice as long.
    t.advance(Duration::minutes(15));
    for _ in 0..4 {
        guesser
            .login("gaj-admin", "not-the-password")
            .await
            .expect_problem(401, "bad_credentials");
    }
    let again = guesser.login("gaj-admin", "not-the-password").await;
    again.expect_problem(429, "login_throttled");
    assert_eq!(again.header("retry-after"), Some("1800"), "thirty minutes");
    owner
        .login("gaj-admin", DEMO_PASSWORD)
        .await
        .expect_status(200);
}

// B8: a correct login is never refused because others are in flight — twelve at once all
// succeed, also when four failures leave room for only one password check at a time.
pub async fn b8_twelve_parallel_correct_logins_all_succeed(t: TestApp) {
    for round in ["fresh", "after four failures"] {
        if round == "after four failures" {
            for _ in 0..4 {
                t.anonymous()
                    .login("gaj-admin", "not-the-password")
                    .await
                    .expect_problem(401, "bad_credentials");
            }
        }
        let mut logins = Vec::new();
        for _ in 0..12 {
            let client = t.anonymous();
            logins.push(tokio::spawn(async move {
                client.login("gaj-admin", DEMO_PASSWORD).await
            }));
        }
        for login in logins {
            let res = login.await.expect("login task");
            assert_eq!(res.status, 200, "{round}: {}", res.text);
        }
    }
    assert_eq!(checked_failures(&t, "gaj-admin").await, 4);
}

// B8: parallel wrong guesses never get more passwords checked than the limit — five for a
// name at one address, and ten times the threshold for a name across addresses.
pub async fn b8_parallel_guesses_never_get_more_checked_than_the_limit(t: TestApp) {
    let mut guesses = Vec::new();
    for _ in 0..12 {
        let client = t.anonymous();
        guesses.push(tokio::spawn(async move {
            client.login("mzj-staff", "not-the-password").await.status
        }));
    }
    let mut statuses = Vec::new();
    for g in guesses {
        statuses.push(g.await.expect("guess"));
    }
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert_eq!(
        checked_failures(&t, "mzj-staff").await,
        5,
        "exactly five checked: {statuses:?}"
    );
    t.anonymous()
        .login("mzj-staff", DEMO_PASSWORD)
        .await
        .expect_problem(429, "login_throttled");

    threshold_three(&t).await;
    let base = t.behind_proxy().await;
    let mut guesses = Vec::new();
    for host in 1..=12 {
        for _ in 0..4 {
            let client = Client::at(&base).coming_from(&format!("10.9.0.{host}"));
            guesses.push(tokio::spawn(async move {
                client.login("mzj-admin", "not-the-password").await.status
            }));
        }
    }
    let mut statuses = Vec::new();
    for g in guesses {
        statuses.push(g.await.expect("guess"));
    }
    assert!(
        statuses.iter().all(|s| [401, 423, 429].contains(s)),
        "{statuses:?}"
    );
    let checked = checked_failures(&t, "mzj-admin").await;
    assert!(
        checked <= 30,
        "at most 30 checked across addresses, got {checked}: {statuses:?}"
    );
    Client::at(&base)
        .coming_from("198.51.100.20")
        .login("mzj-admin", DEMO_PASSWORD)
        .await
        .expect_problem(423, "account_locked");
}

/// What a client can observe of an answer.
fn observed(res: &Resp) -> (u16, Value, Option<String>) {
    (
        res.status,
        res.json.clone(),
        res.header("retry-after").map(str::to_owned),
    )
}

// B8: an unknown name is throttled and locked exactly like a known one, so no answer tells
// whether an account exists — not the code, the message, the lock time nor Retry-After.
pub async fn b8_unknown_and_known_names_answer_alike_under_throttling(t: TestApp) {
    let base = t.behind_proxy().await;
    let mut seen = Vec::new();
    for (name, addr) in [
        ("gaj-staff", "203.0.113.1"),
        ("no-such-user", "203.0.113.2"),
    ] {
        let guesser = Client::at(&base).coming_from(addr);
        let mut answers = Vec::new();
        for _ in 0..6 {
            answers.push(observed(&guesser.login(name, "not-the-password").await));
        }
        answers.push(observed(&guesser.login(name, DEMO_PASSWORD).await));
        seen.push(answers);
    }
    assert_eq!(seen[0], seen[1]);
    let statuses: Vec<u16> = seen[0].iter().map(|a| a.0).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429, 429]);

    threshold_three(&t).await;
    let known: Vec<_> = lock_everywhere(&base, "gaj-staff", 1)
        .await
        .iter()
        .map(observed)
        .collect();
    let unknown: Vec<_> = lock_everywhere(&base, "no-such-user", 2)
        .await
        .iter()
        .map(observed)
        .collect();
    assert_eq!(known, unknown);
    assert_eq!(known.last().map(|a| a.0), Some(423));
}
