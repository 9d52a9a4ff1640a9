//! The nodes counted, grouped by device model: each group's median and
//! spread, the outlier rule, and the fleet's totals.
//!
//! The rule: within a model group of at least [`MIN_NODES`] nodes, a node
//! is an outlier on a metric (rate, H/J) when it is further from the
//! group's median than both [`FLOOR_FRACTION`] of it and [`MAD_FACTOR`]
//! robust standard deviations of the group's relative spread: 1.4826 x the
//! median absolute deviation (MAD) of ln(value / median).
//!
//! - The median and the MAD are robust: one broken node moves neither,
//!   where it would drag a mean and inflate a standard deviation.
//! - The spread is taken on the logs because rates and efficiencies are
//!   ratios: a card at half its clocks is 0.5x, nodes of a faster model
//!   spread as much in proportion, and a node at half the median is as far
//!   from it as one at double. In plain units a few nodes slowed by other
//!   work would widen the band below the median past zero.
//! - The 10% floor keeps run-to-run noise from naming anyone (a steady GPU
//!   repeats within a few percent; a MAD of 0, which two equal nodes out of
//!   three give, would otherwise make any difference an outlier), and it is
//!   the size of what a technician looks for: a throttled card, a bad
//!   riser, a wrong power limit cost more than that.
//! - The MAD term keeps a group that is widely spread by nature (mixed
//!   clocks or firmware) from naming its ordinary members.
//! - Groups of one or two are not judged: with two nodes there is no
//!   telling which is off.

use std::collections::BTreeMap;

use super::report::{
    GroupSpread, Metric, ModelGroup, Node, Outlier, OutlierRule, RateSpread, Totals,
};
use super::sort::Counted;
use crate::site::jth_from_hashes_per_joule;

/// Groups smaller than this are not judged.
pub const MIN_NODES: usize = 3;
/// A node within 10% of its group's median is never an outlier.
pub const FLOOR_FRACTION: f64 = 0.10;
/// Nor one within 3 robust standard deviations of the logs.
pub const MAD_FACTOR: f64 = 3.0;
/// The MAD of normally distributed values times this is their standard deviation.
pub const MAD_TO_SIGMA: f64 = 1.4826;

pub fn rule() -> OutlierRule {
    OutlierRule {
        rule: format!(
            "within a device model's group of at least {MIN_NODES} nodes, a node whose rate or H/J is further from the group's median than both {:.0}% and {MAD_FACTOR} x 1.4826 x the median absolute deviation of ln(value / median)",
            100.0 * FLOOR_FRACTION
        ),
        min_nodes: MIN_NODES,
        floor_fraction: FLOOR_FRACTION,
        mad_factor: MAD_FACTOR,
    }
}

/// The group a node is compared within: the device's name, or for the CPU
/// device the host's CPU model, since its threads and search path are
/// settings of one processor.
pub fn model_of(counted: &Counted) -> String {
    let bench = &counted.bench;
    if bench.device.backend == "cpu" {
        if let Some(cpu) = bench.host.as_ref().map(|h| h.cpu.trim()) {
            if !cpu.is_empty() {
                return format!("CPU: {cpu}");
            }
        }
    }
    bench.device.name.clone()
}

/// One counted result as a row.
pub fn node(counted: &Counted) -> Node {
    let bench = &counted.bench;
    let spread = match (&bench.trial_spread, &bench.spread) {
        (Some(s), _) if s.count > 1 => Some(("trials", s)),
        (_, Some(s)) => Some(("intervals", s)),
        _ => None,
    }
    .map(|(over, s)| RateSpread {
        over: over.into(),
        count: s.count,
        min: s.min,
        max: s.max,
        cv: s.cv,
    });
    let energy = bench.energy.as_ref();
    Node {
        task: counted.task.clone(),
        host: counted.host.clone(),
        file: counted.file.display().to_string(),
        device: bench.device.name.clone(),
        backend: bench.device.backend.clone(),
        driver: bench.device.driver.clone(),
        model: model_of(counted),
        hashes_per_second: bench.hashes_per_second,
        spread,
        watts: energy.map(|e| e.avg_watts),
        meter: energy.map(|e| e.meter.clone()),
        power_measured: energy.map(|e| e.measured),
        hashes_per_joule: energy.map(|e| e.hashes_per_joule),
        verify: if counted.verified {
            "passed".into()
        } else {
            "not run".into()
        },
        stability: bench.stability.as_ref().map(|s| s.verdict),
        outlier: false,
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The spread of one metric over a group, and the band the rule allows:
/// from the median times the lesser of 0.9 and e^-(3 x 1.4826 x MAD of the
/// logs) to the median times the greater of 1.1 and e^+(...).
pub fn spread(values: &[f64]) -> GroupSpread {
    let m = median(values);
    let deviations: Vec<f64> = values.iter().map(|v| (v / m).ln().abs()).collect();
    let mad_log = median(&deviations);
    let reach = MAD_FACTOR * MAD_TO_SIGMA * mad_log;
    let judged = values.len() >= MIN_NODES;
    GroupSpread {
        count: values.len(),
        median: m,
        mad_log,
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        low: judged.then(|| m * (1.0 - FLOOR_FRACTION).min((-reach).exp())),
        high: judged.then(|| m * (1.0 + FLOOR_FRACTION).max(reach.exp())),
    }
}

/// The groups, the outliers (marked on `nodes` too) and the totals.
pub fn judge(nodes: &mut [Node]) -> (Vec<ModelGroup>, Vec<Outlier>, Totals) {
    let mut by_model: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        by_model.entry(n.model.clone()).or_default().push(i);
    }
    let mut groups = Vec::new();
    let mut outliers = Vec::new();
    for (model, members) in by_model {
        let rates: Vec<f64> = members
            .iter()
            .map(|&i| nodes[i].hashes_per_second)
            .collect();
        let with_energy: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| nodes[i].hashes_per_joule.is_some())
            .collect();
        let hpj: Vec<f64> = with_energy
            .iter()
            .filter_map(|&i| nodes[i].hashes_per_joule)
            .collect();
        let rate = spread(&rates);
        let hpj_spread = (!hpj.is_empty()).then(|| spread(&hpj));
        for (metric, band, indices) in [
            (Metric::HashesPerSecond, Some(&rate), &members),
            (Metric::HashesPerJoule, hpj_spread.as_ref(), &with_energy),
        ] {
            let Some(band) = band else { continue };
            let (Some(low), Some(high)) = (band.low, band.high) else {
                continue;
            };
            for &i in indices.iter() {
                let node = &mut nodes[i];
                let value = match metric {
                    Metric::HashesPerSecond => node.hashes_per_second,
                    Metric::HashesPerJoule => node.hashes_per_joule.unwrap_or(band.median),
                };
                if value >= low && value <= high {
                    continue;
                }
                node.outlier = true;
                outliers.push(Outlier {
                    task: node.task.clone(),
                    host: node.host.clone(),
                    file: node.file.clone(),
                    device: node.device.clone(),
                    model: model.clone(),
                    metric,
                    value,
                    group_median: band.median,
                    deviation: (value - band.median) / band.median,
                    direction: if value < low { "below" } else { "above" }.into(),
                });
            }
        }
        let watts: Vec<f64> = with_energy.iter().filter_map(|&i| nodes[i].watts).collect();
        groups.push(ModelGroup {
            model,
            nodes: members.len(),
            rate,
            hashes_per_joule: hpj_spread,
            hashes_per_second: sum(rates.iter().copied()),
            watts: (!watts.is_empty()).then(|| sum(watts.iter().copied())),
            efficiency: efficiency(members.iter().map(|&i| &nodes[i])),
        });
    }
    (groups, outliers, totals(nodes))
}

/// A sum that is 0, not -0, when there is nothing to add.
fn sum(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |a, b| a + b)
}

/// The efficiency of nodes together: their hashes over their joules, each
/// node's as its bench measured them (its H/J times its watts is the
/// hashes per second of its timed run, nonces over seconds), so a node
/// weighs by its power. `None` without a node with energy.
pub fn efficiency<'a>(nodes: impl Iterator<Item = &'a Node> + Clone) -> Option<f64> {
    let with_energy = nodes.filter_map(|n| Some((n.hashes_per_joule?, n.watts?)));
    let watts = sum(with_energy.clone().map(|(_, w)| w));
    (watts > 0.0).then(|| sum(with_energy.map(|(h, w)| h * w)) / watts)
}

/// Sums over the nodes; H/J over the nodes with energy.
pub fn totals(nodes: &[Node]) -> Totals {
    let with_energy: Vec<&Node> = nodes.iter().filter(|n| n.watts.is_some()).collect();
    let hashes_per_joule = efficiency(nodes.iter());
    Totals {
        nodes: nodes.len(),
        hashes_per_second: sum(nodes.iter().map(|n| n.hashes_per_second)),
        nodes_with_energy: with_energy.len(),
        watts: (!with_energy.is_empty()).then(|| sum(with_energy.iter().filter_map(|n| n.watts))),
        hashes_per_joule,
        joules_per_terahash: hashes_per_joule.map(jth_from_hashes_per_joule),
        power_measured: !with_energy.is_empty()
            && with_energy.iter().all(|n| n.power_measured == Some(true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_is_the_wider_of_ten_percent_and_three_mads_of_the_logs() {
        // Three equal nodes and a slow one: the MAD is 0, so the 10% floor
        // decides; 50 is named, 95 would not be.
        let s = spread(&[100.0, 100.0, 100.0, 50.0]);
        assert_eq!(s.median, 100.0);
        assert_eq!(s.mad_log, 0.0);
        assert!((s.low.unwrap() - 90.0).abs() < 1e-9 && (s.high.unwrap() - 110.0).abs() < 1e-9);
        // A spread group: the MAD term widens the band past 10%, by the
        // same ratio up and down. The logs' deviations are 0, ln 1.25,
        // ln 1.2, ln(10/9), ln 1.1; their median is ln(10/9).
        let s = spread(&[100.0, 80.0, 120.0, 90.0, 110.0]);
        assert_eq!(s.median, 100.0);
        assert!((s.mad_log - (10.0f64 / 9.0).ln()).abs() < 1e-12);
        let reach = 3.0 * 1.4826 * (10.0f64 / 9.0).ln();
        assert!((s.low.unwrap() - 100.0 * (-reach).exp()).abs() < 1e-9);
        assert!((s.high.unwrap() - 100.0 * reach.exp()).abs() < 1e-9);
        // Normal nodes spread 2.3x by other work on the machine, and one at
        // a twentieth: plain MADs would put the band's floor below zero;
        // the logs' still name it.
        let s = spread(&[73.0, 66.0, 31.1, 37.5, 1.57]);
        assert!(s.low.unwrap() > 1.57, "{s:?}");
        assert!(s.low.unwrap() < 31.1, "{s:?}");
        // Two nodes are not judged.
        let s = spread(&[100.0, 10.0]);
        assert_eq!((s.low, s.high), (None, None));
    }
}
