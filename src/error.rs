//! One error type for the whole program, and the exit statuses. Each kind has its own exit status,
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
        f.write_str(&crate::sanitize::sanitize(&self.message))
    }
}

impl std::error::Error for Error {}

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
        assert_eq!(
            crate::sanitize::sanitize("plain text, café"),
            "plain text, café"
        );
        // Every bidirectional embedding, override and isolate is escaped.
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            let shown = crate::sanitize::sanitize(&format!("a{c}b")).into_owned();
            assert_eq!(shown, format!("a\\u{{{:x}}}b", c as u32));
        }
    }
}
