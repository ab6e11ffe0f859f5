//! The demo city (演示城市) seeded by `gongshu serve --demo`: a city authority with its
//! service centre, ten agencies, two counties with their own authority and agencies, an
//! operator, an application unit, a regulator, and users for every role. Seeding runs only on
//! an empty database, so starting again never duplicates anything.

use gongshu_audit::Outcome;
use gongshu_domain::{CreditCode, OrgKind, OrgLevel, Role};
use gongshu_store::accounts::{self, AccountRow};
use gongshu_store::orgs::{self, OrgRow};
use serde_json::json;

use crate::identity::hash_password_blocking;
use crate::record::{Change, Who, append};
use crate::{App, AppError, RequestMeta, Result};

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

const STAFF_NAMES: &[&str] = &[
    "刘洋", "张伟", "李娜", "王芳", "杨帆", "黄磊", "赵鹏", "吴婷", "周杰", "徐丽", "孙浩", "胡敏",
    "朱琳", "郭强", "何颖", "高翔", "林涛", "罗敏", "郑宇", "梁爽", "谢军", "宋雨", "唐亮", "韩雪",
    "冯刚", "曹蕾", "彭博", "曾静", "萧然", "田野",
];

/// A valid credit code for the n-th demo organisation: organs (机关, `11`), public institutions
/// (事业单位, `12`) and companies (`91`) each get their registration prefix.
fn credit_code(org: &DemoOrg, n: usize) -> String {
    let prefix = match org.kind {
        OrgKind::ServiceCentre => "12",
        OrgKind::Operator | OrgKind::ApplicationUnit => "91",
        _ => "11",
    };
    let first17 = format!("{prefix}{}MB{:07}", org.division, 1_000_000 + n * 7919);
    CreditCode::complete(&first17)
        .expect("demo codes use the credit-code alphabet")
        .to_string()
}

pub async fn seed(app: &App, password: &str) -> Result<DemoSummary> {
    let mut users = Vec::new();
    let mut conn = app.db.acquire().await?;
    let empty = orgs::count_orgs(&mut conn).await? == 0;
    drop(conn);
    let policy = crate::security_policy::current(app).await?;
    gongshu_domain::password::check_password(&policy, "", password)?;
    // One hash for all demo users: they share the password by design, and hashing thirty
    // times would slow every start and test.
    let pw = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password_blocking(&pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;

    let meta = RequestMeta {
        request_id: format!("demo-{}", uuid::Uuid::now_v7()),
        client_addr: "local".into(),
    };
    let who = Who {
        id: None,
        name: "system:demo",
        org: None,
    };
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    let mut ids = std::collections::HashMap::new();
    for (n, org) in ORGS.iter().enumerate() {
        let id = uuid::Uuid::now_v7().to_string();
        let row = OrgRow {
            id: id.clone(),
            parent_id: org
                .parent
                .map(|p| ids.get(p).cloned().expect("parents come first")),
            kind: org.kind.as_str().into(),
            level: org.level.as_str().into(),
            name: org.name.into(),
            credit_code: credit_code(org, n),
            liaison_name: org.liaison.into(),
            liaison_phone: format!("0471-{}", 6_900_000 + n * 113),
            liaison_email: String::new(),
            created_at: now,
            updated_at: now,
        };
        ids.insert(org.key, id.clone());
        if !empty {
            continue;
        }
        orgs::insert_org(&mut tx, &row).await?;
        let change = Change {
            action: "create_organisation",
            target_kind: "organisation",
            target_id: &id,
            payload: json!({ "name": row.name, "kind": row.kind, "level": row.level, "credit_code": row.credit_code, "parent_id": row.parent_id }),
        };
        append(app, &mut tx, &meta, who, Outcome::Success, change).await?;
    }

    let mut plan: Vec<(String, String, Role, &DemoOrg)> = Vec::new();
    let org_of = |key: &str| ORGS.iter().find(|o| o.key == key).expect("known demo org");
    for (username, display, role, org) in NAMED_USERS {
        plan.push(((*username).into(), (*display).into(), *role, org_of(org)));
    }
    let mut names = STAFF_NAMES.iter().cycle();
    for org in ORGS.iter().filter(|o| o.kind == OrgKind::Agency) {
        for (suffix, role) in [("admin", Role::AgencyAdmin), ("staff", Role::AgencyStaff)] {
            let name = names.next().expect("cycle never ends");
            plan.push((format!("{}-{suffix}", org.key), (*name).into(), role, org));
        }
    }
    for (username, display, role, org) in &plan {
        users.push(DemoUser {
            username: username.clone(),
            display_name: display.clone(),
            role: *role,
            org_name: org.name.into(),
        });
        if !empty {
            continue;
        }
        let id = uuid::Uuid::now_v7().to_string();
        let row = AccountRow {
            id: id.clone(),
            username: username.clone(),
            display_name: display.clone(),
            org_id: Some(ids[org.key].clone()),
            subject_kind: "staff".into(),
            subject_id: None,
            phone: String::new(),
            password_hash: hash.clone(),
            status: "active".into(),
            password_changed_at: now,
            created_at: now,
            updated_at: now,
        };
        accounts::insert_account(&mut tx, &row).await?;
        accounts::insert_role(&mut tx, &id, role.as_str(), None, now).await?;
        let change = Change {
            action: "create_account",
            target_kind: "account",
            target_id: &id,
            payload: json!({ "username": username, "display_name": display, "org_id": row.org_id, "role": role }),
        };
        append(app, &mut tx, &meta, who, Outcome::Success, change).await?;
    }

    for (username, display, kind, subject) in [
        ("public-person", "张三", "person", "11010519491231002X"),
        (
            "public-company",
            "青城数智科技有限公司",
            "company",
            "91350100M000100Y43",
        ),
    ] {
        users.push(DemoUser {
            username: username.into(),
            display_name: display.into(),
            role: Role::Public,
            org_name: String::new(),
        });
        if !empty {
            continue;
        }
        let id = uuid::Uuid::now_v7().to_string();
        let row = AccountRow {
            id: id.clone(),
            username: username.into(),
            display_name: display.into(),
            org_id: None,
            subject_kind: kind.into(),
            subject_id: Some(subject.into()),
            phone: String::new(),
            password_hash: hash.clone(),
            status: "active".into(),
            password_changed_at: now,
            created_at: now,
            updated_at: now,
        };
        accounts::insert_account(&mut tx, &row).await?;
        accounts::insert_role(&mut tx, &id, "public", None, now).await?;
        let change = Change {
            action: "register_public",
            target_kind: "account",
            target_id: &id,
            payload: json!({ "username": username, "subject_kind": kind }),
        };
        append(app, &mut tx, &meta, who, Outcome::Success, change).await?;
    }
    tx.commit().await?;
    Ok(DemoSummary {
        seeded: empty,
        users,
    })
}

/// (key, name) of every demo organisation; the key prefixes its users' names.
pub(crate) fn org_keys() -> Vec<(&'static str, &'static str)> {
    ORGS.iter().map(|o| (o.key, o.name)).collect()
}
