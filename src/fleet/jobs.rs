//! What each job expected and why a task is missing: the array the task
//! records (or `--expect`) name, and a task's record read as a reason.

use std::collections::{BTreeMap, BTreeSet};

use super::read::{file_name, TaskFile};
use super::report::JobSummary;
use super::task::{self, ArraySpec, TaskStatus};
use crate::error::{Error, Result};

/// What an exit status of hashwatt means (README, Exit statuses).
pub fn exit_words(code: i32) -> &'static str {
    match code {
        0 => "success",
        1 => "a check failed",
        2 => "bad input",
        3 => "a device could not be found or run",
        4 => "a result could not be written",
        124 => "timed out",
        127 => "the hashwatt binary was not found",
        130 => "interrupted by SIGINT",
        137 => "killed",
        143 => "interrupted by SIGTERM",
        _ => "failed",
    }
}

/// Why a task with a record left no result to count.
pub fn missing_reason(t: &TaskFile) -> String {
    let step = |what: &str, s: &task::StepRecord| match s.exit {
        Some(code) => {
            let error = s
                .error
                .as_ref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            format!("{what} exited {code} ({}){error}", exit_words(code))
        }
        None => format!("{what} did not end"),
    };
    let record = &t.record;
    match record.status {
        TaskStatus::Running => {
            "the task did not finish: its record still says running (killed, out of time, or its node failed)"
                .into()
        }
        TaskStatus::VerifyFailed => match t.named(&record.verify.file) {
            Some(path) if !path.is_file() => format!(
                "{}; its verify result {} is not there",
                step("verify", &record.verify),
                file_name(&path)
            ),
            _ => format!("{}; no bench was run", step("verify", &record.verify)),
        },
        TaskStatus::BenchFailed => step("bench", &record.bench),
        TaskStatus::Done => match t.named(&record.bench.file) {
            Some(path) => format!(
                "the record says done, but its bench result {} is not there",
                file_name(&path)
            ),
            None => "the record says done but names no bench result".into(),
        },
    }
}

/// The jobs the records name, and what each expected.
pub fn jobs(tasks: &[TaskFile], expect: Option<&ArraySpec>) -> Result<Vec<JobSummary>> {
    if expect.is_some() && tasks.is_empty() {
        return Err(Error::input(
            "--expect needs the task records (*.task.json) that the job script writes beside each result: none was read",
        ));
    }
    let mut by_job: BTreeMap<&str, Vec<&TaskFile>> = BTreeMap::new();
    for t in tasks {
        by_job.entry(&t.record.job).or_default().push(t);
    }
    Ok(by_job
        .into_iter()
        .map(|(job, records)| {
            let mut summary = JobSummary {
                job: job.to_string(),
                scheduler: records[0].record.scheduler.clone(),
                expected: None,
                expected_count: None,
                expected_from: None,
                records: records.len(),
            };
            if let Some(spec) = expect {
                summary.expected = Some(spec.describe());
                summary.expected_count = Some(spec.indices.len() as u64);
                summary.expected_from = Some("--expect".into());
            } else if let Some(spec) = agreed_array(&records) {
                summary.expected = Some(spec.describe());
                summary.expected_count = Some(spec.indices.len() as u64);
                summary.expected_from = Some("task records".into());
            } else {
                let counts: BTreeSet<Option<u32>> =
                    records.iter().map(|t| t.record.array.count).collect();
                if let [Some(count)] = counts.into_iter().collect::<Vec<_>>()[..] {
                    summary.expected_count = Some(u64::from(count));
                    summary.expected_from = Some("task records".into());
                }
            }
            summary
        })
        .collect())
}

/// The indices every record of a job agrees it was one of.
fn agreed_array(records: &[&TaskFile]) -> Option<ArraySpec> {
    let first = &records.first()?.record.array;
    if records.iter().any(|t| &t.record.array != first) {
        return None;
    }
    ArraySpec::from_array(first)
}

pub fn expected_indices(
    job: &JobSummary,
    tasks: &[TaskFile],
    expect: Option<&ArraySpec>,
) -> Option<BTreeSet<u32>> {
    if let Some(spec) = expect {
        return Some(spec.indices.clone());
    }
    let records: Vec<&TaskFile> = tasks.iter().filter(|t| t.record.job == job.job).collect();
    agreed_array(&records).map(|s| s.indices)
}
