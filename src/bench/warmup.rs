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

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::NonceCursor;
use crate::error::Result;
use crate::gpu::MAX_BATCH;
use crate::hits;
use crate::search::Searcher;
use crate::target::Target;

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

/// Runs one batch alone and returns (nonces, seconds).
fn timed_batch(
    searcher: &mut dyn Searcher,
    cursor: &mut NonceCursor,
    size: u64,
    target: Target,
) -> Result<(u64, f64)> {
    let batch = cursor.take(size, target);
    let count = batch.count;
    let started = Instant::now();
    searcher.submit(batch)?;
    let result = searcher.wait_oldest()?.expect("a batch was submitted");
    hits::verify(searcher, &result)?;
    Ok((count, started.elapsed().as_secs_f64().max(1e-6)))
}

/// Warms the device up; `None` when `stop` was set before a rate was found.
pub(crate) fn warm_up(
    searcher: &mut dyn Searcher,
    cursor: &mut NonceCursor,
    batch_seconds: f64,
    stop: &AtomicBool,
) -> Result<Option<Warmup>> {
    let started = Instant::now();
    // Few hits: the warm-up measures the device, not the verifier.
    let target = Target::from_leading_zero_bits(32)?;
    let mut record = Warmup::default();
    let mut run = |size: u64, record: &mut Warmup| -> Result<f64> {
        let (count, seconds) = timed_batch(searcher, cursor, size, target)?;
        record.batches += 1;
        record.nonces += count;
        Ok(seconds)
    };
    let stopped = || stop.load(Ordering::Relaxed);

    record.first_dispatch_seconds = run(FIRST_BATCH, &mut record)?;
    let mut size = FIRST_BATCH;
    let mut rate;
    loop {
        if stopped() {
            return Ok(None);
        }
        let seconds = run(size, &mut record)?;
        rate = size as f64 / seconds;
        if seconds >= batch_seconds / 2.0 || size >= MAX_BATCH {
            break;
        }
        // Grow by the measured rate, at most 16x a step and at least 2x.
        let wanted = (rate * batch_seconds) as u64;
        size = wanted.clamp(size * 2, size * 16).min(MAX_BATCH);
    }
    for _ in 0..MAX_ROUNDS {
        if stopped() {
            return Ok(None);
        }
        size = ((rate * batch_seconds) as u64).clamp(FIRST_BATCH, MAX_BATCH);
        let seconds = run(size, &mut record)?;
        rate = size as f64 / seconds;
        record.estimates.push(rate);
        if let [.., a, b] = record.estimates[..] {
            if (a - b).abs() <= AGREEMENT * a.max(b) {
                record.converged = true;
                break;
            }
        }
    }
    record.hashes_per_second = rate;
    record.seconds = started.elapsed().as_secs_f64();
    Ok(Some(record))
}
