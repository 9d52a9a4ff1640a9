//! The site's mix of devices: one efficiency, or a fleet of measured devices
//! (`--from a.json:0.7 --from b.json:0.3`), each with its share of the
//! power. Bench files are read and checked by the one reader,
//! `report::read_bench`, and turned into an efficiency by
//! `report::efficiency`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{jth_from_hashes_per_joule, Source};
use crate::error::{Error, Result};

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
    /// Why the rate behind it is unproven: a bench file from before the
    /// proof of work with too few shares to prove it. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unproven: Option<String>,
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
        unproven: fleet
            .iter()
            .find_map(|m| m.efficiency.unproven.as_ref())
            .map(|why| format!("a member's bench file is unproven: {why}")),
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

#[cfg(test)]
mod tests {
    use super::*;

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
