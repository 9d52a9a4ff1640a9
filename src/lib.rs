//! hashwatt: measure how fast and how efficiently a GPU searches Bitcoin
//! nonces with double SHA-256, prove its WGSL kernels right against the
//! `sha2` crate on real mainnet headers, and scale the result to a site.
//! docs/architecture.md draws the layers; each line below is one module.
//!
//! The layers, from the bottom up:
//! - [`error`], [`sanitize`], [`output`], [`units`], [`textfile`]: the error
//!   type and exit statuses, the one sanitizer, everything written, numbers
//!   in words, the bounded reader of input files.
//! - [`chain`]: real block headers, targets, the embedded set, the SHA-256
//!   arithmetic the host precomputes.
//! - [`search`]: what a search device does (the [`search::Searcher`] trait);
//!   [`cpu`] and [`gpu`] are the devices, [`kernel`] the WGSL they run as
//!   text (loading, checking, rewriting, costing), [`devices`] picking them
//!   from `--device`.
//! - [`verify`]: every hit checked again with sha2, the proof of work, and
//!   every "prove it right" (device, any kernel file, tune's winner, the
//!   browser's page) through one set of checks.
//! - [`sensors`]: power meters, telemetry, the host; [`bench`]: the timed
//!   loop, one state machine for the command line and the browser;
//!   [`tune`]: the autotuner.
//! - [`report`]: the documents a run leaves, the one reader and validator
//!   of bench results, `compare`, the bench plot; [`site`]: from hashes per
//!   joule to a power plant; [`fleet`]: a job array's results merged.
//! - [`cli`] (clap's types) and [`commands`] (one module per subcommand:
//!   parse, call, render); `main.rs` joins them.
//!
//! The `native` feature (the default) holds everything that needs an
//! operating system: the command line, device selection with the CPU search
//! on threads, power meters and telemetry, signals, the tuner and its cache,
//! the kernel-file suite. Without it the rest builds for
//! `wasm32-unknown-unknown`: the same kernels through the browser's WebGPU,
//! the same bench loop driven asynchronously ([`bench::run_async`]), the
//! same checks and sha2 verification and reports (see `web/`).

#[macro_use]
pub mod output;

pub mod bench;
pub mod chain;
#[cfg(feature = "native")]
pub mod cli;
#[cfg(feature = "native")]
pub mod commands;
pub mod cpu;
#[cfg(feature = "native")]
pub mod devices;
pub mod error;
#[cfg(feature = "native")]
pub mod fleet;
pub mod gpu;
pub mod kernel;
pub mod report;
pub mod sanitize;
pub mod search;
pub mod sensors;
#[cfg(feature = "native")]
pub mod serve;
#[cfg(feature = "native")]
pub mod signals;
pub mod site;
pub mod textfile;
#[cfg(feature = "native")]
pub mod tune;
pub mod units;
pub mod verify;
