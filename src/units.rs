//! Numbers and dates as people read them: SI-prefixed rates and RFC 3339
//! times. A leaf module: everything that prints uses it, it uses nothing of
//! the crate.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// 1234567.0 -> "1.23 MH/s".
pub fn format_rate(hashes_per_second: f64) -> String {
    format!("{}H/s", format_si(hashes_per_second))
}

/// An SI-prefixed number with three significant digits and a trailing space
/// before the unit: "1.23 G", "950 ", "12.0 k".
pub fn format_si(value: f64) -> String {
    const PREFIXES: [&str; 9] = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"];
    if !value.is_finite() || value == 0.0 {
        return format!("{value} ");
    }
    let mut scaled = value;
    let mut index = 0;
    while scaled.abs() >= 999.5 && index + 1 < PREFIXES.len() {
        scaled /= 1000.0;
        index += 1;
    }
    let digits = if scaled.abs() >= 99.95 {
        0
    } else if scaled.abs() >= 9.995 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$} {}", PREFIXES[index])
}

/// The current time as RFC 3339, UTC, to the second.
pub fn now_rfc3339() -> String {
    rfc3339(now_utc())
}

/// The time now, from `web-time`'s clock: the system's on native targets,
/// the browser's on the web (where `OffsetDateTime::now_utc` panics).
fn now_utc() -> OffsetDateTime {
    let since_epoch = web_time::SystemTime::now()
        .duration_since(web_time::UNIX_EPOCH)
        .unwrap_or_default();
    OffsetDateTime::from_unix_timestamp_nanos(since_epoch.as_nanos() as i128)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A time as RFC 3339, UTC, to the second.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "unknown".into())
}

/// The UTC date of a Unix time, YYYY-MM-DD.
pub fn date_of(unix_seconds: u64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds as i64)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_formatting() {
        assert_eq!(format_rate(1_234_567.0), "1.23 MH/s");
        assert_eq!(format_rate(950.0), "950 H/s");
        assert_eq!(format_si(12_000.0), "12.0 k");
        assert_eq!(format_si(6.0e20), "600 E");
    }

    #[test]
    fn dates() {
        let at = |s| rfc3339(OffsetDateTime::from_unix_timestamp(s).unwrap());
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(1_231_006_505), "2009-01-03T18:15:05Z");
        assert_eq!(at(1_795_478_400), "2026-11-24T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(date_of(1_231_006_505), "2009-01-03");
    }
}
