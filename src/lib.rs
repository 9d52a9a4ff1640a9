//! hashwatt: measure how fast and how efficiently a GPU searches Bitcoin
//! nonces with double SHA-256, prove its WGSL kernels right against the
//! `sha2` crate on real mainnet headers, and scale the result to a site.
//!
//! The modules, in the order data flows through them:
//! - [`header`], [`target`], [`catalog`]: real block headers, targets, the embedded set.
//! - [`search`]: what a search device does; [`cpu`] and [`gpu`] are the devices.
//! - [`device`]: picking devices from `--device`; [`energy`]: the power meters.
//! - [`hits`]: every hit checked again on the CPU.
//! - [`bench`], [`conformance`], [`kernel_suite`], [`tune`]: the measurements, the shader
//!   checks (hashwatt's own, and any kernel's), the autotuner.
//! - [`site`], [`plot`]: from hashes per joule to a power plant.
//! - [`report`], [`cli`], [`commands`]: what the user sees; [`textfile`]: the bounded reader for input files.

#[macro_use]
pub mod output;

pub mod bench;
pub mod bench_plot;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod conformance;
pub mod cpu;
pub mod device;
pub mod energy;
pub mod error;
pub mod gpu;
pub mod header;
pub mod hex;
pub mod hits;
pub mod host;
pub mod kernel_suite;
pub mod plot;
pub mod precompute;
pub mod report;
pub mod schemas;
pub mod search;
pub mod sha256_math;
pub mod signals;
pub mod site;
pub mod target;
pub mod telemetry;
pub mod textfile;
pub mod tune;
pub mod units;
