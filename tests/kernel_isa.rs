//! `hashwatt kernel-cost --isa`: kernels compiled by Mesa's RADV (ACO) for
//! AMD families with no GPU. The fast kernel's vector instructions per
//! nonce are checked against an independent count of the disassembly RADV
//! prints itself (`RADV_DEBUG=shaders`), to the instruction; every kernel
//! compiles for a family of each of GCN, CDNA, RDNA2 and RDNA3; a missing
//! RADV is one line and exit 3; the family never reaches another
//! command's device choice; a prediction is never a bench record.
//!
//! RADV comes with Debian's mesa-vulkan-drivers, which .ci/run installs.
//! Without it these tests skip, unless CI is set: then they fail.
// Test harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

mod common;

use std::process::{Command, Output};

const HASHWATT: &str = env!("CARGO_BIN_EXE_hashwatt");

/// Whether RADV is here; with CI set, its absence is a failure.
fn radv_present() -> bool {
    if hashwatt::kernel::cost::isa::worker::radv_manifest().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but Mesa's RADV is missing: install mesa-vulkan-drivers"
    );
    eprintln!("no RADV (mesa-vulkan-drivers): skipping");
    false
}

fn hashwatt(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(HASHWATT);
    command.args(args).env_remove("RADV_DEBUG");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("hashwatt runs")
}

fn json(args: &[&str]) -> serde_json::Value {
    let output = hashwatt(args, &[]);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    common::validate("kernel-isa.schema.json", &document);
    document
}

fn row<'a>(document: &'a serde_json::Value, kernel: usize, family: &str) -> &'a serde_json::Value {
    document["kernels"][kernel]["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == family)
        .unwrap_or_else(|| panic!("no {family} in {document}"))
}

/// The disassembly in RADV's own dump (`RADV_DEBUG=shaders` on stderr):
/// the lines after `disasm:` up to the constant data.
fn dumped_disassembly(stderr: &str) -> Vec<String> {
    let start = stderr
        .lines()
        .position(|l| l.trim() == "disasm:")
        .expect("RADV_DEBUG=shaders printed a disassembly");
    stderr
        .lines()
        .skip(start + 1)
        .take_while(|l| !l.starts_with("/*"))
        .map(str::to_string)
        .collect()
}

/// The independent count: in the dump's lines, the nonce loop runs from
/// the label the first backward `s_branch` jumps to, up to that branch;
/// inside it, the lines an `s_cbranch_execz` jumps over are left out when
/// they hold a buffer atomic (recording a hit). Returns (vector ALU lines,
/// all instruction lines) of what is left.
fn count_one_trip(lines: &[String]) -> (usize, usize) {
    let label_line = |name: &str| {
        lines
            .iter()
            .position(|l| l.trim_end() == format!("{name}:"))
            .unwrap_or_else(|| panic!("no label {name}"))
    };
    let target = |line: &str| line.split_whitespace().nth(1).unwrap().to_string();
    let (head, back) = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("s_branch "))
        .map(|(i, l)| (label_line(&target(l)), i))
        .find(|(head, i)| head < i)
        .expect("a backward branch");
    let mut kept = Vec::new();
    let mut i = head;
    while i <= back {
        let line = &lines[i];
        kept.push(line.clone());
        if line.trim_start().starts_with("s_cbranch_execz ") {
            let to = label_line(&target(line));
            if to > i && lines[i..to].iter().any(|l| l.contains("buffer_atomic")) {
                i = to;
                continue;
            }
        }
        i += 1;
    }
    let instructions: Vec<&String> = kept.iter().filter(|l| l.starts_with('\t')).collect();
    let valu = instructions
        .iter()
        .filter(|l| l.trim_start().starts_with("v_"))
        .count();
    (valu, instructions.len())
}

#[test]
fn the_fast_kernels_vector_instructions_per_nonce_match_radvs_own_dump() {
    if !radv_present() {
        return;
    }
    let output = hashwatt(
        &["kernel-cost", "--isa", "gfx1100", "--json"],
        &[("RADV_DEBUG", "shaders")],
    );
    assert!(output.status.success(), "{output:?}");
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    common::validate("kernel-isa.schema.json", &document);
    let gfx1100 = row(&document, 0, "gfx1100");
    let per_nonce = &gfx1100["per_nonce"];
    assert_eq!(per_nonce["found_by"], "nonce-loop");
    let lines = dumped_disassembly(&String::from_utf8_lossy(&output.stderr));
    let (valu, total) = count_one_trip(&lines);
    eprintln!("gfx1100, fast kernel: {valu} VALU of {total} instructions per nonce");
    assert_eq!(per_nonce["counts"]["valu"], valu as u64);
    assert_eq!(per_nonce["counts"]["total"], total as u64);
    // The whole dump is RADV's "Instructions" statistic, and the shader count.
    let all = lines.iter().filter(|l| l.starts_with('\t')).count() as u64;
    assert_eq!(gfx1100["stats"]["instructions"], all);
    assert_eq!(gfx1100["shader"]["total"], all);
    // About 4,000: 120 rounds of some 24 instructions and 91 schedule words.
    assert!((3000..6000).contains(&valu), "{valu}");
    assert_eq!(gfx1100["group"], "RDNA3");
    assert!(document["driver"].as_str().unwrap().contains("Mesa"));
    let prediction = &gfx1100["predictions"][0];
    assert_eq!(prediction["label"], "predicted from ISA, not measured");
    assert_eq!(prediction["valu_per_nonce"], valu as u64);
}

#[test]
fn every_kernel_compiles_for_gcn_cdna_rdna2_and_rdna3() {
    if !radv_present() {
        return;
    }
    let families = ["vega10", "aldebaran", "navi21", "gfx1100"];
    let user = "tests/data/kernels/one_nonce_unrolled.wgsl";
    let document = json(&[
        "kernel-cost",
        "--isa",
        &families.join(","),
        "--kernel",
        "fast",
        "--kernel",
        "reference",
        "--kernel",
        "examples/kernels/minimal.wgsl",
        "--kernel",
        user,
        "--json",
    ]);
    for family in families {
        let groups = ["GCN", "CDNA", "RDNA2", "RDNA3"];
        assert!(groups.contains(&row(&document, 0, family)["group"].as_str().unwrap()));
        for kernel in 0..4 {
            let r = row(&document, kernel, family);
            assert!(r.get("error").is_none(), "{r}");
            assert!(r["stats"]["instructions"].as_u64().unwrap() > 100, "{r}");
            assert!(r["stats"]["vgprs"].as_u64().unwrap() > 0, "{r}");
            assert!(!r["mix"].as_array().unwrap().is_empty(), "{r}");
        }
        // The fast kernel: one trip of its nonce loop; the user's kernel:
        // the whole shader, its tie recheck skipped as a hit region.
        for (kernel, found_by) in [(0, "nonce-loop"), (3, "whole-shader")] {
            let r = row(&document, kernel, family);
            assert_eq!(r["per_nonce"]["found_by"], found_by, "{r}");
            let valu = r["per_nonce"]["counts"]["valu"].as_u64().unwrap();
            assert!((3000..6000).contains(&valu), "{family}: {valu}");
            assert!(!r["per_nonce"]["skipped_hit_regions"]
                .as_array()
                .unwrap()
                .is_empty());
        }
        // The rolled kernels: no count per nonce, their 64-round loops shown.
        for kernel in [1, 2] {
            let r = row(&document, kernel, family);
            assert!(r.get("per_nonce").is_none(), "{r}");
            assert!(r["predictions"].as_array().unwrap().is_empty());
            assert!(r["not_counted"].as_str().unwrap().starts_with("rolled"));
            let bounds: Vec<i64> = r["rolled_loops"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|l| l["trip_bounds"].as_array().unwrap().clone())
                .map(|b| b.as_i64().unwrap())
                .collect();
            assert!(bounds.contains(&64), "{family}: {bounds:?}");
        }
    }
    // The same SPIR-V costs more before GCN5's three-input operations.
    let valu = |family: &str| row(&document, 0, family)["per_nonce"]["counts"]["valu"].as_u64();
    assert!(valu("gfx1100") < valu("vega10"));
}

#[test]
fn comparing_kernels_is_one_line_each_and_isa_out_writes_the_disassembly() {
    if !radv_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("asm");
    let output = hashwatt(
        &[
            "kernel-cost",
            "--isa",
            "navi21",
            "--kernel",
            "fast",
            "--kernel",
            "examples/kernels/minimal.wgsl",
            "--isa-out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("navi21") && !l.starts_with("wrote"))
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].trim_start().starts_with("fast"));
    assert!(lines[1].contains("rolled"));
    let fast = std::fs::read_to_string(out.join("fast.navi21.s")).unwrap();
    assert!(fast.contains("v_lshl_or_b32"));
    assert!(out.join("minimal.navi21.s").is_file());
}

#[test]
fn without_radv_isa_is_one_line_and_exit_3_and_bad_input_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("radeon_icd.x86_64.json");
    std::fs::write(
        &bogus,
        r#"{"file_format_version": "1.0.0", "ICD": {"library_path": "/nonexistent/libvulkan_radeon.so", "api_version": "1.3.0"}}"#,
    )
    .unwrap();
    let missing = dir.path().join("none.json");
    for manifest in [&missing, &bogus] {
        let output = hashwatt(
            &["kernel-cost", "--isa", "gfx1100"],
            &[("HASHWATT_RADV_ICD", manifest.to_str().unwrap())],
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("RADV is missing"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
    // The rest of kernel-cost does not need RADV.
    let output = hashwatt(
        &["kernel-cost", "--json"],
        &[("HASHWATT_RADV_ICD", missing.to_str().unwrap())],
    );
    assert!(output.status.success());
    for args in [
        &["kernel-cost", "--isa", "navi99"][..],
        &["kernel-cost", "--kernel", "fast", "--kernel", "reference"][..],
        &["kernel-cost", "--isa", "gfx1100", "--function", "rotr"][..],
    ] {
        let output = hashwatt(args, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
}

#[test]
fn the_radv_family_never_reaches_this_process_or_its_device_choice() {
    if !radv_present() {
        return;
    }
    use hashwatt::kernel::cost::isa::{self, families};
    use hashwatt::kernel::KernelConfig;
    let before = std::env::var_os("RADV_FORCE_FAMILY");
    let report = isa::kernel_isa(
        std::path::Path::new(HASHWATT),
        &families::parse("gfx1100").unwrap(),
        &[KernelConfig::reference()],
    )
    .unwrap();
    assert_eq!(
        report.kernels[0].families[0].device.as_deref(),
        Some("Null hardware (RADV GFX1100)")
    );
    // Nothing was set in this process: wgpu here sees what it saw before.
    assert_eq!(std::env::var_os("RADV_FORCE_FAMILY"), before);
    if before.is_none() {
        for adapter in hashwatt::gpu::enumerate_adapters() {
            let name = adapter.info.name;
            assert!(!name.contains("Null hardware"), "{name}");
        }
        // And another command run after it chooses as it always does.
        let devices = common::run_json(&["devices", "--json"], &[]);
        assert!(!devices.to_string().contains("Null hardware"), "{devices}");
    }
}

#[test]
fn a_prediction_is_never_a_bench_record() {
    if !radv_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let isa = dir.path().join("isa.json");
    let output = hashwatt(
        &[
            "kernel-cost",
            "--isa",
            "gfx1100",
            "--json",
            isa.to_str().unwrap(),
        ],
        &[],
    );
    assert!(output.status.success(), "{output:?}");
    assert!(std::fs::read_to_string(&isa)
        .unwrap()
        .contains("predicted from ISA, not measured"));
    // Bench readers refuse it: compare and estimate take bench records only.
    for args in [
        vec!["compare", isa.to_str().unwrap()],
        vec!["estimate", "--from", isa.to_str().unwrap()],
    ] {
        let output = hashwatt(&args, &[]);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
    }
    // No result file in the repository holds a prediction.
    let results = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    for entry in std::fs::read_dir(results).unwrap().flatten() {
        let text = std::fs::read(entry.path()).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&text).contains("predicted from ISA"),
            "{}",
            entry.path().display()
        );
    }
}
