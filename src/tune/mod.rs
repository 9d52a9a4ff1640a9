//! Autotuning: sweep the fast kernel's workgroup size, nonces per
//! invocation and batch time on one adapter, keep the fastest, and cache it
//! per adapter, driver and hashwatt version, so `bench` starts from it.
//!
//! The cache and how it is read are in `tune/cache.rs`.

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::bench::{self, BenchOptions, StopRule};
use crate::catalog::KnownHeader;
use crate::error::{Error, Result};
use crate::gpu::{GpuAdapter, GpuSearcher, KernelConfig, KernelVariant};
use crate::report::{self, KernelReport};

mod cache;

pub use cache::{
    cache_path, lookup, lookup_for, parse_cache, store, CacheContents, CacheFile as TuningCache,
    TunedSettings, CACHE_SCHEMA, MAX_CACHED_BATCH_MS,
};

/// What to sweep.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    pub workgroup_sizes: Vec<u32>,
    pub nonces_per_invocation: Vec<u32>,
    pub batch_ms: Vec<u64>,
    /// Timed seconds per setting, after each setting's warm-up.
    pub seconds_per_setting: f64,
}

impl SweepPlan {
    /// Settings the sweep measures at most: every shape, then every other
    /// batch time (shapes over the adapter's limits are skipped).
    pub fn settings(&self) -> usize {
        self.workgroup_sizes.len() * self.nonces_per_invocation.len()
            + self.batch_ms.len().saturating_sub(1)
    }
}

impl Default for SweepPlan {
    fn default() -> Self {
        SweepPlan {
            workgroup_sizes: vec![64, 128, 256, 512],
            nonces_per_invocation: vec![1, 2, 4, 8],
            batch_ms: vec![50, 100, 250, 500],
            seconds_per_setting: 2.0,
        }
    }
}

/// One measured setting.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Trial {
    pub kernel: KernelReport,
    pub batch_ms: u64,
    pub hashes_per_second: f64,
}

pub const TUNE_SCHEMA: &str = "hashwatt.tune/1";

/// `hashwatt tune --json`: one result per adapter swept.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TuneReport {
    /// `hashwatt.tune/1`.
    pub schema: String,
    pub results: Vec<TuneResult>,
}

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TuneResult {
    pub device: crate::gpu::DeviceSummary,
    pub trials: Vec<Trial>,
    pub best: Option<TunedSettings>,
    pub interrupted: bool,
    /// The cache file the best setting was saved to; null when it was not.
    pub cache: Option<String>,
}

/// A sweep, finished or cut short by a signal.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Every setting measured to the end.
    pub trials: Vec<Trial>,
    /// The fastest of them; `None` when a signal came before the first
    /// setting finished.
    pub best: Option<TunedSettings>,
    /// A signal ended the sweep early: `best` is the best so far, and is
    /// not cached.
    pub interrupted: bool,
    /// How many settings the whole sweep has.
    pub planned: usize,
}

/// Sweeps kernel shapes at the middle batch time, then batch times with
/// the best shape. Returns every trial and the winner. A signal (Ctrl-C)
/// makes this an error saying the sweep was interrupted: see [`sweep_until`]
/// for the partial result.
pub fn sweep(
    adapter: &GpuAdapter,
    header: &KnownHeader,
    plan: &SweepPlan,
    on_trial: impl FnMut(&Trial),
) -> Result<(Vec<Trial>, TunedSettings)> {
    let sweep = sweep_until(adapter, header, plan, on_trial)?;
    match (sweep.interrupted, sweep.best) {
        (false, Some(best)) => Ok((sweep.trials, best)),
        _ => Err(Error::device(format!(
            "tuning interrupted after {} of {} settings; nothing was cached",
            sweep.trials.len(),
            sweep.planned
        ))),
    }
}

/// The sweep, ending within about a second of Ctrl-C or SIGTERM (the stop
/// flag is polled between settings and by every setting's run), with what
/// was measured until then.
pub fn sweep_until(
    adapter: &GpuAdapter,
    header: &KnownHeader,
    plan: &SweepPlan,
    mut on_trial: impl FnMut(&Trial),
) -> Result<Sweep> {
    if !(plan.seconds_per_setting > 0.0 && plan.seconds_per_setting.is_finite()) {
        return Err(Error::input(format!(
            "seconds per setting must be a positive number, got {}",
            plan.seconds_per_setting
        )));
    }
    let limits = adapter.adapter.limits();
    let max_workgroup = limits
        .max_compute_invocations_per_workgroup
        .min(limits.max_compute_workgroup_size_x);
    let shapes: Vec<KernelConfig> = plan
        .workgroup_sizes
        .iter()
        .flat_map(|&workgroup_size| {
            plan.nonces_per_invocation
                .iter()
                .map(move |&nonces_per_invocation| KernelConfig {
                    variant: KernelVariant::Fast,
                    workgroup_size,
                    nonces_per_invocation,
                })
        })
        .filter(|shape| shape.check(max_workgroup).is_ok())
        .collect();
    if shapes.is_empty() || plan.batch_ms.is_empty() {
        return Err(Error::input(
            "nothing to sweep: no workgroup size fits this adapter",
        ));
    }
    let middle_batch = plan.batch_ms[plan.batch_ms.len() / 2];
    let other_batches: Vec<u64> = plan
        .batch_ms
        .iter()
        .copied()
        .filter(|&ms| ms != middle_batch)
        .collect();
    let mut sweep = Sweep {
        trials: Vec::new(),
        best: None,
        interrupted: false,
        planned: shapes.len() + other_batches.len(),
    };
    let stop = crate::signals::stop_flag();
    let stopped = || crate::signals::stop_requested();
    let mut searcher = GpuSearcher::open(adapter, shapes[0])?;
    for shape in &shapes {
        if stopped() {
            break;
        }
        searcher.reconfigure(*shape)?;
        if let Some(trial) = measure(&mut searcher, header, middle_batch, plan, stop)? {
            on_trial(&trial);
            sweep.trials.push(trial);
        }
    }
    if let Some(best_shape) = best(&sweep.trials).map(|t| t.kernel.clone()) {
        let best_config = KernelConfig {
            variant: KernelVariant::Fast,
            workgroup_size: best_shape.workgroup_size,
            nonces_per_invocation: best_shape.nonces_per_invocation,
        };
        if !stopped() {
            searcher.reconfigure(best_config)?;
        }
        for &batch_ms in &other_batches {
            if stopped() {
                break;
            }
            if let Some(trial) = measure(&mut searcher, header, batch_ms, plan, stop)? {
                on_trial(&trial);
                sweep.trials.push(trial);
            }
        }
    }
    sweep.interrupted = stopped();
    sweep.best = best(&sweep.trials).cloned().map(|winner| TunedSettings {
        device: adapter.summary(),
        hashwatt_version: env!("CARGO_PKG_VERSION").into(),
        kernel: winner.kernel,
        batch_ms: winner.batch_ms,
        hashes_per_second: winner.hashes_per_second,
        tuned_at: report::now_rfc3339(),
    });
    Ok(sweep)
}

fn best(trials: &[Trial]) -> Option<&Trial> {
    trials
        .iter()
        .filter(|t| t.hashes_per_second.is_finite())
        .max_by(|a, b| a.hashes_per_second.total_cmp(&b.hashes_per_second))
}

/// One setting's rate, or `None` when a signal cut its run short (a partial
/// run is not a fair comparison) or nothing was timed.
fn measure(
    searcher: &mut GpuSearcher,
    header: &KnownHeader,
    batch_ms: u64,
    plan: &SweepPlan,
    stop: &AtomicBool,
) -> Result<Option<Trial>> {
    let mut options =
        BenchOptions::new(header.clone(), StopRule::Seconds(plan.seconds_per_setting));
    options.batch_seconds = batch_ms as f64 / 1000.0;
    options.progress = false;
    options.share_bits = Some(32);
    let outcome = bench::run(searcher, &options, stop, None)?;
    let rate = outcome.hashes_per_second();
    if outcome.interrupted || outcome.nonces == 0 || !(rate > 0.0 && rate.is_finite()) {
        return Ok(None);
    }
    Ok(Some(Trial {
        kernel: KernelReport::from(searcher.config()),
        batch_ms,
        hashes_per_second: rate,
    }))
}
