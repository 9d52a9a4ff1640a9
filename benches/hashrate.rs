//! `cargo bench`: the speed targets, measured in one run and compared as
//! ratios, so they hold however fast the machine happens to be today.
//!
//! - sha2's raw `compress256` rate on one core, and the sha2 reference
//!   search (two `compress256` a nonce) on one core;
//! - OpenSSL's single-stream SHA-256 (`openssl speed -evp sha256`, its
//!   8192-byte column), when `openssl` is on PATH: the ceiling the CPU
//!   device is held to is its compressions per second per core x cores / 2;
//! - each fast CPU path this CPU has, on one thread and on every core (a
//!   path it lacks is named as skipped);
//! - the reference and the fast WGSL kernel on each adapter present, on
//!   every backend (Vulkan and OpenGL both, where both have an adapter),
//!   each kernel with the same settings on each, and the Vulkan/GL ratio of
//!   each kernel on the same device;
//! - the fast kernel's integer operations per nonce, counted in what naga
//!   writes (`hashwatt kernel-cost`; no device needed).
//!
//! HASHWATT_BENCH_SECONDS sets the timed seconds per row (default 5).
// Test and bench harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use hashwatt::bench::{self, BenchOptions, StopRule};
use hashwatt::chain::catalog;
use hashwatt::cpu::{self, CpuPath, CpuSearcher};
use hashwatt::gpu::{self, GpuSearcher};
use hashwatt::kernel::cost::kernel_cost;
use hashwatt::kernel::KernelConfig;
use hashwatt::search::Searcher;
use hashwatt::units::format_rate;
use sha2::digest::generic_array::GenericArray;

fn main() {
    // `cargo test --benches` runs this with --bench absent: check the
    // OpenSSL parser on a real output and stop there.
    if !std::env::args().any(|a| a == "--bench") {
        assert_eq!(
            parse_openssl_8192(OPENSSL_SAMPLE),
            Some(1_752_080_380.0),
            "openssl speed output parses"
        );
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
        println!("{name:<66} {:>12}", format_rate(rate));
        rows.push((name, rate));
        rate
    };

    let compress = compress_rate(seconds.min(2.0));
    println!(
        "{:<66} {:>12}",
        "sha2 compress256, one core (blocks/s)",
        format_rate(compress)
    );
    let reference = reference_rate(seconds.min(2.0));
    println!(
        "{:<66} {:>12}",
        "sha2 reference search, 1 thread",
        format_rate(reference)
    );
    let threads = cpu::available_threads();
    let openssl = openssl_rate(seconds.min(3.0));
    match openssl {
        Some(blocks) => println!(
            "{:<66} {:>12}",
            "openssl speed -evp sha256 (8192 B), one core (blocks/s)",
            format_rate(blocks)
        ),
        None => println!(
            "openssl: not on PATH or its output did not parse; no OpenSSL ceiling in this run"
        ),
    }
    let mut paths: Vec<(CpuPath, f64, f64, Option<f64>)> = Vec::new();
    for path in CpuPath::ALL {
        if !path.available() {
            println!(
                "CPU {}: SKIPPED, this CPU lacks {}",
                path.describe(),
                path.needs()
            );
            continue;
        }
        let mut one = CpuSearcher::with_path(path, 1).expect("path present");
        let one = run(format!("CPU {}, 1 thread", path.describe()), &mut one);
        let mut all = CpuSearcher::with_path(path, threads).expect("path present");
        let all = run(
            format!("CPU {}, {threads} threads", path.describe()),
            &mut all,
        );
        let per_cpu_second = cpu_time_rate(path, seconds.min(3.0));
        if let Some(rate) = per_cpu_second {
            println!(
                "{:<66} {:>12}",
                format!("CPU {}, per CPU-second of 1 thread", path.name()),
                format_rate(rate)
            );
        }
        paths.push((path, one, all, per_cpu_second));
    }

    let cost = kernel_cost(&KernelConfig::fast(), None).expect("the fast kernel counts");
    for output in &cost.outputs {
        if let Some(counts) = &output.per_nonce {
            println!(
                "{:<66} {:>12}",
                format!("fast kernel: integer ops per nonce, {}", output.output),
                counts.total
            );
        }
    }
    if let Some(folded) = &cost.folded {
        println!(
            "{:<66} {:>12}",
            "fast kernel: integer ops per nonce, naga-ir folded", folded.total
        );
    }

    // Each kernel with the same settings on every adapter: the built-in
    // defaults, not the tune cache, which holds settings per backend.
    let reference_config = KernelConfig::reference();
    let fast_config = KernelConfig::fast();
    // Kernel by kernel, each on every adapter in turn, so that the rows a
    // Vulkan/GL ratio divides ran next to each other on a shared machine.
    let adapters = gpu::enumerate_every_backend();
    let names: Vec<String> = adapters
        .iter()
        .map(|adapter| {
            format!(
                "{} [{}]",
                adapter.info.name,
                gpu::backend_name(adapter.info.backend)
            )
        })
        .collect();
    let mut kernel_rates = |config: KernelConfig, label: String| -> Vec<f64> {
        adapters
            .iter()
            .zip(&names)
            .map(|(adapter, name)| {
                let mut searcher = GpuSearcher::open(adapter, config).expect("kernel compiles");
                run(format!("{name}: {label}"), &mut searcher)
            })
            .collect()
    };
    let reference_rates = kernel_rates(
        reference_config,
        format!("reference (wg {})", reference_config.workgroup_size),
    );
    let fast_rates = kernel_rates(
        fast_config,
        format!(
            "fast (wg {}, {}/inv)",
            fast_config.workgroup_size, fast_config.nonces_per_invocation
        ),
    );
    let gpu_rates: Vec<(gpu::GpuAdapter, f64, f64)> = adapters
        .into_iter()
        .zip(reference_rates.iter().zip(&fast_rates))
        .map(|(adapter, (r, f))| (adapter, *r, *f))
        .collect();
    let gpu_ratios: Vec<(String, f64)> = names
        .into_iter()
        .zip(&gpu_rates)
        .map(|(name, (_, r, f))| (name, f / r))
        .collect();

    println!("\nratios (same run):");
    println!(
        "  sha2 reference nonces / compress256 blocks, one core   {:.3}  (ceiling 0.5)",
        reference / compress
    );
    for (path, one, all, per_cpu_second) in &paths {
        println!(
            "  {:<8} nonces per core / compress256 blocks      {:.3}",
            path.name(),
            one / compress
        );
        if let Some(blocks) = openssl {
            let ceiling = blocks * threads as f64 / 2.0;
            println!(
                "  {:<8} {threads} threads / OpenSSL ceiling ({})  {:.2}x  (target >= 1.0, compass 1.5)",
                path.name(),
                format_rate(ceiling),
                all / ceiling
            );
        }
        if let (Some(blocks), Some(rate)) = (openssl, per_cpu_second) {
            println!(
                "  {:<8} per CPU-second / OpenSSL's per CPU-second / 2  {:.2}x  (both in CPU time)",
                path.name(),
                rate / (blocks / 2.0)
            );
        }
        println!(
            "  {:<8} scaling, {threads} threads / 1 thread            {:.2}  (ideal {threads})",
            path.name(),
            all / one
        );
    }
    for (name, ratio) in gpu_ratios {
        println!("  {name}: fast / reference   {ratio:.1}x  (target >= 10)");
    }
    for (vulkan, gl) in same_device_pairs(&gpu_rates) {
        let (adapter, vk_reference, vk_fast) = &gpu_rates[vulkan];
        let (_, gl_reference, gl_fast) = &gpu_rates[gl];
        println!(
            "  {}: Vulkan / GL, fast kernel       {:.2}  (target >= 0.95)",
            adapter.info.name,
            vk_fast / gl_fast
        );
        println!(
            "  {}: Vulkan / GL, reference kernel  {:.2}  (target >= 0.8)",
            adapter.info.name,
            vk_reference / gl_reference
        );
    }
}

/// (Vulkan row, GL row) for each device both backends found: the same
/// device type and one name the start of the other (llvmpipe is
/// `llvmpipe (LLVM 15.0.6, 256 bits)` on both; NVIDIA's GL name adds
/// `/PCIe/SSE2`), or simply the one Vulkan and the one GL adapter.
fn same_device_pairs(rates: &[(gpu::GpuAdapter, f64, f64)]) -> Vec<(usize, usize)> {
    let on = |backend| -> Vec<usize> {
        (0..rates.len())
            .filter(|&i| rates[i].0.info.backend == backend)
            .collect()
    };
    let (vulkan, gl) = (on(wgpu::Backend::Vulkan), on(wgpu::Backend::Gl));
    if vulkan.len() == 1 && gl.len() == 1 {
        return vec![(vulkan[0], gl[0])];
    }
    let mut pairs = Vec::new();
    for &v in &vulkan {
        let info = &rates[v].0.info;
        let matching = gl.iter().copied().find(|&g| {
            let other = &rates[g].0.info;
            other.device_type == info.device_type
                && (other.name.starts_with(&info.name) || info.name.starts_with(&other.name))
        });
        if let Some(g) = matching {
            pairs.push((v, g));
        }
    }
    pairs
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

/// The sha2 reference search (two `compress256` a nonce) on this thread.
fn reference_rate(seconds: f64) -> f64 {
    let known = catalog::latest_embedded();
    let target = hashwatt::chain::target::Target::from_leading_zero_bits(32).expect("valid");
    let started = Instant::now();
    let mut nonces = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        black_box(cpu::search_serial(
            &known.header,
            nonces as u32,
            1 << 16,
            &target,
        ));
        nonces += 1 << 16;
    }
    nonces as f64 / started.elapsed().as_secs_f64()
}

/// OpenSSL's SHA-256 compressions per second on one core, from
/// `openssl speed -evp sha256` (8192-byte blocks: one long stream, so
/// 64 bytes is one compression). `None` when openssl is absent.
fn openssl_rate(seconds: f64) -> Option<f64> {
    let output = std::process::Command::new("openssl")
        .args(["speed", "-evp", "sha256", "-bytes", "8192", "-seconds"])
        .arg(format!("{}", seconds.ceil().max(1.0) as u64))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    parse_openssl_8192(&text).map(|bytes| bytes / 64.0)
}

/// Bytes per second in the 8192-byte column of `openssl speed` output
/// (its figures are in 1000s of bytes per second).
fn parse_openssl_8192(text: &str) -> Option<f64> {
    let header = text.lines().find(|l| l.starts_with("type"))?;
    let columns: Vec<&str> = header
        .trim_start_matches("type")
        .split("bytes")
        .map(str::trim)
        .collect();
    let column = columns.iter().position(|c| *c == "8192")?;
    let row = text.lines().find(|l| l.starts_with("sha256"))?;
    let value = row.split_whitespace().nth(1 + column)?;
    let thousands: f64 = value.trim_end_matches('k').parse().ok()?;
    Some(thousands * 1000.0).filter(|v| v.is_finite() && *v > 0.0)
}

/// `openssl speed -evp sha256` as OpenSSL 3.0 prints it.
const OPENSSL_SAMPLE: &str = "\
The 'numbers' are in 1000s of bytes per second processed.
type             16 bytes     64 bytes    256 bytes   1024 bytes   8192 bytes  16384 bytes
sha256          124064.88k   401936.64k   976790.78k  1484522.50k  1752080.38k  1762705.41k
";

/// Nonces per second of CPU time on this thread, from the scheduler's own
/// count (/proc/thread-self/schedstat, Linux): on a shared machine this is
/// what compares with `openssl speed`, which divides by CPU user time.
fn cpu_time_rate(path: CpuPath, seconds: f64) -> Option<f64> {
    fn on_cpu_ns() -> Option<u64> {
        let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        text.split_whitespace().next()?.parse().ok()
    }
    let known = catalog::latest_embedded();
    let target = hashwatt::chain::target::Target::from_leading_zero_bits(32).expect("valid");
    let job = cpu::Job::new(&known.header, &target);
    let before = on_cpu_ns()?;
    let started = Instant::now();
    let mut nonces = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        black_box(cpu::fast::search(path, &job, nonces as u32, 1 << 20));
        nonces += 1 << 20;
    }
    let cpu_seconds = (on_cpu_ns()? - before) as f64 / 1e9;
    (cpu_seconds > 0.0).then(|| nonces as f64 / cpu_seconds)
}
