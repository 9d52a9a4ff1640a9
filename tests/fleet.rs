//! `hashwatt fleet` on a folder the job script really wrote: the script run
//! by hand as an array of 9 tasks on the CPU device (no scheduler; the
//! same script Slurm runs in tests/fleet_slurm.rs), then merged. Five nodes
//! run normally, one is made slow, one names a device that does not exist,
//! one fails verify, one never runs. Then the folder is damaged on purpose:
//! a duplicated file, a task with two results, invalid files, a verify
//! turned failed; each is refused by name and left out of the totals.
//! `estimate --from-fleet` fills the site in the fleet's measured mix.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::fleet::{self as fleet_test, check_merge, f, fleet_json, hashwatt, Array};
use serde_json::Value;

const JOB: &str = "4242";

fn array() -> Array {
    Array {
        tasks: 9,
        normal: vec![0, 1, 2, 3, 4],
        slow: 5,
        lavapipe: None,
        bad_device: 6,
        failed_verify: 7,
        never: Some(8),
    }
}

/// The folder the script wrote, once for every test of this file.
fn results() -> &'static Path {
    static RESULTS: OnceLock<PathBuf> = OnceLock::new();
    RESULTS.get_or_init(|| {
        // Under target/ (cargo's folder for tests' files), one per run; the
        // folders of earlier runs go first.
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for old in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
            if old.file_name().to_string_lossy().starts_with("fleet-test-") {
                let _ = std::fs::remove_dir_all(old.path());
            }
        }
        let dir = tmp.join(format!("fleet-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("out");
        let array = array();
        let env = array.env(&out, Some(JOB));
        for index in 0..array.tasks {
            if Some(index) == array.never {
                continue;
            }
            let status = Command::new("bash")
                .arg(fleet_test::SCRIPT)
                .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .env("HASHWATT_TASK_INDEX", index.to_string())
                .env("XDG_RUNTIME_DIR", std::env::temp_dir())
                .env_remove("SLURM_JOB_ID")
                .env_remove("JOB_COMPLETION_INDEX")
                .status()
                .expect("bash runs the job script");
            let expected = if index == array.bad_device {
                3
            } else if index == array.failed_verify {
                1
            } else {
                0
            };
            assert_eq!(status.code(), Some(expected), "task {index}");
        }
        out
    })
}

/// A copy of the results to damage.
fn copy(name: &str) -> PathBuf {
    let to = results().parent().unwrap().join(format!("copy-{name}"));
    let _ = std::fs::remove_dir_all(&to);
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(results()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
    to
}

fn file_of(dir: &Path, index: u32, suffix: &str) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with(&format!("{JOB}_{index}.")) && name.ends_with(suffix)
        })
        .unwrap_or_else(|| panic!("no {suffix} for task {index} in {}", dir.display()))
}

fn refused_reason(report: &Value, file_name: &str) -> String {
    report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with(file_name))
        .unwrap_or_else(|| panic!("{file_name} is not refused: {report:#}"))["reason"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_merge_names_the_slow_node_and_the_missing_tasks() {
    let array = array();
    let report = fleet_json(&[results().to_str().unwrap()]);
    check_merge(&report, &array, results());
    let job = &report["jobs"][0];
    assert_eq!(job["job"], JOB);
    assert_eq!(job["scheduler"], "none");
    assert_eq!(job["expected"], format!("0-{}", array.tasks - 1));
    assert_eq!(job["expected_from"], "task records");
    let never = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["task"]["index"] == array.never.unwrap())
        .unwrap();
    assert!(never["reason"].as_str().unwrap().contains("no file"));
    assert!(
        report["refused"].as_array().unwrap().len() == 1,
        "{report:#}"
    );

    // The table says the same, and the plot marks the outlier.
    let plot = results().parent().unwrap().join("fleet.svg");
    let output = hashwatt(&[
        "fleet",
        results().to_str().unwrap(),
        "--plot",
        plot.to_str().unwrap(),
        "--force",
    ]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains(&format!("{JOB}_{} on", array.slow)), "{text}");
    assert!(text.contains("OUTLIER"), "{text}");
    assert!(
        text.contains(&format!("{JOB}_{} on", array.bad_device)),
        "{text}"
    );
    assert!(text.contains("verify exited 3"), "{text}");
    let never = array.never.unwrap();
    assert!(text.contains(&format!("{JOB}_{never}: no file")), "{text}");
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg"), "{svg:.80}");
    // "outlier" in each panel's legend, and over each outlier's bar.
    let marks = svg.lines().filter(|l| l.trim() == "outlier").count();
    assert!(marks >= 3, "{marks} outlier labels");
    assert!(svg.contains("rate per node") && svg.contains("efficiency per node"));

    // --expect names tasks the records do not know of.
    let wider = fleet_json(&[results().to_str().unwrap(), "--expect", "0-10"]);
    let missing: Vec<u32> = wider["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["task"]["index"].as_u64().unwrap() as u32)
        .collect();
    assert_eq!(missing, vec![array.bad_device, never, 9, 10]);
    assert_eq!(wider["jobs"][0]["expected_from"], "--expect");
}

#[test]
fn a_duplicated_file_is_counted_once() {
    let before = fleet_json(&[results().to_str().unwrap()]);
    let dir = copy("duplicate");
    let bench = file_of(&dir, 0, ".bench.json");
    std::fs::copy(&bench, dir.join("node0-again.json")).unwrap();
    let report = fleet_json(&[dir.to_str().unwrap()]);
    let reason = refused_reason(&report, "node0-again.json");
    assert!(reason.contains("a copy of"), "{reason}");
    assert!(reason.contains(&bench.file_name().unwrap().to_string_lossy().to_string()));
    assert_eq!(report["totals"]["nodes"], before["totals"]["nodes"]);
    assert_eq!(
        report["totals"]["hashes_per_second"],
        before["totals"]["hashes_per_second"]
    );
    // The same file given twice is one file, not a copy.
    let twice = fleet_json(&[results().to_str().unwrap(), bench_path(0).to_str().unwrap()]);
    assert_eq!(twice["totals"], before["totals"]);
    assert_eq!(twice["refused"], before["refused"]);
}

fn bench_path(index: u32) -> PathBuf {
    file_of(results(), index, ".bench.json")
}

#[test]
fn a_task_with_two_results_is_not_counted() {
    let before = fleet_json(&[results().to_str().unwrap()]);
    let dir = copy("two-results");
    // Task 1 claimed again by a second record, with a different run (task
    // 0's, its time changed) as its result: a requeue that ran twice.
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(file_of(&dir, 1, ".task.json")).unwrap())
            .unwrap();
    let mut other = record.clone();
    other["bench"]["file"] = "second-run.bench.json".into();
    other["verify"]["file"] = Value::Null;
    std::fs::write(
        dir.join(format!("{JOB}_1.elsewhere.cpu.task.json")),
        serde_json::to_string(&other).unwrap(),
    )
    .unwrap();
    let mut run: Value =
        serde_json::from_str(&std::fs::read_to_string(bench_path(0)).unwrap()).unwrap();
    run["created"] = "2030-01-01T00:00:00Z".into();
    std::fs::write(
        dir.join("second-run.bench.json"),
        serde_json::to_string(&run).unwrap(),
    )
    .unwrap();
    let report = fleet_json(&[dir.to_str().unwrap()]);
    let reason = refused_reason(&report, "second-run.bench.json");
    assert!(
        reason.contains(&format!("task {JOB}_1 has a result in 2 files")),
        "{reason}"
    );
    let first = file_of(&dir, 1, ".bench.json");
    let first_name = first.file_name().unwrap().to_string_lossy().to_string();
    assert!(refused_reason(&report, &first_name).contains("neither is counted"));
    assert!(!fleet_test::node_indices(&report).contains(&1));
    assert_eq!(
        report["totals"]["nodes"].as_u64().unwrap(),
        before["totals"]["nodes"].as_u64().unwrap() - 1
    );
    let node1 = before["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["task"]["index"] == 1)
        .unwrap();
    let expected = f(&before["totals"]["hashes_per_second"]) - f(&node1["hashes_per_second"]);
    assert!((f(&report["totals"]["hashes_per_second"]) - expected).abs() <= 1e-9 * expected);
}

#[test]
fn invalid_files_are_refused_by_name() {
    let before = fleet_json(&[results().to_str().unwrap()]);
    let dir = copy("invalid");
    std::fs::write(
        dir.join("truncated.bench.json"),
        "{\"schema\": \"hashwatt.bench/2\"",
    )
    .unwrap();
    std::fs::write(
        dir.join("devices.json"),
        "{\"schema\": \"hashwatt.devices/1\"}",
    )
    .unwrap();
    std::fs::write(dir.join("binary.json"), b"\xff\xfe\x00garbage").unwrap();
    // A real result with an impossible rate.
    let mut run: Value =
        serde_json::from_str(&std::fs::read_to_string(bench_path(2)).unwrap()).unwrap();
    run["hashes_per_second"] = (-5.0).into();
    std::fs::write(
        dir.join("negative.json"),
        serde_json::to_string(&run).unwrap(),
    )
    .unwrap();
    // Task 3's record damaged: the task is then unknown, its result counted
    // without it.
    std::fs::write(
        file_of(&dir, 3, ".task.json"),
        "{\"schema\": \"hashwatt.fleet-task/1\"}",
    )
    .unwrap();
    let report = fleet_json(&[dir.to_str().unwrap()]);
    assert!(refused_reason(&report, "truncated.bench.json").contains("not JSON"));
    assert!(refused_reason(&report, "devices.json").contains("not a hashwatt bench result"));
    assert!(refused_reason(&report, "binary.json").contains("not UTF-8"));
    let reason = refused_reason(&report, "negative.json");
    assert!(reason.contains("hashes_per_second"), "{reason}");
    let record = file_of(&dir, 3, ".task.json");
    let reason = refused_reason(&report, &record.file_name().unwrap().to_string_lossy());
    assert!(reason.contains("damaged task record"), "{reason}");
    // Only the valid nodes count: the same rates as before.
    assert_eq!(report["totals"]["nodes"], before["totals"]["nodes"]);
    let sum = f(&before["totals"]["hashes_per_second"]);
    assert!((f(&report["totals"]["hashes_per_second"]) - sum).abs() <= 1e-9 * sum);
}

#[test]
fn a_failed_verify_keeps_its_bench_out() {
    let before = fleet_json(&[results().to_str().unwrap()]);
    let dir = copy("failed-verify");
    // Task 0's verify result turned failed, its bench left beside it.
    let path = file_of(&dir, 0, ".verify.json");
    let mut verify: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    verify["passed"] = false.into();
    verify["headers"][0]["digest_ok"] = false.into();
    verify["headers"][0]["problem"] = "device digest 00ff differs from sha2's".into();
    std::fs::write(&path, serde_json::to_string(&verify).unwrap()).unwrap();
    let report = fleet_json(&[dir.to_str().unwrap()]);
    let bench = file_of(&dir, 0, ".bench.json");
    let reason = refused_reason(&report, &bench.file_name().unwrap().to_string_lossy());
    assert!(reason.contains("verify failed"), "{reason}");
    assert!(reason.contains("device digest 00ff differs"), "{reason}");
    assert!(!fleet_test::node_indices(&report).contains(&0));
    assert_eq!(
        report["totals"]["nodes"].as_u64().unwrap(),
        before["totals"]["nodes"].as_u64().unwrap() - 1
    );
    // The real failure, read from the verify result its task wrote.
    let failed = file_of(results(), array().failed_verify, ".verify.json");
    let reason = refused_reason(&before, &failed.file_name().unwrap().to_string_lossy());
    assert!(reason.starts_with("verify failed on CPU"), "{reason}");
    assert!(reason.contains("no bench was run"), "{reason}");
}

#[test]
fn estimate_from_the_fleet_fills_the_site_in_its_mix() {
    let fleet = fleet_json(&[results().to_str().unwrap()]);
    let output = hashwatt(&[
        "estimate",
        "--from-fleet",
        results().to_str().unwrap(),
        "--plant-mw",
        "100",
        "--pue",
        "1.0",
        "--json",
        "-",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let estimate: Value = serde_json::from_slice(&output.stdout).unwrap();
    common::validate("estimate.schema.json", &estimate);
    let nodes = fleet["totals"]["nodes_with_energy"].as_u64().unwrap();
    assert_eq!(
        estimate["efficiency"]["source"],
        format!("measured (fleet of {nodes} nodes; power stated, not measured)")
    );
    let origin = &estimate["measured_fleet"];
    assert_eq!(origin["nodes"], fleet["totals"]["nodes"]);
    assert_eq!(origin["missing"], 2);
    assert_eq!(origin["refused"], 1);
    // The slow node at least; a node slowed by other work on the machine
    // may be named too, as it should.
    let outliers = fleet["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["outlier"] == true)
        .count();
    assert!(outliers >= 1);
    assert_eq!(origin["outliers"], outliers);
    // 100 MW at PUE 1 filled at the fleet's hashes over its joules.
    let hpj = f(&fleet["totals"]["hashes_per_joule"]);
    let site = f(&estimate["scenarios"][0]["site_hashes_per_second"]);
    assert!(
        (site - 1e8 * hpj).abs() <= 1e-9 * site,
        "{site} vs {}",
        1e8 * hpj
    );
    assert!((f(&estimate["efficiency"]["hashes_per_joule"]) - hpj).abs() <= 1e-9 * hpj);
    // One member, the CPU model, with all the power and 50 W a device.
    let members = estimate["fleet"].as_array().unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(f(&members[0]["power_share"]), 1.0);
    assert_eq!(f(&members[0]["efficiency"]["device_watts"]), 50.0);
    let devices = f(&estimate["scenarios"][0]["devices"]);
    assert!((devices - 1e8 / 50.0).abs() < 1e-6);

    let output = hashwatt(&["estimate", "--from-fleet", results().to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("measured (fleet of"), "{text}");
    assert!(text.contains("left out: 2 missing, 1 refused"), "{text}");
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    let empty = results().parent().unwrap().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let folder = results().to_str().unwrap().to_string();
    for (args, why) in [
        (vec!["fleet", empty.to_str().unwrap()], "no result files"),
        (
            vec!["fleet", "/no/such/folder"],
            "cannot read /no/such/folder",
        ),
        (vec!["fleet", &folder, "--expect", "5-1"], "runs backwards"),
        (vec!["fleet", &folder, "--expect", "0-x"], "is not an index"),
        (
            vec!["fleet", bench_path(0).to_str().unwrap(), "--expect", "0-3"],
            "--expect needs the task records",
        ),
        (
            vec!["estimate", "--from-fleet", empty.to_str().unwrap()],
            "no result files",
        ),
        (
            vec!["estimate", "--from-fleet", &folder, "--jth", "20"],
            "cannot be used with",
        ),
    ] {
        let output = hashwatt(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(why), "{args:?}: {stderr}");
    }
    // Nothing that can be counted: the report, then status 1.
    let dir = results().parent().unwrap().join("nothing-counted");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("x.json"), "{}").unwrap();
    let output = hashwatt(&["fleet", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("refused"));
}
