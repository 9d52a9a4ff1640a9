//! What a GPU's own sensors say while it works: clocks, temperature, power
//! limit and the reasons its clocks are held back. A card throttles after
//! tens of seconds of load; these readings, taken once per interval of a
//! bench run, show when and why.
//!
//! NVIDIA GPUs report them through NVML (the `nvml-wrapper` crate, loaded
//! at run time). Other devices have no source here, and their samples carry
//! none rather than guessed values.

use std::sync::Arc;

use nvml_wrapper::bitmasks::device::ThrottleReasons;
use nvml_wrapper::enum_wrappers::device::{Clock, TemperatureSensor};
use nvml_wrapper::Nvml;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One reading of a device's sensors; a field the device did not report
/// is absent.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct TelemetrySample {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sm_clock_mhz: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_clock_mhz: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature_c: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_watts: Option<f64>,
    /// The power limit the driver enforces now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_limit_watts: Option<f64>,
    /// Why the clocks are held back, in NVML's terms (`sw-power-cap`,
    /// `hw-slowdown`, `sw-thermal-slowdown`, ...); empty when they are not.
    #[serde(default)]
    pub throttle_reasons: Vec<String>,
}

/// A device's sensors.
pub trait Telemetry: Send {
    /// The sensor in words.
    fn source(&self) -> &str;
    /// Reads every sensor now; `None` when none answered.
    fn read(&mut self) -> Option<TelemetrySample>;
}

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
    let address = crate::energy::PciAddress::parse(bus_id);
    let (index, _) = crate::energy::nvml_device(&nvml, address, name).ok()?;
    Some(Box::new(NvmlTelemetry {
        nvml: Arc::new(nvml),
        index,
        source: format!("NVML GPU {index}"),
    }))
}

/// Every throttle reason seen across `samples`, in order of first sight.
pub fn throttling_seen<'a>(samples: impl IntoIterator<Item = &'a TelemetrySample>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for sample in samples {
        for reason in &sample.throttle_reasons {
            if !seen.contains(reason) {
                seen.push(reason.clone());
            }
        }
    }
    seen
}
