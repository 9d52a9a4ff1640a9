//! The `hashwatt.fleet/1` document: every node counted with its figures,
//! the per-model groups and their spread, the totals, the outliers and the
//! rule that named them, and every task missing or result refused, each
//! with its reason.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const FLEET_SCHEMA: &str = "hashwatt.fleet/1";

/// `hashwatt fleet --json`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct FleetReport {
    /// `hashwatt.fleet/1`.
    pub schema: String,
    /// When the report was made, UTC, RFC 3339.
    pub created: String,
    /// The folders and files read, as given.
    pub inputs: Vec<String>,
    /// The jobs whose task records were found, and the tasks each expected.
    pub jobs: Vec<JobSummary>,
    /// Every result counted, in task order (results without a task record
    /// last, by file name).
    pub nodes: Vec<Node>,
    /// One group per device model, with its spread across nodes.
    pub models: Vec<ModelGroup>,
    pub totals: Totals,
    /// The rule that names an outlier.
    pub rule: OutlierRule,
    /// Nodes whose rate or H/J is outside their model group's spread by
    /// more than the rule allows. They are counted in the totals.
    pub outliers: Vec<Outlier>,
    /// Tasks expected that left no result that can be counted, and why.
    pub missing: Vec<Missing>,
    /// Files read that cannot be counted, and why: a failed verify, an
    /// invalid or damaged file, a duplicate, an interrupted run.
    pub refused: Vec<Refused>,
}

/// A task of a job: `12345_7` in Slurm's words.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct TaskRef {
    pub job: String,
    pub index: u32,
}

impl std::fmt::Display for TaskRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.job, self.index)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct JobSummary {
    pub job: String,
    /// `slurm`, `kubernetes` or `none`.
    pub scheduler: String,
    /// The indices expected, as sbatch --array writes them; null when the
    /// task records do not spell them out (a listed array such as 1,3,7)
    /// and no `--expect` was given.
    pub expected: Option<String>,
    /// How many tasks were expected, where known.
    pub expected_count: Option<u64>,
    /// `task records` or `--expect`.
    pub expected_from: Option<String>,
    /// Task records found for the job.
    pub records: usize,
}

/// One node's result, counted.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Node {
    /// The task, where a task record names it.
    pub task: Option<TaskRef>,
    /// The node's host name, from its task record; null without one.
    pub host: Option<String>,
    /// The bench result file.
    pub file: String,
    /// The device as the bench result names it.
    pub device: String,
    pub backend: String,
    pub driver: String,
    /// The group the node is compared within: the device's name, or for the
    /// CPU device the host's CPU model (threads and search path are
    /// settings, like a GPU's power limit).
    pub model: String,
    /// The headline rate: the median of the trials with `--repeat`.
    pub hashes_per_second: f64,
    /// The spread of the trials' rates (or of the intervals' with one trial).
    pub spread: Option<RateSpread>,
    /// Average power over the run, where measured or stated.
    pub watts: Option<f64>,
    /// The meter (`nvml-energy`, `rapl`, ..., `stated`).
    pub meter: Option<String>,
    /// Whether the power was measured by a sensor (false: stated).
    pub power_measured: Option<bool>,
    pub hashes_per_joule: Option<f64>,
    /// `passed`, or `not run` where no verify result came with the bench.
    pub verify: String,
    /// The bench's own stability verdict.
    pub stability: Option<crate::bench::Verdict>,
    /// Whether the rule names this node an outlier.
    pub outlier: bool,
}

impl Node {
    /// `12_3 on node7`, or the file name without a task record.
    pub fn label(&self) -> String {
        match (&self.task, &self.host) {
            (Some(task), Some(host)) => format!("{task} on {host}"),
            (Some(task), None) => task.to_string(),
            _ => self.file.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct RateSpread {
    /// `trials` or `intervals`.
    pub over: String,
    pub count: usize,
    pub min: f64,
    pub max: f64,
    /// Standard deviation over the mean.
    pub cv: f64,
}

/// The nodes of one device model.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ModelGroup {
    pub model: String,
    pub nodes: usize,
    pub rate: GroupSpread,
    /// Over the group's nodes with energy; null when none has.
    pub hashes_per_joule: Option<GroupSpread>,
    /// Sum of the group's rates.
    pub hashes_per_second: f64,
    /// Sum of the group's watts, over its nodes with energy.
    pub watts: Option<f64>,
    /// The group's hashes over its joules (as the totals'), over its nodes
    /// with energy.
    pub efficiency: Option<f64>,
}

/// A metric across a group's nodes, and the band the rule allows.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct GroupSpread {
    /// Nodes with this figure.
    pub count: usize,
    pub median: f64,
    /// Median absolute deviation of ln(value / median): the group's
    /// relative spread (0.05 is about 5%).
    pub mad_log: f64,
    pub min: f64,
    pub max: f64,
    /// The band outside which a node is an outlier; null when the group
    /// has too few nodes to judge (fewer than `rule.min_nodes`).
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// The fleet as one figure.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Totals {
    /// Nodes counted.
    pub nodes: usize,
    /// Sum over the nodes counted.
    pub hashes_per_second: f64,
    /// Nodes counted that have energy (measured or stated).
    pub nodes_with_energy: usize,
    /// Sum of their watts; null when none has energy.
    pub watts: Option<f64>,
    /// Their hashes over their joules, each node's as its bench measured
    /// them: the sum of H/J x watts (each node's hashes per second over its
    /// timed run) over the sum of watts. It can differ from
    /// hashes_per_second / watts by as much as a node's headline rate (the
    /// median of its trials) differs from its mean rate.
    pub hashes_per_joule: Option<f64>,
    pub joules_per_terahash: Option<f64>,
    /// Whether every node with energy had it measured by a sensor.
    pub power_measured: bool,
}

/// The outlier rule, with its numbers.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct OutlierRule {
    /// In words.
    pub rule: String,
    /// Groups smaller than this are not judged.
    pub min_nodes: usize,
    /// A node within this fraction of the median is never an outlier.
    pub floor_fraction: f64,
    /// Or within this many robust standard deviations of the logs
    /// (1.4826 x the MAD of ln(value / median)).
    pub mad_factor: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    HashesPerSecond,
    HashesPerJoule,
}

impl Metric {
    pub fn word(self) -> &'static str {
        match self {
            Metric::HashesPerSecond => "rate",
            Metric::HashesPerJoule => "H/J",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Outlier {
    pub task: Option<TaskRef>,
    pub host: Option<String>,
    pub file: String,
    pub device: String,
    pub model: String,
    pub metric: Metric,
    pub value: f64,
    pub group_median: f64,
    /// (value - median) / median: -0.5 is half the group's median.
    pub deviation: f64,
    /// `below` or `above` the group.
    pub direction: String,
}

/// A task expected that left no result that can be counted.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Missing {
    pub task: TaskRef,
    /// From the task record, where one was written.
    pub host: Option<String>,
    pub reason: String,
}

/// A file that was read and cannot be counted.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Refused {
    pub file: String,
    pub task: Option<TaskRef>,
    pub host: Option<String>,
    pub reason: String,
}
