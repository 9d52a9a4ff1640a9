//! The conformance suite for a search kernel (`hashwatt verify --kernel`):
//! eight checks of docs/kernel-interface.md on real mainnet data, each
//! against sha2 on the CPU. A kernel only reports nonces, so its hash of a
//! nonce is pinned with targets: a hit at target = sha2's hash and none at
//! that hash minus one means the kernel computed exactly that hash.
//!
//! A failing check keeps its smallest counterexample: the header, the nonce,
//! the hit expected and the hit reported, sha2's hash and the kernel's hash
//! as its search reveals it (the least target at which it reports the
//! nonce, found by bisection over all 256 bits).

use serde::{Deserialize, Serialize};

use crate::catalog::{self, KnownHeader};
use crate::cpu;
use crate::error::Result;
use crate::gpu::{GpuSearcher, KernelConfig};
use crate::header::BlockHeader;
use crate::search::{search_range, Batch, NONCE_SPACE};
use crate::target::Target;

pub const SCHEMA: &str = "hashwatt.verify/1";

/// The checks, in the order they run: (name, what it proves).
pub const CHECKS: [(&str, &str); 8] = [
    (
        "real-blocks",
        "the real block hash and nonce of every header, decided on all 256 bits",
    ),
    (
        "byte-order",
        "nonces whose bytes sit at each byte-order trap hash exactly as sha2's",
    ),
    (
        "range-bounds",
        "every nonce of a range is searched, none outside it",
    ),
    (
        "top-of-nonce-space",
        "windows ending at nonce 2^32 - 1 are searched to the last nonce",
    ),
    (
        "top-limb-tie",
        "a tie on the target's top 32 bits is decided on all 256 bits",
    ),
    ("hit-sets", "hit sets equal to the CPU's at an easy target"),
    (
        "overflow",
        "a full hit list keeps counting: the exact count, every hit found",
    ),
    (
        "rolled-headers",
        "a version-rolled and a time-rolled header search like the CPU",
    ),
];

#[derive(Clone, Debug)]
pub struct SuiteOptions {
    /// Nonces searched around each real nonce.
    pub window: u64,
    /// Nonces per header in the hit-set and rolled-header checks.
    pub hit_set_nonces: u64,
    pub hit_set_bits: u32,
    /// Nonces that all hit in the overflow check, and the hit list's room.
    pub overflow_nonces: u64,
    pub overflow_capacity: u32,
    /// Find the kernel's own hash for a counterexample (256 one-nonce
    /// dispatches per failing check).
    pub probe: bool,
}

impl Default for SuiteOptions {
    fn default() -> Self {
        SuiteOptions {
            window: 1 << 16,
            hit_set_nonces: 1 << 16,
            hit_set_bits: 8,
            overflow_nonces: 1 << 14,
            overflow_capacity: 1024,
            probe: true,
        }
    }
}

/// The smallest case a check failed on.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Counterexample {
    pub height: Option<u64>,
    /// The header searched (160 hex), with the nonce in place.
    pub header: String,
    pub nonce: u32,
    /// The range searched: first nonce and count.
    pub start: u32,
    pub count: u64,
    pub target: String,
    pub expected_hit: bool,
    pub reported_hit: bool,
    /// sha2's block hash of the header with this nonce (display order).
    pub sha2_hash: String,
    /// The kernel's hash of it as its search reveals it; None when not
    /// probed or when the kernel never reports the nonce, even at the
    /// largest target.
    pub kernel_hash: Option<String>,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CheckResult {
    pub name: String,
    pub what: String,
    /// Searches (ranges) the check ran, and how many disagreed with sha2.
    pub cases: u64,
    pub failures: u64,
    pub passed: bool,
    pub counterexample: Option<Counterexample>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct KernelInfo {
    pub name: String,
    pub path: String,
    pub includes: Vec<String>,
    pub entry_point: String,
    pub workgroup_size: u32,
    pub nonces_per_invocation: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct KernelSuiteReport {
    pub schema: String,
    pub device: String,
    pub kernel: KernelInfo,
    pub headers: usize,
    pub checks: Vec<CheckResult>,
    pub passed: bool,
}

impl KernelInfo {
    pub fn of(config: &KernelConfig) -> Self {
        let source = config.variant.source();
        KernelInfo {
            name: source.name.clone(),
            path: source.path.clone(),
            includes: source.includes.iter().map(|s| s.to_string()).collect(),
            entry_point: crate::gpu::ENTRY_POINT.into(),
            workgroup_size: config.workgroup_size,
            nonces_per_invocation: config.nonces_per_invocation,
        }
    }
}

/// One check's running tally.
struct Tally {
    name: &'static str,
    cases: u64,
    failures: u64,
    worst: Option<Counterexample>,
}

impl Tally {
    fn new(name: &'static str) -> Self {
        Tally {
            name,
            cases: 0,
            failures: 0,
            worst: None,
        }
    }

    fn record(&mut self, outcome: Option<Counterexample>) {
        self.cases += 1;
        if let Some(found) = outcome {
            self.failures += 1;
            // Keep the smallest: by nonce, then by height.
            let smaller = self.worst.as_ref().is_none_or(|w| found.nonce < w.nonce);
            if smaller {
                self.worst = Some(found);
            }
        }
    }

    fn finish(self, searcher: &mut GpuSearcher, probe: bool) -> Result<CheckResult> {
        let mut counterexample = self.worst;
        if let (Some(c), true) = (counterexample.as_mut(), probe) {
            let header = BlockHeader::from_hex(&c.header).expect("a header we wrote");
            c.kernel_hash = kernel_hash(searcher, &header, c.nonce)?;
        }
        let what = CHECKS
            .iter()
            .find(|(name, _)| *name == self.name)
            .map_or("", |(_, what)| what);
        Ok(CheckResult {
            name: self.name.into(),
            what: what.into(),
            cases: self.cases,
            failures: self.failures,
            passed: self.failures == 0,
            counterexample,
        })
    }
}

/// Runs every check on the kernel `searcher` holds.
pub fn run(
    searcher: &mut GpuSearcher,
    headers: &[KnownHeader],
    options: &SuiteOptions,
) -> Result<KernelSuiteReport> {
    let probe = options.probe;
    let latest = catalog::latest_embedded();
    let easy = Target::from_leading_zero_bits(options.hit_set_bits)?;
    let mut checks = Vec::new();

    // 1. The real block hash and nonce of every header.
    let mut tally = Tally::new("real-blocks");
    for known in headers {
        let hash = known.header.block_hash().to_number();
        let (start, count) = window_around(known.header.nonce(), options.window);
        for target in [hash, minus_one(&hash)] {
            tally.record(compare(searcher, known, start, count, &target)?);
        }
    }
    checks.push(tally.finish(searcher, probe)?);

    // 2. Byte-order traps: one nonce each, its hash pinned from both sides.
    let mut tally = Tally::new("byte-order");
    for nonce in byte_order_traps() {
        let hash = latest.header.with_nonce(nonce).block_hash().to_number();
        for target in [hash, minus_one(&hash)] {
            tally.record(compare(searcher, &latest, nonce, 1, &target)?);
        }
    }
    checks.push(tally.finish(searcher, probe)?);

    // 3. Range bounds: every nonce a hit, ranges of awkward sizes.
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

    // 4. The top of the nonce space.
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

    // 5. Ties on the top limb: targets that share the hash's top 32 bits.
    let mut tally = Tally::new("top-limb-tie");
    for known in [&latest, headers.first().unwrap_or(&latest)] {
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
            let (start, count) = window_around(nonce, 256);
            for target in [
                exact,
                minus_one(&exact),
                Target::from_limbs(lower_rest),
                Target::from_limbs(higher_rest),
            ] {
                tally.record(compare(searcher, known, start, count, &target)?);
            }
        }
    }
    checks.push(tally.finish(searcher, probe)?);

    // 6. Hit sets at an easy target.
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

    // 7. Overflow: every nonce a hit, far past the hit list's room.
    let mut tally = Tally::new("overflow");
    tally.record(check_overflow(searcher, &latest, options)?);
    tally.record(compare(
        searcher,
        &latest,
        5000,
        options.overflow_nonces,
        &Target::MAX,
    )?);
    checks.push(tally.finish(searcher, probe)?);

    // 8. Rolled headers: BIP320 version bits, and the time one second on.
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
            tally.record(compare(searcher, known, nonce, 1, &target)?);
        }
    }
    checks.push(tally.finish(searcher, probe)?);

    let passed = checks.iter().all(|c| c.passed);
    Ok(KernelSuiteReport {
        schema: SCHEMA.into(),
        device: searcher.summary().name.clone(),
        kernel: KernelInfo::of(&searcher.config()),
        headers: headers.len(),
        checks,
        passed,
    })
}

/// Nonces whose bytes catch a kernel that reads or writes the nonce in the
/// wrong byte order: one set byte in each position, the ends of each byte,
/// and sequences that differ from their reverse.
pub fn byte_order_traps() -> Vec<u32> {
    let mut traps = Vec::new();
    for shift in [0, 8, 16, 24] {
        traps.extend([0x01u32 << shift, 0x80 << shift, 0xff << shift]);
    }
    traps.extend([
        0x0102_0304,
        0x0403_0201,
        0x00ff_00ff,
        0xff00_ff00,
        0x7fff_ffff,
        0xffff_fffe,
    ]);
    traps
}

/// Compares the kernel's hits on one range with sha2's, as multisets (a
/// nonce reported twice is wrong). The counterexample is the smallest nonce
/// they disagree on.
fn compare(
    searcher: &mut GpuSearcher,
    known: &KnownHeader,
    start: u32,
    count: u64,
    target: &Target,
) -> Result<Option<Counterexample>> {
    let header = known.header;
    let reported = search_range(searcher, &header, start, count, target, count)?;
    let mut expected = cpu::search_serial(&header, start, count, target);
    expected.sort_unstable();
    if reported == expected {
        return Ok(None);
    }
    let (mut i, mut j) = (0, 0);
    let nonce = loop {
        match (reported.get(i), expected.get(j)) {
            (Some(r), Some(e)) if r == e => {
                i += 1;
                j += 1;
            }
            (Some(r), Some(e)) => break *r.min(e),
            (Some(r), None) => break *r,
            (None, Some(e)) => break *e,
            (None, None) => unreachable!("the lists differ"),
        }
    };
    let times = reported.iter().filter(|n| **n == nonce).count();
    let in_range = (nonce as u64) >= start as u64 && (nonce as u64) < start as u64 + count;
    let expected_hit = expected.binary_search(&nonce).is_ok();
    let detail = match (expected_hit, times) {
        (true, 0) => "a hit sha2 finds was not reported".to_string(),
        (_, n) if n > 1 => format!("reported {n} times"),
        (false, _) if !in_range => "reported, but outside the range searched".to_string(),
        _ => "reported, but sha2's hash is above the target".to_string(),
    };
    Ok(Some(counterexample(
        known,
        nonce,
        start,
        count,
        target,
        expected_hit,
        times > 0,
        detail,
    )))
}

#[allow(clippy::too_many_arguments)]
fn counterexample(
    known: &KnownHeader,
    nonce: u32,
    start: u32,
    count: u64,
    target: &Target,
    expected_hit: bool,
    reported_hit: bool,
    detail: String,
) -> Counterexample {
    let header = known.header.with_nonce(nonce);
    Counterexample {
        height: known.height,
        header: header.to_hex(),
        nonce,
        start,
        count,
        target: target.to_string(),
        expected_hit,
        reported_hit,
        sha2_hash: header.block_hash().to_string(),
        kernel_hash: None,
        detail,
    }
}

/// One dispatch of `overflow_nonces` hits into room for far fewer: the
/// counter must reach the exact number, the stored nonces be distinct and
/// in range.
fn check_overflow(
    searcher: &mut GpuSearcher,
    known: &KnownHeader,
    options: &SuiteOptions,
) -> Result<Option<Counterexample>> {
    let (start, count) = (5000u32, options.overflow_nonces);
    let batch = Batch::new(known.header, start, count, Target::MAX);
    let raw = searcher.dispatch_once(&batch, options.overflow_capacity)?;
    let mut stored = raw.nonces.clone();
    stored.sort_unstable();
    let distinct = stored.windows(2).all(|w| w[0] != w[1]);
    let in_range = stored
        .iter()
        .all(|&n| n >= start && (n as u64) < start as u64 + count);
    let room = options.overflow_capacity.min(count as u32) as usize;
    if raw.count as u64 == count && stored.len() == room && distinct && in_range {
        return Ok(None);
    }
    // The smallest nonce that is missing, doubled or outside.
    let mut seen = std::collections::BTreeMap::new();
    for &n in &stored {
        *seen.entry(n).or_insert(0u32) += 1;
    }
    let bad = seen
        .iter()
        .find(|(n, times)| **times > 1 || **n < start || **n as u64 >= start as u64 + count);
    let (nonce, reported) = match bad {
        Some((n, _)) => (*n, true),
        None => (
            (start..).find(|n| !seen.contains_key(n)).unwrap_or(start),
            false,
        ),
    };
    let detail = format!(
        "one dispatch of {count} nonces, all hits, into room for {}: the counter reached {} (expected {count}); {} nonces stored{}",
        options.overflow_capacity,
        raw.count,
        raw.nonces.len(),
        if distinct { "" } else { ", some twice" }
    );
    Ok(Some(counterexample(
        known,
        nonce,
        start,
        count,
        &Target::MAX,
        true,
        reported,
        detail,
    )))
}

/// The kernel's hash of one nonce as its search reveals it: the least
/// target at which it reports the nonce, by bisection bit by bit. None when
/// it does not report the nonce even at the largest target.
pub fn kernel_hash(
    searcher: &mut GpuSearcher,
    header: &BlockHeader,
    nonce: u32,
) -> Result<Option<String>> {
    let mut reports = |limbs: [u32; 8]| -> Result<bool> {
        let batch = Batch::new(*header, nonce, 1, Target::from_limbs(limbs));
        Ok(searcher.dispatch_once(&batch, 8)?.nonces.contains(&nonce))
    };
    if !reports([u32::MAX; 8])? {
        return Ok(None);
    }
    // Decide the bits from the top: keep a bit 0 when the target with it 0
    // and every lower bit 1 is still reported.
    let mut value = [0u32; 8];
    for bit in (0..256).rev() {
        let (limb, shift) = (7 - bit / 32, bit % 32);
        let mut candidate = value;
        candidate[limb] |= (1u32 << shift) - 1;
        for lower in candidate.iter_mut().skip(limb + 1) {
            *lower = u32::MAX;
        }
        if !reports(candidate)? {
            value[limb] |= 1 << shift;
        }
    }
    Ok(Some(Target::from_limbs(value).to_string()))
}

/// The number one below `target` (zero stays zero).
fn minus_one(target: &Target) -> Target {
    let mut limbs = target.limbs();
    for limb in limbs.iter_mut().rev() {
        let (value, borrow) = limb.overflowing_sub(1);
        *limb = value;
        if !borrow {
            return Target::from_limbs(limbs);
        }
    }
    *target
}

/// A window of `len` nonces containing `nonce`, inside the nonce space.
fn window_around(nonce: u32, len: u64) -> (u32, u64) {
    let len = len.clamp(1, NONCE_SPACE);
    let start = (nonce as u64)
        .saturating_sub(len / 2)
        .min(NONCE_SPACE - len);
    (start as u32, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minus_one_borrows_across_limbs() {
        let t = Target::from_limbs([0, 0, 0, 0, 0, 0, 1, 0]);
        assert_eq!(minus_one(&t).limbs(), [0, 0, 0, 0, 0, 0, 0, u32::MAX]);
        assert_eq!(minus_one(&Target::from_limbs([0; 8])).limbs(), [0; 8]);
    }

    #[test]
    fn byte_order_traps_all_differ_from_their_byte_swap() {
        for nonce in byte_order_traps() {
            assert_ne!(nonce, nonce.swap_bytes(), "{nonce:#x}");
        }
    }
}
