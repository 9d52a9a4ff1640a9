//! Shared by the fleet tests: the job script run as an array (by hand in
//! tests/fleet.rs, under a real Slurm in tests/fleet_slurm.rs), what each
//! index is made to do, and the checks every merge of it must pass.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scripts/slurm/hashwatt-fleet.sbatch"
);
const GENESIS_HEX: &str = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";
/// Genesis's block hash with its last digit changed: verify must fail on it.
const WRONG_GENESIS_HASH: &str = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26e";

/// What each array index of the test job does.
pub struct Array {
    /// Indices 0..tasks are expected.
    pub tasks: u32,
    /// The CPU device on 2 threads.
    pub normal: Vec<u32>,
    /// The CPU device made slow on purpose: 1 thread on the scalar path.
    /// `--threads 1` alone among `--threads 2` is at best 2x slower on two
    /// cores, and much less when other processes compete for them; the
    /// scalar path on one thread is 10 to 20 times slower than the SIMD
    /// paths on two (measured here: 1.3 MH/s against 21 MH/s), far outside
    /// the rule's 10% however the others' rates move.
    pub slow: u32,
    /// lavapipe, the software Vulkan adapter.
    pub lavapipe: Option<u32>,
    /// A device that does not exist: verify exits 3, no result.
    pub bad_device: u32,
    /// Verify on a header file with a wrong expected hash: it fails (exit
    /// 1) and writes its result; no bench.
    pub failed_verify: u32,
    /// An index that is never run: it leaves no file at all.
    pub never: Option<u32>,
}

impl Array {
    /// The variables the script reads, for every index at once.
    pub fn env(&self, out: &Path, job: Option<&str>) -> Vec<(String, String)> {
        let bad_headers = out.with_extension("wrong-genesis.txt");
        std::fs::write(
            &bad_headers,
            format!("# genesis with a wrong expected hash\n{GENESIS_HEX} {WRONG_GENESIS_HASH}\n"),
        )
        .unwrap();
        let mut env: Vec<(String, String)> = [
            ("HASHWATT", env!("CARGO_BIN_EXE_hashwatt").to_string()),
            ("HASHWATT_OUT", out.display().to_string()),
            ("HASHWATT_DURATION", "0.5".into()),
            ("HASHWATT_REPEAT", "3".into()),
            ("HASHWATT_DEVICE", "cpu".into()),
            ("HASHWATT_ARGS", "--threads 2".into()),
            ("HASHWATT_BENCH_ARGS", "--watts 50 --idle-seconds 0".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Some(job) = job {
            env.push(("HASHWATT_JOB_ID".into(), job.into()));
            env.push(("HASHWATT_TASK_COUNT".into(), self.tasks.to_string()));
        }
        let mut per = |name: &str, index: u32, value: &str| {
            env.push((format!("{name}_{index}"), value.to_string()));
        };
        per("HASHWATT_ARGS", self.slow, "--threads 1 --cpu-path scalar");
        if let Some(i) = self.lavapipe {
            per("HASHWATT_DEVICE", i, "llvmpipe");
            per("HASHWATT_ARGS", i, "");
        }
        per("HASHWATT_DEVICE", self.bad_device, "no-such-device");
        per("HASHWATT_ARGS", self.bad_device, "");
        per(
            "HASHWATT_VERIFY_ARGS",
            self.failed_verify,
            &format!("--headers {} --window 0", bad_headers.display()),
        );
        env
    }
}

pub fn hashwatt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .expect("hashwatt runs")
}

/// `hashwatt fleet ARGS --json -`, which must succeed.
pub fn fleet_json(args: &[&str]) -> Value {
    let mut all = vec!["fleet"];
    all.extend(args);
    all.extend(["--json", "-"]);
    let output = hashwatt(&all);
    assert!(
        output.status.success(),
        "{all:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    super::validate("fleet.schema.json", &report);
    report
}

pub fn f(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

fn index_of(entry: &Value) -> Option<u32> {
    entry["task"]["index"].as_u64().map(|i| i as u32)
}

/// The nodes' array indices.
pub fn node_indices(report: &Value) -> Vec<u32> {
    report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(index_of)
        .collect()
}

/// Every check a merge of the test array must pass.
pub fn check_merge(report: &Value, array: &Array, out: &Path) {
    let nodes = report["nodes"].as_array().unwrap();
    // One result per task: every index appears once, as a node, a refused
    // result or a missing task.
    let mut counted: Vec<u32> = array.normal.clone();
    counted.push(array.slow);
    counted.extend(array.lavapipe);
    counted.sort();
    assert_eq!(node_indices(report), counted, "{report:#}");
    let refused: Vec<u32> = report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(index_of)
        .collect();
    let missing: Vec<u32> = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(index_of)
        .collect();
    let mut every: Vec<u32> = counted
        .iter()
        .chain(&refused)
        .chain(&missing)
        .copied()
        .collect();
    every.sort();
    let unique: BTreeSet<u32> = every.iter().copied().collect();
    assert_eq!(every.len(), unique.len(), "an index twice: {every:?}");
    assert_eq!(
        unique,
        (0..array.tasks).collect::<BTreeSet<u32>>(),
        "{report:#}"
    );
    for node in nodes {
        assert_eq!(node["verify"], "passed", "{node}");
        assert!(f(&node["hashes_per_second"]) > 0.0);
        assert_eq!(node["power_measured"], false, "stated with --watts");
    }

    // The totals are the sums over the nodes.
    let rates: Vec<f64> = nodes.iter().map(|n| f(&n["hashes_per_second"])).collect();
    let watts: Vec<f64> = nodes.iter().map(|n| f(&n["watts"])).collect();
    let totals = &report["totals"];
    let sum: f64 = rates.iter().sum();
    let watt_sum: f64 = watts.iter().sum();
    assert_eq!(totals["nodes"], nodes.len());
    assert!((f(&totals["hashes_per_second"]) - sum).abs() <= 1e-9 * sum);
    assert!((f(&totals["watts"]) - watt_sum).abs() <= 1e-9 * watt_sum);
    // H/J: the nodes' hashes over their joules, each as its bench measured.
    let hashes: f64 = nodes
        .iter()
        .map(|n| f(&n["hashes_per_joule"]) * f(&n["watts"]))
        .sum();
    let hpj = hashes / watt_sum;
    assert!((f(&totals["hashes_per_joule"]) - hpj).abs() <= 1e-9 * hpj);
    assert!((f(&totals["joules_per_terahash"]) - 1e12 / hpj).abs() <= 1e-9 * 1e12 / hpj);
    let groups = report["models"].as_array().unwrap();
    let group_sum: f64 = groups.iter().map(|g| f(&g["hashes_per_second"])).sum();
    assert!((group_sum - sum).abs() <= 1e-9 * sum);

    // The slow node is named, below its group on rate.
    let slow = nodes
        .iter()
        .find(|n| index_of(n) == Some(array.slow))
        .unwrap();
    assert_eq!(slow["outlier"], true, "{}", rate_table(report));
    let outliers = report["outliers"].as_array().unwrap();
    let named = outliers
        .iter()
        .find(|o| index_of(o) == Some(array.slow) && o["metric"] == "hashes_per_second")
        .unwrap_or_else(|| panic!("the slow node is not named: {}", rate_table(report)));
    assert_eq!(named["direction"], "below");
    assert!(named["host"].is_string());
    assert!(f(&named["deviation"]) < -0.10);
    // Its group is the CPU's, with the nodes on two threads.
    let group = groups.iter().find(|g| g["model"] == slow["model"]).unwrap();
    assert_eq!(group["nodes"], array.normal.len() + 1);

    // The bad device is missing, with verify's status 3 as the reason.
    let bad = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| index_of(m) == Some(array.bad_device))
        .unwrap_or_else(|| panic!("the bad device is not missing: {report:#}"));
    let reason = bad["reason"].as_str().unwrap();
    assert!(reason.contains("verify exited 3"), "{reason}");
    assert!(reason.contains("no-such-device"), "{reason}");

    // The failed verify is refused, its result named, no bench.
    let failed = report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| index_of(r) == Some(array.failed_verify))
        .unwrap_or_else(|| panic!("the failed verify is not refused: {report:#}"));
    let reason = failed["reason"].as_str().unwrap();
    assert!(reason.contains("verify failed"), "{reason}");
    assert!(reason.contains(WRONG_GENESIS_HASH), "{reason}");
    assert!(failed["file"].as_str().unwrap().ends_with(".verify.json"));

    // Every task record the script wrote fits its schema, and none says
    // it is still running.
    let records = task_records(out);
    let ran = array.tasks as usize - usize::from(array.never.is_some());
    assert_eq!(records.len(), ran, "{records:?}");
    for path in records {
        let record: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        super::validate("fleet-task.schema.json", &record);
        assert_ne!(record["status"], "running", "{}", path.display());
    }
}

/// Each node's rate and the band of its group, for a failure's message.
pub fn rate_table(report: &Value) -> String {
    let nodes: Vec<String> = report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{}: {:.3e} H/s ({})",
                n["task"]["index"],
                f(&n["hashes_per_second"]),
                n["device"]
            )
        })
        .collect();
    let bands: Vec<String> = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| format!("{}: {}", g["model"], g["rate"]))
        .collect();
    format!("nodes {nodes:#?}, groups {bands:#?}")
}

pub fn task_records(out: &Path) -> Vec<PathBuf> {
    let mut records: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".task.json"))
        .collect();
    records.sort();
    records
}
