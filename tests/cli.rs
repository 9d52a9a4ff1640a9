//! The binary as users run it: known answers from the real chain, the exit
//! statuses scripts rely on, and one-line errors for bad input.

use std::io::Write;
use std::process::{Command, Output};

const GENESIS_HEX: &str = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";
const GENESIS_HASH: &str = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

fn hashwatt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .output()
        .expect("hashwatt runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            stderr(output)
        )
    })
}

fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("hashwatt-test-{}-{name}", std::process::id()));
    std::fs::File::create(&path)
        .unwrap()
        .write_all(contents.as_bytes())
        .unwrap();
    path
}

/// Bad input: exit status 2, one line on stderr naming the problem (our
/// lines start with "hashwatt:"; Mesa's driver may add its own), no panic.
fn assert_bad_input(args: &[&str], expected: &str) {
    let output = hashwatt(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    let ours: Vec<_> = err.lines().filter(|l| l.starts_with("hashwatt:")).collect();
    assert_eq!(ours.len(), 1, "{args:?}: {err}");
    assert!(
        ours[0].starts_with("hashwatt: error: ") && ours[0].contains(expected),
        "{args:?}: expected {expected:?} in {err:?}"
    );
}

/// Genesis with its nBits field (hex characters 144..152) replaced.
fn genesis_with_bits(bits_le_hex: &str) -> String {
    format!(
        "{}{}{}",
        &GENESIS_HEX[..144],
        bits_le_hex,
        &GENESIS_HEX[152..]
    )
}

#[test]
fn search_finds_the_genesis_nonce() {
    let output = hashwatt(&[
        "search",
        "--header",
        "0",
        "--start",
        "2083200000",
        "--count",
        "65536",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["nonces"], 65536);
    let hits = report["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["nonce"], 2083236893u64);
    assert_eq!(hits[0]["hash"], GENESIS_HASH);
    assert_eq!(hits[0]["meets_header_target"], true);
}

#[test]
fn search_with_share_bits_reports_only_verified_hits() {
    let output = hashwatt(&[
        "search",
        "--header",
        "genesis",
        "--count",
        "4096",
        "--share-bits",
        "6",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let hits = json(&output)["hits"].as_array().unwrap().clone();
    assert!(
        hits.len() > 30 && hits.len() < 120,
        "about 64 expected, got {}",
        hits.len()
    );
    for hit in hits {
        assert!(hit["hash"].as_str().unwrap().starts_with('0'));
    }
}

#[test]
fn headers_and_devices_list_as_json() {
    let output = hashwatt(&["headers", "--json"]);
    assert!(output.status.success());
    let headers = json(&output)["headers"].as_array().unwrap().clone();
    assert_eq!(headers.len(), 61);
    assert_eq!(headers[0]["hash"], GENESIS_HASH);
    let output = hashwatt(&["devices", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let devices = json(&output)["devices"].as_array().unwrap().clone();
    assert!(devices.iter().any(|d| d["select"] == "cpu"));
    assert_eq!(devices.iter().filter(|d| d["default"] == true).count(), 1);
}

#[test]
fn verify_passes_on_good_headers_and_fails_loudly_on_wrong_hashes() {
    let good = temp_file(
        "good.txt",
        &format!(
            "# genesis, with and without its hash\n0 {GENESIS_HASH} {GENESIS_HEX}\n{GENESIS_HEX}\n"
        ),
    );
    let output = hashwatt(&[
        "verify",
        "--headers",
        good.to_str().unwrap(),
        "--window",
        "4096",
    ]);
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("PASS"));

    let wrong_hash = GENESIS_HASH.replace("8ce26f", "8ce26e");
    let bad = temp_file("bad.txt", &format!("{GENESIS_HEX} {wrong_hash}\n"));
    let output = hashwatt(&[
        "verify",
        "--headers",
        bad.to_str().unwrap(),
        "--window",
        "0",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("FAIL"), "{stdout}");
    assert!(
        stdout.contains(&format!("expected block hash {wrong_hash}")),
        "{stdout}"
    );
    let _ = std::fs::remove_file(good);
    let _ = std::fs::remove_file(bad);
}

#[test]
fn bench_on_the_cpu_reference_writes_a_complete_report() {
    let output = hashwatt(&[
        "bench",
        "--device",
        "cpu",
        "--nonces",
        "300000",
        "--share-bits",
        "10",
        "--json",
        "-",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["schema"], "hashwatt.bench/3");
    assert_eq!(report["valid"], true);
    assert_eq!(report["proof_of_work"]["passed"], true);
    assert_eq!(report["nonces"], 300000);
    assert_eq!(report["shares"]["bits"], 10);
    assert_eq!(report["shares"]["found"], report["shares"]["verified"]);
    assert!(report["shares"]["found"].as_u64().unwrap() > 200);
    assert!(report["hashes_per_second"].as_f64().unwrap() > 0.0);
    assert_eq!(report["header"]["height"], 951658);
    assert!(report["energy"].is_null());
    for key in ["device", "seconds", "header"] {
        assert!(!report[key].is_null(), "{key}");
    }
}

/// Each bad input: exit status 2, one line on stderr naming the problem, no panic.
#[test]
fn bad_input_gets_a_one_line_error_and_status_2() {
    let headers_file = temp_file(
        "malformed.txt",
        &format!("{GENESIS_HEX}\n\n{GENESIS_HEX} not-a-hash\n"),
    );
    let headers_arg = headers_file.to_str().unwrap().to_string();
    let short = &GENESIS_HEX[..150];
    let nonhex = format!("{}zz", &GENESIS_HEX[..158]);
    let negative = genesis_with_bits("ffff801d");
    let zero = genesis_with_bits("00000000");
    let overflow = genesis_with_bits("ffff00ff");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["search", "--header", short],
            "must be 160 hex characters, got 150",
        ),
        (
            vec!["search", "--header", &nonhex],
            "non-hex character 'z' at position 159",
        ),
        (
            vec!["search", "--header", "7"],
            "no embedded header at height 7",
        ),
        (vec!["search", "--header", &negative], "negative target"),
        (vec!["search", "--header", &zero], "zero target"),
        (vec!["search", "--header", &overflow], "overflows 256 bits"),
        (
            vec!["search", "--header", "0", "--count", "0"],
            "--count must be at least 1",
        ),
        (
            vec![
                "search",
                "--header",
                "0",
                "--start",
                "4294967000",
                "--count",
                "1000",
            ],
            "runs past nonce 2^32",
        ),
        (
            vec!["search", "--header", "0", "--target", "123"],
            "bad target",
        ),
        (
            vec!["bench", "--device", "cpu", "--duration", "0"],
            "--duration must be a positive number",
        ),
        (
            vec!["bench", "--device", "cpu", "--nonces", "0"],
            "--nonces must be at least 1",
        ),
        (
            vec!["bench", "--device", "cpu", "--watts", "-5"],
            "--watts must be a positive number",
        ),
        (
            vec!["bench", "--device", "cpu", "--idle-seconds", "-1"],
            "--idle-seconds must be between 0 and 3600",
        ),
        (
            vec!["verify", "--headers", &headers_arg],
            "line 3: unexpected",
        ),
        (
            vec!["verify", "--headers", "/no/such/file"],
            "cannot read header file",
        ),
    ];
    for (args, expected) in cases {
        assert_bad_input(&args, expected);
    }
    let _ = std::fs::remove_file(headers_file);
}

/// `tune` sweeps and, where a setting beat the default, caches it per
/// adapter, and `bench` then says it uses the tuned settings; where the
/// default stays, nothing is cached and `bench` runs the default. Runs on
/// the GPU (lavapipe on CI); the CPU has nothing to tune.
#[test]
fn tune_caches_settings_that_bench_then_uses() {
    let cache = std::env::temp_dir().join(format!("hashwatt-test-cache-{}", std::process::id()));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hashwatt"))
            .args(args)
            .env("HASHWATT_CACHE_DIR", &cache)
            .output()
            .unwrap()
    };
    let devices = json(&hashwatt(&["devices", "--json"]));
    let has_gpu = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["select"] != "cpu");
    if !has_gpu {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but wgpu found no adapter"
        );
        return;
    }
    let output = run(&["tune", "--device", "0", "--seconds", "0.1", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let tuned = json(&output);
    let result = &tuned["results"][0];
    assert!(result["best"]["hashes_per_second"].as_f64().unwrap() > 0.0);
    let kept = result["decision"]["kept"].as_str().unwrap().to_string();
    let expected = match kept.as_str() {
        "tuned" => result["decision"]["tuned"].clone(),
        _ => serde_json::json!({"kernel": {"workgroup_size": 256, "nonces_per_invocation": 4}}),
    };
    assert_eq!(cache.join("tuning.json").exists(), kept == "tuned");

    let output = run(&[
        "bench", "--device", "0", "--nonces", "100000", "--json", "-",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["settings"], kept.as_str());
    assert_eq!(
        report["kernel"]["workgroup_size"],
        expected["kernel"]["workgroup_size"]
    );
    assert_eq!(
        report["kernel"]["nonces_per_invocation"],
        expected["kernel"]["nonces_per_invocation"]
    );
    assert_eq!(report["shares"]["found"], report["shares"]["verified"]);
    let _ = std::fs::remove_dir_all(cache);
}

fn close(measured: f64, expected: f64, tolerance: f64) -> bool {
    ((measured - expected) / expected).abs() < tolerance
}

#[test]
fn estimate_matches_hand_checked_sites() {
    // 5,700 MW at 9.5 J/TH without overhead: 5.7e9 / 9.5e-12 = 6.0e20 H/s.
    let output = hashwatt(&[
        "estimate",
        "--jth",
        "9.5",
        "--plant-mw",
        "5700",
        "--pue",
        "1.0",
        "--network-ehs",
        "1000",
        "--json",
        "-",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let e = json(&output);
    assert!(close(
        e["scenarios"][0]["site_hashes_per_second"]
            .as_f64()
            .unwrap(),
        6.0e20,
        1e-3
    ));
    // 600 EH/s beside 1,000 EH/s: 600/1600 of 144 blocks of 3.125 BTC.
    assert!(close(
        e["scenarios"][0]["network_share"].as_f64().unwrap(),
        0.375,
        1e-9
    ));
    assert!(close(
        e["scenarios"][0]["btc_per_day"].as_f64().unwrap(),
        0.375 * 144.0 * 3.125,
        1e-9
    ));
    assert!(close(
        e["scenarios"][0]["energy_mwh_per_day"].as_f64().unwrap(),
        136_800.0,
        1e-9
    ));
    let asics = e["asics"].as_array().unwrap();
    assert_eq!(asics.len(), 6);
    assert_eq!(asics[5]["model"], "Antminer S23 Hydro");
    assert!(close(
        asics[5]["device_energy_ratio"].as_f64().unwrap(),
        1.0,
        1e-9
    ));

    // Six units of 950 MW are the default plant; PUE 1.1 and fees.
    let output = hashwatt(&[
        "estimate",
        "--hashes-per-joule",
        "1e11",
        "--units",
        "6",
        "--unit-mw",
        "950",
        "--network-ehs",
        "800",
        "--fees-btc-per-block",
        "0.2",
        "--device-watts",
        "3500",
        "--json",
        "-",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let e = json(&output);
    let it_watts = 5.7e9 / 1.1;
    let site = it_watts * 1e11;
    assert!(close(
        e["scenarios"][0]["site_hashes_per_second"]
            .as_f64()
            .unwrap(),
        site,
        1e-9
    ));
    let share = site / (8e20 + site);
    assert!(close(
        e["scenarios"][0]["network_share"].as_f64().unwrap(),
        share,
        1e-9
    ));
    assert!(close(
        e["scenarios"][0]["btc_per_day"].as_f64().unwrap(),
        share * 144.0 * 3.325,
        1e-9
    ));
    assert!(close(
        e["scenarios"][0]["devices"].as_f64().unwrap(),
        (it_watts / 3500.0).floor(),
        1e-9
    ));
}

#[test]
fn estimate_reads_a_bench_file_and_draws_the_plot() {
    let dir = std::env::temp_dir().join(format!("hashwatt-estimate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bench_file = dir.join("bench.json");
    let bench_arg = bench_file.to_str().unwrap();
    let _ = std::fs::remove_file(&bench_file);
    let run_bench = |extra: &[&str]| {
        let mut args = vec![
            "bench", "--device", "cpu", "--nonces", "300000", "--watts", "50", "--json", bench_arg,
        ];
        args.extend_from_slice(extra);
        hashwatt(&args)
    };
    let output = run_bench(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    // An existing result is not replaced without --force.
    let output = run_bench(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--force"));
    assert!(run_bench(&["--force"]).status.success());

    let plot = dir.join("site.svg");
    let _ = std::fs::remove_file(&plot);
    let output = hashwatt(&[
        "estimate",
        "--from",
        bench_arg,
        "--plot",
        plot.to_str().unwrap(),
        "--json",
        "-",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let e = json(&output);
    let bench: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bench_file).unwrap()).unwrap();
    let hpj = bench["energy"]["hashes_per_joule"].as_f64().unwrap();
    assert!(close(
        e["efficiency"]["hashes_per_joule"].as_f64().unwrap(),
        hpj,
        1e-12
    ));
    assert!(close(
        e["scenarios"][0]["site_hashes_per_second"]
            .as_f64()
            .unwrap(),
        5.7e9 / 1.1 * hpj,
        1e-9
    ));
    assert!(close(
        e["scenarios"][0]["devices"].as_f64().unwrap(),
        (5.7e9_f64 / 1.1 / 50.0).floor(),
        1e-6
    ));
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
    assert!(svg.contains("Antminer S23 Hydro") && svg.contains("CPU ("));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn estimate_refuses_impossible_input() {
    let foreign = temp_file(
        "foreign.json",
        r#"{"schema": "something/else", "nonces": 5}"#,
    );
    let not_json = temp_file("not.json", "hashes: many");
    let no_energy = temp_file(
        "no-energy.json",
        &String::from_utf8(
            hashwatt(&[
                "bench", "--device", "cpu", "--nonces", "50000", "--json", "-",
            ])
            .stdout,
        )
        .unwrap(),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["estimate", "--jth", "9.5", "--plant-mw", "-5"],
            "plant power must be a positive",
        ),
        (
            vec!["estimate", "--jth", "9.5", "--plant-mw", "0"],
            "plant power must be a positive",
        ),
        (
            vec!["estimate", "--jth", "9.5", "--pue", "0.9"],
            "--pue must be at least 1.0",
        ),
        (
            vec!["estimate", "--jth", "9.5", "--fraction", "0"],
            "--fraction must be in (0, 1]",
        ),
        (
            vec!["estimate", "--jth", "9.5", "--fraction", "1.5"],
            "--fraction must be in (0, 1]",
        ),
        (
            vec!["estimate", "--jth", "0"],
            "--jth must be a positive number",
        ),
        (
            vec!["estimate", "--jth", "9.5", "--network-ehs", "-1"],
            "the network hashrate must be at least 1 H/s",
        ),
        (
            vec!["estimate", "--from", "/no/such/bench.json"],
            "cannot read bench result /no/such/bench.json",
        ),
        (
            vec!["estimate", "--from", foreign.to_str().unwrap()],
            "not a hashwatt bench result",
        ),
        (
            vec!["estimate", "--from", not_json.to_str().unwrap()],
            "not JSON",
        ),
        (
            vec!["estimate", "--from", no_energy.to_str().unwrap()],
            "has no energy",
        ),
    ];
    for (args, expected) in cases {
        assert_bad_input(&args, expected);
    }
    for file in [foreign, not_json, no_energy] {
        let _ = std::fs::remove_file(file);
    }
}
