//! The kernel interface (docs/kernel-interface.md) and its conformance
//! suite, run for real (lavapipe on CI): the minimal example and hashwatt's
//! own kernels pass through the same loader; every mutant in
//! examples/kernels fails on the check that names its bug; a file that does
//! not compile or does not fit the interface is exit 2, never a panic.

mod common;

use std::path::Path;
use std::process::Command;

use hashwatt::chain::catalog;
use hashwatt::devices::DeviceChoice;
use hashwatt::gpu::GpuSearcher;
use hashwatt::kernel::KernelConfig;
use hashwatt::verify::suite::{self, KernelSuiteReport, SuiteOptions};

/// Each mutant, the check that must catch it, and the root cause the
/// diagnosis must name.
const MUTANTS: [(&str, &str, &str); 11] = [
    ("byte_order.wgsl", "byte-order", "nonce-byte-order"),
    ("off_by_one.wgsl", "range-bounds", "range"),
    ("top_limb_only.wgsl", "top-limb-tie", "truncated-comparison"),
    ("dropped_hits.wgsl", "overflow", "hit-list"),
    ("round_constant.wgsl", "real-blocks", "hash-wrong"),
    ("padding_length.wgsl", "real-blocks", "hash-wrong"),
    ("nonce_wrap.wgsl", "top-of-nonce-space", "range-wrap"),
    ("hit_race.wgsl", "overflow", "hit-list"),
    ("ignores_gid_y.wgsl", "grid-rows", "grid-rows"),
    ("stride_16384.wgsl", "real-blocks", "range"),
    ("equal_not_hit.wgsl", "exact-hit-sets", "equal-not-hit"),
];

fn open(path: &str) -> Option<GpuSearcher> {
    let Some(DeviceChoice::Gpu(adapter)) = common::gpu_choice() else {
        return None;
    };
    let config = KernelConfig::user_file(Path::new(path)).expect("the kernel file loads");
    Some(GpuSearcher::open(&adapter, config).expect("the kernel compiles"))
}

fn suite(path: &str, options: &SuiteOptions) -> Option<KernelSuiteReport> {
    let mut searcher = open(path)?;
    let headers = catalog::embedded();
    Some(suite::run(&mut searcher, &headers, options).expect("the suite runs"))
}

#[test]
fn the_minimal_kernel_passes_every_check() {
    let Some(report) = suite("examples/kernels/minimal.wgsl", &common::quick_suite()) else {
        return;
    };
    assert_eq!(report.checks.len(), suite::CHECKS.len());
    for check in &report.checks {
        assert!(check.passed, "{check:?}");
        assert!(check.cases > 0, "{}", check.name);
    }
    assert!(report.passed);
    assert_eq!(report.kernel.workgroup_size, 64);
    assert!(report.kernel.includes.is_empty());
}

#[test]
fn every_mutant_fails_on_the_check_that_names_its_bug() {
    for (file, check, cause) in MUTANTS {
        let path = format!("examples/kernels/{file}");
        // The file's first line names the same check, so the comment stays true.
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(&format!("// MUTANT ({check}): ")),
            "{path}: {}",
            text.lines().next().unwrap_or("")
        );
        let Some(report) = suite(&path, &common::quick_suite()) else {
            return;
        };
        assert!(!report.passed, "{path} passed the suite");
        let named = report.checks.iter().find(|c| c.name == check).unwrap();
        assert!(
            !named.passed,
            "{path}: the {check} check passed: {report:#?}"
        );
        let example = named.counterexample.as_ref().expect("a counterexample");
        // A hit missed or made up, or one reported more than once.
        assert!(
            example.expected_hit != example.reported_hit || example.detail.contains(" times"),
            "{path}: {example:?}"
        );
        assert_eq!(example.sha2_hash.len(), 64);
        // The one likely root cause, whatever else failed with it.
        let diagnosis = report.diagnosis.as_ref().expect("a diagnosis");
        assert_eq!(diagnosis.cause, cause, "{path}: {diagnosis:?}");
    }
}

/// The root-cause line says what the bug is, in words, for the four kinds
/// the issue names: the range, the nonce byte order, a truncated
/// comparison, equal not a hit.
#[test]
fn the_root_cause_line_names_the_bug() {
    if common::gpu_choice().is_none() {
        return;
    }
    for (file, words) in [
        ("off_by_one.wgsl", "the hash is right"),
        ("off_by_one.wgsl", "past the end of the range"),
        ("stride_16384.wgsl", "1 nonce in 16384"),
        ("ignores_gid_y.wgsl", "gid.y (or row_stride) is ignored"),
        ("byte_order.wgsl", "nonce with its bytes swapped"),
        ("top_limb_only.wgsl", "truncated to the top 32 bits"),
        ("equal_not_hit.wgsl", "equal is not a hit"),
    ] {
        let path = format!("examples/kernels/{file}");
        let output = hashwatt(&["verify", "--kernel", &path, "--window", "256"]);
        assert_eq!(output.status.code(), Some(1), "{path}");
        let text = String::from_utf8_lossy(&output.stdout);
        // Before the table: the first thing after what was compiled.
        let cause = text
            .lines()
            .find(|l| l.starts_with("likely root cause: "))
            .unwrap_or_else(|| panic!("{path}: no root cause in {text}"));
        let table = text.find("check  ").unwrap();
        assert!(text.find(cause).unwrap() < table, "{path}: {text}");
        assert!(cause.contains(words), "{path}: {words}: {cause}");
    }
}

/// A counterexample's kernel hash is what the kernel really computes: the
/// byte-order mutant hashes the nonce with its bytes swapped.
#[test]
fn the_kernel_hash_is_found_by_bisection_of_the_target() {
    let Some(mut searcher) = open("examples/kernels/byte_order.wgsl") else {
        return;
    };
    let header = catalog::latest_embedded().header;
    let nonce = 0x0102_0304;
    let seen = suite::kernel_hash(&mut searcher, &header, nonce).unwrap();
    let swapped = header.with_nonce(nonce.swap_bytes()).block_hash();
    assert_eq!(seen, Some(swapped.to_string()));
    assert_ne!(swapped, header.with_nonce(nonce).block_hash());
}

fn hashwatt(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .output()
        .expect("hashwatt runs")
}

/// hashwatt's own kernels go through the same path as a user's file.
#[test]
fn verify_kernel_passes_hashwatts_own_kernels_and_the_example() {
    if common::gpu_choice().is_none() {
        return;
    }
    for file in [
        "shaders/sha256d.wgsl",
        "shaders/sha256d_reference.wgsl",
        "examples/kernels/minimal.wgsl",
    ] {
        let output = hashwatt(&["verify", "--kernel", file, "--window", "1024", "--json"]);
        assert!(
            output.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(doc["schema"], "hashwatt.verify/1");
        assert_eq!(doc["passed"], true);
        assert_eq!(doc["kernel"]["path"], file);
        assert_eq!(doc["kernel"]["entry_point"], "search");
        assert_eq!(doc["checks"].as_array().unwrap().len(), suite::CHECKS.len());
    }
}

#[test]
fn verify_kernel_fails_a_mutant_with_its_counterexample() {
    if common::gpu_choice().is_none() {
        return;
    }
    let output = hashwatt(&[
        "verify",
        "--kernel",
        "examples/kernels/top_limb_only.wgsl",
        "--window",
        "256",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("top-limb-tie"))
        .unwrap();
    assert!(line.contains("FAIL"), "{text}");
    for field in [
        "smallest counterexample",
        "expected no hit, kernel reported hit",
        "sha2 hash",
        "kernel hash",
        "header ",
    ] {
        assert!(text.contains(field), "{field}: {text}");
    }
}

#[test]
fn files_that_do_not_fit_the_interface_are_exit_2_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string("examples/kernels/minimal.wgsl").unwrap();
    let cases = [
        (
            "syntax.wgsl",
            minimal.replace("let nonce = params.nonce_base + index;", "let nonce = ;"),
            "syntax.wgsl:98:",
        ),
        (
            "bindings.wgsl",
            minimal.replace(
                "@binding(1) var<storage, read_write> hits",
                "@binding(3) var<storage, read_write> hits",
            ),
            "@group(0) @binding(3)",
        ),
        (
            "no_hits.wgsl",
            minimal.replace("record_hit(nonce);", "let unused = nonce;"),
            "never writes a hit",
        ),
        (
            "entry.wgsl",
            minimal.replace("fn search(", "fn main("),
            "no entry point `search`",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        for command in ["verify", "bench"] {
            let output = hashwatt(&[command, "--kernel", path.to_str().unwrap()]);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{name} {command}: {stderr}");
            assert!(stderr.contains(expected), "{name} {command}: {stderr}");
            // One error line, the last; a file that compiles but does not
            // fit gets the interface to paste before it.
            let last = stderr.lines().last().unwrap_or("");
            assert!(last.starts_with("hashwatt: error: "), "{stderr}");
            assert!(last.contains(expected), "{name} {command}: {stderr}");
            if name == "syntax.wgsl" {
                assert_eq!(stderr.lines().count(), 1, "{stderr}");
            } else {
                assert!(stderr.contains("fn record_hit(nonce: u32) {"), "{stderr}");
            }
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
}

#[test]
fn bench_kernel_runs_a_kernel_file_with_every_share_verified() {
    if common::gpu_choice().is_none() {
        return;
    }
    let doc = common::run_json(
        &[
            "bench",
            "--kernel",
            "examples/kernels/minimal.wgsl",
            "--nonces",
            "65536",
            "--share-bits",
            "8",
            "--idle-seconds",
            "0",
            "--json",
        ],
        &[],
    );
    assert_eq!(doc["kernel"]["variant"], "examples/kernels/minimal.wgsl");
    assert_eq!(doc["kernel"]["workgroup_size"], 64);
    assert_eq!(doc["settings"], "user");
    let shares = &doc["shares"];
    assert!(shares["found"].as_u64().unwrap() > 100, "{shares}");
    assert_eq!(shares["found"], shares["verified"]);
}

/// A kernel whose hit list no right kernel leaves (two counts per hit, more
/// hits than nonces) fails its cases; the suite still runs every check.
#[test]
fn a_kernel_that_counts_twice_fails_without_ending_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("double.wgsl");
    let minimal = std::fs::read_to_string("examples/kernels/minimal.wgsl").unwrap();
    let double = minimal.replace("atomicAdd(&hits.count, 1u)", "atomicAdd(&hits.count, 2u)");
    assert_ne!(double, minimal);
    std::fs::write(&path, double).unwrap();
    let Some(report) = suite(path.to_str().unwrap(), &common::quick_suite()) else {
        return;
    };
    assert_eq!(report.checks.len(), suite::CHECKS.len());
    let overflow = report.checks.iter().find(|c| c.name == "overflow").unwrap();
    assert!(!overflow.passed, "{overflow:?}");
    assert!(!report.passed);
}

/// A kernel that never reports a hit: no all-zero "kernel hash", but the
/// words that say so, and the root cause.
#[test]
fn a_kernel_that_never_reports_is_not_shown_hashing_to_zero() {
    if common::gpu_choice().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silent.wgsl");
    let minimal = std::fs::read_to_string("examples/kernels/minimal.wgsl").unwrap();
    let silent = minimal.replace(
        "if (index >= params.nonce_count) {",
        "if (index >= params.nonce_count || params.hit_capacity > 0u) {",
    );
    assert_ne!(silent, minimal);
    std::fs::write(&path, silent).unwrap();
    let output = hashwatt(&[
        "verify",
        "--kernel",
        path.to_str().unwrap(),
        "--window",
        "256",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("the kernel never reported this nonce, even at the largest target"),
        "{text}"
    );
    let zeros = "0".repeat(64);
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("kernel hash") && l.contains(&zeros)),
        "{text}"
    );
    assert!(
        text.contains("likely root cause: the kernel never reports a hit"),
        "{text}"
    );
}
