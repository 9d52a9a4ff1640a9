//! The record each task of a fleet job writes beside its results
//! (`scripts/slurm/hashwatt-fleet.sbatch`): which job and array index it
//! was, on which host and device, what array it belonged to, and how its
//! `verify` and `bench` ended. It is what tells a task that wrote nothing
//! usable from one that never ran, and what says how many tasks there were.
//! Also the array a job was expected to run, in Slurm's `--array` syntax
//! (`fleet --expect 0-15`).

use std::collections::BTreeSet;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// `hashwatt.fleet-task/1`.
pub const TASK_SCHEMA: &str = "hashwatt.fleet-task/1";
/// A task record is a few hundred bytes; more than this is not one.
const MAX_TASK_BYTES: u64 = 64 << 10;
/// The most array indices `--expect` or a task record may describe
/// (Slurm's default MaxArraySize is 1001; sites raise it to tens of thousands).
pub const MAX_ARRAY_TASKS: u64 = 1 << 20;

/// What one task of a fleet job did, as the job script writes it: first
/// with status `running` when the task starts, then again when it ends.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct TaskRecord {
    /// `hashwatt.fleet-task/1`.
    pub schema: String,
    /// `slurm`, `kubernetes` or `none` (the script run by hand).
    pub scheduler: String,
    /// The job: Slurm's array job id, the Kubernetes job's name, or
    /// HASHWATT_JOB_ID.
    pub job: String,
    /// The array index (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX).
    pub index: u32,
    /// The array the task belonged to, as the scheduler told it.
    pub array: ArrayInfo,
    /// How many times the scheduler had restarted the task (requeues).
    #[serde(default)]
    pub restart: u32,
    /// The node the task ran on.
    pub host: String,
    /// What `--device` was given; null when hashwatt chose its default.
    pub device: Option<String>,
    /// How the device was chosen, in words.
    pub device_from: String,
    /// When the task started and ended, UTC, RFC 3339.
    pub started: String,
    pub ended: Option<String>,
    pub status: TaskStatus,
    pub verify: StepRecord,
    pub bench: StepRecord,
}

/// The array a task was part of. Slurm gives all four
/// (SLURM_ARRAY_TASK_MIN, _MAX, _STEP, _COUNT); a Kubernetes Indexed Job
/// gives the count the manifest passes (HASHWATT_TASK_COUNT).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ArrayInfo {
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub step: Option<u32>,
    pub count: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    /// Written when the task started; still so when it was killed.
    Running,
    /// `verify` did not pass (or could not run): no bench was run.
    VerifyFailed,
    /// `verify` passed but `bench` did not end well.
    BenchFailed,
    /// Both ran and ended well.
    Done,
}

/// One step of a task: the file it wrote (a name in the same folder) and
/// its exit status, null while it has not ended.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct StepRecord {
    pub file: Option<String>,
    pub exit: Option<i32>,
    /// The step's last `hashwatt: error:` line, where it printed one.
    #[serde(default)]
    pub error: Option<String>,
}

impl TaskRecord {
    /// `12345_7`: the task as Slurm names it.
    pub fn name(&self) -> String {
        format!("{}_{}", self.job, self.index)
    }
}

/// Reads a task record, every field checked; errors are one line naming
/// the file.
pub fn read_task(path: &Path) -> Result<TaskRecord> {
    let shown = path.display();
    let text =
        crate::textfile::read_text(path, "task record", MAX_TASK_BYTES).map_err(Error::input)?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::input(format!("{shown}: not JSON ({e})")))?;
    let schema = value
        .get("schema")
        .and_then(|s| s.as_str())
        .unwrap_or("none");
    if schema != TASK_SCHEMA {
        return Err(Error::input(format!(
            "{shown}: not a fleet task record (schema {:?}, expected {TASK_SCHEMA:?})",
            schema.escape_debug().to_string()
        )));
    }
    let record: TaskRecord = serde_json::from_value(value)
        .map_err(|e| Error::input(format!("{shown}: a damaged task record: {e}")))?;
    if record.job.is_empty() || record.host.is_empty() {
        return Err(Error::input(format!(
            "{shown}: a damaged task record: its job or host is empty"
        )));
    }
    for step in [&record.verify, &record.bench] {
        if let Some(file) = &step.file {
            if !is_plain_name(file) {
                return Err(Error::input(format!(
                    "{shown}: a damaged task record: {:?} is not a file name in the record's folder",
                    file.escape_debug().to_string()
                )));
            }
        }
    }
    Ok(record)
}

/// A file name with no folder in it: a record only names files beside it.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

/// The array indices a job was to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArraySpec {
    pub indices: BTreeSet<u32>,
}

impl ArraySpec {
    /// Slurm's `--array` syntax: `0-15`, `0-15:4`, `1,3,5-7`; a `%N`
    /// throttle at the end is allowed and ignored.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::input(format!(
                "--expect {:?}: {why} (give the indices as sbatch --array takes them: 0-15, 0-15:2 or 1,3,5-7)",
                text.escape_debug().to_string()
            ))
        };
        let body = text.trim();
        let body = body.split_once('%').map_or(body, |(b, _)| b);
        if body.is_empty() {
            return Err(bad("no index"));
        }
        let number = |s: &str| -> Result<u32> {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(&format!("{s:?} is not an index")));
            }
            s.parse().map_err(|_| bad(&format!("{s} is too large")))
        };
        let mut indices = BTreeSet::new();
        for part in body.split(',') {
            let (range, step) = match part.split_once(':') {
                Some((range, step)) => (range, number(step)?),
                None => (part, 1),
            };
            if step == 0 {
                return Err(bad("a step of 0"));
            }
            let (first, last) = match range.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                None => {
                    let n = number(range)?;
                    (n, n)
                }
            };
            if last < first {
                return Err(bad(&format!("{first}-{last} runs backwards")));
            }
            let count = u64::from(last - first) / u64::from(step) + 1;
            if indices.len() as u64 + count > MAX_ARRAY_TASKS {
                return Err(bad(&format!("more than {MAX_ARRAY_TASKS} tasks")));
            }
            indices.extend((first..=last).step_by(step as usize));
        }
        Ok(ArraySpec { indices })
    }

    /// The indices a task's array information spells out, where it does:
    /// min to max by step, when that makes exactly `count` tasks.
    pub fn from_array(array: &ArrayInfo) -> Option<Self> {
        let step = array.step.unwrap_or(1);
        let (min, max) = match (array.min, array.max, array.count) {
            (Some(min), Some(max), _) => (min, max),
            (None, None, Some(count)) if count > 0 => (0, count - 1),
            _ => return None,
        };
        if step == 0 || max < min {
            return None;
        }
        let count = u64::from(max - min) / u64::from(step) + 1;
        if count > MAX_ARRAY_TASKS || array.count.is_some_and(|c| u64::from(c) != count) {
            return None;
        }
        Some(ArraySpec {
            indices: (min..=max).step_by(step as usize).collect(),
        })
    }

    /// `0-5`, `0-10:2`, or the indices listed.
    pub fn describe(&self) -> String {
        let all: Vec<u32> = self.indices.iter().copied().collect();
        match all.as_slice() {
            [] => "none".into(),
            [one] => one.to_string(),
            [first, second, ..] => {
                let step = second - first;
                let last = *all.last().unwrap_or(first);
                if all.windows(2).all(|w| w[1] - w[0] == step) {
                    if step == 1 {
                        format!("{first}-{last}")
                    } else {
                        format!("{first}-{last}:{step}")
                    }
                } else if all.len() <= 12 {
                    all.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
                } else {
                    format!("{} indices from {first} to {last}", all.len())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indices(text: &str) -> Vec<u32> {
        ArraySpec::parse(text)
            .unwrap()
            .indices
            .into_iter()
            .collect()
    }

    #[test]
    fn slurm_array_syntax() {
        assert_eq!(indices("0-3"), vec![0, 1, 2, 3]);
        assert_eq!(indices("0-9:4"), vec![0, 4, 8]);
        assert_eq!(indices("1,3,5-7"), vec![1, 3, 5, 6, 7]);
        assert_eq!(indices("0-15%4").len(), 16);
        assert_eq!(indices(" 7 "), vec![7]);
        for bad in [
            "",
            "5-1",
            "a-3",
            "0-3:0",
            "-1",
            "0-4294967296",
            "1,,2",
            "0-2000000",
        ] {
            assert!(ArraySpec::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(ArraySpec::parse("0-5").unwrap().describe(), "0-5");
        assert_eq!(ArraySpec::parse("0-10:2").unwrap().describe(), "0-10:2");
        assert_eq!(ArraySpec::parse("1,3,4").unwrap().describe(), "1,3,4");
    }

    #[test]
    fn the_array_a_task_was_told() {
        let slurm = ArrayInfo {
            min: Some(0),
            max: Some(10),
            step: Some(2),
            count: Some(6),
        };
        assert_eq!(ArraySpec::from_array(&slurm).unwrap().describe(), "0-10:2");
        // `--array=1,3,7`: Slurm says min 1, max 7, step 1, count 3, which
        // no range spells out.
        let listed = ArrayInfo {
            min: Some(1),
            max: Some(7),
            step: Some(1),
            count: Some(3),
        };
        assert_eq!(ArraySpec::from_array(&listed), None);
        let kubernetes = ArrayInfo {
            count: Some(4),
            ..ArrayInfo::default()
        };
        assert_eq!(
            ArraySpec::from_array(&kubernetes).unwrap().describe(),
            "0-3"
        );
        assert_eq!(ArraySpec::from_array(&ArrayInfo::default()), None);
    }

    #[test]
    fn records_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("1_0.node.cpu.task.json");
        let record = |bench_file: &str| {
            format!(
                r#"{{"schema": "{TASK_SCHEMA}", "scheduler": "slurm", "job": "1", "index": 0,
                "array": {{"min": 0, "max": 2, "step": 1, "count": 3}}, "host": "node",
                "device": "cpu", "device_from": "HASHWATT_DEVICE", "started": "x", "ended": null,
                "status": "running", "verify": {{"file": null, "exit": null}},
                "bench": {{"file": {bench_file}, "exit": null}}}}"#
            )
        };
        std::fs::write(&path, record("\"1_0.node.cpu.bench.json\"")).unwrap();
        let read = read_task(&path).unwrap();
        assert_eq!(read.name(), "1_0");
        assert_eq!(read.status, TaskStatus::Running);
        std::fs::write(&path, record("\"../elsewhere.json\"")).unwrap();
        let err = read_task(&path).unwrap_err();
        assert!(err.message.contains("not a file name"), "{}", err.message);
        std::fs::write(&path, record("\"x\"").replace("running", "sleeping")).unwrap();
        let err = read_task(&path).unwrap_err();
        assert!(
            err.message.contains("damaged task record"),
            "{}",
            err.message
        );
        std::fs::write(&path, r#"{"schema": "hashwatt.bench/2"}"#).unwrap();
        let err = read_task(&path).unwrap_err();
        assert!(err.message.contains("not a fleet task record"));
    }
}
