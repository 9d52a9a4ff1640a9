//! Finding wgpu adapters and ranking them. The instance honours wgpu's own
//! environment variables (`WGPU_BACKEND`, and `WGPU_ADAPTER_NAME` through
//! [`crate::devices`]), so users can steer it the way every wgpu program is steered.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One adapter wgpu found, with its position in `hashwatt devices`.
#[derive(Clone, Debug)]
pub struct GpuAdapter {
    pub index: usize,
    pub adapter: wgpu::Adapter,
    pub info: wgpu::AdapterInfo,
}

/// What reports say about a device.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct DeviceSummary {
    pub name: String,
    pub backend: String,
    #[serde(rename = "type")]
    pub device_type: String,
    pub driver: String,
    /// The CPU device's search path (`sha-ni`, `avx512`, `avx2`, `scalar`);
    /// absent for a GPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_path: Option<String>,
}

impl GpuAdapter {
    pub fn summary(&self) -> DeviceSummary {
        summarize(&self.info)
    }

    pub fn limits_summary(&self) -> AdapterLimits {
        let limits = self.adapter.limits();
        AdapterLimits {
            max_compute_workgroup_size_x: limits.max_compute_workgroup_size_x,
            max_compute_invocations_per_workgroup: limits.max_compute_invocations_per_workgroup,
            max_compute_workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
            max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
            timestamp_queries: self
                .adapter
                .features()
                .contains(wgpu::Features::TIMESTAMP_QUERY),
        }
    }

    /// Higher is better: real GPUs before software rasterizers, native APIs
    /// before OpenGL.
    pub fn rank(&self) -> u32 {
        let kind = match self.info.device_type {
            wgpu::DeviceType::DiscreteGpu => 40,
            wgpu::DeviceType::IntegratedGpu => 30,
            wgpu::DeviceType::VirtualGpu => 20,
            wgpu::DeviceType::Other => 10,
            wgpu::DeviceType::Cpu => 5,
        };
        let api = match self.info.backend {
            wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 2,
            wgpu::Backend::Gl => 1,
            _ => 0,
        };
        kind * 10 + api
    }

    pub fn label(&self) -> String {
        format!(
            "#{} {} ({})",
            self.index,
            self.info.name,
            backend_name(self.info.backend)
        )
    }
}

/// The adapter limits that shape a search.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct AdapterLimits {
    pub max_compute_workgroup_size_x: u32,
    pub max_compute_invocations_per_workgroup: u32,
    pub max_compute_workgroups_per_dimension: u32,
    pub max_storage_buffer_binding_size: u64,
    pub timestamp_queries: bool,
}

pub fn summarize(info: &wgpu::AdapterInfo) -> DeviceSummary {
    let driver = match (info.driver.is_empty(), info.driver_info.is_empty()) {
        (false, false) => format!("{} {}", info.driver, info.driver_info),
        (false, true) => info.driver.clone(),
        (true, false) => info.driver_info.clone(),
        (true, true) => String::new(),
    };
    DeviceSummary {
        name: info.name.clone(),
        backend: backend_name(info.backend).to_string(),
        device_type: device_type_name(info.device_type).to_string(),
        driver,
        cpu_path: None,
    }
}

pub fn backend_name(backend: wgpu::Backend) -> &'static str {
    match backend {
        wgpu::Backend::Vulkan => "vulkan",
        wgpu::Backend::Metal => "metal",
        wgpu::Backend::Dx12 => "dx12",
        wgpu::Backend::Gl => "gl",
        wgpu::Backend::BrowserWebGpu => "webgpu",
        _ => "other",
    }
}

pub fn device_type_name(device_type: wgpu::DeviceType) -> &'static str {
    match device_type {
        wgpu::DeviceType::DiscreteGpu => "discrete-gpu",
        wgpu::DeviceType::IntegratedGpu => "integrated-gpu",
        wgpu::DeviceType::VirtualGpu => "virtual-gpu",
        wgpu::DeviceType::Cpu => "cpu",
        wgpu::DeviceType::Other => "other",
    }
}

/// Every adapter that can run compute shaders, in wgpu's order; the index is
/// what `--device N` takes. With `WGPU_BACKEND` set, exactly those backends;
/// otherwise the native APIs (Vulkan, Metal, DX12), and OpenGL only when
/// none of them has an adapter (probing GL first makes Mesa's EGL print
/// warnings on headless machines, and GL is the slowest path to compute).
pub fn enumerate_adapters() -> Vec<GpuAdapter> {
    if let Ok(Some(backends)) = backends_from_env() {
        return enumerate(backends);
    }
    let native = enumerate(wgpu::Backends::PRIMARY);
    if native.is_empty() {
        enumerate(wgpu::Backends::SECONDARY)
    } else {
        native
    }
}

/// Every adapter on every backend, OpenGL included even where a native API
/// has one (for `cargo bench`, which sets the two paths side by side), or
/// exactly the backends `WGPU_BACKEND` names. Indexed in this order.
pub fn enumerate_every_backend() -> Vec<GpuAdapter> {
    if let Ok(Some(_)) = backends_from_env() {
        return enumerate_adapters();
    }
    let mut adapters = enumerate(wgpu::Backends::PRIMARY);
    adapters.extend(enumerate(wgpu::Backends::SECONDARY));
    for (index, adapter) in adapters.iter_mut().enumerate() {
        adapter.index = index;
    }
    adapters
}

/// The backends `WGPU_BACKEND` names, as wgpu reads them (a comma-separated
/// list, any case), or an error naming the valid values when a name is not
/// one of them: wgpu alone would drop a misspelt `vulcan` and find nothing.
pub fn backends_from_env() -> Result<Option<wgpu::Backends>, String> {
    let Some(value) = std::env::var_os("WGPU_BACKEND") else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    let mut backends = wgpu::Backends::empty();
    for name in text.split(',') {
        let name = name.trim().to_ascii_lowercase();
        backends |=
            match name.as_str() {
                "" if text.trim().is_empty() => return Err(
                    "WGPU_BACKEND is set but empty; name vulkan, metal, dx12 or gl, or unset it"
                        .into(),
                ),
                "" => continue,
                "vulkan" | "vk" => wgpu::Backends::VULKAN,
                "dx12" | "d3d12" => wgpu::Backends::DX12,
                "metal" | "mtl" => wgpu::Backends::METAL,
                "opengl" | "gles" | "gl" => wgpu::Backends::GL,
                "webgpu" => wgpu::Backends::BROWSER_WEBGPU,
                _ => {
                    return Err(format!(
                    "WGPU_BACKEND={text}: unknown backend {name:?}; expected a comma-separated \
list of vulkan, metal, dx12, gl (or unset it to use the best present)"
                ))
                }
            };
    }
    Ok(Some(backends))
}

fn enumerate(backends: wgpu::Backends) -> Vec<GpuAdapter> {
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    descriptor.backends = backends;
    let instance = wgpu::Instance::new(descriptor);
    pollster::block_on(instance.enumerate_adapters(backends))
        .into_iter()
        .filter(|adapter| {
            adapter
                .get_downlevel_capabilities()
                .flags
                .contains(wgpu::DownlevelFlags::COMPUTE_SHADERS)
        })
        .enumerate()
        .map(|(index, adapter)| {
            let info = adapter.get_info();
            GpuAdapter {
                index,
                adapter,
                info,
            }
        })
        .collect()
}
