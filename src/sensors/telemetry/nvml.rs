//! Telemetry read through NVML.

use std::sync::Arc;

use nvml_wrapper::bitmasks::device::ThrottleReasons;
use nvml_wrapper::enum_wrappers::device::{Clock, TemperatureSensor};
use nvml_wrapper::Nvml;

use super::{Telemetry, TelemetrySample};

/// Throttle reasons that mean the clocks were held back by load, not by an
/// idle GPU or a user's clock setting.
const THROTTLING: [(ThrottleReasons, &str); 6] = [
    (ThrottleReasons::SW_POWER_CAP, "sw-power-cap"),
    (ThrottleReasons::HW_SLOWDOWN, "hw-slowdown"),
    (ThrottleReasons::SW_THERMAL_SLOWDOWN, "sw-thermal-slowdown"),
    (ThrottleReasons::HW_THERMAL_SLOWDOWN, "hw-thermal-slowdown"),
    (
        ThrottleReasons::HW_POWER_BRAKE_SLOWDOWN,
        "hw-power-brake-slowdown",
    ),
    (ThrottleReasons::SYNC_BOOST, "sync-boost"),
];

struct NvmlTelemetry {
    nvml: Arc<Nvml>,
    index: u32,
    source: String,
}

impl Telemetry for NvmlTelemetry {
    fn source(&self) -> &str {
        &self.source
    }

    fn read(&mut self) -> Option<TelemetrySample> {
        let device = self.nvml.device_by_index(self.index).ok()?;
        let reasons = device.current_throttle_reasons().ok();
        let sample = TelemetrySample {
            sm_clock_mhz: device.clock_info(Clock::SM).ok(),
            memory_clock_mhz: device.clock_info(Clock::Memory).ok(),
            temperature_c: device.temperature(TemperatureSensor::Gpu).ok(),
            power_watts: device.power_usage().ok().map(|mw| mw as f64 / 1000.0),
            power_limit_watts: device
                .enforced_power_limit()
                .ok()
                .map(|mw| mw as f64 / 1000.0),
            throttle_reasons: reasons
                .map(|r| {
                    THROTTLING
                        .iter()
                        .filter(|(bit, _)| r.contains(*bit))
                        .map(|(_, name)| name.to_string())
                        .collect()
                })
                .unwrap_or_default(),
        };
        (sample != TelemetrySample::default()).then_some(sample)
    }
}

/// NVML telemetry for the NVIDIA GPU at PCI `bus_id` (or named `name`),
/// found the way the NVML power meter finds it.
pub fn nvml(bus_id: &str, name: &str) -> Option<Box<dyn Telemetry>> {
    let nvml = Nvml::init().ok()?;
    let address = crate::sensors::energy::PciAddress::parse(bus_id);
    let (index, _) = crate::sensors::energy::nvml_device(&nvml, address, name).ok()?;
    Some(Box::new(NvmlTelemetry {
        nvml: Arc::new(nvml),
        index,
        source: format!("NVML GPU {index}"),
    }))
}
