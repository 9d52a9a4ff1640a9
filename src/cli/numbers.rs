//! Numbers from the command line: what clap's value parsers call, with
//! messages that say what was wrong with the text typed.

use crate::sanitize::sanitize;

/// A float from the command line: a finite number, with a message that says
/// when text such as `1e400` is too large to be one.
pub fn parse_number(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let value: f64 = trimmed
        .parse()
        .map_err(|_| format!("must be a number, got {:?}", sanitize(trimmed)))?;
    if value.is_finite() {
        return Ok(value);
    }
    let written_as_infinity = trimmed
        .trim_start_matches(['+', '-'])
        .to_ascii_lowercase()
        .starts_with("inf");
    if value.is_nan() || written_as_infinity {
        Err(format!(
            "must be a finite number, got {}",
            sanitize(trimmed)
        ))
    } else {
        Err(format!(
            "{} is too large (the largest number is about 1.8e308)",
            sanitize(trimmed)
        ))
    }
}

/// A whole number from the command line, with messages that say what was
/// wrong: a minus sign, a number too large, or not a number.
pub fn parse_whole<T>(text: &str) -> Result<T, String>
where
    T: std::str::FromStr + Bounded,
{
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if let Some(rest) = digits.strip_prefix('-') {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(format!("must be zero or more, got {}", sanitize(trimmed)));
        }
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "must be a whole number from 0 to {}, got {:?}",
            T::MAX_TEXT,
            sanitize(trimmed)
        ));
    }
    digits.parse::<T>().map_err(|_| {
        format!(
            "{} is too large (at most {})",
            sanitize(trimmed),
            T::MAX_TEXT
        )
    })
}

/// The largest value of an unsigned integer type, for messages.
pub trait Bounded {
    const MAX_TEXT: &'static str;
}

impl Bounded for u32 {
    const MAX_TEXT: &'static str = "4294967295";
}

impl Bounded for u64 {
    const MAX_TEXT: &'static str = "18446744073709551615";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_say_what_is_wrong() {
        assert_eq!(parse_number(" 2.5 "), Ok(2.5));
        assert!(parse_number("1e400")
            .unwrap_err()
            .contains("1e400 is too large"));
        assert!(parse_number("-1e400").unwrap_err().contains("too large"));
        assert!(parse_number("inf").unwrap_err().contains("finite"));
        assert!(parse_number("nan").unwrap_err().contains("finite"));
        assert!(parse_number("x").unwrap_err().contains("must be a number"));
        assert_eq!(parse_whole::<u64>("+7"), Ok(7));
        assert!(parse_whole::<u64>("-5")
            .unwrap_err()
            .contains("must be zero or more"));
        assert!(parse_whole::<u32>("4294967296")
            .unwrap_err()
            .contains("too large"));
        assert!(parse_whole::<u64>("1.5")
            .unwrap_err()
            .contains("whole number"));
        assert!(parse_whole::<u64>("").unwrap_err().contains("whole number"));
    }
}
