//! What a GPU's own sensors say while it works: clocks, temperature, power
//! limit and the reasons its clocks are held back. A card throttles after
//! tens of seconds of load; these readings, taken once per interval of a
//! bench run, show when and why.
//!
//! NVIDIA GPUs report them through NVML (the `nvml-wrapper` crate, loaded
//! at run time; part of the `native` feature). Other devices have no
//! source here, and their samples carry none rather than guessed values.

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

#[cfg(feature = "native")]
mod nvml;
#[cfg(feature = "native")]
pub use nvml::nvml;

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
