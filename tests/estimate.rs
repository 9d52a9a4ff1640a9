//! `hashwatt estimate` as users run it: the network from real headers
//! (checked against figures computed here independently, with exact
//! integers), the economics, uptime, a mixed fleet, scenarios side by side,
//! and hostile input refused with exit 2 and one line, leaving no file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use hashwatt::chain::catalog;
use hashwatt::chain::header::BlockHeader;

const FIXTURE: &str = "tests/data/mainnet-headers-32257-35256.txt";

/// Runs hashwatt; a run that has not ended after a minute is a hang, and
/// fails the test instead of stalling it.
fn hashwatt(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hashwatt runs");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{args:?} did not end within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--json", "-"]);
    let output = hashwatt(&all);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn f(value: &serde_json::Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

fn close(measured: f64, expected: f64, tolerance: f64) -> bool {
    ((measured - expected) / expected).abs() < tolerance
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hashwatt-estimate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Exit 2, one line naming the problem, no panic, no control characters.
fn assert_refused(args: &[&str], expected: &str) {
    let output = hashwatt(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(err.starts_with("hashwatt: error: "), "{args:?}: {err}");
    assert!(
        err.contains(expected),
        "{args:?}: wanted {expected:?} in {err}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(
        !err.trim_end().chars().any(char::is_control),
        "{args:?}: {err:?}"
    );
    assert!(output.stdout.is_empty(), "{args:?}: printed a result");
}

// ---- exact integers, independent of the crate's Target ----

/// A 320-bit unsigned number, little-endian 64-bit limbs.
type Wide = [u64; 5];

fn shl1(x: &mut Wide) {
    for i in (0..5).rev() {
        x[i] = (x[i] << 1) | if i > 0 { x[i - 1] >> 63 } else { 0 };
    }
}

fn ge(a: &Wide, b: &Wide) -> bool {
    for i in (0..5).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

fn sub(a: &mut Wide, b: &Wide) {
    let mut borrow = 0u64;
    for i in 0..5 {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(borrow);
        a[i] = d;
        borrow = u64::from(b1 || b2);
    }
}

/// The target of compact `bits` plus one, for a normal mainnet nBits
/// (exponent at least 3, no sign bit): mantissa x 256^(exponent - 3) + 1.
fn target_plus_one(bits: u32) -> Wide {
    let exponent = (bits >> 24) as usize;
    let mantissa = u64::from(bits & 0x007f_ffff);
    assert!(exponent >= 3 && bits & 0x0080_0000 == 0, "{bits:08x}");
    let shift = 8 * (exponent - 3);
    let mut t: Wide = [0; 5];
    t[shift / 64] = mantissa << (shift % 64);
    if shift % 64 > 40 {
        t[shift / 64 + 1] = mantissa >> (64 - shift % 64);
    }
    t[0] += 1; // the low limb is zero for these exponents
    t
}

/// floor(2^256 / d) by long division, one bit at a time; fits in u128 for
/// every target above 2^128.
fn work(d: &Wide) -> u128 {
    let mut remainder: Wide = [0; 5];
    let mut quotient: u128 = 0;
    for bit in (0..=256).rev() {
        shl1(&mut remainder);
        if bit == 256 {
            remainder[0] |= 1;
        }
        if ge(&remainder, d) {
            sub(&mut remainder, d);
            assert!(bit < 128, "work too large for u128");
            quotient |= 1u128 << bit;
        }
    }
    quotient
}

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn le_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

/// The fixture's lines, oldest first: (height, hash, header hex).
fn fixture_lines() -> Vec<(String, String, String)> {
    std::fs::read_to_string(FIXTURE)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            (t[0].to_string(), t[1].to_string(), t[2].to_string())
        })
        .collect()
}

fn write_lines(dir: &Path, name: &str, lines: &[String]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    format!("@{}", path.display())
}

#[test]
fn the_default_network_is_the_latest_embedded_difficulty() {
    let e = json(&["estimate", "--jth", "9.5"]);
    assert_eq!(e["schema"], "hashwatt.estimate/3");
    let network = &e["site"]["network"];
    assert_eq!(network["source"], "chain");
    assert_eq!(network["headers"]["last_height"], 951_658);
    assert_eq!(network["headers"]["last_date"], "2026-05-30");
    // D = (0xffff / mantissa) x 256^(0x1d - exponent), from the nBits alone.
    let bits = catalog::latest_embedded().header.bits();
    let mantissa = f64::from(bits & 0x00ff_ffff);
    let exponent = (bits >> 24) as i32;
    let difficulty = 65535.0 / mantissa * 256f64.powi(0x1d - exponent);
    let expected = difficulty * 4_294_967_296.0 / 600.0;
    assert!(close(f(&network["hashes_per_second"]), expected, 1e-9));
    // About 995 EH/s, as the issue reads the chain.
    assert!((990e18..1000e18).contains(&expected), "{expected}");
    // The table says where it came from.
    let text =
        String::from_utf8(hashwatt(&["estimate", "--jth", "9.5", "--explain"]).stdout).unwrap();
    assert!(
        text.contains("[chain]: difficulty 139 T of block 951658 (2026-05-30)"),
        "{text}"
    );
    // --network-ehs still overrides; --network-from takes a height too.
    let e = json(&["estimate", "--jth", "9.5", "--network-ehs", "800"]);
    assert_eq!(f(&e["site"]["network"]["hashes_per_second"]), 8e20);
    assert_eq!(e["site"]["network"]["source"], "given");
    let e = json(&["estimate", "--jth", "9.5", "--network-from", "genesis"]);
    assert!(close(
        f(&e["site"]["network"]["hashes_per_second"]),
        4_294_967_296.0 / 600.0,
        1e-12
    ));
    // The subsidy follows the header's height: 50 BTC in 2009.
    assert_eq!(f(&e["site"]["subsidy_btc"]), 50.0);
}

#[test]
fn consecutive_headers_give_work_over_time_as_getnetworkhashps() {
    let lines = fixture_lines();
    assert_eq!(lines.len(), 3000);
    let headers: Vec<Vec<u8>> = lines.iter().map(|(_, _, h)| hex_bytes(h)).collect();
    let times: Vec<u32> = headers.iter().map(|h| le_u32(h, 68)).collect();
    // Work of every header but the first, exactly; time from earliest to latest.
    let total: u128 = headers[1..]
        .iter()
        .map(|h| work(&target_plus_one(le_u32(h, 72))))
        .sum();
    let seconds = times.iter().max().unwrap() - times.iter().min().unwrap();
    let expected = total as f64 / f64::from(seconds);
    // Difficulty 1 is 2^256 / (0xffff x 2^208 + 1) = 4295032833 hashes a block.
    assert_eq!(work(&target_plus_one(0x1d00ffff)), 4_295_032_833);

    let spec = format!("@{FIXTURE}");
    let e = json(&["estimate", "--jth", "9.5", "--network-from", &spec]);
    let network = &e["site"]["network"];
    assert!(
        close(f(&network["hashes_per_second"]), expected, 1e-9),
        "{} against {expected}",
        network["hashes_per_second"]
    );
    assert_eq!(network["headers"]["count"], 3000);
    assert_eq!(network["headers"]["first_height"], 32257);
    assert_eq!(network["headers"]["last_height"], 35256);
    assert_eq!(network["headers"]["seconds"], seconds);
    // Core floors each block's work; hashwatt divides: under one hash in 4e9 a block.
    assert!(close(f(&network["headers"]["work"]), total as f64, 1e-9));
    // Early 2010: a few megahashes a second.
    assert!((3e6..2e7).contains(&expected), "{expected}");
}

#[test]
fn broken_links_and_out_of_order_headers_are_refused() {
    let dir = temp_dir("links");
    let lines: Vec<String> = fixture_lines()
        .into_iter()
        .take(40)
        .map(|(h, hash, hex)| format!("{h} {hash} {hex}"))
        .collect();
    let run = |spec: &str, expected: &str| {
        assert_refused(
            &["estimate", "--jth", "9.5", "--network-from", spec],
            expected,
        )
    };

    // A header left out breaks the chain.
    let mut gap = lines.clone();
    gap.remove(20);
    run(
        &write_lines(&dir, "gap.txt", &gap),
        "broken link: the previous-block hash of header 21 (height 32278) is not the hash of header 20 (height 32276)",
    );
    // Newest first.
    let mut reversed = lines.clone();
    reversed.reverse();
    run(
        &write_lines(&dir, "reversed.txt", &reversed),
        "the headers must be oldest first",
    );
    // Two swapped.
    let mut swapped = lines.clone();
    swapped.swap(10, 11);
    run(
        &write_lines(&dir, "swapped.txt", &swapped),
        "broken link: the previous-block hash of header 11 (height 32268)",
    );
    // The last header's time moved back before the median of the 11 before it
    // (nothing links to the last header, so only its time can tell).
    let mut late = lines.clone();
    let (height, _, hex) = &fixture_lines()[39];
    let header = BlockHeader::from_hex(hex).unwrap();
    let first_time = BlockHeader::from_hex(&fixture_lines()[0].2).unwrap().time();
    late[39] = format!("{height} {}", header.with_time(first_time).to_hex());
    run(
        &write_lines(&dir, "late.txt", &late),
        "out-of-order time: header 40 (height 32296)",
    );
    // No time elapses: two linked headers with the same timestamp.
    let first = BlockHeader::from_hex(&fixture_lines()[0].2).unwrap();
    let mut bytes = *first.as_bytes();
    bytes[4..36].copy_from_slice(first.block_hash().internal_bytes());
    let second = BlockHeader::from_bytes(bytes);
    run(
        &write_lines(&dir, "still.txt", &[first.to_hex(), second.to_hex()]),
        "no time elapses",
    );
    // A header that does not meet its own target is not a block.
    let forged = first.with_nonce(first.nonce() ^ 1);
    run(
        &write_lines(&dir, "forged.txt", &[forged.to_hex()]),
        "not a mined block",
    );
    // A hash given beside a header that does not match it.
    let mut wrong = lines.clone();
    let (h, _, hex) = &fixture_lines()[5];
    wrong[5] = format!("{h} {} {hex}", fixture_lines()[6].1);
    run(
        &write_lines(&dir, "wrong.txt", &wrong),
        "not to the block hash given beside it",
    );
    run(
        &write_lines(&dir, "empty.txt", &["# nothing".into()]),
        "holds no header",
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn bench_file(dir: &Path, name: &str, schema: &str, hpj: f64, watts: f64) -> String {
    let path = dir.join(name);
    let mut document = common::bench_document(schema, name, hpj, 1e12 / hpj, watts);
    document["a_field_from_a_later_schema"] = serde_json::json!([1, 2, 3]);
    std::fs::write(&path, document.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_mixed_fleet_scenarios_uptime_and_prices() {
    let dir = temp_dir("fleet");
    // An H100-like 11.4 MH/J at 700 W (bench/1) and a 3x better device at 300 W (bench/2).
    let a = bench_file(&dir, "a.json", "hashwatt.bench/1", 8e9 / 700.0, 700.0);
    let b = bench_file(&dir, "b.json", "hashwatt.bench/2", 3.0 * 8e9 / 700.0, 300.0);
    let (from_a, from_b) = (format!("{a}:0.7"), format!("{b}:0.3"));
    let e = json(&[
        "estimate",
        "--from",
        &from_a,
        "--from",
        &from_b,
        "--fraction",
        "1,0.5,0.333",
        "--network-ehs",
        "1000",
        "--uptime",
        "0.9",
        "--btc-usd",
        "100000",
        "--power-usd-per-mwh",
        "50",
        "--device-usd",
        "30000",
        "--device-usd",
        "10000",
    ]);
    let hpj_a = 8e9 / 700.0;
    let hpj_b = 3.0 * hpj_a;
    let scenarios = e["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 3);
    for (s, fraction) in scenarios.iter().zip([1.0, 0.5, 0.333]) {
        let it = 5.7e9 * fraction / 1.1;
        let (rate_a, rate_b) = (it * 0.7 * hpj_a, it * 0.3 * hpj_b);
        let rate = rate_a + rate_b;
        assert!(close(f(&s["site_hashes_per_second"]), rate, 1e-12));
        let share = rate / (1e21 + rate);
        let btc = share * 144.0 * 3.125 * 0.9;
        assert!(close(f(&s["btc_per_day"]), btc, 1e-9));
        let energy = 5.7e3 * fraction * 24.0 * 0.9;
        assert!(close(f(&s["energy_mwh_per_day"]), energy, 1e-12));
        // Each device: its hashes, its share of the bitcoin, its count.
        let parts = s["fleet"].as_array().unwrap();
        assert!(close(
            f(&parts[0]["btc_per_day"]),
            btc * rate_a / rate,
            1e-9
        ));
        assert!(close(
            f(&parts[1]["btc_per_day"]),
            btc * rate_b / rate,
            1e-9
        ));
        // Whole devices: each member's count rounded down.
        let (n_a, n_b) = ((it * 0.7 / 700.0).floor(), (it * 0.3 / 300.0).floor());
        assert!(close(f(&parts[0]["devices"]), n_a, 1e-12));
        assert!(close(f(&s["devices"]), n_a + n_b, 1e-12));
        let capital = n_a * 30000.0 + n_b * 10000.0;
        assert!(close(f(&s["capital_usd"]), capital, 1e-12));
        // Money: revenue, per MWh (= break-even), margin over $50/MWh, payback.
        let x = &s["economics"];
        let revenue = btc * 100_000.0;
        assert!(close(f(&x["revenue_usd_per_day"]), revenue, 1e-9));
        assert!(close(
            f(&x["break_even_usd_per_mwh"]),
            revenue / energy,
            1e-9
        ));
        let margin = revenue - 50.0 * energy;
        assert!(close(f(&x["margin_usd_per_day"]), margin, 1e-9));
        // GPUs lose to selling the power: they never pay back.
        assert!(margin < 0.0);
        assert!(x["payback_days"].is_null());
    }
    // Hashprice: 1 PH/s of 1,000 EH/s, 144 x 3.125 BTC, at $100,000: $45.
    assert!(close(f(&e["hashprice"]["usd_per_ph_day"]), 45.0, 1e-12));
    assert_eq!(e["fleet"][1]["power_share"], 0.3);
    assert_eq!(e["inputs"]["uptime"]["source"], "given");
    assert_eq!(e["inputs"]["pue"]["source"], "default");
    assert_eq!(e["efficiency"]["measured"], true);

    // The table: one column per scenario, and the sources.
    let output = hashwatt(&[
        "estimate",
        "--from",
        &from_a,
        "--from",
        &from_b,
        "--fraction",
        "1,0.5,0.333",
        "--btc-usd",
        "100000",
        "--explain",
    ]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("33.3% of plant"), "{text}");
    assert!(text.contains("revenue per MWh = break-even"), "{text}");
    assert!(text.contains("measured, chain"), "{text}");
    assert!(text.contains("a.json (70.0%"), "{text}");

    // Shares that do not add up, or are missing, are refused.
    assert_refused(
        &["estimate", "--from", &from_a, "--from", &format!("{b}:0.2")],
        "add up to 0.8999999999999999, not 1",
    );
    assert_refused(
        &["estimate", "--from", &from_a, "--from", &b],
        "has no share of power",
    );
    assert_refused(
        &[
            "estimate",
            "--from",
            &a,
            "--device-usd",
            "100",
            "--device-usd",
            "200",
        ],
        "--device-usd is given 2 times for 1 --from files",
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_plot_shows_scenarios_and_the_break_even_price() {
    let dir = temp_dir("plot");
    let plot = dir.join("site.svg");
    let path = plot.to_str().unwrap();
    let output = hashwatt(&[
        "estimate",
        "--jth",
        "9.5",
        "--fraction",
        "1,0.5,0.333",
        "--btc-usd",
        "90000",
        "--power-usd-per-mwh",
        "60",
        "--plot",
        path,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg"));
    for needle in [
        "5,700 MW (100% of plant)",
        "1,898 MW (33.3% of plant)",
        "Break-even",
        "power sold at $60.00/MWh",
    ] {
        assert!(svg.contains(needle), "{needle}");
    }
    // Power prices do go below zero: then mining beats selling by more than its revenue.
    let e = json(&[
        "estimate",
        "--jth",
        "9.5",
        "--btc-usd",
        "90000",
        "--power-usd-per-mwh",
        "-20",
        "--plot",
        path,
        "--force",
    ]);
    let x = &e["scenarios"][0]["economics"];
    assert!(close(
        f(&x["margin_usd_per_mwh"]),
        f(&x["revenue_usd_per_mwh"]) + 20.0,
        1e-12
    ));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn hostile_input_is_refused_and_leaves_no_file() {
    let dir = temp_dir("hostile");
    let plot = dir.join("p.svg");
    let plot = plot.to_str().unwrap();
    let out = dir.join("e.json");
    let out = out.to_str().unwrap();
    let bench = |name: &str, hpj: f64, jth: f64| {
        let path = dir.join(name);
        let document = common::bench_document("hashwatt.bench/1", "x", hpj, jth, 50.0);
        std::fs::write(&path, document.to_string()).unwrap();
        path.to_str().unwrap().to_string()
    };
    let negative = bench("negative.json", -1e5, -1e7);
    let zero = bench("zero.json", 0.0, 0.0);
    let overflowing = bench("overflowing.json", 0.0, f64::INFINITY);
    let tiny = bench("tiny.json", 1e-300, 1e300);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--jth", "9.5", "--plant-mw", "1e308", "--plot", plot],
            "plant power must be",
        ),
        (
            vec!["--jth", "1e-320", "--plot", plot],
            "outside what a number can hold",
        ),
        (vec!["--jth", "1e-320"], "--jth 1e-320 is outside"),
        (vec!["--jth", "9.5", "--plant-mw", "1e308"], "got 1e308"),
        (
            vec!["--jth", "9.5", "--fees-btc-per-block", "1e308"],
            "--fees-btc-per-block must be",
        ),
        (
            vec!["--jth", "9.5", "--btc-usd", "1e308", "--json", out],
            "--btc-usd must be more than 0 and at most 1e9",
        ),
        (vec!["--jth", "1e300", "--plot", plot], "is beyond reality"),
        (
            vec!["--jth", "9.5", "--pue", "1e300", "--json", out],
            "power left for the miners",
        ),
        (
            vec!["--jth", "9.5", "--network-ehs", "inf"],
            "must be a finite number",
        ),
        (
            vec!["--jth", "9.5", "--network-ehs", "1e300"],
            "network hashrate",
        ),
        (
            vec!["--jth", "9.5", "--uptime", "0"],
            "--uptime must be in (0, 1]",
        ),
        (
            vec!["--jth", "9.5", "--uptime", "1.5"],
            "--uptime must be in (0, 1]",
        ),
        (
            vec!["--jth", "9.5", "--fraction", "1,0"],
            "--fraction must be in (0, 1]",
        ),
        (
            vec!["--jth", "9.5", "--fraction", "1,1,1,1,1,1,1,1,1"],
            "at most 8 scenarios",
        ),
        (
            vec!["--jth", "9.5", "--btc-usd", "-1"],
            "--btc-usd must be a positive",
        ),
        (
            vec!["--jth", "9.5", "--power-usd-per-mwh", "nan"],
            "must be a finite number",
        ),
        (
            vec!["--jth", "9.5", "--device-usd", "100"],
            "needs the device's watts",
        ),
        (
            vec![
                "--jth",
                "9.5",
                "--device-watts",
                "1e-300",
                "--device-usd",
                "1e10",
            ],
            "--device-usd must be more than 0 and at most 1e9",
        ),
        (
            vec!["--from", &negative, "--plot", plot],
            "energy.hashes_per_joule is -100000, not an efficiency",
        ),
        (
            vec!["--from", &zero, "--json", out],
            "energy.hashes_per_joule is 0, not an efficiency",
        ),
        (vec!["--from", &overflowing], "a damaged bench result"),
        (
            vec!["--from", &tiny, "--plot", plot],
            "energy.hashes_per_joule is 1e-300",
        ),
        (vec!["--from", "/dev/null"], "not JSON"),
        (
            vec!["--network-from", "@/dev/null", "--jth", "9.5"],
            "holds no header",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["estimate"];
        all.extend(args);
        assert_refused(&all, expected);
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.ends_with(".json") || n == "e.json")
            .collect();
        assert!(left.is_empty(), "{all:?} left {left:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
