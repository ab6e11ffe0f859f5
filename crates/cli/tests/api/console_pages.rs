//! Smoke tests of the Chinese console: every page for every kind of demo user answers what the
//! access rules say (200, the 403 page with a Chinese reason, or the way to `/login` for an
//! anonymous visitor), every page shown is a complete Chinese page naming the viewer, and the
//! forms round-trip: a refused input comes back on its field, an accepted one redirects with a
//! notice.

use gongshu_domain::DenyReason;
use reqwest::Method;

use crate::catalog_fixtures::{open_entry, publish};
use crate::support::{Client, Resp, TestApp, credit_code};

/// The demo users, one per kind of role.
const USERS: &[&str] = &[
    "sysadmin",
    "secadmin",
    "auditor",
    "reviewer",
    "gaj-admin",
    "gaj-staff",
    "regulator",
    "public-person",
];

/// Who may open a page, as the handlers decide it.
#[derive(Clone, Copy)]
enum Who {
    /// Everyone logged in, public users included.
    Everyone,
    /// Everyone logged in except public users (the staff of an organisation).
    Staff,
    /// Only these users.
    Only(&'static [&'static str]),
}

impl Who {
    fn admits(self, user: &str) -> bool {
        match self {
            Who::Everyone => true,
            Who::Staff => user != "public-person",
            Who::Only(users) => users.contains(&user),
        }
    }
}

/// Every console page reached by GET, with who may open it. The published entry's page is
/// added by the test, since its code is known only once it is published.
const PAGES: &[(&str, Who)] = &[
    ("/", Who::Everyone),
    ("/orgs", Who::Staff),
    ("/orgs/new", Who::Only(&["sysadmin"])),
    (
        "/accounts",
        Who::Only(&["sysadmin", "secadmin", "gaj-admin"]),
    ),
    ("/accounts/new", Who::Only(&["sysadmin"])),
    ("/security-policy", Who::Only(&["sysadmin", "secadmin"])),
    ("/audit", Who::Only(&["auditor", "regulator"])),
    ("/audit/verify", Who::Only(&["auditor", "regulator"])),
    ("/calendar", Who::Everyone),
    ("/tokens", Who::Everyone),
    ("/password", Who::Everyone),
    ("/catalog", Who::Everyone),
    ("/catalog/mine", Who::Everyone),
    ("/catalog/review", Who::Only(&["reviewer"])),
    ("/catalog/region", Who::Only(&["reviewer"])),
    ("/catalog/elements", Who::Staff),
    ("/catalog/scheme", Who::Everyone),
    ("/catalog/import", Who::Everyone),
    (
        "/catalog/entries/new",
        Who::Only(&["gaj-admin", "gaj-staff"]),
    ),
    ("/sharing/requests", Who::Only(&["gaj-admin", "gaj-staff"])),
    ("/sharing/inbox", Who::Only(&["gaj-admin"])),
    (
        "/sharing/grants",
        Who::Only(&["reviewer", "gaj-admin", "gaj-staff"]),
    ),
    (
        "/sharing/escalations",
        Who::Only(&["reviewer", "regulator"]),
    ),
    ("/sharing/suspensions", Who::Only(&["reviewer"])),
    ("/sharing/closures", Who::Everyone),
    (
        "/objections",
        Who::Only(&["reviewer", "gaj-admin", "regulator"]),
    ),
    ("/sharing/verify", Who::Only(&["gaj-admin", "gaj-staff"])),
    ("/notifications", Who::Everyone),
    ("/sharing/lists/demand", Who::Staff),
    ("/sharing/lists/responsibility", Who::Staff),
    ("/sharing/lists/negative", Who::Staff),
    ("/sharing/assessments", Who::Staff),
];

/// Text that must never reach a page: the template failure, English fallbacks of the error
/// handling, and values a template printed without a field behind them.
const FORBIDDEN_TEXT: &[&str] = &[
    "页面渲染失败",
    "Internal",
    "internal error",
    "错误代码：internal",
    "undefined",
    "Forbidden",
    "Not Found",
];

/// Publishes an open entry through the workflow and returns its code.
async fn published_open_entry(t: &TestApp) -> String {
    let gaj = t.login("gaj-admin").await;
    let reviewer = t.login("reviewer").await;
    publish(&gaj, &reviewer, open_entry("控制台冒烟测试统计")).await
}

/// How the page header names a logged-in user: `王志强（sysadmin）`.
fn header_name(t: &TestApp, user: &str) -> String {
    let demo = t
        .demo_users
        .iter()
        .find(|u| u.username == user)
        .unwrap_or_else(|| panic!("{user} is a demo user"));
    format!("{}（{user}）", demo.display_name)
}

/// A complete console page in Chinese, without template or English error text.
#[track_caller]
pub(crate) fn assert_chinese_page(res: &Resp, what: &str) {
    let content_type = res.header("content-type").unwrap_or("");
    assert!(
        content_type.starts_with("text/html"),
        "{what}: content type {content_type:?}"
    );
    assert!(
        res.text.contains(r#"<html lang="zh-CN">"#),
        "{what}: not a full Chinese page: {}",
        res.text
    );
    for bad in FORBIDDEN_TEXT {
        assert!(
            !res.text.contains(bad),
            "{what}: the page contains {bad:?}: {}",
            res.text
        );
    }
}

/// The message of the error page (`<p class="error">…</p>`).
fn error_message(html: &str) -> &str {
    html.split_once(r#"<p class="error">"#)
        .and_then(|(_, rest)| rest.split_once("</p>"))
        .map(|(message, _)| message.trim())
        .unwrap_or("")
}

fn is_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The way an anonymous visitor is sent to log in.
#[track_caller]
fn assert_goes_to_login(res: &Resp, what: &str) {
    assert!(
        res.status == 303 || res.status == 302,
        "{what}: expected a redirect to /login, got {}: {}",
        res.status,
        res.text
    );
    assert_eq!(res.header("location"), Some("/login"), "{what}");
}

pub(crate) async fn post_form(client: &Client, path: &str, form: &[(&str, &str)]) -> Resp {
    client
        .send(client.request(Method::POST, path).form(form))
        .await
}

pub async fn every_page_answers_each_user_as_the_access_rules_say(t: TestApp) {
    // The demo catalog fills the lists, the review desk and the registry, so their templates
    // render real rows rather than only their empty states.
    gongshu_demo::catalog::seed_catalog(&t.app)
        .await
        .expect("seed the demo catalog");
    let entry_page = format!("/catalog/entries/{}", published_open_entry(&t).await);
    let mut pages: Vec<(&str, Who)> = PAGES.to_vec();
    pages.push((&entry_page, Who::Everyone));
    let mut failures = Vec::new();
    for user in USERS {
        let client = t.browser_login(user).await;
        let name = header_name(&t, user);
        for (page, who) in &pages {
            let res = client.get(page).await;
            let what = format!("GET {page} as {user}");
            let expected = if who.admits(user) { 200 } else { 403 };
            if res.status != expected {
                failures.push(format!("{what}: expected {expected}, got {}", res.status));
                continue;
            }
            assert_chinese_page(&res, &what);
            assert!(
                res.text.contains(&name),
                "{what}: the page does not name {name}: {}",
                res.text
            );
            if expected == 403 {
                let message = error_message(&res.text);
                assert!(
                    is_chinese(message),
                    "{what}: the 403 page gives no Chinese reason: {}",
                    res.text
                );
                assert_eq!(message, DenyReason::RoleMissing.zh(), "{what}");
            }
        }
    }
    assert!(
        failures.is_empty(),
        "pages answered otherwise than the access rules say:\n{}",
        failures.join("\n")
    );
}

pub async fn anonymous_visitors_go_to_login_except_for_the_public_catalog(t: TestApp) {
    let entry_page = format!("/catalog/entries/{}", published_open_entry(&t).await);
    let anonymous = t.browser();
    for (page, _) in PAGES.iter().filter(|(page, _)| *page != "/catalog") {
        let res = anonymous.get(page).await;
        assert_goes_to_login(&res, &format!("anonymous GET {page}"));
    }
    for page in ["/login", "/catalog", entry_page.as_str()] {
        let res = anonymous.get(page).await;
        let what = format!("anonymous GET {page}");
        res.expect_status(200);
        assert_chinese_page(&res, &what);
    }
    // The public entry page shows the entry itself.
    let res = anonymous.get(&entry_page).await;
    assert!(res.text.contains("控制台冒烟测试统计"), "{}", res.text);
}

pub async fn the_organisation_form_shows_a_bad_credit_code_on_its_field_then_creates(t: TestApp) {
    let sysadmin = t.browser_login("sysadmin").await;
    let city = t.org_id("市大数据管理局").await;
    let good = credit_code(41);
    let mut form = vec![
        ("parent_id", city.as_str()),
        ("kind", "agency"),
        ("level", "city"),
        ("name", "控制台测试机构"),
        ("credit_code", "91110000600037341N"),
        ("liaison_name", "测试联络人"),
        ("liaison_phone", "0471-6900999"),
        ("liaison_email", ""),
    ];
    let res = post_form(&sysadmin, "/orgs", &form).await;
    res.expect_status(422);
    assert_chinese_page(&res, "POST /orgs with a bad credit code");
    assert!(
        res.text
            .contains(r#"<span class="field-error">统一社会信用代码无效"#),
        "no field message for the credit code: {}",
        res.text
    );
    // What was typed is kept.
    assert!(res.text.contains("控制台测试机构"), "{}", res.text);

    form[4] = ("credit_code", good.as_str());
    let res = post_form(&sysadmin, "/orgs", &form).await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(res.header("location"), Some("/orgs?notice=org_created"));
    let res = sysadmin.get("/orgs?notice=org_created").await;
    res.expect_status(200);
    assert!(res.text.contains("机构已创建。"), "{}", res.text);
    assert!(res.text.contains("控制台测试机构"), "{}", res.text);
}

pub async fn a_wrong_password_on_the_login_form_is_a_401_page(t: TestApp) {
    let browser = t.browser();
    let res = post_form(
        &browser,
        "/login",
        &[("username", "gaj-admin"), ("password", "not-the-password")],
    )
    .await;
    res.expect_status(401);
    assert_chinese_page(&res, "POST /login with a wrong password");
    assert!(res.text.contains("用户名或密码错误"), "{}", res.text);
    // The user name typed is kept; the password is not.
    assert!(res.text.contains(r#"value="gaj-admin""#), "{}", res.text);
    assert!(!res.text.contains("not-the-password"), "{}", res.text);

    // The right password logs in and leads home.
    let res = post_form(
        &browser,
        "/login",
        &[
            ("username", "gaj-admin"),
            ("password", crate::support::DEMO_PASSWORD),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(res.header("location"), Some("/"));
    let res = browser.get("/").await;
    res.expect_status(200);
    assert!(
        res.text.contains(&header_name(&t, "gaj-admin")),
        "{}",
        res.text
    );
}

pub async fn the_entry_form_without_a_name_shows_the_field_message(t: TestApp) {
    let gaj = t.browser_login("gaj-admin").await;
    let res = post_form(
        &gaj,
        "/catalog/entries",
        &[
            ("category_code", "201"),
            ("name", ""),
            ("summary", "没有名称的统计条目"),
            ("grade", "general_1"),
            ("data_form", "spreadsheet"),
            ("share_type", "unconditional"),
            ("share_modes", "api_query"),
            ("open_type", "unconditional"),
            ("update_frequency", "monthly"),
            ("items[0].code", "tjyf"),
            ("items[0].name", "统计月份"),
            ("items[0].data_type", "text"),
        ],
    )
    .await;
    res.expect_status(422);
    assert_chinese_page(&res, "POST /catalog/entries without a name");
    assert!(
        res.text
            .contains(r#"<span class="field-error">资源名称不能为空</span>"#),
        "no field message for the name: {}",
        res.text
    );
    // The rest of what was typed is kept.
    assert!(res.text.contains("没有名称的统计条目"), "{}", res.text);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM catalog_entries").await,
        0,
        "nothing was saved"
    );
}
