//! One error type for the whole program. Each kind has its own exit status,
//! so scripts can tell bad input from a failed verification from a device
//! that would not work.

use std::fmt;

/// Exit statuses, as documented in the README.
pub mod exit {
    pub const OK: i32 = 0;
    /// A check failed: a GPU hit the CPU rejects, a digest that differs, a
    /// `verify` case that did not pass.
    pub const CHECK_FAILED: i32 = 1;
    /// The input was wrong: arguments, header text, files.
    pub const BAD_INPUT: i32 = 2;
    /// A device could not be found, opened or run.
    pub const DEVICE: i32 = 3;
    /// Writing a result failed.
    pub const IO: i32 = 4;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    BadInput,
    CheckFailed,
    Device,
    Io,
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn input(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::BadInput,
            message: message.into(),
        }
    }

    pub fn check_failed(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::CheckFailed,
            message: message.into(),
        }
    }

    pub fn device(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Device,
            message: message.into(),
        }
    }

    pub fn io(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Io,
            message: message.into(),
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::BadInput => exit::BAD_INPUT,
            ErrorKind::CheckFailed => exit::CHECK_FAILED,
            ErrorKind::Device => exit::DEVICE,
            ErrorKind::Io => exit::IO,
        }
    }
}

/// Shown safely: control characters (escape sequences, newlines) and
/// invisible ones (a byte-order mark, bidirectional overrides) in a message
/// come from what the user typed or a file held, and are written as `\u{..}`
/// escapes, so a message is always one line that cannot steer the terminal.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&sanitize(&self.message))
    }
}

/// `text` with every control or invisible character written as a `\u{..}`
/// escape: safe to print on a terminal, and always one line.
pub fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Control characters, and the format characters that change how text
/// around them looks without being seen: soft hyphen, zero-width and
/// direction marks, bidirectional embeddings, overrides and isolates, word
/// joiners, the byte-order mark, interlinear annotation marks.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

impl std::error::Error for Error {}

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

/// `value` if it is a finite number above zero, else the input error that
/// names `what` (with the number in a readable form).
pub fn require_positive(what: &str, value: f64) -> Result<f64> {
    if value > 0.0 && value.is_finite() {
        Ok(value)
    } else {
        Err(Error::input(format!(
            "{what} must be a positive number, got {}",
            crate::units::num(value)
        )))
    }
}

impl From<crate::chain::catalog::CatalogError> for Error {
    fn from(e: crate::chain::catalog::CatalogError) -> Self {
        Error::input(e.0)
    }
}

impl From<crate::chain::target::TargetError> for Error {
    fn from(e: crate::chain::target::TargetError) -> Self {
        Error::input(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_safe_line() {
        let error = Error::input("--header \u{1b}[2J\nhashwatt: error: forged\u{feff}\u{202e}");
        let shown = error.to_string();
        assert!(!shown.chars().any(|c| c.is_control()), "{shown}");
        assert!(!shown.contains(['\u{feff}', '\u{202e}']), "{shown}");
        assert!(shown.contains("\\u{1b}[2J\\u{a}hashwatt"), "{shown}");
        assert_eq!(sanitize("plain text, café"), "plain text, café");
        // Every bidirectional embedding, override and isolate is escaped.
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            let shown = sanitize(&format!("a{c}b")).into_owned();
            assert_eq!(shown, format!("a\\u{{{:x}}}b", c as u32));
        }
    }

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
