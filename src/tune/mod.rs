//! Autotuning: search the fast kernel's workgroup size (32 to 1024),
//! nonces per invocation (1 to 32) and batch time on one adapter, within a
//! cap on settings and seconds, prove the fastest against sha2, and cache
//! it per adapter, driver and hashwatt version, so `bench` starts from it.
//!
//! - `plan.rs`: the grid fitted to the adapter's limits, and the budget;
//! - `search.rs`: coarse to fine, which shape comes next;
//! - `sweep.rs`: running it, interruptible, with bench's warm-up;
//! - `verify.rs`: the winner's proof;
//! - `cache.rs`: the cache and how it is read.

use serde::{Deserialize, Serialize};

use crate::bench::{Spread, Warmup};
use crate::catalog::KnownHeader;
use crate::error::{Error, Result};
use crate::gpu::GpuAdapter;
use crate::report::{self, KernelReport};

mod cache;
pub mod plan;
pub mod search;
mod sweep;
pub mod verify;

pub use cache::{
    cache_path, lookup, lookup_for, parse_cache, prepare_store, store, store_in, CacheContents,
    CacheFile as TuningCache, TunedSettings, CACHE_SCHEMA, MAX_CACHED_BATCH_MS,
};
pub use plan::{DroppedShape, ShapeLimits, SweepPlan};
pub use search::Stage;
pub use sweep::{sweep_until, Sweep, SweepEvent};
pub use verify::Verification;

/// One measured setting.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Trial {
    pub kernel: KernelReport,
    pub batch_ms: u64,
    /// Nonces over timed seconds, after the warm-up.
    pub hashes_per_second: f64,
    pub stage: Stage,
    /// Seconds creating the pipeline for this shape (0 when the shape was
    /// already compiled). Drivers that compile at the first dispatch
    /// (lavapipe) spend the rest in `warmup.first_dispatch_seconds`.
    pub compile_seconds: f64,
    /// `bench`'s warm-up for this setting.
    pub warmup: Warmup,
    /// Timed seconds.
    pub seconds: f64,
    pub nonces: u64,
    pub share_bits: u32,
    /// Shares found and checked by sha2 (a wrong one fails the sweep).
    pub shares_verified: u64,
    /// The shares against those the nonces imply; a setting whose proof
    /// fails ends the sweep with an error (see the README's "Proof of work").
    pub proof_of_work: crate::proof::ProofOfWork,
    /// Spread of the rate over intervals of 0.25 s; null when none closed.
    pub spread: Option<Spread>,
}

impl Trial {
    fn settings(&self, adapter: &GpuAdapter) -> TunedSettings {
        TunedSettings {
            device: adapter.summary(),
            hashwatt_version: env!("CARGO_PKG_VERSION").into(),
            kernel: self.kernel.clone(),
            batch_ms: self.batch_ms,
            hashes_per_second: self.hashes_per_second,
            tuned_at: report::now_rfc3339(),
        }
    }
}

/// Why a sweep ended.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Ended {
    /// The search had nothing left to try.
    Complete,
    /// It reached the cap on settings (`--max-settings`).
    SettingsCap,
    /// The next setting would not have fitted in `--max-seconds`.
    TimeBudget,
    /// A signal (Ctrl-C) or the stop flag.
    Interrupted,
}

impl Ended {
    pub fn describe(self) -> &'static str {
        match self {
            Ended::Complete => "complete",
            Ended::SettingsCap => "stopped at the cap on settings",
            Ended::TimeBudget => "stopped at the time budget",
            Ended::Interrupted => "interrupted",
        }
    }
}

/// `hashwatt.tune/2`: trials are the settings a bounded search measured
/// (not the whole grid), each with its compile, warm-up and spread; each
/// result has its plan, why it ended, and the winner's verification.
pub const TUNE_SCHEMA: &str = "hashwatt.tune/2";

/// `hashwatt tune --json`: one result per adapter swept.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TuneReport {
    /// `hashwatt.tune/2`.
    pub schema: String,
    pub results: Vec<TuneResult>,
}

/// What a sweep was allowed to try and spend.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanReport {
    /// Workgroup sizes and nonces per invocation the adapter runs (the
    /// shapes searched are among their pairs).
    pub workgroup_sizes: Vec<u32>,
    pub nonces_per_invocation: Vec<u32>,
    /// Shapes of the full range the adapter cannot run, and why.
    pub dropped: Vec<DroppedShape>,
    pub limits: ShapeLimits,
    /// Batch times tried; shapes are compared at the middle one.
    pub batch_ms: Vec<u64>,
    pub seconds_per_setting: f64,
    pub max_settings: usize,
    pub max_seconds: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TuneResult {
    pub device: crate::gpu::DeviceSummary,
    pub plan: PlanReport,
    pub trials: Vec<Trial>,
    pub best: Option<TunedSettings>,
    /// The winner searched again against sha2 before it was cached; null
    /// when there is no winner or the sweep was interrupted first.
    pub verification: Option<Verification>,
    pub ended: Ended,
    pub interrupted: bool,
    /// Wall-clock seconds of the sweep, compilation, warm-ups and
    /// verification included.
    pub seconds: f64,
    /// The cache file the best setting was saved to; null when it was not.
    pub cache: Option<String>,
}

impl TuneResult {
    pub fn new(
        adapter: &GpuAdapter,
        plan: &SweepPlan,
        sweep: &Sweep,
        cache: Option<String>,
    ) -> Self {
        TuneResult {
            device: adapter.summary(),
            plan: PlanReport {
                workgroup_sizes: sweep.workgroup_sizes.clone(),
                nonces_per_invocation: sweep.nonces_per_invocation.clone(),
                dropped: sweep.dropped.clone(),
                limits: sweep.limits,
                batch_ms: plan.batch_ms.clone(),
                seconds_per_setting: plan.seconds_per_setting,
                max_settings: plan.max_settings,
                max_seconds: plan.max_seconds,
            },
            trials: sweep.trials.clone(),
            best: sweep.best.clone(),
            verification: sweep.verification.clone(),
            ended: sweep.ended,
            interrupted: sweep.interrupted(),
            seconds: sweep.seconds,
            cache,
        }
    }
}

/// A finished sweep's proven winner, ready to cache: an error when the
/// sweep was interrupted or measured nothing, or when the winner failed
/// its verification.
pub fn winner(sweep: &Sweep) -> Result<TunedSettings> {
    let Some(best) = sweep.best.clone().filter(|_| !sweep.interrupted()) else {
        return Err(Error::device(format!(
            "tuning {} after {} settings; nothing was cached",
            if sweep.interrupted() {
                "interrupted"
            } else {
                "measured nothing"
            },
            sweep.trials.len(),
        )));
    };
    match &sweep.verification {
        Some(v) if v.passed => Ok(best),
        _ => Err(Error::check_failed(format!(
            "the fastest setting (workgroup {} x {} nonces) failed its check against sha2 \
({}); nothing was cached",
            best.kernel.workgroup_size,
            best.kernel.nonces_per_invocation,
            sweep
                .verification
                .as_ref()
                .map_or("not run".to_string(), describe_failure)
        ))),
    }
}

fn describe_failure(v: &Verification) -> String {
    let mut parts = Vec::new();
    if let Some(w) = &v.window {
        if !w.found {
            parts.push(format!(
                "nonces {}..{} did not yield the real nonce {}",
                w.start,
                w.start as u64 + w.nonces,
                w.real_nonce
            ));
        }
    }
    let h = &v.hit_set;
    if !h.equal {
        parts.push(format!(
            "{} hits over nonces {}..{} at {} bits where sha2 finds {}",
            h.device_hits,
            h.start,
            h.start as u64 + h.nonces,
            h.share_bits,
            h.sha2_hits
        ));
    }
    parts.join("; ")
}

/// The sweep run to its end with the process's stop flag (Ctrl-C), for
/// `bench --tune`: the proven winner, or an error.
pub fn sweep(
    adapter: &GpuAdapter,
    header: &KnownHeader,
    plan: &SweepPlan,
) -> Result<(Sweep, TunedSettings)> {
    let sweep = sweep_until(adapter, header, plan, crate::signals::stop_flag(), |_| {})?;
    let best = winner(&sweep)?;
    Ok((sweep, best))
}

/// The fastest trial.
pub fn best(trials: &[Trial]) -> Option<&Trial> {
    trials
        .iter()
        .filter(|t| t.hashes_per_second.is_finite())
        .max_by(|a, b| a.hashes_per_second.total_cmp(&b.hashes_per_second))
}

/// The trials fastest first, each with its rate as a fraction of the best.
pub fn ranking(trials: &[Trial]) -> Vec<(&Trial, f64)> {
    let top = best(trials).map_or(0.0, |t| t.hashes_per_second);
    let mut ranked: Vec<&Trial> = trials.iter().collect();
    ranked.sort_by(|a, b| b.hashes_per_second.total_cmp(&a.hashes_per_second));
    ranked
        .into_iter()
        .map(|t| {
            (
                t,
                if top > 0.0 {
                    t.hashes_per_second / top
                } else {
                    0.0
                },
            )
        })
        .collect()
}
