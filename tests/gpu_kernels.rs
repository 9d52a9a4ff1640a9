//! The WGSL kernels, run for real (lavapipe on CI), against known answers
//! from the real chain and against the sha2 CPU reference.

mod common;

use common::{fixture_headers, gpu, window_around};
use hashwatt::chain::catalog;
use hashwatt::chain::target::Target;
use hashwatt::cpu;
use hashwatt::kernel::KernelConfig;
use hashwatt::search::{search_range, Searcher};
use hashwatt::verify::checks::SplitMix;

fn configs() -> Vec<KernelConfig> {
    vec![
        KernelConfig::reference(),
        KernelConfig::fast(),
        KernelConfig {
            workgroup_size: 64,
            nonces_per_invocation: 3,
            ..KernelConfig::fast()
        },
    ]
}

#[test]
fn digest_kernel_reproduces_real_block_hashes() {
    let Some(mut gpu) = gpu(KernelConfig::reference()) else {
        return;
    };
    let mut known = fixture_headers();
    known.extend(catalog::embedded());
    assert!(known.len() >= 5000);
    let headers: Vec<_> = known.iter().map(|k| k.header).collect();
    let digests = gpu.digests(&headers).unwrap();
    for (k, digest) in known.iter().zip(&digests) {
        assert_eq!(Some(*digest), k.expected_hash, "height {:?}", k.height);
    }
}

#[test]
fn digest_kernel_matches_sha2_on_random_nonces() {
    let Some(mut gpu) = gpu(KernelConfig::reference()) else {
        return;
    };
    let mut random = SplitMix::new(0x5eed);
    let embedded = catalog::embedded();
    let headers: Vec<_> = (0..4096)
        .map(|i| {
            embedded[i % embedded.len()]
                .header
                .with_nonce(random.next_u32())
        })
        .collect();
    let digests = gpu.digests(&headers).unwrap();
    for (header, digest) in headers.iter().zip(digests) {
        assert_eq!(digest, header.block_hash(), "nonce {}", header.nonce());
    }
}

#[test]
fn search_finds_the_real_nonce_of_every_embedded_header() {
    for config in configs() {
        let Some(mut gpu) = gpu(config) else { return };
        for known in catalog::embedded() {
            let header = known.header;
            let target = header.target().unwrap();
            let (start, count) = window_around(header.nonce(), 1 << 16);
            let hits = search_range(&mut *gpu, &header, start, count, &target, 1 << 16).unwrap();
            assert_eq!(
                hits,
                vec![header.nonce()],
                "{config:?} height {:?}",
                known.height
            );
            assert_eq!(Some(header.block_hash()), known.expected_hash);
        }
    }
}

#[test]
fn gpu_hit_set_equals_cpu_hit_set_at_an_easy_target() {
    let target = Target::from_leading_zero_bits(8).unwrap();
    for config in configs() {
        let Some(mut gpu) = gpu(config) else { return };
        for height in ["0", "481824", "951658"] {
            let header = catalog::resolve(height).unwrap().header;
            let start = 0x1234_5678;
            let gpu_hits =
                search_range(&mut *gpu, &header, start, 1 << 16, &target, 1 << 14).unwrap();
            let mut cpu_hits = cpu::search_parallel(&header, start, 1 << 16, &target, 2).unwrap();
            cpu_hits.sort_unstable();
            assert!(
                cpu_hits.len() > 150,
                "about 256 hits expected, got {}",
                cpu_hits.len()
            );
            assert_eq!(gpu_hits, cpu_hits, "{config:?} header {height}");
        }
    }
}

#[test]
fn search_is_exact_at_the_top_of_the_nonce_space() {
    let target = Target::from_leading_zero_bits(6).unwrap();
    for config in configs() {
        let Some(mut gpu) = gpu(config) else { return };
        let header = catalog::latest_embedded().header;
        let start = u32::MAX - 4095;
        let gpu_hits = search_range(&mut *gpu, &header, start, 4096, &target, 1000).unwrap();
        let mut cpu_hits = cpu::search_serial(&header, start, 4096, &target);
        cpu_hits.sort_unstable();
        assert_eq!(gpu_hits, cpu_hits, "{config:?}");
        assert!(gpu_hits.contains(&cpu_hits[cpu_hits.len() - 1]));
    }
}

#[test]
fn every_nonce_a_hit_overflows_the_buffer_without_losing_one() {
    for config in configs() {
        let Some(mut gpu) = gpu(config) else { return };
        let header = catalog::resolve("170").unwrap().header;
        let hits = search_range(&mut *gpu, &header, 1000, 1 << 16, &Target::MAX, 1 << 16).unwrap();
        assert_eq!(hits.len(), 1 << 16, "{config:?}");
        assert!(hits.iter().copied().eq(1000..1000 + (1 << 16)));
    }
}

/// The fast kernel decides on the top 32 bits and rechecks all 256 only on
/// a tie. Targets equal to a real hash, and one below it, hit that path.
#[test]
fn ties_on_the_top_limb_are_decided_on_all_256_bits() {
    let header = catalog::resolve("481824").unwrap().header;
    let nonce = 0x0bad_cafe;
    let hash = header.with_nonce(nonce).block_hash().to_number();
    let mut just_below = hash.limbs();
    just_below[7] = just_below[7].wrapping_sub(1);
    let just_below = Target::from_limbs(just_below);
    for config in configs() {
        let Some(mut gpu) = gpu(config) else { return };
        let start = nonce - 2048;
        for target in [hash, just_below] {
            let gpu_hits = search_range(&mut *gpu, &header, start, 4096, &target, 4096).unwrap();
            let mut cpu_hits = cpu::search_serial(&header, start, 4096, &target);
            cpu_hits.sort_unstable();
            assert_eq!(gpu_hits, cpu_hits, "{config:?}");
            assert_eq!(gpu_hits.contains(&nonce), target == hash, "{config:?}");
        }
    }
}

/// Kernel settings the device cannot run (a workgroup far over its limits)
/// are refused before compiling: an error naming the adapter and the
/// setting, bad input rather than a compile error blamed on the kernel,
/// never a panic.
#[test]
fn a_kernel_the_device_rejects_is_an_error_naming_the_adapter() {
    let Some(hashwatt::devices::DeviceChoice::Gpu(adapter)) = common::gpu_choice() else {
        return;
    };
    let config = KernelConfig {
        workgroup_size: 1 << 20,
        ..KernelConfig::fast()
    };
    let error = hashwatt::gpu::GpuSearcher::open(&adapter, config)
        .err()
        .expect("the device refuses it");
    assert!(
        error.message.contains(&adapter.info.name),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("workgroup size 1048576 is outside"),
        "{}",
        error.message
    );
    assert_eq!(error.exit_code(), hashwatt::error::exit::BAD_INPUT);
}
