//! One module per subcommand. Each turns parsed arguments into calls on the
//! library and prints a table or JSON; each returns the exit status.

pub mod bench;
mod bench_render;
pub mod compare;
pub mod devices;
pub mod estimate;
pub mod headers;
pub mod search;
pub mod tune;
pub mod verify;

use crate::device::{self, DeviceChoice, DeviceSpec};
use crate::error::Result;

/// The devices `--device` names, resolved against the adapters present.
pub(crate) fn choose_devices(spec: Option<&str>) -> Result<Vec<DeviceChoice>> {
    let spec = DeviceSpec::parse(spec)?;
    let adapters = if spec == DeviceSpec::Cpu {
        Vec::new()
    } else {
        device::adapters()
    };
    device::select(&spec, &adapters)
}

/// The devices `bench` runs: as [`choose_devices`], except that with no
/// `--device` (and no wgpu variable steering the choice) a software
/// rasterizer is never benched as if it were the GPU; see
/// [`device::honest_default`].
pub(crate) fn choose_bench_devices(spec: Option<&str>) -> Result<Vec<DeviceChoice>> {
    let parsed = DeviceSpec::parse(spec)?;
    let steered = std::env::var_os("WGPU_BACKEND").is_some()
        || std::env::var_os("WGPU_ADAPTER_NAME").is_some();
    if parsed == DeviceSpec::Best && !steered {
        let adapters = device::adapters();
        if let Some((cpu, note)) = device::honest_default(&adapters) {
            errln!("hashwatt: {note}");
            return Ok(vec![cpu]);
        }
        return device::select(&parsed, &adapters);
    }
    choose_devices(spec)
}
