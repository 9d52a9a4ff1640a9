//! Numbers and dates as people read them: SI-prefixed rates, figures
//! rounded to what they mean (bitcoin to 4 significant figures, a share of
//! the network as a percentage to 3, J/TH and the device-vs-ASIC ratio to
//! 3), dollars, and RFC 3339 times. One rounding for each kind of figure,
//! used by every command and by the browser page. A leaf module:
//! everything that prints uses it, it uses nothing of the crate.

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

/// `value` to `digits` significant figures, the integer part grouped in
/// thousands: 5,700; 116.0; 0.004523; 2,320,000. Exponent form below
/// 1e-4 and from 1e15 (1.234e-5), where places would hide the figure.
pub fn format_sig(value: f64, digits: usize) -> String {
    let digits = digits.max(1);
    if !value.is_finite() {
        return format!("{value}");
    }
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs();
    if !(1e-4..1e15).contains(&magnitude) {
        return format!("{value:.*e}", digits - 1);
    }
    // Places after the point for `digits` figures; negative places round
    // to tens, hundreds... Rounding up can add a digit (9.996 -> 10.00):
    // then one place fewer.
    let mut places = digits as i32 - 1 - magnitude.log10().floor() as i32;
    let rounded = |places: i32| {
        let scale = 10f64.powi(places);
        (value * scale).round() / scale
    };
    let mut shown = rounded(places);
    if shown.abs() >= 10f64.powi(digits as i32 - places) {
        places -= 1;
        shown = rounded(places);
    }
    let text = format!("{shown:.*}", places.max(0) as usize);
    group_thousands(&text)
}

/// "1234567.89" -> "1,234,567.89" (a leading "-" kept).
fn group_thousands(text: &str) -> String {
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match unsigned.find('.') {
        Some(point) => unsigned.split_at(point),
        None => (unsigned, ""),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{fraction}")
}

/// Bitcoin, to 4 significant figures: 116.0, 15.10, 0.004523.
pub fn format_btc(btc: f64) -> String {
    format_sig(btc, 4)
}

/// A share (0 to 1) as a percentage to 3 significant figures: 25.8%,
/// 3.36%, 0.0123%.
pub fn format_percent(share: f64) -> String {
    format!("{}%", format_sig(100.0 * share, 3))
}

/// Joules per terahash, to 3 significant figures: 15.0, 9.50, 2,320,000.
pub fn format_jth(jth: f64) -> String {
    format_sig(jth, 3)
}

/// A ratio of two figures, to 3 significant figures: 0.698×, 1.00×,
/// 798,000×.
pub fn format_ratio(ratio: f64) -> String {
    format!("{}×", format_sig(ratio, 3))
}

/// Megawatts: a whole number as it is (5,700 MW, 10 MW), else to 4
/// significant figures (1,898 MW, 0.5000 MW).
pub fn format_mw(mw: f64) -> String {
    if mw.fract() == 0.0 && mw.abs() < 1e15 {
        format!("{} MW", format_count(mw))
    } else {
        format!("{} MW", format_sig(mw, 4))
    }
}

/// A count, whole and grouped: 942,148. Exponent form from 1e15.
pub fn format_count(count: f64) -> String {
    if count.is_finite() && count.abs() < 1e15 {
        group_thousands(&format!("{:.0}", count.round()))
    } else {
        format!("{count:.3e}")
    }
}

/// Dollars: $16,875,000; $45.22; -$27.50; under a cent to 4 significant
/// figures ($0.002587, then exponent form below $0.0001); exponent form
/// from a trillion.
pub fn format_usd(value: f64) -> String {
    let sign = if value < 0.0 { "-" } else { "" };
    let magnitude = value.abs();
    if magnitude >= 1e12 {
        format!("{sign}${magnitude:.3e}")
    } else if magnitude != 0.0 && magnitude < 0.01 {
        format!("{sign}${}", format_sig(magnitude, 4))
    } else if magnitude >= 1000.0 {
        format!("{sign}${}", group_thousands(&format!("{magnitude:.0}")))
    } else {
        format!("{sign}${magnitude:.2}")
    }
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

/// A number for a message: plain where that is short, else in exponent
/// form (1e308, not 309 digits).
pub fn num(value: f64) -> String {
    let magnitude = value.abs();
    if value != 0.0 && value.is_finite() && !(1e-4..1e9).contains(&magnitude) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

/// `value` if it is a finite number above zero, else the input error that
/// names `what` (with the number in a readable form).
pub fn require_positive(what: &str, value: f64) -> crate::error::Result<f64> {
    if value > 0.0 && value.is_finite() {
        Ok(value)
    } else {
        Err(crate::error::Error::input(format!(
            "{what} must be a positive number, got {}",
            num(value)
        )))
    }
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
    fn rounded_to_their_meaning() {
        assert_eq!(format_btc(115.9991), "116.0");
        assert_eq!(format_btc(15.104), "15.10");
        assert_eq!(format_btc(0.004_523_4), "0.004523");
        assert_eq!(format_btc(6.828e-5), "6.828e-5");
        assert_eq!(format_btc(7200.0), "7,200");
        assert_eq!(format_percent(0.257_776), "25.8%");
        assert_eq!(format_percent(0.033_564), "3.36%");
        assert_eq!(format_percent(1.0), "100%");
        assert_eq!(format_percent(3.036e-7), "3.04e-5%");
        assert_eq!(format_jth(15.0), "15.0");
        assert_eq!(format_jth(9.5), "9.50");
        assert_eq!(format_jth(21.5), "21.5");
        assert_eq!(format_jth(2_319_699.43), "2,320,000");
        assert_eq!(format_ratio(0.6977), "0.698×");
        assert_eq!(format_ratio(1.0), "1.00×");
        assert_eq!(format_ratio(244_179.2), "244,000×");
        assert_eq!(format_ratio(22_200_000.0), "22,200,000×");
        assert_eq!(format_mw(5700.0), "5,700 MW");
        assert_eq!(format_mw(5181.818), "5,182 MW");
        assert_eq!(format_mw(136_800.0), "136,800 MW");
        assert_eq!(format_mw(0.5), "0.5000 MW");
        assert_eq!(format_mw(10.0), "10 MW");
        assert_eq!(format_mw(1898.1), "1,898 MW");
        assert_eq!(format_count(942_148.0), "942,148");
        assert_eq!(format_count(567.4), "567");
        // Rounding that adds a digit, and negative numbers.
        assert_eq!(format_sig(9.9996, 4), "10.00");
        assert_eq!(format_sig(999.96, 4), "1,000");
        assert_eq!(format_sig(-1234.5, 4), "-1,235");
        assert_eq!(format_sig(0.0, 4), "0");
        assert_eq!(format_sig(7.747e11, 4), "774,700,000,000");
        assert_eq!(format_sig(2e15, 4), "2.000e15");
    }

    #[test]
    fn dollars() {
        assert_eq!(format_usd(16_875_000.0), "$16,875,000");
        assert_eq!(format_usd(45.2234), "$45.22");
        assert_eq!(format_usd(-27.5), "-$27.50");
        assert_eq!(format_usd(1000.0), "$1,000");
        assert_eq!(format_usd(123_456.7), "$123,457");
        assert_eq!(format_usd(0.000_123_4), "$0.0001234");
        assert_eq!(format_usd(0.002_587_3), "$0.002587");
        assert_eq!(format_usd(-0.000_012_34), "-$1.234e-5");
        assert_eq!(format_usd(2e12), "$2.000e12");
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
