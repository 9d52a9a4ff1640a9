//! Third-party shaders checked as they are written (docs/kernel-interface.md,
//! "Bringing an existing shader"), run for real (lavapipe on CI, llvmpipe
//! with `WGPU_BACKEND=gl`): `--hash-fn` writes the search around a file's
//! hash function and leaves every line of the file as it is; `--digest`
//! checks the function alone and names the mistake in a wrong digest;
//! `--entry`, the interface-only include and the refusal that lists every
//! mismatch at once help a user who adapts a kernel by hand.

mod common;

use std::path::Path;
use std::process::Command;

use hashwatt::chain::catalog;
use hashwatt::devices::DeviceChoice;
use hashwatt::gpu::GpuSearcher;
use hashwatt::kernel::hash_fn::{self, HashFnSpec, Shape, WordOrder};
use hashwatt::kernel::{KernelConfig, LoadOptions};
use hashwatt::verify::suite::{self, DigestReport, KernelInfo};

const PLAIN: &str = "examples/kernels/third_party/plain_sha256.wgsl";
const MESSAGES: &str = "examples/kernels/third_party/sha256_messages.wgsl";

fn hashwatt(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .output()
        .expect("hashwatt runs")
}

fn plain_spec() -> HashFnSpec {
    HashFnSpec {
        word_order: WordOrder::Le,
        ..HashFnSpec::new("sha256d_header")
    }
}

fn options(spec: HashFnSpec) -> LoadOptions {
    LoadOptions {
        hash_fn: Some(spec),
        ..LoadOptions::default()
    }
}

/// The digest check of `spec`'s function in `text`.
fn digest(text: &str, spec: &HashFnSpec) -> Option<DigestReport> {
    let Some(DeviceChoice::Gpu(adapter)) = common::gpu_choice() else {
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.wgsl");
    std::fs::write(&path, text).unwrap();
    let config = KernelConfig::user_file_with(&path, &options(spec.clone())).unwrap();
    let kernel = hash_fn::generate_digest_kernel("k.wgsl", text, spec).unwrap();
    let mut searcher = GpuSearcher::open(&adapter, config).expect("compiles");
    let headers = catalog::embedded();
    Some(suite::digest::run(&mut searcher, &kernel, &headers, KernelInfo::of(&config)).unwrap())
}

/// Two shapes, one with little-endian words: each third-party file passes
/// the whole suite through its own hash function, not a line of it changed.
#[test]
fn third_party_shaders_pass_with_hashwatts_search_around_their_hash_function() {
    let Some(DeviceChoice::Gpu(adapter)) = common::gpu_choice() else {
        return;
    };
    let headers = catalog::embedded();
    for (path, spec, shape) in [
        (PLAIN, plain_spec(), "header"),
        (MESSAGES, HashFnSpec::new("compress_block"), "compress"),
    ] {
        let text = std::fs::read_to_string(path).unwrap();
        let config = KernelConfig::user_file_with(Path::new(path), &options(spec)).unwrap();
        let source = config.variant.source();
        assert!(
            source.module.starts_with(&text),
            "{path}: the file as written"
        );
        let info = source.hash_fn.as_ref().unwrap();
        assert_eq!(info.shape, shape);
        assert_eq!(info.bypassed_entry_points, ["`main`"], "{path}");
        let mut searcher = GpuSearcher::open(&adapter, config).expect("compiles");
        let report = suite::run(&mut searcher, &headers, &common::quick_suite()).unwrap();
        for check in &report.checks {
            assert!(check.passed, "{path}: {check:?}");
        }
        assert_eq!(
            report.kernel.hash_fn.as_ref().unwrap().function,
            info.function
        );
    }
}

/// A file that declares NONCES_PER_INVOCATION: the host dispatches that
/// many fewer invocations, and the generated search does that many nonces
/// in each.
#[test]
fn a_files_nonces_per_invocation_override_is_honoured() {
    let Some(DeviceChoice::Gpu(adapter)) = common::gpu_choice() else {
        return;
    };
    let text = std::fs::read_to_string(PLAIN).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("four.wgsl");
    std::fs::write(
        &path,
        format!("{text}\noverride NONCES_PER_INVOCATION: u32 = 4u;\n"),
    )
    .unwrap();
    let config = KernelConfig::user_file_with(&path, &options(plain_spec())).unwrap();
    assert_eq!(config.nonces_per_invocation, 4);
    let mut searcher = GpuSearcher::open(&adapter, config).expect("compiles");
    let headers = catalog::embedded();
    let report = suite::run(&mut searcher, &headers, &common::quick_suite()).unwrap();
    assert!(report.passed, "{report:#?}");
}

/// The same function read with the wrong word order is caught: the order
/// is part of the function's contract, not a detail.
#[test]
fn the_word_order_matters() {
    let Some(DeviceChoice::Gpu(adapter)) = common::gpu_choice() else {
        return;
    };
    let be = HashFnSpec::new("sha256d_header");
    let config = KernelConfig::user_file_with(Path::new(PLAIN), &options(be)).unwrap();
    let mut searcher = GpuSearcher::open(&adapter, config).expect("compiles");
    let headers = catalog::embedded();
    let report = suite::run(&mut searcher, &headers, &common::quick_suite()).unwrap();
    assert!(!report.passed);
    assert_eq!(
        report.diagnosis.unwrap().cause,
        "message-words-byte-swapped"
    );
    // --digest names it too.
    let text = std::fs::read_to_string(PLAIN).unwrap();
    let report = digest(&text, &HashFnSpec::new("sha256d_header")).unwrap();
    let first = report.first_mismatch.unwrap();
    assert_eq!(first.cause.as_deref(), Some("message-words-byte-swapped"));
    assert!(
        first.explanation.contains("--word-order"),
        "{}",
        first.explanation
    );
    assert_eq!(first.explained, report.mismatches);
}

#[test]
fn verify_and_bench_take_a_hash_function_from_the_command_line() {
    if common::gpu_choice().is_none() {
        return;
    }
    let args = [
        "--kernel",
        PLAIN,
        "--hash-fn",
        "sha256d_header",
        "--word-order",
        "le",
    ];
    let mut verify = vec!["verify", "--window", "1024"];
    verify.extend_from_slice(&args);
    let output = hashwatt(&verify);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    let line = text.lines().find(|l| l.starts_with("hash-fn ")).unwrap();
    for words in ["`main`", "bypassed", "hashwatt supplies the search", "le"] {
        assert!(line.contains(words), "{words}: {line}");
    }
    verify.push("--json");
    let doc = common::run_json(&verify, &[]);
    common::validate("verify.schema.json", &doc);
    assert_eq!(doc["kernel"]["hash_fn"]["function"], "sha256d_header");
    assert_eq!(doc["kernel"]["hash_fn"]["word_order"], "le");
    assert_eq!(doc["passed"], true);

    let mut bench = vec![
        "bench",
        "--nonces",
        "65536",
        "--share-bits",
        "8",
        "--idle-seconds",
        "0",
        "--json",
    ];
    bench.extend_from_slice(&args);
    let doc = common::run_json(&bench, &[]);
    common::validate("bench.schema.json", &doc);
    assert_eq!(doc["kernel"]["hash_fn"]["shape"], "header");
    let shares = &doc["shares"];
    assert!(shares["found"].as_u64().unwrap() > 100, "{shares}");
    assert_eq!(shares["found"], shares["verified"]);
}

#[test]
fn the_digest_check_passes_both_shapes_and_sees_between_compressions() {
    let text = std::fs::read_to_string(PLAIN).unwrap();
    let Some(report) = digest(&text, &plain_spec()) else {
        return;
    };
    assert!(report.passed, "{report:?}");
    assert!(report.cases > 200);
    assert!(!report.stages_compared);
    let text = std::fs::read_to_string(MESSAGES).unwrap();
    let report = digest(&text, &HashFnSpec::new("compress_block")).unwrap();
    assert!(report.passed, "{report:?}");
    assert!(report.stages_compared);
    // A wrong round constant in the compression: the first compression
    // already differs, and the report says so.
    let wrong = text.replace("0x5cb0a9dcu", "0x5cb0a9cdu");
    assert_ne!(wrong, text);
    let report = digest(&wrong, &HashFnSpec::new("compress_block")).unwrap();
    let first = report.first_mismatch.unwrap();
    assert_eq!(first.stage.as_deref(), Some("midstate"));
    assert_eq!(first.cause, None);
}

/// Each known mistake, put into the plain shader, is named by `--digest`.
#[test]
fn the_digest_check_names_each_known_mistake() {
    let text = std::fs::read_to_string(PLAIN).unwrap();
    let reversed_bytes = "return array<u32, 8>(bswap(second[7]), bswap(second[6]), bswap(second[5]), bswap(second[4]), bswap(second[3]), bswap(second[2]), bswap(second[1]), bswap(second[0]));";
    let reversed_words =
        "return array<u32, 8>(second[7], second[6], second[5], second[4], second[3], second[2], second[1], second[0]);";
    let truncated = "return array<u32, 8>(0u, 0u, 0u, 0u, 0u, 0u, second[6], second[7]);";
    let last_swapped = "second[3] = bswap(second[3]);\n    return second;";
    let cases: [(&str, &str, &str, &str); 9] = [
        ("return second;", reversed_bytes, "digest-byte-reversed", "byte-reversed"),
        ("return second;", reversed_words, "digest-words-reversed", "reversed order"),
        ("return second;", truncated, "truncated-64-bits", "truncated to 64 bits"),
        ("return second;", "return state;", "first-hash-only", "the first SHA-256 alone"),
        ("return second;", last_swapped, "digest-words-partly-swapped", "word(s) 3 "),
        (
            "block[i] = state[i];",
            "block[i] = select(state[i], bswap(state[i]), i == 3u);",
            "first-digest-word-not-swapped",
            "word 3 of the first digest",
        ),
        (
            "block[i] = bswap(header[16u + i]);",
            "block[i] = select(bswap(header[16u + i]), header[16u + i], i == 3u);",
            "nonce-byte-order",
            "nonce with its bytes swapped",
        ),
        (
            "block[i] = bswap(header[16u + i]);",
            "block[i] = bswap(header[16u + i] + select(0u, 1u, i == 3u));",
            "nonce-off-by-one",
            "off by one",
        ),
        (
            "return second;",
            "var d = second;\n    for (var i = 0u; i < 8u; i++) { d[i] = bswap(d[i]); }\n    return d;",
            "digest-words-byte-swapped",
            "--digest-order le",
        ),
    ];
    for (old, new, cause, words) in cases {
        let mutant = text.replacen(old, new, 1);
        assert_ne!(mutant, text, "{cause}");
        let Some(report) = digest(&mutant, &plain_spec()) else {
            return;
        };
        assert!(!report.passed, "{cause}");
        let first = report.first_mismatch.as_ref().unwrap();
        assert_eq!(first.cause.as_deref(), Some(cause), "{first:?}");
        assert!(first.explanation.contains(words), "{words}: {first:?}");
        // The same mistake explains every wrong case; but a truncated digest
        // of a real block is all zeros (its top 64 bits are), which nothing
        // tells from a function that returns zeros.
        if cause.starts_with("truncated") {
            assert!(
                first.explained * 4 > report.mismatches * 3,
                "{cause}: {report:?}"
            );
        } else {
            assert_eq!(first.explained, report.mismatches, "{cause}");
        }
        if cause == "digest-words-partly-swapped" {
            assert_eq!(first.first_differing_word, 3);
            assert_eq!(first.words[3], "byte-swapped");
        }
    }
}

#[test]
fn digest_on_the_command_line_names_the_word_and_the_mistake() {
    if common::gpu_choice().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reversed.wgsl");
    let text = std::fs::read_to_string(PLAIN).unwrap();
    let mutant = text.replacen(
        "return second;",
        "return array<u32, 8>(bswap(second[7]), bswap(second[6]), bswap(second[5]), bswap(second[4]), bswap(second[3]), bswap(second[2]), bswap(second[1]), bswap(second[0]));",
        1,
    );
    std::fs::write(&path, mutant).unwrap();
    let args = [
        "verify",
        "--kernel",
        path.to_str().unwrap(),
        "--hash-fn",
        "sha256d_header",
        "--word-order",
        "le",
        "--digest",
    ];
    let output = hashwatt(&args);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    for words in ["first differing word: 0", "byte-reversed", "FAIL"] {
        assert!(text.contains(words), "{words}: {text}");
    }
    let mut json = args.to_vec();
    json.push("--json");
    let output = hashwatt(&json);
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    common::validate("verify-digest.schema.json", &doc);
    assert_eq!(doc["schema"], "hashwatt.verify-digest/1");
    assert_eq!(doc["first_mismatch"]["cause"], "digest-byte-reversed");
    assert_eq!(doc["first_mismatch"]["first_differing_word"], 0);
}

/// `--emit` writes what is compiled: the file, then hashwatt's search.
#[test]
fn emit_writes_the_generated_kernel() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("generated.wgsl");
    let out = out.to_str().unwrap();
    // Refused before anything runs: no such folder.
    let output = hashwatt(&[
        "verify",
        "--kernel",
        PLAIN,
        "--hash-fn",
        "sha256d_header",
        "--emit",
        "/no/such/folder/k.wgsl",
    ]);
    assert_eq!(output.status.code(), Some(2));
    if common::gpu_choice().is_none() {
        return;
    }
    let run = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "--kernel",
            PLAIN,
            "--hash-fn",
            "sha256d_header",
            "--word-order",
            "le",
            "--window",
            "256",
            "--emit",
            out,
        ];
        args.extend_from_slice(extra);
        hashwatt(&args)
    };
    let output = run(&[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let emitted = std::fs::read_to_string(out).unwrap();
    let file = std::fs::read_to_string(PLAIN).unwrap();
    assert!(emitted.contains("==== hashwatt: the search around `sha256d_header`"));
    assert!(emitted.contains("fn search("));
    // The file's own text is in it (its K rewritten to be indexed in place).
    assert!(emitted.contains("fn sha256d_header(header: array<u32, 20>) -> array<u32, 8> {"));
    assert!(emitted.len() > file.len());
    // The emitted kernel is a kernel of the interface in its own right.
    let config = KernelConfig::user_file(Path::new(out)).unwrap();
    assert_eq!(config.variant.source().entry_point, "search");
    // It is not replaced without --force.
    let output = run(&["--digest"]);
    assert_eq!(output.status.code(), Some(2));
    let output = run(&["--digest", "--force"]);
    assert!(output.status.success());
    assert!(std::fs::read_to_string(out)
        .unwrap()
        .contains("fn hashwatt_digest("));
}

/// A kernel adapted by hand: the third-party SHA-256 as it is, hashwatt's
/// interface-only include beside it (no second SHA-256, no second `K`),
/// and an entry point of the user's own, chosen with --entry.
#[test]
fn the_interface_include_sits_beside_third_party_code() {
    let text = std::fs::read_to_string(PLAIN).unwrap();
    let adapter = format!(
        "{text}
// hashwatt:include search_interface.wgsl

@compute @workgroup_size(64)
fn mine(@builtin(global_invocation_id) gid: vec3<u32>) {{
    let index = invocation_index(gid);
    if (index >= params.nonce_count) {{
        return;
    }}
    let nonce = params.nonce_base + index;
    // This shader takes little-endian words: swap hashwatt's big-endian ones.
    var header: array<u32, 20>;
    for (var i = 0u; i < 19u; i++) {{
        header[i] = bswap(params.header_words[i / 4u][i % 4u]);
    }}
    header[19] = nonce;
    var digest = sha256d_header(header);
    for (var i = 0u; i < 8u; i++) {{
        let limb = bswap(digest[7u - i]);
        let bound = params.target_limbs[i / 4u][i % 4u];
        if (limb != bound) {{
            if (limb < bound) {{
                record_hit(nonce);
            }}
            return;
        }}
    }}
    record_hit(nonce);
}}
"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("adapted.wgsl");
    std::fs::write(&path, adapter).unwrap();
    let plain = hashwatt(&["verify", "--kernel", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert_eq!(plain.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--entry mine") || stderr.contains("--entry NAME"),
        "{stderr}"
    );
    let Some(DeviceChoice::Gpu(adapter)) = common::gpu_choice() else {
        return;
    };
    let options = LoadOptions {
        entry: Some("mine".into()),
        ..LoadOptions::default()
    };
    let config = KernelConfig::user_file_with(&path, &options).unwrap();
    assert_eq!(config.variant.source().includes, ["search_interface.wgsl"]);
    let mut searcher = GpuSearcher::open(&adapter, config).expect("compiles");
    let headers = catalog::embedded();
    let report = suite::run(&mut searcher, &headers, &common::quick_suite()).unwrap();
    assert!(report.passed, "{report:#?}");
    assert_eq!(report.kernel.entry_point, "mine");
}

/// A file not written to the interface is refused with every mismatch at
/// once and the interface to paste.
#[test]
fn every_mismatch_is_reported_at_once_with_a_skeleton() {
    let output = hashwatt(&["verify", "--kernel", PLAIN]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for words in [
        "3 problems: 1. no entry point `search` (found: main (@compute))",
        "--entry main",
        "; 2. @group(0) @binding(0) `job` must be var<uniform>",
        "; 3. @group(0) @binding(1) `result` must be var<storage, read_write> of struct",
        "struct SearchParams {",
        "header_words: array<vec4<u32>, 5>,",
        "fn record_hit(nonce: u32) {",
        "fn search(@builtin(global_invocation_id) gid: vec3<u32>) {",
        "--hash-fn NAME",
    ] {
        assert!(stderr.contains(words), "{words}: {stderr}");
    }
    assert!(!stderr.contains("panicked"));
    // The same with --entry main: the binding problems, not the name.
    let output = hashwatt(&["verify", "--kernel", PLAIN, "--entry", "main"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(!stderr.contains("no entry point"), "{stderr}");
    assert!(stderr.contains("`job` must be var<uniform>"), "{stderr}");
    // --hash-fn and --entry together make no sense.
    let output = hashwatt(&[
        "verify",
        "--kernel",
        PLAIN,
        "--entry",
        "main",
        "--hash-fn",
        "sha256d_header",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

/// `search_io.wgsl` beside a SHA-256 of the file's own: the redefinition is
/// explained, with the include to use instead.
#[test]
fn a_clash_with_hashwatts_sha256_points_to_the_interface_include() {
    let text = std::fs::read_to_string(PLAIN).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clash.wgsl");
    std::fs::write(
        &path,
        format!("{text}\n// hashwatt:include search_io.wgsl\n"),
    )
    .unwrap();
    let output = hashwatt(&["verify", "--kernel", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("redefinition"), "{stderr}");
    assert!(stderr.contains("search_interface.wgsl"), "{stderr}");
}

/// The shapes hashwatt knows, by signature, without a device.
#[test]
fn shapes_are_read_from_signatures() {
    assert_eq!(Shape::parse("compress"), Some(Shape::Compress));
    let text = std::fs::read_to_string(MESSAGES).unwrap();
    let error = hash_fn::generate(MESSAGES, &text, &HashFnSpec::new("message_byte"))
        .err()
        .unwrap();
    assert!(
        error.message.contains("no shape hashwatt knows"),
        "{}",
        error.message
    );
}
