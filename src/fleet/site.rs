//! The fleet as a site's input (`estimate --from-fleet DIR`): one member
//! per device model, with the model's measured hashes per joule (its
//! nodes' hashes over their joules) and its share of the fleet's power as
//! its share of the site's, so the site is filled in the fleet's mix. The
//! site model itself is [`crate::site`]'s.

use super::report::FleetReport;
use crate::error::{Error, Result};
use crate::site::{
    jth_from_hashes_per_joule, Efficiency, FleetMember, FleetOrigin, ModelShare, Source,
};

/// The members and where they came from. Nodes without energy have no
/// efficiency and are left out (the origin counts them); a fleet with none
/// with energy cannot fill a site.
pub fn members(report: &FleetReport) -> Result<(Vec<FleetMember>, FleetOrigin)> {
    let total_watts = report.totals.watts.unwrap_or(0.0);
    if report.totals.nodes_with_energy == 0 || total_watts <= 0.0 || total_watts.is_nan() {
        return Err(Error::input(format!(
            "no counted node of the fleet has energy ({} counted, {} missing, {} refused): each task's bench needs a power meter or --watts W (HASHWATT_BENCH_ARGS)",
            report.totals.nodes,
            report.missing.len(),
            report.refused.len()
        )));
    }
    let mut members = Vec::new();
    let mut models = Vec::new();
    for group in &report.models {
        let nodes: Vec<_> = report
            .nodes
            .iter()
            .filter(|n| n.model == group.model && n.watts.is_some())
            .collect();
        let (Some(hashes_per_joule), Some(watts)) = (group.efficiency, group.watts) else {
            continue;
        };
        let measured = nodes.iter().all(|n| n.power_measured == Some(true));
        let meters: std::collections::BTreeSet<&str> =
            nodes.iter().filter_map(|n| n.meter.as_deref()).collect();
        let watts_per_node = watts / nodes.len() as f64;
        let power_share = watts / total_watts;
        members.push(FleetMember {
            efficiency: Efficiency {
                source: format!(
                    "{} ({} nodes, {})",
                    group.model,
                    nodes.len(),
                    meters.into_iter().collect::<Vec<_>>().join(", ")
                ),
                hashes_per_joule,
                joules_per_terahash: jth_from_hashes_per_joule(hashes_per_joule),
                measured: Some(measured),
                device_watts: Some(watts_per_node),
                // The fleet counts proven results only (fleet::sort).
                unproven: None,
            },
            power_share,
            device_usd: None,
            device_watts_source: Some(if measured {
                Source::Measured
            } else {
                Source::Given
            }),
        });
        models.push(ModelShare {
            model: group.model.clone(),
            nodes: nodes.len(),
            power_share,
            hashes_per_joule,
            watts_per_node,
        });
    }
    let origin = FleetOrigin {
        inputs: report.inputs.clone(),
        nodes: report.totals.nodes,
        nodes_with_energy: report.totals.nodes_with_energy,
        power_measured: report.totals.power_measured,
        missing: report.missing.len(),
        refused: report.refused.len(),
        outliers: report.nodes.iter().filter(|n| n.outlier).count(),
        models,
    };
    Ok((members, origin))
}
