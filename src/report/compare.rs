//! `hashwatt compare`: bench results side by side, each against the first,
//! and whether each difference is larger than the runs' own spread.
//!
//! A difference **exceeds the spread** when the two runs' p5..p95 ranges do
//! not overlap: the ranges of the trials' rates where both runs were
//! repeated (`--repeat`), else of the interval rates. Where either run has
//! no spread (a `hashwatt.bench/1` file), the comparison says so instead of
//! guessing.
//!
//! Every file reaches it through `report::read_bench`, which refuses a
//! document that is no result or holds a figure that cannot be believed;
//! a file from before the proof of work is marked unproven.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::bench::{Spread, Verdict};
use crate::error::{Error, Result};
use crate::report::{self, BenchReport, Standing};

pub const COMPARE_SCHEMA: &str = "hashwatt.compare/1";

/// The document `compare --json` writes.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Comparison {
    /// `hashwatt.compare/1`.
    pub schema: String,
    /// The rows, the baseline (the first file) first.
    pub rows: Vec<CompareRow>,
}

/// One bench result, against the baseline.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct CompareRow {
    /// The file as named on the command line.
    pub file: String,
    pub device: String,
    pub backend: String,
    /// "fast 256x4" style: variant, workgroup size x nonces per invocation;
    /// null for the CPU.
    pub kernel: Option<String>,
    pub hashes_per_second: f64,
    /// p5 and p95 of the rates the spread is judged on, and what they are.
    pub spread: Option<RowSpread>,
    /// The run's own verdict: stable, unstable or too short.
    pub stability: Option<Verdict>,
    pub hashes_per_joule: Option<f64>,
    pub joules_per_terahash: Option<f64>,
    /// Whether that energy was measured by a sensor (false: stated).
    pub energy_measured: Option<bool>,
    /// This rate over the baseline's.
    pub rate_ratio: f64,
    /// The baseline's J/TH over this one's: above 1 is less energy per hash.
    pub efficiency_ratio: Option<f64>,
    /// Whether the rate differs from the baseline's by more than the two
    /// runs' spread; null for the baseline, or where a spread is missing.
    pub exceeds_spread: Option<bool>,
    /// Why this row's rate is unproven: a file from before the proof of
    /// work with too few shares to prove it. Absent for proven rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unproven: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct RowSpread {
    /// `trials` (across `--repeat` trials) or `intervals` (across the time
    /// series of the run).
    pub over: String,
    pub p5: f64,
    pub p95: f64,
    pub cv: f64,
}

/// Compares `reports` (with the names they were read from) against the
/// first one.
pub fn compare(reports: &[(String, BenchReport)]) -> Result<Comparison> {
    let Some((_, baseline)) = reports.first() else {
        return Err(Error::input("compare needs at least one bench result"));
    };
    if !(baseline.hashes_per_second.is_finite() && baseline.hashes_per_second > 0.0) {
        return Err(Error::input(format!(
            "{}: the baseline has no hashrate to compare against",
            reports[0].0
        )));
    }
    let both_repeated = reports.iter().all(|(_, r)| r.trial_spread.is_some());
    let spread_of = |r: &BenchReport| -> Option<(Spread, &'static str)> {
        if both_repeated {
            r.trial_spread.clone().map(|s| (s, "trials"))
        } else {
            r.spread.clone().map(|s| (s, "intervals"))
        }
    };
    let base_spread = spread_of(baseline);
    let base_jth = baseline.energy.as_ref().map(|e| e.joules_per_terahash);
    let mut rows = Vec::with_capacity(reports.len());
    for (index, (file, report)) in reports.iter().enumerate() {
        let energy = report
            .energy
            .as_ref()
            .filter(|e| e.joules_per_terahash > 0.0);
        let spread = spread_of(report);
        let exceeds_spread = match (index, &base_spread, &spread) {
            (0, _, _) => None,
            (_, Some((a, _)), Some((b, _))) => Some(a.p95 < b.p5 || b.p95 < a.p5),
            _ => None,
        };
        rows.push(CompareRow {
            file: file.clone(),
            device: report.device.name.clone(),
            backend: report.device.backend.clone(),
            kernel: report.kernel.as_ref().map(|k| {
                format!(
                    "{} {}x{}",
                    k.variant, k.workgroup_size, k.nonces_per_invocation
                )
            }),
            hashes_per_second: report.hashes_per_second,
            spread: spread.map(|(s, over)| RowSpread {
                over: over.into(),
                p5: s.p5,
                p95: s.p95,
                cv: s.cv,
            }),
            stability: report.stability.as_ref().map(|s| s.verdict),
            hashes_per_joule: energy.map(|e| e.hashes_per_joule),
            joules_per_terahash: energy.map(|e| e.joules_per_terahash),
            energy_measured: energy.map(|e| e.measured),
            rate_ratio: report.hashes_per_second / baseline.hashes_per_second,
            efficiency_ratio: match (base_jth, energy) {
                (Some(base), Some(e)) if base > 0.0 => Some(base / e.joules_per_terahash),
                _ => None,
            },
            exceeds_spread,
            unproven: match report::validate(report) {
                Ok(Standing::Unproven(why)) => Some(why),
                _ => None,
            },
        });
    }
    Ok(Comparison {
        schema: COMPARE_SCHEMA.into(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(rate: f64, intervals: &[f64]) -> BenchReport {
        let text = include_str!("../../tests/data/bench-v1.json");
        let mut r: BenchReport = serde_json::from_str(text).unwrap();
        r.hashes_per_second = rate;
        r.spread = Spread::of(intervals);
        r
    }

    #[test]
    fn ratios_and_spread() {
        let a = report(100.0, &[99.0, 100.0, 101.0, 100.0, 100.0]);
        let b = report(150.0, &[149.0, 150.0, 151.0, 150.0, 150.0]);
        let c = report(100.5, &[98.0, 101.0, 102.0, 100.0, 101.0]);
        let rows = compare(&[("a".into(), a), ("b".into(), b), ("c".into(), c)])
            .unwrap()
            .rows;
        assert_eq!(rows[0].rate_ratio, 1.0);
        assert_eq!(rows[0].exceeds_spread, None);
        assert_eq!(rows[1].rate_ratio, 1.5);
        assert_eq!(rows[1].exceeds_spread, Some(true));
        assert_eq!(rows[2].exceeds_spread, Some(false));
    }

    #[test]
    fn version_1_files_have_no_spread_to_judge() {
        let text = include_str!("../../tests/data/bench-v1.json");
        let v1: BenchReport = serde_json::from_str(text).unwrap();
        let rows = compare(&[("a".into(), v1.clone()), ("b".into(), v1)])
            .unwrap()
            .rows;
        assert_eq!(rows[1].exceeds_spread, None);
        assert_eq!(rows[1].efficiency_ratio, Some(1.0));
    }
}
