//! Ingest benchmark (issue 4, "done when"): a deterministic CSV of realistic people data
//! (checksum-valid citizen IDs and credit codes, Chinese names and addresses, dates, decimals),
//! ingested to Parquet; anchored in the same run against the raw cost of reading the same CSV
//! with the `csv` crate and writing every column as an Arrow string to Parquet (same codec),
//! with no coercion or validation. Prints rows/s, MB/s, peak RSS and the ratio.
//!
//! `cargo bench -p gongshu-lake` (1,000,000 rows); `GONGSHU_BENCH_ROWS=10000000` for more.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, RecordBatch, StringBuilder};
use arrow::datatypes::{DataType as ArrowType, Field, Schema};
use gongshu_domain::catalog::DataType;
use gongshu_domain::{CitizenId, CreditCode};
use gongshu_lake::{Format, IngestOptions, ItemSpec, Source, ingest};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "欧阳",
    "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强",
    "晓东",
];
const DISTRICTS: &[(&str, &str)] = &[
    ("330105", "浙江省杭州市拱墅区"),
    ("330106", "浙江省杭州市西湖区"),
    ("330102", "浙江省杭州市上城区"),
    ("330108", "浙江省杭州市滨江区"),
    ("330110", "浙江省杭州市余杭区"),
    ("330109", "浙江省杭州市萧山区"),
];
const STREETS: &[&str] = &[
    "湖墅南路",
    "文三路",
    "延安路",
    "江南大道",
    "莫干山路",
    "解放路",
    "凤起路",
    "学院路",
];

/// SplitMix64: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn items() -> Vec<ItemSpec> {
    vec![
        ItemSpec::new("sfzh", "公民身份号码", DataType::CitizenId, true),
        ItemSpec::new("xm", "姓名", DataType::Text, true),
        ItemSpec::new("xb", "性别", DataType::Text, false),
        ItemSpec::new("csrq", "出生日期", DataType::Date, false),
        ItemSpec::new("jtrk", "家庭人口", DataType::Integer, false),
        ItemSpec::new("ysr", "月收入", DataType::Decimal, false),
        ItemSpec::new("djsj", "登记时间", DataType::DateTime, false),
        ItemSpec::new("sfzz", "是否在职", DataType::Boolean, false),
        ItemSpec::new("dwdm", "单位统一社会信用代码", DataType::CreditCode, false),
        ItemSpec::new("jtzz", "家庭住址", DataType::Text, false),
    ]
}

fn generate(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(
        out,
        "公民身份号码,姓名,性别,出生日期,家庭人口,月收入,登记时间,是否在职,单位统一社会信用代码,家庭住址"
    )?;
    let mut rng = Rng(20_261_123);
    const CREDIT_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    for _ in 0..rows {
        let (code, district) = *rng.pick(DISTRICTS);
        let (y, m, d) = (1940 + rng.below(66), 1 + rng.below(12), 1 + rng.below(28));
        let seq = rng.below(1000);
        let female = seq.is_multiple_of(2);
        let first17 = format!("{code}{y:04}{m:02}{d:02}{seq:03}");
        let id = format!(
            "{first17}{}",
            CitizenId::check_char_for(&first17).expect("17 digits")
        );
        let name = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
        let members = 1 + rng.below(6);
        let income = format!("{}.{:02}", 2000 + rng.below(48_000), rng.below(100));
        let registered = format!(
            "2024-{:02}-{:02} {:02}:{:02}:{:02}",
            1 + rng.below(12),
            1 + rng.below(28),
            8 + rng.below(10),
            rng.below(60),
            rng.below(60)
        );
        let employed = if rng.below(10) < 7 { "是" } else { "否" };
        let employer = if employed == "是" {
            let mut first17 = String::from("913301");
            for _ in 0..11 {
                first17.push(char::from(*rng.pick(CREDIT_ALPHABET)));
            }
            CreditCode::complete(&first17)
                .expect("valid alphabet")
                .as_str()
                .to_owned()
        } else {
            String::new()
        };
        let address = format!(
            "{district}{}{}号{}室",
            rng.pick(STREETS),
            1 + rng.below(999),
            101 + rng.below(2400)
        );
        writeln!(
            out,
            "{id},{name},{},{y:04}-{m:02}-{d:02},{members},{income},{registered},{employed},{employer},{address}",
            if female { "女" } else { "男" }
        )?;
    }
    out.flush()
}

/// Peak resident memory of this process (kB), from `/proc/self/status`.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds (user + system, all threads) this process has used, from `/proc/self/stat`
/// (clock ticks of 1/100 s, the Linux default).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Resets the peak so each phase measures its own (Linux: write 5 to clear_refs).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn run_ingest(csv: &Path, out: &Path) -> (Duration, f64, u64) {
    let started = Instant::now();
    let cpu = cpu_seconds();
    let len = std::fs::metadata(csv).unwrap().len();
    let source = Source::new(File::open(csv).unwrap())
        .with_format(Format::Csv)
        .with_len(len);
    let output = BufWriter::with_capacity(1 << 20, File::create(out).unwrap());
    let report = ingest(
        source,
        &items(),
        &IngestOptions::default(),
        output,
        std::io::sink(),
        |_| {},
    )
    .unwrap();
    assert!(
        report.written,
        "the generated data is valid: {:?}",
        &report.bad_cells[..report.bad_cells.len().min(3)]
    );
    (started.elapsed(), cpu_seconds() - cpu, report.rows_written)
}

/// The anchor: the same CSV read with the `csv` crate, every column appended as an Arrow
/// string and written to Parquet with the same codec and batch size: no decoding detection,
/// coercion, validation or digests.
fn run_anchor(csv: &Path, out: &Path) -> (Duration, f64, u64) {
    let started = Instant::now();
    let cpu = cpu_seconds();
    let mut reader = csv::ReaderBuilder::new()
        .buffer_capacity(256 * 1024)
        .from_reader(BufReader::new(File::open(csv).unwrap()));
    let headers = reader.headers().unwrap().clone();
    let schema = Arc::new(Schema::new(
        headers
            .iter()
            .map(|h| Field::new(h, ArrowType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let output = BufWriter::with_capacity(1 << 20, File::create(out).unwrap());
    let mut writer = ArrowWriter::try_new(output, schema.clone(), Some(props)).unwrap();
    let mut builders: Vec<StringBuilder> = headers.iter().map(|_| StringBuilder::new()).collect();
    let mut record = csv::StringRecord::new();
    let (mut rows, mut in_batch) = (0u64, 0usize);
    while reader.read_record(&mut record).unwrap() {
        for (builder, field) in builders.iter_mut().zip(record.iter()) {
            builder.append_value(field);
        }
        rows += 1;
        in_batch += 1;
        if in_batch == 8192 {
            let columns: Vec<ArrayRef> = builders
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef)
                .collect();
            writer
                .write(&RecordBatch::try_new(schema.clone(), columns).unwrap())
                .unwrap();
            in_batch = 0;
        }
    }
    let columns: Vec<ArrayRef> = builders
        .iter_mut()
        .map(|b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    writer
        .write(&RecordBatch::try_new(schema, columns).unwrap())
        .unwrap();
    writer.close().unwrap();
    (started.elapsed(), cpu_seconds() - cpu, rows)
}

fn main() {
    let rows: u64 = std::env::var("GONGSHU_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    let started = Instant::now();
    generate(&csv, rows).unwrap();
    let bytes = std::fs::metadata(&csv).unwrap().len();
    let mb = bytes as f64 / 1e6;
    println!(
        "generated {rows} rows, {mb:.1} MB of CSV in {:.1?}",
        started.elapsed()
    );

    // Alternate the two twice and keep each one's best run: the machine is shared and noisy.
    let resettable = reset_peak_rss();
    let (mut best_ingest, mut best_anchor) = (Duration::MAX, Duration::MAX);
    let (mut rss_ingest, mut rss_anchor) = (0u64, 0u64);
    let (mut cpu_ingest, mut cpu_anchor) = (f64::MAX, f64::MAX);
    let mut parquet_bytes = (0u64, 0u64);
    for round in 1..=2 {
        reset_peak_rss();
        let out = dir.path().join("anchor.parquet");
        let (t, cpu, n) = run_anchor(&csv, &out);
        assert_eq!(n, rows);
        cpu_anchor = cpu_anchor.min(cpu);
        rss_anchor = rss_anchor.max(peak_rss_kb().unwrap_or(0));
        parquet_bytes.1 = std::fs::metadata(&out).unwrap().len();
        best_anchor = best_anchor.min(t);
        println!(
            "round {round}: anchor {:>7.2} s wall, {cpu:>6.2} s CPU",
            t.as_secs_f64()
        );

        reset_peak_rss();
        let out = dir.path().join("ingest.parquet");
        let (t, cpu, n) = run_ingest(&csv, &out);
        assert_eq!(n, rows);
        cpu_ingest = cpu_ingest.min(cpu);
        rss_ingest = rss_ingest.max(peak_rss_kb().unwrap_or(0));
        parquet_bytes.0 = std::fs::metadata(&out).unwrap().len();
        best_ingest = best_ingest.min(t);
        println!(
            "round {round}: ingest {:>7.2} s wall, {cpu:>6.2} s CPU",
            t.as_secs_f64()
        );
    }
    let per = |d: Duration| (rows as f64 / d.as_secs_f64(), mb / d.as_secs_f64());
    let (ingest_rows, ingest_mb) = per(best_ingest);
    let (anchor_rows, anchor_mb) = per(best_anchor);
    println!();
    println!(
        "{:<44} {:>10} {:>9} {:>12} {:>9} {:>12} {:>11}",
        "", "wall (s)", "CPU (s)", "rows/s", "MB/s", "peak RSS MB", "Parquet MB"
    );
    println!(
        "{:<44} {:>10.2} {:>9.2} {:>12.0} {:>9.1} {:>12.1} {:>11.1}",
        "ingest (detect, coerce, validate, SM3 x2)",
        best_ingest.as_secs_f64(),
        cpu_ingest,
        ingest_rows,
        ingest_mb,
        rss_ingest as f64 / 1024.0,
        parquet_bytes.0 as f64 / 1e6
    );
    println!(
        "{:<44} {:>10.2} {:>9.2} {:>12.0} {:>9.1} {:>12.1} {:>11.1}",
        "anchor (csv crate → Arrow strings → Parquet)",
        best_anchor.as_secs_f64(),
        cpu_anchor,
        anchor_rows,
        anchor_mb,
        rss_anchor as f64 / 1024.0,
        parquet_bytes.1 as f64 / 1e6
    );
    println!(
        "ratio ingest / anchor: wall {:.2}, CPU {:.2}",
        best_ingest.as_secs_f64() / best_anchor.as_secs_f64(),
        cpu_ingest / cpu_anchor
    );
    println!(
        "(ingest reads and coerces on one thread, hashes the source on a second and encodes, \
         writes and hashes Parquet on a third; the anchor uses one thread; rows/s and MB/s are \
         by wall time; the best of two runs each)"
    );
    if !resettable {
        println!("(peak RSS could not be reset between phases: both figures are the process peak)");
    }
}
