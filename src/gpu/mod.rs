//! Running the WGSL kernels through wgpu: adapters, kernels and the
//! double-buffered nonce search.

mod adapters;
mod kernels;
mod precompute;
mod searcher;

pub use adapters::{
    backend_name, device_type_name, enumerate_adapters, summarize, AdapterLimits, DeviceSummary,
    GpuAdapter,
};
pub use kernels::{search_source, source_sha256, KernelConfig, KernelVariant};
pub use precompute::Precomputed;
pub use searcher::{GpuSearcher, MAX_BATCH};
