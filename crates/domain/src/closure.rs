//! A closure (暂时关闭访问权限, H41): the source agency, or an authority over it, temporarily
//! closes one data user's access to that agency's data and demands a correction (督促改正);
//! once the user has corrected, the closer reopens it. It is not a revocation: the grants stay
//! as they are, and every other grant of the user still reads.
//!
//! The subject is an account or an organisation, so an open-data user's account (a person or a
//! company registered on the portal) and, later, an application unit can be closed out in the
//! same way as an agency. The scope is one entry or every entry of one provider.

use crate::authz::Actor;

/// Whose access is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosureSubject {
    /// One account: an agency's user, or an open-data user of the public.
    Account(String),
    /// Every account of one organisation.
    Organisation(String),
}

impl ClosureSubject {
    /// Parses the stored kind and id (`account` | `organisation`).
    pub fn parse(kind: &str, id: String) -> Option<Self> {
        match kind {
            "account" => Some(Self::Account(id)),
            "organisation" => Some(Self::Organisation(id)),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Account(_) => "account",
            Self::Organisation(_) => "organisation",
        }
    }

    pub fn kind_zh(&self) -> &'static str {
        match self {
            Self::Account(_) => "账号",
            Self::Organisation(_) => "单位",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Account(id) | Self::Organisation(id) => id,
        }
    }

    /// Whether the actor is the subject or belongs to it.
    pub fn binds(&self, actor: &Actor) -> bool {
        match self {
            Self::Account(id) => actor.user_id == *id,
            Self::Organisation(id) => actor.org.as_ref().is_some_and(|o| o.id == *id),
        }
    }
}

/// Which data a closure covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosureScope {
    /// One entry of the provider.
    Entry(String),
    /// Every entry of the provider.
    Provider,
}

impl ClosureScope {
    /// Parses the stored kind (`entry` | `provider`) and the entry id it needs.
    pub fn parse(kind: &str, entry_id: Option<String>) -> Option<Self> {
        match (kind, entry_id) {
            ("entry", Some(id)) => Some(Self::Entry(id)),
            ("provider", None) => Some(Self::Provider),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Entry(_) => "entry",
            Self::Provider => "provider",
        }
    }

    pub fn entry_id(&self) -> Option<&str> {
        match self {
            Self::Entry(id) => Some(id),
            Self::Provider => None,
        }
    }
}

/// How a closure ended: the user corrected, and the closer reopened access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reopening {
    /// The user name of who reopened.
    pub by: String,
    /// Microseconds since the epoch.
    pub at: i64,
    /// What the user corrected, as the closer verified it.
    pub note: String,
}

/// One closure of a data user's access to a provider's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub id: String,
    pub subject: ClosureSubject,
    /// The organisation whose data is closed: the source agency of the entry, or of all its
    /// entries.
    pub provider_org_id: String,
    pub scope: ClosureScope,
    /// What the user did (the misuse found).
    pub reason: String,
    /// What the user must correct before access reopens (督促改正).
    pub correction: String,
    /// The user name of who closed.
    pub closed_by: String,
    /// The organisation that closed: the provider itself or an authority over it.
    pub closing_org_id: String,
    /// Its name when it closed, as the refused reader is told.
    pub closing_org_name: String,
    pub closed_at: i64,
    /// `None` while the closure is open.
    pub reopening: Option<Reopening>,
}

impl Closure {
    pub fn is_open(&self) -> bool {
        self.reopening.is_none()
    }

    /// Whether this closure, while open, stops `actor` reading the entry `entry_id` of
    /// `provider_org_id`.
    pub fn stops(&self, actor: &Actor, entry_id: &str, provider_org_id: &str) -> bool {
        self.is_open()
            && self.subject.binds(actor)
            && self.provider_org_id == provider_org_id
            && match &self.scope {
                ClosureScope::Entry(id) => id == entry_id,
                ClosureScope::Provider => true,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::OrgFacts;
    use crate::org::{OrgKind, OrgLevel};
    use crate::role::RoleSet;

    fn reader(account: &str, org: &str) -> Actor {
        Actor {
            user_id: account.into(),
            org: Some(OrgFacts {
                id: org.into(),
                kind: OrgKind::Agency,
                level: OrgLevel::City,
            }),
            roles: RoleSet::default(),
        }
    }

    fn closure(subject: ClosureSubject, scope: ClosureScope) -> Closure {
        Closure {
            id: "c".into(),
            subject,
            provider_org_id: "gaj".into(),
            scope,
            reason: "超范围使用".into(),
            correction: "删除副本".into(),
            closed_by: "gaj-admin".into(),
            closing_org_id: "gaj".into(),
            closing_org_name: "市公安局".into(),
            closed_at: 1,
            reopening: None,
        }
    }

    // H41: a closure binds its subject — the account, or everyone of the organisation — and
    // covers one entry or every entry of its provider, until it is reopened.
    #[test]
    fn h41_a_closure_stops_its_subject_on_its_scope_until_reopened() {
        let mzj_staff = reader("u-mzj", "mzj");
        let rsj_staff = reader("u-rsj", "rsj");
        let on_entry = closure(
            ClosureSubject::Organisation("mzj".into()),
            ClosureScope::Entry("e1".into()),
        );
        assert!(on_entry.stops(&mzj_staff, "e1", "gaj"));
        assert!(!on_entry.stops(&mzj_staff, "e2", "gaj"));
        assert!(!on_entry.stops(&rsj_staff, "e1", "gaj"));
        let on_provider = closure(
            ClosureSubject::Account("u-mzj".into()),
            ClosureScope::Provider,
        );
        assert!(on_provider.stops(&mzj_staff, "e2", "gaj"));
        assert!(!on_provider.stops(&mzj_staff, "e3", "wjw"));
        assert!(!on_provider.stops(&reader("u-other", "mzj"), "e2", "gaj"));
        let mut reopened = on_provider;
        reopened.reopening = Some(Reopening {
            by: "gaj-admin".into(),
            at: 2,
            note: "已删除副本".into(),
        });
        assert!(!reopened.stops(&mzj_staff, "e2", "gaj"));
    }

    #[test]
    fn stored_kinds_parse_and_nothing_else_does() {
        assert_eq!(
            ClosureSubject::parse("account", "a".into()),
            Some(ClosureSubject::Account("a".into()))
        );
        assert_eq!(ClosureSubject::parse("team", "a".into()), None);
        assert_eq!(
            ClosureScope::parse("entry", Some("e".into())),
            Some(ClosureScope::Entry("e".into()))
        );
        assert_eq!(ClosureScope::parse("entry", None), None);
        assert_eq!(
            ClosureScope::parse("provider", None),
            Some(ClosureScope::Provider)
        );
        assert_eq!(ClosureScope::parse("provider", Some("e".into())), None);
    }
}
