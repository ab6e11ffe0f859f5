//! Range bounds: reading them for the ordered data types (integer, decimal, date, datetime),
//! ordering them, and writing them back in one canonical form (a rule stores `0.5` whether the
//! agency typed `0.50` or `+0.5`), so a stored rule reads the same however it was entered.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

use crate::catalog::DataType;

/// Decimal bounds are exact to this many places, the scale decimal items are stored at.
pub const DECIMAL_SCALE: u32 = 6;

/// A range bound of one of the ordered data types, as a value the stored data can be compared
/// with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeValue {
    Integer(i64),
    /// Scaled by 10^[`DECIMAL_SCALE`].
    Decimal(i128),
    Date(NaiveDate),
    /// An instant, in microseconds since 1970-01-01T00:00:00Z.
    DateTime(i64),
}

impl RangeValue {
    /// Reads a bound: `-12`; `99.5` (at most six places); `2024-01-01`; `2024-01-01 08:00:00`,
    /// `2024-01-01T08:00:00+08:00` (a datetime without an offset is China Standard Time, as
    /// stored datetimes are).
    pub fn parse(data_type: DataType, raw: &str) -> Option<RangeValue> {
        let s = raw.trim();
        match data_type {
            DataType::Integer => s.parse().ok().map(RangeValue::Integer),
            DataType::Decimal => parse_decimal(s).map(RangeValue::Decimal),
            DataType::Date => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(RangeValue::Date),
            DataType::DateTime => parse_datetime(s).map(RangeValue::DateTime),
            _ => None,
        }
    }

    /// A number that orders bounds of one type as their values order.
    pub fn ordinal(&self) -> i128 {
        match *self {
            RangeValue::Integer(n) => i128::from(n),
            RangeValue::Decimal(n) => n,
            RangeValue::Date(d) => i128::from(d.signed_duration_since(epoch()).num_days()),
            RangeValue::DateTime(t) => i128::from(t),
        }
    }

    /// The bound written back in one canonical form, as stored with the rule.
    pub fn canonical(&self) -> String {
        match *self {
            RangeValue::Integer(n) => n.to_string(),
            RangeValue::Decimal(n) => {
                let scale = 10i128.pow(DECIMAL_SCALE);
                let (int, frac) = (n.abs() / scale, n.abs() % scale);
                let sign = if n < 0 { "-" } else { "" };
                if frac == 0 {
                    format!("{sign}{int}")
                } else {
                    let frac = format!("{frac:0width$}", width = DECIMAL_SCALE as usize);
                    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
                }
            }
            RangeValue::Date(d) => d.format("%Y-%m-%d").to_string(),
            RangeValue::DateTime(t) => china_offset()
                .timestamp_micros(t)
                .single()
                .map(|dt| dt.format("%Y-%m-%dT%H:%M:%S%:z").to_string())
                .unwrap_or_default(),
        }
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")
}

fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("a valid offset")
}

/// `[+-]digits[.digits]` with at most [`DECIMAL_SCALE`] places, scaled to an integer.
fn parse_decimal(s: &str) -> Option<i128> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 30 || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    if frac.len() > DECIMAL_SCALE as usize || (digits.contains('.') && frac.is_empty()) {
        return None;
    }
    let scaled: i128 = format!("{int}{frac:0<width$}", width = DECIMAL_SCALE as usize)
        .parse()
        .ok()?;
    Some(if neg { -scaled } else { scaled })
}

fn parse_datetime(s: &str) -> Option<i64> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_micros());
    }
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .and_then(|naive| china_offset().from_local_datetime(&naive).single())
        .map(|dt| dt.timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    // H11: bounds read exactly, order as their values, and come back in one form.
    #[test]
    fn h11_bounds_read_exactly_and_write_back_canonically() {
        let dec = |s: &str| RangeValue::parse(DataType::Decimal, s);
        assert_eq!(dec("+0.50"), Some(RangeValue::Decimal(500_000)));
        assert_eq!(dec("-12.000001"), Some(RangeValue::Decimal(-12_000_001)));
        for bad in ["1.", ".5", "1e3", "1.0000001", "", "-", "一"] {
            assert_eq!(dec(bad), None, "{bad}");
        }
        assert_eq!(dec("-0.5").unwrap().canonical(), "-0.5");
        assert_eq!(dec("100.000").unwrap().canonical(), "100");
        let date = RangeValue::parse(DataType::Date, "1970-01-02").unwrap();
        assert_eq!(
            (date.ordinal(), date.canonical().as_str()),
            (1, "1970-01-02")
        );
        let noon = RangeValue::parse(DataType::DateTime, "2024-01-01T12:00:00+08:00").unwrap();
        let same = RangeValue::parse(DataType::DateTime, "2024-01-01 12:00:00").unwrap();
        assert_eq!(noon, same, "no offset means China Standard Time");
        assert_eq!(same.canonical(), "2024-01-01T12:00:00+08:00");
        assert_eq!(RangeValue::parse(DataType::Text, "a"), None);
        assert!(
            RangeValue::parse(DataType::Integer, "-3")
                .unwrap()
                .ordinal()
                < RangeValue::parse(DataType::Integer, "2").unwrap().ordinal()
        );
    }
}
