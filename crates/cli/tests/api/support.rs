//! `TestApp`: one platform per test — a fresh database (SQLite file or PostgreSQL database),
//! migrated, the demo city seeded, the real router served on 127.0.0.1:0 — with HTTP clients
//! that log in as demo users, direct database access for tamper tests, and the injected clock.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use gongshu_app::{App, AppConfig, FixedClock};
use gongshu_audit::VerifyReport;
use gongshu_demo::DemoUser;
use gongshu_lake::storage::Lake;
use gongshu_query::{Limits, QueryEngine};
use gongshu_store::Db;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection};

/// The password every demo user shares.
pub const DEMO_PASSWORD: &str = "gongshu-demo";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A running platform with the demo city.
pub struct TestApp {
    pub base: String,
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub backend: Backend,
    pub demo_users: Vec<DemoUser>,
    /// The lake directory data versions are written to (issue 4 item 2).
    pub lake_dir: PathBuf,
}

/// What must be cleaned up after a test, whatever its outcome.
pub struct Teardown {
    db: Db,
    server: tokio::task::JoinHandle<()>,
    place: Place,
    lake_dir: PathBuf,
}

enum Place {
    SqliteDir(PathBuf),
    PostgresDb { admin_url: String, name: String },
}

impl Teardown {
    pub async fn run(self) {
        self.server.abort();
        self.db.close().await;
        let _ = std::fs::remove_dir_all(&self.lake_dir);
        match self.place {
            Place::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Place::PostgresDb { admin_url, name } => {
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .expect("connect to PostgreSQL to drop the test database");
                sqlx::query(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await
                .expect("drop the test database");
                let _ = admin.close().await;
            }
        }
    }
}

/// The moment every test starts at: a Monday morning in Beijing, 2025-09-01 09:00 UTC+8.
pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 1, 1, 0, 0).unwrap()
}

impl TestApp {
    pub async fn spawn(backend: Backend, pg_url: Option<&str>) -> (TestApp, Teardown) {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let (url, place) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("gongshu-test-{unique}"));
                std::fs::create_dir_all(&dir).expect("create a temporary directory");
                let url = format!("sqlite://{}", dir.join("gongshu.db").display());
                (url, Place::SqliteDir(dir))
            }
            Backend::Postgres => {
                let admin_url = pg_url
                    .expect("set GONGSHU_TEST_DATABASE_URL to run the PostgreSQL tests")
                    .to_owned();
                let name = format!("gongshu_t_{}", &unique[..16]);
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin_url}: {e}"));
                sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut admin)
                    .await
                    .expect("create the test database");
                let _ = admin.close().await;
                let mut url = reqwest::Url::parse(&admin_url).expect("a database URL");
                url.set_path(&format!("/{name}"));
                (url.to_string(), Place::PostgresDb { admin_url, name })
            }
        };
        let db = Db::connect(&url)
            .await
            .expect("connect to the test database");
        db.migrate().await.expect("migrate the test database");
        let clock = Arc::new(FixedClock::new(start_time()));
        let lake_dir = std::env::temp_dir().join(format!("gongshu-lake-{unique}"));
        let config = AppConfig {
            lake: Some(Lake::directory(lake_dir.clone()).expect("open the lake directory")),
            // Three full verification batches a minute, so the limit is reached in a test.
            verify_keys_per_minute: 3_000,
            ..AppConfig::default()
        };
        let app = App::new(db.clone(), clock.clone(), config, engine(Limits::default()))
            .await
            .expect("open the application");
        let summary = gongshu_demo::seed(&app, DEMO_PASSWORD)
            .await
            .expect("seed the demo city");
        assert!(summary.seeded, "a fresh database is seeded");

        let (base, server) = serve_app(gongshu_web::AppState::new(app.clone(), false)).await;
        let test_app = TestApp {
            base,
            app,
            clock,
            backend,
            demo_users: summary.users,
            lake_dir: lake_dir.clone(),
        };
        (
            test_app,
            Teardown {
                db,
                server,
                place,
                lake_dir,
            },
        )
    }

    /// Serves the same platform a second time, on another loopback port, with another web
    /// configuration (secure cookies, trusted proxies, metrics access); returns its base
    /// address. The server stops with the test's runtime.
    pub async fn serve(&self, config: gongshu_web::WebConfig) -> String {
        serve_app(gongshu_web::AppState::with_config(self.app.clone(), config))
            .await
            .0
    }

    /// A server behind a "reverse proxy" on loopback: it believes `X-Forwarded-For` from
    /// 127.0.0.1, so a client can come from any address ([`Client::coming_from`]).
    pub async fn behind_proxy(&self) -> String {
        self.serve(gongshu_web::WebConfig {
            secure_cookies: false,
            trusted_proxies: vec!["127.0.0.1".parse().expect("an address")],
            ..gongshu_web::WebConfig::default()
        })
        .await
    }

    pub fn db(&self) -> &Db {
        self.app.db()
    }

    /// Opens the platform again over the same database and lake with `change` made to its
    /// configuration, and serves it; returns its base URL and the server task. Sessions are
    /// cookies of the first server's address, so clients of this one use
    /// [`TestApp::token_of`].
    pub async fn serve_with(
        &self,
        change: impl FnOnce(&mut AppConfig),
    ) -> (String, tokio::task::JoinHandle<()>) {
        self.serve_reopened(change, Limits::default()).await
    }

    /// [`TestApp::serve_with`] an unchanged configuration and a query engine with `change`
    /// made to its limits.
    pub async fn serve_with_query_limits(
        &self,
        change: impl FnOnce(&mut Limits),
    ) -> (String, tokio::task::JoinHandle<()>) {
        let mut limits = Limits::default();
        change(&mut limits);
        self.serve_reopened(|_| {}, limits).await
    }

    async fn serve_reopened(
        &self,
        change: impl FnOnce(&mut AppConfig),
        limits: Limits,
    ) -> (String, tokio::task::JoinHandle<()>) {
        let mut config = AppConfig {
            lake: Some(Lake::directory(self.lake_dir.clone()).expect("the lake")),
            sweep_lake: false,
            ..AppConfig::default()
        };
        change(&mut config);
        let app = App::new(
            self.db().clone(),
            self.clock.clone(),
            config,
            engine(limits),
        )
        .await
        .expect("the platform opens with the changed configuration");
        serve_app(gongshu_web::AppState::new(app, false)).await
    }

    /// A personal API token of `username`, for clients of another server.
    pub async fn token_of(&self, username: &str) -> String {
        let res = self
            .login(username)
            .await
            .post(
                "/api/v1/me/tokens",
                json!({ "name": "测试令牌", "expires_in_days": 1 }),
            )
            .await;
        res.expect_status(201);
        res.json["token"].as_str().expect("the secret").to_owned()
    }

    /// A client with no credentials (but a cookie jar, so it can log in later).
    pub fn anonymous(&self) -> Client {
        Client::new(&self.base, None)
    }

    /// A client holding a session of `username` (demo password).
    pub async fn login(&self, username: &str) -> Client {
        self.login_with(username, DEMO_PASSWORD).await
    }

    /// A browser-like client with no credentials that does not follow redirects, so console
    /// tests see the `303 See Other` and its `Location` themselves.
    pub fn browser(&self) -> Client {
        Client::without_redirects(&self.base)
    }

    /// A browser-like client (redirects not followed) holding a session of `username`; the
    /// session cookie from the API login works for the console pages too.
    pub async fn browser_login(&self, username: &str) -> Client {
        let client = self.browser();
        let res = client.login(username, DEMO_PASSWORD).await;
        res.expect_status(200);
        assert_eq!(res.json["username"], username);
        client
    }

    pub async fn login_with(&self, username: &str, password: &str) -> Client {
        let client = self.anonymous();
        let res = client.login(username, password).await;
        res.expect_status(200);
        assert_eq!(res.json["username"], username);
        client
    }

    /// Moves the platform's clock forward.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Moves the platform's clock to `at` (forward only, as time goes). Sessions idle past
    /// thirty minutes end, so log in again afterwards.
    pub fn set_now(&self, at: chrono::DateTime<Utc>) {
        use gongshu_app::Clock;
        let by = at - self.clock.now();
        assert!(by >= Duration::zero(), "the clock only moves forward");
        self.clock.advance(by);
    }

    pub async fn account_id(&self, username: &str) -> String {
        self.scalar_text("SELECT id FROM accounts WHERE username = $1", username)
            .await
    }

    pub async fn org_id(&self, name: &str) -> String {
        self.scalar_text("SELECT id FROM organisations WHERE name = $1", name)
            .await
    }

    async fn scalar_text(&self, sql: &'static str, arg: &str) -> String {
        sqlx::query_scalar::<_, String>(sql)
            .bind(arg)
            .fetch_optional(self.db().pool())
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no row for {arg}"))
    }

    /// How many audit events the database holds.
    pub async fn audit_count(&self) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events")
            .fetch_one(self.db().pool())
            .await
            .expect("count audit events")
    }

    /// A `SELECT COUNT(*) …` (or any single integer) read directly from the database.
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.to_owned()))
            .fetch_one(self.db().pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The newest audit event, as stored.
    pub async fn last_event(&self) -> gongshu_audit::AuditEvent {
        let mut conn = self.db().pool().acquire().await.expect("connection");
        gongshu_audit::list_events(&mut conn, &Default::default(), 1)
            .await
            .expect("list events")
            .pop()
            .expect("at least one event")
    }

    /// The newest event of `action`.
    pub async fn last_event_of(&self, action: &str) -> gongshu_audit::AuditEvent {
        let mut conn = self.db().pool().acquire().await.expect("connection");
        let filter = gongshu_audit::EventFilter {
            action: Some(action.to_owned()),
            ..Default::default()
        };
        gongshu_audit::list_events(&mut conn, &filter, 1)
            .await
            .expect("list events")
            .pop()
            .unwrap_or_else(|| panic!("no {action} event"))
    }

    /// The payload of the delivery event of the request behind `res`. It is written when the
    /// body has gone out, so it may land just after the client has read the body: wait for it
    /// (at most five seconds).
    pub async fn delivery_of(&self, res: &Resp) -> Value {
        let request_id = res.header("x-request-id").expect("a request id").to_owned();
        for _ in 0..100 {
            let mut conn = self.db().pool().acquire().await.expect("connection");
            let filter = gongshu_audit::EventFilter {
                action: Some("deliver_data".into()),
                ..Default::default()
            };
            let events = gongshu_audit::list_events(&mut conn, &filter, 50)
                .await
                .expect("list events");
            if let Some(e) = events.iter().find(|e| e.request_id == request_id) {
                return serde_json::from_str(&e.payload).expect("a JSON payload");
            }
            drop(conn);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no delivery event for request {request_id}")
    }

    /// Recomputes the SM3 chain, as `gongshu audit verify` does.
    pub async fn verify_chain(&self) -> VerifyReport {
        let mut conn = self.db().pool().acquire().await.expect("connection");
        gongshu_audit::verify(&mut conn).await.expect("verify")
    }

    /// Runs one statement directly on the database, bypassing the platform.
    pub async fn execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        sqlx::query(AssertSqlSafe(sql.to_owned()))
            .execute(self.db().pool())
            .await
            .map(|r| r.rows_affected())
    }

    /// Removes the append-only triggers, as an attacker with database access could.
    pub async fn drop_audit_triggers(&self) {
        let statements: &[&str] = match self.backend {
            Backend::Sqlite => &[
                "DROP TRIGGER audit_events_no_update",
                "DROP TRIGGER audit_events_no_delete",
            ],
            Backend::Postgres => &["DROP TRIGGER audit_events_no_update ON audit_events"],
        };
        for sql in statements {
            self.execute(sql).await.expect("drop trigger");
        }
    }
}

/// Serves `state`'s router on a loopback port; returns its base URL and the server task.
/// The query engine the platform runs reads on, as the binary builds it (DataFusion).
pub fn engine(limits: Limits) -> Arc<dyn QueryEngine> {
    Arc::new(gongshu_engine::Engine::new(limits).expect("the query engine"))
}

pub async fn serve_app(state: gongshu_web::AppState) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    let router = gongshu_web::router(state);
    let server = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    (format!("http://{addr}"), server)
}

/// An HTTP client of the platform: a cookie jar, optionally a bearer token; a browser-like
/// client also sends the platform's `Origin` on every request, as browsers do on POST.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    bearer: Option<String>,
    origin: Option<String>,
    /// Sent as `X-Forwarded-For`, as a reverse proxy would for a client at that address.
    forwarded_for: Option<String>,
}

impl Client {
    fn new(base: &str, bearer: Option<String>) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("build an HTTP client");
        Self {
            http,
            base: base.to_owned(),
            bearer,
            origin: None,
            forwarded_for: None,
        }
    }

    fn without_redirects(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("build an HTTP client");
        Self {
            http,
            base: base.to_owned(),
            bearer: None,
            origin: Some(base.to_owned()),
            forwarded_for: None,
        }
    }

    /// Another client of the same platform holding a session of `username` (demo password).
    pub async fn other(&self, username: &str) -> Client {
        let client = Client::new(&self.base, None);
        client
            .login(username, DEMO_PASSWORD)
            .await
            .expect_status(200);
        client
    }

    /// The same client (same cookie jar) as if it connected from `addr` through the proxy of
    /// [`TestApp::behind_proxy`].
    pub fn coming_from(&self, addr: &str) -> Client {
        Client {
            forwarded_for: Some(addr.to_owned()),
            ..self.clone()
        }
    }

    /// The same client (same cookie jar) sending `origin` as its `Origin`, or none at all.
    pub fn with_origin(&self, origin: Option<&str>) -> Client {
        Client {
            origin: origin.map(str::to_owned),
            ..self.clone()
        }
    }

    /// A client with no credentials of a platform served at `base` (another server over the
    /// test's database).
    pub fn at(base: &str) -> Client {
        Client::new(base, None)
    }

    /// A client that authenticates with `Authorization: Bearer <token>` only.
    pub fn with_bearer(&self, token: &str) -> Client {
        Client {
            forwarded_for: self.forwarded_for.clone(),
            ..Client::new(&self.base, Some(token.to_owned()))
        }
    }

    pub async fn login(&self, username: &str, password: &str) -> Resp {
        self.post(
            "/api/v1/auth/login",
            json!({ "username": username, "password": password }),
        )
        .await
    }

    /// A request builder for anything the helpers below do not cover.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(origin) = &self.origin {
            req = req.header(reqwest::header::ORIGIN, origin);
        }
        if let Some(addr) = &self.forwarded_for {
            req = req.header("x-forwarded-for", addr);
        }
        match &self.bearer {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        Resp::read(req.send().await.expect("the request reaches the server")).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(self.request(Method::POST, path).json(&body))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(self.request(Method::PUT, path).json(&body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(self.request(Method::DELETE, path)).await
    }

    /// `GET /api/v1/me`, expected to succeed.
    pub async fn me(&self) -> Value {
        let res = self.get("/api/v1/me").await;
        res.expect_status(200);
        res.json
    }
}

/// A response, read completely.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body as JSON; `Null` when it is not JSON.
    pub json: Value,
}

impl Resp {
    async fn read(res: reqwest::Response) -> Resp {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("read the response body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            json,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    #[track_caller]
    pub fn expect_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "expected HTTP {status}, got {}: {}",
            self.status, self.text
        );
        self
    }

    /// The problem's stable code.
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or("")
    }

    /// `(field, code)` of every field error in a problem.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.json["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or("").to_owned(),
                            e["code"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// An RFC 9457 problem with this status and code, messages in both languages, a request
    /// id, and never a server error.
    #[track_caller]
    pub fn expect_problem(&self, status: u16, code: &str) -> &Self {
        assert!(self.status < 500, "a server error: {}", self.text);
        self.expect_status(status);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        assert_eq!(self.code(), code, "{}", self.text);
        assert_eq!(self.json["status"], status, "{}", self.text);
        for lang in ["zh", "en"] {
            let message = self.json["message"][lang].as_str().unwrap_or("");
            assert!(
                !message.is_empty(),
                "message.{lang} is empty: {}",
                self.text
            );
        }
        assert!(
            self.header("x-request-id").is_some_and(|id| !id.is_empty()),
            "no x-request-id on a problem response"
        );
        self
    }

    /// A 422 `invalid_input` problem naming `field` with `code`.
    #[track_caller]
    pub fn expect_field_error(&self, field: &str, code: &str) -> &Self {
        self.expect_problem(422, "invalid_input");
        let errors = self.field_errors();
        assert!(
            errors.iter().any(|(f, c)| f == field && c == code),
            "expected field error {field}/{code}, got {errors:?}"
        );
        self
    }
}

/// A valid, unique credit code (GB 32100) for the n-th test organisation.
pub fn credit_code(n: u32) -> String {
    let first17 = format!("91150100MA{:07}", 3_000_000 + n);
    gongshu_domain::CreditCode::complete(&first17)
        .expect("the test codes use the credit-code alphabet")
        .to_string()
}

/// A valid citizen ID (GB 11643 check digit) of the i-th test person, born in the 1980s.
pub fn citizen_id(i: usize) -> String {
    let body = format!(
        "150102198{}0{}1{}{:03}",
        i % 10,
        1 + i % 9,
        i % 10,
        100 + i % 900
    );
    let check = gongshu_domain::CitizenId::check_char_for(&body).expect("17 digits");
    format!("{body}{check}")
}

/// The body of `POST /api/v1/organisations` for a city agency under `parent_id`.
pub fn city_agency(parent_id: &str, n: u32) -> Value {
    json!({
        "parent_id": parent_id,
        "kind": "agency",
        "level": "city",
        "name": format!("测试机构{n}号"),
        "credit_code": credit_code(n),
        "liaison_name": "测试联络人",
        "liaison_phone": "0471-6900999",
    })
}

/// A holiday notice for 2027, a year the platform does not ship. National Day 1–7 October
/// (Friday to Thursday) with Saturday 9 October worked instead.
pub fn year_2027() -> Value {
    json!({
        "year": 2027,
        "source": "测试用2027年节假日安排",
        "holidays": [
            { "name": "元旦", "from": "2027-01-01", "to": "2027-01-03" },
            { "name": "国庆节", "from": "2027-10-01", "to": "2027-10-07" }
        ],
        "adjusted_working_days": ["2027-09-26", "2027-10-09"]
    })
}
