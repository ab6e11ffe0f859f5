//! Issue 11 item 1, alone in its test binary so that the process's peak memory measures this
//! test only: the string bomb is refused before its value is built (B31, H33).

mod common;

use common::{READER, fixture, json, run};
use gongshu_engine::Engine;
use gongshu_query::Limits;
use tempfile::TempDir;

/// The process's peak resident memory so far, in bytes (Linux).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

// Issue 11 item 1: the attack — `replace` nested until ten bytes become gigabytes, with no
// table at all — is refused before the big value is built; the process never grows by it.
#[tokio::test]
async fn a_string_bomb_is_refused_before_it_allocates() {
    let dir = TempDir::new().unwrap();
    let d = fixture(&dir);
    let engine = Engine::new(Limits::default()).unwrap();
    let mut bomb = "'aaaaaaaaaa'".to_owned();
    for _ in 0..9 {
        bomb = format!("replace({bomb}, 'a', 'aaaaaaaaaa')");
    }
    let before = peak_rss();
    for sql in [
        format!("SELECT length({bomb})"),
        format!("SELECT length({bomb}) FROM t"),
        format!("SELECT length(concat({bomb}, xm)) FROM t"),
    ] {
        let err = run(&engine, READER, &sql, &d).await.unwrap_err();
        assert_eq!(err.code(), "value_too_large", "{sql}: {err}");
    }
    let grown = peak_rss().saturating_sub(before);
    assert!(grown < 256 << 20, "peak memory grew by {grown} bytes");
    // What a reader needs still works, with its usual column names.
    let rows = json(
        &engine,
        "SELECT replace(qx, '区', '-') AS r, xm || qx, upper(xm) FROM t ORDER BY nl LIMIT 1",
        &d,
    )
    .await
    .unwrap();
    assert_eq!(rows[0]["r"], "-0");
    assert_eq!(rows[0]["t.xm || t.qx"], "张0区0", "{rows}");
}
