//! `hashwatt bench`: hash nonces over a real header on one device for a set
//! time or a set number of nonces, verify every share on the CPU, and
//! measure the hashrate, with its spread.
//!
//! - [`warmup`]: the first dispatches (compilation, cold caches) never size
//!   the timed batches; sizing goes on until two rate estimates agree.
//! - The timed part keeps the device's queue full and keeps adapting the
//!   batch size toward the target time per submission, within
//!   [`MIN_BATCH_MS`]..[`MAX_BATCH_MS`].
//! - [`stats`]: the rate per interval (about a second) as a time series,
//!   its median, p5/p95 and coefficient of variation, and whether the run
//!   held steady. `repeat` runs several timed trials after one warm-up.
//! - When a header's 2^32 nonces run out, the header is rolled as miners
//!   do, and every share is verified against the header actually hashed.

pub mod stats;
pub mod warmup;

mod outcome;
mod progress;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub use outcome::{BatchSizes, BenchOutcome, ShareRecord, Trial, MAX_SHARE_RECORDS};
pub use stats::{Sample, Spread, Verdict};
pub use warmup::Warmup;

use crate::catalog::KnownHeader;
use crate::energy::Meter;
use crate::error::Result;
use crate::gpu::MAX_BATCH;
use crate::header::BlockHeader;
use crate::hits;
use crate::search::{Batch, Searcher, NONCE_SPACE};
use crate::target::Target;
use crate::telemetry::Telemetry;
use progress::Progress;
use stats::Sampler;

/// Shortest target time per submission: below this, launch overhead
/// dominates what is measured.
pub const MIN_BATCH_MS: u64 = 5;
/// Longest target time per submission: longer batches make Ctrl-C slow
/// and can trip a desktop GPU's watchdog.
pub const MAX_BATCH_MS: u64 = 2000;
/// The default target time per submission.
pub const DEFAULT_BATCH_MS: u64 = 250;

/// When each timed trial ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StopRule {
    Seconds(f64),
    Nonces(u64),
}

#[derive(Clone, Debug)]
pub struct BenchOptions {
    pub header: KnownHeader,
    pub stop: StopRule,
    /// Leading zero bits of a share; `None` picks enough for about 64 shares.
    pub share_bits: Option<u32>,
    /// Aim for each submission to take about this long.
    pub batch_seconds: f64,
    /// First nonce searched.
    pub start_nonce: u32,
    pub progress: bool,
    /// Timed trials after the one warm-up (at least 1).
    pub repeat: u32,
    /// Length of one interval of the time series.
    pub sample_seconds: f64,
    /// Draw the progress bar in this group, labelled (`--device all`).
    pub progress_group: Option<(indicatif::MultiProgress, String)>,
}

impl BenchOptions {
    pub fn new(header: KnownHeader, stop: StopRule) -> Self {
        BenchOptions {
            header,
            stop,
            share_bits: None,
            batch_seconds: DEFAULT_BATCH_MS as f64 / 1000.0,
            start_nonce: 0,
            progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            repeat: 1,
            sample_seconds: 1.0,
            progress_group: None,
        }
    }
}

/// What reads the device while it runs: a power meter over the timed part,
/// and the device's own sensors once per interval.
#[derive(Default)]
pub struct Instruments<'a> {
    pub meter: Option<&'a mut (dyn Meter + 'static)>,
    pub telemetry: Option<&'a mut (dyn Telemetry + 'static)>,
}

/// The nonce cursor: where the next batch starts, rolling the header when
/// its nonce space is used up.
#[derive(Clone)]
pub(crate) struct NonceCursor {
    header: BlockHeader,
    next: u64,
    rolls: u32,
}

impl NonceCursor {
    fn take(&mut self, wanted: u64, target: Target) -> Batch {
        if self.next >= NONCE_SPACE {
            self.header = roll(&self.header);
            self.next = 0;
            self.rolls += 1;
        }
        let count = wanted.min(NONCE_SPACE - self.next).max(1);
        let batch = Batch::new(self.header, self.next as u32, count, target);
        self.next += count;
        batch
    }
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

/// Runs the warm-up, then the timed trials. `stop` (set by a signal
/// handler) ends the run early after the batches in flight; the outcome
/// says so. A `meter` runs over exactly the timed part; if it fails, the
/// hashrate is still reported and the outcome says why energy is missing.
pub fn run(
    searcher: &mut dyn Searcher,
    options: &BenchOptions,
    stop: &AtomicBool,
    meter: Option<&mut (dyn Meter + 'static)>,
) -> Result<BenchOutcome> {
    run_with(
        searcher,
        options,
        stop,
        Instruments {
            meter,
            telemetry: None,
        },
    )
}

/// [`run`], with the device's sensors read once per interval as well.
pub fn run_with(
    searcher: &mut dyn Searcher,
    options: &BenchOptions,
    stop: &AtomicBool,
    mut instruments: Instruments<'_>,
) -> Result<BenchOutcome> {
    let mut cursor = NonceCursor {
        header: options.header.header,
        next: options.start_nonce as u64,
        rolls: 0,
    };
    let mut outcome = BenchOutcome {
        warmup: None,
        trials: Vec::new(),
        nonces: 0,
        seconds: 0.0,
        share_bits: 0,
        shares_found: 0,
        shares_verified: 0,
        blocks_found: 0,
        header_rolls: 0,
        batches: 0,
        batch_nonces: BatchSizes::default(),
        device_seconds: None,
        verify_seconds: 0.0,
        interrupted: false,
        energy_error: None,
        share_records: Vec::new(),
    };
    // The warm-up searches ahead on a copy of the cursor, so the timed part
    // starts exactly at `start_nonce` however long the warm-up took.
    let Some(warmup) = warmup::warm_up(searcher, &mut cursor.clone(), options.batch_seconds, stop)?
    else {
        outcome.interrupted = true;
        return Ok(outcome);
    };
    let repeat = options.repeat.max(1);
    let planned_nonces = match options.stop {
        StopRule::Seconds(seconds) => warmup.hashes_per_second * seconds,
        StopRule::Nonces(n) => n as f64,
    } * repeat as f64;
    outcome.share_bits = options
        .share_bits
        .unwrap_or_else(|| default_share_bits(planned_nonces));
    let target = Target::from_leading_zero_bits(outcome.share_bits)?;
    let mut sizer = Sizer::new(warmup.hashes_per_second, options.batch_seconds);
    outcome.batch_nonces = BatchSizes {
        first: sizer.size,
        last: sizer.size,
        min: sizer.size,
        max: sizer.size,
    };
    outcome.warmup = Some(warmup);

    if let Some(meter) = instruments.meter.as_deref_mut() {
        if let Err(e) = meter.start() {
            outcome.energy_error = Some(e.message);
            instruments.meter = None;
        }
    }
    let progress = Progress::new(
        options.progress,
        options.stop,
        repeat,
        options.progress_group.as_ref(),
    );
    for index in 0..repeat {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let trial = run_trial(
            searcher,
            options,
            stop,
            &mut instruments,
            &mut cursor,
            &mut sizer,
            target,
            &mut outcome,
            &progress,
            (repeat > 1).then_some(index + 1),
        )?;
        outcome.trials.push(trial);
    }
    if let Some(meter) = instruments.meter {
        if let Err(e) = meter.stop() {
            outcome.energy_error = Some(e.message);
        }
    }
    progress.finish();
    outcome.header_rolls = cursor.rolls;
    outcome.interrupted = stop.load(Ordering::Relaxed);
    Ok(outcome)
}

/// One timed trial; adds what it hashed and verified to `outcome`.
#[allow(clippy::too_many_arguments)]
fn run_trial(
    searcher: &mut dyn Searcher,
    options: &BenchOptions,
    stop: &AtomicBool,
    instruments: &mut Instruments<'_>,
    cursor: &mut NonceCursor,
    sizer: &mut Sizer,
    target: Target,
    outcome: &mut BenchOutcome,
    progress: &Progress,
    trial_number: Option<u32>,
) -> Result<Trial> {
    let joules = |i: &Instruments<'_>| i.meter.as_deref().and_then(|m| m.joules_so_far());
    let mut sampler = Sampler::new(options.sample_seconds, joules(instruments));
    let (nonces_before, seconds_before) = (outcome.nonces, outcome.seconds);
    let started = Instant::now();
    let mut submitted: u64 = 0;
    let mut nonces: u64 = 0;
    let mut last_completion = 0.0;
    loop {
        let more = match options.stop {
            StopRule::Seconds(seconds) => started.elapsed().as_secs_f64() < seconds,
            StopRule::Nonces(n) => submitted < n,
        } && !stop.load(Ordering::Relaxed);
        while more && searcher.in_flight() < searcher.depth() {
            let wanted = match options.stop {
                StopRule::Nonces(n) => sizer.size.min(n - submitted),
                StopRule::Seconds(_) => sizer.size,
            };
            let batch = cursor.take(wanted, target);
            submitted += batch.count;
            searcher.submit(batch)?;
            if matches!(options.stop, StopRule::Nonces(n) if submitted >= n) {
                break;
            }
        }
        let Some(result) = searcher.wait_oldest()? else {
            break;
        };
        let t = started.elapsed().as_secs_f64();
        let verifying = Instant::now();
        let verified = hits::verify(searcher, &result)?;
        outcome.verify_seconds += verifying.elapsed().as_secs_f64();

        let count = result.batch.count;
        nonces += count;
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
        sizer.observe(count, t - last_completion);
        let sizes = &mut outcome.batch_nonces;
        sizes.last = sizer.size;
        sizes.min = sizes.min.min(count);
        sizes.max = sizes.max.max(count);
        last_completion = t;
        if sampler.completed(t, count) {
            let telemetry = instruments.telemetry.as_deref_mut().and_then(|s| s.read());
            sampler.close(t, joules(instruments), telemetry);
        }
        outcome.seconds = seconds_before + t;
        progress.show(
            outcome.seconds,
            outcome.nonces,
            (outcome.nonces - nonces_before) as f64 / t.max(1e-9),
            outcome.shares_verified,
            trial_number,
        );
    }
    let seconds = last_completion;
    outcome.seconds = seconds_before + seconds;
    let samples = sampler.finish(seconds, joules(instruments));
    let spread = Spread::of(
        &samples
            .iter()
            .map(|s| s.hashes_per_second)
            .collect::<Vec<_>>(),
    );
    Ok(Trial {
        nonces,
        seconds,
        hashes_per_second: if seconds > 0.0 {
            nonces as f64 / seconds
        } else {
            0.0
        },
        samples,
        spread,
    })
}

/// The header after the next one's nonces: BIP320 version rolling (the 16
/// bits under mask 0x1fffe000) where the version allows it, as ASICs do,
/// and the time field one second on when it does not or the bits are spent.
pub fn roll(header: &BlockHeader) -> BlockHeader {
    const MASK: u32 = 0x1fff_e000;
    if header.allows_version_rolling() && header.version() & MASK != MASK {
        let field = (header.version() & MASK) >> 13;
        header.with_version((header.version() & !MASK) | ((field + 1) << 13))
    } else if header.allows_version_rolling() {
        // Every version spent: start the bits over on the next second.
        header
            .with_version(header.version() & !MASK)
            .with_time(header.time().wrapping_add(1))
    } else {
        header.with_time(header.time().wrapping_add(1))
    }
}

/// Enough share bits for about 64 shares in the planned run (at least 8,
/// so a share is still a real proof of work; at most 64).
pub fn default_share_bits(planned_nonces: f64) -> u32 {
    let bits = (planned_nonces / 64.0).max(1.0).log2().floor() as i64;
    bits.clamp(8, 64) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::cpu::CpuSearcher;

    #[test]
    fn rolling_uses_version_bits_where_allowed_else_time() {
        let old = catalog::resolve("100000").unwrap().header; // version 1
        let rolled = roll(&old);
        assert_eq!((rolled.version(), rolled.time()), (1, old.time() + 1));
        let modern = catalog::latest_embedded().header;
        assert!(modern.allows_version_rolling());
        let rolled = roll(&modern);
        assert_eq!(rolled.time(), modern.time());
        assert_ne!(rolled.version(), modern.version());
        assert_eq!(
            rolled.version() & !0x1fff_e000,
            modern.version() & !0x1fff_e000
        );
        assert_ne!(rolled.midstate(), modern.midstate());
        let spent = modern.with_version(modern.version() | 0x1fff_e000);
        let rolled = roll(&spent);
        assert_eq!(
            (rolled.version() & 0x1fff_e000, rolled.time()),
            (0, modern.time() + 1)
        );
    }

    #[test]
    fn share_bits_scale_with_the_run() {
        assert_eq!(default_share_bits(1000.0), 8);
        assert_eq!(default_share_bits(64.0 * 1024.0 * 1024.0), 20);
        assert_eq!(default_share_bits(1e30), 64);
    }

    #[test]
    fn a_fixed_nonce_count_is_hashed_exactly_and_rolls_the_header() {
        let known = catalog::latest_embedded();
        let mut options = BenchOptions::new(known.clone(), StopRule::Nonces(50_000));
        options.start_nonce = u32::MAX - 30_000;
        options.share_bits = Some(8);
        options.progress = false;
        let mut cpu = CpuSearcher::new(2);
        let outcome = run(&mut cpu, &options, &AtomicBool::new(false), None).unwrap();
        assert_eq!(outcome.nonces, 50_000);
        assert_eq!(outcome.shares_found, outcome.shares_verified);
        assert!(outcome.shares_found > 100);
        assert!(outcome.header_rolls >= 1);
    }
}
