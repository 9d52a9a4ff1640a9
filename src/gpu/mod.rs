//! Running the WGSL kernels through wgpu: adapters, kernels and the
//! double-buffered nonce search.

mod adapters;
mod kernels;
mod precompute;
mod searcher;

pub use adapters::{
    backend_name, backends_from_env, device_type_name, enumerate_adapters, summarize,
    DeviceSummary, GpuAdapter,
};
pub use kernels::{
    search_source, KernelConfig, KernelVariant, MAX_NONCES_PER_INVOCATION, MAX_WORKGROUP_SIZE,
};
pub use precompute::Precomputed;
pub use searcher::{GpuSearcher, MAX_BATCH};
