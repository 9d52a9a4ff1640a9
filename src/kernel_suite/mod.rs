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

mod evidence;

pub use evidence::{byte_order_traps, kernel_hash};

use evidence::{check_overflow, compare, minus_one, window_around};

use crate::catalog::{self, KnownHeader};
use crate::error::Result;
use crate::gpu::{GpuSearcher, KernelConfig};
use crate::header::BlockHeader;
use crate::search::NONCE_SPACE;
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
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
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

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct CheckResult {
    pub name: String,
    pub what: String,
    /// Searches (ranges) the check ran, and how many disagreed with sha2.
    pub cases: u64,
    pub failures: u64,
    pub passed: bool,
    pub counterexample: Option<Counterexample>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct KernelInfo {
    pub name: String,
    pub path: String,
    pub includes: Vec<String>,
    pub entry_point: String,
    pub workgroup_size: u32,
    pub nonces_per_invocation: u32,
    /// What the loader did before compiling it: the run-time-indexed
    /// `const`s made to go through `var<private>` copies, or `as_written`
    /// with `--kernel-as-written`; the SHA-256 of the WGSL as written and
    /// as compiled.
    #[serde(default)]
    pub rewrite: crate::gpu::rewrite::RewriteReport,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
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
            rewrite: source.rewrite.clone(),
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
