//! Running the WGSL kernels through wgpu: adapters, kernels and the
//! double-buffered nonce search.

mod adapters;
mod compiled;
mod digest;
pub mod hash_fn;
#[cfg(feature = "native")]
pub mod kernel_cost;
mod kernel_interface;
mod kernel_source;
mod kernels;
mod mapping;
#[cfg(feature = "native")]
pub mod naga_out;
pub mod rewrite;
#[cfg(test)]
mod rewrite_kernels_tests;
mod rewrite_locals;
mod rewrite_report;
mod searcher;
mod words_kernel;

pub use crate::precompute::Precomputed;
pub use adapters::{
    backend_name, backends_from_env, device_type_name, enumerate_adapters, enumerate_every_backend,
    summarize, AdapterLimits, DeviceSummary, GpuAdapter,
};
pub use kernel_interface::{is_mismatch as is_interface_mismatch, skeleton as interface_skeleton};
pub use kernel_source::{KernelSource, LoadOptions, ENTRY_POINT, MAX_KERNEL_BYTES, PARAMS_BYTES};
pub use kernels::{
    search_source, source_sha256, KernelConfig, KernelVariant, MAX_NONCES_PER_INVOCATION,
    MAX_WORKGROUP_SIZE,
};
#[cfg(feature = "native")]
pub use naga_out::naga_outputs;
pub use searcher::{GpuSearcher, RawHits, MAX_BATCH};
pub use words_kernel::WordsJob;
