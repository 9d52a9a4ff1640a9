//! The SPIR-V wgpu 30's Vulkan back end (wgpu-hal 30) hands a RADV device
//! for a search kernel: the same naga options, decided from the same
//! device facts, for the pipeline hashwatt creates (`kernels.rs`:
//! `create_shader_module` with wgpu's default, checked runtime checks, and
//! `zero_initialize_workgroup_memory: false`). docs/isa.md, "The SPIR-V",
//! lists each option and where wgpu-hal sets it.

use std::collections::BTreeMap;

use naga::back::spv;

use super::protocol::{Binding, DeviceFacts};
use crate::error::{Error, Result};
use crate::kernel::naga_out;
use crate::kernel::variants::KernelConfig;

/// wgpu-hal's `spv::Options` for a device with these facts (its
/// `Adapter::open`), as `compile_stage` adjusts them for one pipeline.
fn options(facts: &DeviceFacts, bindings: &[Binding]) -> spv::Options<'static> {
    let [major, minor, _] = facts.api_version;
    // wgpu-hal: the highest SPIR-V the device's Vulkan version takes.
    let lang_version = match (major, minor) {
        (1, 0) => (1, 0),
        (1, 1) => (1, 3),
        (1, 2) => (1, 5),
        _ => (1, 6),
    };
    // wgpu-hal: always these, and the two that RADV's downlevel flags
    // (cube arrays, sample-rate shading) add; hashwatt asks for no feature
    // that adds more.
    let capabilities = [
        spv::Capability::Shader,
        spv::Capability::Matrix,
        spv::Capability::Sampled1D,
        spv::Capability::Image1D,
        spv::Capability::ImageQuery,
        spv::Capability::DerivativeControl,
        spv::Capability::StorageImageExtendedFormats,
        spv::Capability::SampledCubeArray,
        spv::Capability::SampleRateShading,
    ];
    // wgpu-hal's pipeline layout numbers each group's bindings 0, 1, ...
    // in binding order and hands naga that map.
    let mut binding_map = BTreeMap::new();
    let mut by_set: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for b in bindings {
        by_set.entry(b.set).or_default().push(b.binding);
    }
    for (set, mut numbers) in by_set {
        numbers.sort_unstable();
        for (compact, binding) in numbers.into_iter().enumerate() {
            binding_map.insert(
                naga::ResourceBinding {
                    group: set,
                    binding,
                },
                spv::BindingInfo {
                    descriptor_set: set,
                    binding: compact as u32,
                    binding_array_size: None,
                },
            );
        }
    }
    spv::Options {
        lang_version,
        // DEBUG only in wgpu's debug builds (InstanceFlags::DEBUG): it adds
        // names and source lines, no code. A release build's flags:
        flags: spv::WriterFlags::LABEL_VARYINGS | spv::WriterFlags::FORCE_POINT_SIZE,
        capabilities: Some(capabilities.into_iter().collect()),
        bounds_check_policies: naga::proc::BoundsCheckPolicies {
            index: naga::proc::BoundsCheckPolicy::Restrict,
            buffer: if facts.robust_buffer_access2 {
                naga::proc::BoundsCheckPolicy::Unchecked
            } else {
                naga::proc::BoundsCheckPolicy::Restrict
            },
            image_load: if facts.robust_image_access {
                naga::proc::BoundsCheckPolicy::Unchecked
            } else {
                naga::proc::BoundsCheckPolicy::Restrict
            },
            binding_array: naga::proc::BoundsCheckPolicy::Unchecked,
        },
        // hashwatt's pipelines: zero_initialize_workgroup_memory: false.
        zero_initialize_workgroup_memory: spv::ZeroInitializeWorkgroupMemoryMode::None,
        force_loop_bounding: true,
        ray_query_initialization_tracking: true,
        use_storage_input_output_16: false,
        fake_missing_bindings: false,
        binding_map,
        debug_info: None,
        task_dispatch_limits: None,
        mesh_shader_primitive_indices_clamp: true,
        trace_ray_argument_validation: true,
        emit_int_div_checks: true,
    }
}

/// The buffers the entry point binds, as wgpu's derived layout has them.
pub fn bindings(config: &KernelConfig) -> Result<Vec<Binding>> {
    let (module, info) = naga_out::lowered(config)?;
    let entry = module
        .entry_points
        .iter()
        .position(|e| e.name == crate::kernel::ENTRY_POINT)
        .ok_or_else(|| Error::input(format!("{}: no entry point `search`", config.variant)))?;
    let used = info.get_entry_point(entry);
    let mut out = Vec::new();
    for (handle, var) in module.global_variables.iter() {
        let Some(binding) = &var.binding else {
            continue;
        };
        if used[handle].is_empty() {
            continue;
        }
        let storage = match var.space {
            naga::AddressSpace::Uniform => false,
            naga::AddressSpace::Storage { .. } => true,
            _ => {
                return Err(Error::input(format!(
                "{}: binding {} of group {} is not a buffer; --isa compiles buffer bindings only",
                config.variant, binding.binding, binding.group
            )))
            }
        };
        out.push(Binding {
            set: binding.group,
            binding: binding.binding,
            storage,
        });
    }
    out.sort_by_key(|b| (b.set, b.binding));
    Ok(out)
}

/// The SPIR-V words for `config` on a device with `facts`.
pub fn spirv(config: &KernelConfig, facts: &DeviceFacts) -> Result<Vec<u32>> {
    let (module, info) = naga_out::lowered(config)?;
    let bindings = bindings(config)?;
    let pipeline = spv::PipelineOptions {
        shader_stage: naga::ShaderStage::Compute,
        entry_point: crate::kernel::ENTRY_POINT.to_string(),
    };
    spv::write_vec(&module, &info, &options(facts, &bindings), Some(&pipeline))
        .map_err(|e| Error::input(format!("{}: SPIR-V: {e}", config.variant)))
}

/// What RADV offers on every family Mesa 22.3 compiles for (Vulkan 1.3,
/// robustness2, image robustness): the SPIR-V is written for these facts
/// first, and again if the device says otherwise.
pub fn assumed_facts() -> DeviceFacts {
    DeviceFacts {
        name: String::new(),
        driver_name: String::new(),
        driver_info: String::new(),
        api_version: [1, 3, 0],
        robust_buffer_access: true,
        robust_buffer_access2: true,
        robust_image_access: true,
    }
}

/// Whether SPIR-V written for `a` is the SPIR-V for `b`.
pub fn same_options(a: &DeviceFacts, b: &DeviceFacts) -> bool {
    let lang = |f: &DeviceFacts| (f.api_version[0], f.api_version[1].min(3));
    lang(a) == lang(b)
        && a.robust_buffer_access2 == b.robust_buffer_access2
        && a.robust_image_access == b.robust_image_access
}
