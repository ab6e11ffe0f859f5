//! The city catalog's submission to the autonomous region's authority (报自治区审核, 第八条):
//! the city authority sends a package of the published city catalog and records the region's
//! answer — accepted, or returned with reasons. One submission awaits an answer at a time, and
//! an answer is final: a returned catalog is corrected and submitted again as a new submission.

use chrono::NaiveDate;

use crate::{Violation, Violations};

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubmissionState {
    /// Sent; the region has not answered yet (已报送，待答复).
    Submitted,
    /// The region accepted the catalog (已通过).
    Accepted,
    /// The region returned the catalog with reasons (已退回).
    Returned,
}

/// The region's answer as the city authority records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionAnswer {
    Accepted,
    Returned { reasons: String },
}

/// One submission as the platform keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSubmission {
    pub id: String,
    /// The connector the package travelled by (`manual`: downloaded and sent by the city
    /// authority through the region's own channel).
    pub connector: String,
    pub entry_count: i64,
    /// SM3 of the package as stored, lowercase hex.
    pub package_sm3: String,
    pub package_bytes: i64,
    pub note: String,
    pub submitted_on: NaiveDate,
    pub submitted_at: i64,
    pub submitted_by: String,
    pub answer: Option<RecordedAnswer>,
}

/// The region's answer with who recorded it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAnswer {
    pub answer: RegionAnswer,
    /// The date of the region's answer (its letter or notice).
    pub on: NaiveDate,
    pub at: i64,
    pub by: String,
}

impl RegionSubmission {
    pub fn state(&self) -> SubmissionState {
        match self.answer.as_ref().map(|a| &a.answer) {
            None => SubmissionState::Submitted,
            Some(RegionAnswer::Accepted) => SubmissionState::Accepted,
            Some(RegionAnswer::Returned { .. }) => SubmissionState::Returned,
        }
    }
}

impl SubmissionState {
    pub const ALL: [SubmissionState; 3] = [
        SubmissionState::Submitted,
        SubmissionState::Accepted,
        SubmissionState::Returned,
    ];

    /// The stable code kept in storage and shown by the API.
    pub fn code(self) -> &'static str {
        match self {
            SubmissionState::Submitted => "submitted",
            SubmissionState::Accepted => "accepted",
            SubmissionState::Returned => "returned",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            SubmissionState::Submitted => "已报送，待自治区答复",
            SubmissionState::Accepted => "自治区审核通过",
            SubmissionState::Returned => "自治区退回",
        }
    }

    /// The state once `answer` is recorded; only a submission awaiting its answer takes one.
    pub fn answer(self, answer: &RegionAnswer) -> Result<SubmissionState, AlreadyAnswered> {
        match (self, answer) {
            (SubmissionState::Submitted, RegionAnswer::Accepted) => Ok(SubmissionState::Accepted),
            (SubmissionState::Submitted, RegionAnswer::Returned { .. }) => {
                Ok(SubmissionState::Returned)
            }
            (state, _) => Err(AlreadyAnswered(state)),
        }
    }
}

/// A second answer to a submission: the first one stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the region's answer to this submission is already recorded ({})", .0.code())]
pub struct AlreadyAnswered(pub SubmissionState);

impl AlreadyAnswered {
    pub fn zh(&self) -> String {
        format!("该次报送已登记自治区答复（{}），不能再次登记", self.0.zh())
    }
}

/// Checks an answer as typed: the outcome (`accepted` or `returned`), the reasons a return
/// must give, and the date of the answer — not before the submission, not in the future.
pub fn parse_answer(
    outcome: &str,
    reasons: &str,
    answered_on: NaiveDate,
    submitted_on: NaiveDate,
    today: NaiveDate,
) -> Result<RegionAnswer, Violations> {
    let mut v = Violations::default();
    let reasons = reasons.trim();
    let answer = match outcome.trim() {
        "accepted" => Ok(RegionAnswer::Accepted),
        "returned" if reasons.is_empty() => Err(Violation::new(
            "reasons",
            "required",
            "自治区退回的，请填写退回理由",
            "a returned catalog needs the region's reasons",
        )),
        "returned" => Ok(RegionAnswer::Returned {
            reasons: reasons.to_owned(),
        }),
        other => Err(Violation::new(
            "outcome",
            "unknown_value",
            format!("答复结果“{other}”无效，应为“审核通过”（accepted）或“退回”（returned）"),
            format!("outcome `{other}` must be accepted or returned"),
        )),
    };
    if reasons.chars().count() > MAX_REASONS {
        v.push(Violation::too_long("reasons", "退回理由", MAX_REASONS));
    }
    if answered_on < submitted_on {
        v.push(Violation::new(
            "answered_on",
            "out_of_range",
            format!("答复日期不能早于报送日期（{submitted_on}）"),
            format!("the answer cannot predate the submission ({submitted_on})"),
        ));
    }
    if answered_on > today {
        v.push(Violation::new(
            "answered_on",
            "out_of_range",
            "答复日期不能晚于今天",
            "the answer cannot be dated in the future",
        ));
    }
    match answer {
        Ok(answer) => v.into_result().map(|()| answer),
        Err(broken) => {
            v.0.insert(0, broken);
            Err(v)
        }
    }
}

/// The longest reasons a return may record.
const MAX_REASONS: usize = 2000;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    // H8: the region's answer is accepted or returned with reasons, dated between the
    // submission and today.
    #[test]
    fn h8_an_answer_is_checked_before_it_is_recorded() {
        let (sent, today) = (day("2025-09-01"), day("2025-09-10"));
        assert_eq!(
            parse_answer("accepted", "", day("2025-09-05"), sent, today).unwrap(),
            RegionAnswer::Accepted
        );
        assert_eq!(
            parse_answer("returned", " 缺少共享条件 ", today, sent, today).unwrap(),
            RegionAnswer::Returned {
                reasons: "缺少共享条件".into()
            }
        );
        let fields = |r: Result<RegionAnswer, Violations>| -> Vec<(String, String)> {
            r.unwrap_err()
                .0
                .into_iter()
                .map(|v| (v.field, v.code.to_owned()))
                .collect()
        };
        assert_eq!(
            fields(parse_answer("returned", "  ", today, sent, today)),
            [("reasons".to_owned(), "required".to_owned())]
        );
        assert_eq!(
            fields(parse_answer("maybe", "", today, sent, today)),
            [("outcome".to_owned(), "unknown_value".to_owned())]
        );
        assert_eq!(
            fields(parse_answer("accepted", "", day("2025-08-31"), sent, today)),
            [("answered_on".to_owned(), "out_of_range".to_owned())]
        );
        assert_eq!(
            fields(parse_answer("accepted", "", day("2025-09-11"), sent, today)),
            [("answered_on".to_owned(), "out_of_range".to_owned())]
        );
    }

    #[test]
    fn codes_round_trip() {
        for s in SubmissionState::ALL {
            assert_eq!(SubmissionState::parse(s.code()), Some(s));
        }
        assert_eq!(SubmissionState::parse("pending"), None);
    }

    fn answer() -> impl Strategy<Value = RegionAnswer> {
        prop_oneof![
            Just(RegionAnswer::Accepted),
            "[a-z]{1,8}".prop_map(|reasons| RegionAnswer::Returned { reasons }),
        ]
    }

    proptest! {
        // H8: whatever answers arrive, only the first is recorded, and it decides the state.
        #[test]
        fn h8_only_the_first_answer_counts(answers in proptest::collection::vec(answer(), 1..6)) {
            let mut state = SubmissionState::Submitted;
            for (n, a) in answers.iter().enumerate() {
                let next = state.answer(a);
                if n == 0 {
                    let expected = match a {
                        RegionAnswer::Accepted => SubmissionState::Accepted,
                        RegionAnswer::Returned { .. } => SubmissionState::Returned,
                    };
                    prop_assert_eq!(next, Ok(expected));
                } else {
                    prop_assert!(next.is_err());
                }
                state = next.unwrap_or(state);
            }
            prop_assert_ne!(state, SubmissionState::Submitted);
        }
    }
}
