//! Issue 4 item 2 with the lake in S3-compatible storage (DESIGN principle 7: the same code,
//! selected by URL): uploads, reads, rejects downloads, withdrawal and the orphan sweep against
//! a real S3 server — s3s-fs serving a temporary directory inside the test process, so nothing
//! needs installing — through the platform's own object-store client (multipart puts, ranged
//! reads by the query engine, listings, deletes).

use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use gongshu_app::{App, AppConfig};
use gongshu_lake::storage::{Lake, S3Location};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use reqwest::Method;
use serde_json::{Value, json};

use crate::catalog_fixtures::{open_entry, publish, with};
use crate::support::{Client, Resp, TestApp, engine, serve_app};

const BUCKET: &str = "gongshu-lake";
const PREFIX: &str = "city/versions";
const ACCESS_KEY: &str = "gongshu-test";
const SECRET_KEY: &str = "gongshu-test-secret";

/// An S3-compatible server on a loopback port, storing its buckets in a temporary directory.
struct S3Server {
    endpoint: String,
    task: tokio::task::JoinHandle<()>,
    _root: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start_s3() -> S3Server {
    let root = tempfile::tempdir().expect("a directory for the buckets");
    std::fs::create_dir(root.path().join(BUCKET)).expect("create the bucket");
    let fs = s3s_fs::FileSystem::new(root.path()).expect("the S3 file system");
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    S3Server {
        endpoint: format!("http://{addr}"),
        task,
        _root: root,
    }
}

/// What `AmazonS3Builder::from_env` reads from `AWS_*` in production, set explicitly (a test
/// must not change its process's environment).
fn credentials(s3: &S3Server) -> AmazonS3Builder {
    AmazonS3Builder::new()
        .with_endpoint(&s3.endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id(ACCESS_KEY)
        .with_secret_access_key(SECRET_KEY)
}

/// The bucket as another client sees it.
fn bucket(s3: &S3Server) -> Arc<dyn ObjectStore> {
    Arc::new(
        credentials(s3)
            .with_bucket_name(BUCKET)
            .build()
            .expect("an S3 client"),
    )
}

async fn objects(bucket: &Arc<dyn ObjectStore>) -> Vec<String> {
    let mut names: Vec<String> = bucket
        .list(None)
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .expect("list the bucket");
    names.sort();
    names
}

/// The platform over the test's database with its lake in the bucket, staging in `staging`.
async fn open_on_s3(t: &TestApp, s3: &S3Server, grace: Option<Duration>) -> App {
    let location = S3Location::parse(&format!("s3://{BUCKET}/{PREFIX}/")).expect("a location");
    let staging = t.lake_dir.join(".staging");
    let mut lake = Lake::s3(&location, credentials(s3), staging).expect("the S3 lake");
    if let Some(grace) = grace {
        lake = lake.with_orphan_grace(grace);
    }
    let config = AppConfig {
        lake: Some(lake),
        ..AppConfig::default()
    };
    App::new(
        t.db().clone(),
        t.clock.clone(),
        config,
        engine(Default::default()),
    )
    .await
    .expect("the platform opens on S3")
}

async fn upload(client: &Client, code: &str, query: &str, body: &str) -> Resp {
    client
        .send(
            client
                .request(
                    Method::POST,
                    &format!("/api/v1/catalog/entries/{code}/versions?{query}"),
                )
                .body(body.to_owned()),
        )
        .await
}

fn rows(res: &Resp) -> Vec<Value> {
    res.json
        .as_array()
        .unwrap_or_else(|| panic!("{}", res.text))
        .clone()
}

// Issue 4 item 2 (principle 7), H11, H19: with the lake on S3 a version's Parquet file and
// rejects CSV are put into the bucket before the manifest commits; the data API reads the
// version back from the bucket (masked for the public), the rejects download streams from it,
// withdrawal keeps the file, and at start an orphan put straight into the bucket is swept once
// it is older than the grace, while committed files and objects that are not version files
// stay.
pub async fn versions_on_s3_h11_h19_upload_read_rejects_withdraw_and_sweep(t: TestApp) {
    let s3 = start_s3().await;
    let bucket = bucket(&s3);
    let gaj_admin = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    let code = publish(
        &gaj_admin,
        &reviewer,
        with(open_entry("对象存储测试名录"), |e| {
            e["items"] = json!([
                { "code": "xm", "name": "姓名", "data_type": "text", "grade": "general_1", "personal": true, "masked": true },
                { "code": "nl", "name": "年龄", "data_type": "integer", "grade": "general_1" }
            ]);
        }),
    )
    .await;
    let token = t.token_of("gaj-admin").await;
    let app = open_on_s3(&t, &s3, None).await;
    let (base, server) = serve_app(gongshu_web::AppState::new(app, false)).await;
    let gaj = Client::at(&base).with_bearer(&token);
    let public = Client::at(&base);

    let csv = "姓名,年龄\n张三,30\n李四,四十\n王五,52\n";
    let first = upload(&gaj, &code, "filename=a.csv&drop_bad_rows=true", csv).await;
    first.expect_status(201);
    assert_eq!(first.json["version"], 1, "{}", first.text);
    assert_eq!(first.json["rows"], 2);
    let data_file = first.json["data_file"].as_str().unwrap().to_owned();
    let rejects_file = first.json["rejects_file"].as_str().unwrap().to_owned();
    assert!(data_file.starts_with(&format!("{code}/")) && data_file.ends_with(".parquet"));
    assert!(rejects_file.ends_with(".rejects.csv"), "{rejects_file}");
    let stored = objects(&bucket).await;
    assert_eq!(
        stored,
        vec![
            format!("{PREFIX}/{data_file}"),
            format!("{PREFIX}/{rejects_file}")
        ],
        "the version's files are in the bucket under the prefix"
    );
    let parquet = bucket
        .get(&ObjectPath::from(format!("{PREFIX}/{data_file}")))
        .await
        .expect("the Parquet object")
        .bytes()
        .await
        .expect("its bytes");
    assert!(parquet.starts_with(b"PAR1"));
    assert_eq!(first.json["data_bytes"], parquet.len() as i64);
    assert!(
        std::fs::read_dir(t.lake_dir.join(".staging"))
            .map(|d| d.count())
            .unwrap_or(0)
            == 0,
        "nothing stays staged"
    );

    // Reads come from the bucket: the owner as stored, the public masked (H19).
    let data = format!("/api/v1/entries/{code}/data?order=nl&limit=10");
    let owner_rows = rows(gaj.get(&data).await.expect_status(200));
    assert_eq!(
        owner_rows,
        vec![
            json!({"xm": "张三", "nl": 30}),
            json!({"xm": "王五", "nl": 52})
        ]
    );
    let public_rows = rows(public.get(&data).await.expect_status(200));
    assert_eq!(public_rows[0]["xm"], "张*");
    let sql = gaj
        .post(
            "/api/v1/sql",
            json!({ "sql": format!("SELECT sum(nl) AS total FROM \"{code}\"") }),
        )
        .await;
    sql.expect_status(200);
    assert_eq!(sql.json[0]["total"], 82, "{}", sql.text);

    // The rejects download streams the object.
    let res = gaj
        .request(
            Method::GET,
            &format!("/api/v1/entries/{code}/versions/1/rejects"),
        )
        .send()
        .await
        .expect("the request reaches the server");
    assert_eq!(res.status().as_u16(), 200);
    let body = res.bytes().await.expect("the rejects CSV");
    let object = bucket
        .get(&ObjectPath::from(format!("{PREFIX}/{rejects_file}")))
        .await
        .expect("the rejects object")
        .bytes()
        .await
        .expect("its bytes");
    assert_eq!(body, object);
    assert!(String::from_utf8_lossy(&body).contains("四十"));

    // A second version, then the first withdrawn: its file stays.
    let second = upload(&gaj, &code, "filename=b.csv", "姓名,年龄\n赵六,41\n").await;
    second.expect_status(201);
    assert_eq!(second.json["version"], 2);
    let current = rows(gaj.get(&data).await.expect_status(200));
    assert_eq!(current, vec![json!({"xm": "赵六", "nl": 41})]);
    gaj.post(
        &format!("/api/v1/catalog/entries/{code}/versions/1/withdraw"),
        json!({ "reason": "数据有误" }),
    )
    .await
    .expect_status(200);
    gaj.get(&format!("/api/v1/entries/{code}/data?version=1"))
        .await
        .expect_problem(404, "not_found");
    let committed = objects(&bucket).await;
    assert_eq!(committed.len(), 3, "{committed:?}");
    server.abort();

    // A crash's leftover, put straight into the bucket, and objects that are not version files.
    let orphan = ObjectPath::from(format!("{PREFIX}/{code}/0193-crashed.parquet"));
    let orphan_rejects = ObjectPath::from(format!("{PREFIX}/{code}/0193-crashed.rejects.csv"));
    let note = ObjectPath::from(format!("{PREFIX}/{code}/README.txt"));
    let outside = ObjectPath::from(format!("elsewhere/{code}/v1.parquet"));
    for path in [&orphan, &orphan_rejects, &note, &outside] {
        bucket
            .put(path, PutPayload::from_static(b"PAR1 no manifest"))
            .await
            .expect("put an object directly");
    }
    // Within the grace another replica may be about to commit it: it stays.
    open_on_s3(&t, &s3, None).await;
    assert!(bucket.head(&orphan).await.is_ok(), "a young orphan stays");
    // Past the grace it is swept; everything else stays, and the data still reads.
    let app = open_on_s3(&t, &s3, Some(Duration::ZERO)).await;
    let after = objects(&bucket).await;
    assert!(
        bucket.head(&orphan).await.is_err() && bucket.head(&orphan_rejects).await.is_err(),
        "the orphans are removed: {after:?}"
    );
    for kept in committed
        .iter()
        .map(|c| ObjectPath::from(c.as_str()))
        .chain([note, outside])
    {
        assert!(bucket.head(&kept).await.is_ok(), "{kept} stays: {after:?}");
    }
    let (base, server) = serve_app(gongshu_web::AppState::new(app, false)).await;
    let current = rows(
        Client::at(&base)
            .with_bearer(&token)
            .get(&data)
            .await
            .expect_status(200),
    );
    assert_eq!(current, vec![json!({"xm": "赵六", "nl": 41})]);
    server.abort();
}
