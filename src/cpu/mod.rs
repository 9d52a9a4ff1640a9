//! The CPU, in its two jobs, kept apart:
//!
//! - [`reference`](mod@reference): the nonce search written plainly with
//!   `sha2`. It is the independent check of every hit from every device, and
//!   the yardstick the tests compare every hit set with.
//! - [`fast`]: the CPU as a search device. Our own double SHA-256 with the
//!   same host precomputation as the GPU kernel, on the fastest path the CPU
//!   has: AVX-512 (16 lanes), SHA-NI (nonces interleaved), AVX2 (8 lanes) or
//!   portable scalar code.
//!
//! [`CpuSearcher`] runs the fast search on every core. Its hits are checked
//! by `hits::verify` with the reference, never with the fast path itself.

pub mod fast;
pub mod reference;

use std::collections::VecDeque;

pub use fast::{CpuPath, Job};
pub use reference::{search_parallel, search_serial, state_meets, state_to_hash, MidstateHasher};

use crate::chain::header::BlockHash;
use crate::chain::header::BlockHeader;
use crate::error::{Error, Result};
use crate::search::{Batch, BatchResult, Searcher};

/// Threads the CPU can run at once (`std::thread::available_parallelism`:
/// the cores this process may use, cgroup quotas and affinity included).
/// Also the most `--threads` takes.
pub fn available_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Runs `search(first, len)` over `start..start + count` split into
/// `threads` contiguous slices, one thread each, and joins the hits. A
/// thread the system will not start is an error (exit 3), never a panic,
/// and never a silently smaller run.
pub fn in_parallel(
    start: u32,
    count: u64,
    threads: usize,
    search: impl Fn(u32, u64) -> Vec<u32> + Sync,
) -> Result<Vec<u32>> {
    let threads = threads.clamp(1, count.max(1) as usize);
    if threads == 1 {
        return Ok(search(start, count));
    }
    let per_thread = count.div_ceil(threads as u64);
    let search = &search;
    std::thread::scope(|scope| {
        let mut workers = Vec::with_capacity(threads);
        for i in 0..threads as u64 {
            let first = i * per_thread;
            let len = per_thread.min(count.saturating_sub(first));
            let worker = std::thread::Builder::new()
                .name(format!("search {i}"))
                .spawn_scoped(scope, move || {
                    if len == 0 {
                        Vec::new()
                    } else {
                        search((start as u64 + first) as u32, len)
                    }
                })
                .map_err(|e| {
                    Error::device(format!(
                        "cannot start search thread {} of {threads}: {e}",
                        i + 1
                    ))
                })?;
            workers.push(worker);
        }
        let mut hits = Vec::new();
        for worker in workers {
            hits.extend(
                worker
                    .join()
                    .map_err(|_| Error::device("a CPU search thread panicked"))?,
            );
        }
        Ok(hits)
    })
}

/// The CPU as a search device: synchronous, one batch at a time, the fast
/// search on `threads` threads.
pub struct CpuSearcher {
    path: CpuPath,
    threads: usize,
    /// For tests only: hash a different header than the one given.
    lie: bool,
    done: VecDeque<BatchResult>,
}

impl CpuSearcher {
    /// The fastest path this CPU has, on `threads` threads.
    pub fn new(threads: usize) -> Self {
        Self::with_path(CpuPath::best(), threads).expect("the best path is always present")
    }

    /// A given path; an input error if this CPU lacks it.
    pub fn with_path(path: CpuPath, threads: usize) -> Result<Self> {
        path.require()?;
        Ok(CpuSearcher {
            path,
            threads: threads.max(1),
            lie: false,
            done: VecDeque::new(),
        })
    }

    /// For tests of the verifier: a device that lies consistently. It
    /// hashes the header with one midstate bit flipped, in its searches and
    /// in its digests alike, so it agrees with itself and only an
    /// independent check can catch it.
    #[doc(hidden)]
    pub fn lying(mut self) -> Self {
        self.lie = true;
        self
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    pub fn path(&self) -> CpuPath {
        self.path
    }

    fn job(&self, header: &BlockHeader, target: &crate::chain::target::Target) -> Job {
        let mut job = Job::new(header, target);
        if self.lie {
            job.corrupt();
        }
        job
    }
}

impl Searcher for CpuSearcher {
    fn name(&self) -> String {
        format!("CPU ({}, {} threads)", self.path.describe(), self.threads)
    }

    fn depth(&self) -> usize {
        1
    }

    fn in_flight(&self) -> usize {
        self.done.len()
    }

    fn submit(&mut self, batch: Batch) -> Result<()> {
        let job = self.job(&batch.header, &batch.target);
        let path = self.path;
        let hits = in_parallel(batch.start, batch.count, self.threads, |first, len| {
            fast::search(path, &job, first, len)
        })?;
        // Synchronous: no device time apart from the wall clock.
        self.done.push_back(BatchResult {
            batch,
            hits,
            device_seconds: None,
        });
        Ok(())
    }

    fn wait_oldest(&mut self) -> Result<Option<BatchResult>> {
        Ok(self.done.pop_front())
    }

    /// The device's own digests: the fast code's full double SHA-256, not
    /// sha2, so `verify` compares two independent computations.
    fn digests(&mut self, headers: &[BlockHeader]) -> Result<Vec<BlockHash>> {
        Ok(headers
            .iter()
            .map(|h| {
                let job = self.job(h, &crate::chain::target::Target::MAX);
                state_to_hash(&job.full_state(h.nonce()))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::catalog;

    #[test]
    fn slices_cover_the_range_once() {
        let hits = in_parallel(u32::MAX - 9, 10, 4, |first, len| {
            (first as u64..first as u64 + len)
                .map(|n| n as u32)
                .collect()
        });
        let mut hits = hits.unwrap();
        hits.sort_unstable();
        assert_eq!(hits, (u32::MAX - 9..=u32::MAX).collect::<Vec<_>>());
        assert_eq!(
            in_parallel(7, 1, 8, |f, l| vec![f; l as usize]).unwrap(),
            vec![7]
        );
    }

    #[test]
    fn device_digests_are_the_block_hashes() {
        let mut cpu = CpuSearcher::new(1);
        let known = catalog::embedded();
        let headers: Vec<_> = known.iter().map(|k| k.header).collect();
        let digests = cpu.digests(&headers).unwrap();
        for (header, digest) in headers.iter().zip(digests) {
            assert_eq!(digest, header.block_hash());
        }
    }
}
