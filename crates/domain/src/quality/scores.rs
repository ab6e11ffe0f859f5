//! The scores of a version (completeness, validity, uniqueness, timeliness and their mean)
//! from what ingest counted, and the update-frequency rules of H12: when data is due, and when
//! it is overdue.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::UpdateFrequency;

/// What ingest counted while a version streamed through it, as the scores need it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Data rows read (those dropped for bad cells included: they were supplied).
    pub rows: u64,
    /// Cells that should be filled: rows × required items (every item when none is required).
    pub expected_cells: u64,
    /// Of those, the filled ones.
    pub filled_cells: u64,
    /// Filled cells of every item checked for validity, plus one per malformed row.
    pub checked_cells: u64,
    /// Of those, the ones that failed: wrong type or checksum, outside an enum, range or
    /// pattern rule, and malformed rows.
    pub failed_cells: u64,
    /// Rows with a complete, valid declared key; 0 without a declared key.
    pub key_rows: u64,
    /// Of those, rows whose key an earlier row already had.
    pub duplicate_rows: u64,
}

/// The four scores and their mean, each 0–100, rounded down to one decimal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub completeness: f64,
    pub validity: f64,
    pub uniqueness: f64,
    pub timeliness: f64,
    pub overall: f64,
}

impl Scores {
    /// The scores of a tally, with the timeliness computed separately (it depends on time,
    /// not on the data).
    pub fn of(tally: &Tally, timeliness: f64) -> Scores {
        let completeness = share(tally.filled_cells, tally.expected_cells);
        let validity = share(
            tally.checked_cells.saturating_sub(tally.failed_cells),
            tally.checked_cells,
        );
        let uniqueness = share(
            tally.key_rows.saturating_sub(tally.duplicate_rows),
            tally.key_rows,
        );
        Scores {
            completeness,
            validity,
            uniqueness,
            timeliness,
            overall: Scores::mean(completeness, validity, uniqueness, timeliness),
        }
    }

    /// The overall score: the plain mean of the four, rounded down to one decimal.
    pub fn mean(completeness: f64, validity: f64, uniqueness: f64, timeliness: f64) -> f64 {
        floor_tenth((completeness + validity + uniqueness + timeliness) / 4.0)
    }
}

/// `good` of `total` as a score; 100 when there was nothing to check.
pub fn share(good: u64, total: u64) -> f64 {
    if total == 0 {
        return 100.0;
    }
    floor_tenth(good.min(total) as f64 * 100.0 / total as f64)
}

/// Rounds down to one decimal, so only a perfect ratio shows as 100.
fn floor_tenth(x: f64) -> f64 {
    ((x * 10.0) + 1e-9).floor().clamp(0.0, 1000.0) / 10.0
}

/// Timeliness of data of age `age` (since its last update) under `frequency` (H12): 100 up to
/// the frequency's maximum age, then linearly down to 0 at twice that age; an irregular
/// frequency is always 100 (there is no schedule to miss).
pub fn timeliness(frequency: UpdateFrequency, age: Duration) -> f64 {
    let Some(max) = frequency.max_age() else {
        return 100.0;
    };
    if age <= max {
        return 100.0;
    }
    let late = (age - max).num_seconds() as f64;
    let allowed = max.num_seconds() as f64;
    floor_tenth((100.0 * (1.0 - late / allowed)).max(0.0))
}

/// When data last updated at `last_update` becomes overdue under `frequency` (H12); `None`
/// for an irregular frequency, which is never overdue by the calendar alone.
pub fn due_at(frequency: UpdateFrequency, last_update: DateTime<Utc>) -> Option<DateTime<Utc>> {
    frequency.max_age().map(|max| last_update + max)
}

/// Whether data last updated at `last_update` is overdue for an update at `now` (H12): older
/// than its frequency allows.
pub fn is_overdue(
    frequency: UpdateFrequency,
    last_update: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    due_at(frequency, last_update).is_some_and(|due| now > due)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    // H11, B17: scores are shares of good cells and rows, 100 only when nothing failed.
    #[test]
    fn b17_scores_are_shares_rounded_down() {
        let tally = Tally {
            rows: 10,
            expected_cells: 20,
            filled_cells: 19,
            checked_cells: 1_000_000,
            failed_cells: 1,
            key_rows: 10,
            duplicate_rows: 2,
        };
        let s = Scores::of(&tally, 100.0);
        assert_eq!(s.completeness, 95.0);
        assert_eq!(s.validity, 99.9, "one bad cell in a million is not 100");
        assert_eq!(s.uniqueness, 80.0);
        assert_eq!(s.overall, 93.7);
        let empty = Scores::of(&Tally::default(), 100.0);
        assert_eq!(
            (
                empty.completeness,
                empty.validity,
                empty.uniqueness,
                empty.overall
            ),
            (100.0, 100.0, 100.0, 100.0)
        );
        assert_eq!(share(1, 3), 33.3);
        assert_eq!(share(2, 3), 66.6);
        assert_eq!(share(5, 3), 100.0);
    }

    // H12: timeliness is full within the frequency, then falls to 0 at twice the age.
    #[test]
    fn h12_timeliness_follows_the_update_frequency() {
        use UpdateFrequency as F;
        assert_eq!(timeliness(F::Monthly, Duration::days(31)), 100.0);
        assert_eq!(
            timeliness(F::Monthly, Duration::days(31) + Duration::hours(1)),
            99.8
        );
        assert_eq!(
            timeliness(F::Weekly, Duration::days(7) + Duration::hours(84)),
            50.0
        );
        assert_eq!(timeliness(F::Daily, Duration::days(2)), 0.0);
        assert_eq!(timeliness(F::Daily, Duration::days(400)), 0.0);
        assert_eq!(timeliness(F::Irregular, Duration::days(4000)), 100.0);
        // A clock that went backwards is not late.
        assert_eq!(timeliness(F::Daily, Duration::days(-1)), 100.0);
    }

    // H12: overdue is "older than the frequency allows"; irregular entries never are.
    #[test]
    fn h12_an_update_is_overdue_once_older_than_its_frequency_allows() {
        let last = Utc.with_ymd_and_hms(2025, 9, 1, 1, 0, 0).unwrap();
        let f = UpdateFrequency::Weekly;
        assert_eq!(due_at(f, last), Some(last + Duration::days(7)));
        assert!(!is_overdue(f, last, last + Duration::days(7)));
        assert!(is_overdue(
            f,
            last,
            last + Duration::days(7) + Duration::seconds(1)
        ));
        assert!(!is_overdue(
            UpdateFrequency::Irregular,
            last,
            last + Duration::days(9999)
        ));
        assert_eq!(due_at(UpdateFrequency::Irregular, last), None);
    }
}
