//! What the machine says about a run: energy from power meters (NVML,
//! RAPL, hwmon, or a stated wattage), the GPU's clocks, temperature and
//! throttling during the run, and the host the run took place on.

pub mod energy;
pub mod host;
pub mod pci;
pub mod telemetry;
