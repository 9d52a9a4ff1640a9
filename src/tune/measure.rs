//! One setting measured: compiled (timed), then `bench::run` with its
//! warm-up and share checks; and what compiling and warming up have cost
//! so far, for the budget.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::plan::SweepPlan;
use super::rig::Rig;
use super::search::Stage;
use super::SettingTrial;
use crate::bench::{self, BenchOptions, StopRule};
use crate::chain::catalog::KnownHeader;
use crate::error::{Error, Result};
use crate::kernel::KernelConfig;
use crate::report::KernelReport;

/// Length of one interval of a setting's time series: a 2 s setting gives
/// about 8 intervals for its spread.
const SAMPLE_SECONDS: f64 = 0.25;

/// One setting: compiled (timed), then `bench::run` with its warm-up and
/// share checks. `None` when a signal cut its run short (a partial run is
/// not a fair comparison) or nothing was timed.
pub(super) fn measure(
    rig: &mut dyn Rig,
    config: KernelConfig,
    header: &KnownHeader,
    batch_ms: u64,
    stage: Stage,
    plan: &SweepPlan,
    stop: &AtomicBool,
) -> Result<Option<SettingTrial>> {
    let compiling = Instant::now();
    let (searcher, compiled) = rig.searcher(config)?;
    let compile_seconds = if compiled {
        compiling.elapsed().as_secs_f64()
    } else {
        0.0
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
    Ok(Some(SettingTrial {
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

/// The mean cost of compiling and warming up a setting so far.
#[derive(Default)]
pub(super) struct Overhead {
    seconds: f64,
    settings: usize,
}

impl Overhead {
    pub fn add(&mut self, trial: &SettingTrial) {
        self.seconds += trial.compile_seconds + trial.warmup.seconds;
        self.settings += 1;
    }

    /// The next setting's estimated cost: its timed seconds plus the mean
    /// overhead so far (none before the first).
    pub fn estimate(&self, plan: &SweepPlan) -> f64 {
        let mean = if self.settings == 0 {
            0.0
        } else {
            self.seconds / self.settings as f64
        };
        plan.seconds_per_setting + mean
    }
}
