//! What fills the site: one efficiency, or a fleet of measured devices
//! (`--from a.json:0.7 --from b.json:0.3`), each with its share of the
//! power. Bench files are input like any other: only what the estimate
//! needs is read, and every number is checked.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{jth_from_hashes_per_joule, num, Source};
use crate::error::require_positive as positive;
use crate::error::{Error, Result};

/// Bench result schemas `--from` reads; `/2` is a superset of `/1`.
pub const BENCH_SCHEMAS: [&str; 2] = ["hashwatt.bench/1", "hashwatt.bench/2"];
/// A bench file is a few kilobytes; more than this is not one.
pub const MAX_BENCH_FILE_BYTES: u64 = 16 << 20;
/// Shares of power must add up to 1 within this.
pub const SHARE_TOLERANCE: f64 = 1e-9;

/// An efficiency and where it came from.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Efficiency {
    pub source: String,
    pub hashes_per_joule: f64,
    pub joules_per_terahash: f64,
    /// Whether the energy behind it was measured by a sensor; null when
    /// the efficiency was given.
    pub measured: Option<bool>,
    pub device_watts: Option<f64>,
}

impl Efficiency {
    pub fn provenance(&self) -> Source {
        match self.measured {
            Some(true) => Source::Measured,
            _ => Source::Given,
        }
    }
}

/// One kind of device in the fleet and its share of the site's power.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct FleetMember {
    pub efficiency: Efficiency,
    /// Share of the IT power, in (0, 1]; the shares add up to 1.
    pub power_share: f64,
    /// Price of one device, where given.
    pub device_usd: Option<f64>,
    /// Where the device's watts came from, where known.
    pub device_watts_source: Option<Source>,
}

/// The fleet's efficiency as one figure: hashes per joule weighted by power.
pub fn combined(fleet: &[FleetMember]) -> Efficiency {
    if let [only] = fleet {
        return only.efficiency.clone();
    }
    let hashes_per_joule: f64 = fleet
        .iter()
        .map(|m| m.power_share * m.efficiency.hashes_per_joule)
        .sum();
    let names: Vec<String> = fleet
        .iter()
        .map(|m| {
            format!(
                "{:.1}% {}",
                100.0 * m.power_share,
                short(&m.efficiency.source)
            )
        })
        .collect();
    Efficiency {
        source: format!("fleet: {}", names.join(", ")),
        hashes_per_joule,
        joules_per_terahash: jth_from_hashes_per_joule(hashes_per_joule),
        measured: Some(fleet.iter().all(|m| m.efficiency.measured == Some(true))),
        device_watts: None,
    }
}

/// The device name of a source: "NVIDIA H100 (vulkan, nvml)" -> "NVIDIA H100".
pub fn short(source: &str) -> String {
    source.split(" (").next().unwrap_or(source).to_string()
}

/// Splits `FILE[:SHARE]`: the share is what follows the last colon, where
/// that reads as a number.
pub fn split_share(spec: &str) -> (PathBuf, Option<f64>) {
    if let Some((path, share)) = spec.rsplit_once(':') {
        if let Ok(share) = share.trim().parse::<f64>() {
            return (PathBuf::from(path), Some(share));
        }
    }
    (PathBuf::from(spec), None)
}

/// Checks the shares of a fleet: each in (0, 1], together 1 within 1e-9.
/// One file without a share takes all the power.
pub fn resolve_shares(shares: &[Option<f64>]) -> Result<Vec<f64>> {
    match shares {
        [] => return Err(Error::input("no --from file")),
        [None] => return Ok(vec![1.0]),
        _ => {}
    }
    let mut out = Vec::with_capacity(shares.len());
    for (i, share) in shares.iter().enumerate() {
        let Some(share) = *share else {
            return Err(Error::input(format!(
                "--from number {} has no share of power: with more than one file give each as FILE:SHARE (e.g. a.json:0.7 b.json:0.3)",
                i + 1
            )));
        };
        if !(share > 0.0 && share <= 1.0) {
            return Err(Error::input(format!(
                "--from number {}: a share of power must be in (0, 1], got {share}",
                i + 1
            )));
        }
        out.push(share);
    }
    let sum: f64 = out.iter().sum();
    if (sum - 1.0).abs() > SHARE_TOLERANCE {
        return Err(Error::input(format!(
            "the --from shares of power add up to {sum}, not 1"
        )));
    }
    Ok(out)
}

#[derive(Deserialize)]
struct BenchFile {
    device: BenchDevice,
    energy: Option<BenchEnergy>,
}

#[derive(Deserialize)]
struct BenchDevice {
    name: String,
    backend: String,
}

#[derive(Deserialize)]
struct BenchEnergy {
    meter: String,
    measured: bool,
    avg_watts: f64,
    hashes_per_joule: f64,
    joules_per_terahash: f64,
}

/// Reads a `bench --json` file (at most 16 MiB) into an efficiency.
pub fn read_bench(path: &Path) -> Result<Efficiency> {
    let text = crate::textfile::read_text(path, "bench result", MAX_BENCH_FILE_BYTES)
        .map_err(Error::input)?;
    parse_bench(text.as_bytes())
        .map_err(|e| Error::input(format!("{}: {}", path.display(), e.message)))
}

/// A bench result's efficiency, every number checked: energy present,
/// hashes per joule and J/TH positive, finite and consistent, watts
/// positive. Errors are one line, without the file's name.
pub fn parse_bench(bytes: &[u8]) -> Result<Efficiency> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| Error::input(format!("not JSON ({e})")))?;
    let schema = value
        .get("schema")
        .and_then(|s| s.as_str())
        .unwrap_or("none");
    if !BENCH_SCHEMAS.contains(&schema) {
        return Err(Error::input(format!(
            "not a hashwatt bench result (schema {:?}, expected {:?} or {:?}; write one with `hashwatt bench --json FILE`)",
            printable(schema),
            BENCH_SCHEMAS[0],
            BENCH_SCHEMAS[1]
        )));
    }
    let bench: BenchFile = serde_json::from_value(value)
        .map_err(|e| Error::input(format!("a damaged bench result: {e}")))?;
    let energy = bench.energy.ok_or_else(|| {
        Error::input(
            "this bench result has no energy (no meter was read): rerun bench with a power meter or --watts W, or give --jth",
        )
    })?;
    let hpj = positive("its hashes_per_joule", energy.hashes_per_joule)?;
    let jth = positive("its joules_per_terahash", energy.joules_per_terahash)?;
    positive("its avg_watts", energy.avg_watts)?;
    let implied = jth_from_hashes_per_joule(hpj);
    if ((implied - jth) / jth).abs() >= 1e-6 {
        return Err(Error::input(format!(
            "a damaged bench result: joules_per_terahash {} does not match hashes_per_joule {} (1e12 / {} = {})",
            num(jth),
            num(hpj),
            num(hpj),
            num(implied)
        )));
    }
    let meter = if energy.measured {
        printable(&energy.meter)
    } else {
        "stated power".into()
    };
    Ok(Efficiency {
        source: format!(
            "{} ({}, {meter})",
            printable(&bench.device.name),
            printable(&bench.device.backend)
        ),
        hashes_per_joule: hpj,
        joules_per_terahash: jth,
        measured: Some(energy.measured),
        device_watts: Some(energy.avg_watts),
    })
}

/// Text from a file, safe to print: control characters escaped, at most
/// 80 characters.
fn printable(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(80)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench(schema: &str, energy: &str) -> Vec<u8> {
        format!(
            r#"{{"schema": "{schema}", "device": {{"name": "GPU\u001b[31m", "backend": "vulkan"}}, "energy": {energy}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn both_schemas_and_checked_numbers() {
        let good = r#"{"meter": "rapl", "measured": true, "avg_watts": 50.0, "hashes_per_joule": 1e5, "joules_per_terahash": 1e7}"#;
        for schema in BENCH_SCHEMAS {
            let e = parse_bench(&bench(schema, good)).unwrap();
            assert_eq!(e.hashes_per_joule, 1e5);
            assert_eq!(e.source, "GPU\\u{1b}[31m (vulkan, rapl)");
        }
        for (energy, why) in [
            ("null", "has no energy"),
            (
                r#"{"meter": "rapl", "measured": true, "avg_watts": 50.0, "hashes_per_joule": -1e5, "joules_per_terahash": -1e7}"#,
                "hashes_per_joule must be a positive",
            ),
            (
                r#"{"meter": "rapl", "measured": true, "avg_watts": 50.0, "hashes_per_joule": 0, "joules_per_terahash": 1e7}"#,
                "hashes_per_joule must be a positive",
            ),
            (
                r#"{"meter": "rapl", "measured": true, "avg_watts": 50.0, "hashes_per_joule": 1e5, "joules_per_terahash": 0}"#,
                "joules_per_terahash must be a positive",
            ),
            (
                r#"{"meter": "rapl", "measured": true, "avg_watts": 50.0, "hashes_per_joule": 1e5, "joules_per_terahash": 9}"#,
                "does not match",
            ),
            (
                r#"{"meter": "rapl", "measured": true, "avg_watts": 0, "hashes_per_joule": 1e5, "joules_per_terahash": 1e7}"#,
                "avg_watts must be a positive",
            ),
        ] {
            let err = parse_bench(&bench("hashwatt.bench/1", energy)).unwrap_err();
            assert!(err.message.contains(why), "{energy}: {}", err.message);
        }
        let err = parse_bench(&bench("hashwatt.bench/9", good)).unwrap_err();
        assert!(err.message.contains("not a hashwatt bench result"));
    }

    #[test]
    fn shares_of_power() {
        assert_eq!(
            split_share("a.json:0.7"),
            (PathBuf::from("a.json"), Some(0.7))
        );
        assert_eq!(split_share("c:/x.json"), (PathBuf::from("c:/x.json"), None));
        assert_eq!(split_share("a.json"), (PathBuf::from("a.json"), None));
        assert_eq!(resolve_shares(&[None]).unwrap(), vec![1.0]);
        assert_eq!(
            resolve_shares(&[Some(0.7), Some(0.3)]).unwrap(),
            vec![0.7, 0.3]
        );
        assert!(resolve_shares(&[Some(1.0 / 3.0); 3]).is_ok());
        for bad in [
            vec![Some(0.7), Some(0.4)],
            vec![Some(0.7), None],
            vec![None, None],
            vec![Some(1.5), Some(-0.5)],
            vec![Some(f64::NAN)],
            vec![Some(0.5)],
        ] {
            assert!(resolve_shares(&bad).is_err(), "{bad:?}");
        }
    }
}
