//! `scripts/gpu-evidence.sh`, run for real on the GPU the tests use
//! (lavapipe on CI) with short durations: the whole set end to end, a set
//! that never lands inside an earlier one, settings refused before anything
//! runs, and a step that fails late without taking the finished steps'
//! results with it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn script() -> String {
    format!("{}/scripts/gpu-evidence.sh", env!("CARGO_MANIFEST_DIR"))
}

/// The script on device 0, short runs, the tuning cache in `cache`.
fn evidence(root: &Path, cache: &Path, hashwatt: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new("bash");
    command
        .arg(script())
        .arg("0")
        .env("HASHWATT", hashwatt)
        .env("EVIDENCE_ROOT", root)
        .env("EVIDENCE_SECONDS", "2")
        .env("EVIDENCE_TUNE_SECONDS", "0.3")
        .env("EVIDENCE_WATTS", "40")
        .env("HASHWATT_CACHE_DIR", cache);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hashwatt"))
}

fn folders(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    found.sort();
    found
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The folder name the script gives device 0: its name in lower case, runs
/// of anything else as one dash.
fn slug_of_device_0() -> String {
    let output = Command::new(binary())
        .args(["devices", "--json"])
        .output()
        .unwrap();
    let devices: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let name = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["select"] == "0")
        .map(|d| d["name"].as_str().unwrap().to_lowercase())
        .unwrap();
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The whole set, with a set of the same name already there: the new one
/// goes beside it, never inside it.
#[test]
fn the_gpu_evidence_script_runs_end_to_end() {
    if common::gpu_choice().is_none() {
        return; // common::gpu_choice fails under CI when no adapter exists
    }
    let root = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let earlier = root.path().join(slug_of_device_0());
    std::fs::create_dir(&earlier).unwrap();
    std::fs::write(earlier.join("bench-1.json"), "an earlier set\n").unwrap();
    let output = evidence(root.path(), cache.path(), &binary(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The earlier set is as it was.
    let names: Vec<_> = folders(&earlier);
    assert_eq!(names, [earlier.join("bench-1.json")], "{stderr}");
    let all = folders(root.path());
    assert_eq!(all.len(), 2, "{all:?}");
    let folder = all.iter().find(|f| **f != earlier).unwrap();
    assert!(
        folder
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&format!("{}-", slug_of_device_0())),
        "{folder:?}"
    );
    for name in [
        "verify.json",
        "tune.txt",
        "bench-1.json",
        "bench-2.json",
        "bench-3.json",
        "bench-1.svg",
        "compare.json",
        "estimate.json",
        "site.svg",
        "commands.txt",
    ] {
        assert!(folder.join(name).is_file(), "{name} missing in {folder:?}");
    }
    assert!(!folder.join("FAILED.txt").exists());
    // The tables name the files as the folder keeps them.
    let table = std::fs::read_to_string(folder.join("bench-1.txt")).unwrap();
    assert!(table.contains("wrote bench-1.json"), "{table}");
    let bench = json(&folder.join("bench-2.json"));
    common::validate("bench.schema.json", &bench);
    let compare = json(&folder.join("compare.json"));
    assert_eq!(compare["rows"].as_array().unwrap().len(), 3);
    for (file, schema) in [
        ("verify.json", "verify-device.schema.json"),
        ("estimate.json", "estimate.schema.json"),
        ("devices.json", "devices.schema.json"),
    ] {
        common::validate(schema, &json(&folder.join(file)));
    }
    // Tune caches its setting only when it beats the default beyond the
    // spread; on a loaded machine the default may stay, and then there is
    // no cache file, and tune says so.
    let tuning = cache.path().join("tuning.json");
    if tuning.is_file() {
        common::validate("tuning-cache.schema.json", &json(&tuning));
    } else {
        let tune = std::fs::read_to_string(folder.join("tune.txt")).unwrap();
        assert!(tune.contains("the default stays"), "{tune}");
    }
}

/// A step that fails late (every bench, here) stops the script, and what
/// the steps before it made (devices, verify, tune) is kept, with the
/// failed step named.
#[test]
fn a_late_failure_keeps_the_finished_steps() {
    if common::gpu_choice().is_none() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    // hashwatt itself, except that `bench` fails as a lost device would,
    // and `tune` tries two settings (the sweep's length is not the point).
    let wrapper = root.path().join("hashwatt-failing-bench");
    std::fs::write(
        &wrapper,
        format!(
            "#!/usr/bin/env bash\n\
             case $1 in\n\
             bench) echo 'hashwatt: error: the device was lost (a test)' >&2; exit 3 ;;\n\
             tune) shift; exec '{real}' tune --max-settings 2 \"$@\" ;;\n\
             esac\n\
             exec '{real}' \"$@\"\n",
            real = binary().display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let sets = root.path().join("sets");
    let output = evidence(&sets, cache.path(), &wrapper, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("step 'bench-1' failed"), "{stderr}");
    let kept = folders(&sets);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let folder = &kept[0];
    for name in [
        "devices.json",
        "verify.json",
        "tune.txt",
        "commands.txt",
        "FAILED.txt",
    ] {
        assert!(folder.join(name).is_file(), "{name} missing in {folder:?}");
    }
    common::validate(
        "verify-device.schema.json",
        &json(&folder.join("verify.json")),
    );
    let tune = std::fs::read_to_string(folder.join("tune.txt")).unwrap();
    assert!(
        tune.contains("fastest (") && tune.contains("checked against sha2"),
        "{tune}"
    );
    assert!(std::fs::read_to_string(folder.join("FAILED.txt"))
        .unwrap()
        .contains("bench-1"));
}

/// Settings the script would refuse only later are refused before
/// anything runs: exit 2, one line naming the setting, nothing made.
#[test]
fn bad_settings_are_refused_before_anything_runs() {
    let root = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let sets = root.path().join("sets");
    let control = format!("{}/a\nb", root.path().display());
    let cases: Vec<(&str, &str, &str)> = vec![
        ("EVIDENCE_SECONDS", "abc", "EVIDENCE_SECONDS"),
        ("EVIDENCE_SECONDS", "0", "EVIDENCE_SECONDS"),
        ("EVIDENCE_SECONDS", "1e400", "EVIDENCE_SECONDS"),
        ("EVIDENCE_TUNE_SECONDS", "-1", "EVIDENCE_TUNE_SECONDS"),
        ("EVIDENCE_TUNE_SECONDS", "601", "EVIDENCE_TUNE_SECONDS"),
        ("EVIDENCE_WATTS", "-40", "EVIDENCE_WATTS"),
        ("EVIDENCE_WATTS", "40 W", "EVIDENCE_WATTS"),
        ("EVIDENCE_ROOT", &control, "EVIDENCE_ROOT"),
        ("HASHWATT", "/no/such/hashwatt", "HASHWATT"),
    ];
    for (name, value, expected) in cases {
        let mut command = Command::new("bash");
        command
            .arg(script())
            .arg("0")
            .env("HASHWATT", binary())
            .env("EVIDENCE_ROOT", &sets)
            .env("HASHWATT_CACHE_DIR", cache.path())
            .env(name, value);
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let what = format!("{name}={value:?}");
        assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
        assert!(stderr.starts_with("gpu-evidence: "), "{what}: {stderr}");
        assert!(stderr.contains(expected), "{what}: {stderr}");
        assert!(!sets.exists(), "{what}: something was made");
    }
    // A device that does not exist: refused by hashwatt's own resolution
    // (its one line, then the script's), before any step.
    let output = Command::new("bash")
        .arg(script())
        .arg("no such device")
        .env("HASHWATT", binary())
        .env("EVIDENCE_ROOT", &sets)
        .env("HASHWATT_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown device"), "{stderr}");
    assert!(stderr.contains("nothing was run"), "{stderr}");
    assert!(!sets.exists());
}
