//! Reading a fleet's folder: every file read once through its one reader
//! (bench results through [`crate::report::read_bench`], verify results
//! through [`crate::report::read_verify`], task records through
//! [`super::task::read_task`]), and each record linked to the results it
//! names. A file that cannot be read is refused here, with the reason its
//! reader gave; [`super::sort`] decides what the rest count for.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::report::{Refused, TaskRef};
use super::task::{self, TaskRecord};
use crate::error::{Error, Result};
use crate::report::{self, BenchReport};
use crate::verify::device::ConformanceReport;

/// More files than this in one folder is not a fleet's folder.
pub const MAX_FILES: usize = 1 << 18;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Task,
    Verify,
    Bench,
}

/// What a file's name says it is: the job script writes `*.task.json`,
/// `*.verify.json` and `*.bench.json`; any other `.json` is read as a bench
/// result (`hashwatt bench --json NAME.json`).
fn kind(path: &Path) -> Kind {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".task.json") {
        Kind::Task
    } else if name.ends_with(".verify.json") {
        Kind::Verify
    } else {
        Kind::Bench
    }
}

/// The files to read: each file given, and every `*.json` in each folder
/// given (not its subfolders; names starting with a dot are skipped).
/// The same file given twice is read once.
fn list(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut seen = BTreeSet::new();
    let mut files = Vec::new();
    let mut add = |path: PathBuf, files: &mut Vec<PathBuf>| {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(key) {
            files.push(path);
        }
    };
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| Error::input(format!("cannot read {}: {e}", input.display())))?;
        if !meta.is_dir() {
            add(input.clone(), &mut files);
            continue;
        }
        let entries = std::fs::read_dir(input)
            .map_err(|e| Error::input(format!("cannot read {}: {e}", input.display())))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry =
                entry.map_err(|e| Error::input(format!("cannot read {}: {e}", input.display())))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.starts_with('.')
                || !name.to_ascii_lowercase().ends_with(".json")
                || !path.is_file()
            {
                continue;
            }
            found.push(path);
            if found.len() > MAX_FILES {
                return Err(Error::input(format!(
                    "{} holds more than {MAX_FILES} result files; give a fleet's folder",
                    input.display()
                )));
            }
        }
        found.sort();
        for path in found {
            add(path, &mut files);
        }
    }
    if files.is_empty() {
        let shown: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::input(format!(
            "no result files (*.json) in {}",
            shown.join(", ")
        )));
    }
    Ok(files)
}

/// An error's message without the file name it starts with: the refused
/// list names the file on its own.
fn reason_of(error: Error, path: &Path) -> String {
    let prefix = format!("{}: ", path.display());
    error
        .message
        .strip_prefix(&prefix)
        .map(str::to_string)
        .unwrap_or(error.message)
}

/// A task record and the results it names, where they were read.
pub struct TaskFile {
    pub path: PathBuf,
    pub record: TaskRecord,
    pub verify: Option<usize>,
    pub bench: Option<usize>,
}

impl TaskFile {
    pub fn task(&self) -> TaskRef {
        TaskRef {
            job: self.record.job.clone(),
            index: self.record.index,
        }
    }

    /// A file the record names, beside it.
    pub fn named(&self, file: &Option<String>) -> Option<PathBuf> {
        let folder = self.path.parent().unwrap_or(Path::new("."));
        file.as_ref().map(|name| folder.join(name))
    }
}

/// A bench result or a verify result as read; `used` once it is placed.
pub struct Loaded<T> {
    pub path: PathBuf,
    pub doc: T,
    pub used: bool,
}

/// Every file read: the records (linked), the results, and the files
/// refused so far.
pub struct Files {
    pub tasks: Vec<TaskFile>,
    pub verifies: Vec<Loaded<ConformanceReport>>,
    pub benches: Vec<Loaded<BenchReport>>,
    pub refused: Vec<Refused>,
}

/// The key a file is found by: its canonical path.
fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

pub fn refuse(refused: &mut Vec<Refused>, path: &Path, reason: String) {
    refused.push(Refused {
        file: path.display().to_string(),
        task: None,
        host: None,
        reason,
    });
}

/// Reads every file of `inputs`, and links each task record to the
/// results it names.
pub fn load(inputs: &[PathBuf]) -> Result<Files> {
    let mut files = list(inputs)?;
    let mut refused: Vec<Refused> = Vec::new();

    // Task records first: the files they name are read even when only the
    // records were given.
    let mut tasks: Vec<TaskFile> = Vec::new();
    for path in files.iter().filter(|p| kind(p) == Kind::Task) {
        match task::read_task(path) {
            Ok(record) => tasks.push(TaskFile {
                path: path.clone(),
                record,
                verify: None,
                bench: None,
            }),
            Err(e) => refuse(&mut refused, path, reason_of(e, path)),
        }
    }
    let listed: BTreeSet<PathBuf> = files.iter().map(|p| key(p)).collect();
    for t in &tasks {
        for named in [
            t.named(&t.record.verify.file),
            t.named(&t.record.bench.file),
        ]
        .into_iter()
        .flatten()
        {
            if named.is_file() && !listed.contains(&key(&named)) && !files.contains(&named) {
                files.push(named);
            }
        }
    }

    let mut verifies: Vec<Loaded<ConformanceReport>> = Vec::new();
    let mut benches: Vec<Loaded<BenchReport>> = Vec::new();
    // Where each file ended up: read, or refused (by its place in `refused`).
    let mut verify_at: HashMap<PathBuf, usize> = HashMap::new();
    let mut bench_at: HashMap<PathBuf, usize> = HashMap::new();
    let mut refused_at: HashMap<PathBuf, usize> = HashMap::new();
    for path in &files {
        match kind(path) {
            Kind::Task => {}
            Kind::Verify => match report::read_verify(path) {
                Ok(doc) => {
                    verify_at.insert(key(path), verifies.len());
                    verifies.push(Loaded {
                        path: path.clone(),
                        doc,
                        used: false,
                    });
                }
                Err(e) => {
                    refused_at.insert(key(path), refused.len());
                    refuse(&mut refused, path, reason_of(e, path));
                }
            },
            Kind::Bench => match report::read_bench(path) {
                Ok(doc) => {
                    bench_at.insert(key(path), benches.len());
                    benches.push(Loaded {
                        path: path.clone(),
                        doc,
                        used: false,
                    });
                }
                Err(e) => {
                    refused_at.insert(key(path), refused.len());
                    refuse(&mut refused, path, reason_of(e, path));
                }
            },
        }
    }

    // Link each record to the results it names; a named result that was
    // refused carries the task's name into the refused list.
    for t in &mut tasks {
        let task = t.task();
        let host = t.record.host.clone();
        if let Some(path) = t.named(&t.record.verify.file) {
            t.verify = verify_at.get(&key(&path)).copied();
            if let Some(&at) = refused_at.get(&key(&path)) {
                refused[at].task = Some(task.clone());
                refused[at].host = Some(host.clone());
            }
        }
        if let Some(path) = t.named(&t.record.bench.file) {
            t.bench = bench_at.get(&key(&path)).copied();
            if let Some(&at) = refused_at.get(&key(&path)) {
                refused[at].task = Some(task);
                refused[at].host = Some(host);
            }
        }
    }

    Ok(Files {
        tasks,
        verifies,
        benches,
        refused,
    })
}
