//! Energy: what the device actually drew during a run, from the sensor its
//! vendor provides, named in every report. A stated power (`--watts`) is
//! accepted for devices without one and is never passed off as measured.
//!
//! | device                          | meter                                  |
//! |---------------------------------|----------------------------------------|
//! | NVIDIA GPU                      | NVML: energy counter, else power       |
//! | AMD GPU (Linux)                 | amdgpu hwmon: energy1, else power1     |
//! | CPU device, software adapter    | RAPL package counters (powercap)       |
//! | anything, with `--watts W`      | stated                                 |

//!
//! The sensors themselves (and the sampling thread, and the choice of a
//! meter for a device) are in [`meters`], part of the `native` feature; a
//! browser has none, and states its power.

#[cfg(feature = "native")]
mod hwmon;
#[cfg(feature = "native")]
mod meters;
#[cfg(feature = "native")]
mod nvml;
#[cfg(feature = "native")]
mod rapl;
#[cfg(feature = "native")]
mod sampler;
mod stated;

pub use crate::sensors::pci::PciAddress;
#[cfg(feature = "native")]
pub use hwmon::open_at as hwmon_meter_at;
#[cfg(feature = "native")]
pub use meters::{idle_watts, meter_for, MAX_IDLE_SECONDS, SAMPLE_INTERVAL};
#[cfg(feature = "native")]
pub use nvml::{find_device as nvml_device, open as nvml_meter, NvmlMode};
#[cfg(feature = "native")]
pub use rapl::open_at as rapl_meter_at;
#[cfg(feature = "native")]
pub use sampler::{counter_delta, Counter, Probe, Reading, SampledMeter};
pub use stated::StatedMeter;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Energy over the timed part of a bench run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct EnergyReport {
    /// Which meter: `nvml-energy`, `nvml-power`, `rapl`, `hwmon-energy`,
    /// `hwmon-power` (measured), or `stated` (`--watts`, not measured).
    pub meter: String,
    /// The sensor or device read, in words.
    pub source: String,
    pub measured: bool,
    /// The whole draw during the run: what a site pays for.
    pub joules: f64,
    pub avg_watts: f64,
    /// Average draw while idle before the run, where it was measured.
    pub idle_watts: Option<f64>,
    pub joules_above_idle: Option<f64>,
    /// Readings taken (counter reads or power samples).
    pub samples: u64,
    /// Headline efficiency, from the whole draw.
    pub hashes_per_joule: f64,
    pub joules_per_terahash: f64,
    pub hashes_per_joule_above_idle: Option<f64>,
}

/// A power meter: start it, stop it, read what it measured in between.
pub trait Meter: Send {
    /// The meter kind as reports name it: `rapl`, `nvml-energy`, `stated`, ...
    fn name(&self) -> &str;
    /// The sensor in words.
    fn source(&self) -> &str;
    /// False only for a stated power.
    fn measured(&self) -> bool {
        true
    }
    fn start(&mut self) -> Result<()>;
    fn stop(&mut self) -> Result<()>;
    /// Joules between the last start and stop.
    fn joules(&self) -> f64;
    fn seconds(&self) -> f64;
    fn average_watts(&self) -> f64 {
        if self.seconds() > 0.0 {
            self.joules() / self.seconds()
        } else {
            0.0
        }
    }
    fn samples(&self) -> u64;
    /// Joules since start() while the meter runs, for the per-interval
    /// power of a run's time series; `None` where the meter cannot tell
    /// before it stops.
    fn joules_so_far(&self) -> Option<f64> {
        None
    }
}

/// The report of a run that hashed `nonces` while `meter` ran.
pub fn report(meter: &dyn Meter, nonces: u64, idle_watts: Option<f64>) -> EnergyReport {
    let joules = meter.joules();
    let per_joule = |j: f64| if j > 0.0 { nonces as f64 / j } else { 0.0 };
    let above_idle = idle_watts.map(|idle| (joules - idle * meter.seconds()).max(0.0));
    EnergyReport {
        meter: meter.name().to_string(),
        source: meter.source().to_string(),
        measured: meter.measured(),
        joules,
        avg_watts: meter.average_watts(),
        idle_watts,
        joules_above_idle: above_idle,
        samples: meter.samples(),
        hashes_per_joule: per_joule(joules),
        joules_per_terahash: if nonces > 0 {
            joules / (nonces as f64 / 1e12)
        } else {
            0.0
        },
        hashes_per_joule_above_idle: above_idle.map(per_joule),
    }
}
