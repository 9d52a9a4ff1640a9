//! hashwatt: measure how fast and how efficiently a GPU searches Bitcoin
//! nonces with double SHA-256, prove its WGSL kernels right against the
//! `sha2` crate on real mainnet headers, and scale the result to a site.
//!
//! The modules, in the order data flows through them:
//! - [`header`], [`target`], [`catalog`]: real block headers, targets, the embedded set.
//! - [`search`]: what a search device does; [`cpu`] and [`gpu`] are the devices.
//! - [`device`]: picking devices from `--device`; [`energy`]: the power meters.
//! - [`hits`]: every hit checked again on the CPU; [`proof`]: as many shares as the
//!   nonces claimed imply (the proof of work).
//! - [`bench`], [`conformance`], [`kernel_suite`], [`tune`]: the measurements, the shader
//!   checks (hashwatt's own, and any kernel's), the autotuner.
//! - [`site`], [`plot`]: from hashes per joule to a power plant; [`bounds`]: what
//!   reality allows of every input and document; [`fleet`]: a job
//!   array's results merged, outliers named, as a site's input.
//! - [`report`], [`cli`], [`commands`]: what the user sees; [`textfile`]: the bounded reader for input files.
//!
//! The `native` feature (the default) holds everything that needs an
//! operating system: the command line, device selection with the CPU search
//! on threads, power meters and telemetry, signals, the tuner and its cache,
//! the kernel-file suite. Without it the rest builds for
//! `wasm32-unknown-unknown`: the same kernels through the browser's WebGPU,
//! the same bench loop driven asynchronously ([`bench::run_async`]), the
//! same sha2 verification and reports (see `web/`).

#[macro_use]
pub mod output;

pub mod bench;
#[cfg(feature = "native")]
pub mod bench_plot;
pub mod bounds;
pub mod catalog;
#[cfg(feature = "native")]
pub mod cli;
#[cfg(feature = "native")]
pub mod commands;
pub mod compare;
pub mod conformance;
pub mod cpu;
#[cfg(feature = "native")]
pub mod device;
pub mod energy;
pub mod error;
#[cfg(feature = "native")]
pub mod fleet;
pub mod gpu;
pub mod header;
pub mod hex;
pub mod hits;
pub mod host;
#[cfg(feature = "native")]
pub mod kernel_suite;
pub mod pci;
pub mod plot;
pub mod precompute;
pub mod proof;
pub mod report;
#[cfg(feature = "native")]
pub mod schemas;
pub mod search;
#[cfg(feature = "native")]
pub mod serve;
pub mod sha256_math;
#[cfg(feature = "native")]
pub mod signals;
pub mod site;
pub mod target;
pub mod telemetry;
pub mod textfile;
#[cfg(feature = "native")]
pub mod tune;
pub mod units;
