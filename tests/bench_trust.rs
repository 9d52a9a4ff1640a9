//! Benchmark numbers people can trust: the warm-up, the time series and its
//! spread, the stability verdict, the JSON record and its schemas, and
//! `compare`. The devices here are real searches (the sha2 CPU device, so
//! every share is real and verified) paced to a known rate, so a steady
//! device and one that slows down halfway are told apart whatever the
//! machine's load. No test asserts on a rate.

mod common;

use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use hashwatt::bench::{self, BenchOptions, StopRule, Verdict};
use hashwatt::chain::catalog;
use hashwatt::chain::header::{BlockHash, BlockHeader};
use hashwatt::chain::target::Target;
use hashwatt::commands::schemas;
use hashwatt::cpu::CpuSearcher;
use hashwatt::error::Result;
use hashwatt::report;
use hashwatt::search::{Batch, BatchResult, Searcher};

/// A real CPU search held to `rate` nonces a second, on a schedule fixed
/// from its first timed batch, so late wake-ups do not add up. Once the
/// timed part has run `slow_after` seconds, the rate is divided by `slowdown`.
struct Paced {
    inner: CpuSearcher,
    rate: f64,
    slowdown: f64,
    slow_after: f64,
    warm_target: Target,
    timed_start: Option<Instant>,
    due: Option<Instant>,
}

impl Paced {
    fn new(rate: f64, slowdown: f64, slow_after: f64) -> Self {
        Paced {
            inner: CpuSearcher::new(1),
            rate,
            slowdown,
            slow_after,
            warm_target: Target::from_leading_zero_bits(32).unwrap(),
            timed_start: None,
            due: None,
        }
    }
}

impl Searcher for Paced {
    fn name(&self) -> String {
        "paced CPU".into()
    }
    fn depth(&self) -> usize {
        1
    }
    fn in_flight(&self) -> usize {
        self.inner.in_flight()
    }
    fn submit(&mut self, batch: Batch) -> Result<()> {
        let now = Instant::now();
        // The warm-up searches at 32 bits; the timed part at the share target.
        let timed = batch.target != self.warm_target;
        let start = if timed {
            *self.timed_start.get_or_insert(now)
        } else {
            now
        };
        let slow = timed && now.duration_since(start).as_secs_f64() >= self.slow_after;
        let rate = if slow {
            self.rate / self.slowdown
        } else {
            self.rate
        };
        let from = self.due.filter(|d| *d > now && timed).unwrap_or(now);
        self.due = Some(from + Duration::from_secs_f64(batch.count as f64 / rate));
        self.inner.submit(batch)
    }
    fn wait_oldest(&mut self) -> Result<Option<BatchResult>> {
        let result = self.inner.wait_oldest()?;
        if let Some(due) = self.due {
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        Ok(result)
    }
    fn digests(&mut self, headers: &[BlockHeader]) -> Result<Vec<BlockHash>> {
        self.inner.digests(headers)
    }
}

fn paced_run(device: &mut Paced, seconds: f64, repeat: u32) -> bench::BenchOutcome {
    let mut options = BenchOptions::new(catalog::latest_embedded(), StopRule::Seconds(seconds));
    options.progress = false;
    options.batch_seconds = 0.1;
    options.repeat = repeat;
    bench::run(device, &options, &AtomicBool::new(false), None).unwrap()
}

#[test]
fn a_steady_device_is_not_flagged_and_a_slowing_one_is() {
    let steady = paced_run(&mut Paced::new(20_000.0, 1.0, f64::INFINITY), 6.0, 1);
    let spread = steady.sample_spread().unwrap();
    assert!(spread.count >= 5, "{spread:?}");
    assert_eq!(spread.verdict, Verdict::Stable, "{spread:?}");
    assert_eq!(steady.shares_found, steady.shares_verified);
    assert!(steady.warmup.as_ref().unwrap().converged);

    let slowing = paced_run(&mut Paced::new(20_000.0, 2.0, 3.0), 6.0, 1);
    let spread = slowing.sample_spread().unwrap();
    assert_eq!(spread.verdict, Verdict::Unstable, "{spread:?}");
    assert!(spread.drift < -0.2, "{spread:?}");
    assert!(spread.reasons.iter().any(|r| r.contains("slower")));
}

#[test]
fn the_warm_up_never_sizes_from_the_first_dispatch() {
    // A device whose first dispatch is slow (a compilation) and whose rate
    // is then steady: the timed batches are sized from the steady rate.
    struct ColdStart(Paced, bool);
    impl Searcher for ColdStart {
        fn name(&self) -> String {
            "cold start".into()
        }
        fn depth(&self) -> usize {
            1
        }
        fn in_flight(&self) -> usize {
            self.0.in_flight()
        }
        fn submit(&mut self, batch: Batch) -> Result<()> {
            if !self.1 {
                self.1 = true;
                std::thread::sleep(Duration::from_millis(800));
            }
            self.0.submit(batch)
        }
        fn wait_oldest(&mut self) -> Result<Option<BatchResult>> {
            self.0.wait_oldest()
        }
        fn digests(&mut self, headers: &[BlockHeader]) -> Result<Vec<BlockHash>> {
            self.0.digests(headers)
        }
    }
    let mut device = ColdStart(Paced::new(20_000.0, 1.0, f64::INFINITY), false);
    let mut options = BenchOptions::new(catalog::latest_embedded(), StopRule::Seconds(2.0));
    options.progress = false;
    options.batch_seconds = 0.2;
    let outcome = bench::run(&mut device, &options, &AtomicBool::new(false), None).unwrap();
    let warmup = outcome.warmup.unwrap();
    assert!(warmup.first_dispatch_seconds >= 0.8);
    // Sized from the paced rate, 0.2 s at 20k/s (4,000), not from 4,096
    // nonces in 0.8 s (1,024).
    let sizes = outcome.batch_nonces;
    assert!(sizes.first >= 3_000, "{sizes:?} {warmup:?}");
    // 1,024 to 2,048 shares planned from the real rate (40,000 nonces: 5
    // bits), not from the cold one (10,240 nonces: 3 bits).
    assert!(outcome.share_bits >= 5, "{}", outcome.share_bits);
}

#[test]
fn repeat_reports_each_trial_and_their_spread() {
    let outcome = paced_run(&mut Paced::new(20_000.0, 1.0, f64::INFINITY), 1.5, 3);
    assert_eq!(outcome.trials.len(), 3);
    let across = outcome.trial_spread().unwrap();
    assert_eq!(across.count, 3);
    assert_eq!(outcome.hashes_per_second(), across.median);
    let total: u64 = outcome.trials.iter().map(|t| t.nonces).sum();
    assert_eq!(total, outcome.nonces);
}

fn hashwatt(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .output()
        .expect("run hashwatt")
}

#[test]
fn the_schemas_are_generated_from_the_types() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let write = std::env::var_os("HASHWATT_WRITE_SCHEMAS").is_some();
    for (name, schema) in schemas::documents() {
        let text = schemas::render(&schema);
        let path = dir.join(name);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "schemas/{name} differs from the types; run HASHWATT_WRITE_SCHEMAS=1 cargo test --test bench_trust"
        );
    }
}

#[test]
fn a_real_run_is_recorded_whole_and_compares_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (a, b, plot) = (file("a.json"), file("b.json"), file("a.svg"));
    for (path, extra) in [(&a, "--plot"), (&b, "")] {
        let mut args = vec![
            "bench",
            "--device",
            "cpu",
            "--duration",
            "2",
            "--watts",
            "90",
            "--json",
            path,
        ];
        if !extra.is_empty() {
            args.extend([extra, plot.as_str()]);
        }
        let output = hashwatt(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&a).unwrap()).unwrap();
    common::validate("bench.schema.json", &report);
    assert_eq!(report["schema"], report::BENCH_SCHEMA);
    for field in [
        "host",
        "build",
        "command_line",
        "started",
        "warmup",
        "spread",
    ] {
        assert!(!report[field].is_null(), "{field} missing");
    }
    assert!(!report["trials"][0]["samples"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(report["command_line"][1], "bench");
    assert!(report["shares"]["verify_share"].as_f64().unwrap() < 1.0);

    // The schema of version 1 files is still read.
    let v1 = format!("{}/tests/data/bench-v1.json", env!("CARGO_MANIFEST_DIR"));
    let output = hashwatt(&["compare", &a, &b, &v1, "--json", "-"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let comparison: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    common::validate("compare.schema.json", &comparison);
    let rows = comparison["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["rate_ratio"], 1.0);
    assert!(rows[1]["exceeds_spread"].is_boolean());
    assert!(
        rows[2]["exceeds_spread"].is_null(),
        "a v1 file has no spread"
    );
    let table = hashwatt(&["compare", &a, &b]);
    assert!(table.status.success());
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("baseline"));
    // Ratios and J/TH rounded as everywhere else.
    assert!(table.contains(" 1.00× "), "{table}");
    let jth =
        hashwatt::units::format_jth(report["energy"]["joules_per_terahash"].as_f64().unwrap());
    assert!(table.contains(&format!("{jth} stated")), "{table}");

    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("hashrate over time"));
    assert!(svg.contains("<polyline") || svg.contains("<path"));
    // The intervals' median and p5–p95 band, as the report gives them.
    let rate =
        |field: &str| hashwatt::units::format_rate(report["spread"][field].as_f64().unwrap());
    assert!(
        svg.contains(&format!("median of the intervals: {}", rate("median"))),
        "no median"
    );
    assert!(
        svg.contains(&format!(
            "p5–p95 of the intervals: {} to {}",
            rate("p5"),
            rate("p95")
        )),
        "no band"
    );
    assert!(
        svg.matches("opacity=\"0.15\"").count() >= 2,
        "the band and its legend sample"
    );

    // Not a bench result: refused by name, exit 2.
    let output = hashwatt(&["compare", &a, &plot]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn out_of_range_batch_times_and_repeats_are_refused() {
    for args in [
        vec!["bench", "--device", "cpu", "--batch-ms", "1"],
        vec![
            "bench",
            "--device",
            "cpu",
            "--batch-ms",
            "18446744073709551615",
        ],
        vec!["bench", "--device", "cpu", "--repeat", "0"],
        vec!["bench", "--device", "cpu", "--idle-seconds", "1e20"],
    ] {
        let output = hashwatt(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
}

#[test]
fn the_other_documents_match_their_schemas() {
    for (args, schema) in [
        (vec!["headers", "--json"], "headers.schema.json"),
        (vec!["devices", "--json"], "devices.schema.json"),
        (
            vec![
                "search",
                "--header",
                "0",
                "--start",
                "2083200000",
                "--count",
                "65536",
                "--device",
                "cpu",
                "--json",
            ],
            "search.schema.json",
        ),
        (
            vec!["estimate", "--jth", "9.5", "--json"],
            "estimate.schema.json",
        ),
    ] {
        let output = hashwatt(&args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        common::validate(schema, &document);
    }
}
