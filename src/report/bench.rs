//! The `hashwatt.bench/3` document: a bench run with everything needed to
//! trust it or reproduce it. Version 2 added the time series and its
//! spread, the warm-up, the trials of `--repeat`, the host, the build, the
//! adapter's limits, the exact kernel source's SHA-256 and the command
//! line; version 3 adds the proof of work (`proof_of_work`, `valid`) and
//! the stalls of each trial. Every field version 1 had is still there, so
//! the one reader ([`super::read_bench`]) reads all three; the added fields
//! default when an older file is read, and [`super::validate`] says what an
//! older file cannot prove.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::bench::stats::MIN_SAMPLES;
use crate::bench::{BatchSizes, BenchOutcome, ShareRecord, Spread, Trial, Verdict, Warmup};
use crate::chain::catalog::KnownHeader;
use crate::gpu::{AdapterLimits, DeviceSummary};
use crate::kernel::KernelConfig;
use crate::sensors::energy::EnergyReport;
use crate::sensors::host::{BuildInfo, HostInfo};
use crate::sensors::telemetry;
use crate::verify::proof::ProofOfWork;

pub const BENCH_SCHEMA: &str = "hashwatt.bench/3";
/// The second version (no proof of work), still read.
pub const BENCH_SCHEMA_V2: &str = "hashwatt.bench/2";
/// The first version, still read by `estimate --from` and `compare`.
pub const BENCH_SCHEMA_V1: &str = "hashwatt.bench/1";
pub const BENCH_ALL_SCHEMA: &str = "hashwatt.bench-all/3";

/// The result of `hashwatt bench` on one device.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct BenchReport {
    /// `hashwatt.bench/3` (or `/2`, `/1` for files from older versions).
    pub schema: String,
    /// False when the run is not a result: its proof of work failed, or its
    /// timed part hashed too little to prove anything. Such a document is
    /// written so that nothing measured is lost, and every reader refuses
    /// it. Files older than version 3 have no such flag (they read as true).
    #[serde(default = "written_as_result")]
    pub valid: bool,
    /// The shares found against those the nonces imply (see the README's
    /// "Proof of work"); always present from version 3 on.
    #[serde(default)]
    pub proof_of_work: Option<ProofOfWork>,
    pub hashwatt_version: String,
    /// When the run ended, UTC, RFC 3339.
    pub created: String,
    /// When the run started (before the warm-up), UTC, RFC 3339.
    #[serde(default)]
    pub started: Option<String>,
    /// The command line that made this document.
    #[serde(default)]
    pub command_line: Vec<String>,
    #[serde(default)]
    pub host: Option<HostInfo>,
    #[serde(default)]
    pub build: Option<BuildInfo>,
    pub device: DeviceSummary,
    /// The adapter limits that shape a search; null for the CPU.
    #[serde(default)]
    pub adapter_limits: Option<AdapterLimits>,
    /// The search kernel and its launch settings; null for the CPU.
    pub kernel: Option<KernelReport>,
    /// Where the kernel settings came from: "default", "tuned" (the cache
    /// of `hashwatt tune`) or "cpu".
    pub settings: String,
    pub header: HeaderRef,
    /// Nonces hashed in the timed part of the run (warm-up excluded), over
    /// every trial.
    pub nonces: u64,
    /// Wall-clock seconds of the timed part, over every trial.
    pub seconds: f64,
    /// The headline rate: nonces over seconds, or with `--repeat` the
    /// median of the trials' rates.
    pub hashes_per_second: f64,
    /// The spread of the per-interval rates over every trial.
    #[serde(default)]
    pub spread: Option<Spread>,
    /// The spread of the trials' rates, with `--repeat`.
    #[serde(default)]
    pub trial_spread: Option<Spread>,
    /// Whether the run can be trusted as steady, and why not.
    #[serde(default)]
    pub stability: Option<Stability>,
    /// Each timed trial with its time series (one without `--repeat`).
    #[serde(default)]
    pub trials: Vec<Trial>,
    #[serde(default)]
    pub warmup: Option<Warmup>,
    /// Throttle reasons the device reported during the run (NVML), in
    /// order of first sight; empty when none or not reported.
    #[serde(default)]
    pub throttling: Vec<String>,
    /// GPU time of the search passes from timestamp queries; null where the
    /// device has none (the rate above is always wall clock).
    pub gpu_seconds: Option<f64>,
    /// gpu_seconds / seconds: how much of the run the GPU was busy.
    pub gpu_busy_share: Option<f64>,
    pub shares: Shares,
    /// Times the header was rolled (BIP320 version bits, else the time field)
    /// after its 2^32 nonces ran out in the timed part.
    pub header_rolls: u32,
    pub batches: u64,
    /// The batch size the run ended with.
    pub batch_nonces: u64,
    /// The sizes the timed batches took.
    #[serde(default)]
    pub batch_sizes: Option<BatchSizes>,
    /// True when the run was stopped by a signal before its planned end.
    pub interrupted: bool,
    /// Energy drawn during the run; null where no meter was read and no
    /// power was stated.
    pub energy: Option<EnergyReport>,
}

/// Files from before version 3 were written as results.
fn written_as_result() -> bool {
    true
}

/// Whether a run held steady: `unstable` when the interval rates or the
/// trials spread or drift past the thresholds in the README, or when the
/// device stalled; `too-short` when there were too few intervals to judge.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Stability {
    pub verdict: Verdict,
    /// Why the run is unstable, or how short it was, in words and figures.
    #[serde(default)]
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct KernelReport {
    pub variant: String,
    pub workgroup_size: u32,
    pub nonces_per_invocation: u32,
    /// SHA-256 of the exact WGSL source compiled (override constants are
    /// the two fields above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wgsl_sha256: Option<String>,
    /// What the loader did to the kernel before compiling it: the
    /// run-time-indexed `const`s it made go through `var<private>` copies
    /// (`wgsl_sha256` is then the rewritten form's hash, and
    /// `wgsl_sha256_as_written` the file's), or `as_written` with
    /// `--kernel-as-written`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<crate::kernel::rewrite::RewriteReport>,
    /// With `--hash-fn`: the user's function that was searched with, its
    /// shape and word orders, and what of the file the search bypassed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_fn: Option<crate::kernel::hash_fn::HashFnInfo>,
}

impl From<KernelConfig> for KernelReport {
    fn from(config: KernelConfig) -> Self {
        KernelReport {
            variant: config.variant.name().to_string(),
            workgroup_size: config.workgroup_size,
            nonces_per_invocation: config.nonces_per_invocation,
            wgsl_sha256: None,
            rewrite: None,
            hash_fn: None,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct HeaderRef {
    pub height: Option<u64>,
    /// The block hash of the header as given (before any rolling), display order.
    pub hash: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Shares {
    /// Leading zero bits a hash needs to count as a share.
    pub bits: u32,
    pub found: u64,
    /// Shares the CPU hashed again with sha2 and confirmed.
    pub verified: u64,
    /// Shares expected at this hashrate: nonces / 2^bits.
    pub expected: f64,
    /// Seconds the CPU spent verifying shares during the timed part.
    #[serde(default)]
    pub verify_seconds: Option<f64>,
    /// verify_seconds / seconds: the verifier's share of the run.
    #[serde(default)]
    pub verify_share: Option<f64>,
    /// The first shares, with the header version and time each was found
    /// on (headers roll after 2^32 nonces); `found` is the exact count.
    #[serde(default)]
    pub records: Vec<ShareRecord>,
}

/// `hashwatt bench --device all --json`: one report per device.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct BenchAllReport {
    /// `hashwatt.bench-all/3`.
    pub schema: String,
    pub runs: Vec<BenchReport>,
    pub failed: Vec<FailedRun>,
    pub total_hashes_per_second: f64,
}

/// A device of `--device all` that could not be benched.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct FailedRun {
    pub device: String,
    pub error: String,
}

/// What a bench report records besides the outcome itself.
pub struct RunContext<'a> {
    pub device: DeviceSummary,
    pub adapter_limits: Option<AdapterLimits>,
    pub kernel: Option<KernelReport>,
    pub settings: &'a str,
    pub header: &'a KnownHeader,
    pub started: String,
    pub host: HostInfo,
    pub command_line: Vec<String>,
}

impl BenchReport {
    /// The report of one run; `energy` is filled in by the caller, which
    /// owns the meter.
    pub fn new(context: RunContext<'_>, outcome: &BenchOutcome) -> Self {
        let gpu_busy_share = outcome
            .device_seconds
            .filter(|_| outcome.seconds > 0.0)
            .map(|gpu| gpu / outcome.seconds);
        let spread = outcome.sample_spread();
        let trial_spread = outcome.trial_spread();
        let stability = stability(
            spread.as_ref(),
            trial_spread.as_ref(),
            &outcome.trials,
            outcome.seconds,
        );
        let proof = outcome.proof();
        BenchReport {
            schema: BENCH_SCHEMA.into(),
            valid: proof.passed,
            proof_of_work: Some(proof),
            hashwatt_version: env!("CARGO_PKG_VERSION").into(),
            created: crate::units::now_rfc3339(),
            started: Some(context.started),
            command_line: context.command_line,
            host: Some(context.host),
            build: Some(BuildInfo::current()),
            device: context.device,
            adapter_limits: context.adapter_limits,
            kernel: context.kernel,
            settings: context.settings.into(),
            header: HeaderRef {
                height: context.header.height,
                hash: context.header.header.block_hash().to_string(),
            },
            nonces: outcome.nonces,
            seconds: outcome.seconds,
            hashes_per_second: outcome.hashes_per_second(),
            spread,
            trial_spread,
            stability,
            throttling: telemetry::throttling_seen(
                outcome
                    .trials
                    .iter()
                    .flat_map(|t| t.samples.iter().filter_map(|s| s.telemetry.as_ref())),
            ),
            trials: outcome.trials.clone(),
            warmup: outcome.warmup.clone(),
            gpu_seconds: outcome.device_seconds,
            gpu_busy_share,
            shares: Shares {
                bits: outcome.share_bits,
                found: outcome.shares_found,
                verified: outcome.shares_verified,
                expected: outcome.nonces as f64 / 2f64.powi(outcome.share_bits as i32),
                verify_seconds: Some(outcome.verify_seconds),
                verify_share: Some(outcome.verify_share()),
                records: outcome.share_records.clone(),
            },
            header_rolls: outcome.header_rolls,
            batches: outcome.batches,
            batch_nonces: outcome.batch_nonces.last,
            batch_sizes: Some(outcome.batch_nonces),
            interrupted: outcome.interrupted,
            energy: None,
        }
    }
}

/// One verdict from the interval spread and, with `--repeat`, the trials',
/// and the stalls of every trial: any stall makes a run unstable, however
/// short. A verdict of too short says, in figures, how short.
fn stability(
    intervals: Option<&Spread>,
    trials: Option<&Spread>,
    runs: &[Trial],
    seconds: f64,
) -> Option<Stability> {
    let spreads: Vec<(&Spread, &str)> = [(intervals, "intervals"), (trials, "trials")]
        .into_iter()
        .filter_map(|(spread, what)| spread.map(|s| (s, what)))
        .collect();
    let stalls = stall_reasons(runs);
    if spreads.is_empty() && stalls.is_empty() {
        return None;
    }
    let mut reasons = stalls;
    for (spread, what) in &spreads {
        reasons.extend(spread.reasons.iter().map(|r| format!("{what}: {r}")));
    }
    let verdict = if !reasons.is_empty() {
        Verdict::Unstable
    } else if spreads.iter().all(|(s, _)| s.verdict == Verdict::TooShort) {
        let count = intervals.map_or(0, |s| s.count);
        reasons.push(format!(
            "{count} interval{} in {seconds:.1} s, and {MIN_SAMPLES} are needed to judge",
            if count == 1 { "" } else { "s" }
        ));
        Verdict::TooShort
    } else {
        Verdict::Stable
    };
    Some(Stability { verdict, reasons })
}

/// Each stall in words: when it began, how long it lasted, in which trial.
/// At most [`MAX_STALLS_NAMED`] are named, then how many more there were.
fn stall_reasons(runs: &[Trial]) -> Vec<String> {
    let mut reasons = Vec::new();
    let mut more = 0;
    for (i, trial) in runs.iter().enumerate() {
        let which = if runs.len() > 1 {
            format!("trial {}", i + 1)
        } else {
            "the run".to_string()
        };
        for stall in &trial.stalls {
            if reasons.len() == MAX_STALLS_NAMED {
                more += 1;
                continue;
            }
            reasons.push(format!(
                "stalled: no batch completed for {:.1} s, from {:.1} s to {:.1} s into {which} (a gap of more than {:.1} s is a stall)",
                stall.seconds,
                stall.at,
                stall.at + stall.seconds,
                stall.expected_at_most
            ));
        }
    }
    if more > 0 {
        reasons.push(format!("and {more} more stalls"));
    }
    reasons
}

/// Stalls named one by one in the verdict; the rest are counted.
const MAX_STALLS_NAMED: usize = 3;
