//! How one column of a demo dataset is generated, chosen from its data item's name and type,
//! and the reader that streams a dataset as CSV. A row first draws what the dataset is about
//! (a resident, an organisation, a month, a street…) and then every column reads from it, so
//! the values of one row agree: the citizen ID carries the birth date and the sex shown beside
//! it, a pupil's grade follows their age, a benefit follows the household size.

use std::fmt::Write as _;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Datelike, Duration, NaiveDate};
use gongshu_domain::catalog::{DataType, Vocabulary};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::people::{
    self, Cohort, District, Person, Sex, TRADE_NAMES, one, premises_address, weighted,
};

/// The kinds of organisation a dataset can list; each has its own names and credit-code kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Registrant {
    Company,
    SocialOrg,
    ElderlyHome,
    Medical,
    School,
    LawFirm,
    FoodBusiness,
    /// Premises the police patrol (hotels, internet cafés, petrol stations…) in one district.
    Venue(&'static str),
}

/// What one row of a dataset is about.
#[derive(Debug, Clone, Copy)]
pub(super) enum Subject {
    /// One resident per row.
    People(Cohort),
    /// A birth or a death registered in the window.
    BirthsAndDeaths,
    /// A mother and her newborn.
    Mothers,
    /// One organisation per row; the row's date (its founding, listing, licence or patrol)
    /// falls in the window.
    Organisations(Registrant),
    /// One row per month from the given month to the as-of month.
    Months { from: (i32, u32) },
    /// One row per quarter from the given year to the as-of quarter.
    Quarters { from: i32 },
    /// One row per 街道 / 乡镇 of a district.
    Towns(&'static str),
    /// One row per label.
    Labels(&'static [&'static str]),
    /// The township hospital (卫生院) and village clinics (村卫生室) of a county.
    TownClinics(&'static str),
}

impl Subject {
    /// The number of rows of a listing subject; `None` for record subjects, whose size is set
    /// by the dataset plan.
    pub(super) fn listed_rows(&self, as_of: NaiveDate) -> Option<u64> {
        Some(match *self {
            Subject::Months { from: (y, m) } => {
                ((as_of.year() - y) * 12 + as_of.month() as i32 - m as i32 + 1).max(0) as u64
            }
            Subject::Quarters { from } => {
                ((as_of.year() - from) * 4 + as_of.month0() as i32 / 3 + 1).max(0) as u64
            }
            Subject::Towns(d) => people::district_named(d).towns.len() as u64,
            Subject::Labels(labels) => labels.len() as u64,
            Subject::TownClinics(d) => {
                (people::district_named(d).towns.len() * (1 + CLINICS_PER_TOWN)) as u64
            }
            Subject::People(_)
            | Subject::BirthsAndDeaths
            | Subject::Mothers
            | Subject::Organisations(_) => return None,
        })
    }
}

const CLINICS_PER_TOWN: usize = 4;

/// The generator of one column.
#[derive(Debug, Clone, Copy)]
enum Gen {
    PersonName,
    CitizenId,
    Sex,
    Ethnicity,
    BirthDate,
    HomeAddress,
    NewbornName,
    NewbornBirthDate,
    /// A different adult's name (a legal representative, a person in charge).
    OtherName,
    /// The district (旗县区) the row's organisation or person is in.
    District,
    OrgName,
    CreditCode,
    OrgAddress,
    Phone,
    OrgCategory,
    OrgScope,
    /// The row's date: an event date, or an organisation's founding date.
    Date,
    /// The row's date plus this many years (a licence's expiry).
    DateAfter(u32),
    /// The row's date at a time of day.
    DateTime,
    /// The row's label: a month, a quarter, a street, a subsidy kind.
    Label,
    /// The row's event (出生登记, 结婚登记…).
    Event,
    Pick(&'static [(&'static str, u32)]),
    Int(i64, i64),
    /// The row's base quantity (a household size, a number of cases…).
    Base,
    /// A share of the base quantity, in per cent.
    BaseShare(i64, i64),
    /// The base quantity times an amount in fen (1/100 yuan), with two decimals.
    BaseTimes(i64, i64),
    /// An amount between these two in fen, rounded to whole yuan and written with two
    /// decimals (wage bases are whole yuan).
    Money(i64, i64),
    /// A capital in 万元: a round figure.
    Capital,
    /// A floor area in square metres with two decimals.
    Area,
    Beds,
    MarriageOffice,
    School,
    Grade,
    Code(fn(&mut StdRng, &Row) -> String),
}

/// The data item a column fills: its name (also the CSV header) and type.
#[derive(Debug, Clone)]
pub(super) struct ItemShape {
    pub name: String,
    pub data_type: DataType,
}

/// Chooses the generator of an item by its name and type, or says which item has none (a
/// catalog change the demo data has not caught up with).
fn generator(item: &ItemShape, subject: Subject, has_base: bool) -> Result<Gen, String> {
    let name = item.name.as_str();
    let chosen = match item.data_type {
        DataType::CitizenId => Gen::CitizenId,
        DataType::CreditCode => Gen::CreditCode,
        DataType::DateTime => Gen::DateTime,
        _ => match name {
            "姓名" | "权利人" => Gen::PersonName,
            "性别" => Gen::Sex,
            "民族" => Gen::Ethnicity,
            "出生日期" if matches!(subject, Subject::Mothers) => Gen::NewbornBirthDate,
            "出生日期" => Gen::BirthDate,
            "户籍地址" | "居住地址" | "住址" | "坐落" => Gen::HomeAddress,
            "新生儿姓名" => Gen::NewbornName,
            "法定代表人" | "负责人" | "经营者" => Gen::OtherName,
            "名称" | "企业名称" | "机构名称" | "单位名称" | "律所名称" | "学校名称"
            | "场所名称" => Gen::OrgName,
            "地址" | "经营场所" => Gen::OrgAddress,
            "所在旗县区" => Gen::District,
            "联系电话" => Gen::Phone,
            "机构类别" | "办学类型" => Gen::OrgCategory,
            "执业范围" | "经营项目" => Gen::OrgScope,
            "登记日期" | "成立日期" | "列入日期" | "处罚日期" | "签约日期" | "接种日期"
            | "救助日期" => Gen::Date,
            "有效期至" => Gen::DateAfter(5),
            "统计月份" | "统计季度" | "街道" | "乡镇" | "补贴类型" => Gen::Label,
            "登记类型" if matches!(subject, Subject::BirthsAndDeaths) => Gen::Event,
            // Otherwise the registrations of a register about people are marriages (婚姻登记).
            "登记类型" => Gen::Pick(&[
                ("结婚登记", 70),
                ("离婚登记", 22),
                ("补领结婚证", 6),
                ("补领离婚证", 2),
            ]),
            "登记机关" => Gen::MarriageOffice,
            "学校" => Gen::School,
            "年级" => Gen::Grade,
            "学籍号" => Gen::Code(|_, row| format!("G{}", row.person().citizen_id)),
            "出生医学证明编号" => Gen::Code(birth_certificate_number),
            "许可证编号" => Gen::Code(food_licence_number),
            "执业许可证号" => {
                Gen::Code(|rng, _| format!("31150000{:09}", rng.random_range(0..1_000_000_000u32)))
            }
            "不动产单元号" => Gen::Code(property_unit_number),
            "参保险种" => Gen::Pick(INSURANCE_KINDS),
            "参保状态" => Gen::Pick(&[("正常参保", 88), ("暂停缴费", 8), ("终止参保", 4)]),
            "账户状态" => Gen::Pick(&[("正常", 86), ("封存", 11), ("销户", 3)]),
            "登记状态" => Gen::Pick(&[
                ("存续", 80),
                ("在业", 6),
                ("迁出", 2),
                ("注销", 10),
                ("吊销", 2),
            ]),
            "列入原因" => Gen::Pick(ABNORMAL_REASONS),
            "巡查结果" => Gen::Pick(PATROL_RESULTS),
            "事故起数" | "家庭人口数" | "受理案件数" | "发放人数" | "常住人口" | "户籍人口"
                if has_base =>
            {
                Gen::Base
            }
            "受伤人数" => Gen::BaseShare(70, 130),
            "办结案件数" => Gen::BaseShare(82, 99),
            "死亡人数" => Gen::Int(1, 12),
            "床位数" => Gen::Beds,
            "保障金额" => Gen::BaseTimes(42_000, 78_000),
            "发放金额" => Gen::BaseTimes(60_000, 500_000),
            "缴费基数" | "缴存基数" => Gen::Money(400_000, 2_800_000),
            "注册资本" => Gen::Capital,
            "面积" => Gen::Area,
            _ => return Err(format!("{name} ({})", item.data_type.code())),
        },
    };
    Ok(chosen)
}

const INSURANCE_KINDS: &[(&str, u32)] = &[
    ("企业职工基本养老保险", 30),
    ("职工基本医疗保险", 28),
    ("失业保险", 14),
    ("工伤保险", 12),
    ("城乡居民基本养老保险", 8),
    ("城乡居民基本医疗保险", 8),
];
const ABNORMAL_REASONS: &[(&str, u32)] = &[
    ("未按规定期限公示年度报告", 62),
    ("通过登记的住所或者经营场所无法联系", 30),
    ("未在责令的期限内公示有关企业信息", 5),
    ("公示企业信息隐瞒真实情况、弄虚作假", 3),
];
const PATROL_RESULTS: &[(&str, u32)] = &[
    ("未发现异常", 84),
    ("发现消防通道堵塞，已责令立即整改", 6),
    ("旅客住宿登记信息不全，已现场纠正", 5),
    ("发现未成年人违规进入，已劝离并告知监护人", 3),
    ("发现可疑人员，已移交属地派出所核查", 2),
];

/// Everything one row is about; each column reads what it needs.
#[derive(Debug, Default)]
pub(super) struct Row {
    person: Option<Person>,
    newborn: Option<(String, NaiveDate)>,
    org: Option<Org>,
    date: Option<NaiveDate>,
    label: String,
    event: &'static str,
    base: i64,
}

impl Row {
    fn person(&self) -> &Person {
        self.person
            .as_ref()
            .expect("person columns are only chosen for datasets about people")
    }
}

/// A synthetic organisation.
#[derive(Debug, Clone)]
struct Org {
    name: String,
    credit_code: String,
    address: String,
    phone: String,
    category: &'static str,
    scope: String,
    beds: i64,
    district: &'static District,
}

/// One dataset version as a stream of generated rows.
pub(super) struct Table {
    rng: StdRng,
    subject: Subject,
    columns: Vec<(ItemShape, Gen)>,
    base: Option<(i64, i64)>,
    as_of: NaiveDate,
    /// Event dates fall in the `window_years` before `as_of`.
    window_years: u32,
    rows: u64,
}

/// What a table is built from (one per dataset version).
pub(super) struct TableSpec<'a> {
    pub seed: u64,
    pub subject: Subject,
    pub items: &'a [ItemShape],
    pub base: Option<(i64, i64)>,
    pub as_of: NaiveDate,
    pub window_years: u32,
    /// Rows of a record subject (listing subjects have their own count).
    pub rows: u64,
}

impl Table {
    /// Chooses every column's generator; names every item without one.
    pub(super) fn new(spec: TableSpec<'_>) -> Result<Self, Vec<String>> {
        let mut columns = Vec::new();
        let mut missing = Vec::new();
        for item in spec.items {
            match generator(item, spec.subject, spec.base.is_some()) {
                Ok(g) => columns.push((item.clone(), g)),
                Err(what) => missing.push(what),
            }
        }
        if !missing.is_empty() {
            return Err(missing);
        }
        Ok(Self {
            rng: StdRng::seed_from_u64(spec.seed),
            subject: spec.subject,
            columns,
            base: spec.base,
            as_of: spec.as_of,
            window_years: spec.window_years,
            rows: spec.subject.listed_rows(spec.as_of).unwrap_or(spec.rows),
        })
    }

    pub(super) fn rows(&self) -> u64 {
        self.rows
    }

    /// The table as CSV (header of item names, then the rows), generated as it is read.
    /// Reading fails once `stop` is set, so a server shutting down does not finish a large
    /// dataset first.
    pub(super) fn into_csv(self, stop: Arc<AtomicBool>) -> CsvStream {
        CsvStream {
            table: self,
            next_row: 0,
            header_done: false,
            buf: Vec::with_capacity(BUFFER_BYTES + 16 * 1024),
            cell: String::new(),
            pos: 0,
            stop,
        }
    }

    /// A date in the event window.
    fn window_date(&mut self) -> NaiveDate {
        let earliest = people::add_years(self.as_of, -(self.window_years as i32));
        let span = (self.as_of - earliest).num_days();
        earliest + Duration::days(self.rng.random_range(0..=span))
    }

    /// Draws what row `index` is about.
    fn row(&mut self, index: u64) -> Row {
        let mut row = Row {
            base: self
                .base
                .map_or(0, |(lo, hi)| self.rng.random_range(lo..=hi)),
            ..Row::default()
        };
        let as_of = self.as_of;
        match self.subject {
            Subject::People(cohort) => {
                let p = people::person(&mut self.rng, cohort, as_of);
                let date = self.window_date().max(p.birth);
                row.date = Some(date);
                row.person = Some(p);
            }
            Subject::BirthsAndDeaths => {
                if self.rng.random_bool(0.55) {
                    row.event = "出生登记";
                    let cohort = Cohort {
                        ages: (0, self.window_years.saturating_sub(1)),
                        sex: None,
                        migrant: false,
                    };
                    let p = people::person(&mut self.rng, cohort, as_of);
                    let days = self.rng.random_range(3..=60);
                    row.date = Some((p.birth + Duration::days(days)).min(as_of));
                    row.person = Some(p);
                } else {
                    row.event = "死亡注销";
                    let date = self.window_date();
                    let cohort = Cohort {
                        ages: (45, 99),
                        sex: None,
                        migrant: false,
                    };
                    row.person = Some(people::person(&mut self.rng, cohort, date));
                    row.date = Some(date);
                }
            }
            Subject::Mothers => {
                let date = self.window_date();
                let cohort = Cohort {
                    ages: (20, 42),
                    sex: Some(Sex::Female),
                    migrant: false,
                };
                let mother = people::person(&mut self.rng, cohort, date);
                let sex = if self.rng.random_bool(0.51) {
                    Sex::Male
                } else {
                    Sex::Female
                };
                let surname = people::surname(&mut self.rng);
                let name = people::given_name(&mut self.rng, surname, sex, date.year());
                row.newborn = Some((name, date));
                row.date = Some(date);
                row.person = Some(mother);
            }
            Subject::Organisations(kind) => {
                let founded = self.window_date();
                row.org = Some(self.organisation(kind));
                row.date = Some(founded);
            }
            Subject::Months { from: (y, m) } => {
                let months = (y * 12 + m as i32 - 1) + index as i32;
                row.label = format!("{}-{:02}", months / 12, months % 12 + 1);
            }
            Subject::Quarters { from } => {
                let q = index as i32;
                row.label = format!("{}年第{}季度", from + q / 4, q % 4 + 1);
            }
            Subject::Towns(d) => {
                row.label = people::district_named(d).towns[index as usize].to_owned();
            }
            Subject::Labels(labels) => row.label = labels[index as usize].to_owned(),
            Subject::TownClinics(d) => {
                let d = people::district_named(d);
                let per_town = (1 + CLINICS_PER_TOWN) as u64;
                let town = d.towns[(index / per_town) as usize];
                row.label = town.to_owned();
                let mut org = self.organisation(Registrant::Medical);
                if index.is_multiple_of(per_town) {
                    org.name = format!("{}{town}卫生院", d.name);
                    org.beds = self.rng.random_range(10..=60);
                } else {
                    let village = one(&mut self.rng, VILLAGE_NAMES);
                    org.name = format!("{}{town}{village}村卫生室", d.name);
                    org.beds = 0;
                }
                row.org = Some(org);
            }
        }
        row
    }

    fn organisation(&mut self, kind: Registrant) -> Org {
        let rng = &mut self.rng;
        let mut district = match kind {
            Registrant::Venue(d) => people::district_named(d),
            _ => people::district(rng),
        };
        let trade = one(rng, TRADE_NAMES);
        let (name, category, scope, prefix, beds): (String, &'static str, String, &str, i64) =
            match kind {
                Registrant::Company | Registrant::FoodBusiness => {
                    let line = one(rng, BUSINESS_LINES);
                    let form = weighted(
                        rng,
                        &[("有限公司", 70), ("有限责任公司", 28), ("股份有限公司", 2)],
                    );
                    let place = if rng.random_bool(0.7) {
                        "青城"
                    } else {
                        "内蒙古"
                    };
                    let scope = if kind == Registrant::FoodBusiness {
                        food_scope(rng)
                    } else {
                        String::new()
                    };
                    (format!("{place}{trade}{line}{form}"), "", scope, "91", 0)
                }
                Registrant::SocialOrg => {
                    if rng.random_bool(0.6) {
                        let field = one(rng, ASSOCIATION_FIELDS);
                        let kind = weighted(
                            rng,
                            &[("协会", 6), ("学会", 2), ("研究会", 1), ("促进会", 1)],
                        );
                        (format!("青城市{field}{kind}"), "", String::new(), "51", 0)
                    } else {
                        let service = one(rng, NON_PROFIT_SERVICES);
                        let name = format!("青城市{}{trade}{service}", district.name);
                        (name, "", String::new(), "52", 0)
                    }
                }
                Registrant::ElderlyHome => {
                    let (name, prefix) = match rng.random_range(0..3) {
                        0 => (format!("青城市{}{trade}颐养中心", district.name), "52"),
                        1 => {
                            let (d, street) = people::urban_street(rng);
                            district = d;
                            (format!("{}{street}社区养老服务中心", d.name), "52")
                        }
                        _ => (format!("青城市{trade}养老院"), "12"),
                    };
                    (name, "", String::new(), prefix, rng.random_range(30..=480))
                }
                Registrant::Medical => {
                    let category = weighted(rng, MEDICAL_KINDS);
                    let (name, prefix) = match category {
                        "综合医院" => (format!("青城{trade}医院"), "52"),
                        "中医医院" => (format!("青城{trade}中医医院"), "52"),
                        "口腔医院" => (format!("青城{trade}口腔医院"), "91"),
                        "社区卫生服务中心" => {
                            let (d, street) = people::urban_street(rng);
                            district = d;
                            (format!("{}{street}社区卫生服务中心", d.name), "12")
                        }
                        "门诊部" => (format!("{}{trade}门诊部", district.name), "91"),
                        _ => {
                            let surname = people::surname(rng);
                            let kind = one(rng, CLINIC_KINDS);
                            (format!("{}{surname}氏{kind}诊所", district.name), "92")
                        }
                    };
                    let scope = departments(rng, category);
                    (name, category, scope, prefix, 0)
                }
                Registrant::School => {
                    let category = weighted(rng, SCHOOL_KINDS);
                    let road = one(rng, district.roads);
                    let name = match category {
                        "幼儿园" => format!("青城市{}{trade}幼儿园", district.name),
                        "小学" => format!("青城市{}{road}小学", district.name),
                        "中等职业学校" => format!("青城市{trade}职业技术学校"),
                        _ => format!("青城市第{}中学", zh_number(rng.random_range(1..=45))),
                    };
                    let prefix = if rng.random_bool(0.85) { "12" } else { "52" };
                    (name, category, String::new(), prefix, 0)
                }
                Registrant::LawFirm => (
                    format!("内蒙古{trade}律师事务所"),
                    "",
                    String::new(),
                    "31",
                    0,
                ),
                Registrant::Venue(_) => {
                    let kind = one(rng, VENUE_KINDS);
                    (
                        format!("{}{trade}{kind}", district.name),
                        "",
                        String::new(),
                        "91",
                        0,
                    )
                }
            };
        let address = premises_address(rng, district);
        let phone = if rng.random_bool(0.7) {
            people::landline(rng)
        } else {
            people::mobile(rng)
        };
        Org {
            name,
            credit_code: people::credit_code(rng, prefix, district.code),
            address,
            phone,
            category,
            scope,
            beds,
            district,
        }
    }

    /// Writes one row as a CSV record; `cell` is scratch space for one cell's text.
    fn write_row(
        &mut self,
        index: u64,
        out: &mut csv::Writer<Vec<u8>>,
        cell: &mut String,
    ) -> csv::Result<()> {
        let row = self.row(index);
        for c in 0..self.columns.len() {
            cell.clear();
            let g = self.columns[c].1;
            self.write_cell(g, &row, cell);
            out.write_field(&*cell)?;
        }
        out.write_record(None::<&[u8]>)
    }

    /// Writes one cell's text (unquoted: the CSV writer quotes what needs it).
    fn write_cell(&mut self, g: Gen, row: &Row, out: &mut String) {
        let rng = &mut self.rng;
        let org = || {
            row.org
                .as_ref()
                .expect("organisation columns are only chosen for datasets about organisations")
        };
        // `write!` into a String cannot fail.
        let _ = match g {
            Gen::PersonName => text(out, &row.person().name),
            Gen::CitizenId => text(out, &row.person().citizen_id),
            Gen::Sex => text(out, row.person().sex.zh()),
            Gen::Ethnicity => text(out, row.person().ethnicity),
            Gen::BirthDate => write!(out, "{}", row.person().birth),
            Gen::HomeAddress => text(out, &row.person().address),
            Gen::NewbornName => text(out, &row.newborn.as_ref().expect("a newborn").0),
            Gen::NewbornBirthDate => write!(out, "{}", row.newborn.as_ref().expect("a newborn").1),
            Gen::OtherName => {
                let sex = if rng.random_bool(0.7) {
                    Sex::Male
                } else {
                    Sex::Female
                };
                let year = rng.random_range(1958..=1995);
                let ethnicity = if rng.random_bool(0.1) {
                    "蒙古族"
                } else {
                    "汉族"
                };
                let name = people::full_name(rng, sex, year, ethnicity);
                text(out, &name)
            }
            Gen::District => {
                let district = row
                    .org
                    .as_ref()
                    .map_or_else(|| row.person().district, |o| o.district);
                text(out, district.name)
            }
            Gen::OrgName => text(out, &org().name),
            Gen::CreditCode => text(out, &org().credit_code),
            Gen::OrgAddress => text(out, &org().address),
            Gen::Phone => text(out, &org().phone),
            Gen::OrgCategory => text(out, org().category),
            Gen::OrgScope => text(out, &org().scope),
            Gen::Date => write!(out, "{}", row.date.unwrap_or(self.as_of)),
            Gen::DateAfter(years) => {
                let d = row.date.unwrap_or(self.as_of);
                write!(out, "{}", people::add_years(d, years as i32))
            }
            Gen::DateTime => {
                let d = row.date.unwrap_or(self.as_of);
                let minute = rng.random_range(8 * 60..23 * 60);
                let second = rng.random_range(0..60);
                write!(out, "{d} {:02}:{:02}:{second:02}", minute / 60, minute % 60)
            }
            Gen::Label => text(out, &row.label),
            Gen::Event => text(out, row.event),
            Gen::Pick(table) => text(out, weighted(rng, table)),
            Gen::Int(lo, hi) => write!(out, "{}", rng.random_range(lo..=hi)),
            Gen::Base => write!(out, "{}", row.base),
            Gen::BaseShare(lo, hi) => {
                write!(out, "{}", row.base * rng.random_range(lo..=hi) / 100)
            }
            Gen::BaseTimes(lo, hi) => fen(out, row.base * rng.random_range(lo..=hi)),
            Gen::Money(lo, hi) => fen(out, rng.random_range(lo..=hi) / 100 * 100),
            Gen::Capital => {
                let capital = weighted(rng, CAPITALS);
                write!(out, "{capital}")
            }
            Gen::Area => fen(out, rng.random_range(3_800..=21_000)),
            Gen::Beds => write!(out, "{}", org().beds),
            Gen::MarriageOffice => {
                let d = row.person().district;
                write!(out, "青城市{}民政局婚姻登记处", d.name)
            }
            Gen::School => {
                let p = row.person();
                let age = self.as_of.years_since(p.birth).unwrap_or(0);
                if age < 12 {
                    let road = one(rng, p.district.roads);
                    write!(out, "青城市{}{road}小学", p.district.name)
                } else {
                    write!(out, "青城市第{}中学", zh_number(rng.random_range(1..=45)))
                }
            }
            Gen::Grade => {
                let age = self.as_of.years_since(row.person().birth).unwrap_or(0);
                text(out, GRADES[(age.clamp(6, 17) - 6) as usize])
            }
            Gen::Code(f) => {
                let code = f(rng, row);
                text(out, &code)
            }
        };
    }
}

/// A number from 1 to 99 in Chinese numerals, as school names write it (第三十七中学).
fn zh_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let (tens, ones) = ((n / 10) as usize, (n % 10) as usize);
    let mut out = String::new();
    if tens > 1 {
        out.push_str(DIGITS[tens]);
    }
    if tens > 0 {
        out.push('十');
    }
    if ones > 0 || tens == 0 {
        out.push_str(DIGITS[ones]);
    }
    out
}

/// Writes a text cell.
fn text(out: &mut String, value: &str) -> std::fmt::Result {
    out.push_str(value);
    Ok(())
}

/// Writes an amount in fen as yuan with two decimals.
fn fen(out: &mut String, fen: i64) -> std::fmt::Result {
    write!(out, "{}.{:02}", fen / 100, fen % 100)
}

/// Grades by age on the as-of date (6 → 一年级 … 17 → 高三).
const GRADES: [&str; 12] = [
    "一年级",
    "二年级",
    "三年级",
    "四年级",
    "五年级",
    "六年级",
    "七年级",
    "八年级",
    "九年级",
    "高一",
    "高二",
    "高三",
];
const BUSINESS_LINES: &[&str] = &[
    "商贸",
    "科技",
    "建筑工程",
    "餐饮管理",
    "物流",
    "农牧业",
    "乳业",
    "信息技术",
    "装饰工程",
    "文化传媒",
    "房地产开发",
    "汽车销售服务",
    "医药",
    "新能源",
    "环保科技",
    "物业服务",
    "教育咨询",
    "旅游",
    "食品",
    "羊绒制品",
];
const ASSOCIATION_FIELDS: &[&str] = &[
    "摄影家",
    "书法家",
    "个体劳动者",
    "餐饮行业",
    "软件行业",
    "物流",
    "奶业",
    "马术",
    "长跑",
    "围棋",
    "蒙古族文化研究",
    "老年体育",
    "青年企业家",
    "慈善",
    "志愿者",
    "建筑业",
    "旅游",
    "乌力格尔",
];
const NON_PROFIT_SERVICES: &[&str] = &[
    "社会工作服务中心",
    "职业培训学校",
    "居家养老服务中心",
    "青少年活动中心",
    "康复服务中心",
    "艺术培训学校",
];
const MEDICAL_KINDS: &[(&str, u32)] = &[
    ("综合医院", 6),
    ("中医医院", 3),
    ("口腔医院", 3),
    ("社区卫生服务中心", 12),
    ("门诊部", 16),
    ("诊所", 60),
];
const CLINIC_KINDS: &[&str] = &["中医", "口腔", "内科", "西医", "中西医结合"];
const SCHOOL_KINDS: &[(&str, u32)] = &[
    ("幼儿园", 45),
    ("小学", 28),
    ("初级中学", 9),
    ("高级中学", 4),
    ("完全中学", 3),
    ("九年一贯制学校", 6),
    ("中等职业学校", 5),
];
const VENUE_KINDS: &[&str] = &[
    "宾馆",
    "快捷酒店",
    "网吧",
    "KTV",
    "洗浴中心",
    "加油站",
    "台球厅",
];
const VILLAGE_NAMES: &[&str] = &[
    "前营",
    "后营",
    "东营子",
    "西营子",
    "大岱",
    "小甲",
    "三间房",
    "南园子",
    "北园子",
    "新胜",
    "三合",
    "水磨",
    "新地",
    "讨号板",
];
/// Registered capital in 万元, weighted towards the small firms most companies are.
const CAPITALS: &[(u32, u32)] = &[
    (3, 8),
    (10, 20),
    (30, 12),
    (50, 16),
    (100, 18),
    (200, 10),
    (500, 8),
    (1000, 5),
    (3000, 2),
    (5000, 1),
];

fn departments(rng: &mut StdRng, category: &str) -> String {
    let all: &[&str] = match category {
        "口腔医院" => &[
            "口腔科",
            "口腔内科",
            "口腔颌面外科",
            "口腔修复科",
            "正畸专业",
            "医学影像科",
        ],
        "中医医院" => &[
            "中医科",
            "针灸科",
            "推拿科",
            "内科",
            "康复医学科",
            "医学检验科",
        ],
        "社区卫生服务中心" => &[
            "预防保健科",
            "全科医疗科",
            "中医科",
            "康复医学科",
            "医学检验科",
        ],
        "诊所" => &["内科", "中医科", "口腔科", "全科医疗科"],
        _ => &[
            "内科",
            "外科",
            "妇产科",
            "儿科",
            "急诊医学科",
            "医学检验科",
            "医学影像科",
            "中医科",
        ],
    };
    let n = rng.random_range(1..=all.len().min(4));
    let start = rng.random_range(0..all.len());
    (0..n)
        .map(|i| all[(start + i) % all.len()])
        .collect::<Vec<_>>()
        .join("；")
}

fn food_scope(rng: &mut StdRng) -> String {
    const ITEMS: &[&str] = &[
        "预包装食品销售（含冷藏冷冻食品）",
        "散装食品销售",
        "热食类食品制售",
        "冷食类食品制售",
        "自制饮品制售",
        "糕点类食品制售",
        "保健食品销售",
    ];
    let n = rng.random_range(1..=3);
    let start = rng.random_range(0..ITEMS.len());
    (0..n)
        .map(|i| ITEMS[(start + i) % ITEMS.len()])
        .collect::<Vec<_>>()
        .join("；")
}

/// 出生医学证明编号: a series letter and nine digits.
fn birth_certificate_number(rng: &mut StdRng, row: &Row) -> String {
    let letter = match row.date.map_or(2025, |d| d.year()) {
        ..=2021 => 'P',
        2022 | 2023 => 'Q',
        _ => 'R',
    };
    format!("{letter}150{:06}", rng.random_range(0..1_000_000u32))
}

/// 食品经营许可证编号: JY, a kind digit, the division code, a sequence and a check digit.
fn food_licence_number(rng: &mut StdRng, row: &Row) -> String {
    let division = row.org.as_ref().map_or("150100", |o| o.district.code);
    let kind = weighted(rng, &[(1, 3), (2, 6), (3, 1)]);
    format!(
        "JY{kind}{division}{:06}{}",
        rng.random_range(0..1_000_000u32),
        rng.random_range(0..10)
    )
}

/// 不动产单元号 (GB/T 37346): division, cadastral area and sub-area, parcel kind and number,
/// then the building and unit of the property.
fn property_unit_number(rng: &mut StdRng, row: &Row) -> String {
    let division = row.person.as_ref().map_or("150105", |p| p.district.code);
    format!(
        "{division}{:03}{:03}GB{:05}F{:04}{:04}",
        rng.random_range(1..=20),
        rng.random_range(1..=40),
        rng.random_range(1..=9_999),
        rng.random_range(1..=40),
        rng.random_range(101..=2_604)
    )
}

/// How much CSV is generated at a time.
const BUFFER_BYTES: usize = 64 * 1024;

/// A dataset's CSV, generated row by row as the ingest reads it (memory stays at one buffer
/// whatever the number of rows).
pub(super) struct CsvStream {
    table: Table,
    next_row: u64,
    header_done: bool,
    /// CSV generated and not yet read: `read` hands out what follows `pos`.
    buf: Vec<u8>,
    cell: String,
    pos: usize,
    stop: Arc<AtomicBool>,
}

impl CsvStream {
    /// Generates the next rows into the (read) buffer, through a CSV writer that quotes what
    /// needs quoting.
    fn refill(&mut self) -> io::Result<()> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(io::Error::other("demo data seeding stopped"));
        }
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        self.pos = 0;
        let mut out = csv::Writer::from_writer(buf);
        if !self.header_done {
            self.header_done = true;
            out.write_record(self.table.columns.iter().map(|(item, _)| &item.name))?;
        }
        while out.get_ref().len() < BUFFER_BYTES && self.next_row < self.table.rows {
            self.table
                .write_row(self.next_row, &mut out, &mut self.cell)?;
            self.next_row += 1;
        }
        self.buf = out.into_inner().map_err(|e| e.into_error())?;
        Ok(())
    }
}

impl Read for CsvStream {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.buf.len() {
            self.refill()?;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::zh_number;

    #[test]
    fn school_numbers_are_written_in_chinese() {
        let got: Vec<String> = [1, 10, 11, 20, 37, 45].into_iter().map(zh_number).collect();
        assert_eq!(got, ["一", "十", "十一", "二十", "三十七", "四十五"]);
    }
}
