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
//! - [`steps`]: all of that as a state machine ([`BenchLoop`]), which the
//!   blocking native driver ([`run_with`]) and the browser's asynchronous
//!   one ([`run_async`]) both follow.
//! - When a header's 2^32 nonces run out, the header is rolled as miners
//!   do, and every share is verified against the header actually hashed.

pub mod stats;
pub mod warmup;

mod outcome;
#[cfg(feature = "native")]
mod progress;
mod steps;

use std::sync::atomic::AtomicBool;

pub use outcome::{BatchSizes, BenchOutcome, ShareRecord, Trial, MAX_SHARE_RECORDS};
#[cfg(feature = "native")]
pub use progress::ProgressGroup;
pub use stats::{Sample, Spread, Stall, Verdict};
pub use steps::{BenchLoop, Snapshot, Step};
pub use warmup::Warmup;

use crate::chain::catalog::KnownHeader;
use crate::chain::header::BlockHeader;
use crate::chain::target::Target;
use crate::error::Result;
#[cfg(feature = "native")]
use crate::search::Searcher;
use crate::search::{AsyncSearcher, Batch, NONCE_SPACE};
use crate::sensors::energy::Meter;
use crate::sensors::telemetry::Telemetry;
#[cfg(feature = "native")]
use progress::Progress;

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
    /// Leading zero bits of a share; `None` picks enough for 1,024 to 2,048
    /// shares (see [`crate::verify::proof`]). Bits that would give fewer than 256
    /// in the planned run are refused.
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
    #[cfg(feature = "native")]
    pub progress_group: Option<ProgressGroup>,
}

impl BenchOptions {
    pub fn new(header: KnownHeader, stop: StopRule) -> Self {
        BenchOptions {
            header,
            stop,
            share_bits: None,
            batch_seconds: DEFAULT_BATCH_MS as f64 / 1000.0,
            start_nonce: 0,
            // Only asks whether it is a terminal; writes nothing.
            #[allow(clippy::disallowed_methods)]
            progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            repeat: 1,
            sample_seconds: 1.0,
            #[cfg(feature = "native")]
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

/// Runs the warm-up, then the timed trials. `stop` (set by a signal
/// handler) ends the run early after the batches in flight; the outcome
/// says so. A `meter` runs over exactly the timed part; if it fails, the
/// hashrate is still reported and the outcome says why energy is missing.
#[cfg(feature = "native")]
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

/// [`run`], with the device's sensors read once per interval as well: the
/// blocking driver of [`BenchLoop`], with a progress bar on a terminal.
#[cfg(feature = "native")]
pub fn run_with(
    searcher: &mut dyn Searcher,
    options: &BenchOptions,
    stop: &AtomicBool,
    instruments: Instruments<'_>,
) -> Result<BenchOutcome> {
    let mut bench = BenchLoop::new(options, stop, instruments)?;
    let mut progress = None;
    loop {
        let step = bench.next(searcher.in_flight(), searcher.depth())?;
        if progress.is_none() && bench.timed() {
            progress = Some(Progress::new(
                options.progress,
                options.stop,
                options.repeat.max(1),
                options.progress_group.as_ref(),
            ));
        }
        match step {
            Step::Submit(batch) => searcher.submit(batch)?,
            Step::Collect => {
                let result = searcher.wait_oldest()?;
                if let (Some(at), Some(progress)) = (bench.record(searcher, result)?, &progress) {
                    progress.show(
                        at.seconds,
                        at.nonces,
                        at.hashes_per_second,
                        at.shares_verified,
                        at.trial,
                    );
                }
            }
            Step::Done => break,
        }
    }
    if let Some(progress) = progress {
        progress.finish();
    }
    Ok(bench.into_outcome())
}

/// The same run for a device whose results arrive asynchronously (WebGPU
/// in a browser, where nothing may block): the driver of [`BenchLoop`]
/// that awaits each batch. `on_progress` sees every timed batch.
pub async fn run_async<S: AsyncSearcher>(
    searcher: &mut S,
    options: &BenchOptions,
    stop: &AtomicBool,
    meter: Option<&mut (dyn Meter + 'static)>,
    mut on_progress: impl FnMut(&Snapshot),
) -> Result<BenchOutcome> {
    let instruments = Instruments {
        meter,
        telemetry: None,
    };
    let mut bench = BenchLoop::new(options, stop, instruments)?;
    loop {
        match bench.next(searcher.in_flight(), searcher.depth())? {
            Step::Submit(batch) => searcher.submit(batch)?,
            Step::Collect => {
                let result = searcher.wait_oldest_async().await?;
                if let Some(at) = bench.record(searcher, result)? {
                    on_progress(&at);
                }
            }
            Step::Done => break,
        }
    }
    Ok(bench.into_outcome())
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

/// Share bits for 1,024 to 2,048 shares in the planned run, so that the
/// proof of work ([`crate::verify::proof`]) has the power to catch a device that
/// skips nonces; short runs get easier shares (down to 0 bits: every hash a
/// share) rather than a weaker test.
pub fn default_share_bits(planned_nonces: f64) -> u32 {
    crate::verify::proof::share_bits_for(planned_nonces)
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::chain::catalog;
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
        assert_eq!(default_share_bits(1000.0), 0);
        assert_eq!(default_share_bits(1024.0 * 1024.0 * 1024.0), 20);
        assert_eq!(default_share_bits(1e30), 64);
    }

    #[test]
    fn a_fixed_nonce_count_is_hashed_exactly_and_rolls_the_header() {
        let known = catalog::latest_embedded();
        let mut options = BenchOptions::new(known.clone(), StopRule::Nonces(50_000));
        options.start_nonce = u32::MAX - 30_000;
        options.share_bits = Some(7);
        options.progress = false;
        let mut cpu = CpuSearcher::new(2);
        let outcome = run(&mut cpu, &options, &AtomicBool::new(false), None).unwrap();
        assert_eq!(outcome.nonces, 50_000);
        assert_eq!(outcome.shares_found, outcome.shares_verified);
        assert!(outcome.shares_found > 100);
        assert!(outcome.header_rolls >= 1);
        assert!(outcome.proof().passed, "{:?}", outcome.proof());
    }
}
