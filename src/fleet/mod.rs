//! A fleet, not a card: the results a job array wrote, one task per GPU
//! (`scripts/slurm/hashwatt-fleet.sbatch` under Slurm, or the same script in
//! a Kubernetes Indexed Job; see docs/fleet.md), read back, checked and
//! merged into one report: each node, each device model with its spread,
//! the totals, the nodes out of line with their peers, and every task that
//! is missing or whose result was refused.
//!
//! - [`task`]: the record each task writes, and the array a job expected.
//! - [`read`]: every file read through its one reader, linked to its task.
//! - [`sort`]: one result per task, copies found; counted or refused, with
//!   a reason; [`jobs`]: the tasks each job expected, why one is missing.
//! - [`groups`]: model groups, the outlier rule, the totals.
//! - [`plot`]: per-node rate and H/J, outliers marked (SVG).
//! - [`site`]: the fleet as a site estimate's input (`estimate --from-fleet`).

pub mod groups;
pub mod jobs;
pub mod plot;
pub mod read;
pub mod report;
pub mod site;
pub mod sort;
pub mod task;

use std::path::PathBuf;

pub use report::*;
pub use task::{ArraySpec, TaskRecord, TASK_SCHEMA};

use crate::error::Result;

/// Reads a fleet's folders and files and judges it; `expect` overrides the
/// array the task records say each job ran.
pub fn gather(inputs: &[PathBuf], expect: Option<&ArraySpec>) -> Result<FleetReport> {
    let gathered = sort::gather(inputs, expect)?;
    let mut nodes: Vec<Node> = gathered.counted.iter().map(groups::node).collect();
    let (models, outliers, totals) = groups::judge(&mut nodes);
    Ok(FleetReport {
        schema: FLEET_SCHEMA.into(),
        created: crate::units::now_rfc3339(),
        inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
        jobs: gathered.jobs,
        nodes,
        models,
        totals,
        rule: groups::rule(),
        outliers,
        missing: gathered.missing,
        refused: gathered.refused,
    })
}
