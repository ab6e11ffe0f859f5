//! The working-day calendar (工作日): official holidays and adjusted working weekends (调休)
//! from the State Council's yearly notices. Every workflow deadline (H9, H21, H22) is computed
//! here. The submission day never counts. A date in a year with no loaded notice falls back to
//! Monday–Friday and the result is marked provisional so the authority can be warned.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{Violation, Violations};

/// The notices shipped with the platform (2024–2026).
const OFFICIAL: &str = include_str!("../data/holidays-cn.json");

/// One named holiday period, inclusive on both ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayPeriod {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One year's notice as published: the file format of `gongshu calendar import` and the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearCalendar {
    pub year: i32,
    /// The notice this year's arrangement comes from, e.g. 国办发明电〔2025〕7号.
    pub source: String,
    pub holidays: Vec<HolidayPeriod>,
    /// Weekend days that are worked (调休上班).
    #[serde(default)]
    pub adjusted_working_days: Vec<NaiveDate>,
}

impl YearCalendar {
    /// Checks a notice before it is loaded: dates near its year, periods in order, adjusted
    /// working days on weekends and never also a holiday.
    pub fn validate(&self) -> Result<(), Violations> {
        let mut v = Violations::default();
        if !(2000..=2200).contains(&self.year) {
            v.push(Violation::new(
                "year",
                "year_out_of_range",
                "年份必须在2000至2200之间",
                "year must be between 2000 and 2200",
            ));
        }
        v.text("source", "通知来源", &self.source, 200);
        if self.holidays.is_empty() {
            v.push(Violation::new(
                "holidays",
                "required",
                "至少需要一个节假日",
                "at least one holiday period is required",
            ));
        }
        let near = |d: &NaiveDate| (self.year - 1..=self.year + 1).contains(&d.year());
        for (i, p) in self.holidays.iter().enumerate() {
            let field = format!("holidays[{i}]");
            if p.name.trim().is_empty() {
                v.push(Violation::required(&format!("{field}.name"), "节日名称"));
            }
            if p.to < p.from || (p.to - p.from).num_days() > 31 {
                v.push(Violation::new(
                    &field,
                    "bad_period",
                    "放假起止日期不正确（结束早于开始或超过31天）",
                    "holiday period ends before it starts or spans more than 31 days",
                ));
            }
            if !near(&p.from) || !near(&p.to) {
                v.push(Violation::new(
                    &field,
                    "wrong_year",
                    format!("放假日期不在{}年前后", self.year),
                    format!("holiday dates are not around {}", self.year),
                ));
            }
        }
        let holidays = self.holiday_dates();
        for (i, d) in self.adjusted_working_days.iter().enumerate() {
            let field = format!("adjusted_working_days[{i}]");
            if !is_weekend(*d) {
                v.push(Violation::new(
                    &field,
                    "not_weekend",
                    format!("调休上班日{d}不是周末"),
                    format!("adjusted working day {d} is not a weekend day"),
                ));
            }
            if holidays.contains(d) {
                v.push(Violation::new(
                    &field,
                    "also_holiday",
                    format!("{d}同时被列为放假日和上班日"),
                    format!("{d} is listed both as a holiday and as a working day"),
                ));
            }
            if !near(d) {
                v.push(Violation::new(
                    &field,
                    "wrong_year",
                    format!("调休日期不在{}年前后", self.year),
                    format!("adjusted working day is not around {}", self.year),
                ));
            }
        }
        v.into_result()
    }

    fn holiday_dates(&self) -> BTreeSet<NaiveDate> {
        self.holidays
            .iter()
            .flat_map(|p| p.from.iter_days().take_while(move |d| *d <= p.to))
            .collect()
    }
}

/// A due date and whether it rests on an assumed (Monday–Friday) year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub date: NaiveDate,
    pub provisional: bool,
}

/// A count of working days and whether any counted year had no loaded notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WorkingDayCount {
    pub days: i64,
    pub provisional: bool,
}

/// The calendar of all loaded years.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    years: BTreeMap<i32, YearCalendar>,
    holidays: BTreeSet<NaiveDate>,
    working_weekends: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// The calendar shipped with the platform.
    pub fn official() -> Self {
        let years: Vec<YearCalendar> =
            serde_json::from_str(OFFICIAL).expect("shipped holiday data is valid JSON");
        let mut calendar = Self::default();
        for year in years {
            year.validate()
                .expect("shipped holiday data passes validation");
            calendar.load(year);
        }
        calendar
    }

    /// Adds or replaces one year (a later import corrects an earlier one).
    pub fn load(&mut self, year: YearCalendar) {
        self.years.insert(year.year, year);
        self.holidays = self
            .years
            .values()
            .flat_map(|y| y.holiday_dates())
            .collect();
        self.working_weekends = self
            .years
            .values()
            .flat_map(|y| y.adjusted_working_days.iter().copied())
            .collect();
    }

    pub fn years(&self) -> impl Iterator<Item = &YearCalendar> {
        self.years.values()
    }

    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Whether `day` is worked, and whether the answer is provisional (year not loaded).
    pub fn is_working_day(&self, day: NaiveDate) -> (bool, bool) {
        if !self.has_year(day.year()) {
            return (!is_weekend(day), true);
        }
        if self.holidays.contains(&day) {
            return (false, false);
        }
        (
            !is_weekend(day) || self.working_weekends.contains(&day),
            false,
        )
    }

    /// The day on which `n` working days after `start` have passed; `start` itself never counts.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Deadline {
        let mut day = start;
        let mut left = n;
        let mut provisional = false;
        while left > 0 {
            day += Duration::days(1);
            let (working, assumed) = self.is_working_day(day);
            provisional |= assumed;
            if working {
                left -= 1;
            }
        }
        Deadline {
            date: day,
            provisional,
        }
    }

    /// Working days in `(from, to]`; negative when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> WorkingDayCount {
        let (lo, hi, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut days = 0;
        let mut provisional = false;
        for day in lo.iter_days().skip(1).take_while(|d| *d <= hi) {
            let (working, assumed) = self.is_working_day(day);
            provisional |= assumed;
            days += i64::from(working);
        }
        WorkingDayCount {
            days: sign * days,
            provisional,
        }
    }
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    // H9, H21: deadlines in working days across National Day, Spring Festival and 调休.
    #[test]
    fn known_answers() {
        let cal = WorkingCalendar::official();
        for (start, n, due) in [
            ("2025-09-26", 5, "2025-10-10"),
            ("2026-02-12", 5, "2026-02-26"),
            ("2024-09-27", 15, "2024-10-23"),
            ("2025-01-24", 7, "2025-02-10"),
        ] {
            let deadline = cal.add_working_days(d(start), n);
            assert_eq!(deadline.date, d(due), "{n} WD after {start}");
            assert!(!deadline.provisional);
        }
    }

    #[test]
    fn submission_day_never_counts() {
        let cal = WorkingCalendar::official();
        // A Monday submission: 1 WD later is Tuesday.
        assert_eq!(
            cal.add_working_days(d("2026-11-23"), 1).date,
            d("2026-11-24")
        );
        assert_eq!(
            cal.add_working_days(d("2026-11-23"), 0).date,
            d("2026-11-23")
        );
    }

    #[test]
    fn unloaded_year_is_monday_to_friday_and_provisional() {
        let cal = WorkingCalendar::official();
        let deadline = cal.add_working_days(d("2027-09-30"), 5);
        assert_eq!(deadline.date, d("2027-10-07"));
        assert!(deadline.provisional);
        let across = cal.add_working_days(d("2026-12-28"), 5);
        assert_eq!(across.date, d("2027-01-04"));
        assert!(across.provisional, "crossing into 2027 is provisional");
    }

    #[test]
    fn a_loaded_year_replaces_the_assumption() {
        let mut cal = WorkingCalendar::official();
        let y2027 = YearCalendar {
            year: 2027,
            source: "test notice".into(),
            holidays: vec![HolidayPeriod {
                name: "国庆节".into(),
                from: d("2027-10-01"),
                to: d("2027-10-07"),
            }],
            adjusted_working_days: vec![d("2027-10-09")],
        };
        y2027.validate().unwrap();
        cal.load(y2027);
        let deadline = cal.add_working_days(d("2027-09-30"), 2);
        assert_eq!(
            deadline,
            Deadline {
                date: d("2027-10-09"),
                provisional: false
            }
        );
    }

    #[test]
    fn validation_names_each_broken_rule() {
        let bad = YearCalendar {
            year: 2027,
            source: " ".into(),
            holidays: vec![HolidayPeriod {
                name: "x".into(),
                from: d("2027-10-07"),
                to: d("2027-10-01"),
            }],
            adjusted_working_days: vec![d("2027-10-04")],
        };
        let errs = bad.validate().unwrap_err();
        let codes: Vec<_> = errs.0.iter().map(|v| v.code).collect();
        assert_eq!(codes, vec!["required", "bad_period", "not_weekend"]);
    }

    #[test]
    fn between_counts_the_half_open_interval() {
        let cal = WorkingCalendar::official();
        let c = cal.working_days_between(d("2025-09-26"), d("2025-10-10"));
        assert_eq!(c.days, 5);
        assert_eq!(
            cal.working_days_between(d("2025-10-10"), d("2025-09-26"))
                .days,
            -5
        );
    }

    proptest! {
        // add_working_days and working_days_between agree on every start date and count.
        #[test]
        fn add_and_between_agree(offset in 0i64..1000, n in 0u32..40) {
            let cal = WorkingCalendar::official();
            let start = d("2024-01-01") + Duration::days(offset);
            let due = cal.add_working_days(start, n);
            prop_assert_eq!(cal.working_days_between(start, due.date).days, i64::from(n));
            if n > 0 {
                prop_assert!(cal.is_working_day(due.date).0);
            }
        }
    }
}
