//! The loader's const rewrite (src/kernel/rewrite.rs) on real kernels, run for
//! real (lavapipe on CI, or `WGPU_BACKEND=gl` for llvmpipe): a kernel that
//! indexes a `const` array at run time passes the same conformance suite
//! rewritten and as written; every mutant in examples/kernels is rewritten
//! and still fails (tests/kernel_interface.rs runs them); `verify` and
//! `bench` report what was rewritten and both hashes; `--kernel-as-written`
//! compiles the file unchanged.

mod common;

use std::path::Path;
use std::process::Command;

use hashwatt::chain::catalog;
use hashwatt::devices::DeviceChoice;
use hashwatt::gpu::GpuSearcher;
use hashwatt::kernel::KernelConfig;
use hashwatt::verify::suite;

/// The reference kernel as one file, indexing the plain `const K`.
const REFERENCE_CONST_K: &str = "tests/data/kernels/reference_const_k.wgsl";
const MINIMAL: &str = "examples/kernels/minimal.wgsl";

fn hashwatt(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .output()
        .expect("hashwatt runs")
}

#[test]
fn const_k_kernels_pass_the_suite_rewritten_and_as_written() {
    let Some(DeviceChoice::Gpu(adapter)) = common::gpu_choice() else {
        return;
    };
    let headers = catalog::embedded();
    for path in [REFERENCE_CONST_K, MINIMAL] {
        for as_written in [false, true] {
            let config = KernelConfig::user_file_as(Path::new(path), as_written).unwrap();
            let rewrite = &config.variant.source().rewrite;
            assert_eq!(rewrite.applied, !as_written, "{path}: {rewrite:?}");
            assert_eq!(rewrite.indexed_consts.len(), 1, "{path}");
            assert_eq!(rewrite.indexed_consts[0].name, "K");
            let mut searcher = GpuSearcher::open(&adapter, config).expect("the kernel compiles");
            let report = suite::run(&mut searcher, &headers, &common::quick_suite()).unwrap();
            for check in &report.checks {
                assert!(check.passed, "{path} as_written={as_written}: {check:?}");
            }
            assert!(report.passed);
            assert_eq!(report.kernel.rewrite, *rewrite);
        }
    }
}

/// Every mutant indexes its `K` at run time, so the suite in
/// tests/kernel_interface.rs runs each rewritten; the round-constant
/// mutant's wrong K[22] is copied into the var with the rest.
#[test]
fn every_example_kernel_is_rewritten() {
    let mut seen = 0;
    for entry in std::fs::read_dir("examples/kernels").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "wgsl") {
            continue;
        }
        let config = KernelConfig::user_file(&path).unwrap();
        let source = config.variant.source();
        assert!(
            source.rewrite.applied,
            "{}: {:?}",
            path.display(),
            source.rewrite
        );
        assert_eq!(source.rewrite.skipped, None);
        let names: Vec<&str> = source
            .rewrite
            .indexed_consts
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["K"], "{}", path.display());
        assert!(source
            .compiled
            .contains("var<private> K_indexed: array<u32, 64> = K;"));
        seen += 1;
    }
    assert_eq!(seen, 12, "minimal.wgsl and eleven mutants");
    let wrong = KernelConfig::user_file(Path::new("examples/kernels/round_constant.wgsl")).unwrap();
    let right = KernelConfig::user_file(Path::new(MINIMAL)).unwrap();
    assert_ne!(
        wrong.variant.source().compiled,
        right.variant.source().compiled
    );
}

#[test]
fn verify_and_bench_report_the_rewrite_and_both_hashes() {
    if common::gpu_choice().is_none() {
        return;
    }
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "--kernel", MINIMAL, "--window", "256", "--json"];
        args.extend_from_slice(extra);
        let output = hashwatt(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let rewritten = verify(&[]);
    let rewrite = &rewritten["kernel"]["rewrite"];
    assert_eq!(rewrite["applied"], true);
    assert_eq!(rewrite["as_written"], false);
    assert_eq!(rewrite["indexed_consts"][0]["name"], "K");
    assert_eq!(rewrite["indexed_consts"][0]["type"], "array<u32, 64>");
    assert_eq!(rewrite["indexed_consts"][0]["sites"], 1);
    assert_eq!(rewrite["indexed_consts"][0]["var"], "K_indexed");
    assert_ne!(
        rewrite["wgsl_sha256_compiled"],
        rewrite["wgsl_sha256_as_written"]
    );

    let as_written = verify(&["--kernel-as-written"]);
    let plain = &as_written["kernel"]["rewrite"];
    assert_eq!(plain["applied"], false);
    assert_eq!(plain["as_written"], true);
    assert_eq!(plain["indexed_consts"][0]["var"], "");
    assert_eq!(
        plain["wgsl_sha256_compiled"],
        plain["wgsl_sha256_as_written"]
    );
    assert_eq!(
        plain["wgsl_sha256_as_written"],
        rewrite["wgsl_sha256_as_written"]
    );

    // The file's hash is the SHA-256 of its bytes (no include).
    use sha2::Digest;
    let bytes = std::fs::read(MINIMAL).unwrap();
    let hex: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(plain["wgsl_sha256_as_written"], hex.as_str());

    let bench = |extra: &[&str]| {
        let mut args = vec![
            "bench",
            "--device",
            "0",
            "--kernel",
            MINIMAL,
            "--nonces",
            "65536",
            "--idle-seconds",
            "0",
            "--json",
        ];
        args.extend_from_slice(extra);
        let output = hashwatt(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let doc = bench(&[]);
    let kernel = &doc["kernel"];
    assert_eq!(kernel["rewrite"]["applied"], true);
    assert_eq!(
        kernel["wgsl_sha256"],
        kernel["rewrite"]["wgsl_sha256_compiled"]
    );
    assert_eq!(kernel["rewrite"]["wgsl_sha256_as_written"], hex.as_str());
    let doc = bench(&["--kernel-as-written"]);
    assert_eq!(doc["kernel"]["rewrite"]["applied"], false);
    assert_eq!(doc["kernel"]["wgsl_sha256"], hex.as_str());

    // The human lines say what happened.
    let output = hashwatt(&["verify", "--kernel", MINIMAL, "--window", "256"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("`K` (array<u32, 64>, 1 site) -> `K_indexed`"),
        "{text}"
    );
    let output = hashwatt(&[
        "bench",
        "--device",
        "0",
        "--kernel",
        MINIMAL,
        "--nonces",
        "65536",
        "--idle-seconds",
        "0",
        "--kernel-as-written",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("compiled as written (--kernel-as-written): const `K`"),
        "{text}"
    );
}

#[test]
fn kernel_as_written_needs_a_kernel() {
    for command in ["verify", "bench"] {
        let output = hashwatt(&[command, "--kernel-as-written"]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--kernel"), "{stderr}");
    }
}

/// Round constants in a function-scope `let`: indexed through a
/// `var<private>` by default, left as written with --kernel-as-written; the suite passes both ways, and the
/// report names the `let`, never "no const is indexed at run time".
#[test]
fn a_let_k_kernel_passes_the_suite_rewritten_and_as_written() {
    let Some(DeviceChoice::Gpu(adapter)) = common::gpu_choice() else {
        return;
    };
    let path = "tests/data/kernels/let_k.wgsl";
    let headers = catalog::embedded();
    for as_written in [false, true] {
        let config = KernelConfig::user_file_as(Path::new(path), as_written).unwrap();
        let rewrite = &config.variant.source().rewrite;
        assert_eq!(rewrite.applied, !as_written, "{rewrite:?}");
        let k = rewrite
            .indexed_locals
            .iter()
            .find(|l| l.name == "k")
            .unwrap();
        assert_eq!(k.rewritten, !as_written);
        assert!(
            !rewrite.describe().contains("no const"),
            "{}",
            rewrite.describe()
        );
        let mut searcher = GpuSearcher::open(&adapter, config).expect("the kernel compiles");
        let report = suite::run(&mut searcher, &headers, &common::quick_suite()).unwrap();
        assert!(report.passed, "as_written={as_written}: {report:#?}");
    }
    let output = hashwatt(&["verify", "--kernel", path, "--window", "256"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("function-scope `let` arrays indexed at run time are rewritten: `k` in `compress` (array<u32, 64>, 1 site) -> var<private> `k_indexed`"),
        "{text}"
    );
    // The arguments it indexes at run time are named, with the fix.
    assert!(
        text.contains("warning   argument `block` in `compress`")
            && text.contains("var block_v = block;"),
        "{text}"
    );
}
