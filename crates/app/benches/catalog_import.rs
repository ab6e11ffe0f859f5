//! Issue 3, done when: "an Excel file with 500 entries × 10 items imports in under 5 s in
//! release mode".
//!
//! `cargo bench -p gongshu-app --bench catalog_import` builds a fresh SQLite database in a
//! temporary directory (migrated, the demo city seeded), writes a workbook of 500 valid new
//! entries × 10 items with `gongshu_sheets::write_catalog`, and times
//! `gongshu_app::catalog::excel::import_xlsx` acting as `gaj-admin` of 市公安局: reading the
//! workbook, checking every row, and writing every entry, revision, item and audit event in one
//! transaction. With `GONGSHU_TEST_DATABASE_URL` set it does the same on a fresh PostgreSQL
//! database (created and dropped here).
//!
//! The anchor, in the same run and on the same backend (the machine is noisy): the raw cost of
//! writing the same values — the 500 entries and 5,000 items inserted with sqlx, one statement
//! per row, into two plain tables without indexes, in one transaction. Import and anchor runs
//! alternate; the medians and their ratio are printed. Each import run adds 500 more entries,
//! so later runs work on a larger catalog. No assertion on time: the figures go in the note.
//!
//! Without `--bench` (as under `cargo test --all-targets`) it runs a small smoke version on
//! SQLite only. `GONGSHU_BENCH_ENTRIES` and `GONGSHU_BENCH_RUNS` override the sizes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gongshu_app::catalog::excel::{find_org, import_xlsx};
use gongshu_app::identity::principal_for_cli;
use gongshu_app::{App, AppConfig, Ctx, RequestMeta, SystemClock};
use gongshu_sheets::{EntryRow, Guide, ItemRow, read_catalog, write_catalog};
use gongshu_store::Db;
use sqlx::{AssertSqlSafe, Connection};

const ITEMS: usize = 10;

struct Sizes {
    entries: usize,
    runs: usize,
    postgres: bool,
}

fn sizes() -> Sizes {
    let bench = std::env::args().any(|a| a == "--bench");
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    Sizes {
        entries: env("GONGSHU_BENCH_ENTRIES", if bench { 500 } else { 20 }),
        runs: env("GONGSHU_BENCH_RUNS", if bench { 3 } else { 1 }),
        postgres: bench,
    }
}

/// Item n of an entry: a realistic mix of types, grades and flags, all valid.
fn item(n: usize) -> ItemRow {
    let (code, name, data_type, personal, sensitive, element) = match n {
        0 => ("gmsfhm", "公民身份号码", "citizen_id", true, "", "NP01"),
        1 => ("xm", "姓名", "text", true, "", ""),
        2 => ("xb", "性别", "text", true, "", ""),
        3 => ("mz", "民族", "text", true, "特定身份", ""),
        4 => ("csrq", "出生日期", "date", true, "", ""),
        5 => ("hjdz", "户籍地址", "text", true, "", ""),
        6 => ("djrq", "登记日期", "datetime", false, "", ""),
        7 => ("djjg", "登记机关", "text", false, "", ""),
        8 => (
            "tyshxydm",
            "登记机关统一社会信用代码",
            "credit_code",
            false,
            "",
            "",
        ),
        _ => ("bz", "备注", "text", false, "", ""),
    };
    ItemRow {
        code: code.into(),
        name: name.into(),
        data_type: data_type.into(),
        description: format!("{name}，按户籍登记簿填写"),
        grade: if personal {
            "一般数据（3级）"
        } else {
            "一般数据（2级）"
        }
        .into(),
        personal,
        sensitive_kind: sensitive.into(),
        masked: !sensitive.is_empty(),
        element_code: element.into(),
        ..ItemRow::default()
    }
}

/// Entry n: conditionally shared with its legal bases and conditions, not open for privacy.
fn entry(n: usize) -> EntryRow {
    EntryRow {
        name: format!("第{n}号派出所户籍人口登记信息"),
        summary: format!(
            "第{n}号派出所辖区户籍人口的姓名、公民身份号码、出生日期、户籍地址等登记信息，按日更新。"
        ),
        category_code: "101".into(),
        grade: "一般数据（3级）".into(),
        data_form: "数据库".into(),
        share_type: "有条件共享".into(),
        share_conditions: "限于履行法定职责所必需，按申请的场景和信息项使用".into(),
        share_scope: "全市公共管理和服务机构".into(),
        share_modes: vec!["接口查询".into()],
        open_type: "非开放".into(),
        not_open_reason: "涉及个人隐私".into(),
        legal_bases: vec![
            ("中华人民共和国居民身份证法".into(), "第十三条".into()),
            ("中华人民共和国个人信息保护法".into(), "第三十四条".into()),
        ],
        update_frequency: "每日".into(),
        source_dept: "市公安局".into(),
        collecting_dept: "市公安局".into(),
        approving_dept: "市公安局".into(),
        providing_dept: "市公安局".into(),
        items: (0..ITEMS).map(item).collect(),
        ..EntryRow::default()
    }
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

const ANCHOR_TABLES: &[&str] = &[
    "CREATE TABLE bench_entries (id TEXT PRIMARY KEY, name TEXT, summary TEXT, category_code TEXT, \
     grade TEXT, data_form TEXT, share_type TEXT, share_conditions TEXT, share_scope TEXT, \
     share_modes TEXT, open_type TEXT, not_open_reason TEXT, legal_bases TEXT, \
     update_frequency TEXT, source_dept TEXT, collecting_dept TEXT, approving_dept TEXT, \
     providing_dept TEXT)",
    "CREATE TABLE bench_items (entry_id TEXT, position BIGINT, code TEXT, name TEXT, \
     data_type TEXT, description TEXT, grade TEXT, personal BIGINT, sensitive_kind TEXT, \
     masked BIGINT, element_code TEXT)",
];

/// The anchor: the same values written raw, one statement per row, in one transaction.
async fn anchor(db: &Db, rows: &[EntryRow]) -> Duration {
    for table in ["bench_items", "bench_entries"] {
        sqlx::query(AssertSqlSafe(format!("DROP TABLE IF EXISTS {table}")))
            .execute(db.pool())
            .await
            .expect("drop an anchor table");
    }
    for sql in ANCHOR_TABLES {
        sqlx::query(AssertSqlSafe(*sql))
            .execute(db.pool())
            .await
            .expect("create an anchor table");
    }
    let started = Instant::now();
    let mut tx = db.pool().begin().await.expect("begin");
    for (n, e) in rows.iter().enumerate() {
        let id = format!("bench-{n}");
        sqlx::query(
            "INSERT INTO bench_entries VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(&id)
        .bind(&e.name)
        .bind(&e.summary)
        .bind(&e.category_code)
        .bind(&e.grade)
        .bind(&e.data_form)
        .bind(&e.share_type)
        .bind(&e.share_conditions)
        .bind(&e.share_scope)
        .bind(e.share_modes.join("；"))
        .bind(&e.open_type)
        .bind(&e.not_open_reason)
        .bind(
            e.legal_bases
                .iter()
                .map(|(law, article)| format!("{law}|{article}"))
                .collect::<Vec<_>>()
                .join("；"),
        )
        .bind(&e.update_frequency)
        .bind(&e.source_dept)
        .bind(&e.collecting_dept)
        .bind(&e.approving_dept)
        .bind(&e.providing_dept)
        .execute(&mut *tx)
        .await
        .expect("insert an anchor entry");
        for (k, i) in e.items.iter().enumerate() {
            sqlx::query(
                "INSERT INTO bench_items VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&id)
            .bind(k as i64)
            .bind(&i.code)
            .bind(&i.name)
            .bind(&i.data_type)
            .bind(&i.description)
            .bind(&i.grade)
            .bind(i64::from(i.personal))
            .bind(&i.sensitive_kind)
            .bind(i64::from(i.masked))
            .bind(&i.element_code)
            .execute(&mut *tx)
            .await
            .expect("insert an anchor item");
        }
    }
    tx.commit().await.expect("commit");
    started.elapsed()
}

/// Runs the import and the anchor `runs` times each, alternating, on the database at `url`.
async fn measure(backend: &str, url: &str, rows: &[EntryRow], bytes: &[u8], runs: usize) {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let engine = gongshu_engine::Engine::new(Default::default()).expect("the query engine");
    let app = App::new(
        db.clone(),
        Arc::new(SystemClock),
        AppConfig::default(),
        Arc::new(engine),
    )
    .await
    .expect("open the application");
    gongshu_demo::seed(&app, "gongshu-demo")
        .await
        .expect("seed the demo city");
    let principal = principal_for_cli(&app, "gaj-admin")
        .await
        .expect("gaj-admin");
    let org = find_org(&app, "市公安局").await.expect("市公安局");

    let mut imports = Vec::new();
    let mut anchors = Vec::new();
    for run in 1..=runs {
        anchors.push(anchor(&db, rows).await);
        let meta = RequestMeta::cli();
        let ctx = Ctx {
            meta: &meta,
            principal: &principal,
        };
        let started = Instant::now();
        let report = import_xlsx(&app, ctx, &org, bytes)
            .await
            .expect("the workbook imports");
        let took = started.elapsed();
        assert_eq!(report.created.len(), rows.len(), "every row is a new entry");
        imports.push(took);
        println!(
            "{backend} run {run}: import {} (anchor {})",
            secs(took),
            secs(anchors[run - 1])
        );
    }
    let (import, raw) = (median(imports), median(anchors));
    println!(
        "{backend}: import median {} | anchor (raw inserts, one transaction) median {} | ratio {:.1}×",
        secs(import),
        secs(raw),
        import.as_secs_f64() / raw.as_secs_f64()
    );
    db.close().await;
}

fn main() {
    let sizes = sizes();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let rows: Vec<EntryRow> = (1..=sizes.entries).map(entry).collect();
    let started = Instant::now();
    let bytes = write_catalog(&rows, &Guide::default()).expect("write the workbook");
    let wrote = started.elapsed();
    let started = Instant::now();
    let read = read_catalog(&bytes).expect("read the workbook back");
    let parsed = started.elapsed();
    assert_eq!(read.len(), rows.len());
    println!(
        "workbook: {} entries × {ITEMS} items, {} KiB; write {} | read alone {}",
        rows.len(),
        bytes.len() / 1024,
        secs(wrote),
        secs(parsed)
    );

    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("gongshu.db").display());
        measure("sqlite", &url, &rows, &bytes, sizes.runs).await;

        let pg = std::env::var("GONGSHU_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.trim().is_empty());
        match pg {
            Some(admin_url) if sizes.postgres => {
                let name = format!("gongshu_bench_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .expect("reach PostgreSQL");
                sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut admin)
                    .await
                    .expect("create the bench database");
                let (base, query) = admin_url
                    .split_once('?')
                    .map_or((admin_url.as_str(), ""), |(b, q)| (b, q));
                let server = base
                    .rsplit_once('/')
                    .map(|(server, _)| server)
                    .expect("GONGSHU_TEST_DATABASE_URL ends in a database name");
                let url = if query.is_empty() {
                    format!("{server}/{name}")
                } else {
                    format!("{server}/{name}?{query}")
                };
                measure("postgres", &url, &rows, &bytes, sizes.runs).await;
                sqlx::query(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await
                .expect("drop the bench database");
                let _ = admin.close().await;
            }
            Some(_) => println!("postgres: skipped in the smoke run"),
            None => println!(
                "postgres: skipped; set GONGSHU_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"
            ),
        }
    });
}
