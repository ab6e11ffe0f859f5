//! The one access decision (鉴权): may this actor do this action on this target? Every
//! application command asks it before acting; anything not explicitly allowed here is denied.
//! Separation of duties (三员分立) lives here too: the system admin manages organisations and
//! accounts but grants no roles and reads no audit log; the security admin grants roles and
//! sets policy but manages no accounts; the auditor and regulators only read the audit log.

use serde::Serialize;

use crate::org::{OrgKind, OrgLevel};
use crate::role::{Role, RoleSet};

/// The organisation an actor belongs to, as far as decisions need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgFacts {
    pub id: String,
    pub kind: OrgKind,
    pub level: OrgLevel,
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub org: Option<OrgFacts>,
    pub roles: RoleSet,
}

impl Actor {
    fn has(&self, role: Role) -> bool {
        self.roles.has(role)
    }

    fn in_org(&self, org_id: &str) -> bool {
        self.org.as_ref().is_some_and(|o| o.id == org_id)
    }

    /// Who acts for the actor's organisation in closing access (H41): an authority's
    /// reviewers, any other organisation's admins.
    fn closes_for_own_org(&self) -> bool {
        match &self.org {
            Some(o) if o.kind == OrgKind::Authority => self.has(Role::AuthorityReviewer),
            Some(_) => self.has(Role::AgencyAdmin),
            None => false,
        }
    }

    fn is_city_authority(&self) -> bool {
        self.org
            .as_ref()
            .is_some_and(|o| o.kind == OrgKind::Authority && o.level == OrgLevel::City)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ViewOrganisations,
    CreateOrganisation,
    UpdateOrganisation,
    DeleteOrganisation,
    UpdateLiaison,
    /// Name the head and the security lead of an organisation (第三十三条, 第三十四条).
    NameResponsiblePersons,
    ViewAccounts,
    CreateAccount,
    UpdateAccount,
    DisableAccount,
    EnableAccount,
    ResetPassword,
    UnlockAccount,
    GrantRole(Role),
    RevokeRole(Role),
    ViewSecurityPolicy,
    UpdateSecurityPolicy,
    ViewAuditLog,
    ViewCalendar,
    ImportCalendar,
    ManageOwnTokens,
    ChangeOwnPassword,
    /// Read catalog entries beyond the public ones (drafts of one's own agency, all published).
    ViewCatalog,
    /// Draft, edit, submit and revise the entries of an organisation; target: that organisation.
    ManageEntries,
    /// Approve or return submitted entries; target: the reviewing authority.
    ReviewEntries,
    /// Change the classification scheme (city authority).
    UpdateScheme,
    /// Register basic data elements and name their source departments (city authority).
    ManageElements,
    /// Submit the city catalog to the autonomous region's authority and record its answer
    /// (第八条; city authority).
    SubmitCatalogToRegion,
    /// Ask another agency for shared data (共享申请); target: the requesting organisation.
    RequestShare,
    /// Decide share requests and deliver; target: the source organisation.
    DecideShare,
    /// Revoke grants the organisation gave; target: the source organisation.
    RevokeGrant,
    /// Suspend and reinstate a user, an organisation or a grant at once (H41; city authority).
    SuspendAccess,
    /// Temporarily close a data user's access to a provider's data until corrected (H41):
    /// the provider's admin for its own data, an authority's reviewer for the data of the
    /// organisations under it (target: the provider's data); reopening is for the organisation
    /// that closed (target: that organisation).
    CloseAccess,
    /// The escalation list (督办) of overdue steps (authorities and the regulator).
    ViewEscalations,
    /// Review demand requests for uncatalogued data and track upward requests (H22, H23);
    /// target: the reviewing authority.
    ReviewDemands,
    /// Report a data quality problem on a published entry to its provider (质量问题工单,
    /// H11, B17): any staff member, the operator's included.
    ReportQualityProblem,
    /// Sign a confidentiality review (保密审查, 第三十四条); target: the organisation's
    /// security lead.
    SignConfidentialityReview,
    /// Flag a risk in the organisation's open data, and verify and end the objection and risk
    /// cases against it (H27); target: the source organisation.
    HandleOpeningCases,
}

impl Action {
    /// A stable name for audit records and metrics.
    pub fn name(self) -> String {
        match self {
            Action::GrantRole(r) => format!("grant_role:{r}"),
            Action::RevokeRole(r) => format!("revoke_role:{r}"),
            other => serde_json::to_value(other)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        }
    }

    pub fn zh(self) -> String {
        match self {
            Action::ViewOrganisations => "查看机构".into(),
            Action::CreateOrganisation => "新建机构".into(),
            Action::UpdateOrganisation => "修改机构".into(),
            Action::DeleteOrganisation => "删除机构".into(),
            Action::UpdateLiaison => "维护本单位联络人".into(),
            Action::NameResponsiblePersons => "指定本单位数据安全责任人".into(),
            Action::ViewAccounts => "查看账号".into(),
            Action::CreateAccount => "新建账号".into(),
            Action::UpdateAccount => "修改账号".into(),
            Action::DisableAccount => "停用账号".into(),
            Action::EnableAccount => "启用账号".into(),
            Action::ResetPassword => "重置密码".into(),
            Action::UnlockAccount => "解除锁定".into(),
            Action::GrantRole(r) => format!("授予角色“{}”", r.zh()),
            Action::RevokeRole(r) => format!("撤销角色“{}”", r.zh()),
            Action::ViewSecurityPolicy => "查看安全策略".into(),
            Action::UpdateSecurityPolicy => "设置安全策略".into(),
            Action::ViewAuditLog => "查阅审计日志".into(),
            Action::ViewCalendar => "查看工作日历".into(),
            Action::ImportCalendar => "导入节假日安排".into(),
            Action::ManageOwnTokens => "管理个人API令牌".into(),
            Action::ChangeOwnPassword => "修改本人密码".into(),
            Action::ViewCatalog => "查看公共数据目录".into(),
            Action::ManageEntries => "编制本单位目录".into(),
            Action::ReviewEntries => "审核目录".into(),
            Action::UpdateScheme => "维护分类分级方案".into(),
            Action::ManageElements => "维护基础数据项（一数一源）".into(),
            Action::SubmitCatalogToRegion => "向自治区报送目录".into(),
            Action::RequestShare => "申请共享数据".into(),
            Action::DecideShare => "答复共享申请".into(),
            Action::RevokeGrant => "撤销共享授权".into(),
            Action::SuspendAccess => "暂停或恢复数据使用权限".into(),
            Action::CloseAccess => "暂时关闭或恢复数据获取权限".into(),
            Action::ViewEscalations => "查看督办清单".into(),
            Action::ReviewDemands => "审核数据需求申请".into(),
            Action::ReportQualityProblem => "报告数据质量问题".into(),
            Action::SignConfidentialityReview => "签署保密审查".into(),
            Action::HandleOpeningCases => "核实处理开放数据异议".into(),
        }
    }
}

/// What the action is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// Platform-wide actions (lists, policy, audit log, calendar).
    Platform,
    Organisation {
        id: &'a str,
    },
    Account {
        user_id: &'a str,
        org_id: Option<&'a str>,
        roles: &'a RoleSet,
    },
    /// The person an organisation named to sign its confidentiality reviews, if any.
    SecurityLead {
        org_id: &'a str,
        lead_id: Option<&'a str>,
    },
    /// The data of one provider organisation, with the organisations above it (its county's
    /// and the city's authorities), which govern that data too.
    ProviderData {
        provider: &'a str,
        above: &'a [String],
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// The actor holds no role that allows this action.
    RoleMissing,
    /// The role allows the action, but not on this target (another organisation).
    OutsideScope,
    /// The action may not be applied to one's own account (no self-elevation, no self-lockout).
    SelfAction,
    /// Accounts of the security admin and auditor are out of the system admin's reach.
    ProtectedAccount,
    /// Only the security lead the organisation named signs its confidentiality reviews.
    NotSecurityLead,
}

impl DenyReason {
    pub fn zh(self) -> &'static str {
        match self {
            DenyReason::RoleMissing => "您的角色无权执行此操作",
            DenyReason::OutsideScope => "此操作超出您所在单位的范围",
            DenyReason::SelfAction => "不能对本人账号执行此操作",
            DenyReason::ProtectedAccount => "系统管理员不能管理安全管理员或审计员账号（三员分立）",
            DenyReason::NotSecurityLead => "只有本单位指定的安全管理责任人可以签署保密审查",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            DenyReason::RoleMissing => "your roles do not allow this action",
            DenyReason::OutsideScope => "this action is outside your organisation's scope",
            DenyReason::SelfAction => "this action cannot be applied to your own account",
            DenyReason::ProtectedAccount => {
                "the system admin cannot manage security admin or auditor accounts"
            }
            DenyReason::NotSecurityLead => {
                "only the security lead the organisation named signs its confidentiality reviews"
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(DenyReason),
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

fn allow_if(cond: bool, otherwise: DenyReason) -> Decision {
    if cond {
        Decision::Allow
    } else {
        Decision::Deny(otherwise)
    }
}

/// The access decision. Pure: same inputs, same answer; nothing unlisted is allowed.
pub fn decide(actor: &Actor, action: Action, target: Target<'_>) -> Decision {
    use Action::*;
    use DenyReason::*;
    let staff = !actor.roles.is_empty() && !actor.has(Role::Public);
    match (action, target) {
        (ViewOrganisations, _) => allow_if(staff, RoleMissing),
        (CreateOrganisation | UpdateOrganisation | DeleteOrganisation, _) => {
            allow_if(actor.has(Role::SystemAdmin), RoleMissing)
        }
        (UpdateLiaison | NameResponsiblePersons, Target::Organisation { id }) => {
            if actor.has(Role::SystemAdmin) {
                Decision::Allow
            } else if actor.has(Role::AgencyAdmin) {
                allow_if(actor.in_org(id), OutsideScope)
            } else {
                Decision::Deny(RoleMissing)
            }
        }
        (ViewAccounts, Target::Platform) => allow_if(
            actor.has(Role::SystemAdmin) || actor.has(Role::SecurityAdmin),
            RoleMissing,
        ),
        (ViewAccounts, Target::Organisation { id }) => {
            if actor.has(Role::SystemAdmin) || actor.has(Role::SecurityAdmin) {
                Decision::Allow
            } else if actor.has(Role::AgencyAdmin) {
                allow_if(actor.in_org(id), OutsideScope)
            } else {
                Decision::Deny(RoleMissing)
            }
        }
        (CreateAccount, Target::Platform | Target::Organisation { .. }) => {
            allow_if(actor.has(Role::SystemAdmin), RoleMissing)
        }
        (
            UpdateAccount | DisableAccount | EnableAccount | ResetPassword | UnlockAccount,
            Target::Account { user_id, roles, .. },
        ) => {
            if !actor.has(Role::SystemAdmin) {
                Decision::Deny(RoleMissing)
            } else if roles.has(Role::SecurityAdmin) || roles.has(Role::Auditor) {
                Decision::Deny(ProtectedAccount)
            } else if user_id == actor.user_id && action != UpdateAccount {
                Decision::Deny(SelfAction)
            } else {
                Decision::Allow
            }
        }
        (GrantRole(_) | RevokeRole(_), Target::Account { user_id, .. }) => {
            if !actor.has(Role::SecurityAdmin) {
                Decision::Deny(RoleMissing)
            } else {
                allow_if(user_id != actor.user_id, SelfAction)
            }
        }
        (ViewSecurityPolicy, _) => allow_if(
            actor.has(Role::SecurityAdmin) || actor.has(Role::SystemAdmin),
            RoleMissing,
        ),
        (UpdateSecurityPolicy, _) => allow_if(actor.has(Role::SecurityAdmin), RoleMissing),
        (ViewAuditLog, _) => allow_if(
            actor.has(Role::Auditor) || actor.has(Role::Regulator),
            RoleMissing,
        ),
        (ViewCalendar, _) => allow_if(!actor.roles.is_empty(), RoleMissing),
        (ImportCalendar, _) => allow_if(
            actor.has(Role::AuthorityReviewer) && actor.is_city_authority(),
            RoleMissing,
        ),
        (ViewCatalog, _) => allow_if(staff, RoleMissing),
        (ManageEntries, Target::Organisation { id }) => {
            if actor.has(Role::AgencyAdmin) || actor.has(Role::AgencyStaff) {
                allow_if(actor.in_org(id), OutsideScope)
            } else {
                Decision::Deny(RoleMissing)
            }
        }
        (ReviewEntries, Target::Organisation { id }) => {
            if actor.has(Role::AuthorityReviewer) {
                allow_if(actor.in_org(id), OutsideScope)
            } else {
                Decision::Deny(RoleMissing)
            }
        }
        (UpdateScheme | ManageElements | SubmitCatalogToRegion, _) => allow_if(
            actor.has(Role::AuthorityReviewer) && actor.is_city_authority(),
            RoleMissing,
        ),
        (RequestShare, Target::Organisation { id }) => {
            if actor.has(Role::AgencyAdmin) || actor.has(Role::AgencyStaff) {
                allow_if(actor.in_org(id), OutsideScope)
            } else {
                Decision::Deny(RoleMissing)
            }
        }
        (DecideShare | RevokeGrant | HandleOpeningCases, Target::Organisation { id }) => {
            if actor.has(Role::AgencyAdmin) {
                allow_if(actor.in_org(id), OutsideScope)
            } else {
                Decision::Deny(RoleMissing)
            }
        }
        (ReviewDemands, Target::Organisation { id }) => {
            if actor.has(Role::AuthorityReviewer) {
                allow_if(actor.in_org(id), OutsideScope)
            } else {
                Decision::Deny(RoleMissing)
            }
        }
        (SuspendAccess, _) => allow_if(
            actor.has(Role::AuthorityReviewer) && actor.is_city_authority(),
            RoleMissing,
        ),
        (CloseAccess, Target::ProviderData { provider, above }) => {
            if !actor.closes_for_own_org() {
                Decision::Deny(RoleMissing)
            } else {
                // An agency closes access to its own data; an authority to the data of the
                // organisations under it (a county authority its county, the city authority
                // the city).
                let own = actor.in_org(provider);
                let governs = actor
                    .org
                    .as_ref()
                    .is_some_and(|o| o.kind == OrgKind::Authority && above.contains(&o.id));
                allow_if(own || governs, OutsideScope)
            }
        }
        (CloseAccess, Target::Organisation { id }) => {
            if actor.closes_for_own_org() {
                allow_if(actor.in_org(id), OutsideScope)
            } else {
                Decision::Deny(RoleMissing)
            }
        }
        (ReportQualityProblem, _) => allow_if(staff, RoleMissing),
        (ViewEscalations, _) => allow_if(
            actor.has(Role::AuthorityReviewer) || actor.has(Role::Regulator),
            RoleMissing,
        ),
        (ManageOwnTokens | ChangeOwnPassword, Target::Account { user_id, .. }) => {
            allow_if(user_id == actor.user_id, OutsideScope)
        }
        (SignConfidentialityReview, Target::SecurityLead { org_id, lead_id }) => allow_if(
            actor.in_org(org_id) && lead_id == Some(actor.user_id.as_str()),
            NotSecurityLead,
        ),
        _ => Decision::Deny(RoleMissing),
    }
}

/// The platform-wide actions an actor may take, for the home page's "what you may do".
pub fn platform_capabilities(actor: &Actor) -> Vec<Action> {
    let own_org = actor.org.as_ref().map(|o| o.id.as_str()).unwrap_or("");
    let me = Target::Account {
        user_id: &actor.user_id,
        org_id: actor.org.as_ref().map(|o| o.id.as_str()),
        roles: &actor.roles,
    };
    let candidates = [
        (Action::ViewOrganisations, Target::Platform),
        (Action::CreateOrganisation, Target::Platform),
        (Action::UpdateLiaison, Target::Organisation { id: own_org }),
        (Action::ViewAccounts, Target::Organisation { id: own_org }),
        (Action::CreateAccount, Target::Platform),
        (Action::ViewSecurityPolicy, Target::Platform),
        (Action::UpdateSecurityPolicy, Target::Platform),
        (Action::ViewAuditLog, Target::Platform),
        (Action::ViewCalendar, Target::Platform),
        (Action::ImportCalendar, Target::Platform),
        (Action::ViewCatalog, Target::Platform),
        (Action::ManageEntries, Target::Organisation { id: own_org }),
        (Action::ReviewEntries, Target::Organisation { id: own_org }),
        (Action::UpdateScheme, Target::Platform),
        (Action::ManageElements, Target::Platform),
        (Action::SubmitCatalogToRegion, Target::Platform),
        (Action::RequestShare, Target::Organisation { id: own_org }),
        (Action::DecideShare, Target::Organisation { id: own_org }),
        (
            Action::HandleOpeningCases,
            Target::Organisation { id: own_org },
        ),
        (Action::SuspendAccess, Target::Platform),
        (Action::CloseAccess, Target::Organisation { id: own_org }),
        (Action::ViewEscalations, Target::Platform),
        (Action::ReviewDemands, Target::Organisation { id: own_org }),
        (Action::ReportQualityProblem, Target::Platform),
        (Action::ManageOwnTokens, me),
        (Action::ChangeOwnPassword, me),
    ];
    let mut out: Vec<Action> = candidates
        .into_iter()
        .filter(|(a, t)| decide(actor, *a, *t).is_allowed())
        .map(|(a, _)| a)
        .collect();
    if actor.has(Role::SecurityAdmin) {
        out.push(Action::GrantRole(Role::AgencyStaff));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: &str, org: (&str, OrgKind, OrgLevel), roles: &[Role]) -> Actor {
        Actor {
            user_id: id.into(),
            org: Some(OrgFacts {
                id: org.0.into(),
                kind: org.1,
                level: org.2,
            }),
            roles: RoleSet::new(roles.iter().copied()),
        }
    }

    const CENTRE: (&str, OrgKind, OrgLevel) = ("centre", OrgKind::ServiceCentre, OrgLevel::City);
    const CITY_AUTH: (&str, OrgKind, OrgLevel) = ("auth", OrgKind::Authority, OrgLevel::City);
    const COUNTY_AUTH: (&str, OrgKind, OrgLevel) = ("c-auth", OrgKind::Authority, OrgLevel::County);
    const GAJ: (&str, OrgKind, OrgLevel) = ("gaj", OrgKind::Agency, OrgLevel::City);

    fn account<'a>(id: &'a str, org: &'a str, roles: &'a RoleSet) -> Target<'a> {
        Target::Account {
            user_id: id,
            org_id: Some(org),
            roles,
        }
    }

    // B16, B28: 三员分立 — each of the three does only its own job.
    #[test]
    fn separation_of_duties() {
        let sys = actor("sys", CENTRE, &[Role::SystemAdmin]);
        let sec = actor("sec", CENTRE, &[Role::SecurityAdmin]);
        let aud = actor("aud", CENTRE, &[Role::Auditor]);
        let staff_roles = RoleSet::new([Role::AgencyStaff]);
        let staff = account("u1", "gaj", &staff_roles);

        assert!(decide(&sys, Action::CreateOrganisation, Target::Platform).is_allowed());
        assert!(decide(&sys, Action::ResetPassword, staff).is_allowed());
        assert_eq!(
            decide(&sys, Action::GrantRole(Role::AgencyStaff), staff),
            Decision::Deny(DenyReason::RoleMissing)
        );
        assert!(!decide(&sys, Action::ViewAuditLog, Target::Platform).is_allowed());

        assert!(decide(&sec, Action::GrantRole(Role::AgencyStaff), staff).is_allowed());
        assert!(decide(&sec, Action::UpdateSecurityPolicy, Target::Platform).is_allowed());
        assert!(!decide(&sec, Action::CreateAccount, Target::Platform).is_allowed());
        assert!(!decide(&sec, Action::ResetPassword, staff).is_allowed());
        assert!(!decide(&sec, Action::ViewAuditLog, Target::Platform).is_allowed());

        assert!(decide(&aud, Action::ViewAuditLog, Target::Platform).is_allowed());
        for a in [
            Action::CreateOrganisation,
            Action::CreateAccount,
            Action::UpdateSecurityPolicy,
        ] {
            assert!(!decide(&aud, a, Target::Platform).is_allowed(), "{a:?}");
        }
        assert!(!decide(&aud, Action::GrantRole(Role::Auditor), staff).is_allowed());
    }

    #[test]
    fn no_self_elevation_and_no_reach_into_protected_accounts() {
        let sec = actor("sec", CENTRE, &[Role::SecurityAdmin]);
        let own = sec.roles.clone();
        assert_eq!(
            decide(
                &sec,
                Action::GrantRole(Role::Auditor),
                account("sec", "centre", &own)
            ),
            Decision::Deny(DenyReason::SelfAction)
        );
        let sys = actor("sys", CENTRE, &[Role::SystemAdmin]);
        let auditor_roles = RoleSet::new([Role::Auditor]);
        assert_eq!(
            decide(
                &sys,
                Action::ResetPassword,
                account("aud", "centre", &auditor_roles)
            ),
            Decision::Deny(DenyReason::ProtectedAccount)
        );
        let sys_roles = sys.roles.clone();
        assert_eq!(
            decide(
                &sys,
                Action::DisableAccount,
                account("sys", "centre", &sys_roles)
            ),
            Decision::Deny(DenyReason::SelfAction)
        );
    }

    #[test]
    fn agency_admin_is_scoped_to_its_own_agency() {
        let admin = actor("a", GAJ, &[Role::AgencyAdmin]);
        assert!(
            decide(
                &admin,
                Action::UpdateLiaison,
                Target::Organisation { id: "gaj" }
            )
            .is_allowed()
        );
        assert_eq!(
            decide(
                &admin,
                Action::UpdateLiaison,
                Target::Organisation { id: "mzj" }
            ),
            Decision::Deny(DenyReason::OutsideScope)
        );
        assert!(
            decide(
                &admin,
                Action::ViewAccounts,
                Target::Organisation { id: "gaj" }
            )
            .is_allowed()
        );
        assert!(!decide(&admin, Action::ViewAccounts, Target::Platform).is_allowed());
        assert!(!decide(&admin, Action::CreateOrganisation, Target::Platform).is_allowed());
    }

    #[test]
    fn only_the_city_authority_imports_calendars() {
        let city = actor("r", CITY_AUTH, &[Role::AuthorityReviewer]);
        let county = actor("r2", COUNTY_AUTH, &[Role::AuthorityReviewer]);
        let staff = actor("s", GAJ, &[Role::AgencyStaff]);
        assert!(decide(&city, Action::ImportCalendar, Target::Platform).is_allowed());
        assert!(!decide(&county, Action::ImportCalendar, Target::Platform).is_allowed());
        assert!(!decide(&staff, Action::ImportCalendar, Target::Platform).is_allowed());
        assert!(decide(&staff, Action::ViewCalendar, Target::Platform).is_allowed());
    }

    #[test]
    fn an_account_without_roles_may_do_nothing_but_look_after_itself() {
        let nobody = actor("n", GAJ, &[]);
        let none = RoleSet::default();
        for action in [
            Action::ViewOrganisations,
            Action::ViewCalendar,
            Action::ViewAuditLog,
            Action::CreateAccount,
        ] {
            assert!(
                !decide(&nobody, action, Target::Platform).is_allowed(),
                "{action:?}"
            );
        }
        assert!(
            decide(
                &nobody,
                Action::ChangeOwnPassword,
                account("n", "gaj", &none)
            )
            .is_allowed()
        );
        assert!(!decide(&nobody, Action::ManageOwnTokens, account("x", "gaj", &none)).is_allowed());
    }

    #[test]
    fn regulators_read_the_audit_log_and_nothing_else_changes() {
        let reg = actor(
            "g",
            ("reg", OrgKind::Regulator, OrgLevel::City),
            &[Role::Regulator],
        );
        assert!(decide(&reg, Action::ViewAuditLog, Target::Platform).is_allowed());
        assert!(decide(&reg, Action::ViewOrganisations, Target::Platform).is_allowed());
        for a in [
            Action::CreateOrganisation,
            Action::UpdateSecurityPolicy,
            Action::ImportCalendar,
        ] {
            assert!(!decide(&reg, a, Target::Platform).is_allowed());
        }
    }

    // H8: an agency catalogs its own data; its level's authority reviews it.
    #[test]
    fn catalog_duties_follow_the_organisation_tree() {
        let staff = actor("s", GAJ, &[Role::AgencyStaff]);
        assert!(
            decide(
                &staff,
                Action::ManageEntries,
                Target::Organisation { id: "gaj" }
            )
            .is_allowed()
        );
        assert_eq!(
            decide(
                &staff,
                Action::ManageEntries,
                Target::Organisation { id: "mzj" }
            ),
            Decision::Deny(DenyReason::OutsideScope)
        );
        assert!(
            !decide(
                &staff,
                Action::ReviewEntries,
                Target::Organisation { id: "auth" }
            )
            .is_allowed()
        );
        let county = actor("r2", COUNTY_AUTH, &[Role::AuthorityReviewer]);
        assert!(
            decide(
                &county,
                Action::ReviewEntries,
                Target::Organisation { id: "c-auth" }
            )
            .is_allowed()
        );
        assert_eq!(
            decide(
                &county,
                Action::ReviewEntries,
                Target::Organisation { id: "auth" }
            ),
            Decision::Deny(DenyReason::OutsideScope)
        );
        assert!(!decide(&county, Action::UpdateScheme, Target::Platform).is_allowed());
        // H8 (第八条): only the city authority reports the city catalog to the region.
        assert!(!decide(&county, Action::SubmitCatalogToRegion, Target::Platform).is_allowed());
        assert!(!decide(&staff, Action::SubmitCatalogToRegion, Target::Platform).is_allowed());
        let city = actor("r", CITY_AUTH, &[Role::AuthorityReviewer]);
        assert!(decide(&city, Action::UpdateScheme, Target::Platform).is_allowed());
        assert!(decide(&city, Action::ManageElements, Target::Platform).is_allowed());
        assert!(decide(&city, Action::SubmitCatalogToRegion, Target::Platform).is_allowed());
        let public = Actor {
            user_id: "p".into(),
            org: None,
            roles: RoleSet::new([Role::Public]),
        };
        assert!(!decide(&public, Action::ViewCatalog, Target::Platform).is_allowed());
    }

    // H41: 公共管理和服务机构、公共数据主管部门等应当……督促改正，并暂时关闭获取相关公共数据的
    // 权限 — the source's admin closes access to its own data only; an authority's reviewer to
    // the data of the organisations under it; reopening is for the organisation that closed.
    #[test]
    fn h41_closures_by_the_source_or_an_authority_over_it() {
        let gaj_admin = actor("a", GAJ, &[Role::AgencyAdmin]);
        let gaj_staff = actor("s", GAJ, &[Role::AgencyStaff]);
        let county = actor("r2", COUNTY_AUTH, &[Role::AuthorityReviewer]);
        let city = actor("r", CITY_AUTH, &[Role::AuthorityReviewer]);
        let city_admin = actor("ra", CITY_AUTH, &[Role::AgencyAdmin]);
        let city_above = ["auth".to_owned()];
        let county_above = ["c-auth".to_owned(), "auth".to_owned()];
        let gaj_data = Target::ProviderData {
            provider: "gaj",
            above: &city_above,
        };
        let mzj_data = Target::ProviderData {
            provider: "mzj",
            above: &city_above,
        };
        let county_data = Target::ProviderData {
            provider: "c-gaj",
            above: &county_above,
        };
        let close = |who: &Actor, target| decide(who, Action::CloseAccess, target);
        assert!(close(&gaj_admin, gaj_data).is_allowed());
        assert_eq!(
            close(&gaj_admin, mzj_data),
            Decision::Deny(DenyReason::OutsideScope)
        );
        assert_eq!(
            close(&gaj_staff, gaj_data),
            Decision::Deny(DenyReason::RoleMissing)
        );
        assert!(close(&county, county_data).is_allowed());
        assert_eq!(
            close(&county, gaj_data),
            Decision::Deny(DenyReason::OutsideScope)
        );
        assert!(close(&city, gaj_data).is_allowed());
        assert!(close(&city, county_data).is_allowed());
        assert_eq!(
            close(&city_admin, gaj_data),
            Decision::Deny(DenyReason::RoleMissing)
        );
        let closer = Target::Organisation { id: "gaj" };
        assert!(close(&gaj_admin, closer).is_allowed());
        assert_eq!(
            close(&city, closer),
            Decision::Deny(DenyReason::OutsideScope)
        );
        assert!(platform_capabilities(&county).contains(&Action::CloseAccess));
        assert!(!platform_capabilities(&gaj_staff).contains(&Action::CloseAccess));
    }

    #[test]
    fn action_names_are_stable() {
        assert_eq!(Action::ViewAuditLog.name(), "view_audit_log");
        assert_eq!(
            Action::GrantRole(Role::Auditor).name(),
            "grant_role:auditor"
        );
    }
}
