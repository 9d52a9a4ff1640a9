//! Choosing a device's meter, and the idle measurement: what needs the
//! operating system's sensors, threads and signals.

use std::time::Duration;

use super::{hwmon, nvml, rapl, Meter, NvmlMode, PciAddress, SampledMeter, StatedMeter};
use crate::error::{Error, Result};

/// Energy counters are read this often (keeps a wrapping counter from
/// wrapping twice unseen); power is sampled at the same 20 Hz.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(50);

const NVIDIA: u32 = 0x10de;
const AMD: u32 = 0x1002;

/// The meter for a device, or why it has none: `gpu` is the adapter's
/// information, `None` for the CPU device.
pub fn meter_for(
    gpu: Option<&wgpu::AdapterInfo>,
    stated_watts: Option<f64>,
    nvml_mode: NvmlMode,
) -> std::result::Result<Box<dyn Meter>, String> {
    if let Some(watts) = stated_watts {
        return StatedMeter::new(watts)
            .map(|m| Box::new(m) as Box<dyn Meter>)
            .map_err(|e| e.message);
    }
    let boxed = |m: SampledMeter| Box::new(m) as Box<dyn Meter>;
    match gpu {
        None => rapl::open(SAMPLE_INTERVAL).map(boxed),
        Some(info) => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::energy::StatedMeter;

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
