//! The periodic assessment of conditionally shared entries (有条件共享定期评估, H19): an agency
//! must look again, every year, at each entry it shares only on conditions, and either keep
//! the conditions (with its reason) or convert the entry to unconditional sharing.
//!
//! The year runs from the later of two dates: the day the entry became conditionally shared
//! (the first of the unbroken run of published conditional revisions, so an unrelated edit
//! does not restart the clock) and the day of the last assessment.

use chrono::{Months, NaiveDate};

use crate::Violations;
use crate::catalog::vocabulary;

/// Months between two assessments.
pub const ASSESSMENT_INTERVAL_MONTHS: u32 = 12;

/// Days before its due date that an assessment shows on the responsibility list, so the
/// agency can prepare it.
pub const ASSESSMENT_NOTICE_DAYS: u64 = 30;

vocabulary! {
    /// 评估结论.
    AssessmentOutcome, "outcome", "评估结论" {
        Keep = "keep", "维持有条件共享";
        Convert = "convert", "转为无条件共享";
    }
}

/// One published revision of an entry, newest first, for [`conditional_since`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedShareType {
    pub published_on: NaiveDate,
    pub conditional: bool,
}

/// The day the entry's current run of conditional sharing began, from its published revisions
/// newest first; `None` when the newest is not conditional (nothing to assess).
pub fn conditional_since(newest_first: &[PublishedShareType]) -> Option<NaiveDate> {
    newest_first
        .iter()
        .take_while(|p| p.conditional)
        .last()
        .map(|p| p.published_on)
}

/// When the next assessment is due: a year after the run began or the entry was last
/// assessed, whichever is later. A 29 February start falls due on 28 February.
pub fn assessment_due(since: NaiveDate, last_assessed: Option<NaiveDate>) -> NaiveDate {
    let from = last_assessed.map_or(since, |a| a.max(since));
    from.checked_add_months(Months::new(ASSESSMENT_INTERVAL_MONTHS))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether an assessment due on `due` belongs on the list `today`.
pub fn assessment_shown(due: NaiveDate, today: NaiveDate) -> bool {
    due.checked_sub_days(chrono::Days::new(ASSESSMENT_NOTICE_DAYS))
        .is_none_or(|from| today >= from)
}

/// Checks an assessment: a known outcome and a reason, which the record needs either way —
/// why the conditions still hold, or what changed.
pub fn check_assessment(outcome: &str, reason: &str) -> Result<AssessmentOutcome, Violations> {
    use crate::catalog::Vocabulary;
    let mut v = Violations::default();
    let parsed = AssessmentOutcome::parse(outcome)
        .map_err(|e| v.push(e))
        .ok();
    v.text("reason", "评估理由", reason, 2000);
    v.into_result()?;
    parsed.ok_or_else(Violations::default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn published(on: NaiveDate, conditional: bool) -> PublishedShareType {
        PublishedShareType {
            published_on: on,
            conditional,
        }
    }

    #[test]
    fn h19_the_year_runs_from_the_start_of_the_conditional_run() {
        let history = [
            published(day(2025, 6, 1), true),
            published(day(2025, 3, 1), true),
            published(day(2024, 1, 1), false),
            published(day(2023, 1, 1), true),
        ];
        assert_eq!(conditional_since(&history), Some(day(2025, 3, 1)));
        assert_eq!(conditional_since(&history[2..]), None);
        assert_eq!(conditional_since(&[]), None);
        assert_eq!(
            assessment_due(day(2025, 3, 1), None),
            day(2026, 3, 1),
            "an unrelated edit in June does not restart the year"
        );
        assert_eq!(
            assessment_due(day(2025, 3, 1), Some(day(2026, 2, 20))),
            day(2027, 2, 20)
        );
        // An assessment older than the run (the entry was unconditional in between) is ignored.
        assert_eq!(
            assessment_due(day(2025, 3, 1), Some(day(2024, 5, 1))),
            day(2026, 3, 1)
        );
        assert_eq!(assessment_due(day(2024, 2, 29), None), day(2025, 2, 28));
    }

    #[test]
    fn h19_an_assessment_shows_thirty_days_ahead() {
        let due = day(2026, 3, 1);
        assert!(!assessment_shown(due, day(2026, 1, 29)));
        assert!(assessment_shown(due, day(2026, 1, 30)));
        assert!(assessment_shown(due, day(2026, 5, 1)));
    }

    #[test]
    fn h19_an_assessment_needs_an_outcome_and_a_reason() {
        assert_eq!(
            check_assessment("keep", "仍涉及个人隐私，须限定使用范围"),
            Ok(AssessmentOutcome::Keep)
        );
        assert_eq!(
            check_assessment("转为无条件共享", "已完成脱敏，可无条件共享"),
            Ok(AssessmentOutcome::Convert)
        );
        let e = check_assessment("drop", "  ").unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["outcome", "reason"]);
    }

    proptest! {
        // H19: the due date is always a year (365 or 366 days) after the later start.
        #[test]
        fn h19_due_is_a_year_after_the_later_start(
            since in 0i64..40_000, assessed in proptest::option::of(0i64..40_000)
        ) {
            let base = day(1990, 1, 1);
            let since = base + chrono::Duration::days(since);
            let assessed = assessed.map(|a| base + chrono::Duration::days(a));
            let due = assessment_due(since, assessed);
            let from = assessed.map_or(since, |a| a.max(since));
            let days = (due - from).num_days();
            prop_assert!((365..=366).contains(&days), "{from} → {due}");
        }
    }
}
