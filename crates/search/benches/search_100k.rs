//! Issue 3: "a search over 100,000 generated entries answers in under 20 ms at p99".
//!
//! `cargo bench -p gongshu-search` generates 100,000 realistic catalog entries from a seeded
//! generator, indexes them in an on-disk `CatalogIndex`, runs 1,000 mixed queries and prints
//! p50/p95/p99 latency. In the same run, as the anchor, the same entries go into SQLite (FTS5
//! with the `trigram` tokenizer, the best SQLite offers for unsegmented Chinese) and the same
//! queries run there, interleaved query by query so machine noise hits both alike.
//!
//! The anchor does less than the index: `body LIKE '%word%'` per word (trigram-accelerated
//! for words of 3+ characters, a full scan for 2-character words), no relevance ranking (newest
//! first), no synonyms, and facet counts over the filtered rows only (not disjunctive), all
//! computed from the matching rows in Rust.
//!
//! Without `--bench` (as under `cargo test --all-targets`) it runs a small smoke version.
//! `GONGSHU_BENCH_DOCS` and `GONGSHU_BENCH_QUERIES` override the sizes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use gongshu_search::{CatalogIndex, EntryDoc, Facet, SearchQuery};
use rusqlite::{Connection, params_from_iter};

const AGENCIES: &[(&str, &str)] = &[
    ("org-police", "市公安局"),
    ("org-civil", "市民政局"),
    ("org-hrss", "市人力资源和社会保障局"),
    ("org-samr", "市市场监督管理局"),
    ("org-medical", "市医疗保障局"),
    ("org-nature", "市自然资源和规划局"),
    ("org-fund", "市住房公积金管理中心"),
    ("org-edu", "市教育局"),
    ("org-health", "市卫生健康委员会"),
    ("org-disabled", "市残疾人联合会"),
    ("org-tax", "国家税务总局本市税务局"),
    ("org-transport", "市交通运输局"),
    ("org-eco", "市生态环境局"),
    ("org-emergency", "市应急管理局"),
    ("org-housing", "市住房和城乡建设局"),
    ("org-court", "市中级人民法院"),
    ("org-stats", "市统计局"),
    ("org-culture", "市文化广电旅游局"),
    ("org-agri", "市农业农村局"),
    ("org-water", "市水务局"),
    ("org-county1-police", "东城区公安分局"),
    ("org-county1-civil", "东城区民政局"),
    ("org-county2-samr", "西湖县市场监督管理局"),
    ("org-county2-hrss", "西湖县人力资源和社会保障局"),
];

const CATEGORIES: &[(&str, &str)] = &[
    ("B01", "人口"),
    ("B02", "法人单位"),
    ("B03", "自然资源和空间地理"),
    ("B04", "社会信用"),
    ("B05", "电子证照"),
    ("T01", "公共服务"),
    ("T02", "健康保障"),
    ("T03", "社会保障"),
    ("T04", "信用体系"),
    ("T05", "城乡建设"),
    ("T06", "生态环保"),
    ("T07", "应急维稳"),
    ("D01", "部门资源"),
];

/// Subjects of entries; the searched words of the benchmark come from here.
const TOPICS: &[&str] = &[
    "户籍",
    "社会保险",
    "社保",
    "企业",
    "医疗保险",
    "医保",
    "不动产",
    "住房公积金",
    "学籍",
    "婚姻",
    "残疾人",
    "营业执照",
    "出生",
    "死亡",
    "最低生活保障",
    "养老保险",
    "就业",
    "纳税",
    "机动车",
    "驾驶证",
    "房屋",
    "土地",
    "环境",
    "空气质量",
    "水质",
    "疫苗接种",
    "门诊",
    "住院",
    "信用",
    "行政处罚",
    "行政许可",
    "补贴",
    "救助",
    "食品",
    "药品",
    "建筑工地",
    "公交",
    "地铁",
    "气象",
    "地名",
    "人口",
    "流动人口",
    "个体工商户",
    "社会组织",
    "退役军人",
    "老年人",
    "儿童",
    "学校",
    "医疗机构",
    "养老机构",
    "消防",
    "安全生产",
    "危险化学品",
    "森林",
    "河道",
    "排污许可",
];

const OBJECTS: &[&str] = &[
    "基本信息",
    "登记信息",
    "变更记录",
    "缴费记录",
    "统计数据",
    "证照信息",
    "审批结果",
    "名单",
    "明细",
    "台账",
    "档案",
    "监测数据",
    "查询接口",
    "核验服务",
    "年度报告",
    "备案信息",
    "注销信息",
    "申请记录",
    "发放记录",
    "检查结果",
];

const ITEMS: &[&str] = &[
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "民族",
    "户籍所在地",
    "现住址",
    "联系电话",
    "统一社会信用代码",
    "企业名称",
    "法定代表人",
    "注册资本",
    "成立日期",
    "经营范围",
    "登记机关",
    "登记日期",
    "变更日期",
    "状态",
    "金额",
    "缴费基数",
    "险种",
    "参保状态",
    "学校名称",
    "年级",
    "证照编号",
    "发证日期",
    "有效期至",
    "发证机关",
    "不动产单元号",
    "坐落",
    "面积",
    "用途",
    "权利人",
    "婚姻状况",
    "残疾类别",
    "残疾等级",
    "车牌号码",
    "车辆类型",
    "监测点位",
    "监测时间",
    "监测值",
    "处罚决定书文号",
    "处罚事由",
    "许可证号",
    "许可事项",
    "补贴类型",
    "发放金额",
    "发放日期",
    "机构名称",
    "机构地址",
    "床位数",
    "备注",
    "数据来源",
    "更新时间",
    "行政区划代码",
];

const PURPOSES: &[&str] = &[
    "政务服务办理",
    "跨部门业务协同",
    "社会治理",
    "公共服务",
    "监管执法",
    "统计分析",
    "信用评价",
    "应急管理",
    "惠民补贴发放",
    "资格审核",
];

const GRADES: &[&str] = &[
    "general_1",
    "general_2",
    "general_2",
    "general_2",
    "general_3",
    "general_3",
    "general_4",
    "important",
    "core",
];
const SHARE_TYPES: &[&str] = &[
    "unconditional",
    "unconditional",
    "conditional",
    "not_shared",
];
const OPEN_TYPES: &[&str] = &["unconditional", "conditional", "not_open", "not_open"];
const FREQUENCIES: &[&str] = &[
    "real_time",
    "daily",
    "weekly",
    "monthly",
    "monthly",
    "quarterly",
    "half_yearly",
    "yearly",
    "irregular",
];
const FREQUENCY_WORDS: &[&str] = &[
    "实时",
    "每日",
    "每周",
    "每月",
    "每月",
    "每季度",
    "每半年",
    "每年",
    "不定期",
];
const DATA_FORMS: &[&str] = &[
    "electronic_file",
    "spreadsheet",
    "database",
    "database",
    "image",
    "streaming",
    "self_describing",
    "service_interface",
];

const QUALITIES: &[&str] = &["excellent", "good", "fair", "poor", "unscored"];

/// SplitMix64: tiny, seeded, good enough to pick words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn generate(n: usize, rng: &mut Rng) -> Vec<EntryDoc> {
    let mut sequence: HashMap<&str, usize> = HashMap::new();
    (0..n)
        .map(|_| {
            let (agency_id, agency) = *rng.pick(AGENCIES);
            let (category_code, category) = *rng.pick(CATEGORIES);
            let topic = rng.pick(TOPICS);
            let object = rng.pick(OBJECTS);
            let name = if rng.chance(20) {
                format!("{topic}{}{object}", rng.pick(TOPICS))
            } else {
                format!("{topic}{object}")
            };
            let item_count = 5 + rng.below(11);
            let item_names: Vec<String> = (0..item_count)
                .map(|_| rng.pick(ITEMS).to_string())
                .collect();
            let frequency = rng.below(FREQUENCIES.len());
            let summary = format!(
                "{agency}汇集的全市{topic}{object}，涉及{}和{}等相关业务，包括{}、{}、{}等信息项，{}更新，主要用于{}和{}。",
                rng.pick(TOPICS),
                rng.pick(TOPICS),
                item_names[0],
                item_names[1],
                item_names[2],
                FREQUENCY_WORDS[frequency],
                rng.pick(PURPOSES),
                rng.pick(PURPOSES),
            );
            let seq = sequence.entry(category_code).or_default();
            *seq += 1;
            EntryDoc {
                code: format!("{category_code}-{seq:06}"),
                name,
                summary,
                item_names,
                provider_org_id: agency_id.into(),
                provider_name: agency.into(),
                category_code: category_code.into(),
                category_name: category.into(),
                grade: rng.pick(GRADES).to_string(),
                share_type: rng.pick(SHARE_TYPES).to_string(),
                open_type: rng.pick(OPEN_TYPES).to_string(),
                update_frequency: FREQUENCIES[frequency].into(),
                data_form: rng.pick(DATA_FORMS).to_string(),
                // From the sequence, not the generator, so the other fields stay as they were.
                quality: QUALITIES[*seq % QUALITIES.len()].into(),
                // 2016-01-01 plus up to ten years, in microseconds.
                published_at: 1_451_606_400_000_000
                    + (rng.below(10 * 365 * 24 * 3600) as i64) * 1_000_000,
            }
        })
        .collect()
}

/// Kinds of query text in the mix, for the per-kind breakdown.
const KINDS: [&str; 4] = ["one word", "two words", "abbreviation", "no text"];

/// A query mix: single words, two words, abbreviations, filters, no text, later pages; each
/// with the index of its kind in [`KINDS`].
fn queries(n: usize, rng: &mut Rng) -> Vec<(usize, SearchQuery)> {
    (0..n)
        .map(|_| {
            let (kind, mut query) = match rng.below(100) {
                0..40 => (0, SearchQuery::text(*rng.pick(TOPICS))),
                40..70 => (
                    1,
                    SearchQuery::text(format!("{} {}", rng.pick(TOPICS), rng.pick(OBJECTS))),
                ),
                70..80 => (
                    1,
                    SearchQuery::text(format!("{} {}", rng.pick(TOPICS), rng.pick(ITEMS))),
                ),
                80..90 => (
                    2,
                    SearchQuery::text(*rng.pick(&["社保", "医保", "户口", "低保", "企业"])),
                ),
                _ => (3, SearchQuery::default()),
            };
            if rng.chance(35) {
                query = query.filter(Facet::ShareType, *rng.pick(SHARE_TYPES));
                if rng.chance(30) {
                    query = query.filter(Facet::ShareType, *rng.pick(SHARE_TYPES));
                }
            }
            if rng.chance(20) {
                query = query.filter(Facet::Agency, rng.pick(AGENCIES).0);
            }
            if rng.chance(15) {
                query = query.filter(Facet::Grade, *rng.pick(GRADES));
            }
            if rng.chance(10) {
                query = query.filter(Facet::Category, rng.pick(CATEGORIES).0);
            }
            if rng.chance(10) {
                query = query.page(2 + rng.below(4), 20);
            }
            (kind, query)
        })
        .collect()
}

/// The anchor: SQLite FTS5 (trigram) over the same entries.
struct Anchor {
    db: Connection,
}

/// SQLite columns of the facets, in `Facet::ALL` order.
const FACET_COLUMNS: [&str; 7] = [
    "agency",
    "category",
    "grade",
    "share_type",
    "open_type",
    "update_frequency",
    "data_form",
];

impl Anchor {
    fn build(path: &std::path::Path, docs: &[EntryDoc]) -> rusqlite::Result<Self> {
        let mut db = Connection::open(path)?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE entries(
                 id INTEGER PRIMARY KEY, code TEXT NOT NULL, published_at INTEGER NOT NULL,
                 agency TEXT, category TEXT, grade TEXT, share_type TEXT, open_type TEXT,
                 update_frequency TEXT, data_form TEXT);
             CREATE VIRTUAL TABLE entries_fts USING fts5(body, tokenize = 'trigram');",
        )?;
        let tx = db.transaction()?;
        {
            let mut entry =
                tx.prepare("INSERT INTO entries VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")?;
            let mut text = tx.prepare("INSERT INTO entries_fts(rowid, body) VALUES (?1, ?2)")?;
            for (id, doc) in docs.iter().enumerate() {
                let id = id as i64 + 1;
                entry.execute(rusqlite::params![
                    id,
                    doc.code,
                    doc.published_at,
                    doc.provider_org_id,
                    doc.category_code,
                    doc.grade,
                    doc.share_type,
                    doc.open_type,
                    doc.update_frequency,
                    doc.data_form
                ])?;
                let body = format!(
                    "{}\n{}\n{}\n{}\n{}",
                    doc.name,
                    doc.summary,
                    doc.item_names.join("\n"),
                    doc.provider_name,
                    doc.category_name
                );
                text.execute(rusqlite::params![id, body])?;
            }
        }
        tx.commit()?;
        Ok(Self { db })
    }

    /// Total, one page of codes (newest first) and facet counts; returns the total.
    fn search(&self, query: &SearchQuery) -> rusqlite::Result<usize> {
        let mut sql = String::from("SELECT e.code, e.published_at");
        for column in FACET_COLUMNS {
            sql.push_str(", e.");
            sql.push_str(column);
        }
        let mut args: Vec<String> = Vec::new();
        let words: Vec<&str> = query
            .q
            .as_deref()
            .map(|q| q.split_whitespace().collect())
            .unwrap_or_default();
        let mut conditions: Vec<String> = Vec::new();
        if words.is_empty() {
            sql.push_str(" FROM entries e");
        } else {
            sql.push_str(" FROM entries_fts f JOIN entries e ON e.id = f.rowid");
            for word in words {
                args.push(format!("%{word}%"));
                conditions.push(format!("f.body LIKE ?{}", args.len()));
            }
        }
        for facet in Facet::ALL {
            let values: Vec<&String> = query
                .filters
                .iter()
                .filter(|(f, _)| *f == facet)
                .map(|(_, v)| v)
                .collect();
            if values.is_empty() {
                continue;
            }
            let mut placeholders = Vec::new();
            for value in values {
                args.push(value.clone());
                placeholders.push(format!("?{}", args.len()));
            }
            conditions.push(format!(
                "e.{} IN ({})",
                FACET_COLUMNS[facet as usize],
                placeholders.join(", ")
            ));
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        let mut statement = self.db.prepare_cached(&sql)?;
        let mut rows = statement.query(params_from_iter(args.iter()))?;
        let mut total = 0;
        let mut page: Vec<(i64, String)> = Vec::new();
        let want = query.page * query.per_page;
        let mut counts: [HashMap<String, usize>; 7] = Default::default();
        while let Some(row) = rows.next()? {
            total += 1;
            let published_at: i64 = row.get(1)?;
            if page.len() < want || published_at > page[page.len() - 1].0 {
                page.push((published_at, row.get(0)?));
                page.sort_by_key(|(published_at, _)| std::cmp::Reverse(*published_at));
                page.truncate(want);
            }
            for (f, count) in counts.iter_mut().enumerate() {
                let value: String = row.get(2 + f)?;
                *count.entry(value).or_default() += 1;
            }
        }
        std::hint::black_box((&page, &counts));
        Ok(total)
    }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e3
}

struct Summary {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    mean: f64,
}

fn summarise(mut times: Vec<Duration>) -> Summary {
    times.sort();
    Summary {
        p50: percentile(&times, 50.0),
        p95: percentile(&times, 95.0),
        p99: percentile(&times, 99.0),
        max: times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        mean: times.iter().sum::<Duration>().as_secs_f64() * 1e3 / times.len() as f64,
    }
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.metadata().map_or(0, |m| m.len()))
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let n_docs = env_or("GONGSHU_BENCH_DOCS", if full { 100_000 } else { 2_000 });
    let n_queries = env_or("GONGSHU_BENCH_QUERIES", if full { 1_000 } else { 50 });
    let warmup = n_queries / 10;
    let mut rng = Rng(0x6F6E_6773_6875_2033);
    let docs = generate(n_docs, &mut rng);
    let queries = queries(n_queries + warmup, &mut rng);
    let dir = tempfile::tempdir().expect("temp dir");

    println!("gongshu-search benchmark: {n_docs} entries, {n_queries} queries (+{warmup} warm-up)");
    let started = Instant::now();
    let index = CatalogIndex::open(&dir.path().join("tantivy")).expect("open index");
    let indexed = index.rebuild(docs.iter().cloned()).expect("rebuild");
    let tantivy_indexing = started.elapsed();
    assert_eq!(indexed, n_docs);
    assert_eq!(index.num_docs(), n_docs as u64);

    let started = Instant::now();
    let anchor = Anchor::build(&dir.path().join("anchor.sqlite"), &docs).expect("anchor");
    let anchor_indexing = started.elapsed();
    println!(
        "indexing: tantivy+jieba {:.1} s ({:.1} MB on disk), SQLite FTS5 trigram {:.1} s ({:.1} MB)",
        tantivy_indexing.as_secs_f64(),
        dir_size(&dir.path().join("tantivy")) as f64 / 1e6,
        anchor_indexing.as_secs_f64(),
        dir_size(dir.path()) as f64 / 1e6,
    );

    let mut tantivy_times = Vec::with_capacity(n_queries);
    let mut anchor_times = Vec::with_capacity(n_queries);
    let mut by_kind: [Vec<Duration>; KINDS.len()] = Default::default();
    let mut filtered = Vec::new();
    let (mut tantivy_hits, mut anchor_hits) = (0usize, 0usize);
    for (i, (kind, query)) in queries.iter().enumerate() {
        let started = Instant::now();
        let results = index.search(query).expect("search");
        let tantivy_time = started.elapsed();
        let started = Instant::now();
        let anchor_total = anchor.search(query).expect("anchor search");
        let anchor_time = started.elapsed();
        if i >= warmup {
            tantivy_times.push(tantivy_time);
            anchor_times.push(anchor_time);
            by_kind[*kind].push(tantivy_time);
            if !query.filters.is_empty() {
                filtered.push(tantivy_time);
            }
            tantivy_hits += results.total;
            anchor_hits += anchor_total;
        }
    }
    let t = summarise(tantivy_times);
    let a = summarise(anchor_times);
    println!("latency per query (ms)       p50      p95      p99      max     mean");
    for (label, s) in [
        ("tantivy+jieba (gongshu)", &t),
        ("SQLite FTS5 trigram (anchor)", &a),
    ] {
        println!(
            "{label:<28} {:>7.2}  {:>7.2}  {:>7.2}  {:>7.2}  {:>7.2}",
            s.p50, s.p95, s.p99, s.max, s.mean
        );
    }
    println!(
        "anchor / tantivy: p50 {:.1}x, p95 {:.1}x, p99 {:.1}x",
        a.p50 / t.p50,
        a.p95 / t.p95,
        a.p99 / t.p99
    );
    println!(
        "mean matches per query: tantivy {:.0}, anchor {:.0}",
        tantivy_hits as f64 / n_queries as f64,
        anchor_hits as f64 / n_queries as f64
    );
    println!("tantivy by kind of query:");
    for (kind, times) in KINDS
        .into_iter()
        .zip(by_kind)
        .chain([("with filters", filtered)])
    {
        if times.is_empty() {
            continue;
        }
        let count = times.len();
        let s = summarise(times);
        println!(
            "  {kind:<13} n={count:<4} p50 {:>6.2}  p99 {:>6.2}  max {:>6.2}",
            s.p50, s.p99, s.max
        );
    }

    // One publish: replace an entry, commit (fsync) and reload the reader.
    let mut upserts = Vec::new();
    for doc in docs.iter().take(50) {
        let mut doc = doc.clone();
        doc.name.push_str("（修订）");
        let started = Instant::now();
        index.upsert(&doc).expect("upsert");
        upserts.push(started.elapsed());
    }
    let u = summarise(upserts);
    println!(
        "upsert of one entry on disk (commit + reload), 50 runs: p50 {:.2} ms, max {:.2} ms",
        u.p50, u.max
    );
    assert_eq!(index.num_docs(), n_docs as u64);

    if full {
        println!(
            "issue 3 target (p99 < 20 ms over 100,000 entries): {}",
            if t.p99 < 20.0 && n_docs >= 100_000 {
                "met"
            } else {
                "NOT met"
            }
        );
    }
}
