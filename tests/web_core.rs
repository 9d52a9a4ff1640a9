//! The browser build's core, run natively: the asynchronous bench driver
//! follows the same state machine as the blocking one (same nonces, same
//! shares, every one verified with sha2), and the GPU's awaited calls
//! (batches, digests) give what the blocking ones give.

mod common;

use std::sync::atomic::AtomicBool;

use hashwatt::bench::{self, BenchOptions, StopRule};
use hashwatt::chain::catalog;
use hashwatt::chain::header::{BlockHash, BlockHeader};
use hashwatt::cpu::CpuSearcher;
use hashwatt::error::Result;
use hashwatt::kernel::KernelConfig;
use hashwatt::search::{AsyncSearcher, Batch, BatchResult, Searcher};

/// The CPU device behind the asynchronous interface: each wait is ready at once.
struct AsyncCpu(CpuSearcher);

impl Searcher for AsyncCpu {
    fn name(&self) -> String {
        self.0.name()
    }
    fn depth(&self) -> usize {
        self.0.depth()
    }
    fn in_flight(&self) -> usize {
        self.0.in_flight()
    }
    fn submit(&mut self, batch: Batch) -> Result<()> {
        self.0.submit(batch)
    }
    fn wait_oldest(&mut self) -> Result<Option<BatchResult>> {
        self.0.wait_oldest()
    }
    fn digests(&mut self, headers: &[BlockHeader]) -> Result<Vec<BlockHash>> {
        self.0.digests(headers)
    }
}

impl AsyncSearcher for AsyncCpu {
    async fn wait_oldest_async(&mut self) -> Result<Option<BatchResult>> {
        self.0.wait_oldest()
    }
}

fn options(nonces: u64, share_bits: u32) -> BenchOptions {
    let mut options = BenchOptions::new(catalog::latest_embedded(), StopRule::Nonces(nonces));
    options.share_bits = Some(share_bits);
    options.start_nonce = 1_000_000;
    options.progress = false;
    options
}

/// Every share of `nonces` nonces from the options' start at `share_bits`,
/// found by the CPU.
fn cpu_shares(nonces: u64, share_bits: u32) -> Vec<u32> {
    let header = catalog::latest_embedded().header;
    let target = hashwatt::chain::target::Target::from_leading_zero_bits(share_bits).unwrap();
    hashwatt::search::search_range(
        &mut CpuSearcher::new(2),
        &header,
        1_000_000,
        nonces,
        &target,
        nonces,
    )
    .unwrap()
}

fn share_nonces(outcome: &bench::BenchOutcome) -> Vec<u32> {
    let mut nonces: Vec<u32> = outcome.share_records.iter().map(|r| r.nonce).collect();
    nonces.sort_unstable();
    nonces
}

#[test]
fn the_async_driver_runs_the_same_loop_as_the_blocking_one() {
    // 293 shares expected: enough for the proof of work (256).
    let options = options(300_000, 10);
    let stop = AtomicBool::new(false);
    let blocking = bench::run(&mut CpuSearcher::new(2), &options, &stop, None).unwrap();
    let mut progress = Vec::new();
    let awaited = pollster::block_on(bench::run_async(
        &mut AsyncCpu(CpuSearcher::new(2)),
        &options,
        &stop,
        None,
        |at| progress.push(*at),
    ))
    .unwrap();
    for outcome in [&blocking, &awaited] {
        assert_eq!(outcome.nonces, 300_000);
        assert!(outcome.warmup.is_some());
        assert_eq!(outcome.shares_found, outcome.shares_verified);
        assert!(outcome.shares_found > 200, "{}", outcome.shares_found);
        assert!(outcome.proof().passed, "{:?}", outcome.proof());
    }
    // The same range at the same target: the same shares, found and verified.
    assert_eq!(blocking.shares_found, awaited.shares_found);
    assert_eq!(share_nonces(&blocking), share_nonces(&awaited));
    // Every timed batch was reported, the last with the run's totals.
    assert_eq!(progress.len() as u64, awaited.batches);
    let last = progress.last().unwrap();
    assert_eq!(last.nonces, 300_000);
    assert_eq!(last.shares_verified, awaited.shares_verified);
}

#[test]
fn a_stopped_run_stops_in_the_warm_up_on_both_drivers() {
    let options = options(100_000, 12);
    let stop = AtomicBool::new(true);
    let blocking = bench::run(&mut CpuSearcher::new(1), &options, &stop, None).unwrap();
    let awaited = pollster::block_on(bench::run_async(
        &mut AsyncCpu(CpuSearcher::new(1)),
        &options,
        &stop,
        None,
        |_| {},
    ))
    .unwrap();
    for outcome in [blocking, awaited] {
        assert!(outcome.interrupted);
        assert!(outcome.warmup.is_none());
        assert_eq!(outcome.nonces, 0);
    }
}

#[test]
fn the_gpu_awaited_path_verifies_every_share_and_digest() {
    let Some(mut gpu) = common::gpu(KernelConfig::default()) else {
        return;
    };
    // 256 shares expected: just enough for the proof of work.
    let options = options(1 << 18, 10);
    let outcome = pollster::block_on(bench::run_async(
        &mut *gpu,
        &options,
        &AtomicBool::new(false),
        None,
        |_| {},
    ))
    .unwrap();
    assert_eq!(outcome.nonces, 1 << 18);
    assert_eq!(outcome.shares_found, outcome.shares_verified);
    assert!(outcome.proof().passed, "{:?}", outcome.proof());
    // The CPU's shares of the same range: as many, and each share the GPU
    // recorded among them (the records keep the first 256 the GPU
    // reported, in its own order).
    let cpu = cpu_shares(1 << 18, 10);
    assert_eq!(outcome.shares_found, cpu.len() as u64);
    assert!(share_nonces(&outcome)
        .iter()
        .all(|n| cpu.binary_search(n).is_ok()));

    let headers: Vec<BlockHeader> = catalog::embedded().iter().map(|k| k.header).collect();
    let awaited = pollster::block_on(gpu.digests_async(&headers)).unwrap();
    let sha2: Vec<BlockHash> = headers.iter().map(BlockHeader::block_hash).collect();
    assert_eq!(awaited, sha2);
}
