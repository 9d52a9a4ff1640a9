//! One module per subcommand. Each turns parsed arguments into calls on the
//! library and prints a table or JSON; each returns the exit status.

pub mod bench;
pub mod devices;
pub mod estimate;
pub mod headers;
pub mod search;
pub mod tune;
pub mod verify;

use crate::cli::CpuArgs;
use crate::cpu::CpuPath;
use crate::device::{self, CpuOptions, DeviceChoice, DeviceSpec};
use crate::error::Result;

/// The devices `--device` names, resolved against the adapters present.
pub(crate) fn choose_devices(spec: Option<&str>) -> Result<Vec<DeviceChoice>> {
    choose_devices_with(spec, &CpuArgs::default())
}

/// The same, with `--cpu-path` and `--threads` for the CPU device.
pub(crate) fn choose_devices_with(spec: Option<&str>, cpu: &CpuArgs) -> Result<Vec<DeviceChoice>> {
    let options = CpuOptions {
        path: cpu.cpu_path.as_deref().map(CpuPath::parse).transpose()?,
        threads: cpu.threads,
    };
    let spec = DeviceSpec::parse(spec)?;
    let adapters = if spec == DeviceSpec::Cpu {
        Vec::new()
    } else {
        device::adapters()
    };
    device::select_with(&spec, &adapters, options)
}
