//! WGSL kernels as text, with no device: the interface a search kernel
//! keeps with hashwatt, the loader that checks and includes a file, the
//! rewrites applied before compiling, naga's output for each back end, and
//! the work a kernel costs per nonce. Running a kernel is [`crate::gpu`]'s.
//!
//! - [`interface`]: `SearchParams`, the bindings and constants every
//!   search kernel declares, and the skeleton shown when one is missing.
//! - [`source`]: a kernel file loaded, its includes resolved, its interface
//!   checked ([`KernelSource`]).
//! - [`variants`]: hashwatt's own kernels and a user's, with their launch
//!   settings ([`KernelConfig`]).
//! - [`hash_fn`]: a third-party hash function wrapped in hashwatt's search.
//! - `rewrite*`, [`compiled`]: what is changed before compiling, and why.
//! - [`naga_out`], [`cost`]: what naga hands each driver; operations per
//!   nonce, and with `--isa` what AMD's compiler emits.

pub mod compiled;
#[cfg(feature = "native")]
pub mod cost;
pub mod hash_fn;
pub mod interface;
#[cfg(feature = "native")]
pub mod naga_out;
pub mod rewrite;
#[cfg(test)]
mod rewrite_kernels_tests;
mod rewrite_locals;
mod rewrite_report;
pub mod source;
pub mod variants;

pub use interface::{
    is_mismatch as is_interface_mismatch, skeleton as interface_skeleton, ENTRY_POINT, PARAMS_BYTES,
};
#[cfg(feature = "native")]
pub use naga_out::naga_outputs;
pub use source::{KernelSource, LoadOptions, MAX_KERNEL_BYTES};
pub use variants::{
    search_source, source_sha256, KernelConfig, KernelVariant, MAX_NONCES_PER_INVOCATION,
    MAX_WORKGROUP_SIZE,
};
