//! The demo city's datasets (演示数据, issue 4 item 6): synthetic but realistic data for two
//! dozen published demo entries, uploaded through [`gongshu_app::versions::upload_version`] as the
//! owning agency's admin, so every version has its manifest, SM3 digests and audit event like
//! any upload. The largest is the 1,000,000-row household register of 市公安局 (conditionally
//! shared); a few entries get two or three versions, each a snapshot six months apart, so
//! version lists have history.
//!
//! Each dataset is generated as CSV while it is read (nothing is held whole in memory), from a
//! generator seeded by the entry name and version: the same plan always yields the same bytes,
//! so digests are stable between runs and machines. Values come from the data items of the
//! published entry, chosen by item name and type (see `columns`), with valid citizen IDs and
//! credit codes. Seeding is idempotent: a planned version already present (by its file name)
//! is not uploaded again, so a start interrupted half-way finishes the rest next time.

mod columns;
mod people;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use gongshu_app::catalog::EntryView;
use gongshu_app::catalog::excel::{export_json, find_org};
use gongshu_app::identity::principal_for_cli;
use gongshu_app::versions::{Progress, UploadOptions, UploadSource, list_versions, upload_version};
use gongshu_app::{App, AppError, Ctx, RequestMeta, Result};
use gongshu_domain::Violation;
use gongshu_domain::catalog::{DataType, Vocabulary};

use self::columns::{ItemShape, Registrant, Subject, Table, TableSpec};
use self::people::Cohort;

/// How large the demo datasets are, relative to their planned sizes: `1.0` gives the full
/// 1,000,000-row register (what `gongshu serve --demo` seeds); tests pass a small scale so the
/// same plan seeds in moments. Listings (months, streets, subsidy kinds) keep their length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoDataSize {
    pub rows_scale: f64,
}

impl DemoDataSize {
    pub const FULL: Self = Self { rows_scale: 1.0 };
    /// The largest scale accepted: ten million register rows, the size of the issue 4
    /// benchmarks.
    pub const MAX_SCALE: f64 = 10.0;

    /// Rows of a dataset planned at `full` rows (at least one).
    fn rows(self, full: u64) -> u64 {
        ((full as f64 * self.rows_scale).ceil() as u64).max(1)
    }
}

/// The date the demo data describes the city at (数据截至). Fixed, so the data does not change
/// from day to day; earlier versions are snapshots [`VERSION_STEP_MONTHS`] apart before it.
fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).expect("a valid date")
}

const VERSION_STEP_MONTHS: u32 = 6;

/// One planned dataset.
struct Dataset {
    /// The demo organisation key (its admin uploads).
    org: &'static str,
    /// The entry's name in the demo catalog.
    entry: &'static str,
    subject: Subject,
    /// Rows of the newest version at full size (record subjects; listings have their own).
    rows: u64,
    /// Versions to upload; each older one is a snapshot taken earlier, 10 % smaller.
    versions: u32,
    /// The range of the row's base quantity (household size, cases received…), if any.
    base: Option<(i64, i64)>,
    /// Event dates (registrations, foundings) fall in this many years before the as-of date.
    window_years: u32,
}

const fn residents(ages: (u32, u32)) -> Subject {
    Subject::People(Cohort {
        ages,
        sex: None,
        migrant: false,
    })
}

const fn record(
    org: &'static str,
    entry: &'static str,
    subject: Subject,
    rows: u64,
    versions: u32,
    window_years: u32,
) -> Dataset {
    Dataset {
        org,
        entry,
        subject,
        rows,
        versions,
        base: None,
        window_years,
    }
}

const fn listing(
    org: &'static str,
    entry: &'static str,
    subject: Subject,
    versions: u32,
    base: Option<(i64, i64)>,
) -> Dataset {
    Dataset {
        org,
        entry,
        subject,
        rows: 0,
        versions,
        base,
        window_years: 1,
    }
}

/// The plan, in seeding order: the small datasets first so the demo fills quickly, the
/// million-row register last.
#[rustfmt::skip]
const DATASETS: &[Dataset] = &[
    listing("gaj", "道路交通事故统计", Subject::Months { from: (2019, 1) }, 2, Some((60, 160))),
    record("gaj", "流动人口居住登记", Subject::People(Cohort { ages: (18, 60), sex: None, migrant: true }), 40_000, 2, 5),
    record("gaj", "出生和死亡户籍登记信息", Subject::BirthsAndDeaths, 8_000, 1, 3),
    listing("xcq-gaj", "新城区常住人口统计", Subject::Towns("新城区"), 1, Some((18_000, 95_000))),
    record("xcq-gaj", "新城区重点场所治安巡查", Subject::Organisations(Registrant::Venue("新城区")), 5_000, 1, 1),
    record("mzj", "婚姻登记信息", residents((22, 70)), 12_000, 1, 5),
    Dataset { base: Some((1, 5)), ..record("mzj", "最低生活保障对象信息", residents((30, 90)), 9_000, 2, 5) },
    record("mzj", "社会团体登记信息", Subject::Organisations(Registrant::SocialOrg), 1_500, 1, 25),
    record("mzj", "养老机构名录", Subject::Organisations(Registrant::ElderlyHome), 180, 1, 20),
    record("wjw", "医疗机构执业登记", Subject::Organisations(Registrant::Medical), 1_200, 1, 20),
    record("wjw", "出生医学证明信息", Subject::Mothers, 9_000, 1, 3),
    record("rsj", "社会保险参保信息", Subject::People(Cohort { ages: (18, 64), sex: None, migrant: false }), 60_000, 2, 5),
    listing("rsj", "就业创业补贴发放信息", Subject::Labels(&["职业培训补贴", "社会保险补贴", "公益性岗位补贴", "一次性创业补贴", "创业担保贷款贴息", "求职创业补贴", "就业见习补贴", "一次性吸纳就业补贴"]), 1, Some((40, 3_000))),
    record("scjgj", "企业登记信息", Subject::Organisations(Registrant::Company), 80_000, 3, 25),
    record("scjgj", "企业经营异常名录", Subject::Organisations(Registrant::Company), 3_000, 1, 3),
    record("scjgj", "食品生产经营许可", Subject::Organisations(Registrant::FoodBusiness), 12_000, 1, 5),
    record("jyj", "学校名录", Subject::Organisations(Registrant::School), 620, 1, 40),
    record("jyj", "中小学学籍信息", residents((6, 17)), 30_000, 1, 1),
    record("gjjzx", "住房公积金缴存信息", residents((20, 60)), 50_000, 1, 5),
    record("sfj", "律师事务所执业许可", Subject::Organisations(Registrant::LawFirm), 260, 1, 20),
    listing("sfj", "法律援助案件统计", Subject::Quarters { from: 2020 }, 1, Some((280, 720))),
    record("zrzyj", "不动产登记信息", residents((25, 85)), 30_000, 1, 10),
    listing("tzq-wjw", "土默特左旗基层医疗机构", Subject::TownClinics("土默特左旗"), 1, None),
    record("gaj", "户籍人口基本信息", residents((0, 99)), 1_000_000, 1, 1),
];

/// What seeding did.
#[derive(Debug, Clone, Default)]
pub struct DemoDataSummary {
    /// Versions uploaded now.
    pub versions: usize,
    /// Rows in those versions.
    pub rows: u64,
    /// Planned versions already present (an earlier start seeded them).
    pub present: usize,
    /// Planned entries not found published in the catalog (someone changed the demo catalog).
    pub missing_entries: Vec<String>,
}

/// The file name a planned version is uploaded as; it also marks the version as seeded.
fn source_name(entry: &str, as_of: NaiveDate) -> String {
    format!("{entry}_{}.csv", as_of.format("%Y%m"))
}

/// The as-of date of version `v` (1-based) of `n`: the newest is [`as_of`], each older one
/// [`VERSION_STEP_MONTHS`] earlier (at a month end).
fn version_as_of(v: u32, n: u32) -> NaiveDate {
    let back = (n - v) * VERSION_STEP_MONTHS;
    let newest = as_of();
    let months = newest.year() * 12 + newest.month0() as i32 - back as i32;
    let first_of_next =
        NaiveDate::from_ymd_opt((months + 1) / 12, ((months + 1) % 12) as u32 + 1, 1)
            .expect("a valid month");
    first_of_next.pred_opt().expect("not the first day ever")
}

/// The generator seed of one dataset version: FNV-1a over the entry name and version.
fn seed(entry: &str, version: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in entry.bytes().chain(version.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The table of version `v` (1-based) of a dataset over the entry's items.
fn table(
    d: &Dataset,
    items: &[ItemShape],
    v: u32,
    size: DemoDataSize,
) -> std::result::Result<(Table, NaiveDate), Vec<String>> {
    let as_of = version_as_of(v, d.versions);
    let shrink = 0.9f64.powi((d.versions - v) as i32);
    let rows = size.rows((d.rows as f64 * shrink).round() as u64);
    let table = Table::new(TableSpec {
        seed: seed(d.entry, v),
        subject: d.subject,
        items,
        base: d.base,
        as_of,
        window_years: d.window_years,
        rows,
    })?;
    Ok((table, as_of))
}

/// Seeds the demo datasets into the published demo entries (see the module documentation).
/// Setting `stop` ends a dataset being generated with an error, leaving its staged file for
/// the next start's sweep; datasets already committed stay.
pub async fn seed_data(
    app: &App,
    size: DemoDataSize,
    stop: Arc<AtomicBool>,
) -> Result<DemoDataSummary> {
    let scale = size.rows_scale;
    if !scale.is_finite() || !(0.0..=DemoDataSize::MAX_SCALE).contains(&scale) {
        return Err(Violation::new(
            "rows_scale",
            "out_of_range",
            format!("演示数据规模须在 0 到 {} 之间", DemoDataSize::MAX_SCALE),
            format!(
                "the demo data scale must be between 0 and {}",
                DemoDataSize::MAX_SCALE
            ),
        )
        .into());
    }
    let mut summary = DemoDataSummary::default();
    if scale == 0.0 {
        return Ok(summary);
    }
    let meta = RequestMeta {
        request_id: format!("demo-{}", uuid::Uuid::now_v7()),
        client_addr: "local".into(),
    };
    let started = Instant::now();
    // Staff see every published entry.
    let reviewer = principal_for_cli(app, "reviewer").await?;
    let published = export_json(
        app,
        Some(Ctx {
            meta: &meta,
            principal: &reviewer,
        }),
    )
    .await?;
    for d in DATASETS {
        let Some((code, items)) = find_entry(app, &published, d).await? else {
            tracing::warn!(
                demo.entry = d.entry,
                "demo entry not found published; its data is skipped"
            );
            summary.missing_entries.push(d.entry.to_owned());
            continue;
        };
        let uploader = principal_for_cli(app, &format!("{}-admin", d.org)).await?;
        let ctx = Ctx {
            meta: &meta,
            principal: &uploader,
        };
        let present: Vec<String> = list_versions(app, ctx, &code)
            .await?
            .into_iter()
            .map(|v| v.source_name)
            .collect();
        for v in 1..=d.versions {
            let (table, as_of) = table(d, &items, v, size).map_err(|missing| {
                AppError::Internal(format!(
                    "demo dataset {}: no generator for item(s) {}",
                    d.entry,
                    missing.join(", ")
                ))
            })?;
            let name = source_name(d.entry, as_of);
            if present.contains(&name) {
                summary.present += 1;
                continue;
            }
            let rows = table.rows();
            let one_started = Instant::now();
            let source = UploadSource {
                name,
                reader: Box::new(table.into_csv(stop.clone())),
                len: None,
            };
            // The plan's snapshots are deliberate: a smaller one is current at once.
            let options = UploadOptions {
                progress: Some(progress_log(d.entry, rows)),
                confirm_drop: true,
                ..UploadOptions::default()
            };
            let view = upload_version(app, ctx, &code, source, options).await?;
            summary.versions += 1;
            summary.rows += view.rows as u64;
            tracing::info!(
                demo.entry = d.entry,
                entry.code = %code,
                version = view.version,
                rows = view.rows,
                secs = one_started.elapsed().as_secs_f64(),
                "demo data version seeded"
            );
        }
    }
    tracing::info!(
        demo.versions = summary.versions,
        demo.rows = summary.rows,
        demo.present = summary.present,
        secs = started.elapsed().as_secs_f64(),
        "demo data seeded"
    );
    Ok(summary)
}

/// Logs a large dataset's progress at every tenth of its rows (the ingest reports by batch).
fn progress_log(entry: &'static str, total: u64) -> Box<dyn FnMut(Progress) + Send> {
    let mut next = total / 10;
    Box::new(move |p: Progress| {
        if total >= 100_000 && p.rows >= next {
            tracing::info!(
                demo.entry = entry,
                rows = p.rows,
                total,
                "demo data being seeded"
            );
            next = p.rows + total / 10;
        }
    })
}

/// The published demo entry of a dataset among the `published` ones: its code and items (of
/// the published revision), or `None` when the demo catalog has no such published entry.
async fn find_entry(
    app: &App,
    published: &[EntryView],
    d: &Dataset,
) -> Result<Option<(String, Vec<ItemShape>)>> {
    let org_name = crate::city::org_name(d.org)
        .ok_or_else(|| AppError::Internal(format!("demo org {} unknown", d.org)))?;
    let org_id = match find_org(app, org_name).await {
        Ok(id) => id,
        Err(AppError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(entry) = published
        .iter()
        .find(|e| e.org_id == org_id && e.name == d.entry)
    else {
        return Ok(None);
    };
    let items = entry
        .items
        .iter()
        .map(|i| {
            Ok(ItemShape {
                name: i.name.clone(),
                data_type: DataType::parse(&i.data_type)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some((entry.code.clone(), items)))
}

#[cfg(test)]
mod tests {
    //! The plan against the demo catalog file, and the generated CSV of every planned dataset:
    //! deterministic, with values every item type accepts (issue 4 item 6).

    use std::io::Read;

    use gongshu_domain::{CitizenId, CreditCode};

    use super::*;

    const CATALOG: &str = include_str!("../../data/demo-catalog.txt");

    /// (org, name, share type, items) of every catalog line, and whether it is published (the
    /// demo catalog leaves its last three entries in the workflow).
    fn catalog_lines() -> Vec<(String, String, String, Vec<ItemShape>, bool)> {
        let lines: Vec<&str> = CATALOG
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        let total = lines.len();
        lines
            .into_iter()
            .enumerate()
            .map(|(n, line)| {
                let f: Vec<&str> = line.split(" | ").map(str::trim).collect();
                let items = f[9]
                    .split(", ")
                    .map(|i| {
                        let mut parts = i.split(':');
                        let _code = parts.next();
                        ItemShape {
                            name: parts.next().unwrap().to_owned(),
                            data_type: DataType::parse(parts.next().unwrap()).unwrap(),
                        }
                    })
                    .collect();
                (f[0].into(), f[2].into(), f[5].into(), items, total - n > 3)
            })
            .collect()
    }

    fn items_of(d: &Dataset) -> Vec<ItemShape> {
        let (.., items, published) = catalog_lines()
            .into_iter()
            .find(|(org, name, ..)| org == d.org && name == d.entry)
            .unwrap_or_else(|| panic!("{} of {} is in the demo catalog", d.entry, d.org));
        assert!(published, "{} is published in the demo catalog", d.entry);
        items
    }

    fn csv(d: &Dataset, v: u32, size: DemoDataSize) -> String {
        let (table, _) = table(d, &items_of(d), v, size)
            .unwrap_or_else(|m| panic!("{}: no generator for {m:?}", d.entry));
        let mut out = String::new();
        table
            .into_csv(Arc::new(AtomicBool::new(false)))
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    // Issue 4 item 6: at least 15 entries, one of 1,000,000 rows, at least two of 市公安局 of
    // which one is conditionally shared.
    #[test]
    fn the_plan_covers_what_the_issue_asks() {
        let lines = catalog_lines();
        assert!(DATASETS.len() >= 15, "{} datasets", DATASETS.len());
        assert!(DATASETS.iter().any(|d| d.rows == 1_000_000));
        let gaj: Vec<&Dataset> = DATASETS.iter().filter(|d| d.org == "gaj").collect();
        assert!(gaj.len() >= 2);
        assert!(gaj.iter().any(|d| {
            lines.iter().any(|(org, name, share, ..)| {
                org == "gaj" && name == d.entry && share == "conditional"
            })
        }));
        assert!(
            DATASETS.iter().any(|d| d.versions >= 2),
            "some entries have history"
        );
        let mut names: Vec<&str> = DATASETS.iter().map(|d| d.entry).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DATASETS.len(), "one plan per entry");
    }

    // Issue 4 item 6: the same plan yields the same bytes; versions differ.
    #[test]
    fn every_dataset_is_deterministic() {
        let size = DemoDataSize { rows_scale: 0.01 };
        for d in DATASETS {
            let first = csv(d, d.versions, size);
            assert_eq!(first, csv(d, d.versions, size), "{}", d.entry);
            if d.versions > 1 {
                assert_ne!(first, csv(d, 1, size), "{}: versions differ", d.entry);
            }
        }
    }

    // H13, H14, issue 4 item 6: every generated citizen ID and credit code parses; dates,
    // numbers and decimals are in the forms the ingest reads; each row has every column.
    #[test]
    fn every_value_fits_its_item_type() {
        let size = DemoDataSize { rows_scale: 0.02 };
        let today = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
        for d in DATASETS {
            let items = items_of(d);
            for v in 1..=d.versions {
                let text = csv(d, v, size);
                let mut lines = text.lines();
                let header: Vec<&str> = lines.next().unwrap().split(',').collect();
                let names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
                assert_eq!(header, names, "{}", d.entry);
                let mut rows = 0;
                for line in lines {
                    rows += 1;
                    assert!(!line.contains('"'), "{}: {line}", d.entry);
                    let cells: Vec<&str> = line.split(',').collect();
                    assert_eq!(cells.len(), items.len(), "{}: {line}", d.entry);
                    for (cell, item) in cells.iter().zip(&items) {
                        let ok = match item.data_type {
                            DataType::CitizenId => CitizenId::parse_at(cell, today).is_ok(),
                            DataType::CreditCode => CreditCode::parse(cell).is_ok(),
                            DataType::Integer => cell.parse::<i64>().is_ok(),
                            DataType::Decimal => cell.parse::<f64>().is_ok() && !cell.contains('e'),
                            DataType::Date => NaiveDate::parse_from_str(cell, "%Y-%m-%d")
                                .is_ok_and(|date| date.year() >= 1900),
                            DataType::DateTime => {
                                chrono::NaiveDateTime::parse_from_str(cell, "%Y-%m-%d %H:%M:%S")
                                    .is_ok()
                            }
                            DataType::Boolean => matches!(*cell, "true" | "false"),
                            DataType::Text => !cell.is_empty(),
                        };
                        assert!(ok, "{} {}: {cell:?}", d.entry, item.name);
                    }
                }
                let (table, _) = table(d, &items, v, size).unwrap();
                assert_eq!(rows, table.rows(), "{}", d.entry);
            }
        }
    }

    // H13: in the register, sex and birth date shown agree with the citizen ID beside them.
    #[test]
    fn register_rows_agree_with_their_citizen_ids() {
        let d = DATASETS
            .iter()
            .find(|d| d.entry == "户籍人口基本信息")
            .unwrap();
        let text = csv(d, 1, DemoDataSize { rows_scale: 0.01 });
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
        let (id, sex, birth) = (col("公民身份号码"), col("性别"), col("出生日期"));
        let mut n = 0;
        for line in lines {
            let cells: Vec<&str> = line.split(',').collect();
            let parsed = CitizenId::parse(cells[id]).unwrap();
            assert_eq!(parsed.birth_date().to_string(), cells[birth]);
            let male = (cells[id].as_bytes()[16] - b'0') % 2 == 1;
            assert_eq!(cells[sex], if male { "男" } else { "女" });
            n += 1;
        }
        assert_eq!(n, 10_000);
    }

    #[test]
    fn older_versions_are_earlier_month_ends() {
        assert_eq!(version_as_of(3, 3), as_of());
        assert_eq!(version_as_of(2, 3).to_string(), "2024-12-31");
        assert_eq!(version_as_of(1, 3).to_string(), "2024-06-30");
        assert_eq!(
            source_name("企业登记信息", version_as_of(1, 3)),
            "企业登记信息_202406.csv"
        );
    }

    #[test]
    fn the_scale_sets_record_rows_not_listings() {
        let size = DemoDataSize { rows_scale: 0.001 };
        let register = DATASETS.iter().find(|d| d.rows == 1_000_000).unwrap();
        let (t, _) = table(register, &items_of(register), 1, size).unwrap();
        assert_eq!(t.rows(), 1_000);
        let months = DATASETS
            .iter()
            .find(|d| d.entry == "道路交通事故统计")
            .unwrap();
        let (t, _) = table(months, &items_of(months), 2, size).unwrap();
        assert_eq!(t.rows(), 78, "2019-01 to 2025-06");
        let (t, _) = table(months, &items_of(months), 1, size).unwrap();
        assert_eq!(t.rows(), 72, "six months fewer");
    }
}
