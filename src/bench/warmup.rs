//! The warm-up: what a device's first dispatches cost (pipeline
//! compilation, a cold driver cache, lazy allocation) must never size the
//! timed batches.
//!
//! 1. The first dispatch is timed but thrown away.
//! 2. Batches double until one takes half the target time per submission.
//! 3. Batches of the target size then run until two consecutive rate
//!    estimates agree within [`AGREEMENT`], or [`MAX_ROUNDS`] pass.
//!
//! The agreed rate sizes the first timed batch and picks the share
//! difficulty; the timed run keeps adapting the batch size from then on.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use web_time::Instant;

use super::NonceCursor;
use crate::chain::target::Target;
use crate::error::Result;
use crate::search::MAX_BATCH;
use crate::search::{Batch, BatchResult, Searcher};
use crate::verify::hits;

/// Two consecutive estimates within this relative difference agree.
pub const AGREEMENT: f64 = 0.10;
/// Estimates at the target size before the warm-up gives up agreeing.
pub const MAX_ROUNDS: usize = 12;
/// The first dispatch's size: small, since it may take a compilation.
const FIRST_BATCH: u64 = 1 << 12;

/// What the warm-up did, for the record.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Warmup {
    /// Wall-clock seconds of the whole warm-up.
    pub seconds: f64,
    /// Seconds the first dispatch took (compilation and caches included);
    /// never used for sizing.
    pub first_dispatch_seconds: f64,
    pub batches: u64,
    pub nonces: u64,
    /// The rate estimates at the target batch size, in order.
    pub estimates: Vec<f64>,
    /// Whether the last two estimates agreed within 10%.
    pub converged: bool,
    /// The rate the timed run was sized from.
    pub hashes_per_second: f64,
}

/// Where the warm-up is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    /// The first dispatch: timed, thrown away.
    First,
    /// Batches double until one takes half the target time.
    Grow,
    /// Batches of the target size until two estimates agree.
    Agree { round: usize },
}

/// What the warm-up wants next.
pub(crate) enum WarmupStep {
    /// Run this batch alone (nothing else is in flight).
    Submit(Batch),
    /// Wait for the batch in flight and hand it to [`WarmupRun::record`].
    Collect,
    /// `stop` was set before a rate was found.
    Stopped,
    /// The agreed rate.
    Finished(Warmup),
}

/// The warm-up as a state machine, one batch at a time, so that the
/// blocking native driver and the browser's asynchronous one run the same
/// steps (see [`super::BenchLoop`]).
pub(crate) struct WarmupRun {
    started: Instant,
    /// A copy of the run's cursor: the timed part starts where it was.
    cursor: NonceCursor,
    batch_seconds: f64,
    /// Few hits: the warm-up measures the device, not the verifier.
    target: Target,
    record: Warmup,
    stage: Stage,
    size: u64,
    rate: f64,
    /// When the batch in flight was submitted.
    batch_started: Option<Instant>,
    finished: bool,
}

impl WarmupRun {
    pub(crate) fn new(cursor: NonceCursor, batch_seconds: f64) -> Result<Self> {
        Ok(WarmupRun {
            started: Instant::now(),
            cursor,
            batch_seconds,
            target: Target::from_leading_zero_bits(32)?,
            record: Warmup::default(),
            stage: Stage::First,
            size: FIRST_BATCH,
            rate: 0.0,
            batch_started: None,
            finished: false,
        })
    }

    pub(crate) fn next(&mut self, in_flight: usize, stopped: bool) -> WarmupStep {
        if in_flight > 0 {
            return WarmupStep::Collect;
        }
        if self.finished {
            return WarmupStep::Finished(self.record.clone());
        }
        if self.stage != Stage::First && stopped {
            return WarmupStep::Stopped;
        }
        if let Stage::Agree { .. } = self.stage {
            self.size = ((self.rate * self.batch_seconds) as u64).clamp(FIRST_BATCH, MAX_BATCH);
        }
        let batch = self.cursor.take(self.size, self.target);
        self.batch_started = Some(Instant::now());
        WarmupStep::Submit(batch)
    }

    /// Verifies the batch that ran and moves the warm-up on.
    pub(crate) fn record(
        &mut self,
        searcher: &mut dyn Searcher,
        result: &BatchResult,
    ) -> Result<()> {
        hits::verify(searcher, result)?;
        let seconds = self
            .batch_started
            .take()
            .map_or(0.0, |t| t.elapsed().as_secs_f64())
            .max(1e-6);
        self.record.batches += 1;
        self.record.nonces += result.batch.count;
        match self.stage {
            Stage::First => {
                self.record.first_dispatch_seconds = seconds;
                self.stage = Stage::Grow;
            }
            Stage::Grow => {
                self.rate = self.size as f64 / seconds;
                if seconds >= self.batch_seconds / 2.0 || self.size >= MAX_BATCH {
                    self.stage = Stage::Agree { round: 0 };
                } else {
                    // Grow by the measured rate, at most 16x a step and at least 2x.
                    let wanted = (self.rate * self.batch_seconds) as u64;
                    self.size = wanted.clamp(self.size * 2, self.size * 16).min(MAX_BATCH);
                }
            }
            Stage::Agree { round } => {
                self.rate = self.size as f64 / seconds;
                self.record.estimates.push(self.rate);
                if let [.., a, b] = self.record.estimates[..] {
                    if (a - b).abs() <= AGREEMENT * a.max(b) {
                        self.record.converged = true;
                    }
                }
                if self.record.converged || round + 1 >= MAX_ROUNDS {
                    self.record.hashes_per_second = self.rate;
                    self.record.seconds = self.started.elapsed().as_secs_f64();
                    self.finished = true;
                } else {
                    self.stage = Stage::Agree { round: round + 1 };
                }
            }
        }
        Ok(())
    }
}
