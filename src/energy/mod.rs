//! Energy: what the device actually drew during a run, from the sensor its
//! vendor provides, named in every report. A stated power (`--watts`) is
//! accepted for devices without one and is never passed off as measured.
//!
//! | device                          | meter                                  |
//! |---------------------------------|----------------------------------------|
//! | NVIDIA GPU                      | NVML: energy counter, else power       |
//! | AMD GPU (Linux)                 | amdgpu hwmon: energy1, else power1     |
//! | CPU reference, software adapter | RAPL package counters (powercap)       |
//! | anything, with `--watts W`      | stated                                 |

mod hwmon;
mod nvml;
mod pci;
mod rapl;
mod sampler;
mod stated;

use std::time::Duration;

pub use hwmon::open_at as hwmon_meter_at;
pub use nvml::{find_device as nvml_device, open as nvml_meter, NvmlMode};
pub use pci::PciAddress;
pub use rapl::open_at as rapl_meter_at;
pub use sampler::{counter_delta, Counter, Probe, Reading, SampledMeter};
pub use stated::StatedMeter;

use crate::device::DeviceChoice;
use crate::error::{Error, Result};
use crate::report::EnergyReport;

/// Energy counters are read this often (keeps a wrapping counter from
/// wrapping twice unseen); power is sampled at the same 20 Hz.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(50);

const NVIDIA: u32 = 0x10de;
const AMD: u32 = 0x1002;

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

/// The meter for a device, or why it has none.
pub fn meter_for(
    choice: &DeviceChoice,
    stated_watts: Option<f64>,
    nvml_mode: NvmlMode,
) -> std::result::Result<Box<dyn Meter>, String> {
    if let Some(watts) = stated_watts {
        return StatedMeter::new(watts)
            .map(|m| Box::new(m) as Box<dyn Meter>)
            .map_err(|e| e.message);
    }
    let boxed = |m: SampledMeter| Box::new(m) as Box<dyn Meter>;
    match choice {
        DeviceChoice::Cpu { .. } => rapl::open(SAMPLE_INTERVAL).map(boxed),
        DeviceChoice::Gpu(adapter) => {
            let info = &adapter.info;
            let address = PciAddress::parse(&info.device_pci_bus_id);
            if info.device_type == wgpu::DeviceType::Cpu {
                // A software adapter (lavapipe, WARP) runs on the CPU packages.
                return rapl::open(SAMPLE_INTERVAL).map(boxed).map_err(|why| {
                    format!("a software adapter runs on the CPU, whose meter is unavailable: {why}")
                });
            }
            match info.vendor {
                NVIDIA => nvml::open(address, &info.name, nvml_mode, SAMPLE_INTERVAL).map(boxed),
                AMD => hwmon::open(address, SAMPLE_INTERVAL).map(boxed),
                vendor => Err(format!(
                    "no power sensor hashwatt reads for vendor 0x{vendor:04x}; give --watts W (a wall meter's reading or the board power)"
                )),
            }
        }
    }
}

/// The longest idle measurement: an hour. A longer one is refused as bad
/// input (`bench --idle-seconds` checks it where it parses the value).
pub const MAX_IDLE_SECONDS: f64 = 3600.0;

/// Average watts over `seconds` of idle (0 < seconds <= [`MAX_IDLE_SECONDS`]).
/// Ctrl-C ends the wait within a tenth of a second; the idle draw is then
/// not measured, and the error says so.
pub fn idle_watts(meter: &mut dyn Meter, seconds: f64) -> Result<f64> {
    if !(seconds > 0.0 && seconds <= MAX_IDLE_SECONDS) {
        return Err(Error::input(format!(
            "--idle-seconds must be more than 0 and at most {MAX_IDLE_SECONDS}, got {seconds}"
        )));
    }
    meter.start()?;
    let finished = crate::signals::sleep_unless_stopped(Duration::from_secs_f64(seconds));
    let stopped = meter.stop();
    if !finished {
        return Err(Error::device(
            "the idle-power measurement was interrupted; energy not measured",
        ));
    }
    stopped?;
    Ok(meter.average_watts())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_idle_times_are_refused_not_slept() {
        let mut meter = StatedMeter::new(50.0).unwrap();
        for seconds in [
            1e20,
            f64::INFINITY,
            f64::NAN,
            -1.0,
            0.0,
            MAX_IDLE_SECONDS + 1.0,
        ] {
            let err = idle_watts(&mut meter, seconds).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::BAD_INPUT, "{seconds}");
        }
    }
}
