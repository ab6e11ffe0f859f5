//! The demo city (演示城市) seeded by `gongshu serve --demo`: a city authority with its
//! service centre, ten agencies, two counties with their own authority and agencies, an
//! operator, an application unit, a regulator, and users for every role. Seeding runs only on
//! an empty database, so starting again never duplicates anything.

use gongshu_app::bootstrap::{self, Directory, Member, NewAccount, NewOrg, PublicKind};
use gongshu_app::catalog::excel::find_org;
use gongshu_app::identity::principal_for_cli;
use gongshu_app::orgs::{ResponsibilityInput, name_responsible_persons};
use gongshu_app::{App, Ctx, RequestMeta, Result};
use gongshu_domain::{CreditCode, OrgKind, OrgLevel, Role};

/// One demo login, for the start-up banner.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_name: String,
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// False when the database already held data and nothing was seeded.
    pub seeded: bool,
    pub users: Vec<DemoUser>,
}

struct DemoOrg {
    key: &'static str,
    parent: Option<&'static str>,
    kind: OrgKind,
    level: OrgLevel,
    name: &'static str,
    /// Administrative division code (行政区划代码) used in the credit code.
    division: &'static str,
    liaison: &'static str,
}

const CITY: &str = "150100";

#[rustfmt::skip]
const ORGS: &[DemoOrg] = &[
    DemoOrg { key: "sjj", parent: None, kind: OrgKind::Authority, level: OrgLevel::City, name: "市大数据管理局", division: CITY, liaison: "陈晓东" },
    DemoOrg { key: "sjzx", parent: Some("sjj"), kind: OrgKind::ServiceCentre, level: OrgLevel::City, name: "市大数据服务中心", division: CITY, liaison: "王志强" },
    DemoOrg { key: "gaj", parent: Some("sjj"), kind: OrgKind::Agency, level: OrgLevel::City, name: "市公安局", division: CITY, liaison: "刘建国" },
    DemoOrg { key: "mzj", parent: Some("sjj"), kind: OrgKind::Agency, level: OrgLevel::City, name: "市民政局", division: CITY, liaison: "张丽华" },
    DemoOrg { key: "wjw", parent: Some("sjj"), kind: OrgKind::Agency, level: OrgLevel::City, name: "市卫生健康委员会", division: CITY, liaison: "孙伟" },
    DemoOrg { key: "rsj", parent: Some("sjj"), kind: OrgKind::Agency, level: OrgLevel::City, name: "市人力资源和社会保障局", division: CITY, liaison: "周敏" },
    DemoOrg { key: "scjgj", parent: Some("sjj"), kind: OrgKind::Agency, level: OrgLevel::City, name: "市市场监督管理局", division: CITY, liaison: "吴刚" },
    DemoOrg { key: "zrzyj", parent: Some("sjj"), kind: OrgKind::Agency, level: OrgLevel::City, name: "市自然资源局", division: CITY, liaison: "郑海燕" },
    DemoOrg { key: "jyj", parent: Some("sjj"), kind: OrgKind::Agency, level: OrgLevel::City, name: "市教育局", division: CITY, liaison: "冯磊" },
    DemoOrg { key: "gjjzx", parent: Some("sjj"), kind: OrgKind::Agency, level: OrgLevel::City, name: "市住房公积金管理中心", division: CITY, liaison: "何静" },
    DemoOrg { key: "cl", parent: Some("sjj"), kind: OrgKind::Agency, level: OrgLevel::City, name: "市残疾人联合会", division: CITY, liaison: "高峰" },
    DemoOrg { key: "sfj", parent: Some("sjj"), kind: OrgKind::Agency, level: OrgLevel::City, name: "市司法局", division: CITY, liaison: "林芳" },
    DemoOrg { key: "yy", parent: Some("sjj"), kind: OrgKind::Operator, level: OrgLevel::City, name: "青城公共数据运营有限公司", division: CITY, liaison: "马超" },
    DemoOrg { key: "yydw", parent: Some("sjj"), kind: OrgKind::ApplicationUnit, level: OrgLevel::City, name: "智慧出行科技有限公司", division: CITY, liaison: "罗琳" },
    DemoOrg { key: "wxb", parent: Some("sjj"), kind: OrgKind::Regulator, level: OrgLevel::City, name: "市委网信办", division: CITY, liaison: "梁宏" },
    DemoOrg { key: "xcq", parent: Some("sjj"), kind: OrgKind::Authority, level: OrgLevel::County, name: "新城区大数据管理局", division: "150102", liaison: "宋佳" },
    DemoOrg { key: "xcq-gaj", parent: Some("xcq"), kind: OrgKind::Agency, level: OrgLevel::County, name: "新城区公安分局", division: "150102", liaison: "韩冬" },
    DemoOrg { key: "xcq-mzj", parent: Some("xcq"), kind: OrgKind::Agency, level: OrgLevel::County, name: "新城区民政局", division: "150102", liaison: "唐欣" },
    DemoOrg { key: "tzq", parent: Some("sjj"), kind: OrgKind::Authority, level: OrgLevel::County, name: "土默特左旗大数据管理局", division: "150121", liaison: "巴特尔" },
    DemoOrg { key: "tzq-gaj", parent: Some("tzq"), kind: OrgKind::Agency, level: OrgLevel::County, name: "土默特左旗公安局", division: "150121", liaison: "乌云" },
    DemoOrg { key: "tzq-wjw", parent: Some("tzq"), kind: OrgKind::Agency, level: OrgLevel::County, name: "土默特左旗卫生健康委员会", division: "150121", liaison: "其其格" },
];

/// (user name, display name, role, organisation key).
#[rustfmt::skip]
const NAMED_USERS: &[(&str, &str, Role, &str)] = &[
    ("sysadmin", "王志强", Role::SystemAdmin, "sjzx"),
    ("secadmin", "李静", Role::SecurityAdmin, "sjzx"),
    ("auditor", "赵敏", Role::Auditor, "sjzx"),
    ("reviewer", "陈晓东", Role::AuthorityReviewer, "sjj"),
    ("sjj-admin", "赵磊", Role::AgencyAdmin, "sjj"),
    ("xcq-reviewer", "宋佳", Role::AuthorityReviewer, "xcq"),
    ("tzq-reviewer", "巴特尔", Role::AuthorityReviewer, "tzq"),
    ("operator", "马超", Role::OperatorStaff, "yy"),
    ("appunit", "罗琳", Role::ApplicationUnitStaff, "yydw"),
    ("regulator", "梁宏", Role::Regulator, "wxb"),
];

/// Heads of the agencies (主要负责人), the first persons responsible for data security.
const HEAD_NAMES: &[&str] = &[
    "高建国",
    "苏宏伟",
    "任志刚",
    "邓立新",
    "蒋文华",
    "贺永明",
    "龚伟民",
    "程海涛",
    "魏振东",
    "秦光辉",
    "许庆丰",
    "邱国庆",
    "白云峰",
    "乔立军",
    "段志远",
];

const STAFF_NAMES: &[&str] = &[
    "刘洋", "张伟", "李娜", "王芳", "杨帆", "黄磊", "赵鹏", "吴婷", "周杰", "徐丽", "孙浩", "胡敏",
    "朱琳", "郭强", "何颖", "高翔", "林涛", "罗敏", "郑宇", "梁爽", "谢军", "宋雨", "唐亮", "韩雪",
    "冯刚", "曹蕾", "彭博", "曾静", "萧然", "田野",
];

/// A valid credit code for the n-th demo organisation: organs (机关, `11`), public institutions
/// (事业单位, `12`) and companies (`91`) each get their registration prefix.
fn credit_code(org: &DemoOrg, n: usize) -> CreditCode {
    let prefix = match org.kind {
        OrgKind::ServiceCentre => "12",
        OrgKind::Operator | OrgKind::ApplicationUnit => "91",
        _ => "11",
    };
    let first17 = format!("{prefix}{}MB{:07}", org.division, 1_000_000 + n * 7919);
    CreditCode::complete(&first17).expect("demo codes use the credit-code alphabet")
}

/// The two members of the public: (user name, display name, kind, citizen ID or credit code).
const PUBLIC_USERS: &[(&str, &str, PublicKind, &str)] = &[
    (
        "public-person",
        "张三",
        PublicKind::Person,
        "11010519491231002X",
    ),
    (
        "public-company",
        "青城数智科技有限公司",
        PublicKind::Company,
        "91350100M000100Y43",
    ),
];

/// Every demo account, in the order they are created: the named users, an admin and a staff
/// member for every agency, then the public.
fn accounts() -> Vec<NewAccount> {
    let staff = |username: String, display: &str, role: Role, org: &str| NewAccount {
        username,
        display_name: display.into(),
        member: Member::Staff {
            org: org.into(),
            role,
        },
    };
    let mut out: Vec<NewAccount> = NAMED_USERS
        .iter()
        .map(|(username, display, role, org)| staff((*username).into(), display, *role, org))
        .collect();
    let mut names = STAFF_NAMES.iter().cycle();
    for org in ORGS.iter().filter(|o| o.kind == OrgKind::Agency) {
        for (suffix, role) in [("admin", Role::AgencyAdmin), ("staff", Role::AgencyStaff)] {
            let name = names.next().expect("cycle never ends");
            out.push(staff(format!("{}-{suffix}", org.key), name, role, org.key));
        }
    }
    out.extend(
        PUBLIC_USERS
            .iter()
            .map(|(username, display, kind, subject)| NewAccount {
                username: (*username).into(),
                display_name: (*display).into(),
                member: Member::Public {
                    kind: *kind,
                    subject: (*subject).into(),
                },
            }),
    );
    out
}

/// Seeds the demo city into an empty database (see the module documentation); on a database
/// that has organisations already, seeds nothing and still lists the demo users.
pub async fn seed(app: &App, password: &str) -> Result<DemoSummary> {
    let orgs = ORGS
        .iter()
        .enumerate()
        .map(|(n, org)| NewOrg {
            key: org.key.into(),
            parent: org.parent.map(Into::into),
            kind: org.kind,
            level: org.level,
            name: org.name.into(),
            credit_code: credit_code(org, n),
            liaison_name: org.liaison.into(),
            liaison_phone: format!("0471-{}", 6_900_000 + n * 113),
        })
        .collect();
    let accounts = accounts();
    let users = accounts
        .iter()
        .map(|a| {
            let (role, org_name) = match &a.member {
                Member::Staff { org, role } => (*role, org_name(org).unwrap_or_default().into()),
                Member::Public { .. } => (Role::Public, String::new()),
            };
            DemoUser {
                username: a.username.clone(),
                display_name: a.display_name.clone(),
                role,
                org_name,
            }
        })
        .collect();
    let directory = Directory {
        tool: "demo",
        orgs,
        accounts,
        password: password.to_owned(),
    };
    let seeded = bootstrap::create_directory(app, directory).await?;
    if seeded {
        name_agency_heads_and_leads(app).await?;
    }
    Ok(DemoSummary { seeded, users })
}

/// Every organisation with an agency admin (the agencies and the city authority, which
/// catalogs data of its own) names its head and makes its admin its security lead (第三十三条,
/// 第三十四条), so its confidentiality reviews can be signed.
async fn name_agency_heads_and_leads(app: &App) -> Result<()> {
    let meta = RequestMeta {
        request_id: format!("demo-{}", uuid::Uuid::now_v7()),
        client_addr: "local".into(),
    };
    let mut heads = HEAD_NAMES.iter().cycle();
    for org in ORGS
        .iter()
        .filter(|o| o.kind == OrgKind::Agency || o.key == "sjj")
    {
        let admin = principal_for_cli(app, &format!("{}-admin", org.key)).await?;
        let ctx = Ctx {
            meta: &meta,
            principal: &admin,
        };
        let id = find_org(app, org.name).await?;
        let input = ResponsibilityInput {
            head_name: (*heads.next().expect("cycle never ends")).into(),
            security_lead_id: admin.account_id.clone(),
        };
        name_responsible_persons(app, ctx, &id, input).await?;
    }
    Ok(())
}

/// The name of the demo organisation `key`.
pub(crate) fn org_name(key: &str) -> Option<&'static str> {
    ORGS.iter().find(|o| o.key == key).map(|o| o.name)
}
