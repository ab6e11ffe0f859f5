//! Issue 11 items 1, 2 and 8 against the engine itself: no query exhausts memory, none
//! starves the platform, and a reader's mistake is the reader's error (B31, H33: the platform
//! stays available under hostile queries).

mod common;

use std::time::{Duration, Instant};

use common::{READER, fixture, json, run};
use gongshu_engine::Engine;
use gongshu_query::{LaneLimits, Limits, QueryEngine, QueryError};
use tempfile::TempDir;

/// A query whose joins on a five-valued key never finish.
const ENDLESS: &str = "SELECT count(*) FROM t a JOIN t b ON a.qx = b.qx JOIN t c ON b.qx = c.qx";

// Issue 11 item 1: `||` doubling a value through a chain of CTEs, and padding or repeating
// to a huge length, are refused the same way; a recursive CTE is not offered at all.
#[tokio::test]
async fn doubling_padding_and_recursion_cannot_grow_a_value_without_end() {
    let dir = TempDir::new().unwrap();
    let d = fixture(&dir);
    let engine = Engine::new(Limits::default()).unwrap();
    let mut doubling = "WITH s0 AS (SELECT xm AS v FROM t)".to_owned();
    for i in 1..=24 {
        doubling.push_str(&format!(", s{i} AS (SELECT v || v AS v FROM s{})", i - 1));
    }
    doubling.push_str(" SELECT max(length(v)) FROM s24");
    for (sql, code) in [
        (doubling.as_str(), "value_too_large"),
        (
            "SELECT length(lpad(xm, 100000000)) FROM t",
            "value_too_large",
        ),
        (
            "SELECT length(repeat(xm, 1000000)) FROM t",
            "value_too_large",
        ),
        (
            "SELECT length(regexp_replace(xm, '', 'xxxxxxxxxx', 'g')) FROM t",
            "ok",
        ),
        (
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
            "invalid_sql",
        ),
    ] {
        let outcome = run(&engine, READER, sql, &d).await;
        let got = outcome.as_ref().map_or_else(QueryError::code, |()| "ok");
        assert_eq!(got, code, "{sql}: {outcome:?}");
    }
}

// Issue 11 item 1: functions are an allow-list; anything else is refused by name — table
// functions, file and engine introspection, unbounded aggregates — however it is written.
#[tokio::test]
async fn functions_outside_the_allow_list_are_refused_by_name() {
    let dir = TempDir::new().unwrap();
    let d = fixture(&dir);
    let engine = Engine::new(Limits::default()).unwrap();
    for (sql, code) in [
        ("SELECT input_file_name() FROM t", "function_not_allowed"),
        ("SELECT version()", "function_not_allowed"),
        ("SELECT uuid()", "function_not_allowed"),
        (
            "SELECT arrow_cast(nl, 'Utf8') FROM t",
            "function_not_allowed",
        ),
        ("SELECT array_agg(xm) FROM t", "function_not_allowed"),
        ("SELECT string_agg(xm, ',') FROM t", "function_not_allowed"),
        ("SELECT named_struct('a', 1)", "function_not_allowed"),
        // Table functions are not tables a reader may read.
        (
            "SELECT * FROM generate_series(1, 1000000000000)",
            "unknown_table",
        ),
        ("SELECT * FROM range(10)", "unknown_table"),
        // Inside a subquery and a CTE the rule is the same.
        (
            "WITH c AS (SELECT version() AS v) SELECT * FROM c",
            "function_not_allowed",
        ),
        (
            "SELECT nl FROM t WHERE xm IN (SELECT input_file_name() FROM t)",
            "function_not_allowed",
        ),
    ] {
        let err = run(&engine, READER, sql, &d).await.unwrap_err();
        assert_eq!(err.code(), code, "{sql}: {err}");
    }
    // The usual functions, by name and by SQL syntax, still answer.
    let rows = json(
        &engine,
        "SELECT substr(xm, 1, 1) AS a, SUBSTRING(qx FROM 2) AS b, POSITION('0' IN qx) AS c, \
         TRIM(BOTH ' ' FROM xm) AS d, coalesce(NULL, qx) AS e, lpad(qx, 4, '*') AS f, \
         round(avg(nl) OVER (PARTITION BY qx), 1) AS g, row_number() OVER (ORDER BY nl) AS h \
         FROM t ORDER BY nl LIMIT 1",
        &d,
    )
    .await
    .unwrap();
    assert_eq!(rows[0]["a"], "张");
    assert_eq!(rows[0]["b"], "0");
    assert_eq!(rows[0]["c"], 2);
    assert_eq!(rows[0]["f"], "**区0");
    assert_eq!(rows[0]["h"], 1);
}

// Issue 11 item 8: what a reader writes wrong is a 400-class error naming the engine's
// message, never an internal one.
#[tokio::test]
async fn a_readers_mistake_is_an_input_error() {
    let dir = TempDir::new().unwrap();
    let d = fixture(&dir);
    let engine = Engine::new(Limits::default()).unwrap();
    for sql in [
        "SELECT regexp_like('a', '(')",
        "SELECT abs(-9223372036854775808)",
        "SELECT abs(CAST(-9223372036854775808 AS BIGINT))",
        "SELECT CAST(x'ff' AS VARCHAR)",
        "SELECT CAST('abc' AS INT)",
        "SELECT 1 / 0",
        "SELECT nl / 0 FROM t",
        "SELECT factorial(100)",
        "SELECT to_timestamp('not a time')",
        "SELECT regexp_replace(xm, '[', 'x') FROM t",
    ] {
        match run(&engine, READER, sql, &d).await {
            Ok(()) => {}
            Err(e) => assert_eq!(
                e.fault(),
                gongshu_query::Fault::Input,
                "{sql}: {e} ({})",
                e.code()
            ),
        }
    }
    let err = run(&engine, READER, "SELECT sqrt(-1)", &d)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_sql", "{err}");
    // Results that are not numbers encode; they do not fail the body.
    let rows = json(
        &engine,
        "SELECT CAST('NaN' AS DOUBLE) AS n, ln(0) AS l, CAST('inf' AS DOUBLE) AS i",
        &d,
    )
    .await
    .unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
}

// Issue 11 item 2: a join pairing every row with every other is refused before it runs.
#[tokio::test]
async fn absurd_joins_are_refused_before_they_run() {
    let dir = TempDir::new().unwrap();
    let d = fixture(&dir);
    let engine = Engine::new(Limits::default()).unwrap();
    for sql in [
        "SELECT count(*) FROM t a, t b WHERE a.nl < b.nl",
        "SELECT max(a.nl + b.nl) FROM t a CROSS JOIN t b",
        "SELECT count(*) FROM t a JOIN t b ON a.nl <> b.nl",
    ] {
        let started = Instant::now();
        let err = run(&engine, READER, sql, &d).await.expect_err(sql);
        assert_eq!(err.code(), "join_too_large", "{sql}: {err}");
        assert!(err.to_string().contains("400000000"), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "refused at once"
        );
    }
    // A small one runs.
    run(
        &engine,
        READER,
        "SELECT count(*) FROM (SELECT * FROM t LIMIT 100) a, (SELECT * FROM t LIMIT 100) b",
        &d,
    )
    .await
    .unwrap();
}

/// Polls until the query runtimes have no task left; how long that took.
async fn until_idle(engine: &Engine) -> Duration {
    let started = Instant::now();
    while engine.running_tasks() > 0 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    started.elapsed()
}

// Issue 11 item 2: a query whose reader goes away, or that reaches its deadline, stops using
// the CPU within a second — its tasks on the query runtime are gone.
#[tokio::test]
async fn a_stopped_query_stops_using_the_cpu_within_a_second() {
    let dir = TempDir::new().unwrap();
    let d = fixture(&dir);
    let engine = Engine::new(Limits {
        sql_timeout: Duration::from_secs(2),
        ..Limits::default()
    })
    .unwrap();
    // The reader goes away mid-query.
    let batches = engine
        .sql(READER, ENDLESS, std::slice::from_ref(&d))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(engine.running_tasks() > 0, "the query is running");
    drop(batches);
    let stopped = until_idle(&engine).await;
    assert!(
        stopped < Duration::from_secs(1),
        "stopped after {stopped:?}"
    );
    // The deadline passes while the reader waits.
    let err = run(&engine, READER, ENDLESS, &d).await.unwrap_err();
    assert_eq!(err.code(), "query_timeout");
    let stopped = until_idle(&engine).await;
    assert!(
        stopped < Duration::from_secs(1),
        "stopped after {stopped:?}"
    );
}

// Issue 11 item 2: admission control — a bounded number of queries run, a bounded number
// wait (for a bounded time), a reader has a bounded number in flight; the rest are refused
// at once with a time to retry.
#[tokio::test]
async fn the_sql_lane_admits_a_bounded_number_and_refuses_the_rest() {
    let dir = TempDir::new().unwrap();
    let d = fixture(&dir);
    let engine = Engine::new(Limits {
        sql_timeout: Duration::from_secs(3),
        sql_lane: LaneLimits {
            running: 1,
            queued: 1,
            per_reader: 1,
            queue_wait: Duration::from_millis(300),
        },
        ..Limits::default()
    })
    .unwrap();
    let running = engine
        .sql("reader-a", ENDLESS, std::slice::from_ref(&d))
        .await
        .unwrap();
    // The same reader may not start a second one.
    let err = run(&engine, "reader-a", "SELECT 1", &d).await.unwrap_err();
    assert_eq!(err.code(), "too_many_queries");
    assert_eq!(err.retry_after_secs(), Some(1));
    // Another reader waits for the place, then is told to come back.
    let waiting = {
        let (engine, d) = (engine.clone(), d.clone());
        tokio::spawn(async move { run(&engine, "reader-b", "SELECT 1", &d).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    // The queue is full: a third reader is refused at once.
    let started = Instant::now();
    let err = run(&engine, "reader-c", "SELECT 1", &d).await.unwrap_err();
    assert_eq!(err.code(), "query_busy");
    assert!(started.elapsed() < Duration::from_millis(200));
    let err = waiting.await.unwrap().unwrap_err();
    assert_eq!(err.code(), "query_busy");
    assert!(err.retry_after_secs().is_some());
    // Once the running query is gone, the lane admits again.
    drop(running);
    until_idle(&engine).await;
    run(&engine, "reader-a", "SELECT 1", &d).await.unwrap();
    run(&engine, "reader-b", "SELECT 1", &d).await.unwrap();
}

/// The nice values of this process's threads named `name` (Linux: field 19 of a task's stat).
fn nice_of_threads(name: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = task.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
        // The command may hold spaces; fields resume after its closing parenthesis.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |(_, rest)| rest)
            .split_whitespace()
            .collect();
        if let Some(nice) = fields.get(16).and_then(|n| n.parse().ok()) {
            out.push(nice);
        }
    }
    out
}

// Issue 11 item 2: SQL threads are fewer than the cores, and query threads yield the CPU to
// the threads that serve requests (nice 10); the platform's own reads use every core.
#[tokio::test]
async fn query_threads_run_below_the_request_threads() {
    let dir = TempDir::new().unwrap();
    let d = fixture(&dir);
    let engine = Engine::new(Limits::default()).unwrap();
    run(&engine, READER, "SELECT count(*) FROM t", &d)
        .await
        .unwrap();
    let nices = nice_of_threads("gongshu-sql");
    assert!(!nices.is_empty(), "the SQL runtime has threads");
    assert!(nices.iter().all(|n| *n == 10), "nice values {nices:?}");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(Limits::default().threads < cores.max(2));
    assert_eq!(Limits::default().read_threads, cores);
}

// Issue 11 item 1: memory held by operators is capped for all queries together; a query
// that needs more than the pool (a join's hash table cannot spill) gets `query_out_of_memory`
// (422), and the engine goes on answering.
#[tokio::test]
async fn past_the_memory_cap_a_query_is_refused_not_killed() {
    let dir = TempDir::new().unwrap();
    let d = fixture(&dir);
    let engine = Engine::new(Limits {
        memory_bytes: 256 * 1024,
        ..Limits::default()
    })
    .unwrap();
    let err = run(
        &engine,
        READER,
        "SELECT count(*) FROM t a JOIN t b ON a.xm = b.xm",
        &d,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "query_out_of_memory", "{err}");
    assert_eq!(err.fault(), gongshu_query::Fault::Limit);
    run(&engine, READER, "SELECT count(*) FROM t", &d)
        .await
        .unwrap();
}
