//! `hashwatt kernel-cost`: the fast kernel's work per nonce counted in
//! naga's IR, in the SPIR-V and in the GLSL naga writes, against known
//! answers; a kernel with one operation taken out counts exactly that
//! fewer; a kernel with loops is said to have no static count. No GPU.

mod common;

use std::process::{Command, Output};

use hashwatt::kernel::cost::{kernel_cost, OpCounts};
use hashwatt::kernel::{KernelConfig, KernelVariant};

fn hashwatt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .output()
        .expect("hashwatt runs")
}

fn json(args: &[&str]) -> serde_json::Value {
    let output = hashwatt(args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    common::validate("kernel-cost.schema.json", &document);
    document
}

fn counts(document: &serde_json::Value, output: &str) -> OpCounts {
    let path = document["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["output"] == output)
        .unwrap_or_else(|| panic!("no {output} in {document}"));
    serde_json::from_value(path["per_nonce"].clone())
        .unwrap_or_else(|e| panic!("{output}: {e}: {path}"))
}

/// (add, logic, shift, other, total) of one nonce of the fast kernel, as
/// naga writes `sha256d_last_word`: 120 rounds; 1,032 rotations, each two
/// shifts, an or and a `32u - n`.
const FAST: (u64, u64, u64, u64, u64) = (2083, 2652, 2226, 0, 6961);

fn tuple(c: &OpCounts) -> (u64, u64, u64, u64, u64) {
    (c.add, c.logic, c.shift, c.other, c.total)
}

#[test]
fn the_fast_kernel_counts_the_same_in_ir_spirv_and_glsl() {
    let document = json(&["kernel-cost", "--json"]);
    assert_eq!(document["schema"], "hashwatt.kernel-cost/1");
    assert_eq!(document["function"], "sha256d_last_word");
    assert_eq!(document["compressions"], 1.875);
    assert_eq!(document["floor"]["rounds"], 121);
    for output in ["naga-ir", "spirv", "glsl"] {
        let c = counts(&document, output);
        // naga emits one instruction per IR operation here: no bounds
        // checks, no masking of shift amounts, nothing added or dropped.
        assert_eq!(tuple(&c), FAST, "{output}");
        assert_eq!(c.calls.values().sum::<u64>(), 1666, "{output}: {c:?}");
        assert!(!c.conditional, "{output}");
        let o = document["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["output"] == output)
            .unwrap();
        assert_eq!(o["rounds"], 120, "{output}");
    }
    // Uniform loads: the precomputed terms and the midstate, once each.
    assert_eq!(counts(&document, "naga-ir").loads, Some(32));
    assert_eq!(counts(&document, "spirv").loads, Some(32));
    assert_eq!(counts(&document, "glsl").loads, None);
    assert_eq!(counts(&document, "glsl").calls["small_sigma0_"], 71);
    // Folded: each rotation's `32u - n` (1,032), one `f ^ g` of two
    // initial-state words in the second hash's Ch and one `b ^ c` of two
    // initial-state words in its Maj (`b ^ ((a ^ b) & (b ^ c))`) go.
    let folded: OpCounts = serde_json::from_value(document["folded"].clone()).unwrap();
    assert_eq!(tuple(&folded), (1051, 2650, 2226, 0, 5927));
}

#[test]
fn a_kernel_with_one_operation_taken_out_counts_that_much_less() {
    // The fast kernel as one self-contained file, its small sigma0 missing
    // `^ (x >> 3u)`: one shift and one xor fewer in each of its 71 calls.
    let module = &KernelVariant::Fast.source().module;
    let whole: String = module
        .lines()
        .filter(|l| !l.contains("hashwatt:include"))
        .map(|l| format!("{l}\n"))
        .collect();
    let right = "return rotr(x, 7u) ^ rotr(x, 18u) ^ (x >> 3u);";
    assert_eq!(whole.matches(right).count(), 1);
    let mutant = whole.replace(right, "return rotr(x, 7u) ^ rotr(x, 18u);");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sigma0_without_shift.wgsl");
    std::fs::write(&path, &mutant).unwrap();
    let unchanged = dir.path().join("fast_whole.wgsl");
    std::fs::write(&unchanged, &whole).unwrap();

    let base = json(&[
        "kernel-cost",
        "--kernel",
        unchanged.to_str().unwrap(),
        "--json",
    ]);
    let mutated = json(&["kernel-cost", "--kernel", path.to_str().unwrap(), "--json"]);
    for output in ["naga-ir", "spirv", "glsl"] {
        assert_eq!(tuple(&counts(&base, output)), FAST, "{output}");
        let (add, logic, shift, other, total) = FAST;
        assert_eq!(
            tuple(&counts(&mutated, output)),
            (add, logic - 71, shift - 71, other, total - 142),
            "{output}"
        );
    }
}

#[test]
fn a_kernel_with_loops_has_no_count_and_says_why() {
    // The reference kernel tries one nonce per invocation: its entry point
    // is the per-nonce function, and its compression is a rolled loop.
    let document = json(&["kernel-cost", "--kernel", "reference", "--json"]);
    assert_eq!(document["found_by"], "entry-point");
    assert!(document.get("compressions").is_none());
    for output in document["outputs"].as_array().unwrap() {
        assert!(output.get("per_nonce").is_none(), "{output}");
        let why = output["not_counted"].as_str().unwrap();
        assert!(
            why.contains("sha256_compress") && why.contains("loop"),
            "{why}"
        );
    }
    let text = hashwatt(&["kernel-cost", "--kernel", "examples/kernels/minimal.wgsl"]);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("not counted: `compress` has a loop"),
        "{text}"
    );

    // Naming a function picks it: the fast kernel's big Sigma1 alone.
    let document = json(&["kernel-cost", "--function", "big_sigma1", "--json"]);
    for output in ["naga-ir", "spirv", "glsl"] {
        // Three rotations (2 shifts, an or, a subtract each) and two xors.
        assert_eq!(
            tuple(&counts(&document, output)),
            (3, 5, 6, 0, 14),
            "{output}"
        );
    }
}

#[test]
fn bad_kernels_and_functions_are_exit_2_with_one_line() {
    for (args, needle) in [
        (
            vec!["kernel-cost", "--function", "no_such_fn"],
            "--function no_such_fn",
        ),
        (
            vec!["kernel-cost", "--kernel", "/no/such/kernel.wgsl"],
            "kernel.wgsl",
        ),
        (
            vec!["kernel-cost", "--kernel", "fastest"],
            "--kernel fastest",
        ),
    ] {
        let output = hashwatt(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
    }
}

#[test]
fn the_library_and_the_command_agree() {
    let report = kernel_cost(&KernelConfig::fast(), None).unwrap();
    let document = json(&["kernel-cost", "--json"]);
    assert_eq!(serde_json::to_value(&report).unwrap(), document);
}
