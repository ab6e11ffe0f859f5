//! The client of the load benchmark (`benches/load.py`, issue 11 item 10): N concurrent
//! clients, each signed in as a demo user, run a mix of requests for a fixed time — login,
//! catalog search, an entry's page, a page of data, a small aggregate, one SQL query — with a
//! think time between them, and record each request's kind, status and latency after a
//! warm-up in which they sign in. Optionally a
//! saturating reader runs endless SQL joins beside them, as many at once as the executor lets
//! one reader have; its answers (429 expected) are counted apart. Prints one JSON document.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[derive(Parser, Debug, Clone)]
struct Args {
    /// The platform, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    base: String,
    #[arg(long, default_value_t = 50)]
    clients: usize,
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Pause between one client's requests (each client waits a random 0.5–1.5× of it).
    #[arg(long, default_value_t = 1000)]
    think_ms: u64,
    /// Seconds before measuring starts: the clients sign in (spread over this time) and run
    /// the mix unrecorded, so fifty simultaneous password checks at the start do not count.
    #[arg(long, default_value_t = 5)]
    warmup: u64,
    /// Demo users the clients sign in as, comma-separated (client i uses user i mod n).
    #[arg(long, value_delimiter = ',')]
    users: Vec<String>,
    #[arg(long, default_value = "gongshu-demo")]
    password: String,
    /// A published entry with data the users may read (the data page, aggregate and SQL).
    #[arg(long)]
    entry: String,
    /// Column to group the small aggregate and the SQL query by.
    #[arg(long)]
    group_by: String,
    /// Words searched in the catalog, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "户籍,社保,企业,交通,人口,医疗"
    )]
    words: Vec<String>,
    /// Entry codes whose catalog pages are read, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pages: Vec<String>,
    /// Sign in as this user and keep the SQL executor saturated beside the mix.
    #[arg(long)]
    saturate_as: Option<String>,
    /// How many endless queries the saturating reader keeps running at once.
    #[arg(long, default_value_t = 2)]
    saturate_queries: usize,
}

/// Request kinds of the mix, with their weights.
const MIX: [(&str, u32); 6] = [
    ("login", 5),
    ("search", 25),
    ("entry", 25),
    ("data_page", 20),
    ("aggregate", 15),
    ("sql", 10),
];

/// A small, seedable generator (xorshift64*): the mix needs spread, not cryptography.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Default)]
struct Kind {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
}

type Record = Arc<Mutex<BTreeMap<&'static str, Kind>>>;

fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(4)
        .build()?)
}

async fn login(http: &reqwest::Client, args: &Args, user: &str) -> anyhow::Result<u16> {
    let res = http
        .post(format!("{}/api/v1/auth/login", args.base))
        .header("origin", &args.base)
        .json(&json!({ "username": user, "password": args.password }))
        .send()
        .await?;
    let status = res.status().as_u16();
    res.bytes().await?;
    Ok(status)
}

/// One request of `kind`; its status (0 when it did not get an answer).
async fn request(
    http: &reqwest::Client,
    args: &Args,
    user: &str,
    kind: &str,
    rng: &mut Rng,
) -> u16 {
    let base = &args.base;
    let entry = &args.entry;
    let sent = match kind {
        "login" => return login(http, args, user).await.unwrap_or(0),
        "search" => {
            let word = &args.words[rng.below(args.words.len() as u64) as usize];
            http.get(format!("{base}/api/v1/catalog/entries"))
                .query(&[("q", word.as_str()), ("per_page", "20")])
                .send()
                .await
        }
        "entry" => {
            let code = &args.pages[rng.below(args.pages.len() as u64) as usize];
            http.get(format!("{base}/api/v1/catalog/entries/{code}"))
                .send()
                .await
        }
        "data_page" => {
            http.get(format!("{base}/api/v1/entries/{entry}/data"))
                .query(&[("limit", "100")])
                .send()
                .await
        }
        "aggregate" => {
            http.get(format!("{base}/api/v1/entries/{entry}/data/aggregate"))
                .query(&[("group_by", args.group_by.as_str()), ("measures", "count")])
                .send()
                .await
        }
        "sql" => {
            let g = &args.group_by;
            let sql = format!(
                "SELECT {g}, count(*) AS n FROM \"{entry}\" GROUP BY {g} ORDER BY n DESC LIMIT 10"
            );
            http.post(format!("{base}/api/v1/sql"))
                .json(&json!({ "sql": sql }))
                .send()
                .await
        }
        other => unreachable!("no request kind {other}"),
    };
    match sent {
        Ok(res) => {
            let status = res.status().as_u16();
            match res.bytes().await {
                Ok(_) => status,
                Err(_) => 0,
            }
        }
        Err(_) => 0,
    }
}

fn pick(rng: &mut Rng) -> &'static str {
    let total: u32 = MIX.iter().map(|(_, w)| w).sum();
    let mut at = rng.below(u64::from(total)) as u32;
    for (kind, weight) in MIX {
        if at < weight {
            return kind;
        }
        at -= weight;
    }
    MIX[0].0
}

async fn run_client(
    n: usize,
    args: Arc<Args>,
    (from, until): (Instant, Instant),
    record: Record,
) -> anyhow::Result<()> {
    let user = args.users[n % args.users.len()].clone();
    let http = client()?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (n as u64 + 1).wrapping_mul(0x100_0000_01B3));
    // Sign-ins spread over the first half of the warm-up.
    let spread = args.warmup.saturating_mul(500).max(1);
    tokio::time::sleep(Duration::from_millis(rng.below(spread))).await;
    let status = login(&http, &args, &user).await?;
    anyhow::ensure!(
        status == 200,
        "client {n} could not sign in as {user}: {status}"
    );
    while Instant::now() < until {
        let kind = pick(&mut rng);
        let started = Instant::now();
        let status = request(&http, &args, &user, kind, &mut rng).await;
        let took = started.elapsed().as_micros() as u64;
        if started >= from {
            let mut record = record.lock().await;
            let k = record.entry(kind).or_default();
            k.latencies_us.push(took);
            *k.statuses.entry(status).or_default() += 1;
        }
        let think = args.think_ms / 2 + rng.below(args.think_ms.max(1));
        tokio::time::sleep(Duration::from_millis(think)).await;
    }
    Ok(())
}

/// Endless joins, one after the other, `saturate_queries` at a time.
async fn saturate(
    args: Arc<Args>,
    user: String,
    (from, until): (Instant, Instant),
    record: Record,
) -> anyhow::Result<()> {
    let http = client()?;
    anyhow::ensure!(
        login(&http, &args, &user).await? == 200,
        "saturator cannot sign in"
    );
    let e = &args.entry;
    let g = &args.group_by;
    // Every row paired with every row of its group: billions of rows counted, little memory
    // held, so each query runs until the executor's deadline stops it.
    let sql = format!(
        "SELECT count(*) FROM \"{e}\" a JOIN \"{e}\" b ON a.{g} = b.{g} WHERE a.{g} IS NOT NULL"
    );
    let mut workers = Vec::new();
    for _ in 0..args.saturate_queries {
        let (http, args, sql, record) = (
            http.clone(),
            Arc::clone(&args),
            sql.clone(),
            Arc::clone(&record),
        );
        workers.push(tokio::spawn(async move {
            while Instant::now() < until {
                let started = Instant::now();
                let left = until.saturating_duration_since(started);
                let sent = http
                    .post(format!("{}/api/v1/sql", args.base))
                    .json(&json!({ "sql": sql }))
                    .timeout(left.max(Duration::from_millis(10)))
                    .send()
                    .await;
                let status = match sent {
                    Ok(res) => {
                        let s = res.status().as_u16();
                        if res.bytes().await.is_ok() { s } else { 0 }
                    }
                    Err(_) => 0,
                };
                // A query still running when the phase ends is cut off by the client: not an
                // answer of the platform.
                if status == 0 && Instant::now() >= until {
                    break;
                }
                if started < from {
                    continue;
                }
                let mut record = record.lock().await;
                let k = record.entry("saturating_sql").or_default();
                k.latencies_us.push(started.elapsed().as_micros() as u64);
                *k.statuses.entry(status).or_default() += 1;
                drop(record);
                if status == 429 {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }));
    }
    for w in workers {
        w.await?;
    }
    Ok(())
}

fn quantile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[at] as f64 / 1000.0
}

fn main() -> anyhow::Result<()> {
    let args = Arc::new(Args::parse());
    anyhow::ensure!(!args.users.is_empty(), "--users is empty");
    anyhow::ensure!(!args.pages.is_empty(), "--pages is empty");
    // One thread: the load's own CPU stays small beside the server on a shared machine.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let record: Record = Arc::default();
        let from = Instant::now() + Duration::from_secs(args.warmup);
        let window = (from, from + Duration::from_secs(args.seconds));
        let mut tasks = Vec::new();
        for n in 0..args.clients {
            tasks.push(tokio::spawn(run_client(
                n,
                Arc::clone(&args),
                window,
                Arc::clone(&record),
            )));
        }
        if let Some(user) = args.saturate_as.clone() {
            tasks.push(tokio::spawn(saturate(
                Arc::clone(&args),
                user,
                window,
                Arc::clone(&record),
            )));
        }
        for t in tasks {
            t.await??;
        }
        let elapsed = from.elapsed().as_secs_f64();
        let record = record.lock().await;
        let mut kinds = serde_json::Map::new();
        let mut mixed = 0u64;
        for (kind, k) in record.iter() {
            let mut sorted = k.latencies_us.clone();
            sorted.sort_unstable();
            if *kind != "saturating_sql" {
                mixed += sorted.len() as u64;
            }
            let statuses: serde_json::Map<String, Value> = k
                .statuses
                .iter()
                .map(|(s, n)| (s.to_string(), json!(n)))
                .collect();
            kinds.insert(
                (*kind).to_owned(),
                json!({
                    "count": sorted.len(),
                    "p50_ms": quantile(&sorted, 0.50),
                    "p99_ms": quantile(&sorted, 0.99),
                    "max_ms": quantile(&sorted, 1.0),
                    "statuses": statuses,
                }),
            );
        }
        let out = json!({
            "clients": args.clients,
            "seconds": elapsed,
            "think_ms": args.think_ms,
            "requests": mixed,
            "throughput_rps": mixed as f64 / elapsed,
            "kinds": kinds,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        anyhow::Ok(())
    })
}
