//! Sorting a fleet's files out: one result per task, results without a
//! record paired by name, copies found, and each result counted or refused
//! with a reason. Nothing that cannot be trusted is averaged in: a failed
//! verify, a copy of another result, two results for one task, an
//! interrupted run, a figure that is not a positive finite number.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::jobs;
use super::read::{self, file_name, refuse, Files};
use super::report::{JobSummary, Missing, Refused, TaskRef};
use super::task::ArraySpec;
use crate::error::Result;
use crate::report::BenchReport;
use crate::verify::device::ConformanceReport;

/// A result that can be counted, with what it came with.
pub struct Counted {
    pub task: Option<TaskRef>,
    pub host: Option<String>,
    pub file: PathBuf,
    pub bench: BenchReport,
    pub verified: bool,
}

/// What a fleet's files hold, sorted out.
pub struct Gathered {
    pub counted: Vec<Counted>,
    pub missing: Vec<Missing>,
    pub refused: Vec<Refused>,
    pub jobs: Vec<JobSummary>,
}

/// Reads every file of `inputs` and sorts them out; `expect` overrides the
/// array the task records say each job ran.
pub fn gather(inputs: &[PathBuf], expect: Option<&ArraySpec>) -> Result<Gathered> {
    let Files {
        tasks,
        mut verifies,
        mut benches,
        mut refused,
    } = read::load(inputs)?;
    let mut units: Vec<Unit> = Vec::new();
    let mut missing: Vec<Missing> = Vec::new();
    let mut accounted: BTreeSet<TaskRef> = refused.iter().filter_map(|r| r.task.clone()).collect();

    // One task, one result: two records of one task with a result each
    // (a task run twice, or a copied record) leave which is the task's
    // unknown, so neither is counted.
    let mut by_task: BTreeMap<TaskRef, Vec<usize>> = BTreeMap::new();
    for (i, t) in tasks.iter().enumerate() {
        by_task.entry(t.task()).or_default().push(i);
    }
    for (task, records) in &by_task {
        let with_bench: Vec<usize> = records
            .iter()
            .copied()
            .filter(|&i| tasks[i].bench.is_some())
            .collect();
        accounted.insert(task.clone());
        if with_bench.len() > 1 {
            let names: Vec<String> = with_bench
                .iter()
                .filter_map(|&i| tasks[i].bench)
                .map(|b| file_name(&benches[b].path))
                .collect();
            for &i in &with_bench {
                let t = &tasks[i];
                for b in t.bench.iter().copied() {
                    benches[b].used = true;
                    refused.push(Refused {
                        file: benches[b].path.display().to_string(),
                        task: Some(task.clone()),
                        host: Some(t.record.host.clone()),
                        reason: format!(
                            "task {task} has a result in {} files ({}): which one is the task's cannot be told, so neither is counted",
                            names.len(),
                            names.join(", ")
                        ),
                    });
                }
                if let Some(v) = t.verify {
                    verifies[v].used = true;
                }
            }
            continue;
        }
        // The record with a result, else one with a verify result, else
        // the latest.
        let chosen = with_bench
            .first()
            .copied()
            .or_else(|| records.iter().copied().find(|&i| tasks[i].verify.is_some()))
            .or_else(|| {
                records
                    .iter()
                    .copied()
                    .max_by(|&a, &b| tasks[a].record.started.cmp(&tasks[b].record.started))
            });
        let Some(i) = chosen else { continue };
        let t = &tasks[i];
        if let Some(v) = t.verify {
            verifies[v].used = true;
        }
        if let Some(b) = t.bench {
            benches[b].used = true;
        }
        let failed_verify = t.verify.is_some_and(|v| !verifies[v].doc.passed);
        if t.bench.is_none() && !failed_verify {
            // A file the record names was refused: it is listed there.
            if !refused.iter().any(|r| r.task.as_ref() == Some(task)) {
                missing.push(Missing {
                    task: task.clone(),
                    host: Some(t.record.host.clone()),
                    reason: jobs::missing_reason(t),
                });
            }
            continue;
        }
        units.push(Unit {
            task: Some(task.clone()),
            host: Some(t.record.host.clone()),
            bench: t.bench,
            verify: t.verify,
        });
    }

    // Results without a record: a bench result and the verify result of the
    // same name (`X.bench.json` and `X.verify.json`) go together.
    let stem = |path: &Path, suffix: &str| {
        let name = file_name(path);
        name.strip_suffix(suffix).map(str::to_string)
    };
    let mut verify_by_stem: HashMap<String, usize> = HashMap::new();
    for (v, loaded) in verifies.iter().enumerate() {
        if !loaded.used {
            if let Some(s) = stem(&loaded.path, ".verify.json") {
                verify_by_stem.insert(s, v);
            }
        }
    }
    for (b, loaded) in benches.iter_mut().enumerate() {
        if loaded.used {
            continue;
        }
        loaded.used = true;
        let verify = stem(&loaded.path, ".bench.json")
            .and_then(|s| verify_by_stem.get(&s).copied())
            .filter(|&v| !verifies[v].used);
        if let Some(v) = verify {
            verifies[v].used = true;
        }
        units.push(Unit {
            task: None,
            host: None,
            bench: Some(b),
            verify,
        });
    }
    for loaded in verifies.iter().filter(|v| !v.used) {
        let reason = if loaded.doc.passed {
            "a verify result with no bench result beside it: nothing to count".to_string()
        } else {
            format!("{}; no bench result", verify_failure(&loaded.doc))
        };
        refuse(&mut refused, &loaded.path, reason);
    }

    // Each result once: a copy of a result already counted (the same run,
    // byte for byte once parsed) is refused, the task's own copy kept.
    let mut counted = Vec::new();
    let mut seen: HashMap<[u8; 32], PathBuf> = HashMap::new();
    for unit in units {
        let verify = unit.verify.map(|v| &verifies[v]);
        let Some(b) = unit.bench else {
            // A task whose verify failed: no bench was run.
            if let Some(v) = verify {
                refused.push(Refused {
                    file: v.path.display().to_string(),
                    task: unit.task,
                    host: unit.host,
                    reason: format!("{}; no bench was run", verify_failure(&v.doc)),
                });
            }
            continue;
        };
        let loaded = &benches[b];
        let mut refuse_unit = |reason: String| {
            refused.push(Refused {
                file: loaded.path.display().to_string(),
                task: unit.task.clone(),
                host: unit.host.clone(),
                reason,
            })
        };
        let fingerprint: [u8; 32] =
            Sha256::digest(serde_json::to_vec(&loaded.doc).unwrap_or_default()).into();
        if let Some(first) = seen.get(&fingerprint) {
            refuse_unit(format!(
                "a copy of {} (the same run): counted once",
                first.display()
            ));
            continue;
        }
        seen.insert(fingerprint, loaded.path.clone());
        if let Some(why) = unusable(&loaded.doc, verify.map(|v| &v.doc)) {
            refuse_unit(why);
            continue;
        }
        counted.push(Counted {
            task: unit.task,
            host: unit.host,
            file: loaded.path.clone(),
            bench: loaded.doc.clone(),
            verified: verify.is_some(),
        });
    }

    let jobs = jobs::jobs(&tasks, expect)?;
    for job in &jobs {
        let Some(expected) = jobs::expected_indices(job, &tasks, expect) else {
            continue;
        };
        for index in expected {
            let task = TaskRef {
                job: job.job.clone(),
                index,
            };
            if !accounted.contains(&task) && !counted.iter().any(|c| c.task.as_ref() == Some(&task))
            {
                missing.push(Missing {
                    task,
                    host: None,
                    reason: "no file: no task record for this index was read (the task never ran, ended before it wrote one, or its record is refused)".into(),
                });
            }
        }
    }
    counted.sort_by(|a, b| {
        (a.task.is_none(), &a.task, &a.file).cmp(&(b.task.is_none(), &b.task, &b.file))
    });
    missing.sort_by(|a, b| a.task.cmp(&b.task));
    Ok(Gathered {
        counted,
        missing,
        refused,
        jobs,
    })
}

struct Unit {
    task: Option<TaskRef>,
    host: Option<String>,
    bench: Option<usize>,
    verify: Option<usize>,
}

/// Why a result read well still cannot be counted, if it cannot.
fn unusable(bench: &BenchReport, verify: Option<&ConformanceReport>) -> Option<String> {
    if let Some(verify) = verify {
        if !verify.passed {
            return Some(format!(
                "{}: a device that fails verify is not benched",
                verify_failure(verify)
            ));
        }
        if verify.device != bench.device.name {
            return Some(format!(
                "verify ran on {:?} but the bench on {:?}",
                verify.device, bench.device.name
            ));
        }
    }
    if bench.interrupted {
        return Some("the run was interrupted before its planned end".into());
    }
    // read_bench has checked every figure already; a fleet counts only
    // results whose shares prove the work they claim.
    if let Ok(crate::report::Standing::Unproven(why)) = crate::report::validate(bench) {
        return Some(format!("unproven: {why}"));
    }
    None
}

/// `verify failed on D: the first problem`.
fn verify_failure(verify: &ConformanceReport) -> String {
    let first = verify
        .headers
        .iter()
        .find_map(|h| h.problem.clone())
        .or_else(|| {
            (!verify.random_digest_mismatches.is_empty()).then(|| {
                format!(
                    "{} random digests differ from sha2's",
                    verify.random_digest_mismatches.len()
                )
            })
        })
        .or_else(|| {
            verify
                .hit_set
                .as_ref()
                .filter(|h| !h.equal)
                .map(|h| format!("hit set {} vs the CPU's {}", h.device_hits, h.sha2_hits))
        })
        .unwrap_or_else(|| "a check did not pass".into());
    format!("verify failed on {}: {first}", verify.device)
}
