//! Where a fleet's efficiency came from when it was measured on a fleet of
//! nodes (`estimate --from-fleet DIR`): how many nodes, in what mix of
//! models, and what was left out. The estimate shows it among its inputs.

use serde::{Deserialize, Serialize};

/// A measured fleet behind an estimate.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct FleetOrigin {
    /// The folders and files read.
    pub inputs: Vec<String>,
    /// Nodes whose results were counted.
    pub nodes: usize,
    /// Of them, the nodes with energy (measured or stated), which give the
    /// efficiency; the others have a rate but no watts.
    pub nodes_with_energy: usize,
    /// Whether every one of them had its power measured by a sensor.
    pub power_measured: bool,
    /// Tasks expected that left no result.
    pub missing: usize,
    /// Results refused (failed verify, invalid, duplicate, interrupted).
    pub refused: usize,
    /// Nodes the outlier rule names; they are counted, as measured.
    pub outliers: usize,
    /// The model mix, in the order of the estimate's fleet members.
    pub models: Vec<ModelShare>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct ModelShare {
    pub model: String,
    /// Nodes of this model with energy.
    pub nodes: usize,
    /// Their share of the fleet's measured power: the share of the site's
    /// power this model gets.
    pub power_share: f64,
    /// Their hashes over their joules.
    pub hashes_per_joule: f64,
    /// Their average power per node.
    pub watts_per_node: f64,
}

impl FleetOrigin {
    /// "measured (fleet of 12 nodes)", saying so when the power was stated.
    pub fn label(&self) -> String {
        if self.power_measured {
            format!("measured (fleet of {} nodes)", self.nodes_with_energy)
        } else {
            format!(
                "measured (fleet of {} nodes; power stated, not measured)",
                self.nodes_with_energy
            )
        }
    }
}
