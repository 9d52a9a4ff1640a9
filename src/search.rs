//! What every search device does, CPU or GPU: take batches of nonces over a
//! header, report every nonce whose double SHA-256 meets the target.
//!
//! A device keeps up to `depth()` batches in flight, so a GPU can work on the
//! next batch while the host reads back and verifies the last one.

use crate::chain::header::{BlockHash, BlockHeader};
use crate::chain::target::Target;
use crate::error::{Error, Result};

/// The nonce space of one header.
pub const NONCE_SPACE: u64 = 1 << 32;

/// The most nonces one batch may hold, on any device: a GPU kernel counts
/// a dispatch's nonces in a u32, and the bench loop never plans a larger
/// batch for any searcher.
pub const MAX_BATCH: u64 = 1 << 31;

/// A checked range of nonces: `count` at least 1, `start + count` at most
/// 2^32, computed without wrapping. Every range taken from the command line
/// or handed to a device goes through [`NonceRange::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonceRange {
    start: u32,
    count: u64,
}

impl NonceRange {
    /// The range `start..start + count`, or why it is not one: an empty
    /// range, a start past the last nonce, or an end past 2^32 (checked
    /// without overflow, so a huge count is refused, never wrapped).
    pub fn new(start: u64, count: u64) -> Result<Self> {
        if count == 0 {
            return Err(Error::input("--count must be at least 1"));
        }
        let Ok(first) = u32::try_from(start) else {
            return Err(Error::input(format!(
                "--start {start} is past the last nonce, 4294967295"
            )));
        };
        match start.checked_add(count) {
            Some(end) if end <= NONCE_SPACE => Ok(NonceRange {
                start: first,
                count,
            }),
            _ => Err(Error::input(format!(
                "--start {start} --count {count} runs past nonce 2^32 (the range must end at or \
before 4294967296, so --count can be at most {})",
                NONCE_SPACE - start
            ))),
        }
    }

    pub fn start(self) -> u32 {
        self.start
    }

    pub fn count(self) -> u64 {
        self.count
    }

    /// One past the last nonce (at most 2^32).
    pub fn end(self) -> u64 {
        self.start as u64 + self.count
    }
}

/// The most hits a search that keeps every hit (`search`, `verify`'s
/// window) may expect: about 2^20. More would hold gigabytes; a harder
/// target or a smaller range says the same.
pub const MAX_EXPECTED_HITS: f64 = 1_048_576.0;

/// How many hits `count` nonces are expected to give at `target`.
pub fn expected_hits(count: u64, target: &Target) -> f64 {
    count as f64 / target.expected_hashes()
}

/// One contiguous range of nonces over one header.
#[derive(Clone, Debug)]
pub struct Batch {
    pub header: BlockHeader,
    pub start: u32,
    /// At least 1; `start + count` never passes 2^32.
    pub count: u64,
    pub target: Target,
}

impl Batch {
    pub fn new(header: BlockHeader, start: u32, count: u64, target: Target) -> Self {
        assert!(
            NonceRange::new(start as u64, count).is_ok(),
            "batch stays inside the nonce space"
        );
        Batch {
            header,
            start,
            count,
            target,
        }
    }
}

/// What a device found in a batch: every nonce that met the target, in no
/// particular order, and the device-side time if the device measured it.
#[derive(Clone, Debug)]
pub struct BatchResult {
    pub batch: Batch,
    pub hits: Vec<u32>,
    pub device_seconds: Option<f64>,
}

pub trait Searcher {
    /// Name for reports, e.g. the adapter name or "CPU (avx512, 16 lanes, 2 threads)".
    fn name(&self) -> String;
    /// How many batches it keeps in flight (1 for synchronous devices).
    fn depth(&self) -> usize;
    /// How many batches are in flight now.
    fn in_flight(&self) -> usize;
    /// Queues a batch. Fails if `depth()` batches are already in flight.
    fn submit(&mut self, batch: Batch) -> Result<()>;
    /// Waits for the oldest batch in flight; `None` when none is.
    fn wait_oldest(&mut self) -> Result<Option<BatchResult>>;
    /// Full double-SHA-256 digests of whole headers, computed on the device.
    fn digests(&mut self, headers: &[BlockHeader]) -> Result<Vec<BlockHash>>;
}

/// A device whose batches finish asynchronously (WebGPU in a browser,
/// where the page's thread may never block): the same queue as
/// [`Searcher`], with the wait awaited instead.
pub trait AsyncSearcher: Searcher {
    /// Awaits the oldest batch in flight; `None` when none is.
    fn wait_oldest_async(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Option<BatchResult>>>;
}

/// Searches one range to the end, batch by batch, handing each finished
/// batch to `on_result` together with the searcher (to verify its hits).
#[allow(clippy::too_many_arguments)]
pub fn search_batches(
    searcher: &mut dyn Searcher,
    header: &BlockHeader,
    start: u32,
    count: u64,
    target: &Target,
    batch_size: u64,
    mut on_result: impl FnMut(&mut dyn Searcher, BatchResult) -> Result<()>,
) -> Result<()> {
    let range = NonceRange::new(start as u64, count)?;
    let end = range.end();
    let mut next = start as u64;
    loop {
        while next < end && searcher.in_flight() < searcher.depth() {
            let size = batch_size.max(1).min(end - next);
            searcher.submit(Batch::new(*header, next as u32, size, *target))?;
            next += size;
        }
        match searcher.wait_oldest()? {
            Some(result) => on_result(searcher, result)?,
            None => return Ok(()),
        }
    }
}

/// Every hit in one range, sorted. Used by `verify` and the tests.
pub fn search_range(
    searcher: &mut dyn Searcher,
    header: &BlockHeader,
    start: u32,
    count: u64,
    target: &Target,
    batch_size: u64,
) -> Result<Vec<u32>> {
    let mut hits = Vec::new();
    search_batches(
        searcher,
        header,
        start,
        count,
        target,
        batch_size,
        |_, result| {
            hits.extend(result.hits);
            Ok(())
        },
    )?;
    hits.sort_unstable();
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_checked_without_wrapping() {
        let whole = NonceRange::new(0, NONCE_SPACE).unwrap();
        assert_eq!(
            (whole.start(), whole.count(), whole.end()),
            (0, NONCE_SPACE, NONCE_SPACE)
        );
        let last = NonceRange::new(u32::MAX as u64, 1).unwrap();
        assert_eq!(last.end(), NONCE_SPACE);
        for (start, count) in [
            (1, u64::MAX),
            (u64::MAX, 1),
            (u64::MAX, u64::MAX),
            (NONCE_SPACE, 1),
            (1, NONCE_SPACE),
            (0, 0),
            (u32::MAX as u64, 2),
        ] {
            assert!(NonceRange::new(start, count).is_err(), "{start} {count}");
        }
        let err = NonceRange::new(1, u64::MAX).unwrap_err();
        assert!(
            err.message.contains("runs past nonce 2^32"),
            "{}",
            err.message
        );
    }
}
