//! Hostile users and hostile situations, through the binary: a closed or
//! full standard output, ranges that would wrap, endless or odd input
//! files, escape sequences in arguments, a tuning cache that lies, a power
//! counter that never moves, and Ctrl-C at every wait. Each failure is one
//! clean line on stderr with its documented exit status: never a panic,
//! never a raw control character, never a partial or temporary file.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const GENESIS_HEX: &str = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";

fn hashwatt() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hashwatt"));
    // A cache of this machine's own must not change what a test sees.
    command.env("HASHWATT_CACHE_DIR", scratch("no-cache"));
    command.env_remove("WGPU_BACKEND");
    command.env_remove("WGPU_ADAPTER_NAME");
    command
}

fn run(args: &[&str]) -> Output {
    hashwatt().args(args).output().unwrap()
}

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hashwatt-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Control characters other than the newline ending a line, and the
/// invisible characters that change how a terminal shows text.
fn has_raw_control(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}')
    })
}

/// Nothing on stderr that looks like a crash or could steer a terminal.
fn assert_no_panic(what: &str, output: &Output) {
    let err = stderr(output);
    assert_ne!(output.status.code(), Some(101), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{what}: {err}");
    assert!(!has_raw_control(&err), "{what}: raw control in {err:?}");
}

/// Exit status `code`, exactly one line of ours on stderr (Mesa may add
/// its own), `hashwatt: error: ...` containing `expected`, no panic.
fn assert_fails(what: &str, output: &Output, code: i32, expected: &str) {
    assert_no_panic(what, output);
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{what}: {err}");
    let ours: Vec<&str> = err.lines().filter(|l| l.starts_with("hashwatt:")).collect();
    assert_eq!(ours.len(), 1, "{what}: {err}");
    assert!(
        ours[0].starts_with("hashwatt: error: ") && ours[0].contains(expected),
        "{what}: expected {expected:?} in {err:?}"
    );
    assert!(
        ours[0].len() < 1000,
        "{what}: a {} byte line",
        ours[0].len()
    );
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Whether wgpu finds an adapter here (lavapipe or llvmpipe on CI).
fn gpu_index() -> Option<String> {
    let output = run(&["devices", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    let devices = value["devices"].as_array()?;
    let gpu = devices.iter().find(|d| d["select"] != "cpu");
    if gpu.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but wgpu found no adapter"
        );
    }
    gpu.map(|d| d["select"].as_str().unwrap().to_string())
}

/// Commands that print, small enough for a test on the CPU reference.
fn printing_commands(headers_file: &str) -> Vec<Vec<String>> {
    let cases: Vec<Vec<&str>> = vec![
        vec!["headers"],
        vec!["headers", "--json"],
        vec!["devices"],
        vec!["devices", "--json"],
        vec![
            "search",
            "--header",
            "0",
            "--count",
            "4096",
            "--share-bits",
            "4",
            "--device",
            "cpu",
        ],
        vec![
            "search", "--header", "0", "--count", "4096", "--device", "cpu", "--json",
        ],
        vec![
            "verify",
            "--device",
            "cpu",
            "--headers",
            headers_file,
            "--window",
            "1024",
        ],
        vec![
            "bench",
            "--device",
            "cpu",
            "--nonces",
            "100000",
            "--idle-seconds",
            "0",
        ],
        vec![
            "bench",
            "--device",
            "cpu",
            "--nonces",
            "100000",
            "--idle-seconds",
            "0",
            "--json",
            "-",
        ],
        vec!["estimate", "--jth", "15"],
    ];
    cases
        .into_iter()
        .map(|c| c.into_iter().map(String::from).collect())
        .collect()
}

fn genesis_file(dir: &Path) -> String {
    let path = dir.join("genesis.txt");
    std::fs::write(&path, format!("{GENESIS_HEX}\n")).unwrap();
    path.to_str().unwrap().to_string()
}

/// `hashwatt headers | head -0`: the reader is gone before the first line.
/// Every command ends quietly, as Unix tools do: status 0, nothing on
/// stderr of ours, no panic.
#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = scratch("closed");
    let headers_file = genesis_file(&dir);
    for args in printing_commands(&headers_file) {
        let mut child = hashwatt()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let what = args.join(" ");
        assert_no_panic(&what, &output);
        assert_eq!(output.status.code(), Some(0), "{what}: {}", stderr(&output));
        let ours: Vec<String> = stderr(&output)
            .lines()
            .filter(|l| l.starts_with("hashwatt: error"))
            .map(String::from)
            .collect();
        assert!(ours.is_empty(), "{what}: {ours:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// `hashwatt headers | head -1`: the reader goes after one line, while the
/// program is still writing. Same quiet end.
#[test]
fn a_reader_that_leaves_early_ends_the_run_quietly() {
    for args in [vec!["headers"], vec!["headers", "--json"]] {
        let mut child = hashwatt()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        drop(reader);
        let output = child.wait_with_output().unwrap();
        assert_no_panic(&args.join(" "), &output);
        assert_eq!(output.status.code(), Some(0));
        assert!(!first.is_empty());
    }
}

/// `> /dev/full`: exit 4 with one line, and a `--json` file is still written
/// whole, with no temporary file beside it.
#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_exit_4_and_one_line() {
    let dir = scratch("full");
    let headers_file = genesis_file(&dir);
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in printing_commands(&headers_file) {
        let output = hashwatt()
            .args(&args)
            .stdout(full())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_fails(
            &args.join(" "),
            &output,
            4,
            "cannot write to standard output",
        );
    }
    let json = dir.join("run.json");
    let output = hashwatt()
        .args([
            "bench",
            "--device",
            "cpu",
            "--nonces",
            "100000",
            "--idle-seconds",
            "0",
            "--json",
            json.to_str().unwrap(),
        ])
        .stdout(full())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_fails(
        "bench --json FILE > /dev/full",
        &output,
        4,
        "standard output",
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["nonces"], 100000);
    assert_eq!(names_in(&dir), ["genesis.txt", "run.json"]);
    let _ = std::fs::remove_dir_all(dir);
}

/// `start + count` is checked without wrapping: nothing is reported for a
/// range that was never hashed.
#[test]
fn nonce_ranges_never_wrap() {
    let max = u64::MAX.to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--start", "1", "--count", &max],
            "runs past nonce 2^32",
        ),
        (vec!["--start", &max, "--count", "1"], "past the last nonce"),
        (
            vec!["--start", "4294967296", "--count", "1"],
            "past the last nonce",
        ),
        (
            vec!["--start", "4294967295", "--count", "2"],
            "--count can be at most 1",
        ),
        (vec!["--count", "0"], "--count must be at least 1"),
        (vec!["--count", "18446744073709551616"], "is too large"),
        // Every nonce a hit over all 2^32: gigabytes of hits, refused up front.
        (
            vec!["--count", "4294967296", "--share-bits", "0"],
            "at most 1048576 are allowed",
        ),
    ];
    for (range, expected) in cases {
        let mut args = vec!["search", "--header", "0", "--device", "cpu"];
        args.extend(range);
        assert_fails(&args.join(" "), &run(&args), 2, expected);
    }
    // The last nonce itself is a range of one.
    let output = run(&[
        "search",
        "--header",
        "0",
        "--device",
        "cpu",
        "--start",
        "4294967295",
        "--count",
        "1",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// `@FILE` and header files go through one bounded reader: an endless
/// file stops at the limit, a byte-order mark is dropped, other bytes are
/// named, never echoed.
#[test]
fn header_files_are_bounded_and_never_echoed_raw() {
    let dir = scratch("files");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        format!("@{}", path.display())
    };
    let bom = write("bom.txt", format!("\u{feff}{GENESIS_HEX}\r\n").as_bytes());
    let output = run(&[
        "search", "--header", &bom, "--count", "1024", "--device", "cpu", "--json",
    ]);
    assert!(output.status.success(), "BOM: {}", stderr(&output));

    let escape = write(
        "escape.txt",
        format!("{GENESIS_HEX} \u{1b}]0;owned\u{7}\u{1b}[2J\n").as_bytes(),
    );
    let invisible = write(
        "invisible.txt",
        format!(
            "{}\u{202e}\u{200b}{}\n",
            &GENESIS_HEX[..80],
            &GENESIS_HEX[80..]
        )
        .as_bytes(),
    );
    let latin1 = write("latin1.txt", b"caf\xe9\n");
    let cases: Vec<(String, &str)> = vec![
        ("@/dev/zero".into(), "larger than 64 MiB"),
        (escape, "line 1: unexpected"),
        (invisible, "line 1"),
        (latin1, "not UTF-8 text (byte 4"),
        (format!("@{}", dir.display()), "folder"),
        ("@/no/such/file".into(), "cannot read header file"),
        ("\u{1b}[31m\u{7}".into(), "--header"),
        ("\u{feff}".into(), "--header"),
    ];
    for (header, expected) in cases {
        let started = Instant::now();
        let output = run(&["search", "--header", &header, "--device", "cpu"]);
        assert_fails(&format!("--header {header:?}"), &output, 2, expected);
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "--header {header:?} read without a limit"
        );
    }
    let output = run(&["verify", "--device", "cpu", "--headers", "/dev/zero"]);
    assert_fails(
        "verify --headers /dev/zero",
        &output,
        2,
        "larger than 64 MiB",
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Escape sequences and invisible characters in any argument are shown
/// escaped, in one line, whatever the command and whoever reports it.
#[test]
fn hostile_arguments_are_never_echoed_raw() {
    let hostile = [
        "\u{1b}[2J\u{1b}]0;owned\u{7}",
        "a\nhashwatt: error: forged",
        "\u{202e}gpj.exe",
        "\r\u{8}\u{7f}x",
    ];
    for text in hostile {
        let cases: Vec<(Vec<&str>, i32)> = vec![
            (vec!["search", "--header", text], 2),
            (vec!["search", "--header", "0", "--device", text], 3),
            (vec!["search", "--header", "0", "--target", text], 2),
            (vec!["search", "--header", "0", "--count", text], 2),
            (vec!["bench", "--device", "cpu", "--kernel", text], 2),
            (vec!["bench", "--device", "cpu", "--duration", text], 2),
            (vec!["verify", "--device", "cpu", "--headers", text], 2),
            (vec!["search", text], 2),
            (vec![text], 2),
        ];
        for (args, code) in cases {
            let output = run(&args);
            let what = format!("{args:?}");
            assert_no_panic(&what, &output);
            assert_eq!(
                output.status.code(),
                Some(code),
                "{what}: {}",
                stderr(&output)
            );
            let ours = stderr(&output)
                .lines()
                .filter(|l| l.starts_with("hashwatt:"))
                .count();
            assert_eq!(ours, 1, "{what}: {}", stderr(&output));
        }
    }
}

/// Numbers: a minus sign and a number too large for its type get our own
/// "must be ..." message, never clap's "unexpected argument '-5'" or "got inf".
#[test]
fn negative_and_overflowing_numbers_are_named() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["search", "--header", "0", "--count", "-5"],
            "must be zero or more, got -5",
        ),
        (
            vec!["search", "--header", "0", "--start", "-1"],
            "must be zero or more",
        ),
        (
            vec!["search", "--header", "0", "--share-bits", "-8"],
            "must be zero or more",
        ),
        (vec!["verify", "--window", "-1"], "must be zero or more"),
        (vec!["bench", "--nonces", "-100"], "must be zero or more"),
        (vec!["bench", "--duration", "1e400"], "1e400 is too large"),
        (vec!["bench", "--watts", "-1e999"], "is too large"),
        (
            vec!["bench", "--duration", "inf"],
            "must be a finite number",
        ),
        (
            vec!["bench", "--duration", "NaN"],
            "must be a finite number",
        ),
        (vec!["tune", "--seconds", "1e400"], "is too large"),
        (
            vec!["tune", "--seconds", "-2"],
            "--seconds must be a positive",
        ),
        (vec!["tune", "--seconds", "1e9"], "at most 600"),
        (vec!["estimate", "--jth", "1e400"], "is too large"),
        (
            vec!["search", "--header", "0", "--count", "1.5"],
            "whole number",
        ),
    ];
    for (args, expected) in cases {
        assert_fails(&args.join(" "), &run(&args), 2, expected);
    }
}

/// README and `--help`: 3 when a device cannot be found, opened or run.
#[test]
fn unknown_devices_exit_3_and_a_misspelt_backend_exits_2() {
    for args in [
        vec!["search", "--header", "0", "--device", "7"],
        vec!["search", "--header", "0", "--device", "no-such-gpu"],
        vec!["bench", "--device", "99999999999", "--idle-seconds", "0"],
        vec!["verify", "--device", "nonexistent"],
    ] {
        assert_fails(&args.join(" "), &run(&args), 3, "unknown device");
    }
    let output = hashwatt()
        .args(["search", "--header", "0"])
        .env("WGPU_ADAPTER_NAME", "no such adapter")
        .output()
        .unwrap();
    assert_fails("WGPU_ADAPTER_NAME", &output, 3, "WGPU_ADAPTER_NAME");
    for value in ["vulcan", "vulkan,metl", "", "\u{1b}[2J"] {
        for args in [vec!["devices"], vec!["bench", "--idle-seconds", "0"]] {
            let output = hashwatt()
                .args(&args)
                .env("WGPU_BACKEND", value)
                .output()
                .unwrap();
            assert_fails(
                &format!("WGPU_BACKEND={value:?}"),
                &output,
                2,
                "WGPU_BACKEND",
            );
            assert!(stderr(&output).contains("vulkan, metal, dx12"));
        }
    }
    // The CPU reference needs no backend at all.
    let output = hashwatt()
        .args([
            "search", "--header", "0", "--device", "cpu", "--count", "64",
        ])
        .env("WGPU_BACKEND", "vulcan")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

/// An easy target floods a verify window with hits; the message that the
/// real nonce was missed lists a few and counts the rest.
#[test]
fn verify_never_prints_a_flood() {
    let dir = scratch("flood");
    // Genesis with nBits 0x2000ffff: about one hash in 256 meets it. The
    // real nonce's hash under this header does not (checked below by the
    // run failing), so the window check fails with hundreds of hits.
    let easy = format!("{}ffff0020{}", &GENESIS_HEX[..144], &GENESIS_HEX[152..]);
    let file = dir.join("easy.txt");
    std::fs::write(&file, format!("{easy}\n")).unwrap();
    let output = run(&[
        "verify",
        "--device",
        "cpu",
        "--headers",
        file.to_str().unwrap(),
        "--window",
        "1048576",
    ]);
    assert_no_panic("verify", &output);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("more"), "{text}");
    let longest = text.lines().map(str::len).max().unwrap();
    assert!(longest < 1000, "a {longest} byte line");
    let _ = std::fs::remove_dir_all(dir);
}

/// A powercap tree whose package counter never moves.
fn stuck_powercap(name: &str) -> PathBuf {
    let root = scratch(name);
    let domain = root.join("intel-rapl:0");
    std::fs::create_dir_all(&domain).unwrap();
    std::fs::write(domain.join("name"), "package-0\n").unwrap();
    std::fs::write(domain.join("max_energy_range_uj"), "262143328850\n").unwrap();
    std::fs::write(domain.join("energy_uj"), "123456789\n").unwrap();
    root
}

/// A RAPL counter that never moves measured nothing: no "0 H/J", no
/// "0.0 J/TH", no "0x less energy", but energy not measured and why.
#[test]
fn a_counter_that_never_moves_is_not_a_measurement() {
    let root = stuck_powercap("stuck");
    for idle in ["0", "0.3"] {
        let base = [
            "bench",
            "--device",
            "cpu",
            "--nonces",
            "200000",
            "--idle-seconds",
            idle,
        ];
        let output = hashwatt()
            .args(base)
            .env("HASHWATT_POWERCAP_ROOT", &root)
            .output()
            .unwrap();
        assert_no_panic("bench", &output);
        assert!(output.status.success(), "{}", stderr(&output));
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("not measured"), "{text}");
        assert!(text.contains("did not move"), "{text}");
        for false_figure in [" H/J", "J/TH", "less energy"] {
            assert!(!text.contains(false_figure), "{false_figure}: {text}");
        }
        let output = hashwatt()
            .args(base)
            .args(["--json", "-"])
            .env("HASHWATT_POWERCAP_ROOT", &root)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert!(report["energy"].is_null(), "{report}");
    }
    let _ = std::fs::remove_dir_all(root);
}

fn interrupt(child: &Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Waits for the child, at most `limit` (then kills it and fails: a hang).
fn wait_at_most(mut child: Child, limit: Duration, what: &str) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{what}: still running {limit:?} after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// Ctrl-C during the idle-power measurement ends it (the wait polls the
/// stop flag), not after the whole --idle-seconds.
#[test]
fn ctrl_c_ends_the_idle_measurement() {
    let root = stuck_powercap("idle");
    let child = hashwatt()
        .args([
            "bench",
            "--device",
            "cpu",
            "--duration",
            "600",
            "--idle-seconds",
            "600",
        ])
        .env("HASHWATT_POWERCAP_ROOT", &root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    interrupt(&child);
    // Far less than the 600 s asked for; generous for a loaded machine.
    let output = wait_at_most(child, Duration::from_secs(120), "idle measurement");
    assert_no_panic("bench", &output);
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("interrupted before a timed run (during the idle-power measurement"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(root);
}

/// Ctrl-C during `tune` ends the sweep after the setting in flight: exit
/// 130, the best so far printed, nothing cached.
#[test]
fn ctrl_c_ends_a_tune_sweep_without_caching_it() {
    let Some(index) = gpu_index() else {
        return;
    };
    let cache = scratch("tune-sigint");
    let mut child = hashwatt()
        .args(["tune", "--device", &index, "--seconds", "30"])
        .env("HASHWATT_CACHE_DIR", &cache)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the table header: the sweep has begun.
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("workgroup") {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
    }
    std::thread::sleep(Duration::from_millis(1000));
    interrupt(&child);
    // 30 s a setting within the 120 s budget: minutes, were SIGINT ignored.
    let output = wait_at_most(child, Duration::from_secs(120), "tune");
    assert_no_panic("tune", &output);
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(stderr(&output).contains("nothing was cached"));
    assert!(names_in(&cache).is_empty(), "{:?}", names_in(&cache));
    let _ = std::fs::remove_dir_all(cache);
}

/// A tuning cache is input: entries no kernel can run, another schema or
/// text that is not JSON are ignored with one warning naming the file, and
/// `bench` runs on the untuned defaults, counting only nonces it hashed.
#[test]
fn a_lying_tuning_cache_is_ignored_with_one_warning() {
    let Some(index) = gpu_index() else {
        return;
    };
    let devices: serde_json::Value =
        serde_json::from_slice(&run(&["devices", "--json"]).stdout).unwrap();
    let gpu = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["select"] == index.as_str())
        .unwrap()
        .clone();
    let device = serde_json::json!({
        "name": gpu["name"], "backend": gpu["backend"], "type": gpu["type"], "driver": gpu["driver"],
    });
    let entry = |variant: &str, workgroup: u32, nonces: u32| {
        serde_json::json!({
            "device": device,
            "hashwatt_version": env!("CARGO_PKG_VERSION"),
            "kernel": {"variant": variant, "workgroup_size": workgroup, "nonces_per_invocation": nonces},
            "batch_ms": 100,
            "hashes_per_second": 1e6,
            "tuned_at": "2026-01-01T00:00:00Z",
        })
    };
    let schema = "hashwatt.tuning/1";
    let caches = [
        serde_json::json!({"schema": schema, "entries": [entry("fast", 64, 0)]}).to_string(),
        serde_json::json!({"schema": schema, "entries": [entry("reference", 64, 4)]}).to_string(),
        serde_json::json!({"schema": schema, "entries": [entry("fast", 100000, 4)]}).to_string(),
        serde_json::json!({"schema": schema, "entries": [entry("warp", 64, 4)]}).to_string(),
        "{\"schema\": \"hashwatt.tuning/1\", \"entries\": [".into(),
        "\u{1b}[2J not json".into(),
    ];
    for text in caches {
        let dir = scratch("lying-cache");
        std::fs::write(dir.join("tuning.json"), &text).unwrap();
        let output = hashwatt()
            .args([
                "bench",
                "--device",
                &index,
                "--nonces",
                "65536",
                "--share-bits",
                "8",
                "--idle-seconds",
                "0",
                "--json",
                "-",
            ])
            .env("HASHWATT_CACHE_DIR", &dir)
            .output()
            .unwrap();
        let what = format!("cache {text:?}");
        assert_no_panic(&what, &output);
        assert!(output.status.success(), "{what}: {}", stderr(&output));
        let warnings: Vec<String> = stderr(&output)
            .lines()
            .filter(|l| l.starts_with("hashwatt: warning"))
            .map(String::from)
            .collect();
        assert_eq!(warnings.len(), 1, "{what}: {}", stderr(&output));
        assert!(warnings[0].contains("tuning.json"), "{}", warnings[0]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["settings"], "default", "{what}");
        assert_eq!(report["nonces"], 65536);
        assert_eq!(report["shares"]["found"], report["shares"]["verified"]);
        let _ = std::fs::remove_dir_all(dir);
    }
}
