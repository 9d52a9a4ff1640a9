//! Hostile names, files and outputs, held as classes (one test each, over
//! every command the class concerns), through the binary:
//!
//! - **names**: every line a command prints, on success and on failure,
//!   with escape sequences, newlines and bidirectional overrides in the
//!   names it was given (a device name in a bench file, file names, output
//!   paths, a kernel file, a cache folder), holds no control or invisible
//!   character and no forged line. Enforced in one place: the output
//!   macros (`src/output/mod.rs`) pass every character through
//!   `error::sanitize`.
//! - **input files**: every file read is bounded (`src/textfile.rs`).
//! - **outputs**: the outputs of one command are distinct, fit the file
//!   system, and are checked before the run (`src/output/names.rs`,
//!   `Destination::prepare`).
//! - **threads**: `--threads` is bounded before any work
//!   (`device::check_threads`).
//!
//! The particular cases a hostile user tried are not spelled out here;
//! each test checks its class over a spread of inputs.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A name that would clear the screen, retitle the terminal, forge a line
/// and reverse the text after it, were it printed raw.
const HOSTILE: &str = "\u{1b}]0;owned\u{7}\u{1b}[2J\nFORGED line \u{202e}\u{2066}x\u{feff}";

const GENESIS_HEX: &str = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";

fn hashwatt(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hashwatt"));
    command.env("HASHWATT_CACHE_DIR", cache);
    command.env_remove("WGPU_BACKEND");
    command.env_remove("WGPU_ADAPTER_NAME");
    command.stdin(Stdio::null());
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Control characters, and the invisible ones that change how a terminal
/// shows the text around them (the set `error::sanitize` escapes).
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// Every line on both streams is safe: no control or invisible character
/// (the newline ending a line aside) and no line forged by a name.
fn assert_safe_lines(what: &str, output: &Output) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let all = text(bytes);
        for line in all.split('\n') {
            assert!(
                !line.chars().any(unsafe_char),
                "{what}: raw control in {stream} line {line:?}"
            );
            assert!(
                !line.starts_with("FORGED"),
                "{what}: a forged {stream} line in {all:?}"
            );
        }
    }
    assert!(!text(&output.stderr).contains("panicked"), "{what}");
}

/// Exit `code`, with exactly one line of ours on stderr containing
/// `expected`.
fn assert_fails(what: &str, output: &Output, code: i32, expected: &str) {
    assert_safe_lines(what, output);
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{what}: {err}");
    let ours: Vec<&str> = err.lines().filter(|l| l.starts_with("hashwatt:")).collect();
    assert_eq!(ours.len(), 1, "{what}: {err}");
    assert!(
        ours[0].starts_with("hashwatt: error: ") && ours[0].contains(expected),
        "{what}: expected {expected:?} in {err:?}"
    );
}

/// Runs the child, killing it (and failing) after `limit`: a check that
/// should come before a long run must not wait for it.
fn within(mut command: Command, limit: Duration, what: &str) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{what}: still running after {limit:?}; the check came after the work");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn arg(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

/// Whether wgpu finds an adapter (lavapipe on CI); under CI, none fails.
fn gpu_present() -> bool {
    common::gpu_choice().is_some()
}

/// Class: names from outside. Every command that prints, on success and
/// on failure, run with hostile names in what it reads and writes.
#[test]
fn printed_names_are_always_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join(format!("cache {HOSTILE}"));
    let d = |name: &str| dir.path().join(format!("{name} {HOSTILE}"));
    let headers = d("headers.txt");
    std::fs::write(&headers, format!("{GENESIS_HEX}\n")).unwrap();
    let kernel = d("kernel.wgsl");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kernels/minimal.wgsl"),
        &kernel,
    )
    .unwrap();
    let (bench_a, bench_b) = (d("a.json"), d("b.json"));
    let not_json = d("not.json");
    std::fs::write(&not_json, "{").unwrap();
    let at_headers = format!("@{}", arg(&headers));

    // A bench result to read back, its device renamed by a hostile hand.
    let output = hashwatt(&cache)
        .args([
            "bench",
            "--device",
            "cpu",
            "--nonces",
            "100000",
            "--idle-seconds",
            "0",
            "--watts",
            "50",
            "--header",
            &at_headers,
            "--json",
            &arg(&bench_a),
            "--plot",
            &arg(&d("a.svg")),
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_safe_lines("bench --json --plot", &output);
    let mut report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bench_a).unwrap()).unwrap();
    for (path, name) in [(&bench_a, "GPU A"), (&bench_b, "GPU B")] {
        report["device"]["name"] = format!("{name} {HOSTILE}").into();
        report["device"]["backend"] = format!("vk{HOSTILE}").into();
        std::fs::write(path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    }

    let (a, b) = (arg(&bench_a), arg(&bench_b));
    let from_a = format!("{a}:0.5");
    let from_b = format!("{b}:0.5");
    let mut cases: Vec<Vec<String>> = [
        vec!["headers"],
        vec!["devices"],
        vec![
            "search",
            "--header",
            &at_headers,
            "--count",
            "1024",
            "--device",
            "cpu",
        ],
        vec![
            "verify",
            "--device",
            "cpu",
            "--headers",
            &arg(&headers),
            "--window",
            "1024",
        ],
        vec!["compare", &a, &b, "--json", &arg(&d("compare.json"))],
        vec![
            "estimate",
            "--from",
            &a,
            "--json",
            &arg(&d("est.json")),
            "--plot",
            &arg(&d("est.svg")),
        ],
        vec![
            "estimate",
            "--from",
            &from_a,
            "--from",
            &from_b,
            "--device-usd",
            "1000",
        ],
        vec![
            "kernel-cost",
            "--kernel",
            &arg(&kernel),
            "--json",
            &arg(&d("cost.json")),
        ],
        // Failures that name what they were given.
        vec!["compare", &a, &arg(&d("missing.json"))],
        vec!["compare", &a, &arg(&not_json)],
        vec!["estimate", "--from", &arg(&not_json)],
        vec!["bench", "--device", "cpu", "--json", &a],
        vec![
            "bench",
            "--device",
            "cpu",
            "--plot",
            &arg(&d("no/such/folder.svg")),
        ],
        vec![
            "search",
            "--header",
            &format!("@{}", arg(&d("missing.txt"))),
        ],
        vec!["kernel-cost", "--kernel", &arg(&not_json)],
    ]
    .iter()
    .map(|c| c.iter().map(|s| s.to_string()).collect())
    .collect();
    if gpu_present() {
        let (kernel, gpu_json) = (arg(&kernel), arg(&d("gpu.json")));
        let gpu: Vec<Vec<&str>> = vec![
            vec![
                "verify", "--device", "0", "--kernel", &kernel, "--window", "1024",
            ],
            vec![
                "bench",
                "--device",
                "0",
                "--kernel",
                &kernel,
                "--nonces",
                "65536",
                "--idle-seconds",
                "0",
                "--json",
                &gpu_json,
            ],
            vec![
                "tune",
                "--device",
                "0",
                "--max-settings",
                "1",
                "--seconds",
                "0.2",
            ],
        ];
        cases.extend(
            gpu.iter()
                .map(|c| c.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        );
    }
    for args in &cases {
        let what = args.join(" ").escape_debug().to_string();
        let output = hashwatt(&cache).args(args).output().unwrap();
        assert_ne!(output.status.code(), Some(101), "{what}");
        assert_safe_lines(&what, &output);
    }
    // The names were there to be escaped: the success lines show them.
    let output = hashwatt(&cache).args(["compare", &a, &b]).output().unwrap();
    let shown = text(&output.stdout);
    assert!(shown.contains("GPU A \\u{1b}]0;owned"), "{shown}");
    assert!(
        shown.contains("\\u{a}FORGED line \\u{202e}\\u{2066}"),
        "{shown}"
    );
}

/// Class: input files. Every file hashwatt reads stops at its bound:
/// `/dev/zero` is one line and exit 2, at once, wherever it is given.
#[cfg(unix)]
#[test]
fn every_input_file_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let zero = "/dev/zero";
    let at_zero = "@/dev/zero";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["bench", "--device", "cpu", "--kernel", zero],
            "larger than 4 MiB",
        ),
        (vec!["verify", "--kernel", zero], "larger than 4 MiB"),
        (vec!["kernel-cost", "--kernel", zero], "larger than 4 MiB"),
        (vec!["search", "--header", at_zero], "larger than 64 MiB"),
        (
            vec!["bench", "--device", "cpu", "--header", at_zero],
            "larger than 64 MiB",
        ),
        (
            vec!["verify", "--device", "cpu", "--headers", zero],
            "larger than 64 MiB",
        ),
        (vec!["compare", zero], "larger than 64 MiB"),
        (vec!["estimate", "--from", zero], "larger than"),
        (
            vec!["estimate", "--jth", "20", "--network-from", at_zero],
            "larger than 64 MiB",
        ),
    ];
    for (args, expected) in cases {
        let what = args.join(" ");
        let mut command = hashwatt(&cache);
        command.args(&args);
        let output = within(command, Duration::from_secs(60), &what);
        assert_fails(&what, &output, 2, expected);
    }
    // A power meter whose counter is an endless file measures nothing and
    // says why; the bench itself goes on.
    let root = dir.path().join("powercap");
    let domain = root.join("intel-rapl:0");
    std::fs::create_dir_all(&domain).unwrap();
    std::fs::write(domain.join("name"), "package-0\n").unwrap();
    std::os::unix::fs::symlink(zero, domain.join("max_energy_range_uj")).unwrap();
    std::os::unix::fs::symlink(zero, domain.join("energy_uj")).unwrap();
    let mut command = hashwatt(&cache);
    command
        .args([
            "bench",
            "--device",
            "cpu",
            "--nonces",
            "100000",
            "--idle-seconds",
            "0",
        ])
        .env("HASHWATT_POWERCAP_ROOT", &root);
    let output = within(command, Duration::from_secs(120), "RAPL on /dev/zero");
    assert_safe_lines("RAPL on /dev/zero", &output);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("not measured"));
}

/// Class: outputs. The outputs of one command name different files (after
/// normalisation) and none of its inputs, and fit the file system; all of
/// it is checked before the run (a 600 s bench is refused at once).
#[test]
fn outputs_are_checked_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let x = arg(&dir.path().join("x.out"));
    let dotted = arg(&sub.join("..").join("x.out"));
    let bench = dir.path().join("in.json");
    let output = hashwatt(&cache)
        .args([
            "bench",
            "--device",
            "cpu",
            "--nonces",
            "100000",
            "--idle-seconds",
            "0",
            "--watts",
            "50",
            "--json",
            &arg(&bench),
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let input = arg(&bench);
    let long = arg(&dir.path().join(format!("{}.json", "n".repeat(256))));
    let deep = arg(&dir.path().join("d/".repeat(2100)).join("x.json"));
    // A copy: were the check missing, --force would replace it.
    let kernel_copy = dir.path().join("k.wgsl");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kernels/minimal.wgsl"),
        &kernel_copy,
    )
    .unwrap();
    let kernel = arg(&kernel_copy);
    let kernel = kernel.as_str();
    let long_run = [
        "bench",
        "--device",
        "cpu",
        "--duration",
        "600",
        "--idle-seconds",
        "0",
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        long_run
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            with(&["--json", &x, "--plot", &x, "--force"]),
            "name the same file",
        ),
        (
            with(&["--json", &x, "--plot", &dotted, "--force"]),
            "name the same file",
        ),
        (with(&["--json", &long]), "NAME_MAX"),
        (with(&["--plot", &long]), "NAME_MAX"),
        (with(&["--json", &deep]), "PATH_MAX"),
        (
            ["estimate", "--jth", "20", "--json", &x, "--plot", &dotted]
                .map(String::from)
                .to_vec(),
            "name the same file",
        ),
        (
            ["estimate", "--from", &input, "--json", &input, "--force"]
                .map(String::from)
                .to_vec(),
            "never replaces an input",
        ),
        (
            ["compare", &input, &input, "--json", &input, "--force"]
                .map(String::from)
                .to_vec(),
            "never replaces an input",
        ),
        (
            [
                "kernel-cost",
                "--kernel",
                kernel,
                "--json",
                kernel,
                "--force",
            ]
            .map(String::from)
            .to_vec(),
            "never replaces an input",
        ),
        (
            ["estimate", "--jth", "20", "--json", &long]
                .map(String::from)
                .to_vec(),
            "NAME_MAX",
        ),
        (
            ["compare", &input, "--json", &long]
                .map(String::from)
                .to_vec(),
            "NAME_MAX",
        ),
    ];
    for (args, expected) in cases {
        let what = args.join(" ");
        let mut command = hashwatt(&cache);
        command.args(&args);
        let output = within(command, Duration::from_secs(60), &what);
        assert_fails(&what, &output, 2, expected);
    }
    // The same file as ./x.out and x.out, from the folder that holds it.
    let mut command = hashwatt(&cache);
    command
        .current_dir(dir.path())
        .args(long_run)
        .args(["--json", "./x.out", "--plot", "x.out", "--force"]);
    let output = within(command, Duration::from_secs(60), "./x.out and x.out");
    assert_fails("./x.out and x.out", &output, 2, "name the same file");
    // Nothing was left behind: no output, no temporary file.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !["in.json", "k.wgsl", "sub", "cache"].contains(&n.as_str()))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Class: threads. `--threads` beyond what the machine runs at once is
/// refused before any work, on every command that takes it.
#[test]
fn threads_are_bounded_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    for threads in ["100000", "18446744073709551615", "0"] {
        for command in [
            vec![
                "bench",
                "--device",
                "cpu",
                "--duration",
                "600",
                "--idle-seconds",
                "0",
            ],
            vec![
                "search",
                "--header",
                "0",
                "--device",
                "cpu",
                "--count",
                "4294967296",
            ],
            vec!["verify", "--device", "cpu"],
        ] {
            let mut args = command.clone();
            args.extend(["--threads", threads]);
            let what = args.join(" ");
            let mut run = hashwatt(&cache);
            run.args(&args);
            let output = within(run, Duration::from_secs(60), &what);
            assert_fails(&what, &output, 2, "--threads");
        }
    }
}
