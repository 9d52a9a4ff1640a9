//! The conformance suite for a search kernel (`hashwatt verify --kernel`):
//! ten checks of docs/kernel-interface.md on real mainnet data, each
//! against sha2 on the CPU. A kernel only reports nonces, so its hash of a
//! nonce is pinned with targets: a hit at target = sha2's hash and none at
//! that hash minus one means the kernel computed exactly that hash.
//!
//! A failing check keeps its smallest counterexample: the header, the nonce,
//! the hit expected and the hit reported, sha2's hash and the kernel's hash
//! as its search reveals it (the least target at which it reports the
//! nonce, found by bisection over all 256 bits).

use serde::{Deserialize, Serialize};

mod checks;
mod diagnosis;
pub mod digest;
mod evidence;
mod range_pattern;
pub mod transforms;

pub use diagnosis::Diagnosis;
pub use digest::{DigestMismatch, DigestReport, DIGEST_SCHEMA};
pub use evidence::{byte_order_traps, kernel_hash};

use crate::chain::catalog::KnownHeader;
use crate::chain::header::BlockHeader;
use crate::error::Result;
use crate::gpu::GpuSearcher;
use crate::kernel::KernelConfig;

pub const SCHEMA: &str = "hashwatt.verify/1";

/// The checks, in the order they run: (name, what it exercises). A name
/// says what the check searches, not the bug it is meant for: a kernel
/// with a range bug fails every check that searches a range, and the
/// diagnosis (`diagnosis.rs`) says which bug it likely is.
pub const CHECKS: [(&str, &str); 10] = [
    (
        "real-blocks",
        "a window around each real block's nonce (at an odd, varying offset), at target = its block hash and one below",
    ),
    (
        "byte-order",
        "single nonces with bytes at each byte-order trap, each pinned from both sides",
    ),
    (
        "range-bounds",
        "ranges of awkward sizes where every nonce is a hit: each searched once, none outside",
    ),
    (
        "grid-rows",
        "ranges dispatched in several rows of the 2-D grid (3 workgroups a row): gid.y and row_stride",
    ),
    (
        "top-of-nonce-space",
        "ranges ending at nonce 2^32 - 1, searched to the last nonce",
    ),
    (
        "top-limb-tie",
        "single nonces at targets equal to their hash on the top 32 bits, decided on all 256",
    ),
    ("hit-sets", "hit sets at an easy target (8 leading zero bits)"),
    (
        "exact-hit-sets",
        "hit sets at one below and equal to the 8th-smallest hash of a range: only a full 256-bit comparison gets them right",
    ),
    (
        "overflow",
        "a full hit list keeps counting: the exact count, every hit found",
    ),
    (
        "rolled-headers",
        "a version-rolled and a time-rolled header: a hit set and a pinned nonce",
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
    /// When a check fails, find the likely root cause (a few dozen small
    /// dispatches).
    pub diagnose: bool,
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
            diagnose: true,
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
    /// With `--hash-fn`: the user's function, its shape and word orders,
    /// and the file's own entry points and bindings the search bypasses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_fn: Option<crate::kernel::hash_fn::HashFnInfo>,
    pub workgroup_size: u32,
    pub nonces_per_invocation: u32,
    /// What the loader did before compiling it: the run-time-indexed
    /// `const`s made to go through `var<private>` copies, or `as_written`
    /// with `--kernel-as-written`; the SHA-256 of the WGSL as written and
    /// as compiled.
    #[serde(default)]
    pub rewrite: crate::kernel::rewrite::RewriteReport,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct KernelSuiteReport {
    pub schema: String,
    pub device: String,
    pub kernel: KernelInfo,
    pub headers: usize,
    /// With a failing check: the one likely root cause, from the kernel's
    /// hash of a probe nonce and how its ranges go wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Diagnosis>,
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
            entry_point: source.entry_point.clone(),
            hash_fn: source.hash_fn.clone(),
            workgroup_size: config.workgroup_size,
            nonces_per_invocation: config.nonces_per_invocation,
            rewrite: source.rewrite.clone(),
        }
    }
}

/// One check's running tally.
pub(crate) struct Tally {
    name: &'static str,
    cases: u64,
    failures: u64,
    worst: Option<Counterexample>,
}

impl Tally {
    pub(crate) fn new(name: &'static str) -> Self {
        Tally {
            name,
            cases: 0,
            failures: 0,
            worst: None,
        }
    }

    pub(crate) fn record(&mut self, outcome: Option<Counterexample>) {
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

    pub(crate) fn finish(self, searcher: &mut GpuSearcher, probe: bool) -> Result<CheckResult> {
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

/// Runs every check on the kernel `searcher` holds, then, when one fails,
/// the diagnosis.
pub fn run(
    searcher: &mut GpuSearcher,
    headers: &[KnownHeader],
    options: &SuiteOptions,
) -> Result<KernelSuiteReport> {
    let checks = checks::all(searcher, headers, options)?;
    let passed = checks.iter().all(|c| c.passed);
    let diagnosis = if passed || !options.diagnose {
        None
    } else {
        diagnosis::diagnose(searcher, &checks)?
    };
    Ok(KernelSuiteReport {
        schema: SCHEMA.into(),
        device: searcher.summary().name.clone(),
        kernel: KernelInfo::of(&searcher.config()),
        headers: headers.len(),
        diagnosis,
        checks,
        passed,
    })
}
