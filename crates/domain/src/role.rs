//! Roles (角色) and the rules on which roles one account may hold together: the three
//! security roles are never combined (三员分立, B16/B28), and each role belongs to one kind of
//! organisation.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Violation, Violations};
use crate::org::OrgKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    SecurityAdmin,
    Auditor,
    AuthorityReviewer,
    AgencyAdmin,
    AgencyStaff,
    OperatorStaff,
    ApplicationUnitStaff,
    Regulator,
    Public,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::Auditor,
        Role::AuthorityReviewer,
        Role::AgencyAdmin,
        Role::AgencyStaff,
        Role::OperatorStaff,
        Role::ApplicationUnitStaff,
        Role::Regulator,
        Role::Public,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::Auditor => "auditor",
            Role::AuthorityReviewer => "authority_reviewer",
            Role::AgencyAdmin => "agency_admin",
            Role::AgencyStaff => "agency_staff",
            Role::OperatorStaff => "operator_staff",
            Role::ApplicationUnitStaff => "application_unit_staff",
            Role::Regulator => "regulator",
            Role::Public => "public",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::Auditor => "安全审计员",
            Role::AuthorityReviewer => "主管部门审核员",
            Role::AgencyAdmin => "部门管理员",
            Role::AgencyStaff => "部门工作人员",
            Role::OperatorStaff => "运营单位人员",
            Role::ApplicationUnitStaff => "应用单位人员",
            Role::Regulator => "监管人员（只读）",
            Role::Public => "社会公众",
        }
    }

    /// One of the three separated security roles (三员).
    pub fn is_security_triad(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor
        )
    }

    /// The organisation kinds whose members may hold this role; `None` for public users, who
    /// belong to no organisation.
    pub fn fits(self, kind: Option<OrgKind>) -> bool {
        use OrgKind::*;
        match (self, kind) {
            (Role::Public, None) => true,
            (Role::Public, Some(_)) | (_, None) => false,
            (Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor, Some(k)) => {
                matches!(k, ServiceCentre | Authority)
            }
            (Role::AuthorityReviewer, Some(k)) => k == Authority,
            (Role::AgencyAdmin | Role::AgencyStaff, Some(k)) => {
                matches!(k, Agency | Authority | ServiceCentre)
            }
            (Role::OperatorStaff, Some(k)) => k == Operator,
            (Role::ApplicationUnitStaff, Some(k)) => k == ApplicationUnit,
            (Role::Regulator, Some(k)) => k == Regulator,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Violation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                Violation::new(
                    "role",
                    "unknown_role",
                    format!("未知角色：{s}"),
                    format!("unknown role: {s}"),
                )
            })
    }
}

/// The roles one account holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSet(BTreeSet<Role>);

impl RoleSet {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        Self(roles.into_iter().collect())
    }

    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The set after adding `role`, if the result is allowed for an account of `kind`.
    pub fn with(&self, role: Role, kind: Option<OrgKind>) -> Result<RoleSet, Violations> {
        let mut next = self.clone();
        next.0.insert(role);
        next.check(kind)?;
        Ok(next)
    }

    /// 三员分立 and role/organisation fit.
    pub fn check(&self, kind: Option<OrgKind>) -> Result<(), Violations> {
        let mut v = Violations::default();
        let triad: Vec<Role> = self.iter().filter(|r| r.is_security_triad()).collect();
        if triad.len() > 1 {
            v.push(Violation::new(
                "roles",
                "separation_of_duties",
                "系统管理员、安全管理员、安全审计员不得由同一账号兼任（三员分立）",
                "system admin, security admin and auditor may not be held by one account",
            ));
        }
        for role in self.iter() {
            if !role.fits(kind) {
                v.push(Violation::new(
                    "roles",
                    "role_org_mismatch",
                    format!("角色“{}”与账号所属机构类型不符", role.zh()),
                    format!("role {role} does not fit the account's organisation kind"),
                ));
            }
        }
        v.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // B16, B28: no account holds two of the three security roles.
    #[test]
    fn security_triad_is_never_combined() {
        let kind = Some(OrgKind::ServiceCentre);
        let admin = RoleSet::new([Role::SystemAdmin]);
        assert!(admin.with(Role::Auditor, kind).is_err());
        assert!(admin.with(Role::SecurityAdmin, kind).is_err());
        assert!(admin.with(Role::AgencyStaff, kind).is_ok());
    }

    #[test]
    fn roles_fit_their_organisation_kind() {
        assert!(
            RoleSet::new([Role::AuthorityReviewer])
                .check(Some(OrgKind::Agency))
                .is_err()
        );
        assert!(
            RoleSet::new([Role::Public])
                .check(Some(OrgKind::Agency))
                .is_err()
        );
        assert!(RoleSet::new([Role::Public]).check(None).is_ok());
        assert!(RoleSet::new([Role::AgencyStaff]).check(None).is_err());
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
    }

    proptest! {
        // Any accepted role set holds at most one triad role, whatever order roles arrive in.
        #[test]
        fn accepted_sets_hold_at_most_one_triad_role(picks in proptest::collection::vec(0usize..10, 0..6)) {
            let mut set = RoleSet::default();
            for p in picks {
                if let Ok(next) = set.with(Role::ALL[p], Some(OrgKind::ServiceCentre)) {
                    set = next;
                }
            }
            prop_assert!(set.iter().filter(|r| r.is_security_triad()).count() <= 1);
        }
    }
}
