//! NVIDIA GPU energy through NVML (the `nvml-wrapper` crate, which loads
//! `libnvidia-ml.so.1` at run time: hashwatt builds and runs without the
//! driver). Volta and later have a total-energy counter (millijoules);
//! older GPUs are sampled for power (milliwatts) and integrated.

use std::sync::Arc;
use std::time::Duration;

use nvml_wrapper::Nvml;

use super::sampler::{Counter, Probe, Reading, SampledMeter};
use crate::sensors::pci::PciAddress;

struct NvmlProbe {
    nvml: Arc<Nvml>,
    index: u32,
    counter: bool,
}

impl Probe for NvmlProbe {
    fn read(&mut self) -> std::result::Result<Reading, String> {
        let device = self
            .nvml
            .device_by_index(self.index)
            .map_err(|e| format!("NVML device {}: {e}", self.index))?;
        if self.counter {
            let millijoules = device
                .total_energy_consumption()
                .map_err(|e| format!("NVML energy counter: {e}"))?;
            Ok(Reading::Counters(vec![Counter {
                value: millijoules,
                wraps_at: None,
            }]))
        } else {
            let milliwatts = device
                .power_usage()
                .map_err(|e| format!("NVML power reading: {e}"))?;
            Ok(Reading::Watts(milliwatts as f64 / 1000.0))
        }
    }

    fn joules_per_unit(&self) -> f64 {
        1e-3
    }
}

/// How to read the GPU: its counter where it has one, or sampled power.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NvmlMode {
    PreferCounter,
    SampledPower,
}

/// NVML's index of the GPU at PCI `address`, else the one named `name`
/// (with a note saying it was matched by name), or why none.
pub fn find_device(
    nvml: &Nvml,
    address: Option<PciAddress>,
    name: &str,
) -> std::result::Result<(u32, String), String> {
    let count = nvml
        .device_count()
        .map_err(|e| format!("NVML cannot count devices: {e}"))?;
    let mut by_name = None;
    for index in 0..count {
        let Ok(device) = nvml.device_by_index(index) else {
            continue;
        };
        let bus = device
            .pci_info()
            .ok()
            .and_then(|info| PciAddress::parse(&info.bus_id));
        if address.is_some() && bus == address {
            return Ok((index, String::new()));
        }
        if by_name.is_none() && device.name().is_ok_and(|n| n == name) {
            by_name = Some((
                index,
                ", matched by name (the adapter gave no PCI address)".to_string(),
            ));
        }
    }
    by_name.ok_or_else(|| format!("NVML sees no GPU at {address:?} or named {name:?}"))
}

/// The NVML meter of the GPU at `address` (or named `name`), or why none.
pub fn open(
    address: Option<PciAddress>,
    name: &str,
    mode: NvmlMode,
    interval: Duration,
) -> std::result::Result<SampledMeter, String> {
    let nvml = Nvml::init()
        .map_err(|e| format!("NVML is not available ({e}); it comes with the NVIDIA driver"))?;
    let (index, note) = find_device(&nvml, address, name)?;
    let device = nvml
        .device_by_index(index)
        .map_err(|e| format!("NVML device {index}: {e}"))?;
    let counter = mode == NvmlMode::PreferCounter && device.total_energy_consumption().is_ok();
    let device_name = device.name().unwrap_or_else(|_| name.to_string());
    let (kind, what) = if counter {
        ("nvml-energy", "total-energy counter")
    } else {
        ("nvml-power", "power readings integrated")
    };
    let source = format!("NVML GPU {index} {device_name}, {what}{note}");
    let mut meter = SampledMeter::new(
        kind,
        source,
        interval,
        Box::new(NvmlProbe {
            nvml: Arc::new(nvml),
            index,
            counter,
        }),
    );
    meter.check()?;
    Ok(meter)
}
