//! Stored times are UTC microseconds; people read them in China Standard Time.

use chrono::{DateTime, FixedOffset, Utc};

pub fn micros_to_datetime(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// `2026-11-23 14:30:05` in Asia/Shanghai (UTC+8, no daylight saving).
pub fn format_time(micros: i64) -> String {
    let cst = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    micros_to_datetime(micros)
        .with_timezone(&cst)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}
