//! Results that must not be believed, by class: a run whose work is not
//! proven, a document with a figure no run could have measured, a stall
//! hidden in an average. Each test is one class and loops over its cases;
//! the cases that found the holes are kept out, so the tests stay a fair
//! check. Every refusal is one clean line with its documented exit status.
// Test harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use hashwatt::bench::{self, BenchOptions, StopRule, Verdict};
use hashwatt::chain::catalog;
use hashwatt::chain::header::{BlockHash, BlockHeader};
use hashwatt::cpu::CpuSearcher;
use hashwatt::error::Result;
use hashwatt::search::{Batch, BatchResult, Searcher};
use hashwatt::verify::proof::ProofVerdict;

fn hashwatt() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hashwatt"));
    command.env("HASHWATT_CACHE_DIR", scratch("no-cache"));
    command.env_remove("WGPU_BACKEND");
    command.env_remove("WGPU_ADAPTER_NAME");
    command
}

fn run(args: &[&str]) -> Output {
    hashwatt().args(args).output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hashwatt-results-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit status `code` and exactly one line of ours on stderr (Mesa may add
/// its own), `hashwatt: error: ...`, containing every one of `expected`.
fn assert_fails(what: &str, output: &Output, code: i32, expected: &[&str]) {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert_eq!(output.status.code(), Some(code), "{what}: {err}");
    let ours: Vec<&str> = err.lines().filter(|l| l.starts_with("hashwatt:")).collect();
    assert_eq!(ours.len(), 1, "{what}: {err}");
    assert!(ours[0].starts_with("hashwatt: error: "), "{what}: {err}");
    for part in expected {
        assert!(ours[0].contains(part), "{what}: wanted {part:?} in {err}");
    }
    assert!(
        !ours[0].chars().any(char::is_control),
        "{what}: {:?}",
        ours[0]
    );
}

/// The `--device` of a GPU adapter (lavapipe on CI), if wgpu finds one.
fn gpu_select() -> Option<String> {
    let output = run(&["devices", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    let gpu = value["devices"]
        .as_array()?
        .iter()
        .find(|d| d["select"] != "cpu")
        .and_then(|d| d["select"].as_str().map(String::from));
    if gpu.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but wgpu found no adapter"
        );
        eprintln!("no GPU adapter: skipping");
    }
    gpu
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A real, proven bench file to compare against.
fn proven_file(dir: &Path) -> PathBuf {
    let path = dir.join("proven.json");
    let document = common::bench_document("hashwatt.bench/3", "GPU", 1e6, 1e6, 200.0);
    std::fs::write(&path, document.to_string()).unwrap();
    path
}

/// Class: a kernel that does not hash the nonces it claims. Copies of
/// examples/kernels/minimal.wgsl that hash nothing or half, benched on the
/// GPU (alone and with --repeat): exit 1 naming the expected and found
/// shares, a JSON kept but marked invalid, and that JSON refused by every
/// reader (estimate --from, compare as baseline and as a later file).
#[test]
fn a_run_whose_work_is_not_proven_is_no_result() {
    let Some(device) = gpu_select() else {
        return;
    };
    let dir = scratch("unproven");
    let proven = proven_file(&dir);
    let proven = proven.to_str().unwrap();
    for (kernel, repeat) in [
        ("tests/data/kernels/no_hashing.wgsl", "1"),
        ("tests/data/kernels/skip_odd.wgsl", "1"),
        ("tests/data/kernels/skip_odd.wgsl", "2"),
    ] {
        let what = format!("bench --kernel {kernel} --repeat {repeat}");
        let json = dir.join("mutant.json");
        let json = json.to_str().unwrap();
        let output = run(&[
            "bench",
            "--device",
            &device,
            "--kernel",
            kernel,
            "--nonces",
            "500000",
            "--repeat",
            repeat,
            "--idle-seconds",
            "0",
            "--watts",
            "50",
            "--json",
            json,
            "--force",
        ]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_fails(
            &what,
            &output,
            1,
            &[
                "proof of work failed: found ",
                " shares where ",
                "were expected",
                "marked invalid",
            ],
        );
        for figure in ["hashrate", "H/J", "J/TH", "BTC/day"] {
            assert!(
                !stdout.contains(figure),
                "{what}: printed {figure}: {stdout}"
            );
        }
        let document = read_json(Path::new(json));
        assert_eq!(document["valid"], false, "{what}");
        assert_eq!(document["proof_of_work"]["verdict"], "failed", "{what}");
        let expected = document["proof_of_work"]["expected"].as_f64().unwrap();
        let found = document["proof_of_work"]["found"].as_f64().unwrap();
        assert!(
            expected >= 256.0 && found < 0.6 * expected,
            "{what}: {found} of {expected}"
        );
        common::validate("bench.schema.json", &document);

        for (reader, args) in [
            ("estimate --from", vec!["estimate", "--from", json]),
            ("compare, later file", vec!["compare", proven, json]),
            ("compare, baseline", vec!["compare", json, proven]),
        ] {
            let output = run(&args);
            assert_fails(
                &format!("{what}: {reader}"),
                &output,
                2,
                &[
                    json,
                    "not a result (valid is false)",
                    "proof of work failed",
                ],
            );
            assert!(
                output.stdout.is_empty(),
                "{what}: {reader} printed a result"
            );
        }
        // Marked valid by hand, the document is still refused: the proof is
        // worked out again from its counts, never taken from a flag.
        let mut forged = document.clone();
        forged["valid"] = true.into();
        let claimed = hashwatt::verify::proof::ProofOfWork::judge(
            forged["nonces"].as_u64().unwrap(),
            forged["shares"]["bits"].as_u64().unwrap() as u32,
            forged["shares"]["verified"].as_u64().unwrap() + 100_000,
        );
        forged["proof_of_work"] = serde_json::to_value(claimed).unwrap();
        std::fs::write(json, forged.to_string()).unwrap();
        assert_fails(
            &format!("{what}: forged"),
            &run(&["estimate", "--from", json]),
            2,
            &[json, "proof_of_work is for"],
        );
        forged["schema"] = "hashwatt.bench/2".into();
        std::fs::write(json, forged.to_string()).unwrap();
        assert_fails(
            &format!("{what}: forged as an older file"),
            &run(&["compare", proven, json]),
            2,
            &[json, "not a result (shares.found is too few)"],
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A real CPU search that hides some of its shares, as a kernel that skips
/// nonces does: `keep(nonce)` says which hits it reports.
struct Dropping {
    inner: CpuSearcher,
    keep: fn(u32) -> bool,
}

impl Searcher for Dropping {
    fn name(&self) -> String {
        "dropping CPU".into()
    }
    fn depth(&self) -> usize {
        1
    }
    fn in_flight(&self) -> usize {
        self.inner.in_flight()
    }
    fn submit(&mut self, batch: Batch) -> Result<()> {
        self.inner.submit(batch)
    }
    fn wait_oldest(&mut self) -> Result<Option<BatchResult>> {
        let keep = self.keep;
        Ok(self.inner.wait_oldest()?.map(|mut result| {
            result.hits.retain(|&n| keep(n));
            result
        }))
    }
    fn digests(&mut self, headers: &[BlockHeader]) -> Result<Vec<BlockHash>> {
        self.inner.digests(headers)
    }
}

/// Class: the proof holds on every path a bench takes, the blocking driver
/// and the browser's asynchronous one, one trial and several, a fixed
/// count and a time. An honest device passes; one that hides odd nonces'
/// shares or every share fails, and its report is marked invalid.
#[test]
fn every_bench_path_is_held_to_the_proof() {
    type Keep = fn(u32) -> bool;
    let keeps: [(&str, Keep, bool); 3] = [
        ("honest", |_| true, true),
        ("half", |n| n % 2 == 0, false),
        ("none", |_| false, false),
    ];
    for (name, keep, honest) in keeps {
        for (stop, repeat) in [
            (StopRule::Nonces(100_000), 1),
            (StopRule::Nonces(50_000), 2),
            (StopRule::Seconds(0.3), 1),
        ] {
            let mut options = BenchOptions::new(catalog::latest_embedded(), stop);
            options.progress = false;
            options.repeat = repeat;
            let what = format!("{name} {stop:?} x{repeat}");
            let blocking = bench::run(
                &mut Dropping {
                    inner: CpuSearcher::new(2),
                    keep,
                },
                &options,
                &AtomicBool::new(false),
                None,
            )
            .unwrap();
            let awaited = pollster::block_on(bench::run_async(
                &mut AsyncDropping(Dropping {
                    inner: CpuSearcher::new(2),
                    keep,
                }),
                &options,
                &AtomicBool::new(false),
                None,
                |_| {},
            ))
            .unwrap();
            for outcome in [blocking, awaited] {
                let proof = outcome.proof();
                assert!(proof.expected >= 256.0, "{what}: {proof:?}");
                let verdict = if honest {
                    ProofVerdict::Passed
                } else {
                    ProofVerdict::Failed
                };
                assert_eq!(proof.verdict, verdict, "{what}: {proof:?}");
            }
        }
    }
}

struct AsyncDropping(Dropping);

impl Searcher for AsyncDropping {
    fn name(&self) -> String {
        self.0.name()
    }
    fn depth(&self) -> usize {
        1
    }
    fn in_flight(&self) -> usize {
        self.0.in_flight()
    }
    fn submit(&mut self, batch: Batch) -> Result<()> {
        self.0.submit(batch)
    }
    fn wait_oldest(&mut self) -> Result<Option<BatchResult>> {
        self.0.wait_oldest()
    }
    fn digests(&mut self, headers: &[BlockHeader]) -> Result<Vec<BlockHash>> {
        self.0.digests(headers)
    }
}

impl hashwatt::search::AsyncSearcher for AsyncDropping {
    async fn wait_oldest_async(&mut self) -> Result<Option<BatchResult>> {
        self.0.wait_oldest()
    }
}

/// Class: too little work to prove anything. A run too short for 256
/// expected shares is refused before any work where that is known (a
/// fixed count, given share bits), after the warm-up where it is not (a
/// time with given share bits); a timed part always hashes at least one
/// batch, so no run reports 0 H/s or 0 J/TH.
#[test]
fn too_little_work_to_prove_is_refused() {
    let cases: [(&[&str], &str); 3] = [
        (
            &["--nonces", "200"],
            "--nonces 200 is too few for the proof of work",
        ),
        (
            &["--nonces", "100000", "--share-bits", "12"],
            "--share-bits 12 leaves 24.4 shares expected in 100000 nonces",
        ),
        (
            &["--duration", "0.5", "--share-bits", "40"],
            "--share-bits 40 leaves",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["bench", "--device", "cpu", "--idle-seconds", "0"];
        all.extend(args);
        let output = run(&all);
        assert_fails(&all.join(" "), &output, 2, &[expected, "256"]);
    }
    let dir = scratch("short");
    let json = dir.join("short.json");
    for duration in ["1e-9", "0.001"] {
        let output = run(&[
            "bench",
            "--device",
            "cpu",
            "--duration",
            duration,
            "--watts",
            "50",
            "--idle-seconds",
            "0",
            "--json",
            json.to_str().unwrap(),
            "--force",
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = String::from_utf8_lossy(&output.stdout);
        for zero in [" 0 H/s", " 0.0 J/TH", " 0 J/TH", " 0 nonces", "inf"] {
            assert!(
                !text.contains(zero),
                "--duration {duration}: {zero} in {text}"
            );
        }
        let report = hashwatt::report::read_bench(&json).unwrap();
        assert!(report.nonces >= 1024 && report.valid, "{report:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Class: every reader checks every file, and names the file and the
/// field. Each case is a real document with one figure made impossible;
/// `compare` refuses it as a later file and `estimate --from` as its only
/// one, with exit 2.
#[test]
fn every_reader_checks_every_figure_of_every_file() {
    let dir = scratch("figures");
    let proven = proven_file(&dir);
    let proven = proven.to_str().unwrap();
    type Edit = fn(&mut serde_json::Value);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "negative rate",
            |d| d["hashes_per_second"] = (-5.0).into(),
            "hashes_per_second is -5",
        ),
        (
            "subnormal rate",
            |d| d["hashes_per_second"] = 5e-324.into(),
            "hashes_per_second is 5e-324",
        ),
        (
            "rate beside its nonces",
            |d| d["hashes_per_second"] = 1e9.into(),
            "hashes_per_second is 1e9, but",
        ),
        (
            "J/TH against H/J",
            |d| d["energy"]["joules_per_terahash"] = 3.0.into(),
            "energy.joules_per_terahash is 3",
        ),
        (
            "p5 above p95",
            |d| {
                d["spread"]["p5"] = d["spread"]["max"].clone();
            },
            "spread.p5",
        ),
        (
            "watts",
            |d| d["energy"]["avg_watts"] = 1e308.into(),
            "energy.avg_watts is 1e308",
        ),
        ("no duration", |d| d["seconds"] = 0.0.into(), "seconds is 0"),
        (
            "a year and more",
            |d| d["seconds"] = 1e9.into(),
            "seconds is 1e9",
        ),
        (
            "trials that do not add up",
            |d| d["trials"][0]["nonces"] = 7.into(),
            "trials add up to 7",
        ),
        (
            "a share sha2 rejected",
            |d| d["shares"]["verified"] = 3.into(),
            "shares.verified is 3",
        ),
        (
            "no proof",
            |d| d["proof_of_work"] = serde_json::Value::Null,
            "proof_of_work is missing",
        ),
        (
            "marked invalid",
            |d| d["valid"] = false.into(),
            "not a result (valid is false)",
        ),
    ];
    for (name, edit, expected) in cases {
        let mut document = common::bench_document("hashwatt.bench/3", "GPU", 1e6, 1e6, 200.0);
        edit(&mut document);
        let path = dir.join(format!("{}.json", name.replace([' ', '/'], "-")));
        std::fs::write(&path, document.to_string()).unwrap();
        let file = path.to_str().unwrap();
        for args in [
            vec!["compare", proven, file],
            vec!["estimate", "--from", file],
        ] {
            let output = run(&args);
            assert_fails(
                &format!("{name}: {}", args[0]),
                &output,
                2,
                &[file, expected],
            );
            assert!(output.stdout.is_empty(), "{name}: {} printed", args[0]);
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A real CPU search paced to 40,000 nonces a second, with one pause of
/// `stall` seconds once 1.5 s of its timed part have run.
struct Stalling {
    inner: CpuSearcher,
    stall: f64,
    timed_start: Option<Instant>,
    due: Option<Instant>,
    stalled: bool,
}

const WARM_BITS: u32 = 32;

impl Searcher for Stalling {
    fn name(&self) -> String {
        "stalling CPU".into()
    }
    fn depth(&self) -> usize {
        1
    }
    fn in_flight(&self) -> usize {
        self.inner.in_flight()
    }
    fn submit(&mut self, batch: Batch) -> Result<()> {
        let now = Instant::now();
        let warm = hashwatt::chain::target::Target::from_leading_zero_bits(WARM_BITS).unwrap();
        let timed = batch.target != warm;
        // The warm-up is paced too, so that it sizes the timed batches.
        let from = self.due.filter(|d| *d > now && timed).unwrap_or(now);
        let mut due = from + Duration::from_secs_f64(batch.count as f64 / 40_000.0);
        if timed {
            let start = *self.timed_start.get_or_insert(now);
            if !self.stalled && now.duration_since(start).as_secs_f64() >= 1.5 {
                self.stalled = true;
                due += Duration::from_secs_f64(self.stall);
            }
        }
        self.due = Some(due);
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

/// Class: a stall is seen. A 3 s pause in a 5 s run flags it unstable,
/// naming when the stall began and how long it lasted, although the run
/// is too short for a spread verdict; a steady run of the same length is
/// not flagged, and its too-short verdict gives the run's real figures.
#[test]
fn a_stall_is_named_and_a_short_run_says_how_short() {
    for stall in [3.0, 0.0] {
        let mut device = Stalling {
            inner: CpuSearcher::new(1),
            stall,
            timed_start: None,
            due: None,
            stalled: false,
        };
        let mut options = BenchOptions::new(catalog::latest_embedded(), StopRule::Seconds(5.0));
        options.progress = false;
        options.batch_seconds = 0.1;
        let outcome = bench::run(&mut device, &options, &AtomicBool::new(false), None).unwrap();
        let report = report_of(&outcome);
        let stability = report.stability.clone().unwrap();
        if stall > 0.0 {
            assert_eq!(stability.verdict, Verdict::Unstable, "{stability:?}");
            let stalls = &outcome.trials[0].stalls;
            assert_eq!(stalls.len(), 1, "{stalls:?}");
            assert!(
                stalls[0].seconds >= 3.0 && (1.4..2.5).contains(&stalls[0].at),
                "{stalls:?}"
            );
            let reason = &stability.reasons[0];
            eprintln!("the verdict: {reason}");
            assert!(
                reason.contains(&format!(
                    "no batch completed for {:.1} s",
                    stalls[0].seconds
                )) && reason.contains(&format!("from {:.1} s", stalls[0].at)),
                "{reason}"
            );
        } else {
            assert!(outcome.trials[0].stalls.is_empty());
            assert_ne!(stability.verdict, Verdict::Unstable, "{stability:?}");
            if stability.verdict == Verdict::TooShort {
                let count = report.spread.as_ref().unwrap().count;
                let real = format!("{count} intervals in {:.1} s", report.seconds);
                assert!(stability.reasons[0].contains(&real), "{stability:?}");
            }
        }
    }
}

fn report_of(outcome: &bench::BenchOutcome) -> hashwatt::report::BenchReport {
    let known = catalog::latest_embedded();
    hashwatt::report::BenchReport::new(
        hashwatt::report::RunContext {
            device: hashwatt::gpu::DeviceSummary {
                name: "stalling CPU".into(),
                backend: "cpu".into(),
                device_type: "cpu".into(),
                driver: "test".into(),
                cpu_path: None,
            },
            adapter_limits: None,
            kernel: None,
            settings: "cpu",
            header: &known,
            started: hashwatt::units::now_rfc3339(),
            host: hashwatt::sensors::host::HostInfo::gather(),
            command_line: Vec::new(),
        },
        outcome,
    )
}

/// A header on `prev`, `later` seconds after it, with nBits `bits` and the
/// first nonce whose hash meets (or, with `mined` false, misses) its own
/// target.
fn header_with(prev: &BlockHeader, bits: u32, mined: bool, later: u32) -> BlockHeader {
    let mut bytes = *catalog::latest_embedded().header.as_bytes();
    bytes[4..36].copy_from_slice(prev.block_hash().internal_bytes());
    bytes[68..72].copy_from_slice(&(prev.time() + later).to_le_bytes());
    bytes[72..76].copy_from_slice(&bits.to_le_bytes());
    let header = BlockHeader::from_bytes(bytes);
    let target = header.target().unwrap();
    (0..)
        .map(|nonce| header.with_nonce(nonce))
        .find(|h| h.block_hash().meets(&target) == mined)
        .unwrap()
}

fn write_headers(dir: &Path, name: &str, lines: &[String]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    format!("@{}", path.display())
}

fn estimate_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["estimate", "--jth", "9.5", "--json", "-"];
    all.extend(args);
    let output = run(&all);
    assert!(output.status.success(), "{all:?}: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Class: chain data obeys consensus rules. Headers whose target is easier
/// than the proof-of-work limit (0x1d00ffff), or whose hash misses their
/// own target, alone or in a chain, are refused by `--network-from`; with
/// `--unchecked-headers` they are used and labelled given, never chain.
/// Real headers stay chain data with or without the flag.
#[test]
fn headers_that_break_consensus_are_never_chain_data() {
    let dir = scratch("consensus");
    let latest = catalog::latest_embedded().header;
    // 65,536 times easier than the limit: about 109 H/s of "network".
    let easy = header_with(&latest, 0x1f00_ffff, true, 600);
    let easy_next = header_with(&easy, 0x1f00_ffff, true, 600);
    let unmined = header_with(&latest, latest.bits(), false, 600);
    let mainnet = |i: usize| {
        std::fs::read_to_string("tests/data/mainnet-headers-32257-35256.txt")
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .nth(i)
            .unwrap()
            .to_string()
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "easier than the limit",
            easy.to_hex(),
            "easier than Bitcoin's proof-of-work limit",
        ),
        (
            "above its own target",
            unmined.to_hex(),
            "does not meet its own target",
        ),
        (
            "a chain easier than the limit",
            write_headers(&dir, "easy.txt", &[easy.to_hex(), easy_next.to_hex()]),
            "easier than Bitcoin's proof-of-work limit",
        ),
    ];
    for (name, spec, expected) in cases {
        let output = run(&["estimate", "--jth", "9.5", "--network-from", &spec]);
        assert_fails(name, &output, 2, &[expected, "--unchecked-headers"]);
        let e = estimate_json(&["--network-from", &spec, "--unchecked-headers"]);
        let network = &e["site"]["network"];
        assert_eq!(network["source"], "given", "{name}: {network}");
        assert!(
            network["basis"]
                .as_str()
                .unwrap()
                .contains("not chain data"),
            "{name}: {network}"
        );
        let text = String::from_utf8_lossy(
            &run(&[
                "estimate",
                "--jth",
                "9.5",
                "--network-from",
                &spec,
                "--unchecked-headers",
                "--explain",
            ])
            .stdout,
        )
        .into_owned();
        assert!(text.contains("[given]"), "{name}: {text}");
        assert!(!text.contains("[chain]"), "{name}: {text}");
    }
    for spec in [
        "951658".to_string(),
        write_headers(&dir, "real.txt", &[mainnet(0), mainnet(1), mainnet(2)]),
    ] {
        for flag in [&[][..], &["--unchecked-headers"][..]] {
            let mut args = vec!["--network-from", spec.as_str()];
            args.extend(flag);
            assert_eq!(
                estimate_json(&args)["site"]["network"]["source"],
                "chain",
                "{spec}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Class: the subsidy comes from a height the chain proves, or is labelled
/// assumed. An embedded header (by height or among a file's headers,
/// linked to the rest) proves its height; heights a file only claims, and
/// a network given in EH/s, give an assumed subsidy; a file whose claimed
/// heights contradict an embedded header it holds is refused.
#[test]
fn the_subsidy_height_is_proven_or_labelled_assumed() {
    let dir = scratch("subsidy");
    let lines: Vec<String> = std::fs::read_to_string("tests/data/mainnet-headers-32257-35256.txt")
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(String::from)
        .collect();
    let at = |height: usize| lines[height - 32257].clone();
    // 33,300 to 33,400 hold the embedded block 33,333; 34,000 to 34,100 none.
    let anchored: Vec<String> = (33_300..=33_400).map(at).collect();
    let unanchored: Vec<String> = (34_000..=34_100).map(at).collect();
    let shifted: Vec<String> = anchored
        .iter()
        .map(|l| {
            let (height, rest) = l.split_once(' ').unwrap();
            format!("{} {rest}", height.parse::<u64>().unwrap() + 1)
        })
        .collect();
    let anchored = write_headers(&dir, "anchored.txt", &anchored);
    let unanchored = write_headers(&dir, "claimed.txt", &unanchored);
    let cases: Vec<(&str, Vec<&str>, &str, u64)> = vec![
        (
            "an embedded height",
            vec!["--network-from", "33333"],
            "protocol",
            33_333,
        ),
        (
            "a file holding an embedded header",
            vec!["--network-from", &anchored],
            "protocol",
            33_400,
        ),
        (
            "a file of claimed heights",
            vec!["--network-from", &unanchored],
            "assumed",
            34_100,
        ),
    ];
    for (name, args, source, height) in cases {
        let e = estimate_json(&args);
        assert_eq!(e["inputs"]["subsidy_btc"]["source"], source, "{name}");
        assert_eq!(
            e["site"]["network"]["headers"]["last_height"], height,
            "{name}"
        );
        assert_eq!(e["site"]["subsidy_btc"], 50.0, "{name}");
        let mut text_args = vec!["estimate", "--jth", "9.5", "--explain"];
        text_args.extend(&args);
        let text = String::from_utf8_lossy(&run(&text_args).stdout).into_owned();
        assert!(
            text.contains(&format!("subsidy [{source}")),
            "{name}: {text}"
        );
    }
    let e = estimate_json(&["--network-ehs", "800"]);
    assert_eq!(e["inputs"]["subsidy_btc"]["source"], "assumed");
    let spec = write_headers(&dir, "shifted.txt", &shifted);
    let output = run(&["estimate", "--jth", "9.5", "--network-from", &spec]);
    assert_fails(
        "shifted heights",
        &output,
        2,
        &["is block 33333 of the embedded set, not height 33334 as given"],
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Class: economic and physical inputs are bounded by reality. Fees above
/// the subsidy's scale, a device of more than a megawatt or a billion
/// dollars, a bitcoin or a megawatt-hour priced beyond any market, an
/// efficiency past the Landauer limit, a share of the power too small for
/// one whole device: each refused with exit 2 and one line naming it.
#[test]
fn economic_and_physical_inputs_are_bounded_by_reality() {
    let dir = scratch("reality");
    let bench = dir.join("gpu.json");
    let document = common::bench_document("hashwatt.bench/3", "GPU", 1e6, 1e6, 200.0);
    std::fs::write(&bench, document.to_string()).unwrap();
    let tiny_share = format!("{}:1e-300", bench.display());
    let rest = format!("{}:1", bench.display());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--fees-btc-per-block", "21e6"],
            "--fees-btc-per-block must be between 0 and 50",
        ),
        (
            vec!["--fees-btc-per-block", "50.01"],
            "--fees-btc-per-block must be between 0 and 50",
        ),
        (
            vec!["--device-watts", "1e308"],
            "--device-watts must be more than 0 and at most 1000000 W",
        ),
        (
            vec!["--device-watts", "1e308", "--device-usd", "1e308"],
            "--device-watts must be more than 0 and at most 1000000 W",
        ),
        (
            vec!["--device-watts", "700", "--device-usd", "1e308"],
            "--device-usd must be more than 0 and at most 1e9",
        ),
        (
            vec!["--btc-usd", "1e308"],
            "--btc-usd must be more than 0 and at most 1e9",
        ),
        (
            vec!["--power-usd-per-mwh", "-1e308"],
            "--power-usd-per-mwh must be between -1000000 and 1000000",
        ),
        (
            vec!["--device-watts", "1e6", "--plant-mw", "0.5"],
            "runs no whole device of 1000000 W",
        ),
    ];
    let efficiencies: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--jth", "1e-5"], "is beyond reality"),
        (vec!["--hashes-per-joule", "1e16"], "is beyond reality"),
        (vec!["--jth", "1e30"], "is beyond reality"),
        (
            vec!["--from", &tiny_share, "--from", &rest],
            "runs no whole device of 200 W",
        ),
    ];
    let with_jth = cases.into_iter().map(|(mut args, why)| {
        args.splice(0..0, ["--jth", "9.5"]);
        (args, why)
    });
    for (args, expected) in with_jth.chain(efficiencies) {
        let mut all = vec!["estimate"];
        all.extend(&args);
        let output = run(&all);
        assert_fails(&all.join(" "), &output, 2, &[expected]);
        assert!(output.stdout.is_empty(), "{all:?} printed a result");
    }
    let _ = std::fs::remove_dir_all(dir);
}
