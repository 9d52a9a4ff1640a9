//! One module per subcommand. Each turns parsed arguments into calls on the
//! library and prints a table or JSON; each returns the exit status.

pub mod bench;
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
        device::adapters()?
    };
    device::select(&spec, &adapters)
}
