//! Parsing organisation input into checked values.

use gongshu_domain::{CreditCode, OrgKind, OrgLevel, Violation, Violations};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgInput {
    /// The organisation above; empty only for the city authority (the root).
    pub parent_id: Option<String>,
    /// authority, service_centre, agency, operator, application_unit or regulator.
    pub kind: String,
    /// city or county.
    pub level: String,
    pub name: String,
    /// 统一社会信用代码 (GB 32100).
    pub credit_code: String,
    pub liaison_name: String,
    pub liaison_phone: String,
    #[serde(default)]
    pub liaison_email: String,
}

/// The named liaison (联络人) every agency keeps on the platform (B15).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiaisonInput {
    pub liaison_name: String,
    pub liaison_phone: String,
    #[serde(default)]
    pub liaison_email: String,
}

pub(crate) struct CheckedOrg {
    pub parent_id: Option<String>,
    pub kind: OrgKind,
    pub level: OrgLevel,
    pub name: String,
    pub credit_code: CreditCode,
    pub liaison: CheckedLiaison,
}

pub(crate) struct CheckedLiaison {
    pub name: String,
    pub phone: String,
    pub email: String,
}

impl LiaisonInput {
    pub(crate) fn check(&self, v: &mut Violations) -> CheckedLiaison {
        let name = v.text("liaison_name", "联络人姓名", &self.liaison_name, 50);
        let phone = self.liaison_phone.trim().to_owned();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !(7..=20).contains(&digits)
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || "-+ ()".contains(c))
        {
            v.push(Violation::new(
                "liaison_phone",
                "bad_phone",
                "联络电话格式不正确（7至20位数字，可含“-”）",
                "liaison phone must hold 7–20 digits, optionally with '-'",
            ));
        }
        let email = self.liaison_email.trim().to_owned();
        if !email.is_empty() && (!email.contains('@') || email.len() > 100 || email.contains(' ')) {
            v.push(Violation::new(
                "liaison_email",
                "bad_email",
                "电子邮箱格式不正确",
                "liaison email is not a valid address",
            ));
        }
        CheckedLiaison { name, phone, email }
    }
}

impl OrgInput {
    pub(crate) fn check(&self) -> Result<CheckedOrg, Violations> {
        let mut v = Violations::default();
        let kind = self.kind.parse::<OrgKind>().map_err(|e| v.push(e)).ok();
        let level = self.level.parse::<OrgLevel>().map_err(|e| v.push(e)).ok();
        let name = v.text("name", "机构名称", &self.name, 100);
        let credit_code = CreditCode::parse(&self.credit_code)
            .map_err(|d| v.push(Violation::bad_credit_code("credit_code", d)))
            .ok();
        let liaison = LiaisonInput {
            liaison_name: self.liaison_name.clone(),
            liaison_phone: self.liaison_phone.clone(),
            liaison_email: self.liaison_email.clone(),
        }
        .check(&mut v);
        let parent_id = self
            .parent_id
            .as_ref()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        v.into_result()?;
        Ok(CheckedOrg {
            parent_id,
            kind: kind.expect("checked"),
            level: level.expect("checked"),
            name,
            credit_code: credit_code.expect("checked"),
            liaison,
        })
    }
}
