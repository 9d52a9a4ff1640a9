//! The checks of the suite, in the order they run (`CHECKS` names them):
//! each searches real headers and compares with sha2 on the CPU.

use super::evidence::{check_overflow, compare, minus_one, pin};
use super::{CheckResult, SuiteOptions, Tally};
use crate::chain::catalog::{self, KnownHeader};
use crate::chain::target::Target;
use crate::cpu::MidstateHasher;
use crate::error::Result;
use crate::gpu::GpuSearcher;
use crate::search::NONCE_SPACE;
use crate::verify::checks::window_at;

/// Workgroups per row in the grid check: 3, so that a row holds a number
/// of invocations that is not a power of two.
pub(super) const GRID_ROW_WORKGROUPS: u32 = 3;
/// Rows in the grid check's ranges (the last one partly in the range).
const GRID_ROWS: u64 = 5;

/// Every check, in order.
pub(super) fn all(
    searcher: &mut GpuSearcher,
    headers: &[KnownHeader],
    options: &SuiteOptions,
) -> Result<Vec<CheckResult>> {
    let probe = options.probe;
    let latest = catalog::latest_embedded();
    let oldest = headers.first().unwrap_or(&latest).clone();
    let easy = Target::from_leading_zero_bits(options.hit_set_bits)?;
    let mut checks = Vec::new();

    // The real block hash and nonce of every header, the nonce at an odd
    // offset in its window that differs from header to header.
    let mut tally = Tally::new("real-blocks");
    for (i, known) in headers.iter().enumerate() {
        let hash = known.header.block_hash().to_number();
        let salt = known.height.unwrap_or(0) ^ (i as u64).rotate_left(40);
        let (start, count) = window_at(known.header.nonce(), options.window, salt);
        for target in [hash, minus_one(&hash)] {
            tally.record(compare(searcher, known, start, count, &target)?);
        }
    }
    checks.push(tally.finish(searcher, probe)?);

    // Byte-order traps: one nonce each, its hash pinned from both sides.
    let mut tally = Tally::new("byte-order");
    for nonce in super::byte_order_traps() {
        let hash = latest.header.with_nonce(nonce).block_hash().to_number();
        for target in [hash, minus_one(&hash)] {
            tally.record(pin(searcher, &latest, nonce, &target)?);
        }
    }
    checks.push(tally.finish(searcher, probe)?);

    // Range bounds: every nonce a hit, ranges of awkward sizes.
    let mut tally = Tally::new("range-bounds");
    for (start, count) in [
        (0, 1),
        (1000, 1),
        (1000, 2),
        (1000, 3),
        (4097, 255),
        (70_001, 257),
        (123_456, 1000),
        (0x8000_0000 - 500, 1001),
    ] {
        tally.record(compare(searcher, &latest, start, count, &Target::MAX)?);
    }
    checks.push(tally.finish(searcher, probe)?);

    // The 2-D grid: ranges that take several rows of a few workgroups,
    // the last row partly in the range.
    let mut tally = Tally::new("grid-rows");
    let config = searcher.config();
    let row = searcher.set_row_limit(Some(GRID_ROW_WORKGROUPS)) as u64;
    let count = row * config.nonces_per_invocation as u64 * GRID_ROWS - 7;
    let cases = [
        (&latest, 0x1357_9bdf_u32, Target::MAX),
        (&oldest, 0x2468_ace1_u32, easy),
    ];
    let mut outcome = Ok(());
    for (known, start, target) in cases {
        match compare(searcher, known, start, count, &target) {
            Ok(found) => tally.record(found),
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    searcher.set_row_limit(None);
    outcome?;
    checks.push(tally.finish(searcher, probe)?);

    // The top of the nonce space.
    let mut tally = Tally::new("top-of-nonce-space");
    let top = |count: u64| (NONCE_SPACE - count) as u32;
    tally.record(compare(searcher, &latest, u32::MAX, 1, &Target::MAX)?);
    tally.record(compare(searcher, &latest, top(3), 3, &Target::MAX)?);
    tally.record(compare(searcher, &latest, top(4096), 4096, &easy)?);
    for known in headers.iter().take(3) {
        let window = options.window.min(NONCE_SPACE);
        tally.record(compare(searcher, known, top(window), window, &easy)?);
    }
    checks.push(tally.finish(searcher, probe)?);

    // Ties on the top limb: targets that share the hash's top 32 bits,
    // each judged on its one nonce.
    let mut tally = Tally::new("top-limb-tie");
    for known in [&latest, &oldest] {
        for nonce in [0x0bad_cafe_u32, known.header.nonce()] {
            let limbs = known
                .header
                .with_nonce(nonce)
                .block_hash()
                .to_number()
                .limbs();
            let mut lower_rest = [0u32; 8];
            lower_rest[0] = limbs[0];
            let mut higher_rest = [u32::MAX; 8];
            higher_rest[0] = limbs[0];
            let exact = Target::from_limbs(limbs);
            for target in [
                exact,
                minus_one(&exact),
                Target::from_limbs(lower_rest),
                Target::from_limbs(higher_rest),
            ] {
                tally.record(pin(searcher, known, nonce, &target)?);
            }
        }
    }
    checks.push(tally.finish(searcher, probe)?);

    // Hit sets at an easy target.
    let mut tally = Tally::new("hit-sets");
    for spec in ["0", "481824", "951658"] {
        let known = catalog::resolve(spec).unwrap_or_else(|_| latest.clone());
        let start = known.header.nonce().wrapping_mul(2_654_435_761) as u64
            % (NONCE_SPACE - options.hit_set_nonces);
        tally.record(compare(
            searcher,
            &known,
            start as u32,
            options.hit_set_nonces,
            &easy,
        )?);
    }
    checks.push(tally.finish(searcher, probe)?);

    // Hit sets where the 8th-smallest hash of the range decides: at one
    // below it, that nonce ties the target on the top 224 bits or more and
    // is no hit; at it, it is one (equal is a hit).
    let mut tally = Tally::new("exact-hit-sets");
    for known in [&latest, &oldest] {
        let start = known.header.nonce().wrapping_mul(0x9e37_79b1) as u64
            % (NONCE_SPACE - options.hit_set_nonces);
        let eighth = eighth_smallest_hash(known, start as u32, options.hit_set_nonces);
        for target in [minus_one(&eighth), eighth] {
            tally.record(compare(
                searcher,
                known,
                start as u32,
                options.hit_set_nonces,
                &target,
            )?);
        }
    }
    checks.push(tally.finish(searcher, probe)?);

    // Overflow: every nonce a hit, far past the hit list's room.
    let mut tally = Tally::new("overflow");
    tally.record(check_overflow(
        searcher,
        &latest,
        options.overflow_nonces,
        options.overflow_capacity,
    )?);
    tally.record(compare(
        searcher,
        &latest,
        5000,
        options.overflow_nonces,
        &Target::MAX,
    )?);
    checks.push(tally.finish(searcher, probe)?);

    // Rolled headers: BIP320 version bits, and the time one second on.
    let mut tally = Tally::new("rolled-headers");
    let version_rolled = KnownHeader {
        header: latest
            .header
            .with_version(latest.header.version() ^ 0x0000_e000),
        height: None,
        expected_hash: None,
    };
    let time_rolled = KnownHeader {
        header: latest
            .header
            .with_time(latest.header.time().wrapping_add(1)),
        height: None,
        expected_hash: None,
    };
    for known in [&version_rolled, &time_rolled] {
        tally.record(compare(
            searcher,
            known,
            1 << 20,
            options.hit_set_nonces,
            &easy,
        )?);
        let nonce = 0x0bad_cafe;
        let hash = known.header.with_nonce(nonce).block_hash().to_number();
        for target in [hash, minus_one(&hash)] {
            tally.record(pin(searcher, known, nonce, &target)?);
        }
    }
    checks.push(tally.finish(searcher, probe)?);
    Ok(checks)
}

/// The 8th-smallest block hash of a range (or the largest, in a range of
/// fewer than 8 nonces), computed with sha2.
fn eighth_smallest_hash(known: &KnownHeader, start: u32, count: u64) -> Target {
    let mut hasher = MidstateHasher::new(&known.header);
    let mut smallest: Vec<Target> = Vec::with_capacity(9);
    for offset in 0..count {
        let hash = hasher
            .block_hash(start.wrapping_add(offset as u32))
            .to_number();
        if smallest.len() < 8 || hash < smallest[smallest.len() - 1] {
            let at = smallest.partition_point(|h| *h < hash);
            smallest.insert(at, hash);
            smallest.truncate(8);
        }
    }
    *smallest.last().unwrap_or(&Target::MAX)
}
