//! Coercion of one source cell to one item type. Parsers are exact: decimals are read digit by
//! digit into a scaled integer (never through a float), dates and times by hand from the forms
//! agencies actually write, identifiers by the domain's checksum parsers.

use std::borrow::Cow;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use chrono::{Datelike, NaiveDate};
use gongshu_domain::catalog::DataType;
use gongshu_domain::{CitizenId, CreditCode};

use crate::report::CellDefect;

/// Precision of every decimal item (see [`crate::schema::arrow_type`]).
pub const DECIMAL_PRECISION: u8 = 38;
/// Scale of every decimal item: values with more places are refused, never rounded.
pub const DECIMAL_SCALE: i8 = 6;
/// The zone of datetime items, and of datetime values written without an offset.
pub const TIMEZONE: &str = "+08:00";
const LOCAL_OFFSET_SECONDS: i64 = 8 * 3600;
/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A cell as a reader found it. CSV, JSON and Parquet give text; XLSX gives typed cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Blank,
    Text(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// An Excel date-formatted number (serial days, in the workbook's 1900 or 1904 system).
    ExcelDate(ExcelDateTime),
}

impl<'a> Cell<'a> {
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Blank => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as text, for reports, rejects and text items.
    pub(crate) fn text(&self) -> Cow<'a, str> {
        match *self {
            Cell::Blank => Cow::Borrowed(""),
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Int(i) => Cow::Owned(i.to_string()),
            // `Display` of f64 is the shortest text that reads back to the same float, so a
            // cell Excel shows as 0.1 comes back as "0.1", not 0.1000000000000000055.
            Cell::Float(f) => Cow::Owned(f.to_string()),
            Cell::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
            Cell::ExcelDate(dt) => Cow::Owned(match excel_parts(dt) {
                Some((date, 0)) => date.to_string(),
                Some((date, ms)) => format!(
                    "{date} {:02}:{:02}:{:02}",
                    ms / 3_600_000,
                    ms / 60_000 % 60,
                    ms / 1000 % 60
                ),
                None => dt.as_f64().to_string(),
            }),
        }
    }
}

/// A coerced value, ready for the column builder of its item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    /// Scaled by 10^[`DECIMAL_SCALE`].
    Dec(i128),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since 1970-01-01T00:00:00Z.
    Ts(i64),
    Bool(bool),
}

/// Coerces cells; holds the "today" that citizen-ID birth dates are checked against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Coercer {
    pub(crate) today: NaiveDate,
}

impl Coercer {
    /// A blank cell is `Null` whatever the type; whether that is allowed is the caller's rule.
    pub(crate) fn coerce<'a>(
        &self,
        data_type: DataType,
        cell: Cell<'a>,
    ) -> Result<Value<'a>, CellDefect> {
        if cell.is_blank() {
            return Ok(Value::Null);
        }
        match data_type {
            DataType::Text => Ok(Value::Str(cell.text())),
            DataType::Integer => integer(cell).map(Value::Int),
            DataType::Decimal => decimal(cell).map(Value::Dec),
            DataType::Date => date(cell).map(Value::Date),
            DataType::DateTime => datetime(cell).map(Value::Ts),
            DataType::Boolean => boolean(cell).map(Value::Bool),
            // The domain's checks, without building its value: the valid value is the cell
            // trimmed and upper-cased, which is usually the cell itself.
            DataType::CitizenId => match cell {
                Cell::Int(_) | Cell::Float(_) => Err(CellDefect::IdentifierAsNumber),
                _ => {
                    let text = cell.text();
                    CitizenId::check_at(&text, self.today).map_err(CellDefect::CitizenId)?;
                    Ok(Value::Str(trimmed_upper(text)))
                }
            },
            DataType::CreditCode => match cell {
                Cell::Int(_) | Cell::Float(_) => Err(CellDefect::IdentifierAsNumber),
                _ => {
                    let text = cell.text();
                    CreditCode::check(&text).map_err(CellDefect::CreditCode)?;
                    Ok(Value::Str(trimmed_upper(text)))
                }
            },
        }
    }
}

/// `text` trimmed and upper-cased (ASCII), borrowed when that changes nothing.
fn trimmed_upper(text: Cow<'_, str>) -> Cow<'_, str> {
    let lower = |s: &str| s.bytes().any(|b| b.is_ascii_lowercase());
    match text {
        Cow::Borrowed(s) if !lower(s) => Cow::Borrowed(s.trim()),
        text => Cow::Owned(text.trim().to_ascii_uppercase()),
    }
}

fn integer(cell: Cell<'_>) -> Result<i64, CellDefect> {
    match cell {
        Cell::Int(i) => Ok(i),
        Cell::Float(f) if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 => Ok(f as i64),
        Cell::Text(s) => parse_integer(s),
        _ => Err(CellDefect::BadInteger),
    }
}

/// `[+-]digits`, optionally followed by `.` and zeros (spreadsheets write 12 as "12.0").
pub(crate) fn parse_integer(s: &str) -> Result<i64, CellDefect> {
    let b = s.trim().as_bytes();
    let (neg, mut i) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let start = i;
    let mut value: i64 = 0;
    let mut overflow = false;
    while i < b.len() && b[i].is_ascii_digit() {
        let d = i64::from(b[i] - b'0');
        match value.checked_mul(10).and_then(|v| {
            if neg {
                v.checked_sub(d)
            } else {
                v.checked_add(d)
            }
        }) {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return Err(CellDefect::BadInteger);
    }
    if i < b.len() && (b[i] != b'.' || !b[i + 1..].iter().all(|&c| c == b'0')) {
        return Err(CellDefect::BadInteger);
    }
    if overflow {
        return Err(CellDefect::IntegerOutOfRange);
    }
    Ok(value)
}

fn decimal(cell: Cell<'_>) -> Result<i128, CellDefect> {
    match cell {
        Cell::Int(i) => i128::from(i)
            .checked_mul(10i128.pow(DECIMAL_SCALE as u32))
            .ok_or(CellDefect::DecimalOutOfRange),
        Cell::Float(f) => parse_decimal(&f.to_string()),
        Cell::Text(s) => parse_decimal(s),
        _ => Err(CellDefect::BadDecimal),
    }
}

/// Reads `[+-]digits[.digits][e[+-]digits]` exactly into units of 10^-[`DECIMAL_SCALE`].
/// Thousands separators are accepted when they group by three (`1,234.5`). Extra places that
/// are all zero are accepted; any other extra place is an error, never rounded.
pub(crate) fn parse_decimal(s: &str) -> Result<i128, CellDefect> {
    let b = s.trim().as_bytes();
    match plain_decimal(b) {
        Some(units) => Ok(units),
        None => general_decimal(b),
    }
}

/// [`parse_decimal`] of every form, on trimmed bytes.
fn general_decimal(b: &[u8]) -> Result<i128, CellDefect> {
    let (neg, mut i) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    // Significant digits, and the power of ten of the last one.
    let mut digits: Vec<u8> = Vec::with_capacity(b.len());
    let mut int_len = 0usize;
    let mut commas: Vec<usize> = Vec::new();
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b',') {
        if b[i] == b',' {
            commas.push(int_len);
        } else {
            digits.push(b[i]);
            int_len += 1;
        }
        i += 1;
    }
    if !commas.is_empty() {
        // Positions (in digits) of commas must be int_len-3, int_len-6, … and not at 0.
        let ok = commas
            .iter()
            .rev()
            .enumerate()
            .all(|(k, &at)| at + 3 * (k + 1) == int_len)
            && commas[0] > 0
            && commas[0] <= 3;
        if !ok {
            return Err(CellDefect::BadDecimal);
        }
    }
    let mut frac_len = 0usize;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            digits.push(b[i]);
            frac_len += 1;
            i += 1;
        }
    }
    if int_len + frac_len == 0 {
        return Err(CellDefect::BadDecimal);
    }
    let mut exp: i64 = 0;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        let exp_neg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 6 {
            exp = exp * 10 + i64::from(b[i] - b'0');
            i += 1;
        }
        if i == start {
            return Err(CellDefect::BadDecimal);
        }
        if exp_neg {
            exp = -exp;
        }
    }
    if i != b.len() {
        return Err(CellDefect::BadDecimal);
    }
    // value = digits × 10^(exp - frac_len); units = value × 10^SCALE.
    let shift = exp - frac_len as i64 + i64::from(DECIMAL_SCALE);
    let first = digits
        .iter()
        .position(|&d| d != b'0')
        .unwrap_or(digits.len());
    let mut significant = &digits[first..];
    if significant.is_empty() {
        return Ok(0);
    }
    if shift < 0 {
        let cut = (-shift) as usize;
        let keep = significant.len().saturating_sub(cut);
        if significant[keep..].iter().any(|&d| d != b'0') {
            return Err(CellDefect::DecimalTooManyPlaces);
        }
        significant = &significant[..keep];
    }
    let zeros = shift.max(0) as usize;
    if significant.len() + zeros > usize::from(DECIMAL_PRECISION) {
        return Err(CellDefect::DecimalOutOfRange);
    }
    let mut units: i128 = 0;
    for &d in significant {
        units = units * 10 + i128::from(d - b'0');
    }
    units *= 10i128.pow(zeros as u32);
    Ok(if neg { -units } else { units })
}

/// The common case of [`parse_decimal`] without its allocations: `[+-]digits[.digits]` with
/// at most 18 digits before the point and at most [`DECIMAL_SCALE`] after it, which always
/// fits. `None` for anything else (the general parser decides then).
fn plain_decimal(b: &[u8]) -> Option<i128> {
    let (neg, rest) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let int_len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if int_len > 18 {
        return None;
    }
    let mut int: i64 = 0;
    for &d in &rest[..int_len] {
        int = int * 10 + i64::from(d - b'0');
    }
    let mut frac: i64 = 0;
    let mut frac_len = 0;
    match &rest[int_len..] {
        [] => {}
        [b'.', tail @ ..] => {
            if tail.len() > DECIMAL_SCALE as usize || !tail.iter().all(u8::is_ascii_digit) {
                return None;
            }
            for &d in tail {
                frac = frac * 10 + i64::from(d - b'0');
            }
            frac_len = tail.len();
        }
        _ => return None,
    }
    if int_len + frac_len == 0 {
        return None;
    }
    let scale = 10i128.pow(DECIMAL_SCALE as u32);
    let units = i128::from(int) * scale
        + i128::from(frac) * 10i128.pow((DECIMAL_SCALE as usize - frac_len) as u32);
    Some(if neg { -units } else { units })
}

fn days(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

/// A number read as an Excel serial date of the 1900 system (a date cell that lost its format).
fn serial(value: f64) -> ExcelDateTime {
    ExcelDateTime::new(value, ExcelDateTimeType::DateTime, false)
}

/// An Excel serial as a date and milliseconds into the day.
fn excel_parts(dt: ExcelDateTime) -> Option<(NaiveDate, u32)> {
    // Excel's calendar ends at 9999-12-31 (serial 2,958,465).
    let value = dt.as_f64();
    if !value.is_finite() || !(0.0..2_958_466.0).contains(&value) {
        return None;
    }
    let (y, m, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    let date = NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))?;
    Some((
        date,
        ((u32::from(h) * 60 + u32::from(mi)) * 60 + u32::from(s)) * 1000 + u32::from(ms),
    ))
}

fn date(cell: Cell<'_>) -> Result<i32, CellDefect> {
    let parts = match cell {
        Cell::Text(s) => return parse_date(s).ok_or(CellDefect::BadDate),
        Cell::ExcelDate(dt) => excel_parts(dt),
        // A number in a date column of a workbook is a serial date that lost its format.
        Cell::Float(f) => excel_parts(serial(f)),
        Cell::Int(i) => excel_parts(serial(i as f64)),
        _ => None,
    };
    match parts {
        Some((date, 0)) => Ok(days(date)),
        _ => Err(CellDefect::BadDate),
    }
}

fn datetime(cell: Cell<'_>) -> Result<i64, CellDefect> {
    let parts = match cell {
        Cell::Text(s) => return parse_datetime(s).ok_or(CellDefect::BadDateTime),
        Cell::ExcelDate(dt) => excel_parts(dt),
        Cell::Float(f) => excel_parts(serial(f)),
        Cell::Int(i) => excel_parts(serial(i as f64)),
        _ => None,
    };
    let (date, ms) = parts.ok_or(CellDefect::BadDateTime)?;
    Ok(local_micros(
        date,
        i64::from(ms) * 1000,
        LOCAL_OFFSET_SECONDS,
    ))
}

fn local_micros(date: NaiveDate, micros_of_day: i64, offset_seconds: i64) -> i64 {
    (i64::from(days(date)) * 86_400 - offset_seconds) * 1_000_000 + micros_of_day
}

/// Splits `n` leading ASCII digits (between `min` and `max` of them) off `s`.
fn digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// A date at the start of `s`: `2024-03-01`, `2024/3/1`, `2024.3.1`, `20240301`, `2024年3月1日`.
fn parse_ymd(s: &str) -> Option<(NaiveDate, &str)> {
    let b = s.as_bytes();
    if b.len() >= 8
        && b[..8].iter().all(u8::is_ascii_digit)
        && b.get(8).is_none_or(|c| !c.is_ascii_digit())
    {
        let date = NaiveDate::from_ymd_opt(
            s[..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..8].parse().ok()?,
        )?;
        return Some((date, &s[8..]));
    }
    let (y, rest) = digits(s, 4, 4)?;
    let (m, d, rest) = if let Some(rest) = rest.strip_prefix('年') {
        let (m, rest) = digits(rest, 1, 2)?;
        let rest = rest.strip_prefix('月')?;
        let (d, rest) = digits(rest, 1, 2)?;
        (m, d, rest.strip_prefix('日').unwrap_or(rest))
    } else {
        let sep = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '-' | '/' | '.'))?;
        let (m, rest) = digits(&rest[1..], 1, 2)?;
        let rest = rest.strip_prefix(sep)?;
        let (d, rest) = digits(rest, 1, 2)?;
        (m, d, rest)
    };
    Some((NaiveDate::from_ymd_opt(y as i32, m, d)?, rest))
}

/// `H:MM[:SS[.ffffff]]` (also `时`/`分`/`秒` are not accepted: agencies write colons).
/// Returns microseconds into the day.
fn parse_time(s: &str) -> Option<(i64, &str)> {
    let (h, rest) = digits(s, 1, 2)?;
    let (mi, rest) = digits(rest.strip_prefix(':')?, 2, 2)?;
    let (sec, mut rest) = match rest.strip_prefix(':') {
        Some(r) => digits(r, 2, 2)?,
        None => (0, rest),
    };
    let mut micros = 0i64;
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 || r[6.min(n)..n].bytes().any(|c| c != b'0') {
            return None;
        }
        let f = &r[..n.min(6)];
        micros = f.parse::<i64>().ok()? * 10i64.pow((6 - f.len()) as u32);
        rest = &r[n..];
    }
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    Some((
        (i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(sec)) * 1_000_000 + micros,
        rest,
    ))
}

/// `Z`, `+08:00`, `+0800` or `+08` (seconds east of UTC); `None` when `s` is not an offset.
fn parse_offset(s: &str) -> Option<i64> {
    let s = s.trim_start();
    if s.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, rest) = digits(&s[1..], 2, 2)?;
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let (m, rest) = if rest.is_empty() {
        (0, rest)
    } else {
        digits(rest, 2, 2)?
    };
    (rest.is_empty() && h <= 14 && m <= 59).then_some(sign * i64::from(h * 3600 + m * 60))
}

/// A date, or a datetime at exactly midnight (exports often add ` 00:00:00`).
pub(crate) fn parse_date(s: &str) -> Option<i32> {
    let (date, rest) = parse_ymd(s.trim())?;
    if rest.is_empty() {
        return Some(days(date));
    }
    let rest = rest.strip_prefix(['T', ' '])?.trim_start();
    let (micros, rest) = parse_time(rest)?;
    (micros == 0 && rest.is_empty()).then(|| days(date))
}

/// A date and time: the date forms of [`parse_ymd`], then `T` or spaces, a time, and an
/// optional offset; or 14 digits `YYYYMMDDHHMMSS`; or a date alone (midnight). Without an
/// offset the time is China Standard Time.
pub(crate) fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() == 14 && b.iter().all(u8::is_ascii_digit) {
        let (date, _) = parse_ymd(&s[..8])?;
        let (h, mi, sec): (i64, i64, i64) = (
            s[8..10].parse().ok()?,
            s[10..12].parse().ok()?,
            s[12..14].parse().ok()?,
        );
        if h > 23 || mi > 59 || sec > 59 {
            return None;
        }
        return Some(local_micros(
            date,
            (h * 3600 + mi * 60 + sec) * 1_000_000,
            LOCAL_OFFSET_SECONDS,
        ));
    }
    let (date, rest) = parse_ymd(s)?;
    if rest.is_empty() {
        return Some(local_micros(date, 0, LOCAL_OFFSET_SECONDS));
    }
    let rest = rest.strip_prefix(['T', ' '])?.trim_start();
    let (micros, rest) = parse_time(rest)?;
    let offset = if rest.trim().is_empty() {
        LOCAL_OFFSET_SECONDS
    } else {
        parse_offset(rest)?
    };
    Some(local_micros(date, micros, offset))
}

fn boolean(cell: Cell<'_>) -> Result<bool, CellDefect> {
    match cell {
        Cell::Bool(b) => Ok(b),
        Cell::Int(1) => Ok(true),
        Cell::Int(0) => Ok(false),
        Cell::Float(1.0) => Ok(true),
        Cell::Float(0.0) => Ok(false),
        Cell::Text(s) => parse_bool(s).ok_or(CellDefect::BadBoolean),
        _ => Err(CellDefect::BadBoolean),
    }
}

const TRUE_WORDS: [&str; 5] = ["是", "true", "1", "y", "yes"];
const FALSE_WORDS: [&str; 5] = ["否", "false", "0", "n", "no"];

/// 是/否, true/false, 1/0, Y/N, yes/no (any case).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    let s = s.trim();
    if TRUE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        Some(true)
    } else if FALSE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date_of(y: i32, m: u32, d: u32) -> i32 {
        days(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    // Issue 4 item 1: integers are exact and refuse what is not one.
    #[test]
    fn integers_parse_exactly_or_are_refused() {
        assert_eq!(parse_integer(" 42 "), Ok(42));
        assert_eq!(parse_integer("-7"), Ok(-7));
        assert_eq!(parse_integer("+7"), Ok(7));
        assert_eq!(parse_integer("12.00"), Ok(12));
        assert_eq!(parse_integer("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            parse_integer("9223372036854775808"),
            Err(CellDefect::IntegerOutOfRange)
        );
        for bad in ["12.5", "1e3", "abc", "-", "", "12a", "1,000"] {
            assert_eq!(parse_integer(bad), Err(CellDefect::BadInteger), "{bad}");
        }
    }

    // Money is DECIMAL: no float ever rounds a value on its way in.
    #[test]
    fn decimals_parse_exactly_at_scale_six() {
        assert_eq!(parse_decimal("0.1"), Ok(100_000));
        assert_eq!(parse_decimal("-1234.56"), Ok(-1_234_560_000));
        assert_eq!(parse_decimal("1,234,567.89"), Ok(1_234_567_890_000));
        assert_eq!(parse_decimal(".5"), Ok(500_000));
        assert_eq!(parse_decimal("5."), Ok(5_000_000));
        assert_eq!(parse_decimal("1.5E+3"), Ok(1_500_000_000));
        assert_eq!(parse_decimal("1.2345670000"), Ok(1_234_567));
        assert_eq!(
            parse_decimal("12345678901234567890123456789012.123456"),
            Ok(12345678901234567890123456789012123456)
        );
        assert_eq!(
            parse_decimal("0.0000001"),
            Err(CellDefect::DecimalTooManyPlaces)
        );
        assert_eq!(
            parse_decimal("123456789012345678901234567890123"),
            Err(CellDefect::DecimalOutOfRange)
        );
        for bad in [
            "1,23",
            "12,345,67",
            ",123",
            "1.2.3",
            "abc",
            "",
            "-",
            "1e",
            "¥5",
        ] {
            assert_eq!(parse_decimal(bad), Err(CellDefect::BadDecimal), "{bad}");
        }
    }

    // The fast path reads exactly what the general parser reads.
    #[test]
    fn plain_decimals_agree_with_the_general_parser() {
        let mut cases = vec![
            "0",
            "-0",
            "+0.000",
            "5.",
            ".5",
            "+.5",
            "-.000001",
            "123456789012345678",
            "123456789012345678.123456",
            "-999999999999999999.999999",
            "1234567890123456789",
            "0.1234567",
            "1.",
            ".",
            "-",
            "+",
            "",
            "1.2.3",
            "1e3",
            "1,234",
            "00000000000000000001.5",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let int = (x % 10u64.pow((x >> 60) as u32 % 20)).to_string();
            let places = ((x >> 32) % 9) as usize;
            let frac: String = format!("{:09}", x >> 40)[..places].to_owned();
            let sign = ["", "-", "+"][(x >> 20) as usize % 3];
            let point = if places > 0 || (x >> 50).is_multiple_of(2) {
                "."
            } else {
                ""
            };
            cases.push(format!("{sign}{int}{point}{frac}"));
            cases.push(format!("{sign}{point}{frac}"));
        }
        for case in &cases {
            let b = case.as_bytes();
            if let Some(fast) = plain_decimal(b) {
                assert_eq!(Ok(fast), general_decimal(b), "{case}");
            }
            assert_eq!(parse_decimal(case), general_decimal(b), "{case}");
        }
    }

    #[test]
    fn dates_in_the_forms_agencies_write() {
        let want = date_of(2024, 3, 1);
        for s in [
            "2024-03-01",
            "2024/3/1",
            "2024.03.01",
            "20240301",
            "2024年3月1日",
            " 2024-3-01 ",
            "2024-03-01 00:00:00",
        ] {
            assert_eq!(parse_date(s), Some(want), "{s}");
        }
        for bad in [
            "2024-02-30",
            "2024-13-01",
            "24-03-01",
            "2024-03",
            "2024/03-01",
            "2024-03-01 08:00",
            "45352",
            "x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn datetimes_without_offset_are_china_time() {
        let utc_midnight = i64::from(date_of(2024, 3, 1)) * 86_400 * 1_000_000;
        let h = 3_600_000_000i64;
        assert_eq!(parse_datetime("2024-03-01 08:00:00"), Some(utc_midnight));
        assert_eq!(parse_datetime("2024-03-01T08:00"), Some(utc_midnight));
        assert_eq!(parse_datetime("2024/3/1 8:00:00"), Some(utc_midnight));
        assert_eq!(parse_datetime("20240301080000"), Some(utc_midnight));
        assert_eq!(parse_datetime("2024-03-01T00:00:00Z"), Some(utc_midnight));
        assert_eq!(
            parse_datetime("2024-03-01T09:00:00+09:00"),
            Some(utc_midnight)
        );
        assert_eq!(
            parse_datetime("2024-03-01 08:00:00.25"),
            Some(utc_midnight + 250_000)
        );
        assert_eq!(parse_datetime("2024-03-01"), Some(utc_midnight - 8 * h));
        for bad in [
            "2024-03-01 24:00:00",
            "2024-03-01 08:60",
            "2024-03-01 08:00:00.1234567",
            "2024-03-01 8",
            "noon",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn booleans_in_chinese_and_english() {
        for t in ["是", "true", "TRUE", "1", "Y", "yes"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["否", "False", "0", "n", "NO"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("对"), None);
    }

    #[test]
    fn excel_serials_become_dates_and_times() {
        // 45352 is 2024-03-01 in the 1900 date system; .5 is noon.
        assert_eq!(
            date(Cell::ExcelDate(serial(45352.0))),
            Ok(date_of(2024, 3, 1))
        );
        assert_eq!(date(Cell::Float(45352.0)), Ok(date_of(2024, 3, 1)));
        assert_eq!(date(Cell::Float(45352.5)), Err(CellDefect::BadDate));
        let noon_cst = i64::from(date_of(2024, 3, 1)) * 86_400 * 1_000_000 + 4 * 3_600_000_000;
        assert_eq!(datetime(Cell::ExcelDate(serial(45352.5))), Ok(noon_cst));
    }

    #[test]
    fn numbers_from_workbooks_keep_their_text() {
        assert_eq!(decimal(Cell::Float(0.1)), Ok(100_000));
        assert_eq!(decimal(Cell::Float(1234.56)), Ok(1_234_560_000));
        assert_eq!(integer(Cell::Float(12.0)), Ok(12));
        assert_eq!(integer(Cell::Float(12.5)), Err(CellDefect::BadInteger));
        assert_eq!(Cell::Float(3.0).text(), "3");
    }
}
