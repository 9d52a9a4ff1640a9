//! Running the WGSL kernels through wgpu: adapters, kernels and the
//! double-buffered nonce search.

mod adapters;
mod kernels;
mod searcher;

pub use crate::precompute::Precomputed;
pub use adapters::{
    backend_name, device_type_name, enumerate_adapters, summarize, DeviceSummary, GpuAdapter,
};
pub use kernels::{search_source, KernelConfig, KernelVariant};
pub use searcher::{GpuSearcher, MAX_BATCH};
