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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `value` if it is a finite number above zero, else the input error that
/// names `what`.
pub fn require_positive(what: &str, value: f64) -> Result<f64> {
    if value > 0.0 && value.is_finite() {
        Ok(value)
    } else {
        Err(Error::input(format!(
            "{what} must be a positive number, got {value}"
        )))
    }
}

impl From<crate::catalog::CatalogError> for Error {
    fn from(e: crate::catalog::CatalogError) -> Self {
        Error::input(e.0)
    }
}

impl From<crate::target::TargetError> for Error {
    fn from(e: crate::target::TargetError) -> Self {
        Error::input(e.to_string())
    }
}
