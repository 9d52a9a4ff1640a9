//! Running the WGSL kernels on a device through wgpu: adapters, pipelines,
//! the double-buffered nonce search and the digest kernel. The kernels'
//! text (loading, checking, rewriting, costing) is [`crate::kernel`]'s.

mod adapters;
mod digest;
mod mapping;
mod pipeline;
mod searcher;
mod words_kernel;

pub use adapters::{
    backend_name, backends_from_env, device_type_name, enumerate_adapters, enumerate_every_backend,
    summarize, AdapterLimits, DeviceSummary, GpuAdapter,
};
pub use searcher::{GpuSearcher, RawHits};
pub use words_kernel::WordsJob;
