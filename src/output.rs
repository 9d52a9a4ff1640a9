//! Everything hashwatt writes: human text on standard output and standard
//! error, and result files.
//!
//! Standard output is written through [`outln!`](crate::outln) and
//! [`out!`](crate::out), never `outln!`, which panics when the reader has
//! gone (`hashwatt headers | head -1`) or the disk is full
//! (`> /dev/full`). A failed write is remembered instead, later writes are
//! skipped, and the run goes on: a bench still finishes and still writes its
//! `--json` file. At the end [`stdout_status`] turns the failure into the
//! exit status: a closed pipe is the reader's choice and ends quietly, as
//! Unix tools do; any other failure is exit 4. Standard error goes through
//! [`errln!`](crate::errln) with the same care. `clippy.toml` forbids the
//! panicking macros in the crate, so no new code can bring them back.
//!
//! Result files go through [`Destination`]: checked before a run (so nothing
//! is measured only to be refused), written to a temporary file in the same
//! folder and renamed into place (`tempfile`'s persist), and only ever
//! replacing a regular file, and that only with `--force`.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{Error, Result};

const FINE: u8 = 0;
const CLOSED: u8 = 1;
const FAILED: u8 = 2;

/// What became of standard output: fine, closed by its reader, or failed.
static STDOUT: AtomicU8 = AtomicU8::new(FINE);
/// The first error other than a closed pipe, for the final message.
static STDOUT_ERROR: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Writes to standard output; after the first failure, does nothing.
pub fn write_stdout(args: fmt::Arguments<'_>) {
    if STDOUT.load(Ordering::Relaxed) != FINE {
        return;
    }
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        record_stdout_error(&e);
    }
}

fn record_stdout_error(e: &io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        let _ = STDOUT.compare_exchange(FINE, CLOSED, Ordering::Relaxed, Ordering::Relaxed);
    } else if STDOUT
        .compare_exchange(FINE, FAILED, Ordering::Relaxed, Ordering::Relaxed)
        .is_ok()
    {
        *STDOUT_ERROR.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
    }
}

/// Writes to standard error, ignoring failure (there is nowhere left to
/// say that it failed).
pub fn write_stderr(args: fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.flush());
}

/// Whether standard output still takes text: false once its reader has
/// gone or a write failed, so a command can skip work that only prints.
pub fn stdout_open() -> bool {
    STDOUT.load(Ordering::Relaxed) == FINE
}

/// How standard output fared: `Ok(true)` when all was written, `Ok(false)`
/// when the reader closed the pipe (a quiet end, as Unix tools do), and
/// an I/O error (exit 4) for anything else, such as a full disk.
pub fn stdout_status() -> Result<bool> {
    match STDOUT.load(Ordering::Relaxed) {
        FINE => Ok(true),
        CLOSED => Ok(false),
        _ => {
            let why = STDOUT_ERROR
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
                .unwrap_or_default();
            Err(Error::io(format!("cannot write to standard output: {why}")))
        }
    }
}

/// `outln!` that never panics: see the module documentation.
#[macro_export]
macro_rules! outln {
    () => { $crate::output::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` that never panics: see the module documentation.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!($($arg)*)) };
}

/// `errln!` that never panics: see the module documentation.
#[macro_export]
macro_rules! errln {
    () => { $crate::output::write_stderr(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::write_stderr(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that never panics: see the module documentation.
#[macro_export]
macro_rules! err {
    ($($arg:tt)*) => { $crate::output::write_stderr(format_args!($($arg)*)) };
}

#[cfg(feature = "native")]
mod files;
#[cfg(feature = "native")]
pub use files::Destination;

/// A progress bar on stderr with `template` (indicatif's), `len` steps
/// long; drawn only when `enabled` and stderr is a terminal.
#[cfg(feature = "native")]
pub fn progress_bar(enabled: bool, len: u64, template: &str) -> indicatif::ProgressBar {
    let bar = if enabled {
        indicatif::ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::stderr())
    } else {
        indicatif::ProgressBar::hidden()
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
