//! AMD GPU energy on Linux, from the amdgpu driver's hwmon files under
//! `/sys/class/drm/cardN/device/hwmon/hwmonM/`: the `energy1_input`
//! counter (microjoules) where the GPU has one, else `power1_average` or
//! `power1_input` (microwatts) sampled and integrated.
//! `HASHWATT_DRM_ROOT` moves the tree (default `/sys/class/drm`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::sampler::{Counter, Probe, Reading, SampledMeter};
use crate::sensors::pci::PciAddress;

pub fn root() -> PathBuf {
    std::env::var_os("HASHWATT_DRM_ROOT")
        .map_or_else(|| PathBuf::from("/sys/class/drm"), PathBuf::from)
}

const AMD_VENDOR: &str = "0x1002";

/// An AMD card: its drm name, PCI address and hwmon folder.
struct Card {
    name: String,
    address: Option<PciAddress>,
    hwmon: Option<PathBuf>,
}

fn cards(root: &Path) -> Vec<Card> {
    let mut cards: Vec<Card> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            // card0, not connectors such as card0-DP-1.
            let is_card = name
                .strip_prefix("card")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            let device = entry.path().join("device");
            let vendor =
                crate::textfile::read_attribute(&device.join("vendor")).unwrap_or_default();
            (is_card && vendor.trim() == AMD_VENDOR).then(|| Card {
                name,
                address: pci_address(&device),
                hwmon: std::fs::read_dir(device.join("hwmon"))
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path())
                    .min(),
            })
        })
        .collect();
    cards.sort_by(|a, b| a.name.cmp(&b.name));
    cards
}

/// `PCI_SLOT_NAME` from the device's uevent, else the name the `device`
/// link points at.
fn pci_address(device: &Path) -> Option<PciAddress> {
    let uevent = crate::textfile::read_attribute(&device.join("uevent")).unwrap_or_default();
    uevent
        .lines()
        .find_map(|line| line.strip_prefix("PCI_SLOT_NAME="))
        .and_then(PciAddress::parse)
        .or_else(|| {
            std::fs::read_link(device)
                .ok()?
                .file_name()?
                .to_str()
                .and_then(PciAddress::parse)
        })
}

enum Sensor {
    Energy(PathBuf),
    Power(PathBuf),
}

struct HwmonProbe {
    sensor: Sensor,
}

fn read_number(path: &Path) -> std::result::Result<u64, String> {
    let text = crate::textfile::read_attribute(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.trim()
        .parse()
        .map_err(|_| format!("{} does not hold a number", path.display()))
}

impl Probe for HwmonProbe {
    fn read(&mut self) -> std::result::Result<Reading, String> {
        match &self.sensor {
            // A 64-bit counter: it does not wrap in practice.
            Sensor::Energy(path) => Ok(Reading::Counters(vec![Counter {
                value: read_number(path)?,
                wraps_at: None,
            }])),
            Sensor::Power(path) => Ok(Reading::Watts(read_number(path)? as f64 * 1e-6)),
        }
    }

    fn joules_per_unit(&self) -> f64 {
        1e-6
    }
}

/// The meter of the AMD GPU at `address` (or the only AMD GPU), or why none.
pub fn open(
    address: Option<PciAddress>,
    interval: Duration,
) -> std::result::Result<SampledMeter, String> {
    open_at(&root(), address, interval)
}

/// The same, in the drm tree at `root`.
pub fn open_at(
    root: &Path,
    address: Option<PciAddress>,
    interval: Duration,
) -> std::result::Result<SampledMeter, String> {
    let cards = cards(root);
    let (card, note) = match (address, cards.len()) {
        (_, 0) => return Err(format!("no AMD GPU under {}", root.display())),
        (Some(address), _) if cards.iter().any(|c| c.address == Some(address)) => (
            cards
                .iter()
                .find(|c| c.address == Some(address))
                .expect("found above"),
            "",
        ),
        (_, 1) => (
            &cards[0],
            ", matched as the only AMD GPU (no PCI address to match)",
        ),
        _ => {
            return Err(
                "several AMD GPUs and no PCI address to tell them apart; give --watts W".into(),
            )
        }
    };
    let hwmon = card
        .hwmon
        .as_ref()
        .ok_or_else(|| format!("{} has no hwmon folder (is amdgpu loaded?)", card.name))?;
    let (sensor, kind, file) = if hwmon.join("energy1_input").exists() {
        (
            Sensor::Energy(hwmon.join("energy1_input")),
            "hwmon-energy",
            "energy1_input",
        )
    } else if hwmon.join("power1_average").exists() {
        (
            Sensor::Power(hwmon.join("power1_average")),
            "hwmon-power",
            "power1_average",
        )
    } else if hwmon.join("power1_input").exists() {
        (
            Sensor::Power(hwmon.join("power1_input")),
            "hwmon-power",
            "power1_input",
        )
    } else {
        return Err(format!(
            "{} has no energy1_input, power1_average or power1_input",
            hwmon.display()
        ));
    };
    let source = format!("{} {file}{note}", card.name);
    let mut meter = SampledMeter::new(kind, source, interval, Box::new(HwmonProbe { sensor }));
    meter.check()?;
    Ok(meter)
}
