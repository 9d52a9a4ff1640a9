//! Running a sweep on one device: the untuned default first, then shapes
//! in the order `search.rs` gives, then the other batch times with the best
//! shape, each setting compiled, warmed up and timed by `bench::run` (its
//! warm-up, its share checks by sha2), within the plan's cap on settings
//! and seconds; then the fastest other setting against the default in
//! alternating runs (`decide.rs`), and the setting kept is proven
//! (`verify.rs`).
//!
//! A stop flag (Ctrl-C) is polled between settings and by every setting's
//! run, between batches of at most 250 ms: the sweep ends within about
//! half a second of GPU work, plus a shader compilation if one is in flight.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::decide::{self, Decision, Role, CONFIRM_ORDER};
use super::measure::{measure, Overhead};
use super::plan::{fits, DroppedShape, Fit, Grid, ShapeLimits, SweepPlan};
use super::rig::{GpuRig, Rig};
use super::search::{ShapeSearch, Stage};
use super::{Ended, SettingTrial, TunedSettings};
use crate::chain::catalog::KnownHeader;
use crate::error::{Error, Result};
use crate::gpu::GpuAdapter;
use crate::kernel::KernelConfig;
use crate::verify::tuned::{verify, Verification};

/// What a sweep is doing, for a progress display.
pub enum SweepEvent<'a> {
    /// A setting is about to be compiled and measured: its number (from 1;
    /// the confirmation's runs are numbered on from the search's), and
    /// about how many settings the sweep will measure in all.
    Starting {
        number: usize,
        planned: usize,
        stage: Stage,
        config: KernelConfig,
        batch_ms: u64,
    },
    /// A setting was measured to the end (a confirmation run has the stage
    /// `Confirm`).
    Measured(&'a SettingTrial),
    /// The setting kept is being verified.
    Verifying { config: KernelConfig, batch_ms: u64 },
}

/// A sweep, finished, cut by its budget or by a signal.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The shapes the adapter runs (after its limits) and those dropped.
    pub workgroup_sizes: Vec<u32>,
    pub nonces_per_invocation: Vec<u32>,
    pub dropped: Vec<DroppedShape>,
    pub limits: ShapeLimits,
    /// Every setting measured to the end, in order, the default first.
    pub trials: Vec<SettingTrial>,
    /// The fastest of them; `None` when nothing was measured.
    pub best: Option<TunedSettings>,
    /// The default or the candidate, and why; `None` when the sweep was
    /// interrupted before it was decided.
    pub decision: Option<Decision>,
    /// The proof of the setting kept (the candidate, or the default);
    /// `None` when nothing was decided.
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

/// The sweep on a GPU adapter, ending within about a second of `stop`
/// being set, with what was measured until then.
pub fn sweep_until(
    adapter: &GpuAdapter,
    header: &KnownHeader,
    plan: &SweepPlan,
    stop: &AtomicBool,
    on_event: impl FnMut(SweepEvent<'_>),
) -> Result<Sweep> {
    sweep_on(&mut GpuRig::new(adapter), header, plan, stop, on_event)
}

/// [`sweep_until`] on any [`Rig`].
pub fn sweep_on(
    rig: &mut dyn Rig,
    header: &KnownHeader,
    plan: &SweepPlan,
    stop: &AtomicBool,
    mut on_event: impl FnMut(SweepEvent<'_>),
) -> Result<Sweep> {
    plan.check().map_err(Error::input)?;
    let started = Instant::now();
    let limits = rig.limits();
    let (grid, dropped) = Grid::fit(plan, &limits);
    if grid.is_empty() {
        return Err(Error::input(format!(
            "nothing to sweep: no kernel shape fits {} (largest workgroup {})",
            rig.label(),
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
        decision: None,
        verification: None,
        ended: Ended::Complete,
        seconds: 0.0,
    };
    let stopped = || stop.load(Ordering::Relaxed);
    let other_batches = plan.other_batch_ms();
    // The default's slot is kept first, the batch times' last.
    let shape_cap = plan
        .max_settings
        .saturating_sub(1 + other_batches.len())
        .max(1);
    let mut search = ShapeSearch::new(grid);
    // What compilation and warm-up cost per setting so far, for the budget.
    let mut overhead = Overhead::default();
    // The confirmation's runs, kept aside from the start of the search.
    let reserve = |overhead: &Overhead| CONFIRM_ORDER.len() as f64 * overhead.estimate(plan);
    let planned = |search: &ShapeSearch, done: usize| {
        (done + search.remaining_estimate() + other_batches.len()).min(plan.max_settings)
    };

    // 1. The untuned default, as bench runs it with nothing cached.
    let (default_config, default_ms) = (decide::default_config(), decide::default_batch_ms());
    on_event(SweepEvent::Starting {
        number: 1,
        planned: planned(&search, 1),
        stage: Stage::Default,
        config: default_config,
        batch_ms: default_ms,
    });
    let mut started_settings = 1;
    let default = measure(
        rig,
        default_config,
        header,
        default_ms,
        Stage::Default,
        plan,
        stop,
    )?;
    if let Some(trial) = &default {
        overhead.add(trial);
        on_event(SweepEvent::Measured(trial));
        sweep.trials.push(trial.clone());
    }

    // 2. Shapes, coarse to fine.
    let mut ended = None;
    let mut shapes_capped = false;
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
        let elapsed = started.elapsed().as_secs_f64() + reserve(&overhead);
        if let Some(why) = out_of_budget(done, elapsed, &overhead, plan) {
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
        let trial = measure(rig, config, header, batch_ms, stage, plan, stop)?;
        search.record(position, trial.as_ref().map(|t| t.hashes_per_second));
        if let Some(trial) = trial {
            overhead.add(&trial);
            on_event(SweepEvent::Measured(&trial));
            sweep.trials.push(trial);
        }
    }

    // 3. The other batch times with the best shape (the default's own
    // setting is not measured twice).
    if let (None, Some(best)) = (ended, search.best()) {
        let config = search.grid().config(best.0, best.1);
        let batches = other_batches
            .iter()
            .filter(|&&ms| !(config == default_config && ms == default_ms));
        for &batch_ms in batches {
            if stopped() {
                ended = Some(Ended::Interrupted);
                break;
            }
            let done = started_settings;
            let elapsed = started.elapsed().as_secs_f64() + reserve(&overhead);
            if let Some(why) = out_of_budget(done, elapsed, &overhead, plan) {
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
            let trial = measure(rig, config, header, batch_ms, Stage::Batch, plan, stop)?;
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
    let summary = rig.summary();
    sweep.best = super::best(&sweep.trials).map(|winner| winner.settings(&summary));

    // 4. The fastest other setting against the default.
    if !sweep.interrupted() {
        let candidate = super::best(
            &sweep
                .trials
                .iter()
                .filter(|t| !decide::is_default(t))
                .cloned()
                .collect::<Vec<_>>(),
        )
        .cloned();
        sweep.decision = match (&default, &candidate) {
            (Some(d), Some(c)) if c.hashes_per_second > d.hashes_per_second => {
                let first = started_settings + 1;
                match confirm(rig, c, header, plan, stop, first, &mut on_event)? {
                    Some(runs) => Some(Decision::confirmed(c, runs, c.settings(&summary))),
                    None => {
                        sweep.ended = Ended::Interrupted;
                        None
                    }
                }
            }
            _ => Some(Decision::default_first(
                default.as_ref(),
                candidate.as_ref(),
            )),
        };
    }

    // 5. The setting kept, proven.
    if let Some(decision) = &sweep.decision {
        let (config, batch_ms) = match &decision.tuned {
            Some(tuned) => (
                tuned
                    .kernel_config()
                    .expect("a sweep measures the fast kernel"),
                tuned.batch_ms,
            ),
            None => (default_config, default_ms),
        };
        on_event(SweepEvent::Verifying { config, batch_ms });
        let (searcher, _) = rig.searcher(config)?;
        sweep.verification = Some(verify(searcher, header)?);
    }
    sweep.seconds = started.elapsed().as_secs_f64();
    Ok(sweep)
}

/// The candidate and the default in [`CONFIRM_ORDER`]; `None` when a
/// signal cut a run short.
fn confirm(
    rig: &mut dyn Rig,
    candidate: &SettingTrial,
    header: &KnownHeader,
    plan: &SweepPlan,
    stop: &AtomicBool,
    first: usize,
    on_event: &mut impl FnMut(SweepEvent<'_>),
) -> Result<Option<Vec<SettingTrial>>> {
    let candidate_config = candidate
        .kernel_config()
        .expect("a sweep measures the fast kernel");
    let mut runs = Vec::new();
    for (k, role) in CONFIRM_ORDER.iter().enumerate() {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let (config, batch_ms) = match role {
            Role::Candidate => (candidate_config, candidate.batch_ms),
            Role::Default => (decide::default_config(), decide::default_batch_ms()),
        };
        on_event(SweepEvent::Starting {
            number: first + k,
            planned: first + CONFIRM_ORDER.len() - 1,
            stage: Stage::Confirm,
            config,
            batch_ms,
        });
        match measure(rig, config, header, batch_ms, Stage::Confirm, plan, stop)? {
            Some(trial) => {
                on_event(SweepEvent::Measured(&trial));
                runs.push(trial);
            }
            None if stop.load(Ordering::Relaxed) => return Ok(None),
            // A run that timed nothing is missing from the rule's count,
            // and the default stays.
            None => {}
        }
    }
    Ok(Some(runs))
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
