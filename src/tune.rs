//! Autotuning: sweep the fast kernel's workgroup size, nonces per
//! invocation and batch time on one adapter, keep the fastest, and cache it
//! per adapter, driver and hashwatt version, so `bench` starts from it.
//!
//! The cache is `tuning.json` in `$HASHWATT_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/hashwatt`, else `~/.cache/hashwatt`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::bench::{self, BenchOptions, StopRule};
use crate::catalog::KnownHeader;
use crate::error::{Error, Result};
use crate::gpu::{DeviceSummary, GpuAdapter, GpuSearcher, KernelConfig, KernelVariant};
use crate::output::Destination;
use crate::report::{self, KernelReport};

pub const CACHE_SCHEMA: &str = "hashwatt.tuning/1";

/// The fastest settings found for one adapter and driver.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TunedSettings {
    pub device: DeviceSummary,
    pub hashwatt_version: String,
    pub kernel: KernelReport,
    pub batch_ms: u64,
    /// The rate the winning setting reached during the sweep.
    pub hashes_per_second: f64,
    pub tuned_at: String,
}

impl TunedSettings {
    pub fn kernel_config(&self) -> Option<KernelConfig> {
        Some(KernelConfig {
            variant: KernelVariant::parse(&self.kernel.variant)?,
            workgroup_size: self.kernel.workgroup_size,
            nonces_per_invocation: self.kernel.nonces_per_invocation,
        })
    }

    fn matches(&self, device: &DeviceSummary) -> bool {
        self.device == *device && self.hashwatt_version == env!("CARGO_PKG_VERSION")
    }
}

#[derive(Serialize, Deserialize, Default)]
struct CacheFile {
    schema: String,
    entries: Vec<TunedSettings>,
}

pub fn cache_path() -> Option<PathBuf> {
    let dir = std::env::var_os("HASHWATT_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("hashwatt")))
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("hashwatt"))
        })?;
    Some(dir.join("tuning.json"))
}

fn read_cache() -> CacheFile {
    cache_path()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|text| serde_json::from_str::<CacheFile>(&text).ok())
        .filter(|cache| cache.schema == CACHE_SCHEMA)
        .unwrap_or_default()
}

/// The cached settings for this adapter and driver, if it was tuned.
pub fn lookup(device: &DeviceSummary) -> Option<TunedSettings> {
    read_cache()
        .entries
        .into_iter()
        .find(|entry| entry.matches(device))
}

/// Saves the settings, replacing any older entry for the same adapter.
pub fn store(settings: &TunedSettings) -> Result<PathBuf> {
    let path = cache_path()
        .ok_or_else(|| Error::io("no cache directory: set HASHWATT_CACHE_DIR or HOME"))?;
    let mut cache = read_cache();
    cache.schema = CACHE_SCHEMA.into();
    cache
        .entries
        .retain(|entry| entry.device != settings.device);
    cache.entries.push(settings.clone());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let text = serde_json::to_string_pretty(&cache).map_err(|e| Error::io(e.to_string()))?;
    Destination::owned(&path).write(format!("{text}\n").as_bytes())?;
    Ok(path)
}

/// What to sweep.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    pub workgroup_sizes: Vec<u32>,
    pub nonces_per_invocation: Vec<u32>,
    pub batch_ms: Vec<u64>,
    /// Timed seconds per setting, after each setting's warm-up.
    pub seconds_per_setting: f64,
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
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Trial {
    pub kernel: KernelReport,
    pub batch_ms: u64,
    pub hashes_per_second: f64,
}

/// Sweeps kernel shapes at the middle batch time, then batch times with
/// the best shape. Returns every trial and the winner.
pub fn sweep(
    adapter: &GpuAdapter,
    header: &KnownHeader,
    plan: &SweepPlan,
    mut on_trial: impl FnMut(&Trial),
) -> Result<(Vec<Trial>, TunedSettings)> {
    let limits = adapter.adapter.limits();
    let max_workgroup = limits
        .max_compute_invocations_per_workgroup
        .min(limits.max_compute_workgroup_size_x);
    let shapes: Vec<KernelConfig> = plan
        .workgroup_sizes
        .iter()
        .filter(|&&size| size <= max_workgroup)
        .flat_map(|&workgroup_size| {
            plan.nonces_per_invocation
                .iter()
                .map(move |&nonces_per_invocation| KernelConfig {
                    variant: KernelVariant::Fast,
                    workgroup_size,
                    nonces_per_invocation,
                })
        })
        .collect();
    if shapes.is_empty() {
        return Err(Error::input(
            "nothing to sweep: no workgroup size fits this adapter",
        ));
    }
    let middle_batch = plan.batch_ms[plan.batch_ms.len() / 2];
    let mut searcher = GpuSearcher::open(adapter, shapes[0])?;
    let mut trials = Vec::new();
    for shape in &shapes {
        searcher.reconfigure(*shape)?;
        let trial = measure(
            &mut searcher,
            header,
            middle_batch,
            plan.seconds_per_setting,
        )?;
        on_trial(&trial);
        trials.push(trial);
    }
    let best_shape = best(&trials).kernel.clone();
    let best_config = KernelConfig {
        variant: KernelVariant::Fast,
        workgroup_size: best_shape.workgroup_size,
        nonces_per_invocation: best_shape.nonces_per_invocation,
    };
    searcher.reconfigure(best_config)?;
    for &batch_ms in plan.batch_ms.iter().filter(|&&ms| ms != middle_batch) {
        let trial = measure(&mut searcher, header, batch_ms, plan.seconds_per_setting)?;
        on_trial(&trial);
        trials.push(trial);
    }
    let winner = best(&trials).clone();
    let settings = TunedSettings {
        device: adapter.summary(),
        hashwatt_version: env!("CARGO_PKG_VERSION").into(),
        kernel: winner.kernel,
        batch_ms: winner.batch_ms,
        hashes_per_second: winner.hashes_per_second,
        tuned_at: report::now_rfc3339(),
    };
    Ok((trials, settings))
}

fn best(trials: &[Trial]) -> &Trial {
    trials
        .iter()
        .max_by(|a, b| a.hashes_per_second.total_cmp(&b.hashes_per_second))
        .expect("at least one trial")
}

fn measure(
    searcher: &mut GpuSearcher,
    header: &KnownHeader,
    batch_ms: u64,
    seconds: f64,
) -> Result<Trial> {
    let mut options = BenchOptions::new(header.clone(), StopRule::Seconds(seconds));
    options.batch_seconds = batch_ms as f64 / 1000.0;
    options.progress = false;
    options.share_bits = Some(32);
    let outcome = bench::run(searcher, &options, &AtomicBool::new(false), None)?;
    Ok(Trial {
        kernel: KernelReport::from(searcher.config()),
        batch_ms,
        hashes_per_second: outcome.hashes_per_second(),
    })
}
