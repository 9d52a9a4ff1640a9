//! What naga hands each driver for a search kernel: the SPIR-V wgpu's
//! Vulkan back end writes and the GLSL its GL back end writes, with the
//! same options, the kernel's overrides already applied. No device needed.

use naga::back::{glsl, spv};
use naga::valid::{Capabilities, ValidationFlags, Validator};

use super::variants::KernelConfig;
use crate::error::{Error, Result};

/// The kernel's module with its overrides set, validated again.
pub(crate) fn lowered(config: &KernelConfig) -> Result<(naga::Module, naga::valid::ModuleInfo)> {
    let module = naga::front::wgsl::parse_str(config.compiled_module())
        .map_err(|e| Error::input(format!("{}: {}", config.variant, e.message())))?;
    let info = Validator::new(ValidationFlags::all(), Capabilities::all())
        .validate(&module)
        .map_err(|e| Error::input(format!("{}: {e}", config.variant)))?;
    let constants: naga::back::PipelineConstants = config
        .overrides()
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    let (module, info) = naga::back::pipeline_constants::process_overrides(
        &module,
        &info,
        Some((naga::ShaderStage::Compute, config.entry_point())),
        &constants,
    )
    .map_err(|e| Error::input(format!("{}: {e}", config.variant)))?;
    Ok((module.into_owned(), info.into_owned()))
}

/// SPIR-V words as wgpu's Vulkan back end writes them on an adapter with
/// robust buffer access 2 (lavapipe): index clamping on, buffer checks off,
/// and, when `loop_bounding`, every loop given wgpu's iteration bound.
/// Names (`OpName`) are always written, as wgpu does with its debug flag in
/// debug builds: they add no code, and kernel-cost finds functions by them.
pub fn spirv(config: &KernelConfig, loop_bounding: bool) -> Result<Vec<u32>> {
    let (module, info) = lowered(config)?;
    let options = spv::Options {
        flags: spv::WriterFlags::DEBUG
            | spv::WriterFlags::LABEL_VARYINGS
            | spv::WriterFlags::FORCE_POINT_SIZE,
        lang_version: (1, 3),
        bounds_check_policies: naga::proc::BoundsCheckPolicies {
            index: naga::proc::BoundsCheckPolicy::Restrict,
            buffer: naga::proc::BoundsCheckPolicy::Unchecked,
            image_load: naga::proc::BoundsCheckPolicy::Unchecked,
            binding_array: naga::proc::BoundsCheckPolicy::Unchecked,
        },
        force_loop_bounding: loop_bounding,
        zero_initialize_workgroup_memory: spv::ZeroInitializeWorkgroupMemoryMode::None,
        ..spv::Options::default()
    };
    let pipeline = spv::PipelineOptions {
        shader_stage: naga::ShaderStage::Compute,
        entry_point: config.entry_point().to_string(),
    };
    spv::write_vec(&module, &info, &options, Some(&pipeline))
        .map_err(|e| Error::input(format!("{}: SPIR-V: {e}", config.variant)))
}

/// GLSL as wgpu's GL back end writes it for a GLES 3.1 context.
pub fn glsl(config: &KernelConfig) -> Result<String> {
    let (module, info) = lowered(config)?;
    let options = glsl::Options {
        version: glsl::Version::Embedded {
            version: 310,
            is_webgl: false,
        },
        ..glsl::Options::default()
    };
    let pipeline = glsl::PipelineOptions {
        shader_stage: naga::ShaderStage::Compute,
        entry_point: config.entry_point().to_string(),
        multiview: None,
    };
    let policies = naga::proc::BoundsCheckPolicies::default();
    let mut out = String::new();
    glsl::Writer::new(&mut out, &module, &info, &options, &pipeline, policies)
        .and_then(|mut w| w.write().map(|_| ()))
        .map_err(|e| Error::input(format!("{}: GLSL: {e}", config.variant)))?;
    Ok(out)
}

/// Both, for tools: (SPIR-V words, GLSL).
pub fn naga_outputs(config: &KernelConfig, loop_bounding: bool) -> (Vec<u32>, String) {
    (
        spirv(config, loop_bounding).expect("SPIR-V"),
        glsl(config).expect("GLSL"),
    )
}
