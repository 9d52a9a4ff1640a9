//! The fast CPU search paths (src/cpu/fast) against the sha2 reference
//! (src/cpu/reference.rs): for every path this CPU has, the hit sets must
//! equal sha2's exactly. A path the CPU lacks is skipped and says so on
//! stderr; it never passes as tested. Set HASHWATT_REQUIRE_CPU_PATHS (e.g.
//! `avx512,sha-ni`) to make a missing path a failure instead.
// Test and bench harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

mod common;

use common::{run_json, window_around};
use hashwatt::chain::catalog;
use hashwatt::chain::header::BlockHeader;
use hashwatt::chain::target::Target;
use hashwatt::cpu::{self, fast, CpuPath, CpuSearcher, Job};
use hashwatt::error::exit;
use hashwatt::search::{search_range, Batch, Searcher};
use hashwatt::verify::checks::SplitMix;
use hashwatt::verify::hits;

/// The paths this CPU has; each one it lacks is named on stderr.
fn paths() -> Vec<CpuPath> {
    let required = std::env::var("HASHWATT_REQUIRE_CPU_PATHS").unwrap_or_default();
    let mut present = Vec::new();
    for path in CpuPath::ALL {
        if path.available() {
            present.push(path);
        } else if required.split(',').any(|r| r.trim() == path.name()) {
            panic!(
                "HASHWATT_REQUIRE_CPU_PATHS names {path}, but this CPU lacks {}",
                path.needs()
            );
        } else {
            eprintln!(
                "SKIPPED the {path} path: this CPU lacks {}; it was NOT tested here",
                path.needs()
            );
        }
    }
    assert!(present.contains(&CpuPath::Scalar));
    present
}

/// sha2's hits, sorted.
fn reference(header: &BlockHeader, start: u32, count: u64, target: &Target) -> Vec<u32> {
    let mut hits = cpu::search_serial(header, start, count, target);
    hits.sort_unstable();
    hits
}

/// A fast path's hits, sorted.
fn fast_hits(
    path: CpuPath,
    header: &BlockHeader,
    start: u32,
    count: u64,
    target: &Target,
) -> Vec<u32> {
    let mut hits = fast::search(path, &Job::new(header, target), start, count);
    hits.sort_unstable();
    hits
}

#[test]
fn every_embedded_window_holds_exactly_the_real_nonce() {
    let paths = paths();
    for known in catalog::embedded() {
        let header = known.header;
        let target = header.target().unwrap();
        let (start, count) = window_around(header.nonce(), 1 << 16);
        let expected = reference(&header, start, count, &target);
        assert_eq!(
            expected,
            vec![header.nonce()],
            "sha2, height {:?}",
            known.height
        );
        for &path in &paths {
            assert_eq!(
                fast_hits(path, &header, start, count, &target),
                expected,
                "{path}, height {:?}",
                known.height
            );
        }
    }
}

#[test]
fn hit_sets_equal_sha2_at_easy_targets() {
    let paths = paths();
    for height in ["0", "170", "481824", "951658"] {
        let header = catalog::resolve(height).unwrap().header;
        for bits in [0, 1, 4, 8, 11] {
            let target = Target::from_leading_zero_bits(bits).unwrap();
            // An odd start and length: partial steps at both ends.
            let (start, count) = (0x1234_5677, (1 << 13) + 13);
            let expected = reference(&header, start, count, &target);
            if bits == 0 {
                assert_eq!(expected.len() as u64, count);
            } else {
                assert!(!expected.is_empty(), "{height} at {bits} bits");
            }
            for &path in &paths {
                assert_eq!(
                    fast_hits(path, &header, start, count, &target),
                    expected,
                    "{path}, header {height}, {bits} bits"
                );
            }
        }
    }
}

#[test]
fn hit_sets_equal_sha2_at_the_top_of_the_nonce_space() {
    let paths = paths();
    let header = catalog::latest_embedded().header;
    for target in [Target::from_leading_zero_bits(6).unwrap(), Target::MAX] {
        for count in [1, 2, 15, 17, 4099] {
            let start = (u32::MAX as u64 + 1 - count) as u32;
            let expected = reference(&header, start, count, &target);
            if target == Target::MAX {
                assert_eq!(expected.last(), Some(&u32::MAX));
            }
            for &path in &paths {
                assert_eq!(
                    fast_hits(path, &header, start, count, &target),
                    expected,
                    "{path}, the last {count} nonces"
                );
            }
        }
    }
}

/// The fast paths decide on the hash's top 32 bits and recheck all 256 only
/// on a tie: targets equal to a real hash, and one below it, reach it.
#[test]
fn ties_on_the_top_limb_are_decided_on_all_256_bits() {
    let paths = paths();
    let header = catalog::resolve("481824").unwrap().header;
    let nonce = 0x0bad_cafe;
    let hash = header.with_nonce(nonce).block_hash().to_number();
    let mut just_below = hash.limbs();
    just_below[7] = just_below[7].wrapping_sub(1);
    let mut top_only = hash.limbs();
    top_only[1..].fill(0);
    for target in [
        hash,
        Target::from_limbs(just_below),
        Target::from_limbs(top_only),
    ] {
        let start = nonce - 2048;
        let expected = reference(&header, start, 4096, &target);
        assert_eq!(expected.contains(&nonce), target == hash);
        for &path in &paths {
            assert_eq!(
                fast_hits(path, &header, start, 4096, &target),
                expected,
                "{path}, target {target}"
            );
        }
    }
}

/// Property test, deterministic seed: random 80-byte headers, random ranges
/// anywhere in the nonce space, random easy targets and random ties.
#[test]
fn hit_sets_equal_sha2_on_random_headers() {
    let paths = paths();
    let mut random = SplitMix::new(0xc0ff_ee11);
    for case in 0..96 {
        let mut bytes = [0u8; 80];
        for chunk in bytes.chunks_exact_mut(4) {
            chunk.copy_from_slice(&random.next_u32().to_le_bytes());
        }
        let header = BlockHeader::from_bytes(bytes);
        let count = 1 + random.next_u32() as u64 % 3000;
        let start = (random.next_u32() as u64).min((1u64 << 32) - count) as u32;
        let target = if case % 4 == 3 {
            // A tie: the top limb of a hash in the range, the rest random.
            let inside = start + random.next_u32() % count as u32;
            let mut limbs = header.with_nonce(inside).block_hash().to_number().limbs();
            for limb in &mut limbs[1..] {
                *limb = random.next_u32();
            }
            Target::from_limbs(limbs)
        } else {
            Target::from_leading_zero_bits(random.next_u32() % 10).unwrap()
        };
        let expected = reference(&header, start, count, &target);
        for &path in &paths {
            assert_eq!(
                fast_hits(path, &header, start, count, &target),
                expected,
                "{path}, case {case}: header {} start {start} count {count} target {target}",
                header.to_hex()
            );
        }
    }
}

#[test]
fn the_cpu_device_matches_sha2_on_every_path_and_thread_count() {
    let header = catalog::resolve("100000").unwrap().header;
    let target = Target::from_leading_zero_bits(9).unwrap();
    let (start, count) = (4_000_000_001, 50_001);
    let expected = reference(&header, start, count, &target);
    for path in paths() {
        for threads in [1, 3] {
            let mut device = CpuSearcher::with_path(path, threads).unwrap();
            assert!(device.name().contains(path.name()), "{}", device.name());
            let hits = search_range(&mut device, &header, start, count, &target, 7777).unwrap();
            assert_eq!(hits, expected, "{path} on {threads} threads");
        }
    }
}

/// Every hit is verified by sha2, not by the device that found it. A fast
/// path made to lie (it hashes the header with one midstate bit flipped,
/// in its searches and its own digests alike, so it agrees with itself) is
/// caught by `hits::verify`.
#[test]
fn a_lying_fast_path_is_caught_by_the_sha2_verifier() {
    let header = catalog::resolve("genesis").unwrap().header;
    let target = Target::from_leading_zero_bits(8).unwrap();
    for path in paths() {
        let batch = Batch::new(header, 0x1234_5678, 1 << 14, target);

        let mut honest = CpuSearcher::with_path(path, 2).unwrap();
        honest.submit(batch.clone()).unwrap();
        let result = honest.wait_oldest().unwrap().unwrap();
        assert!(!result.hits.is_empty());
        assert_eq!(
            hits::verify(&mut honest, &result).unwrap().len(),
            result.hits.len()
        );

        let mut liar = CpuSearcher::with_path(path, 2).unwrap().lying();
        liar.submit(batch).unwrap();
        let lies = liar.wait_oldest().unwrap().unwrap();
        let first = lies.hits[0];
        let claimed = liar.digests(&[header.with_nonce(first)]).unwrap()[0];
        assert!(
            claimed.meets(&target),
            "{path}: the liar agrees with itself"
        );
        assert_ne!(lies.hits, result.hits, "{path}: the lie changes the hits");
        let error = hits::verify(&mut liar, &lies).unwrap_err();
        assert_eq!(error.exit_code(), exit::CHECK_FAILED, "{path}");
        assert!(
            error.message.contains("sha2 hashes it to"),
            "{path}: {}",
            error.message
        );
    }
}

#[test]
fn a_path_this_cpu_lacks_is_an_input_error() {
    let absent: Vec<_> = CpuPath::ALL
        .into_iter()
        .filter(|p| !p.available())
        .collect();
    if absent.is_empty() {
        eprintln!("SKIPPED: this CPU has every path, so none can be refused here");
    }
    for path in absent {
        let err = CpuPath::parse(path.name()).unwrap_err();
        assert_eq!(err.exit_code(), exit::BAD_INPUT);
        assert!(err.message.contains("lacks"), "{}", err.message);
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_hashwatt"))
            .args(["search", "--header", "genesis", "--device", "cpu"])
            .args(["--cpu-path", path.name()])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(exit::BAD_INPUT));
    }
}

fn exit_status(args: &[&str]) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn cpu_options_are_checked() {
    for args in [
        &[
            "search",
            "--header",
            "genesis",
            "--device",
            "cpu",
            "--cpu-path",
            "neon",
        ][..],
        &[
            "search",
            "--header",
            "genesis",
            "--device",
            "cpu",
            "--threads",
            "0",
        ],
        &["search", "--header", "genesis", "--cpu-path", "scalar"],
        &["bench", "--threads", "2", "--nonces", "1000"],
    ] {
        let (code, stderr) = exit_status(args);
        assert_eq!(code, Some(exit::BAD_INPUT), "{args:?}: {stderr}");
        assert!(stderr.starts_with("hashwatt: error: "), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn devices_and_bench_json_name_the_path() {
    let devices = run_json(&["devices", "--json"], &[]);
    let cpu = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["select"] == "cpu")
        .expect("a cpu row");
    assert_eq!(cpu["cpu_path"], CpuPath::best().name());
    assert!(cpu["name"]
        .as_str()
        .unwrap()
        .contains(CpuPath::best().name()));
    let listed = devices["cpu_paths"].as_array().unwrap();
    assert_eq!(listed.len(), CpuPath::ALL.len());

    for path in paths() {
        let bench = run_json(
            &[
                "bench",
                "--device",
                "cpu",
                "--cpu-path",
                path.name(),
                "--threads",
                "2",
                "--nonces",
                "40000",
                "--share-bits",
                "7",
                "--idle-seconds",
                "0",
                "--json",
            ],
            &[],
        );
        assert_eq!(bench["device"]["cpu_path"], path.name());
        assert!(bench["device"]["name"]
            .as_str()
            .unwrap()
            .contains("2 threads"));
        assert_eq!(bench["shares"]["found"], bench["shares"]["verified"]);
        assert!(bench["shares"]["found"].as_u64().unwrap() > 200);
        assert_eq!(bench["proof_of_work"]["passed"], true);
    }
}
