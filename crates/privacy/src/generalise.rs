//! Generalisation (泛化): replace a precise value by the coarser class it belongs to.
//!
//! - date → year (`2024`) or year-month (`2024-03`);
//! - number → range bucket of a fixed integer width, written `lo-hi` with both ends included
//!   (age 27, width 10 → `20-29`; −3 → `-10--1`); a decimal falls in the bucket of its floor,
//!   the way "20-29 岁" includes someone aged 29.5, so one column has one format;
//! - address → district, see [`district`](crate::district).
//!
//! Inputs are text, the way the query engine hands any column to a masking function. A value
//! that is not of the expected form generalises to `None` (fail closed), never to itself.

use std::num::NonZeroU64;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::RuleError;

/// Which coarser class a value is replaced by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generalise {
    /// A date or date-time becomes its year: `2024`.
    Year,
    /// A date or date-time becomes its year and month: `2024-03`.
    Month,
    /// A number becomes the bucket `lo-hi` of `width` integers that holds its floor.
    Range { width: NonZeroU64 },
    /// An address becomes its district (or city).
    District,
}

/// The wire name of each generalisation, as in `{"kind": "generalise", "to": "year"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum GeneraliseTo {
    Year,
    Month,
    Range,
    District,
}

impl GeneraliseTo {
    pub(crate) fn code(self) -> &'static str {
        match self {
            GeneraliseTo::Year => "year",
            GeneraliseTo::Month => "month",
            GeneraliseTo::Range => "range",
            GeneraliseTo::District => "district",
        }
    }
}

impl Generalise {
    /// Numbers → buckets of `width` integers; the width must be at least 1.
    pub fn range(width: u64) -> Result<Self, RuleError> {
        NonZeroU64::new(width)
            .map(|width| Generalise::Range { width })
            .ok_or(RuleError::ZeroWidth)
    }

    pub(crate) fn to(self) -> GeneraliseTo {
        match self {
            Generalise::Year => GeneraliseTo::Year,
            Generalise::Month => GeneraliseTo::Month,
            Generalise::Range { .. } => GeneraliseTo::Range,
            Generalise::District => GeneraliseTo::District,
        }
    }

    /// Generalises a value given as text; `None` when it is not of the expected form.
    pub fn apply(self, value: &str) -> Option<String> {
        match self {
            Generalise::Year => parse_date(value).map(year),
            Generalise::Month => parse_date(value).map(year_month),
            Generalise::Range { width } => parse_floor(value).and_then(|n| bucket_i128(n, width)),
            Generalise::District => crate::district(value),
        }
    }
}

/// `2024-03-15` → `2024`. Years outside 0..=9999 are written in full with their sign.
pub fn year(date: NaiveDate) -> String {
    format!("{:04}", date.year())
}

/// `2024-03-15` → `2024-03`.
pub fn year_month(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// The bucket of `width` integers holding `value`: `bucket(27, 10)` = `20-29`,
/// `bucket(-3, 10)` = `-10--1`. Buckets start at multiples of `width` (counted from 0).
pub fn bucket(value: i64, width: NonZeroU64) -> String {
    bucket_i128(i128::from(value), width).expect("an i64 bucket fits in i128")
}

fn bucket_i128(value: i128, width: NonZeroU64) -> Option<String> {
    let width = i128::from(width.get());
    let lo = value.div_euclid(width).checked_mul(width)?;
    let hi = lo.checked_add(width - 1)?;
    Some(format!("{lo}-{hi}"))
}

/// Reads a date, or the date part of a date-time, from the forms the platform stores and
/// prints: `2024-03-15`, `2024/03/15`, `2024-03-15T08:30:00[.fff]`, `2024-03-15 08:30:00`, and
/// RFC 3339 with an offset (the date as written in that offset). Anything else is `None`.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    for format in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(value, format) {
            return Some(d);
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(value, format) {
            return Some(dt.date());
        }
    }
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|dt| dt.date_naive())
}

/// The floor of a decimal number written `[+-]digits[.digits]` (no exponent, no separators),
/// computed exactly on the text: `29.5` → 29, `-0.5` → −1. `None` for anything else, or for
/// an integer part beyond 30 digits.
fn parse_floor(value: &str) -> Option<i128> {
    let value = value.trim();
    let (negative, unsigned) = match value.as_bytes().first()? {
        b'-' => (true, &value[1..]),
        b'+' => (false, &value[1..]),
        _ => (false, value),
    };
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || int.len() > 30 || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    let magnitude: i128 = int.parse().ok()?;
    let has_fraction = frac.is_some_and(|f| f.bytes().any(|b| b != b'0'));
    Some(match (negative, has_fraction) {
        (false, _) => magnitude,
        (true, false) => -magnitude,
        (true, true) => -magnitude - 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn width(w: u64) -> NonZeroU64 {
        NonZeroU64::new(w).unwrap()
    }

    // H19: date → year or month.
    #[test]
    fn dates_become_years_or_months() {
        assert_eq!(
            Generalise::Year.apply("2024-03-15").as_deref(),
            Some("2024")
        );
        assert_eq!(
            Generalise::Month.apply("2024-03-15").as_deref(),
            Some("2024-03")
        );
        assert_eq!(
            Generalise::Month.apply("2024/3/5").as_deref(),
            Some("2024-03")
        );
        assert_eq!(
            Generalise::Year.apply(" 1949-10-01 ").as_deref(),
            Some("1949")
        );
    }

    #[test]
    fn date_times_generalise_by_their_written_date() {
        for v in [
            "2024-03-15T08:30:00",
            "2024-03-15 08:30:00",
            "2024-03-15T23:59:59.123",
            "2024-03-15T23:30:00+08:00",
            "2024-03-15T23:30:00Z",
        ] {
            assert_eq!(
                Generalise::Month.apply(v).as_deref(),
                Some("2024-03"),
                "{v}"
            );
        }
    }

    // H19: masking fails closed — a value that is not a date is never shown.
    #[test]
    fn non_dates_generalise_to_nothing() {
        for v in [
            "",
            "abc",
            "2024-02-30",
            "2024-13-01",
            "20240315x",
            "110105194912310021",
        ] {
            assert_eq!(Generalise::Year.apply(v), None, "{v}");
            assert_eq!(Generalise::Month.apply(v), None, "{v}");
        }
    }

    #[test]
    fn typed_dates_generalise_too() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
        assert_eq!(year(d), "2024");
        assert_eq!(year_month(d), "2024-03");
        assert_eq!(year(NaiveDate::from_ymd_opt(987, 1, 1).unwrap()), "0987");
    }

    // H19: number → range bucket, with the example.
    #[test]
    fn numbers_become_buckets() {
        let age = Generalise::Range { width: width(10) };
        assert_eq!(age.apply("27").as_deref(), Some("20-29"));
        assert_eq!(age.apply("20").as_deref(), Some("20-29"));
        assert_eq!(age.apply("29").as_deref(), Some("20-29"));
        assert_eq!(age.apply("30").as_deref(), Some("30-39"));
        assert_eq!(age.apply("0").as_deref(), Some("0-9"));
        assert_eq!(age.apply("+7").as_deref(), Some("0-9"));
        assert_eq!(bucket(27, width(10)), "20-29");
        assert_eq!(bucket(12_345, width(1000)), "12000-12999");
        assert_eq!(bucket(5, width(1)), "5-5");
    }

    #[test]
    fn negative_numbers_floor_towards_minus_infinity() {
        let w = Generalise::Range { width: width(10) };
        assert_eq!(w.apply("-3").as_deref(), Some("-10--1"));
        assert_eq!(w.apply("-10").as_deref(), Some("-10--1"));
        assert_eq!(w.apply("-11").as_deref(), Some("-20--11"));
        assert_eq!(bucket(-1, width(10)), "-10--1");
        assert_eq!(
            bucket(i64::MIN, width(10)),
            "-9223372036854775810--9223372036854775801"
        );
    }

    #[test]
    fn decimals_fall_in_the_bucket_of_their_floor() {
        let w = Generalise::Range { width: width(10) };
        assert_eq!(w.apply("29.5").as_deref(), Some("20-29"));
        assert_eq!(w.apply("29.999").as_deref(), Some("20-29"));
        assert_eq!(w.apply("30.00").as_deref(), Some("30-39"));
        assert_eq!(w.apply("-0.5").as_deref(), Some("-10--1"));
        assert_eq!(w.apply("-0.0").as_deref(), Some("0-9"));
        assert_eq!(w.apply("-10.0").as_deref(), Some("-10--1"));
    }

    #[test]
    fn non_numbers_generalise_to_nothing() {
        let w = Generalise::Range { width: width(10) };
        for v in [
            "",
            "-",
            "+",
            ".5",
            "5.",
            "1e3",
            "1,000",
            "NaN",
            "inf",
            "二十七",
            "27岁",
            "--3",
            "1234567890123456789012345678901",
        ] {
            assert_eq!(w.apply(v), None, "{v}");
        }
    }

    proptest! {
        // H19: the bucket holds the value and has exactly `width` integers.
        #[test]
        fn a_bucket_holds_its_value(value in any::<i64>(), w in 1u64..=1_000_000) {
            let b = bucket(value, width(w));
            let text = Generalise::Range { width: width(w) }.apply(&value.to_string());
            prop_assert_eq!(text.as_deref(), Some(b.as_str()));
            let sep = b[1..].find('-').unwrap() + 1;
            let lo: i128 = b[..sep].parse().unwrap();
            let hi: i128 = b[sep + 1..].parse().unwrap();
            prop_assert!(lo <= i128::from(value) && i128::from(value) <= hi);
            prop_assert_eq!(hi - lo + 1, i128::from(w));
            prop_assert_eq!(lo.rem_euclid(i128::from(w)), 0);
        }
    }
}
