//! Running a sweep on one adapter: shapes in the order `search.rs` gives,
//! then the other batch times with the best shape, each setting compiled,
//! warmed up and timed by `bench::run` (its warm-up, its share checks by
//! sha2), within the plan's cap on settings and seconds; then the winner is
//! proven (`verify.rs`).
//!
//! A stop flag (Ctrl-C) is polled between settings and by every setting's
//! run, between batches of at most 250 ms: the sweep ends within about
//! half a second of GPU work, plus a shader compilation if one is in flight.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::plan::{fits, DroppedShape, Fit, Grid, ShapeLimits, SweepPlan};
use super::search::{ShapeSearch, Stage};
use super::verify::{verify, Verification};
use super::{Ended, Trial, TunedSettings};
use crate::bench::{self, BenchOptions, StopRule};
use crate::catalog::KnownHeader;
use crate::error::{Error, Result};
use crate::gpu::{GpuAdapter, GpuSearcher, KernelConfig};
use crate::report::KernelReport;

/// Length of one interval of a setting's time series: a 2 s setting gives
/// about 8 intervals for its spread.
const SAMPLE_SECONDS: f64 = 0.25;

/// What a sweep is doing, for a progress display.
pub enum SweepEvent<'a> {
    /// A setting is about to be compiled and measured: its number (from 1),
    /// and about how many settings the sweep will measure in all.
    Starting {
        number: usize,
        planned: usize,
        stage: Stage,
        config: KernelConfig,
        batch_ms: u64,
    },
    /// A setting was measured to the end.
    Measured(&'a Trial),
    /// The winner is being verified.
    Verifying(&'a TunedSettings),
}

/// A sweep, finished, cut by its budget or by a signal.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The shapes the adapter runs (after its limits) and those dropped.
    pub workgroup_sizes: Vec<u32>,
    pub nonces_per_invocation: Vec<u32>,
    pub dropped: Vec<DroppedShape>,
    pub limits: ShapeLimits,
    /// Every setting measured to the end, in order.
    pub trials: Vec<Trial>,
    /// The fastest of them; `None` when nothing was measured.
    pub best: Option<TunedSettings>,
    /// The winner's proof; `None` when there is no winner or the sweep was
    /// interrupted before it.
    pub verification: Option<Verification>,
    pub ended: Ended,
    /// Wall-clock seconds, compilation, warm-ups and verification included.
    pub seconds: f64,
}

impl Sweep {
    /// A signal ended the sweep early: `best` is the best so far, and is
    /// not cached.
    pub fn interrupted(&self) -> bool {
        self.ended == Ended::Interrupted
    }
}

/// The sweep, ending within about a second of `stop` being set, with what
/// was measured until then.
pub fn sweep_until(
    adapter: &GpuAdapter,
    header: &KnownHeader,
    plan: &SweepPlan,
    stop: &AtomicBool,
    mut on_event: impl FnMut(SweepEvent<'_>),
) -> Result<Sweep> {
    plan.check().map_err(Error::input)?;
    let started = Instant::now();
    let limits = ShapeLimits::of(&adapter.adapter.limits());
    let (grid, dropped) = Grid::fit(plan, &limits);
    if grid.is_empty() {
        return Err(Error::input(format!(
            "nothing to sweep: no kernel shape fits {} (largest workgroup {})",
            adapter.label(),
            limits.max_workgroup()
        )));
    }
    let mut sweep = Sweep {
        workgroup_sizes: grid.workgroup_sizes.clone(),
        nonces_per_invocation: grid.nonces_per_invocation.clone(),
        dropped,
        limits,
        trials: Vec::new(),
        best: None,
        verification: None,
        ended: Ended::Complete,
        seconds: 0.0,
    };
    let stopped = || stop.load(Ordering::Relaxed);
    let other_batches = plan.other_batch_ms();
    let shape_cap = plan.max_settings.saturating_sub(other_batches.len()).max(1);
    let mut search = ShapeSearch::new(grid);
    let mut searcher: Option<GpuSearcher> = None;
    // What compilation and warm-up cost per setting so far, for the budget.
    let mut overhead = Overhead::default();

    let mut ended = None;
    // Settings started, measured to the end or not.
    let mut started_settings = 0;
    let mut shapes_capped = false;
    let planned = |search: &ShapeSearch, done: usize| {
        (done + search.remaining_estimate() + other_batches.len()).min(plan.max_settings)
    };
    loop {
        if stopped() {
            ended = Some(Ended::Interrupted);
            break;
        }
        let done = started_settings;
        if search.measured() >= shape_cap {
            // The rest of the cap is kept for the batch times.
            shapes_capped = search.next_shape().is_some();
            break;
        }
        let Some((stage, position)) = search.next_shape() else {
            break;
        };
        if let Some(why) = out_of_budget(done, started.elapsed().as_secs_f64(), &overhead, plan) {
            ended = Some(why);
            break;
        }
        let config = search.grid().config(position.0, position.1);
        let batch_ms = plan.shape_batch_ms();
        on_event(SweepEvent::Starting {
            number: done + 1,
            planned: planned(&search, done),
            stage,
            config,
            batch_ms,
        });
        started_settings += 1;
        let trial = measure(
            adapter,
            &mut searcher,
            config,
            header,
            batch_ms,
            stage,
            plan,
            stop,
        )?;
        search.record(position, trial.as_ref().map(|t| t.hashes_per_second));
        if let Some(trial) = trial {
            overhead.add(&trial);
            on_event(SweepEvent::Measured(&trial));
            sweep.trials.push(trial);
        }
    }
    if let (None, Some(best)) = (ended, search.best()) {
        let config = search.grid().config(best.0, best.1);
        for &batch_ms in &other_batches {
            if stopped() {
                ended = Some(Ended::Interrupted);
                break;
            }
            let done = started_settings;
            if let Some(why) = out_of_budget(done, started.elapsed().as_secs_f64(), &overhead, plan)
            {
                ended = Some(why);
                break;
            }
            on_event(SweepEvent::Starting {
                number: done + 1,
                planned: (done + 1 + other_batches.len()).min(plan.max_settings),
                stage: Stage::Batch,
                config,
                batch_ms,
            });
            started_settings += 1;
            let trial = measure(
                adapter,
                &mut searcher,
                config,
                header,
                batch_ms,
                Stage::Batch,
                plan,
                stop,
            )?;
            if let Some(trial) = trial {
                overhead.add(&trial);
                on_event(SweepEvent::Measured(&trial));
                sweep.trials.push(trial);
            }
        }
    }
    sweep.ended = if stopped() {
        Ended::Interrupted
    } else {
        ended.unwrap_or(if shapes_capped {
            Ended::SettingsCap
        } else {
            Ended::Complete
        })
    };
    sweep.best = super::best(&sweep.trials).map(|winner| winner.settings(adapter));
    if let (Some(best), false) = (&sweep.best, sweep.interrupted()) {
        on_event(SweepEvent::Verifying(best));
        let config = best
            .kernel_config()
            .expect("a sweep measures the fast kernel");
        let searcher = open(adapter, &mut searcher, config)?;
        sweep.verification = Some(verify(searcher, header)?);
    }
    sweep.seconds = started.elapsed().as_secs_f64();
    Ok(sweep)
}

/// The searcher with `config` compiled: opened on first use, recompiled
/// when the shape changes.
fn open<'a>(
    adapter: &GpuAdapter,
    searcher: &'a mut Option<GpuSearcher>,
    config: KernelConfig,
) -> Result<&'a mut GpuSearcher> {
    match searcher {
        Some(opened) => {
            opened.reconfigure(config)?;
        }
        None => *searcher = Some(GpuSearcher::open(adapter, config)?),
    }
    Ok(searcher.as_mut().expect("opened above"))
}

/// One setting: compiled (timed), then `bench::run` with its warm-up and
/// share checks. `None` when a signal cut its run short (a partial run is
/// not a fair comparison) or nothing was timed.
#[allow(clippy::too_many_arguments)]
fn measure(
    adapter: &GpuAdapter,
    searcher: &mut Option<GpuSearcher>,
    config: KernelConfig,
    header: &KnownHeader,
    batch_ms: u64,
    stage: Stage,
    plan: &SweepPlan,
    stop: &AtomicBool,
) -> Result<Option<Trial>> {
    let compiling = Instant::now();
    let same = searcher.as_ref().is_some_and(|s| s.config() == config);
    let searcher = open(adapter, searcher, config)?;
    let compile_seconds = if same {
        0.0
    } else {
        compiling.elapsed().as_secs_f64()
    };
    let mut options =
        BenchOptions::new(header.clone(), StopRule::Seconds(plan.seconds_per_setting));
    options.batch_seconds = batch_ms as f64 / 1000.0;
    options.progress = false;
    options.sample_seconds = SAMPLE_SECONDS;
    // Shares at the default difficulty (1,024 to 2,048 a setting), each
    // checked by sha2: a shape that reports a wrong nonce fails the sweep,
    // and so does one whose shares are too few for the nonces it claims
    // (a shape that skips nonces looks faster than it is).
    options.share_bits = None;
    let outcome = bench::run(searcher, &options, stop, None)?;
    let rate = outcome.hashes_per_second();
    let Some(warmup) = outcome.warmup.clone() else {
        return Ok(None);
    };
    if outcome.interrupted {
        return Ok(None);
    }
    let proof = outcome.proof();
    if let Some(why) = proof.failure() {
        return Err(Error::check_failed(format!(
            "the setting {config} at {batch_ms} ms: {why}; nothing was cached"
        )));
    }
    if outcome.nonces == 0 || !(rate > 0.0 && rate.is_finite()) {
        return Ok(None);
    }
    Ok(Some(Trial {
        kernel: KernelReport::from(config),
        batch_ms,
        hashes_per_second: rate,
        stage,
        compile_seconds,
        warmup,
        seconds: outcome.seconds,
        nonces: outcome.nonces,
        share_bits: outcome.share_bits,
        shares_verified: outcome.shares_verified,
        proof_of_work: proof,
        spread: outcome.sample_spread(),
    }))
}

/// Why the next setting may not start, if it may not.
fn out_of_budget(
    done: usize,
    elapsed: f64,
    overhead: &Overhead,
    plan: &SweepPlan,
) -> Option<Ended> {
    match fits(done, elapsed, overhead.estimate(plan), plan) {
        Fit::Yes => None,
        Fit::SettingsCap => Some(Ended::SettingsCap),
        Fit::TimeBudget => Some(Ended::TimeBudget),
    }
}

/// The mean cost of compiling and warming up a setting so far.
#[derive(Default)]
struct Overhead {
    seconds: f64,
    settings: usize,
}

impl Overhead {
    fn add(&mut self, trial: &Trial) {
        self.seconds += trial.compile_seconds + trial.warmup.seconds;
        self.settings += 1;
    }

    /// The next setting's estimated cost: its timed seconds plus the mean
    /// overhead so far (none before the first).
    fn estimate(&self, plan: &SweepPlan) -> f64 {
        let mean = if self.settings == 0 {
            0.0
        } else {
            self.seconds / self.settings as f64
        };
        plan.seconds_per_setting + mean
    }
}
