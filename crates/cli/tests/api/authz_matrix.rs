//! Issue 2 §4, H5, B15, B16, B28: who may do what. One table of roles × actions that reads
//! like the spec, checked over HTTP; anything not allowed is 403 `forbidden` and recorded.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::catalog_fixtures::{entry, open_entry, publish, with};
use crate::support::{Client, Resp, TestApp, city_agency, year_2027};

/// The users of the matrix, one per role, in column order.
const USERS: [&str; 10] = [
    "sysadmin",
    "secadmin",
    "auditor",
    "reviewer",
    "gaj-admin",
    "gaj-staff",
    "operator",
    "appunit",
    "regulator",
    "public-person",
];

const Y: bool = true;
const N: bool = false;

#[derive(Debug, Clone, Copy)]
enum Act {
    ListOrganisations,
    CreateOrganisation,
    UpdateOwnLiaison,
    UpdateOtherLiaison,
    ListAccounts,
    ListAccountsOfAnotherAgency,
    CreateAccount,
    ResetStaffPassword,
    GrantRole,
    ReadSecurityPolicy,
    UpdateSecurityPolicy,
    ReadAuditEvents,
    VerifyAuditChain,
    ImportCalendarYear,
    ComputeDeadline,
    CreateOwnToken,
    RequestShare,
    DecideShare,
    RevokeGrant,
    ListSuspensions,
    ListClosuresMade,
    ViewEscalations,
    FlagOpeningRisk,
    ListOpeningCases,
    ListAllOpeningCases,
}

// B16, B28: 三员分立 — the system admin manages organisations and accounts but grants no
// roles and reads no audit log; the security admin grants roles and sets policy but manages no
// accounts; the auditor (and the regulator, read-only) reads the audit log and changes nothing.
// B15: an agency admin keeps its own liaison, no one else's. H5: regulators are read-only.
// H20/H21: agency users ask for shared data; only the source's admin decides and revokes;
// H41: only the city authority suspends; a source's admin and an authority's reviewer close
// access (and list the closures they made); authorities and the regulator see escalations.
// H27: only the source's admin flags a risk in its open data and handles the cases against
// it; authorities and the regulator oversee every agency's cases. (Objecting is open to
// anyone, signed in or not: tested in `objections`.)
#[rustfmt::skip]
const MATRIX: &[(Act, [bool; 10])] = &[
    //                                  sys sec aud rev gajA gajS opr app reg pub
    (Act::ListOrganisations,           [Y,  Y,  Y,  Y,  Y,   Y,   Y,  Y,  Y,  N]),
    (Act::CreateOrganisation,          [Y,  N,  N,  N,  N,   N,   N,  N,  N,  N]),
    (Act::UpdateOwnLiaison,            [Y,  N,  N,  N,  Y,   N,   N,  N,  N,  N]),
    (Act::UpdateOtherLiaison,          [Y,  N,  N,  N,  N,   N,   N,  N,  N,  N]),
    (Act::ListAccounts,                [Y,  Y,  N,  N,  Y,   N,   N,  N,  N,  N]),
    (Act::ListAccountsOfAnotherAgency, [Y,  Y,  N,  N,  N,   N,   N,  N,  N,  N]),
    (Act::CreateAccount,               [Y,  N,  N,  N,  N,   N,   N,  N,  N,  N]),
    (Act::ResetStaffPassword,          [Y,  N,  N,  N,  N,   N,   N,  N,  N,  N]),
    (Act::GrantRole,                   [N,  Y,  N,  N,  N,   N,   N,  N,  N,  N]),
    (Act::ReadSecurityPolicy,          [Y,  Y,  N,  N,  N,   N,   N,  N,  N,  N]),
    (Act::UpdateSecurityPolicy,        [N,  Y,  N,  N,  N,   N,   N,  N,  N,  N]),
    (Act::ReadAuditEvents,             [N,  N,  Y,  N,  N,   N,   N,  N,  Y,  N]),
    (Act::VerifyAuditChain,            [N,  N,  Y,  N,  N,   N,   N,  N,  Y,  N]),
    (Act::ImportCalendarYear,          [N,  N,  N,  Y,  N,   N,   N,  N,  N,  N]),
    (Act::ComputeDeadline,             [Y,  Y,  Y,  Y,  Y,   Y,   Y,  Y,  Y,  Y]),
    (Act::CreateOwnToken,              [Y,  Y,  Y,  Y,  Y,   Y,   Y,  Y,  Y,  Y]),
    (Act::RequestShare,                [N,  N,  N,  N,  Y,   Y,   N,  N,  N,  N]),
    (Act::DecideShare,                 [N,  N,  N,  N,  Y,   N,   N,  N,  N,  N]),
    (Act::RevokeGrant,                 [N,  N,  N,  N,  Y,   N,   N,  N,  N,  N]),
    (Act::ListSuspensions,             [N,  N,  N,  Y,  N,   N,   N,  N,  N,  N]),
    (Act::ListClosuresMade,            [N,  N,  N,  Y,  Y,   N,   N,  N,  N,  N]),
    (Act::ViewEscalations,             [N,  N,  N,  Y,  N,   N,   N,  N,  Y,  N]),
    (Act::FlagOpeningRisk,             [N,  N,  N,  N,  Y,   N,   N,  N,  N,  N]),
    (Act::ListOpeningCases,            [N,  N,  N,  N,  Y,   N,   N,  N,  N,  N]),
    (Act::ListAllOpeningCases,         [N,  N,  N,  Y,  N,   N,   N,  N,  Y,  N]),
];

/// Ids the actions need, looked up once.
struct Fixture {
    city_authority: String,
    gaj: String,
    mzj: String,
    mzj_staff: String,
    /// Each user's own organisation (the 市公安局 for public users, who have none).
    own_org: HashMap<&'static str, String>,
    /// A published entry of 市民政局 others may ask for.
    mzj_entry: String,
    /// A pending request of 市民政局 to 市公安局, and a grant 市公安局 gave it.
    pending_request: String,
    grant: String,
    /// An unconditionally open entry of 市公安局.
    gaj_open: String,
}

impl Act {
    async fn perform(self, f: &Fixture, user: &str, n: u32, client: &Client) -> Resp {
        let liaison = json!({ "liaison_name": "矩阵联络人", "liaison_phone": "0471-6900001" });
        match self {
            Act::ListOrganisations => client.get("/api/v1/organisations").await,
            Act::CreateOrganisation => {
                client
                    .post("/api/v1/organisations", city_agency(&f.city_authority, n))
                    .await
            }
            Act::UpdateOwnLiaison => {
                let org = &f.own_org[user];
                client
                    .put(&format!("/api/v1/organisations/{org}/liaison"), liaison)
                    .await
            }
            Act::UpdateOtherLiaison => {
                client
                    .put(&format!("/api/v1/organisations/{}/liaison", f.mzj), liaison)
                    .await
            }
            Act::ListAccounts => client.get("/api/v1/accounts").await,
            Act::ListAccountsOfAnotherAgency => {
                client
                    .get(&format!("/api/v1/accounts?org_id={}", f.mzj))
                    .await
            }
            Act::CreateAccount => {
                let body = json!({
                    "username": format!("matrix-{user}"),
                    "display_name": "矩阵测试",
                    "org_id": f.gaj,
                    "password": "matrix-password-1",
                });
                client.post("/api/v1/accounts", body).await
            }
            Act::ResetStaffPassword => {
                let path = format!("/api/v1/accounts/{}/password", f.mzj_staff);
                client
                    .post(&path, json!({ "new_password": "reset-password-1" }))
                    .await
            }
            Act::GrantRole => {
                let path = format!("/api/v1/accounts/{}/roles", f.mzj_staff);
                client.post(&path, json!({ "role": "agency_admin" })).await
            }
            Act::ReadSecurityPolicy => client.get("/api/v1/security-policy").await,
            Act::UpdateSecurityPolicy => {
                client
                    .put("/api/v1/security-policy", default_policy())
                    .await
            }
            Act::ReadAuditEvents => client.get("/api/v1/audit/events?limit=5").await,
            Act::VerifyAuditChain => client.get("/api/v1/audit/verify").await,
            Act::ImportCalendarYear => client.post("/api/v1/calendar/years", year_2027()).await,
            Act::ComputeDeadline => {
                client
                    .get("/api/v1/calendar/deadline?start=2025-09-26&days=5")
                    .await
            }
            Act::CreateOwnToken => {
                client
                    .post("/api/v1/me/tokens", json!({ "name": "矩阵测试令牌" }))
                    .await
            }
            Act::RequestShare => {
                client
                    .post("/api/v1/share-requests", share_ask(&f.mzj_entry))
                    .await
            }
            Act::DecideShare => {
                let path = format!("/api/v1/share-requests/{}/approve", f.pending_request);
                client.post(&path, json!({})).await
            }
            Act::RevokeGrant => {
                let path = format!("/api/v1/grants/{}/revoke", f.grant);
                client.post(&path, json!({ "reason": "矩阵测试" })).await
            }
            Act::ListSuspensions => client.get("/api/v1/suspensions").await,
            Act::ListClosuresMade => client.get("/api/v1/closures?side=closer").await,
            Act::ViewEscalations => client.get("/api/v1/escalations").await,
            Act::FlagOpeningRisk => {
                let path = format!("/api/v1/entries/{}/opening-risks", f.gaj_open);
                client
                    .post(&path, json!({ "reason": "矩阵测试风险" }))
                    .await
            }
            Act::ListOpeningCases => client.get("/api/v1/objections").await,
            Act::ListAllOpeningCases => client.get("/api/v1/objections?side=all").await,
        }
    }
}

fn share_ask(code: &str) -> Value {
    json!({
        "entry_code": code, "items": ["xm"], "modes": ["api_query"],
        "scenario": "矩阵测试", "purpose": "矩阵测试", "using_unit": "矩阵测试单位",
        "until": "2025-12-31",
        "commitments": { "purpose_bound": true, "no_onward_transfer": true, "security": true }
    })
}

/// An entry of 市民政局, and a pending request and a grant between 市民政局 and 市公安局.
async fn sharing_fixture(t: &TestApp) -> (String, String, String) {
    let reviewer = t.login("reviewer").await;
    let mzj = t.login("mzj-admin").await;
    let gaj = t.login("gaj-admin").await;
    let mzj_entry = publish(&mzj, &reviewer, entry("矩阵共享测试甲")).await;
    let open = publish(&gaj, &reviewer, entry("矩阵共享测试乙")).await;
    let conditional = publish(
        &gaj,
        &reviewer,
        with(entry("矩阵共享测试丙"), |e| {
            e["share_type"] = json!("conditional");
            e["share_conditions"] = json!("仅限矩阵测试");
            e["legal_bases"] =
                json!([{ "law": "中华人民共和国个人信息保护法", "article": "第十三条" }]);
        }),
    )
    .await;
    let grant = mzj.post("/api/v1/share-requests", share_ask(&open)).await;
    grant.expect_status(201);
    let pending = mzj
        .post("/api/v1/share-requests", share_ask(&conditional))
        .await;
    pending.expect_status(201);
    (
        mzj_entry,
        pending.json["id"].as_str().unwrap().to_owned(),
        grant.json["grant"]["id"].as_str().unwrap().to_owned(),
    )
}

pub fn default_policy() -> Value {
    json!({
        "password_min_length": 10,
        "lockout_threshold": 5,
        "lockout_minutes": 15,
        "session_idle_minutes": 30,
    })
}

// Issue 2, done when: each role sees only what it may (a matrix of roles × actions, denial by
// default), and every denial is an audit event.
pub async fn each_role_may_do_exactly_what_the_matrix_allows(t: TestApp) {
    let mut clients = HashMap::new();
    let mut own_org = HashMap::new();
    let gaj = t.org_id("市公安局").await;
    for user in USERS {
        let client = t.login(user).await;
        let org = client.me().await["org_id"].as_str().map(str::to_owned);
        own_org.insert(user, org.unwrap_or_else(|| gaj.clone()));
        clients.insert(user, client);
    }
    let (mzj_entry, pending_request, grant) = sharing_fixture(&t).await;
    let gaj_open = publish(
        &t.login("gaj-admin").await,
        &t.login("reviewer").await,
        open_entry("矩阵开放数据测试"),
    )
    .await;
    let fixture = Fixture {
        gaj_open,
        mzj_entry,
        pending_request,
        grant,
        city_authority: t.org_id("市大数据管理局").await,
        mzj: t.org_id("市民政局").await,
        gaj,
        mzj_staff: t.account_id("mzj-staff").await,
        own_org,
    };
    let denied_before = denied_events(&t).await;

    let mut mismatches = Vec::new();
    let mut denials = 0;
    let mut n = 0;
    for (act, row) in MATRIX {
        for (user, allowed) in USERS.iter().zip(row) {
            n += 1;
            let res = act.perform(&fixture, user, n, &clients[user]).await;
            let ok = if *allowed {
                (200..300).contains(&res.status)
            } else {
                denials += 1;
                res.status == 403
                    && res.code() == "forbidden"
                    && res.header("content-type") == Some("application/problem+json")
            };
            if !ok {
                let expected = if *allowed { "2xx" } else { "403 forbidden" };
                mismatches.push(format!(
                    "{act:?} by {user}: expected {expected}, got {} {}",
                    res.status, res.text
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} cells of the matrix disagree:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(
        denied_events(&t).await - denied_before,
        denials,
        "every denial is one `denied` audit event"
    );
}

async fn denied_events(t: &TestApp) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events WHERE outcome = 'denied'")
        .fetch_one(t.db().pool())
        .await
        .expect("count denied events")
}

// B16, B28: 三员分立 — no account holds two of system admin, security admin, auditor.
pub async fn granting_a_second_triad_role_breaks_separation_of_duties(t: TestApp) {
    let secadmin = t.login("secadmin").await;
    let sysadmin = t.account_id("sysadmin").await;
    let auditor = t.account_id("auditor").await;
    for (account, role) in [
        (&sysadmin, "auditor"),
        (&sysadmin, "security_admin"),
        (&auditor, "system_admin"),
    ] {
        secadmin
            .post(
                &format!("/api/v1/accounts/{account}/roles"),
                json!({ "role": role }),
            )
            .await
            .expect_field_error("roles", "separation_of_duties");
    }
    // The roles are unchanged.
    let roles =
        sqlx::query_scalar::<_, String>("SELECT role FROM account_roles WHERE account_id = $1")
            .bind(&sysadmin)
            .fetch_all(t.db().pool())
            .await
            .expect("roles of sysadmin");
    assert_eq!(roles, ["system_admin"]);
}

// B16, B28: no self-elevation — the security admin grants no role to itself.
pub async fn security_admin_cannot_grant_a_role_to_itself(t: TestApp) {
    let secadmin = t.login("secadmin").await;
    let me = t.account_id("secadmin").await;
    for role in ["agency_staff", "auditor"] {
        secadmin
            .post(
                &format!("/api/v1/accounts/{me}/roles"),
                json!({ "role": role }),
            )
            .await
            .expect_problem(403, "forbidden");
    }
    secadmin
        .delete(&format!("/api/v1/accounts/{me}/roles/security_admin"))
        .await
        .expect_problem(403, "forbidden");
}

// B16, B28: the accounts of the security admin and the auditor are out of the system admin's
// reach, so it cannot take them over.
pub async fn system_admin_cannot_reset_the_passwords_of_the_other_two_triad_roles(t: TestApp) {
    let sysadmin = t.login("sysadmin").await;
    for user in ["auditor", "secadmin"] {
        let id = t.account_id(user).await;
        sysadmin
            .post(
                &format!("/api/v1/accounts/{id}/password"),
                json!({ "new_password": "taken-over-password" }),
            )
            .await
            .expect_problem(403, "forbidden");
        sysadmin
            .post(&format!("/api/v1/accounts/{id}/disable"), json!({}))
            .await
            .expect_problem(403, "forbidden");
        // Their owners still log in with their own password.
        t.login(user).await;
    }
    // Nor can it lock itself out.
    let me = t.account_id("sysadmin").await;
    sysadmin
        .post(&format!("/api/v1/accounts/{me}/disable"), json!({}))
        .await
        .expect_problem(403, "forbidden");
}

// B15: an agency admin administers its own agency only.
pub async fn agency_admin_sees_only_its_own_agencys_accounts(t: TestApp) {
    let admin = t.login("gaj-admin").await;
    let gaj = t.org_id("市公安局").await;
    let page = admin.get("/api/v1/accounts").await;
    page.expect_status(200);
    let names: Vec<&str> = page.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["username"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"gaj-admin") && names.contains(&"gaj-staff"),
        "{names:?}"
    );
    let staff = t.account_id("gaj-staff").await;
    admin
        .get(&format!("/api/v1/accounts/{staff}"))
        .await
        .expect_status(200);
    let other = t.account_id("mzj-staff").await;
    admin
        .get(&format!("/api/v1/accounts/{other}"))
        .await
        .expect_problem(403, "forbidden");
    admin
        .get(&format!("/api/v1/accounts?org_id={gaj}"))
        .await
        .expect_status(200);
}
