//! Objections and risks that suspend an opening (异议与风险中止开放, H27, 第二十七条).
//!
//! Anyone who objects to an open dataset (a person whose rights it harms, a company, anyone),
//! and the source agency that finds the data may endanger national security, the public
//! interest or someone's lawful rights, opens a *case*. From the instant the case is recorded
//! the dataset's opening is suspended (立即中止开放): every read on the open basis is refused.
//! The source verifies (核实) and ends the case in one of three ways the regulation names:
//! withdraw the data (撤回数据: it leaves the open list until a new catalog revision opens it
//! again), restore the opening (恢复开放), or open it again after processing (依法处理后开放: a
//! new data version has replaced the old one). The objector is told the outcome (反馈).
//!
//! The rules here are pure: what state an entry's opening is in, given its cases, and which
//! endings a case may take.

use crate::error::Violation;

/// Who opened the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    /// A member of the public, a company or any organisation objects (异议).
    Objection,
    /// The source agency found a risk in performing its duties (发现风险).
    Risk,
}

impl CaseKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Objection => "objection",
            Self::Risk => "risk",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "objection" => Some(Self::Objection),
            "risk" => Some(Self::Risk),
            _ => None,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Objection => "异议",
            Self::Risk => "风险",
        }
    }
}

/// How the source ended a case after verifying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseOutcome {
    /// 撤回数据: the entry leaves the open list until a new catalog revision is published.
    Withdraw,
    /// 恢复开放: the objection did not hold; the data is open as it was.
    Restore,
    /// 依法处理后开放: the data was processed and a new version replaced it.
    Reopen,
}

impl CaseOutcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Withdraw => "withdrawn",
            Self::Restore => "restored",
            Self::Reopen => "reopened",
        }
    }

    /// Parses a stored or asked outcome.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "withdrawn" | "withdraw" => Some(Self::Withdraw),
            "restored" | "restore" => Some(Self::Restore),
            "reopened" | "reopen" => Some(Self::Reopen),
            _ => None,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Withdraw => "撤回数据",
            Self::Restore => "恢复开放",
            Self::Reopen => "依法处理后开放",
        }
    }
}

/// The ending of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub outcome: CaseOutcome,
    /// The source's answer to the objector: what was verified and done.
    pub answer: String,
    pub resolved_by: String,
    /// Microseconds since the epoch.
    pub resolved_at: i64,
    /// For a re-opening: the version that replaced the data.
    pub version: Option<i64>,
}

/// Whom the outcome is fed back to, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objector {
    pub name: Option<String>,
    /// How to reach them (a telephone number or an e-mail address); required of an objection.
    pub contact: Option<Contact>,
    /// A signed-in objector also gets a notification.
    pub account_id: Option<String>,
}

/// One case (异议或风险处理事项).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: String,
    pub entry_id: String,
    /// The published revision of the entry when the case was opened: a withdrawal holds until
    /// a later revision is published.
    pub revision: i64,
    pub kind: CaseKind,
    /// What is objected to, or the risk found.
    pub reason: String,
    /// The data item concerned, when the objection names one.
    pub item_code: Option<String>,
    pub objector: Objector,
    /// Microseconds since the epoch: from this instant the opening is suspended.
    pub filed_at: i64,
    /// The working day by which the source should have verified (核实期限).
    pub due_date: chrono::NaiveDate,
    pub resolution: Option<Resolution>,
}

/// The state of an entry's opening, as its cases make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening<'a> {
    /// No case stands in the way.
    Open,
    /// A case is being verified: no open read until it ends. The oldest such case.
    Suspended(&'a Case),
    /// The source withdrew the data; a new published revision lifts it.
    Withdrawn(&'a Case),
}

impl<'a> Opening<'a> {
    /// The opening of an entry whose published revision is `published_revision`, given its
    /// cases. A case under verification suspends whatever revision is published since (a new
    /// revision does not escape an objection); a withdrawal holds for the revision it was
    /// made against and the ones before.
    pub fn of(cases: &'a [Case], published_revision: i64) -> Self {
        if let Some(open) = cases
            .iter()
            .filter(|c| c.resolution.is_none())
            .min_by_key(|c| c.filed_at)
        {
            return Self::Suspended(open);
        }
        cases
            .iter()
            .filter(|c| {
                c.revision >= published_revision
                    && c.resolution
                        .as_ref()
                        .is_some_and(|r| r.outcome == CaseOutcome::Withdraw)
            })
            .max_by_key(|c| c.filed_at)
            .map_or(Self::Open, Self::Withdrawn)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Suspended(_) => "suspended",
            Self::Withdrawn(_) => "withdrawn",
        }
    }
}

/// Why a case cannot end as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// The case already ended.
    AlreadyResolved(CaseOutcome),
    /// A re-opening needs a data version committed after the case was opened.
    NoNewVersion,
}

impl Case {
    /// Ends the case. `newest_version` is the entry's current committed version with the
    /// instant it was committed, if any.
    pub fn resolve(
        &self,
        outcome: CaseOutcome,
        answer: String,
        resolved_by: String,
        now: i64,
        newest_version: Option<(i64, i64)>,
    ) -> Result<Resolution, ResolveError> {
        if let Some(r) = &self.resolution {
            return Err(ResolveError::AlreadyResolved(r.outcome));
        }
        let version = match outcome {
            CaseOutcome::Reopen => match newest_version {
                Some((version, committed_at)) if committed_at > self.filed_at => Some(version),
                _ => return Err(ResolveError::NoNewVersion),
            },
            CaseOutcome::Withdraw | CaseOutcome::Restore => None,
        };
        Ok(Resolution {
            outcome,
            answer,
            resolved_by,
            resolved_at: now,
            version,
        })
    }
}

/// How an objector can be reached: a mainland mobile or fixed-line number, or an e-mail
/// address. Checked for form only; the platform keeps it for the source's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact(String);

impl Contact {
    pub fn parse(raw: &str) -> Result<Self, Violation> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Violation::required("contact", "联系方式"));
        }
        let ok = if s.contains('@') {
            is_email(s)
        } else {
            is_phone(s)
        };
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(Violation::new(
                "contact",
                "bad_contact",
                "联系方式应为手机号码、固定电话（如 0471-1234567）或电子邮箱",
                "contact must be a mobile or fixed-line number or an e-mail address",
            ))
        }
    }

    /// A value read back from the store, which was parsed when it was written.
    pub fn stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `local@domain.tld`, ASCII, without spaces, at most 254 characters (RFC 5321's path limit).
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && domain.contains('.')
        && domain.split('.').all(label_ok)
}

/// A mainland mobile number (`1[3-9]` and nine digits, optionally `+86`), or a fixed line with
/// its area code (`0xx(x)-xxxxxxx(x)`, the dash optional), optionally an extension (`-123`).
fn is_phone(s: &str) -> bool {
    let s = s.strip_prefix("+86").unwrap_or(s).trim_start();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if s.len() == 11 && s.starts_with('1') && digits(s) {
        return matches!(s.as_bytes()[1], b'3'..=b'9');
    }
    let mut parts = s.split('-');
    let (first, rest) = (parts.next().unwrap_or(""), parts.collect::<Vec<_>>());
    match rest.as_slice() {
        // 04711234567: area code and number run together.
        [] => digits(first) && first.starts_with('0') && (10..=12).contains(&first.len()),
        [number] | [number, _] => {
            let extension_ok = rest.get(1).is_none_or(|e| digits(e) && e.len() <= 6);
            digits(first)
                && first.starts_with('0')
                && (3..=4).contains(&first.len())
                && digits(number)
                && (7..=8).contains(&number.len())
                && extension_ok
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn case(id: &str, revision: i64, filed_at: i64, outcome: Option<CaseOutcome>) -> Case {
        Case {
            id: id.into(),
            entry_id: "e".into(),
            revision,
            kind: CaseKind::Objection,
            reason: "含有本人住址".into(),
            item_code: None,
            objector: Objector {
                name: None,
                contact: Some(Contact::stored("13800000000".into())),
                account_id: None,
            },
            filed_at,
            due_date: NaiveDate::from_ymd_opt(2026, 12, 18).unwrap(),
            resolution: outcome.map(|outcome| Resolution {
                outcome,
                answer: "已核实".into(),
                resolved_by: "gaj-admin".into(),
                resolved_at: filed_at + 10,
                version: None,
            }),
        }
    }

    #[test]
    fn h27_a_case_under_verification_suspends_whatever_revision_is_published() {
        let cases = [case("a", 1, 100, None)];
        assert_eq!(Opening::of(&cases, 1).code(), "suspended");
        assert_eq!(Opening::of(&cases, 2).code(), "suspended");
        assert_eq!(Opening::of(&[], 1), Opening::Open);
    }

    #[test]
    fn h27_a_withdrawal_holds_until_a_later_revision_is_published() {
        let cases = [case("a", 2, 100, Some(CaseOutcome::Withdraw))];
        assert_eq!(Opening::of(&cases, 2).code(), "withdrawn");
        assert_eq!(Opening::of(&cases, 3), Opening::Open);
        for outcome in [CaseOutcome::Restore, CaseOutcome::Reopen] {
            assert_eq!(
                Opening::of(&[case("b", 2, 100, Some(outcome))], 2),
                Opening::Open
            );
        }
    }

    #[test]
    fn h27_the_oldest_open_case_is_the_one_shown() {
        let cases = [
            case("late", 1, 300, None),
            case("early", 1, 100, None),
            case("done", 1, 50, Some(CaseOutcome::Withdraw)),
        ];
        match Opening::of(&cases, 1) {
            Opening::Suspended(c) => assert_eq!(c.id, "early"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn h27_a_case_ends_once_and_a_reopening_needs_a_newer_version() {
        let open = case("a", 1, 100, None);
        let ok = open.resolve(CaseOutcome::Restore, "不成立".into(), "u".into(), 200, None);
        assert_eq!(ok.unwrap().version, None);
        assert_eq!(
            open.resolve(
                CaseOutcome::Reopen,
                "x".into(),
                "u".into(),
                200,
                Some((3, 90))
            ),
            Err(ResolveError::NoNewVersion)
        );
        assert_eq!(
            open.resolve(CaseOutcome::Reopen, "x".into(), "u".into(), 200, None),
            Err(ResolveError::NoNewVersion)
        );
        let reopened = open
            .resolve(
                CaseOutcome::Reopen,
                "x".into(),
                "u".into(),
                200,
                Some((4, 150)),
            )
            .unwrap();
        assert_eq!(reopened.version, Some(4));
        let done = case("b", 1, 100, Some(CaseOutcome::Withdraw));
        assert_eq!(
            done.resolve(CaseOutcome::Restore, "x".into(), "u".into(), 200, None),
            Err(ResolveError::AlreadyResolved(CaseOutcome::Withdraw))
        );
    }

    #[test]
    fn h27_contacts_are_phones_or_e_mail_addresses() {
        for good in [
            "13800138000",
            "+86 13800138000",
            "0471-6612345",
            "04716612345",
            "010-12345678-123",
            "zhang.san@example.com.cn",
            " li_si+gs@mail.hohhot.gov.cn ",
        ] {
            assert!(Contact::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "   ",
            "12800138000",
            "1380013800",
            "471-6612345",
            "0471-661",
            "a@b",
            "@example.com",
            "zhang san@example.com",
            "张三@example.com",
            "x@-example.com",
            "请电话联系",
        ] {
            assert!(Contact::parse(bad).is_err(), "{bad:?}");
        }
    }

    fn outcome() -> impl Strategy<Value = Option<CaseOutcome>> {
        prop_oneof![
            Just(None),
            Just(Some(CaseOutcome::Withdraw)),
            Just(Some(CaseOutcome::Restore)),
            Just(Some(CaseOutcome::Reopen)),
        ]
    }

    proptest! {
        /// Whatever the cases, the opening is suspended exactly when one of them is still
        /// being verified, and open only when no withdrawal covers the published revision.
        #[test]
        fn h27_the_opening_follows_its_cases(
            cases in proptest::collection::vec((1i64..5, 0i64..1000, outcome()), 0..8),
            published in 1i64..6,
        ) {
            let cases: Vec<Case> = cases
                .into_iter()
                .enumerate()
                .map(|(i, (rev, at, o))| case(&i.to_string(), rev, at, o))
                .collect();
            let pending = cases.iter().any(|c| c.resolution.is_none());
            let withdrawn = cases.iter().any(|c| {
                c.revision >= published
                    && c.resolution.as_ref().is_some_and(|r| r.outcome == CaseOutcome::Withdraw)
            });
            let opening = Opening::of(&cases, published);
            prop_assert_eq!(opening.code() == "suspended", pending);
            prop_assert_eq!(opening == Opening::Open, !pending && !withdrawn);
        }

        #[test]
        fn h27_contact_parsing_never_panics(s in "\\PC{0,40}") {
            let _ = Contact::parse(&s);
        }
    }
}
