//! The chain's data: block headers, targets and the embedded set of real
//! mainnet headers, and the SHA-256 arithmetic every device is judged by.
//! Nothing here knows about devices, kernels or results.
//!
//! - [`header`]: the 80-byte header, its fields and its block hash (sha2).
//! - [`target`]: 256-bit targets, compact nBits, share difficulty.
//! - [`catalog`]: the embedded mainnet headers and header files.
//! - [`precompute`]: the midstate and the terms a search kernel is handed.
//! - [`sha256_math`]: SHA-256's round functions, for the precomputation.
//! - [`hex`]: hex text in and out.

pub mod catalog;
pub mod header;
pub mod hex;
pub mod precompute;
pub mod sha256_math;
pub mod target;
