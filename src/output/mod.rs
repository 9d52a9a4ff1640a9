//! Everything hashwatt writes: human text on standard output and standard
//! error, and result files.
//!
//! Standard output is written through [`outln!`](crate::outln) and
//! [`out!`](crate::out), never `println!`, which panics when the reader has
//! gone (`hashwatt headers | head -1`) or the disk is full
//! (`> /dev/full`). A failed write is remembered instead, later writes are
//! skipped, and the run goes on: a bench still finishes and still writes its
//! `--json` file. At the end [`stdout_status`] turns the failure into the
//! exit status: a closed pipe is the reader's choice and ends quietly, as
//! Unix tools do; any other failure is exit 4. Standard error goes through
//! [`errln!`](crate::errln) with the same care. `clippy.toml` forbids the
//! panicking macros in the crate, so no new code can bring them back.
//!
//! **Names from outside are never printed raw.** A device name read from a
//! bench file, a file name, an output path, a kernel's name, a header
//! file's name: any of them can hold an escape sequence, a newline or a
//! bidirectional override. So the human-text macros are the one gate, and
//! they pass every character through [`crate::sanitize`] (the one sanitizer,
//! also behind every error message):
//! - [`outln!`](crate::outln) and [`errln!`](crate::errln) write exactly
//!   one line: every control or invisible character in the formatted text,
//!   a newline included, is written as a `\u{..}` escape. A name therefore
//!   can neither steer the terminal nor forge a line of its own. Text of
//!   several lines is several `outln!` calls (an empty `outln!()` for a
//!   blank line).
//! - [`out!`](crate::out) and [`err!`](crate::err) write text hashwatt
//!   composed itself over several lines (`--help`): each line is
//!   sanitized, the line breaks kept. They are not for names.
//! - [`write_document`] is the only raw path: a JSON document hashwatt
//!   serialised itself (serde_json escapes every control character in its
//!   strings), for `--json -`.
//!
//! Progress bars (indicatif) draw on standard error themselves: their
//! labels go through [`crate::sanitize`] where they hold a name.
//!
//! Result files go through [`Destination`]: checked before a run (so nothing
//! is measured only to be refused), written to a temporary file in the same
//! folder and renamed into place (`tempfile`'s persist), and only ever
//! replacing a regular file, and that only with `--force`.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{Error, Result};
use crate::sanitize::sanitize;

const FINE: u8 = 0;
const CLOSED: u8 = 1;
const FAILED: u8 = 2;

/// What became of standard output: fine, closed by its reader, or failed.
static STDOUT: AtomicU8 = AtomicU8::new(FINE);
/// The first error other than a closed pipe, for the final message.
static STDOUT_ERROR: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Writes to standard output as it is; after the first failure, does
/// nothing. Private: human text goes through the macros, documents through
/// [`write_document`].
#[allow(clippy::disallowed_methods)] // the one handle on standard output
fn raw_stdout(args: fmt::Arguments<'_>) {
    if STDOUT.load(Ordering::Relaxed) != FINE {
        return;
    }
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        record_stdout_error(&e);
    }
}

/// One line of human text on standard output ([`outln!`](crate::outln)):
/// every control or invisible character escaped, a newline included, then
/// the line's end.
pub fn line_stdout(args: fmt::Arguments<'_>) {
    raw_stdout(format_args!("{}\n", one_line(args)));
}

/// Human text of several lines on standard output ([`out!`](crate::out)):
/// each line sanitized, the line breaks kept.
pub fn text_stdout(args: fmt::Arguments<'_>) {
    raw_stdout(format_args!("{}", lines(args)));
}

/// A document hashwatt serialised itself (JSON, whose strings escape every
/// control character), written as it is: the one raw path to standard
/// output. Never for human text or names.
pub fn write_document(text: &str) {
    raw_stdout(format_args!("{text}"));
}

/// The formatted text as one safe line.
fn one_line(args: fmt::Arguments<'_>) -> String {
    match args.as_str() {
        Some(text) => sanitize(text).into_owned(),
        None => sanitize(&args.to_string()).into_owned(),
    }
}

/// The formatted text with each line sanitized and the line breaks kept.
fn lines(args: fmt::Arguments<'_>) -> String {
    let text = args.to_string();
    text.split('\n')
        .map(sanitize)
        .collect::<Vec<_>>()
        .join("\n")
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

/// Writes to standard error as it is, ignoring failure (there is nowhere
/// left to say that it failed).
#[allow(clippy::disallowed_methods)] // the one handle on standard error
fn raw_stderr(args: fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.flush());
}

/// One line of human text on standard error ([`errln!`](crate::errln)),
/// as [`line_stdout`].
pub fn line_stderr(args: fmt::Arguments<'_>) {
    raw_stderr(format_args!("{}\n", one_line(args)));
}

/// Human text of several lines on standard error ([`err!`](crate::err)),
/// as [`text_stdout`].
pub fn text_stderr(args: fmt::Arguments<'_>) {
    raw_stderr(format_args!("{}", lines(args)));
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

/// `println!` that never panics and writes one safe line: see the module
/// documentation.
#[macro_export]
macro_rules! outln {
    () => { $crate::output::line_stdout(format_args!("")) };
    ($($arg:tt)*) => { $crate::output::line_stdout(format_args!($($arg)*)) };
}

/// `print!` that never panics, for text hashwatt composed over several
/// lines (each sanitized): see the module documentation.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::text_stdout(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics and writes one safe line: see the module
/// documentation.
#[macro_export]
macro_rules! errln {
    () => { $crate::output::line_stderr(format_args!("")) };
    ($($arg:tt)*) => { $crate::output::line_stderr(format_args!($($arg)*)) };
}

/// `eprint!` that never panics, for text hashwatt composed over several
/// lines (each sanitized): see the module documentation.
#[macro_export]
macro_rules! err {
    ($($arg:tt)*) => { $crate::output::text_stderr(format_args!($($arg)*)) };
}

#[cfg(feature = "native")]
mod files;
#[cfg(feature = "native")]
pub mod names;
#[cfg(feature = "native")]
pub use files::Destination;
#[cfg(feature = "native")]
pub use names::check_outputs;

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
