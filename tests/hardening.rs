//! Long runs, interruptions and extreme targets: nothing measured is lost,
//! nothing unverified is reported.

mod common;

use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use common::gpu;
use hashwatt::bench::{self, BenchOptions, StopRule};
use hashwatt::chain::catalog;
use hashwatt::chain::header::BlockHash;
use hashwatt::chain::target::Target;
use hashwatt::kernel::KernelConfig;

/// A bench that starts 50,000 nonces below 2^32 crosses the end of the
/// nonce space, rolls the header (BIP320 version bits on this one) and
/// keeps finding shares that verify against the rolled header.
#[test]
fn crossing_the_top_of_the_nonce_space_rolls_the_header() {
    let Some(mut gpu) = gpu(KernelConfig::fast()) else {
        return;
    };
    let known = catalog::latest_embedded();
    let base = known.header;
    let mut options = BenchOptions::new(known, StopRule::Nonces(150_000));
    options.start_nonce = u32::MAX - 49_999;
    options.share_bits = Some(8);
    options.batch_seconds = 0.001; // warm up on one small batch, before the top
    options.progress = false;
    let outcome = bench::run(&mut *gpu, &options, &AtomicBool::new(false), None).unwrap();
    assert_eq!(outcome.nonces, 150_000);
    assert_eq!(outcome.header_rolls, 1);
    assert_eq!(outcome.shares_found, outcome.shares_verified);
    let target = Target::from_leading_zero_bits(8).unwrap();
    let (mut before, mut after) = (0, 0);
    for record in &outcome.share_records {
        let header = base
            .with_version(record.version)
            .with_time(record.time)
            .with_nonce(record.nonce);
        let hash = header.block_hash();
        assert_eq!(hash, BlockHash::from_display_hex(&record.hash).unwrap());
        assert!(hash.meets(&target));
        if record.version == base.version() {
            before += 1;
        } else {
            assert_eq!(record.time, base.time(), "version rolling keeps the time");
            after += 1;
        }
    }
    assert!(
        before > 50 && after > 50,
        "shares before the roll {before}, after {after}"
    );
}

#[test]
fn every_nonce_a_hit_keeps_an_exact_count() {
    let args = [
        "search",
        "--header",
        "0",
        "--start",
        "100",
        "--count",
        "5000",
        "--share-bits",
        "0",
        "--json",
    ];
    let report = common::run_json(&args, &[]);
    let hits = report["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 5000);
    assert!(hits
        .iter()
        .enumerate()
        .all(|(i, h)| h["nonce"] == 100 + i as u64));
}

/// Starts a long bench writing JSON, sends `signal` once it is hashing,
/// and returns the exit status and the partial result.
fn interrupt_bench(signal: &str, name: &str) -> (Option<i32>, serde_json::Value, Duration) {
    let path = std::env::temp_dir().join(format!("hashwatt-{name}-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args([
            "bench",
            "--device",
            "cpu",
            "--duration",
            "60",
            "--share-bits",
            "12",
            "--idle-seconds",
            "0",
        ])
        .args(["--json", path.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Well past the warm-up, even on a loaded machine.
    std::thread::sleep(Duration::from_millis(4000));
    let sent = Command::new("sh")
        .args(["-c", &format!("kill -{signal} {}", child.id())])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    let elapsed = started.elapsed();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("partial result {}: {e}", path.display()));
    let _ = std::fs::remove_file(&path);
    (status.code(), serde_json::from_str(&text).unwrap(), elapsed)
}

#[test]
fn sigint_stops_a_bench_with_a_verified_partial_result() {
    let (code, report, elapsed) = interrupt_bench("INT", "sigint");
    assert_eq!(code, Some(130));
    assert!(
        elapsed < Duration::from_secs(30),
        "stopped after the batch in flight, not at the end"
    );
    assert_eq!(report["interrupted"], true);
    assert!(report["nonces"].as_u64().unwrap() > 0);
    assert!(report["shares"]["found"].as_u64().unwrap() > 0);
    assert_eq!(report["shares"]["found"], report["shares"]["verified"]);
}

#[test]
fn sigterm_stops_a_bench_with_status_143() {
    let (code, report, _) = interrupt_bench("TERM", "sigterm");
    assert_eq!(code, Some(143));
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["shares"]["found"], report["shares"]["verified"]);
}
