//! The bench loop as a state machine: the warm-up, then each timed trial,
//! one step at a time. [`BenchLoop::next`] says what to do (submit a batch,
//! collect the oldest one, or stop) and [`BenchLoop::record`] takes each
//! finished batch, verifies its shares with sha2 and adds it to the
//! outcome. The blocking native driver ([`super::run_with`]) and the
//! browser's asynchronous one ([`super::run_async`]) both just follow it,
//! so batching, sizing, sampling, verification and the report are the same
//! code on both.

use std::sync::atomic::{AtomicBool, Ordering};

use web_time::Instant;

use super::outcome::{BatchSizes, BenchOutcome, ShareRecord, Trial, MAX_SHARE_RECORDS};
use super::stats::{Sampler, Spread};
use super::warmup::{WarmupRun, WarmupStep};
use super::{default_share_bits, BenchOptions, Instruments, NonceCursor, StopRule};
use crate::chain::target::Target;
use crate::error::{Error, Result};
use crate::search::MAX_BATCH;
use crate::search::{Batch, BatchResult, Searcher};
use crate::verify::hits;
use crate::verify::proof;

/// Share bits given for a run of `planned_nonces`: refused when they leave
/// the proof of work too few shares to have power (see [`crate::verify::proof`]).
fn check_share_bits(bits: u32, planned_nonces: f64, rate: f64) -> Result<u32> {
    let expected = planned_nonces / 2f64.powi(bits as i32);
    if expected >= proof::MIN_EXPECTED_SHARES {
        return Ok(bits);
    }
    let advice = match proof::max_share_bits(planned_nonces) {
        Some(max) => format!("give --share-bits {max} or less, or leave it out"),
        None => "run longer".into(),
    };
    Err(Error::input(format!(
        "--share-bits {bits} leaves {expected:.1} shares expected in this run (about {planned_nonces:.0} nonces at {rate:.0} H/s), and the proof of work needs {:.0}: {advice}",
        proof::MIN_EXPECTED_SHARES
    )))
}

/// What the driver does next.
pub enum Step {
    /// Submit this batch to the device.
    Submit(Batch),
    /// Wait for the oldest batch in flight and pass it to [`BenchLoop::record`].
    Collect,
    /// The run is over: take [`BenchLoop::into_outcome`].
    Done,
}

/// Where a timed run stands after a batch, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snapshot {
    /// Timed seconds and nonces over every trial so far.
    pub seconds: f64,
    pub nonces: u64,
    /// The rate of the current trial so far.
    pub hashes_per_second: f64,
    pub shares_verified: u64,
    /// The trial's number, with several trials.
    pub trial: Option<u32>,
}

/// Keeps each submission near the target time as the rate moves: the rate
/// is a running average of what completions show, and the size changes
/// only when it is off by more than a quarter.
struct Sizer {
    target_seconds: f64,
    rate: f64,
    size: u64,
}

impl Sizer {
    fn new(rate: f64, target_seconds: f64) -> Self {
        let mut sizer = Sizer {
            target_seconds,
            rate,
            size: 0,
        };
        sizer.size = sizer.ideal();
        sizer
    }

    fn ideal(&self) -> u64 {
        ((self.rate * self.target_seconds) as u64).clamp(1 << 10, MAX_BATCH)
    }

    /// A batch of `nonces` took `seconds` of the run's wall clock.
    fn observe(&mut self, nonces: u64, seconds: f64) {
        if seconds <= 0.0 {
            return;
        }
        self.rate = 0.5 * self.rate + 0.5 * (nonces as f64 / seconds);
        let ideal = self.ideal();
        if ideal * 4 < self.size * 3 || ideal * 3 > self.size * 4 {
            self.size = ideal;
        }
    }
}

/// One timed trial in progress.
struct TrialRun {
    sampler: Sampler,
    nonces_before: u64,
    seconds_before: f64,
    started: Instant,
    submitted: u64,
    nonces: u64,
    last_completion: f64,
}

/// The timed part: the trials after the warm-up.
struct Timed {
    sizer: Sizer,
    target: Target,
    repeat: u32,
    /// Trials finished.
    done: u32,
    trial: Option<TrialRun>,
}

enum Phase {
    Warmup(Box<WarmupRun>),
    Timed(Box<Timed>),
    Done,
}

/// A bench run, step by step (see the module documentation).
pub struct BenchLoop<'a> {
    options: &'a BenchOptions,
    stop: &'a AtomicBool,
    instruments: Instruments<'a>,
    cursor: NonceCursor,
    outcome: BenchOutcome,
    phase: Phase,
}

fn joules(instruments: &Instruments<'_>) -> Option<f64> {
    instruments.meter.as_deref().and_then(|m| m.joules_so_far())
}

impl<'a> BenchLoop<'a> {
    /// A run of `options`; `stop` (set by a signal handler, or the page's
    /// stop button) ends it early after the batches in flight. A meter in
    /// `instruments` runs over exactly the timed part.
    pub fn new(
        options: &'a BenchOptions,
        stop: &'a AtomicBool,
        instruments: Instruments<'a>,
    ) -> Result<Self> {
        let cursor = NonceCursor {
            header: options.header.header,
            next: options.start_nonce as u64,
            rolls: 0,
        };
        // The warm-up searches ahead on a copy of the cursor, so the timed
        // part starts exactly at `start_nonce` however long the warm-up took.
        let warmup = WarmupRun::new(cursor.clone(), options.batch_seconds)?;
        Ok(BenchLoop {
            options,
            stop,
            instruments,
            cursor,
            outcome: BenchOutcome::empty(),
            phase: Phase::Warmup(Box::new(warmup)),
        })
    }

    /// Whether the timed part is running (the warm-up found a rate).
    pub fn timed(&self) -> bool {
        matches!(self.phase, Phase::Timed(_))
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// What to do next, given how many batches the device has in flight
    /// and how many it takes.
    pub fn next(&mut self, in_flight: usize, depth: usize) -> Result<Step> {
        loop {
            let stopped = self.stopped();
            match &mut self.phase {
                Phase::Done => return Ok(Step::Done),
                Phase::Warmup(warmup) => match warmup.next(in_flight, stopped) {
                    WarmupStep::Submit(batch) => return Ok(Step::Submit(batch)),
                    WarmupStep::Collect => return Ok(Step::Collect),
                    WarmupStep::Stopped => {
                        self.outcome.interrupted = true;
                        self.phase = Phase::Done;
                    }
                    WarmupStep::Finished(record) => self.begin_timed(record)?,
                },
                Phase::Timed(timed) => {
                    let Some(trial) = timed.trial.as_mut() else {
                        if timed.done >= timed.repeat || stopped {
                            self.finish();
                            continue;
                        }
                        timed.trial = Some(TrialRun {
                            sampler: Sampler::new(
                                self.options.sample_seconds,
                                self.options.batch_seconds,
                                joules(&self.instruments),
                            ),
                            nonces_before: self.outcome.nonces,
                            seconds_before: self.outcome.seconds,
                            started: Instant::now(),
                            submitted: 0,
                            nonces: 0,
                            last_completion: 0.0,
                        });
                        continue;
                    };
                    // A trial hashes at least one batch, however short its
                    // time: a timed part that hashed nothing measured nothing.
                    let more = match self.options.stop {
                        StopRule::Seconds(seconds) => {
                            trial.submitted == 0 || trial.started.elapsed().as_secs_f64() < seconds
                        }
                        StopRule::Nonces(n) => trial.submitted < n,
                    } && !stopped;
                    if more && in_flight < depth {
                        let wanted = match self.options.stop {
                            StopRule::Nonces(n) => timed.sizer.size.min(n - trial.submitted),
                            StopRule::Seconds(_) => timed.sizer.size,
                        };
                        let batch = self.cursor.take(wanted, timed.target);
                        trial.submitted += batch.count;
                        return Ok(Step::Submit(batch));
                    }
                    if in_flight > 0 {
                        return Ok(Step::Collect);
                    }
                    let trial = timed.trial.take().expect("a trial runs");
                    timed.done += 1;
                    let finished = Self::end_trial(trial, &mut self.outcome, &self.instruments);
                    // Only a stop at its very start leaves a trial empty.
                    if finished.nonces > 0 {
                        self.outcome.trials.push(finished);
                    }
                }
            }
        }
    }

    /// The warm-up found a rate: size the timed part from it and start the meter.
    fn begin_timed(&mut self, warmup: super::Warmup) -> Result<()> {
        let options = self.options;
        let repeat = options.repeat.max(1);
        let sizer = Sizer::new(warmup.hashes_per_second, options.batch_seconds);
        // A timed trial hashes at least its first batch, however short its time.
        let planned_nonces = match options.stop {
            StopRule::Seconds(seconds) => {
                (warmup.hashes_per_second * seconds).max(sizer.size as f64)
            }
            StopRule::Nonces(n) => n as f64,
        } * repeat as f64;
        self.outcome.share_bits = match options.share_bits {
            None => default_share_bits(planned_nonces),
            Some(bits) => check_share_bits(bits, planned_nonces, warmup.hashes_per_second)?,
        };
        let target = Target::from_leading_zero_bits(self.outcome.share_bits)?;
        self.outcome.batch_nonces = BatchSizes {
            first: sizer.size,
            last: sizer.size,
            min: sizer.size,
            max: sizer.size,
        };
        self.outcome.warmup = Some(warmup);
        if let Some(meter) = self.instruments.meter.as_deref_mut() {
            if let Err(e) = meter.start() {
                self.outcome.energy_error = Some(e.message);
                self.instruments.meter = None;
            }
        }
        self.phase = Phase::Timed(Box::new(Timed {
            sizer,
            target,
            repeat,
            done: 0,
            trial: None,
        }));
        Ok(())
    }

    /// Takes a finished batch (`None` when the device had none in flight):
    /// verifies every share on the CPU and adds it to the outcome. Returns
    /// where a timed run stands, for a progress display.
    pub fn record(
        &mut self,
        searcher: &mut dyn Searcher,
        result: Option<BatchResult>,
    ) -> Result<Option<Snapshot>> {
        let Some(result) = result else {
            return Ok(None);
        };
        let outcome = &mut self.outcome;
        let timed = match &mut self.phase {
            Phase::Warmup(warmup) => {
                warmup.record(searcher, &result)?;
                return Ok(None);
            }
            Phase::Timed(timed) => timed,
            Phase::Done => return Ok(None),
        };
        let Some(trial) = timed.trial.as_mut() else {
            return Ok(None);
        };
        let t = trial.started.elapsed().as_secs_f64();
        let verifying = Instant::now();
        let verified = hits::verify(searcher, &result)?;
        outcome.verify_seconds += verifying.elapsed().as_secs_f64();

        let count = result.batch.count;
        trial.nonces += count;
        outcome.nonces += count;
        outcome.batches += 1;
        outcome.shares_found += result.hits.len() as u64;
        outcome.shares_verified += verified.len() as u64;
        outcome.blocks_found += verified.iter().filter(|h| h.meets_header_target).count() as u64;
        let room = MAX_SHARE_RECORDS.saturating_sub(outcome.share_records.len());
        outcome
            .share_records
            .extend(verified.iter().take(room).map(|hit| ShareRecord {
                nonce: hit.nonce,
                version: result.batch.header.version(),
                time: result.batch.header.time(),
                hash: hit.hash.clone(),
            }));
        if let Some(device) = result.device_seconds {
            *outcome.device_seconds.get_or_insert(0.0) += device;
        }
        timed.sizer.observe(count, t - trial.last_completion);
        let sizes = &mut outcome.batch_nonces;
        // The sizes batches took, not the size planned: a `--nonces` run
        // shorter than one planned batch hashes one batch of the run.
        if outcome.batches == 1 {
            sizes.first = count;
            sizes.min = count;
            sizes.max = count;
        }
        sizes.last = timed.sizer.size;
        sizes.min = sizes.min.min(count);
        sizes.max = sizes.max.max(count);
        trial.last_completion = t;
        if trial.sampler.completed(t, count) {
            let telemetry = self
                .instruments
                .telemetry
                .as_deref_mut()
                .and_then(|s| s.read());
            trial.sampler.close(t, joules(&self.instruments), telemetry);
        }
        outcome.seconds = trial.seconds_before + t;
        Ok(Some(Snapshot {
            seconds: outcome.seconds,
            nonces: outcome.nonces,
            hashes_per_second: (outcome.nonces - trial.nonces_before) as f64 / t.max(1e-9),
            shares_verified: outcome.shares_verified,
            trial: (timed.repeat > 1).then_some(timed.done + 1),
        }))
    }

    fn end_trial(
        trial: TrialRun,
        outcome: &mut BenchOutcome,
        instruments: &Instruments<'_>,
    ) -> Trial {
        let seconds = trial.last_completion;
        outcome.seconds = trial.seconds_before + seconds;
        let mut sampler = trial.sampler;
        let stalls = std::mem::take(&mut sampler.stalls);
        let samples = sampler.finish(seconds, joules(instruments));
        let spread = Spread::of(
            &samples
                .iter()
                .map(|s| s.hashes_per_second)
                .collect::<Vec<_>>(),
        );
        Trial {
            nonces: trial.nonces,
            seconds,
            hashes_per_second: if seconds > 0.0 {
                trial.nonces as f64 / seconds
            } else {
                0.0
            },
            samples,
            spread,
            stalls,
        }
    }

    /// Every trial done (or `stop` set): stop the meter, close the record.
    fn finish(&mut self) {
        if let Some(meter) = self.instruments.meter.as_deref_mut() {
            if let Err(e) = meter.stop() {
                self.outcome.energy_error = Some(e.message);
            }
        }
        self.outcome.header_rolls = self.cursor.rolls;
        self.outcome.interrupted = self.stopped();
        self.phase = Phase::Done;
    }

    /// What the run measured.
    pub fn into_outcome(self) -> BenchOutcome {
        self.outcome
    }
}
