//! `cargo bench`: the speed targets, measured in one run and compared as
//! ratios, so they hold however fast the machine happens to be today.
//!
//! - sha2's raw `compress256` rate on one core (the CPU's ceiling: a nonce
//!   costs two compressions, so 0.5 of it is the most a nonce rate can be);
//! - the CPU search path on one thread and on every core;
//! - the reference and the fast WGSL kernel on each adapter present.
//!
//! HASHWATT_BENCH_SECONDS sets the timed seconds per row (default 5).
// Test and bench harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use hashwatt::bench::{self, BenchOptions, StopRule};
use hashwatt::catalog;
use hashwatt::cpu::{self, CpuSearcher};
use hashwatt::gpu::{self, GpuSearcher, KernelConfig};
use hashwatt::report::format_rate;
use hashwatt::search::Searcher;
use sha2::digest::generic_array::GenericArray;

fn main() {
    // `cargo test --benches` runs this with --bench absent; do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let seconds: f64 = std::env::var("HASHWATT_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let known = catalog::latest_embedded();
    let mut rows: Vec<(String, f64)> = Vec::new();
    let mut run = |name: String, searcher: &mut dyn Searcher| -> f64 {
        let mut options = BenchOptions::new(known.clone(), StopRule::Seconds(seconds));
        options.progress = false;
        options.share_bits = Some(24);
        let outcome =
            bench::run(searcher, &options, &AtomicBool::new(false), None).expect("bench runs");
        assert_eq!(outcome.shares_found, outcome.shares_verified);
        let rate = outcome.hashes_per_second();
        println!("{name:<58} {:>12}", format_rate(rate));
        rows.push((name, rate));
        rate
    };

    let compress = compress_rate(seconds.min(2.0));
    println!(
        "{:<58} {:>12}",
        "sha2 compress256, one core (blocks/s)",
        format_rate(compress)
    );
    let threads = cpu::available_threads();
    let one = run("CPU search, 1 thread".into(), &mut CpuSearcher::new(1));
    let all = run(
        format!("CPU search, {threads} threads"),
        &mut CpuSearcher::new(threads),
    );

    let mut gpu_ratios = Vec::new();
    for adapter in gpu::enumerate_adapters() {
        let name = format!(
            "{} [{}]",
            adapter.info.name,
            gpu::backend_name(adapter.info.backend)
        );
        let mut reference = GpuSearcher::open(&adapter, KernelConfig::reference())
            .expect("reference kernel compiles");
        let reference_rate = run(format!("{name}: reference kernel"), &mut reference);
        drop(reference);
        let mut fast =
            GpuSearcher::open(&adapter, KernelConfig::fast()).expect("fast kernel compiles");
        let fast_rate = run(format!("{name}: fast kernel"), &mut fast);
        gpu_ratios.push((name, fast_rate / reference_rate));
    }

    println!("\nratios (same run):");
    println!("  CPU nonces per core / compress256 blocks per core   {:.3}  (ceiling 0.5; target >= 0.45)", one / compress);
    println!(
        "  CPU scaling, {threads} threads / 1 thread                  {:.2}  (ideal {threads})",
        all / one
    );
    for (name, ratio) in gpu_ratios {
        println!("  {name}: fast / reference   {ratio:.1}x  (target >= 10)");
    }
}

/// Raw `compress256` blocks per second on this thread.
fn compress_rate(seconds: f64) -> f64 {
    let mut state = [
        0x6a09e667u32,
        0xbb67ae85,
        0x3c6ef372,
        0xa54ff53a,
        0x510e527f,
        0x9b05688c,
        0x1f83d9ab,
        0x5be0cd19,
    ];
    let block = *GenericArray::from_slice(&[0x5au8; 64]);
    let started = Instant::now();
    let mut blocks = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        for _ in 0..10_000 {
            sha2::compress256(&mut state, std::slice::from_ref(&block));
        }
        blocks += 10_000;
    }
    black_box(state);
    blocks as f64 / started.elapsed().as_secs_f64()
}
