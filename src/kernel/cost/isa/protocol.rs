//! What hashwatt and its RADV worker process say to each other: the
//! worker reads a [`Request`] (JSON) on standard input and writes a
//! [`Reply`] (JSON) on standard output. The worker is hashwatt itself,
//! started with `RADV_FORCE_FAMILY` and the Vulkan loader's driver list in
//! its own environment only (see `worker.rs`).

use serde::{Deserialize, Serialize};

/// Pipelines to compile on the one family the worker was started for.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Request {
    pub pipelines: Vec<PipelineJob>,
}

/// One compute pipeline: SPIR-V, its entry point and the buffers it binds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PipelineJob {
    pub label: String,
    pub spirv: Vec<u32>,
    pub entry_point: String,
    pub bindings: Vec<Binding>,
}

/// A buffer binding of the pipeline's layout, as wgpu derives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub set: u32,
    pub binding: u32,
    /// A storage buffer; else a uniform buffer.
    pub storage: bool,
}

/// What the device is and offers, as wgpu-hal's Vulkan back end would see
/// it: the facts its naga options depend on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceFacts {
    /// `VkPhysicalDeviceProperties::deviceName`.
    pub name: String,
    /// `VkPhysicalDeviceDriverProperties`: driver name and info (the Mesa
    /// version).
    pub driver_name: String,
    pub driver_info: String,
    /// Vulkan version the device offers, as major.minor.patch.
    pub api_version: [u32; 3],
    /// `robustBufferAccess` (core), `robustBufferAccess2` (VK_EXT_robustness2)
    /// and `robustImageAccess` (VK_EXT_image_robustness / Vulkan 1.3).
    pub robust_buffer_access: bool,
    pub robust_buffer_access2: bool,
    pub robust_image_access: bool,
}

/// The worker's answer: the device, then one result per job, in order; or
/// why it could not open the device at all.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Reply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceFacts>,
    #[serde(default)]
    pub results: Vec<JobResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One pipeline's executables (a compute pipeline has one), or why it did
/// not compile.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobResult {
    pub label: String,
    #[serde(default)]
    pub executables: Vec<Executable>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `VK_KHR_pipeline_executable_properties`: one executable's statistics
/// and internal representations.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Executable {
    pub name: String,
    pub description: String,
    pub subgroup_size: u32,
    pub statistics: Vec<Statistic>,
    pub representations: Vec<Representation>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statistic {
    pub name: String,
    pub description: String,
    pub value: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Representation {
    pub name: String,
    pub description: String,
    /// The text, when the driver gives text (ACO's IR and the disassembly).
    pub text: Option<String>,
}

impl Executable {
    /// The statistic RADV names `name` (`VGPRs`, `Instructions`, ...).
    pub fn statistic(&self, name: &str) -> Option<f64> {
        self.statistics
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.value)
    }

    /// The representation RADV names `name` (`Assembly`, `ACO IR`, ...).
    pub fn representation(&self, name: &str) -> Option<&str> {
        self.representations
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| r.text.as_deref())
    }
}
