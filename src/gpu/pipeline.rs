//! A WGSL module compiled into a compute pipeline on one device.

use crate::error::{Error, Result};

/// Compiles one entry point into a pipeline; a shader the driver or naga
/// rejects is an error naming the adapter, not a panic. Awaited: in a
/// browser the error scope resolves from the event loop.
pub(crate) async fn compile_async(
    device: &wgpu::Device,
    label: &str,
    entry_point: &str,
    source: &str,
    constants: &[(&str, f64)],
) -> Result<wgpu::ComputePipeline> {
    let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(entry_point),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry_point),
        layout: None,
        module: &module,
        entry_point: Some(entry_point),
        compilation_options: wgpu::PipelineCompilationOptions {
            constants,
            zero_initialize_workgroup_memory: false,
        },
        cache: None,
    });
    match scope.pop().await {
        Some(error) => Err(Error::device(format!(
            "{label}: the {entry_point} kernel did not compile: {error}"
        ))),
        None => Ok(pipeline),
    }
}
