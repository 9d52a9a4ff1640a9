//! `tune` never makes things worse: the untuned default is measured in
//! the same sweep, and a setting is cached only when it beats the default
//! beyond the spread. The device is a real CPU search (every share real
//! and checked by sha2) paced to a known rate for each kernel setting, so
//! which setting is faster does not depend on the machine's load. No test
//! asserts on a rate or a time.
// Test harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use hashwatt::chain::catalog;
use hashwatt::chain::header::{BlockHash, BlockHeader};
use hashwatt::cpu::CpuSearcher;
use hashwatt::error::Result;
use hashwatt::gpu::DeviceSummary;
use hashwatt::kernel::{KernelConfig, KernelVariant};
use hashwatt::search::{Batch, BatchResult, Searcher};
use hashwatt::tune::{
    self, CacheChange, Kept, Rig, ShapeLimits, Stage, Sweep, SweepPlan, TunedSettings,
};

/// A real CPU search held to `rate` nonces a second.
struct Paced {
    inner: CpuSearcher,
    rate: f64,
    due: Option<Instant>,
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
        let from = self.due.filter(|d| *d > now).unwrap_or(now);
        self.due = Some(from + Duration::from_secs_f64(batch.count as f64 / self.rate));
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

/// A stand-in for a GPU: each kernel setting runs at the rate `rate` gives
/// it, from the setting and how many times it was asked for before.
struct PacedRig {
    searcher: Paced,
    config: Option<KernelConfig>,
    asked: HashMap<(u32, u32), usize>,
    rate: fn(&KernelConfig, usize) -> f64,
}

impl PacedRig {
    fn new(rate: fn(&KernelConfig, usize) -> f64) -> Self {
        PacedRig {
            searcher: Paced {
                inner: CpuSearcher::new(1),
                rate: 1.0,
                due: None,
            },
            config: None,
            asked: HashMap::new(),
            rate,
        }
    }
}

fn paced_device() -> DeviceSummary {
    DeviceSummary {
        name: "paced CPU".into(),
        backend: "test".into(),
        device_type: "cpu".into(),
        driver: "paced".into(),
        cpu_path: None,
    }
}

impl Rig for PacedRig {
    fn label(&self) -> String {
        "paced CPU [test]".into()
    }
    fn summary(&self) -> DeviceSummary {
        paced_device()
    }
    fn limits(&self) -> ShapeLimits {
        ShapeLimits {
            max_compute_invocations_per_workgroup: 1024,
            max_compute_workgroup_size_x: 1024,
            max_compute_workgroups_per_dimension: 65535,
        }
    }
    fn searcher(&mut self, config: KernelConfig) -> Result<(&mut dyn Searcher, bool)> {
        let asked = self
            .asked
            .entry((config.workgroup_size, config.nonces_per_invocation))
            .or_default();
        self.searcher.rate = (self.rate)(&config, *asked);
        *asked += 1;
        let compiled = self.config != Some(config);
        self.config = Some(config);
        Ok((&mut self.searcher, compiled))
    }
}

/// Nonces a second: the default's pace, and the slower one of the others.
const DEFAULT_RATE: f64 = 200_000.0;
const SLOWER: f64 = 100_000.0;
const FASTER: f64 = 400_000.0;

fn is_default(config: &KernelConfig) -> bool {
    *config == KernelConfig::fast()
}

/// Four shapes that are not the default (workgroups 64 and 256 x 2 and 8
/// nonces), compared at 250 ms batches, then the best at 100 ms; short
/// timings.
fn small_plan() -> SweepPlan {
    SweepPlan {
        workgroup_sizes: vec![64, 256],
        nonces_per_invocation: vec![2, 8],
        batch_ms: vec![100, 250],
        seconds_per_setting: 0.2,
        max_settings: 24,
        max_seconds: 600.0,
    }
}

fn sweep(rig: &mut PacedRig) -> Sweep {
    let known = catalog::latest_embedded();
    tune::sweep_on(rig, &known, &small_plan(), &AtomicBool::new(false), |_| {})
        .expect("the sweep runs")
}

/// An entry for `device` in a cache, 64 x 2 at 100 ms.
fn entry(device: DeviceSummary) -> TunedSettings {
    TunedSettings {
        device,
        hashwatt_version: env!("CARGO_PKG_VERSION").into(),
        kernel: hashwatt::report::KernelReport::from(KernelConfig {
            variant: KernelVariant::Fast,
            workgroup_size: 64,
            nonces_per_invocation: 2,
        }),
        batch_ms: 100,
        hashes_per_second: 1e6,
        tuned_at: "2026-01-01T00:00:00Z".into(),
    }
}

fn another_device() -> DeviceSummary {
    DeviceSummary {
        name: "another GPU".into(),
        ..paced_device()
    }
}

/// Applies the sweep's decision to three caches: none at all, one holding
/// another adapter's entry, and one holding also an earlier entry for this
/// device. Returns what each became.
fn settle_three(sweep: &Sweep, dir: &Path) -> [(CacheChange, Option<Vec<u8>>); 3] {
    let kept = tune::winner(sweep).expect("a proven decision");
    let mut out = Vec::new();
    for (k, earlier) in [
        None,
        Some(vec![another_device()]),
        Some(vec![another_device(), paced_device()]),
    ]
    .into_iter()
    .enumerate()
    {
        let path = dir.join(format!("cache-{k}")).join("tuning.json");
        if let Some(devices) = earlier {
            for device in devices {
                tune::store_in(&path, &entry(device)).unwrap();
            }
        }
        let change = tune::settle_in(&path, &paced_device(), kept.as_ref()).unwrap();
        out.push((change, std::fs::read(&path).ok()));
    }
    out.try_into().unwrap()
}

fn cached_devices(bytes: &[u8]) -> Vec<String> {
    tune::parse_cache(std::str::from_utf8(bytes).unwrap())
        .entries
        .into_iter()
        .map(|e| e.device.name)
        .collect()
}

/// The default is the fastest setting: the sweep measures it first, says
/// it stays, and leaves a cache without an entry for the device exactly as
/// it was (none is created where there was none); an earlier entry for
/// the device is removed, so bench runs the default.
#[test]
fn a_sweep_that_finds_nothing_faster_leaves_the_cache_unchanged() {
    let mut rig = PacedRig::new(|config, _| {
        if is_default(config) {
            DEFAULT_RATE
        } else {
            SLOWER
        }
    });
    let sweep = sweep(&mut rig);
    assert_eq!(sweep.trials[0].stage, Stage::Default);
    assert!(tune::decide::is_default(&sweep.trials[0]));
    assert!(sweep.trials.len() >= 5, "{} trials", sweep.trials.len());
    let decision = sweep.decision.as_ref().expect("a decision");
    assert_eq!(decision.kept, Kept::Default, "{}", decision.reason);
    assert!(decision.tuned.is_none());
    assert!(decision.runs.is_empty(), "no confirmation was needed");
    assert!(
        decision.reason.contains("the default was the fastest"),
        "{}",
        decision.reason
    );
    assert!(sweep.verification.as_ref().unwrap().passed);
    assert_eq!(tune::winner(&sweep).unwrap(), None);

    let dir = tempfile::tempdir().unwrap();
    let before = {
        let path = dir.path().join("before.json");
        tune::store_in(&path, &entry(another_device())).unwrap();
        std::fs::read(&path).unwrap()
    };
    let [none, other, both] = settle_three(&sweep, dir.path());
    assert_eq!(none, (CacheChange::Unchanged, None), "no cache is created");
    assert_eq!(other.0, CacheChange::Unchanged);
    assert_eq!(other.1.as_deref(), Some(&before[..]), "byte for byte");
    assert!(matches!(both.0, CacheChange::Removed(_, ref e) if e.device == paced_device()));
    assert_eq!(cached_devices(&both.1.unwrap()), ["another GPU"]);
}

/// The case: one setting measures fast once (the machine's load
/// changed), then slower than the default. The search picks it, the
/// alternating runs show it does not beat the default, and nothing is
/// cached. Without the confirmation it would have been.
#[test]
fn a_setting_that_was_fast_once_is_not_cached() {
    let mut rig = PacedRig::new(|config, asked| {
        match (config.workgroup_size, config.nonces_per_invocation, asked) {
            _ if is_default(config) => DEFAULT_RATE,
            (64, 8, 0) => 4.0 * DEFAULT_RATE,
            _ => SLOWER,
        }
    });
    let sweep = sweep(&mut rig);
    let fastest = sweep.best.as_ref().unwrap();
    assert_eq!(
        (
            fastest.kernel.workgroup_size,
            fastest.kernel.nonces_per_invocation
        ),
        (64, 8),
        "the lucky run is the fastest of the search"
    );
    let decision = sweep.decision.as_ref().unwrap();
    assert_eq!(
        decision.candidate.as_ref().unwrap().kernel.workgroup_size,
        64
    );
    assert_eq!(decision.runs.len(), 8);
    assert!(decision.runs.iter().all(|t| t.stage == Stage::Confirm));
    assert_eq!(decision.candidate_rates.len(), 4);
    assert_eq!(decision.default_rates.len(), 4);
    assert_eq!(decision.kept, Kept::Default, "{}", decision.reason);
    assert!(
        decision.reason.contains("did not beat the default"),
        "{}",
        decision.reason
    );
    assert_eq!(tune::winner(&sweep).unwrap(), None);
    let [none, other, _] = settle_three(&sweep, tempfile::tempdir().unwrap().path());
    assert_eq!(none.0, CacheChange::Unchanged);
    assert_eq!(other.0, CacheChange::Unchanged);
}

/// A setting twice as fast as the default, every time: it beats the
/// default in all eight alternating runs and is cached, proven, with the
/// median of its confirmation runs, replacing an earlier entry.
#[test]
fn a_setting_faster_beyond_the_spread_is_cached() {
    let mut rig =
        PacedRig::new(
            |config, _| match (config.workgroup_size, config.nonces_per_invocation) {
                _ if is_default(config) => DEFAULT_RATE,
                (64, 8) => FASTER,
                _ => SLOWER,
            },
        );
    let sweep = sweep(&mut rig);
    let decision = sweep.decision.as_ref().unwrap();
    assert_eq!(decision.kept, Kept::Tuned, "{}", decision.reason);
    assert_eq!(decision.runs.len(), 8);
    let order: Vec<bool> = decision.runs.iter().map(tune::decide::is_default).collect();
    assert_eq!(
        order,
        [false, true, true, false, true, false, false, true],
        "C D D C D C C D"
    );
    let tuned = tune::winner(&sweep).unwrap().expect("a tuned setting");
    assert_eq!(
        (
            tuned.kernel.workgroup_size,
            tuned.kernel.nonces_per_invocation
        ),
        (64, 8)
    );
    assert_eq!(
        tuned.hashes_per_second,
        tune::decide::median(&decision.candidate_rates)
    );
    let verification = sweep.verification.as_ref().unwrap();
    assert!(verification.passed, "{verification:?}");
    let [none, other, both] = settle_three(&sweep, tempfile::tempdir().unwrap().path());
    assert!(matches!(none.0, CacheChange::Stored(_)));
    assert_eq!(cached_devices(&none.1.unwrap()), ["paced CPU"]);
    assert_eq!(
        cached_devices(&other.1.unwrap()),
        ["another GPU", "paced CPU"]
    );
    let entries = tune::parse_cache(std::str::from_utf8(&both.1.unwrap()).unwrap()).entries;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1], tuned);
}

/// `--max-settings 2`: the default keeps its slot, and one other setting
/// is measured; the rule holds as in a full sweep.
#[test]
fn a_small_cap_keeps_the_defaults_slot() {
    let mut rig = PacedRig::new(|config, _| {
        if is_default(config) {
            DEFAULT_RATE
        } else {
            SLOWER
        }
    });
    let known = catalog::latest_embedded();
    let plan = SweepPlan {
        max_settings: 2,
        ..small_plan()
    };
    let sweep = tune::sweep_on(&mut rig, &known, &plan, &AtomicBool::new(false), |_| {}).unwrap();
    assert_eq!(sweep.trials.len(), 2);
    assert_eq!(sweep.trials[0].stage, Stage::Default);
    assert_ne!(sweep.trials[1].stage, Stage::Default);
    assert_eq!(sweep.decision.as_ref().unwrap().kept, Kept::Default);
}
