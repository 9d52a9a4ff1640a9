//! CPU energy from Linux powercap (RAPL): the cumulative `energy_uj`
//! counter of every package domain (`intel-rapl:N`; AMD CPUs use the same
//! names), summed, each wrapping at its `max_energy_range_uj`.
//! `HASHWATT_POWERCAP_ROOT` moves the tree (default `/sys/class/powercap`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::sampler::{Counter, Probe, Reading, SampledMeter};

pub fn root() -> PathBuf {
    std::env::var_os("HASHWATT_POWERCAP_ROOT")
        .map_or_else(|| PathBuf::from("/sys/class/powercap"), PathBuf::from)
}

/// The package domains: `intel-rapl:0`, `intel-rapl:1`, not their
/// sub-domains (`intel-rapl:0:0`, core or uncore), which the package
/// counter already includes.
fn packages(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.strip_prefix("intel-rapl:")
                .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    found.sort();
    found
}

fn read_number(path: &Path) -> std::result::Result<u64, String> {
    let text = crate::textfile::read_attribute(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => format!(
            "{} is readable by root only (Linux restricts RAPL since the PLATYPUS attack); \
             run as root, or grant read access: sudo chmod a+r {}/intel-rapl:*/energy_uj",
            path.display(),
            path.parent()
                .and_then(Path::parent)
                .unwrap_or(Path::new("/sys/class/powercap"))
                .display()
        ),
        _ => format!("cannot read {}: {e}", path.display()),
    })?;
    text.trim().parse().map_err(|_| {
        format!(
            "{} does not hold a number: {:?}",
            path.display(),
            text.trim()
        )
    })
}

struct RaplProbe {
    counters: Vec<(PathBuf, u64)>,
}

impl Probe for RaplProbe {
    fn read(&mut self) -> std::result::Result<Reading, String> {
        self.counters
            .iter()
            .map(|(path, range)| {
                Ok(Counter {
                    value: read_number(path)?,
                    wraps_at: Some(*range),
                })
            })
            .collect::<std::result::Result<Vec<_>, String>>()
            .map(Reading::Counters)
    }

    fn joules_per_unit(&self) -> f64 {
        1e-6
    }
}

/// The RAPL meter, or why there is none.
pub fn open(interval: Duration) -> std::result::Result<SampledMeter, String> {
    open_at(&root(), interval)
}

/// The RAPL meter of the powercap tree at `root`.
pub fn open_at(root: &Path, interval: Duration) -> std::result::Result<SampledMeter, String> {
    let domains = packages(root);
    if domains.is_empty() {
        return Err(format!(
            "no RAPL package domains under {} (no powercap driver, or a virtual machine)",
            root.display()
        ));
    }
    let mut counters = Vec::new();
    let mut names = Vec::new();
    for domain in &domains {
        let range = read_number(&domain.join("max_energy_range_uj"))?;
        counters.push((domain.join("energy_uj"), range));
        let name = crate::textfile::read_attribute(&domain.join("name"))
            .map(|n| n.trim().to_string())
            .unwrap_or_default();
        names.push(
            format!(
                "{} {name}",
                domain.file_name().unwrap_or_default().to_string_lossy()
            )
            .trim()
            .to_string(),
        );
    }
    let mut meter = SampledMeter::new(
        "rapl",
        format!("RAPL {}", names.join(" + ")),
        interval,
        Box::new(RaplProbe { counters }),
    );
    meter.check()?;
    Ok(meter)
}
