//! The synthetic residents and organisations of the demo city 青城 (division 150100): names
//! drawn from weighted surname and given-name tables (Mongolian names for 蒙古族 residents),
//! addresses in the city's districts and counties, citizen IDs whose address code, birth date,
//! sex digit and check character agree, mobile and landline numbers, and credit codes with a
//! GB 11714 organisation code and a GB 32100 check character. Everything is drawn from the
//! caller's seeded generator, so the same seed gives the same city.

use chrono::{Datelike, Duration, NaiveDate};
use gongshu_domain::{CitizenId, CreditCode};
use rand::Rng;
use rand::rngs::StdRng;

/// Picks from `(value, weight)` pairs in proportion to the weights.
pub(super) fn weighted<T: Copy>(rng: &mut StdRng, table: &[(T, u32)]) -> T {
    table[weighted_index(rng, table.len(), |i| table[i].1)].0
}

/// Picks an index below `len` in proportion to `weight(index)`, without allocating (this runs
/// several times per row of a million-row dataset).
fn weighted_index(rng: &mut StdRng, len: usize, weight: impl Fn(usize) -> u32) -> usize {
    let total: u32 = (0..len).map(&weight).sum();
    let mut pick = rng.random_range(0..total);
    for i in 0..len {
        let w = weight(i);
        if pick < w {
            return i;
        }
        pick -= w;
    }
    len - 1
}

/// Picks uniformly from a non-empty slice.
pub(super) fn one<'a>(rng: &mut StdRng, table: &[&'a str]) -> &'a str {
    table[rng.random_range(0..table.len())]
}

/// Common surnames, weighted roughly by their share in northern China (per ten thousand).
#[rustfmt::skip]
const SURNAMES: &[(&str, u32)] = &[
    ("王", 780), ("李", 720), ("张", 690), ("刘", 560), ("陈", 330), ("杨", 320), ("赵", 280),
    ("黄", 150), ("周", 160), ("吴", 150), ("徐", 130), ("孙", 150), ("马", 150), ("朱", 100),
    ("胡", 110), ("郭", 140), ("何", 70), ("高", 150), ("林", 60), ("罗", 60), ("郑", 70),
    ("梁", 80), ("谢", 50), ("宋", 70), ("唐", 50), ("许", 60), ("韩", 90), ("冯", 70),
    ("邓", 40), ("曹", 70), ("彭", 40), ("曾", 30), ("肖", 40), ("田", 80), ("董", 80),
    ("袁", 50), ("潘", 40), ("于", 70), ("蒋", 30), ("蔡", 30), ("余", 30), ("杜", 60),
    ("叶", 30), ("程", 50), ("苏", 60), ("魏", 70), ("吕", 50), ("丁", 40), ("任", 60),
    ("沈", 30), ("姚", 40), ("卢", 40), ("姜", 50), ("崔", 50), ("钟", 20), ("谭", 20),
    ("陆", 20), ("汪", 20), ("范", 50), ("金", 30), ("石", 50), ("贾", 70), ("夏", 30),
    ("付", 40), ("方", 30), ("白", 70), ("孟", 50), ("秦", 40), ("尹", 30), ("薛", 50),
    ("闫", 80), ("段", 40), ("雷", 30), ("侯", 50), ("史", 40), ("郝", 90), ("云", 40),
    ("乔", 50), ("武", 60), ("贺", 40), ("康", 40), ("樊", 30), ("牛", 40), ("温", 30),
    ("申", 20), ("霍", 20), ("柴", 20), ("岳", 20), ("安", 30), ("常", 40),
];

const MALE_CHARS: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳", "亮", "成", "峰",
    "建", "志", "国", "东", "海", "文", "博", "晨", "轩", "睿", "泽", "子", "然", "宏", "昊", "锐",
    "毅", "振", "鸿", "晓", "天", "嘉", "铭", "哲", "航", "瑞",
];
const FEMALE_CHARS: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "琳", "颖", "倩",
    "晶", "欣", "悦", "怡", "萱", "雅", "涵", "梓", "诗", "瑶", "佳", "琪", "雯", "洁", "红", "梅",
    "英", "兰", "蕾", "丹", "薇", "月", "婧", "璐", "露", "梦", "晓", "思", "可", "心", "若", "彤",
];
/// Given names common among people born before about 1965.
const OLD_MALE_NAMES: &[&str] = &[
    "建国", "国庆", "建华", "志强", "德明", "振华", "福生", "永胜", "树林", "保国", "忠义", "跃进",
    "卫东", "满仓", "长青", "文革", "宝山", "凤山",
];
const OLD_FEMALE_NAMES: &[&str] = &[
    "秀英", "桂兰", "玉兰", "淑珍", "秀兰", "凤英", "玉珍", "桂英", "秀珍", "淑英", "素梅", "桂芳",
    "玉梅", "翠花", "金花", "凤兰",
];
/// Mongolian given names, written in Chinese as they are on ID cards in Inner Mongolia.
const MONGOL_MALE_NAMES: &[&str] = &[
    "巴特尔",
    "额尔敦",
    "宝音",
    "朝鲁",
    "苏和",
    "巴雅尔",
    "孟和",
    "阿拉坦",
    "毕力格",
    "达来",
    "那顺",
    "乌力吉",
    "特木尔",
    "布和",
    "哈斯",
    "额日和木",
    "胡日查",
    "满都拉",
    "图门",
    "吉日嘎拉",
];
const MONGOL_FEMALE_NAMES: &[&str] = &[
    "其其格",
    "乌云",
    "萨仁",
    "斯琴",
    "娜仁",
    "高娃",
    "图雅",
    "乌兰",
    "塔娜",
    "苏日娜",
    "萨日娜",
    "托娅",
    "敖敦",
    "阿拉坦其其格",
    "斯琴高娃",
    "乌日娜",
    "格日勒",
    "娜仁花",
];
/// Surnames Mongolian families in the city often take.
const MONGOL_SURNAMES: &[&str] = &["包", "白", "宝", "奇", "韩", "云", "鲍", "吴"];

/// 民族, weighted roughly by the city's census shares (per ten thousand).
#[rustfmt::skip]
const ETHNICITIES: &[(&str, u32)] = &[
    ("汉族", 8740), ("蒙古族", 1020), ("回族", 140), ("满族", 80), ("达斡尔族", 7),
    ("鄂温克族", 4), ("朝鲜族", 4), ("土家族", 1),
];

/// A 旗县区 of the demo city: its division code, the 街道 / 乡镇 under it and a few roads.
#[derive(Debug)]
pub(super) struct District {
    pub code: &'static str,
    pub name: &'static str,
    /// 街道 (urban districts) or 乡镇 (counties).
    pub towns: &'static [&'static str],
    pub roads: &'static [&'static str],
    /// A county (县 / 旗): addresses are in a township, often a village.
    pub rural: bool,
    /// Share of the city's residents, per hundred.
    pub weight: u32,
}

#[rustfmt::skip]
pub(super) const DISTRICTS: &[District] = &[
    District { code: "150102", name: "新城区", weight: 20, rural: false,
        towns: &["海拉尔东路街道", "锡林郭勒北路街道", "东街街道", "西街街道", "中山东路街道", "东风路街道", "迎新路街道", "成吉思汗大街街道", "保合少镇"],
        roads: &["新华大街", "海拉尔东路", "锡林郭勒北路", "兴安北路", "东影南路", "呼伦贝尔北路", "北垣东街", "成吉思汗大街", "迎新路"] },
    District { code: "150103", name: "回民区", weight: 14, rural: false,
        towns: &["中山西路街道", "环河街街道", "光明路街道", "海拉尔西路街道", "新华西路街道", "通道街街道", "钢铁路街道", "攸攸板镇"],
        roads: &["中山西路", "通道北街", "新华西街", "光明大街", "海拉尔西路", "钢铁路", "公园西路", "环河街"] },
    District { code: "150104", name: "玉泉区", weight: 12, rural: false,
        towns: &["小召前街街道", "长和廊街道", "石东路街道", "鄂尔多斯路街道", "兴隆巷街道", "西菜园街道", "昭君路街道", "小黑河镇"],
        roads: &["大南街", "石羊桥路", "鄂尔多斯大街", "南二环路", "昭君路", "巴彦淖尔南路", "兴隆巷", "五塔寺后街"] },
    District { code: "150105", name: "赛罕区", weight: 30, rural: false,
        towns: &["大学西路街道", "昭乌达路街道", "人民路街道", "中专路街道", "乌兰察布东路街道", "大学东路街道", "敕勒川路街道", "巴彦镇", "金河镇"],
        roads: &["大学东街", "大学西街", "昭乌达路", "乌兰察布东路", "新华东街", "如意和大街", "腾飞南路", "丰州路", "敕勒川大街", "鄂尔多斯东街"] },
    District { code: "150121", name: "土默特左旗", weight: 9, rural: true,
        towns: &["察素齐镇", "毕克齐镇", "善岱镇", "台阁牧镇", "白庙子镇", "敕勒川镇", "北什轴乡", "塔布赛乡"],
        roads: &["迎宾路", "人民路", "建设路", "新华街", "文化路", "团结路"] },
    District { code: "150122", name: "托克托县", weight: 5, rural: true,
        towns: &["双河镇", "新营子镇", "五申镇", "伍什家镇", "古城镇"],
        roads: &["云中路", "人民路", "建设路", "车站路"] },
    District { code: "150123", name: "和林格尔县", weight: 5, rural: true,
        towns: &["城关镇", "盛乐镇", "新店子镇", "舍必崖乡", "大红城乡"],
        roads: &["盛乐大街", "府前街", "人民路", "迎宾路"] },
    District { code: "150124", name: "清水河县", weight: 2, rural: true,
        towns: &["城关镇", "喇嘛湾镇", "宏河镇", "老牛湾镇"],
        roads: &["黄河路", "新华街", "人民路"] },
    District { code: "150125", name: "武川县", weight: 3, rural: true,
        towns: &["可可以力更镇", "哈乐镇", "西乌兰不浪镇", "上秃亥乡"],
        roads: &["光明路", "建设路", "人民路"] },
];

const VILLAGES: &[&str] = &[
    "前营",
    "后营",
    "东营子",
    "西营子",
    "大岱",
    "小甲",
    "三间房",
    "五犋牛",
    "南园子",
    "北园子",
    "红旗",
    "前进",
    "新胜",
    "三合",
    "什拉门更",
    "讨号板",
    "毛岱",
    "沙尔沁",
    "水磨",
    "新地",
];
const COMPOUND_HEADS: &[&str] = &[
    "锦绣", "金桥", "丽景", "阳光", "和谐", "松山", "青城", "名都", "枫林", "文化", "滨河", "学府",
    "如意", "天骄", "东方", "塞上", "春华", "紫薇", "嘉和", "万和", "绿地", "盛世",
];
const COMPOUND_TAILS: &[&str] = &[
    "小区", "家园", "花园", "佳苑", "嘉园", "华府", "新村", "公寓",
];

/// Where people were born, for the address code of their citizen ID: mostly the city itself,
/// else other leagues and cities of the region, else neighbouring provinces.
#[rustfmt::skip]
const ELSEWHERE_CODES: &[(&str, u32)] = &[
    ("150202", 6), ("150203", 6), ("150204", 4), ("150221", 4), ("150302", 3), ("150402", 4),
    ("150502", 3), ("150602", 5), ("150702", 2), ("150802", 4), ("150902", 6), ("152502", 3),
    ("152921", 1), ("150927", 3), ("150929", 3), ("140202", 5), ("140602", 4), ("130702", 3),
    ("610802", 4), ("142201", 2), ("620102", 1), ("640104", 1), ("110105", 1), ("370102", 1),
];

pub(super) fn district(rng: &mut StdRng) -> &'static District {
    &DISTRICTS[weighted_index(rng, DISTRICTS.len(), |i| DISTRICTS[i].weight)]
}

/// An urban district and one of its 街道 (without the word 街道), for community services.
pub(super) fn urban_street(rng: &mut StdRng) -> (&'static District, &'static str) {
    loop {
        let d = district(rng);
        if d.rural {
            continue;
        }
        let streets: Vec<&'static str> = d
            .towns
            .iter()
            .filter_map(|t| t.strip_suffix("街道"))
            .collect();
        return (d, streets[rng.random_range(0..streets.len())]);
    }
}

/// The district with this name (a name used by the dataset plans).
pub(super) fn district_named(name: &str) -> &'static District {
    DISTRICTS
        .iter()
        .find(|d| d.name == name)
        .expect("dataset plans name districts of the table")
}

/// A street address in `d`: a house in a residential compound in town, a village house or a
/// road number in the counties.
pub(super) fn home_address(rng: &mut StdRng, d: &District) -> String {
    if d.rural && rng.random_bool(0.6) {
        let town = one(rng, d.towns);
        let village = one(rng, VILLAGES);
        let n = rng.random_range(1..=260);
        return format!("青城市{}{town}{village}村{n}号", d.name);
    }
    let road = one(rng, d.roads);
    let n = rng.random_range(1..=399);
    let compound = format!("{}{}", one(rng, COMPOUND_HEADS), one(rng, COMPOUND_TAILS));
    let building = rng.random_range(1..=28);
    let unit = rng.random_range(1..=6);
    let floor = rng.random_range(1..=26);
    let room = rng.random_range(1..=4);
    format!(
        "青城市{}{road}{n}号{compound}{building}号楼{unit}单元{floor}{room:02}室",
        d.name
    )
}

/// A street address of an organisation's premises in `d` (no flat number).
pub(super) fn premises_address(rng: &mut StdRng, d: &District) -> String {
    let road = one(rng, d.roads);
    let n = rng.random_range(1..=499);
    if d.rural {
        format!("青城市{}{}{road}{n}号", d.name, one(rng, d.towns))
    } else {
        format!("青城市{}{road}{n}号", d.name)
    }
}

/// 男 or 女; in a citizen ID the 17th digit is odd for men.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sex {
    Male,
    Female,
}

impl Sex {
    pub(super) fn zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// One synthetic resident.
#[derive(Debug, Clone)]
pub(super) struct Person {
    pub name: String,
    pub sex: Sex,
    pub ethnicity: &'static str,
    pub birth: NaiveDate,
    pub citizen_id: String,
    pub district: &'static District,
    pub address: String,
}

/// Who a dataset is about: an age range and whether they mostly came from elsewhere.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cohort {
    /// Youngest and oldest age (in whole years) on the data's as-of date.
    pub ages: (u32, u32),
    pub sex: Option<Sex>,
    /// Born outside the city (流动人口): the citizen ID's address code is elsewhere.
    pub migrant: bool,
}

/// The city's population by age band (five years each, from 0–4 to 95–99), per thousand.
const AGE_BANDS: [u32; 20] = [
    45, 52, 48, 45, 65, 75, 90, 85, 75, 80, 85, 75, 55, 50, 33, 20, 13, 7, 3, 1,
];

/// An age in `ages`, following the city's age pyramid within that range.
fn age(rng: &mut StdRng, (lo, hi): (u32, u32)) -> u32 {
    let band = |i: usize| AGE_BANDS[((lo as usize + i) / 5).min(AGE_BANDS.len() - 1)];
    lo + weighted_index(rng, (hi - lo + 1) as usize, band) as u32
}

/// A birth date that makes the person exactly `age` on `as_of`.
fn birth_date(rng: &mut StdRng, age: u32, as_of: NaiveDate) -> NaiveDate {
    // Born after as_of minus (age + 1) years and on or before as_of minus age years.
    let latest = add_years(as_of, -(age as i32));
    let earliest = add_years(as_of, -(age as i32 + 1)) + Duration::days(1);
    let span = (latest - earliest).num_days();
    earliest + Duration::days(rng.random_range(0..=span))
}

/// The same day `years` years later (earlier when negative); 29 February becomes 28 February.
pub(super) fn add_years(date: NaiveDate, years: i32) -> NaiveDate {
    let year = date.year() + years;
    date.with_year(year)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 2, 28).expect("28 February exists"))
}

/// A person's full name: surname and given name by sex and birth year; a Mongolian name for
/// most 蒙古族 residents.
pub(super) fn full_name(rng: &mut StdRng, sex: Sex, birth_year: i32, ethnicity: &str) -> String {
    if ethnicity == "蒙古族" && rng.random_bool(0.8) {
        let given = match sex {
            Sex::Male => one(rng, MONGOL_MALE_NAMES),
            Sex::Female => one(rng, MONGOL_FEMALE_NAMES),
        };
        return if rng.random_bool(0.5) {
            format!("{}{given}", one(rng, MONGOL_SURNAMES))
        } else {
            given.to_owned()
        };
    }
    let surname = weighted(rng, SURNAMES);
    given_name(rng, surname, sex, birth_year)
}

/// `surname` with a given name for someone of `sex` born in `birth_year`.
pub(super) fn given_name(rng: &mut StdRng, surname: &str, sex: Sex, birth_year: i32) -> String {
    if birth_year < 1965 && rng.random_bool(0.5) {
        let given = match sex {
            Sex::Male => one(rng, OLD_MALE_NAMES),
            Sex::Female => one(rng, OLD_FEMALE_NAMES),
        };
        return format!("{surname}{given}");
    }
    let chars = match sex {
        Sex::Male => MALE_CHARS,
        Sex::Female => FEMALE_CHARS,
    };
    let mut name = surname.to_owned();
    name.push_str(one(rng, chars));
    // Two-character given names have been the norm since the 1980s.
    if rng.random_bool(if birth_year < 1980 { 0.55 } else { 0.85 }) {
        name.push_str(one(rng, chars));
    }
    name
}

/// A surname drawn from the city's surname table.
pub(super) fn surname(rng: &mut StdRng) -> &'static str {
    weighted(rng, SURNAMES)
}

/// A resident of `cohort` as of `as_of`: name, sex, ethnicity, birth date, a citizen ID that
/// agrees with all of them, and a home address.
pub(super) fn person(rng: &mut StdRng, cohort: Cohort, as_of: NaiveDate) -> Person {
    let sex = cohort.sex.unwrap_or_else(|| {
        if rng.random_bool(0.5) {
            Sex::Male
        } else {
            Sex::Female
        }
    });
    let ethnicity = weighted(rng, ETHNICITIES);
    let age = age(rng, cohort.ages);
    let birth = birth_date(rng, age, as_of);
    let district = district(rng);
    let born_elsewhere = if cohort.migrant { 0.9 } else { 0.2 };
    let area = if rng.random_bool(born_elsewhere) {
        weighted(rng, ELSEWHERE_CODES)
    } else {
        district.code
    };
    Person {
        name: full_name(rng, sex, birth.year(), ethnicity),
        sex,
        ethnicity,
        birth,
        citizen_id: citizen_id(rng, area, birth, sex),
        district,
        address: home_address(rng, district),
    }
}

/// A checksum-valid citizen ID: address code, birth date, a sequence whose last digit is odd
/// for men and even for women, and the MOD 11-2 check character.
pub(super) fn citizen_id(rng: &mut StdRng, area: &str, birth: NaiveDate, sex: Sex) -> String {
    let order = rng.random_range(0..50) * 2 + u32::from(sex == Sex::Male);
    let seq = rng.random_range(0..10) * 100 + order;
    let first17 = format!("{area}{}{seq:03}", birth.format("%Y%m%d"));
    let check = CitizenId::check_char_for(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// A mobile number (a real carrier prefix and eight digits).
pub(super) fn mobile(rng: &mut StdRng) -> String {
    const PREFIXES: &[&str] = &[
        "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
        "155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "185", "186", "187",
        "188", "189", "191", "195", "198", "199",
    ];
    format!(
        "{}{:08}",
        one(rng, PREFIXES),
        rng.random_range(0..100_000_000u32)
    )
}

/// A landline number in the city's 0471 area.
pub(super) fn landline(rng: &mut StdRng) -> String {
    let first = one(rng, &["3", "4", "5", "6"]);
    format!("0471-{first}{:06}", rng.random_range(0..1_000_000u32))
}

/// The characters of the credit-code alphabet (GB 32100: no I, O, S, V, Z).
const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The GB 11714 check character of an eight-character organisation code body.
fn org_code_check(body: &[u8]) -> char {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| {
            let v = if c.is_ascii_digit() {
                u32::from(c - b'0')
            } else {
                u32::from(c - b'A') + 10
            };
            v * w
        })
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).expect("a single digit"),
    }
}

/// A valid credit code: registration-authority and kind `prefix` (e.g. `91` company, `92`
/// individual business, `12` public institution, `51` social group, `52` private non-profit,
/// `31` law firm), the division code, a nine-character organisation code (newer market
/// registrations start with `MA`) and the GB 32100 check character.
pub(super) fn credit_code(rng: &mut StdRng, prefix: &str, division: &str) -> String {
    let mut body = Vec::with_capacity(8);
    if prefix.starts_with('9') && rng.random_bool(0.7) {
        body.extend_from_slice(b"MA");
        for _ in 0..6 {
            body.push(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]);
        }
    } else {
        for _ in 0..8 {
            body.push(b'0' + rng.random_range(0..10u8));
        }
    }
    let check = org_code_check(&body);
    let first17 = format!(
        "{prefix}{division}{}{check}",
        String::from_utf8(body).expect("ASCII")
    );
    CreditCode::complete(&first17)
        .expect("built from the credit-code alphabet")
        .to_string()
}

/// Two-character trade names (字号) of local businesses and organisations.
pub(super) const TRADE_NAMES: &[&str] = &[
    "华远",
    "鑫达",
    "蒙源",
    "塞北",
    "恒泰",
    "金盛",
    "天骄",
    "北疆",
    "瑞丰",
    "宏图",
    "博远",
    "昌盛",
    "嘉禾",
    "中联",
    "泰和",
    "兴业",
    "润泽",
    "祥云",
    "禾丰",
    "九州",
    "绿源",
    "汇通",
    "鼎信",
    "正阳",
    "广源",
    "明德",
    "福瑞",
    "安泰",
    "聚鑫",
    "同创",
    "和美",
    "佳和",
    "万通",
    "百川",
    "远航",
    "星河",
    "敕勒",
    "大青山",
    "黄河",
    "昭君",
    "盛乐",
    "云中",
    "草原",
    "骏马",
    "苍穹",
    "白塔",
];

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }

    // H13: every synthetic citizen ID parses, and its birth date and sex digit agree with the
    // person's age and sex.
    #[test]
    fn citizen_ids_parse_and_agree_with_age_and_sex() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..20_000 {
            let cohort = Cohort {
                ages: (0, 99),
                sex: None,
                migrant: rng.random_bool(0.3),
            };
            let p = person(&mut rng, cohort, as_of());
            let id = CitizenId::parse_at(&p.citizen_id, as_of())
                .unwrap_or_else(|e| panic!("{} does not parse: {e:?}", p.citizen_id));
            assert_eq!(id.birth_date(), p.birth);
            let age = as_of().years_since(p.birth).unwrap();
            assert!(age <= 99, "{} is {age}", p.citizen_id);
            let odd = (p.citizen_id.as_bytes()[16] - b'0') % 2 == 1;
            assert_eq!(odd, p.sex == Sex::Male, "{}", p.citizen_id);
        }
    }

    #[test]
    fn ages_stay_inside_the_cohort() {
        let mut rng = StdRng::seed_from_u64(8);
        for _ in 0..5_000 {
            let cohort = Cohort {
                ages: (6, 17),
                sex: Some(Sex::Female),
                migrant: false,
            };
            let p = person(&mut rng, cohort, as_of());
            let age = as_of().years_since(p.birth).unwrap();
            assert!((6..=17).contains(&age), "{age}");
            assert_eq!(p.sex, Sex::Female);
        }
    }

    // H14: every synthetic credit code parses, whatever its kind.
    #[test]
    fn credit_codes_parse() {
        let mut rng = StdRng::seed_from_u64(9);
        for prefix in ["91", "92", "12", "51", "52", "31"] {
            for _ in 0..5_000 {
                let code = credit_code(&mut rng, prefix, "150105");
                CreditCode::parse(&code).unwrap_or_else(|e| panic!("{code}: {e:?}"));
                assert!(code.starts_with(prefix) && code[2..8] == *"150105");
            }
        }
    }

    #[test]
    fn the_organisation_code_check_matches_a_published_code() {
        // GB 11714's worked example: D2143569 → check character X.
        assert_eq!(org_code_check(b"D2143569"), 'X');
    }

    #[test]
    fn phone_numbers_have_their_shapes() {
        let mut rng = StdRng::seed_from_u64(10);
        for _ in 0..1_000 {
            let m = mobile(&mut rng);
            assert!(m.len() == 11 && m.starts_with('1') && m.bytes().all(|b| b.is_ascii_digit()));
            let l = landline(&mut rng);
            assert!(l.starts_with("0471-") && l.len() == 12, "{l}");
        }
    }
}
