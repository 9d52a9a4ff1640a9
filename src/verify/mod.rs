//! Proving a device right: every way hashwatt checks a kernel's work
//! against `sha2` on the CPU, on real mainnet data.
//!
//! - [`hits`]: every hit a device reports, hashed again on the CPU.
//! - [`proof`]: as many shares as the nonces claimed imply (the proof of
//!   work every bench result carries).
//! - [`checks`]: the checks every caller shares, written once: the window
//!   of nonces around a real block's nonce, the real-block check, the
//!   hit-set comparison, and the header-digest check. The browser's page
//!   calls these too.
//! - [`device`]: `hashwatt verify`, a device's own kernels.
//! - [`suite`]: `hashwatt verify --kernel`, any kernel file, with a
//!   diagnosis of what is wrong.
//! - [`tuned`]: `tune`'s winning setting, proven before it is cached.

pub mod checks;
pub mod device;
pub mod hits;
pub mod proof;
#[cfg(feature = "native")]
pub mod suite;
#[cfg(feature = "native")]
pub mod tuned;
