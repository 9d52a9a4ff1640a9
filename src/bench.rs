//! `hashwatt bench`: hash nonces over a real header on one device for a set
//! time or a set number of nonces, verify every share on the CPU, and
//! measure the hashrate.
//!
//! The run warms up first (the first dispatch compiles the kernel and
//! lavapipe's is slow), sizing batches to a target time per submission from
//! what the warm-up measured. It then keeps the device's queue full, and when
//! a header's 2^32 nonces run out it rolls the time field forward one second,
//! as miners do, and goes on.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::catalog::KnownHeader;
use crate::energy::Meter;
use crate::error::Result;
use crate::gpu::MAX_BATCH;
use crate::header::BlockHeader;
use crate::hits;
use crate::report::format_rate;
use crate::search::{Batch, Searcher, NONCE_SPACE};
use crate::target::Target;

/// When the timed part ends.
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
}

impl BenchOptions {
    pub fn new(header: KnownHeader, stop: StopRule) -> Self {
        BenchOptions {
            header,
            stop,
            share_bits: None,
            batch_seconds: 0.25,
            start_nonce: 0,
            progress: std::io::stderr().is_terminal(),
        }
    }
}

/// What a run measured.
#[derive(Clone, Debug)]
pub struct BenchOutcome {
    pub nonces: u64,
    pub seconds: f64,
    pub share_bits: u32,
    pub shares_found: u64,
    pub shares_verified: u64,
    /// Shares that also met the header's own target: valid blocks.
    pub blocks_found: u64,
    pub header_rolls: u32,
    pub batches: u64,
    pub batch_nonces: u64,
    /// Sum of the device's own per-batch times, where it measured them.
    pub device_seconds: Option<f64>,
    pub interrupted: bool,
    /// Why the meter gave no reading, when it failed during the run.
    pub energy_error: Option<String>,
    /// The first shares (up to [`MAX_SHARE_RECORDS`]), each with the header
    /// fields it was verified against.
    pub share_records: Vec<ShareRecord>,
}

/// Shares kept in the outcome; the count is always exact.
pub const MAX_SHARE_RECORDS: usize = 256;

/// One verified share and the header it was found on (after any rolling).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ShareRecord {
    pub nonce: u32,
    pub version: u32,
    pub time: u32,
    /// Block hash in display order.
    pub hash: String,
}

impl BenchOutcome {
    pub fn hashes_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.nonces as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// The nonce cursor: where the next batch starts, rolling the header when
/// its nonce space is used up.
struct NonceCursor {
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

/// Runs the warm-up, then the timed part. `stop` (set by a signal handler)
/// ends the run early after the batches in flight; the outcome says so.
/// A `meter` runs over exactly the timed part; if it fails, the hashrate is
/// still reported and the outcome says why energy is missing.
pub fn run(
    searcher: &mut dyn Searcher,
    options: &BenchOptions,
    stop: &AtomicBool,
    mut meter: Option<&mut (dyn Meter + 'static)>,
) -> Result<BenchOutcome> {
    let header = options.header.header;
    let mut cursor = NonceCursor {
        header,
        next: options.start_nonce as u64,
        rolls: 0,
    };

    // Warm-up: double the batch until one takes a fair share of the target
    // time, which also gives the rate to size the timed batches from.
    let warm_target = Target::from_leading_zero_bits(32)?;
    let mut size: u64 = 1 << 12;
    let mut rate;
    loop {
        let batch = cursor.take(size, warm_target);
        let count = batch.count;
        let started = Instant::now();
        searcher.submit(batch)?;
        let result = searcher.wait_oldest()?.expect("a batch was submitted");
        hits::verify(searcher, &result)?;
        let elapsed = started.elapsed().as_secs_f64().max(1e-6);
        rate = count as f64 / elapsed;
        if elapsed >= options.batch_seconds / 2.0
            || size >= MAX_BATCH
            || stop.load(Ordering::Relaxed)
        {
            break;
        }
        size = (size * 2).min(MAX_BATCH);
    }
    let batch_nonces = ((rate * options.batch_seconds) as u64).clamp(1 << 10, MAX_BATCH);
    let planned_nonces = match options.stop {
        StopRule::Seconds(seconds) => rate * seconds,
        StopRule::Nonces(n) => n as f64,
    };
    let share_bits = options
        .share_bits
        .unwrap_or_else(|| default_share_bits(planned_nonces));
    let target = Target::from_leading_zero_bits(share_bits)?;

    let mut outcome = BenchOutcome {
        nonces: 0,
        seconds: 0.0,
        share_bits,
        shares_found: 0,
        shares_verified: 0,
        blocks_found: 0,
        header_rolls: 0,
        batches: 0,
        batch_nonces,
        device_seconds: None,
        interrupted: false,
        energy_error: None,
        share_records: Vec::new(),
    };
    if let Some(meter) = meter.as_deref_mut() {
        if let Err(e) = meter.start() {
            outcome.energy_error = Some(e.message);
        }
    }
    let started = Instant::now();
    let mut submitted: u64 = 0;
    let mut progress = Progress::new(options.progress, options.stop);
    loop {
        let elapsed = started.elapsed().as_secs_f64();
        let more = match options.stop {
            StopRule::Seconds(seconds) => elapsed < seconds,
            StopRule::Nonces(n) => submitted < n,
        } && !stop.load(Ordering::Relaxed);
        while more && searcher.in_flight() < searcher.depth() {
            let wanted = match options.stop {
                StopRule::Nonces(n) => batch_nonces.min(n - submitted),
                StopRule::Seconds(_) => batch_nonces,
            };
            let batch = cursor.take(wanted, target);
            submitted += batch.count;
            searcher.submit(batch)?;
            if let StopRule::Nonces(n) = options.stop {
                if submitted >= n {
                    break;
                }
            }
        }
        let Some(result) = searcher.wait_oldest()? else {
            break;
        };
        let verified = hits::verify(searcher, &result)?;
        outcome.nonces += result.batch.count;
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
        outcome.seconds = started.elapsed().as_secs_f64();
        progress.show(&outcome);
    }
    if let Some(meter) = meter {
        if outcome.energy_error.is_none() {
            if let Err(e) = meter.stop() {
                outcome.energy_error = Some(e.message);
            }
        }
    }
    progress.finish();
    outcome.header_rolls = cursor.rolls;
    outcome.interrupted = stop.load(Ordering::Relaxed);
    Ok(outcome)
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

/// A one-line progress display on stderr, redrawn at most twice a second.
struct Progress {
    enabled: bool,
    stop: StopRule,
    last: Instant,
    drawn: bool,
}

impl Progress {
    fn new(enabled: bool, stop: StopRule) -> Self {
        Progress {
            enabled,
            stop,
            last: Instant::now(),
            drawn: false,
        }
    }

    fn show(&mut self, outcome: &BenchOutcome) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(500) {
            return;
        }
        self.last = Instant::now();
        let done = match self.stop {
            StopRule::Seconds(total) => format!("{:5.1}/{total:.0} s", outcome.seconds),
            StopRule::Nonces(total) => {
                format!("{:5.1}%", 100.0 * outcome.nonces as f64 / total as f64)
            }
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r  {done}  {:>12}  shares {} verified {}   ",
            format_rate(outcome.hashes_per_second()),
            outcome.shares_found,
            outcome.shares_verified
        );
        let _ = err.flush();
        self.drawn = true;
    }

    fn finish(&mut self) {
        if self.drawn {
            errln!();
        }
    }
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
