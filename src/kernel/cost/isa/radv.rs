//! The worker's Vulkan side: RADV's device (the null device that
//! `RADV_FORCE_FAMILY` makes, in this process's environment only) opened
//! through plain Vulkan (`ash`), compute pipelines built from SPIR-V, and
//! their `VK_KHR_pipeline_executable_properties`: ACO's statistics and its
//! internal representations, the disassembly among them.
//!
//! wgpu cannot open the null device ("Parent device is lost"), so this
//! does what wgpu-hal does on the way to a pipeline, no more: the features
//! wgpu-hal enables that change code generation (robust buffer access 1
//! and 2, robust image access) are enabled here when offered.

use std::ffi::{c_char, CStr};

use ash::vk;

use super::protocol::{
    Binding, DeviceFacts, Executable, JobResult, PipelineJob, Reply, Representation, Request,
    Statistic,
};

/// RADV's `VkDriverId`.
const RADV: vk::DriverId = vk::DriverId::MESA_RADV;

fn text(chars: &[c_char]) -> String {
    let bytes: Vec<u8> = chars
        .iter()
        .take_while(|c| **c != 0)
        .map(|c| *c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Opens RADV's device and compiles every job; never panics on a driver's
/// refusal: the reply says what failed.
pub fn serve(request: &Request) -> Reply {
    match unsafe { Session::open() } {
        Ok(session) => {
            let results = request
                .pipelines
                .iter()
                .map(|job| unsafe { session.compile(job) })
                .collect();
            let device = session.facts.clone();
            unsafe { session.close() };
            Reply {
                device: Some(device),
                results,
                error: None,
            }
        }
        Err(error) => Reply {
            device: None,
            results: Vec::new(),
            error: Some(error),
        },
    }
}

struct Session {
    _entry: ash::Entry,
    instance: ash::Instance,
    device: ash::Device,
    executables: ash::khr::pipeline_executable_properties::Device,
    facts: DeviceFacts,
}

impl Session {
    unsafe fn open() -> Result<Session, String> {
        let entry =
            ash::Entry::load().map_err(|e| format!("no Vulkan loader (libvulkan.so.1): {e}"))?;
        let app = vk::ApplicationInfo::default()
            .application_name(c"hashwatt kernel-cost --isa")
            .api_version(vk::API_VERSION_1_3);
        let instance = entry
            .create_instance(
                &vk::InstanceCreateInfo::default().application_info(&app),
                None,
            )
            .map_err(|e| format!("vkCreateInstance with RADV's driver only: {e}"))?;
        match Self::open_device(entry, instance.clone()) {
            Ok(session) => Ok(session),
            Err(error) => {
                instance.destroy_instance(None);
                Err(error)
            }
        }
    }

    unsafe fn open_device(entry: ash::Entry, instance: ash::Instance) -> Result<Session, String> {
        let physical = instance
            .enumerate_physical_devices()
            .map_err(|e| format!("vkEnumeratePhysicalDevices: {e}"))?;
        let mut found = None;
        for pd in physical {
            let mut driver = vk::PhysicalDeviceDriverProperties::default();
            let mut props = vk::PhysicalDeviceProperties2::default().push_next(&mut driver);
            instance.get_physical_device_properties2(pd, &mut props);
            let p = props.properties;
            if driver.driver_id == RADV {
                let version = [
                    vk::api_version_major(p.api_version),
                    vk::api_version_minor(p.api_version),
                    vk::api_version_patch(p.api_version),
                ];
                found = Some((
                    pd,
                    text(&p.device_name),
                    text(&driver.driver_name),
                    text(&driver.driver_info),
                    version,
                ));
                break;
            }
        }
        let (pd, name, driver_name, driver_info, api_version) =
            found.ok_or("the Vulkan loader offers no RADV device")?;

        let extensions: Vec<String> = instance
            .enumerate_device_extension_properties(pd)
            .map_err(|e| format!("vkEnumerateDeviceExtensionProperties: {e}"))?
            .iter()
            .map(|e| text(&e.extension_name))
            .collect();
        let has = |ext: &CStr| extensions.iter().any(|e| e.as_bytes() == ext.to_bytes());
        let pep = ash::khr::pipeline_executable_properties::NAME;
        if !has(pep) {
            return Err(format!("{name} does not offer {}", pep.to_string_lossy()));
        }
        let has_robustness2 = has(ash::ext::robustness2::NAME);

        let mut robustness2 = vk::PhysicalDeviceRobustness2FeaturesEXT::default();
        let mut image_robustness = vk::PhysicalDeviceImageRobustnessFeatures::default();
        let mut pep_features = vk::PhysicalDevicePipelineExecutablePropertiesFeaturesKHR::default();
        let mut features = vk::PhysicalDeviceFeatures2::default()
            .push_next(&mut pep_features)
            .push_next(&mut image_robustness);
        if has_robustness2 {
            features = features.push_next(&mut robustness2);
        }
        instance.get_physical_device_features2(pd, &mut features);
        let core = features.features;
        let facts = DeviceFacts {
            name,
            driver_name,
            driver_info,
            api_version,
            robust_buffer_access: core.robust_buffer_access == vk::TRUE,
            robust_buffer_access2: has_robustness2 && robustness2.robust_buffer_access2 == vk::TRUE,
            robust_image_access: image_robustness.robust_image_access == vk::TRUE,
        };
        if pep_features.pipeline_executable_info != vk::TRUE {
            return Err(format!("{} has no pipelineExecutableInfo", facts.name));
        }

        let queue_family = instance
            .get_physical_device_queue_family_properties(pd)
            .iter()
            .position(|q| q.queue_flags.contains(vk::QueueFlags::COMPUTE))
            .ok_or_else(|| format!("{} has no compute queue", facts.name))?
            as u32;
        let priorities = [1.0f32];
        let queues = [vk::DeviceQueueCreateInfo::default()
            .queue_family_index(queue_family)
            .queue_priorities(&priorities)];
        let mut names = vec![pep.as_ptr()];
        if has_robustness2 {
            names.push(ash::ext::robustness2::NAME.as_ptr());
        }
        // What wgpu-hal enables that reaches code generation.
        let mut enable_pep = vk::PhysicalDevicePipelineExecutablePropertiesFeaturesKHR::default()
            .pipeline_executable_info(true);
        let mut enable_image = vk::PhysicalDeviceImageRobustnessFeatures::default()
            .robust_image_access(facts.robust_image_access);
        let mut enable_r2 = vk::PhysicalDeviceRobustness2FeaturesEXT::default()
            .robust_buffer_access2(facts.robust_buffer_access2)
            .robust_image_access2(has_robustness2 && robustness2.robust_image_access2 == vk::TRUE);
        let core_enabled =
            vk::PhysicalDeviceFeatures::default().robust_buffer_access(facts.robust_buffer_access);
        let mut info = vk::DeviceCreateInfo::default()
            .queue_create_infos(&queues)
            .enabled_extension_names(&names)
            .enabled_features(&core_enabled)
            .push_next(&mut enable_pep)
            .push_next(&mut enable_image);
        if has_robustness2 {
            info = info.push_next(&mut enable_r2);
        }
        let device = instance
            .create_device(pd, &info, None)
            .map_err(|e| format!("vkCreateDevice on {}: {e}", facts.name))?;
        let executables = ash::khr::pipeline_executable_properties::Device::new(&instance, &device);
        Ok(Session {
            _entry: entry,
            instance,
            device,
            executables,
            facts,
        })
    }

    unsafe fn close(self) {
        self.device.destroy_device(None);
        self.instance.destroy_instance(None);
    }

    unsafe fn compile(&self, job: &PipelineJob) -> JobResult {
        let mut result = JobResult {
            label: job.label.clone(),
            executables: Vec::new(),
            error: None,
        };
        match self.pipeline(job) {
            Ok(executables) => result.executables = executables,
            Err(error) => result.error = Some(error),
        }
        result
    }

    unsafe fn pipeline(&self, job: &PipelineJob) -> Result<Vec<Executable>, String> {
        let d = &self.device;
        let module = d
            .create_shader_module(
                &vk::ShaderModuleCreateInfo::default().code(&job.spirv),
                None,
            )
            .map_err(|e| format!("vkCreateShaderModule: {e}"))?;
        let mut sets: Vec<u32> = job.bindings.iter().map(|b| b.set).collect();
        sets.sort_unstable();
        sets.dedup();
        let set_count = sets.last().map_or(0, |s| s + 1);
        let mut set_layouts = Vec::new();
        for set in 0..set_count {
            let bindings: Vec<vk::DescriptorSetLayoutBinding> = job
                .bindings
                .iter()
                .filter(|b| b.set == set)
                .map(layout_binding)
                .collect();
            let layout = d
                .create_descriptor_set_layout(
                    &vk::DescriptorSetLayoutCreateInfo::default().bindings(&bindings),
                    None,
                )
                .map_err(|e| format!("vkCreateDescriptorSetLayout: {e}"))?;
            set_layouts.push(layout);
        }
        let layout = d
            .create_pipeline_layout(
                &vk::PipelineLayoutCreateInfo::default().set_layouts(&set_layouts),
                None,
            )
            .map_err(|e| format!("vkCreatePipelineLayout: {e}"))?;
        let entry = std::ffi::CString::new(job.entry_point.as_str())
            .map_err(|_| "an entry point name with a nul byte".to_string())?;
        let stage = vk::PipelineShaderStageCreateInfo::default()
            .stage(vk::ShaderStageFlags::COMPUTE)
            .module(module)
            .name(&entry);
        let info = vk::ComputePipelineCreateInfo::default()
            .flags(
                vk::PipelineCreateFlags::CAPTURE_STATISTICS_KHR
                    | vk::PipelineCreateFlags::CAPTURE_INTERNAL_REPRESENTATIONS_KHR,
            )
            .stage(stage)
            .layout(layout);
        let created = d.create_compute_pipelines(vk::PipelineCache::null(), &[info], None);
        let outcome = match created {
            Ok(pipelines) => {
                let pipeline = pipelines[0];
                let executables = self.executables_of(pipeline);
                d.destroy_pipeline(pipeline, None);
                executables
            }
            Err((_, e)) => Err(format!("vkCreateComputePipelines: {e}")),
        };
        d.destroy_pipeline_layout(layout, None);
        for set_layout in set_layouts {
            d.destroy_descriptor_set_layout(set_layout, None);
        }
        d.destroy_shader_module(module, None);
        outcome
    }

    unsafe fn executables_of(&self, pipeline: vk::Pipeline) -> Result<Vec<Executable>, String> {
        let ext = &self.executables;
        let properties = ext
            .get_pipeline_executable_properties(&vk::PipelineInfoKHR::default().pipeline(pipeline))
            .map_err(|e| format!("vkGetPipelineExecutablePropertiesKHR: {e}"))?;
        let mut out = Vec::new();
        for (index, p) in properties.iter().enumerate() {
            let info = vk::PipelineExecutableInfoKHR::default()
                .pipeline(pipeline)
                .executable_index(index as u32);
            let statistics = ext
                .get_pipeline_executable_statistics(&info)
                .map_err(|e| format!("vkGetPipelineExecutableStatisticsKHR: {e}"))?
                .iter()
                .map(|s| Statistic {
                    name: text(&s.name),
                    description: text(&s.description),
                    value: match s.format {
                        vk::PipelineExecutableStatisticFormatKHR::BOOL32 => f64::from(s.value.b32),
                        vk::PipelineExecutableStatisticFormatKHR::INT64 => s.value.i64 as f64,
                        vk::PipelineExecutableStatisticFormatKHR::UINT64 => s.value.u64 as f64,
                        _ => s.value.f64,
                    },
                })
                .collect();
            out.push(Executable {
                name: text(&p.name),
                description: text(&p.description),
                subgroup_size: p.subgroup_size,
                statistics,
                representations: self.representations(&info)?,
            });
        }
        Ok(out)
    }

    /// The internal representations: a first call for their sizes, a
    /// second into buffers of those sizes.
    unsafe fn representations(
        &self,
        info: &vk::PipelineExecutableInfoKHR,
    ) -> Result<Vec<Representation>, String> {
        let ext = &self.executables;
        let mut reps = ext
            .get_pipeline_executable_internal_representations(info)
            .map_err(|e| format!("vkGetPipelineExecutableInternalRepresentationsKHR: {e}"))?;
        let mut buffers: Vec<Vec<u8>> = reps.iter().map(|r| vec![0u8; r.data_size]).collect();
        for (rep, buffer) in reps.iter_mut().zip(buffers.iter_mut()) {
            rep.p_data = buffer.as_mut_ptr().cast();
        }
        let mut count = reps.len() as u32;
        let status = (ext
            .fp()
            .get_pipeline_executable_internal_representations_khr)(
            ext.device(),
            info,
            &mut count,
            reps.as_mut_ptr(),
        );
        if status != vk::Result::SUCCESS {
            return Err(format!(
                "vkGetPipelineExecutableInternalRepresentationsKHR: {status}"
            ));
        }
        Ok(reps
            .iter()
            .zip(buffers)
            .map(|(rep, buffer)| Representation {
                name: text(&rep.name),
                description: text(&rep.description),
                text: (rep.is_text == vk::TRUE).then(|| {
                    let end = buffer.iter().position(|b| *b == 0).unwrap_or(buffer.len());
                    String::from_utf8_lossy(&buffer[..end]).into_owned()
                }),
            })
            .collect())
    }
}

fn layout_binding(b: &Binding) -> vk::DescriptorSetLayoutBinding<'static> {
    vk::DescriptorSetLayoutBinding::default()
        .binding(b.binding)
        .descriptor_type(if b.storage {
            vk::DescriptorType::STORAGE_BUFFER
        } else {
            vk::DescriptorType::UNIFORM_BUFFER
        })
        .descriptor_count(1)
        .stage_flags(vk::ShaderStageFlags::COMPUTE)
}
