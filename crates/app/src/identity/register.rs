//! Registration of public users (社会公众): a person, identified by citizen ID, or a company,
//! identified by credit code. They get the `public` role and belong to no organisation.

use gongshu_audit::Outcome;
use gongshu_domain::password::check_password;
use gongshu_domain::{CitizenId, CreditCode, Violation, Violations};
use gongshu_store::accounts::{self, AccountRow};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::secrets::hash_password;
use crate::record::{Change, Who, append};
use crate::{App, RequestMeta, Result};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    pub username: String,
    pub password: String,
    /// Real name of the person, or the company's registered name.
    pub display_name: String,
    /// `person` or `company`.
    pub subject_kind: String,
    /// Citizen ID for a person, credit code for a company.
    pub subject_id: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Registered {
    pub account_id: String,
    pub username: String,
}

pub(crate) fn check_username(v: &mut Violations, raw: &str) -> String {
    let name = raw.trim().to_owned();
    let ok = (3..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !ok {
        v.push(Violation::new(
            "username",
            "bad_username",
            "用户名须为3至32位字母、数字、“-”、“_”或“.”",
            "user name must be 3–32 letters, digits, '-', '_' or '.'",
        ));
    }
    name
}

pub async fn register_public(
    app: &App,
    meta: &RequestMeta,
    input: RegisterInput,
) -> Result<Registered> {
    let mut v = Violations::default();
    let username = check_username(&mut v, &input.username);
    let display_name = v.text("display_name", "姓名或单位名称", &input.display_name, 100);
    let subject_id = match input.subject_kind.as_str() {
        "person" => CitizenId::parse(&input.subject_id)
            .map(|c| c.to_string())
            .map_err(|d| Violation::bad_citizen_id("subject_id", d)),
        "company" => CreditCode::parse(&input.subject_id)
            .map(|c| c.to_string())
            .map_err(|d| Violation::bad_credit_code("subject_id", d)),
        _ => Err(Violation::new(
            "subject_kind",
            "bad_subject_kind",
            "注册类型须为个人（person）或法人（company）",
            "subject_kind must be person or company",
        )),
    };
    let subject_id = subject_id.map_err(|e| v.push(e)).unwrap_or_default();
    let policy = crate::security_policy::current(app).await?;
    if let Err(e) = check_password(&policy, &username, &input.password) {
        v.0.extend(e.0);
    }
    v.into_result()?;

    let hash = hash_password(&input.password).await?;
    let now = app.now_micros();
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = app.db.begin_write().await?;
    accounts::insert_account(
        &mut tx,
        &AccountRow {
            id: id.clone(),
            username: username.clone(),
            display_name,
            org_id: None,
            subject_kind: input.subject_kind.clone(),
            subject_id: Some(subject_id),
            phone: input.phone.trim().to_owned(),
            password_hash: hash,
            status: "active".into(),
            password_changed_at: now,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .map_err(|e| crate::accounts::username_taken(e, &username))?;
    accounts::insert_role(&mut tx, &id, "public", None, now).await?;
    let who = Who {
        id: Some(&id),
        name: &username,
        org: None,
    };
    let change = Change {
        action: "register_public",
        target_kind: "account",
        target_id: &id,
        payload: json!({ "subject_kind": input.subject_kind }),
    };
    append(app, &mut tx, meta, who, Outcome::Success, change).await?;
    tx.commit().await?;
    Ok(Registered {
        account_id: id,
        username,
    })
}
