//! Autotuning: search the fast kernel's workgroup size (32 to 1024),
//! nonces per invocation (1 to 32) and batch time on one adapter, within a
//! cap on settings and seconds; keep the fastest only if it beats the
//! untuned default, measured in the same sweep, by more than the spread;
//! prove it against sha2, and cache it per adapter, driver and hashwatt
//! version, so `bench` starts from it.
//!
//! - `plan.rs`: the grid fitted to the adapter's limits, and the budget;
//! - `search.rs`: coarse to fine, which shape comes next;
//! - `rig.rs`: what the sweep compiles settings on (a GPU; a paced stand-in
//!   in tests);
//! - `measure.rs`: one setting, with bench's warm-up;
//! - `sweep.rs`: running it all, interruptible;
//! - `decide.rs`: the candidate against the default;
//! - `verify.rs`: the kept setting's proof;
//! - `cache.rs`: the cache and how it is read and changed.

use serde::{Deserialize, Serialize};

use crate::bench::{Spread, Warmup};
use crate::chain::catalog::KnownHeader;
use crate::error::{Error, Result};
use crate::gpu::GpuAdapter;
use crate::report::KernelReport;

mod cache;
pub mod decide;
mod measure;
pub mod plan;
pub mod rig;
pub mod search;
mod sweep;

pub use crate::verify::tuned::Verification;
pub use cache::{
    cache_path, lookup, lookup_for, parse_cache, prepare_store, settle, settle_in, store, store_in,
    CacheChange, CacheContents, CacheFile as TuningCache, TunedSettings, CACHE_SCHEMA,
    MAX_CACHED_BATCH_MS,
};
pub use decide::{Decision, Kept, Setting};
pub use plan::{DroppedShape, ShapeLimits, SweepPlan};
pub use rig::{GpuRig, Rig};
pub use search::Stage;
pub use sweep::{sweep_on, sweep_until, Sweep, SweepEvent};

/// One measured setting.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SettingTrial {
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
    pub proof_of_work: crate::verify::proof::ProofOfWork,
    /// Spread of the rate over intervals of 0.25 s; null when none closed.
    pub spread: Option<Spread>,
}

impl SettingTrial {
    fn settings(&self, device: &crate::gpu::DeviceSummary) -> TunedSettings {
        TunedSettings {
            device: device.clone(),
            hashwatt_version: env!("CARGO_PKG_VERSION").into(),
            kernel: self.kernel.clone(),
            batch_ms: self.batch_ms,
            hashes_per_second: self.hashes_per_second,
            tuned_at: crate::units::now_rfc3339(),
        }
    }

    /// The kernel this trial ran; `None` for a variant no build knows.
    pub fn kernel_config(&self) -> Option<crate::kernel::KernelConfig> {
        Some(crate::kernel::KernelConfig {
            variant: crate::kernel::KernelVariant::parse(&self.kernel.variant)?,
            workgroup_size: self.kernel.workgroup_size,
            nonces_per_invocation: self.kernel.nonces_per_invocation,
        })
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

/// `hashwatt.tune/4`: trials are the settings a bounded search measured
/// (not the whole grid), the untuned default first, each with its compile,
/// warm-up and spread; each result has its plan, why it ended, the
/// decision between the fastest other setting and the default (with the
/// confirmation runs), what was done to the cache, and the kept setting's
/// verification, whose hit-set check carries the proof of work and the
/// first nonce the sets disagree on, as `verify`'s does. (`/3` had a
/// hit-set check of its own shape; `/2` had no default, decision or cache
/// action.)
pub const TUNE_SCHEMA: &str = "hashwatt.tune/4";

/// `hashwatt tune --json`: one result per adapter swept.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TuneReport {
    /// `hashwatt.tune/4`.
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
    /// The settings measured, the untuned default first (stage `default`).
    pub trials: Vec<SettingTrial>,
    /// The fastest trial, the default included; not necessarily what is
    /// cached (see `decision`).
    pub best: Option<TunedSettings>,
    /// The fastest other setting against the default, and which `bench`
    /// runs from now on; null when the sweep was interrupted first.
    pub decision: Option<Decision>,
    /// The kept setting (the candidate, or the default) searched again
    /// against sha2; null when nothing was decided.
    pub verification: Option<Verification>,
    pub ended: Ended,
    pub interrupted: bool,
    /// Wall-clock seconds of the sweep, compilation, warm-ups,
    /// confirmation and verification included.
    pub seconds: f64,
    /// The cache file the tuned setting was saved to, or an earlier entry
    /// removed from; null when it was not touched.
    pub cache: Option<String>,
    /// What was done to the cache: `stored` (the tuned setting), `removed`
    /// (an earlier entry for this adapter: the default stays), `unchanged`
    /// (the default stays and nothing was cached for it); null when the
    /// sweep was interrupted or failed.
    pub cache_action: Option<CacheAction>,
}

/// What `tune` did to the cache.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CacheAction {
    Stored,
    Removed,
    Unchanged,
}

impl TuneResult {
    pub fn new(
        adapter: &GpuAdapter,
        plan: &SweepPlan,
        sweep: &Sweep,
        change: Option<&CacheChange>,
    ) -> Self {
        let (cache, cache_action) = match change {
            Some(CacheChange::Stored(path)) => {
                (Some(path.display().to_string()), Some(CacheAction::Stored))
            }
            Some(CacheChange::Removed(path, _)) => {
                (Some(path.display().to_string()), Some(CacheAction::Removed))
            }
            Some(CacheChange::Unchanged) => (None, Some(CacheAction::Unchanged)),
            None => (None, None),
        };
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
            decision: sweep.decision.clone(),
            verification: sweep.verification.clone(),
            ended: sweep.ended,
            interrupted: sweep.interrupted(),
            seconds: sweep.seconds,
            cache,
            cache_action,
        }
    }
}

/// What a finished sweep leaves for the cache: the tuned setting, proven,
/// or `None` when the default stays; an error when the sweep was
/// interrupted or decided nothing, or when the kept setting failed its
/// verification.
pub fn winner(sweep: &Sweep) -> Result<Option<TunedSettings>> {
    let Some(decision) = sweep.decision.as_ref().filter(|_| !sweep.interrupted()) else {
        return Err(Error::device(format!(
            "tuning {} after {} settings; nothing was cached",
            if sweep.interrupted() {
                "interrupted"
            } else {
                "decided nothing"
            },
            sweep.trials.len(),
        )));
    };
    let setting = match &decision.tuned {
        Some(tuned) => format!(
            "the tuned setting (workgroup {} x {} nonces)",
            tuned.kernel.workgroup_size, tuned.kernel.nonces_per_invocation
        ),
        None => format!(
            "the default setting (workgroup {} x {} nonces)",
            decision.default.kernel.workgroup_size, decision.default.kernel.nonces_per_invocation
        ),
    };
    match &sweep.verification {
        Some(v) if v.passed => Ok(decision.tuned.clone()),
        _ => Err(Error::check_failed(format!(
            "{setting} failed its check against sha2 ({}); nothing was cached",
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
/// `bench --tune`: the proven tuned setting (`None`: the default stays), or
/// an error.
pub fn sweep(
    adapter: &GpuAdapter,
    header: &KnownHeader,
    plan: &SweepPlan,
) -> Result<(Sweep, Option<TunedSettings>)> {
    let sweep = sweep_until(adapter, header, plan, crate::signals::stop_flag(), |_| {})?;
    let kept = winner(&sweep)?;
    Ok((sweep, kept))
}

/// The fastest trial.
pub fn best(trials: &[SettingTrial]) -> Option<&SettingTrial> {
    trials
        .iter()
        .filter(|t| t.hashes_per_second.is_finite())
        .max_by(|a, b| a.hashes_per_second.total_cmp(&b.hashes_per_second))
}

/// The trials fastest first, each with its rate as a fraction of the best.
pub fn ranking(trials: &[SettingTrial]) -> Vec<(&SettingTrial, f64)> {
    let top = best(trials).map_or(0.0, |t| t.hashes_per_second);
    let mut ranked: Vec<&SettingTrial> = trials.iter().collect();
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
