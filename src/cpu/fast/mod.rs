//! The fast CPU search: our own double SHA-256 of a header over a range of
//! nonces, with the host precomputation of the GPU kernel
//! ([`crate::chain::precompute`]): the midstate, rounds 0..2 and the nonce-free
//! parts of round 3 and of W16..W19 once per header, the padding words as
//! constants, and the second hash cut at H7, the word that holds the hash's
//! top 32 bits. A nonce whose top word is above the target's top limb is
//! rejected there; one equal to it is decided on all 256 bits.
//!
//! Four paths, chosen at run time with `is_x86_feature_detected!`, the
//! first present being the default:
//! - `avx512`: 16 nonces in the lanes of a 512-bit vector (AVX-512 F and BW);
//! - `sha-ni`: the SHA extensions, two nonces interleaved so the rounds of
//!   one hide the latency of the other's;
//! - `avx2`: 8 nonces in the lanes of a 256-bit vector;
//! - `scalar`: portable code, one nonce at a time, on any CPU.
//!
//! The vector paths share one kernel, generic over `lanes::Lanes`; the
//! SHA-NI path has its own. None of them is trusted: `hits::verify` checks
//! every hit with sha2.

mod lanes;
mod scalar;

#[cfg(target_arch = "x86_64")]
mod avx2;
// Built with Rust 1.89 or newer only (build.rs): older compilers lack the
// AVX-512 intrinsics, and the path is then reported absent.
#[cfg(all(target_arch = "x86_64", hashwatt_avx512))]
#[allow(clippy::incompatible_msrv)]
mod avx512;
#[cfg(target_arch = "x86_64")]
mod sha_ni;

use std::fmt;

use crate::chain::header::BlockHeader;
use crate::chain::precompute::Precomputed;
use crate::chain::sha256_math::IV;
use crate::chain::target::Target;
use crate::error::{Error, Result};

/// One way of running the fast search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CpuPath {
    ShaNi,
    Avx512,
    Avx2,
    Scalar,
}

impl CpuPath {
    /// Every path, fastest first (as measured on AMD Zen 4; see the README).
    pub const ALL: [CpuPath; 4] = [
        CpuPath::Avx512,
        CpuPath::ShaNi,
        CpuPath::Avx2,
        CpuPath::Scalar,
    ];

    /// The name `--cpu-path` takes and reports print.
    pub fn name(self) -> &'static str {
        match self {
            CpuPath::ShaNi => "sha-ni",
            CpuPath::Avx512 => "avx512",
            CpuPath::Avx2 => "avx2",
            CpuPath::Scalar => "scalar",
        }
    }

    /// Nonces hashed together by one thread.
    pub fn lanes(self) -> usize {
        match self {
            #[cfg(target_arch = "x86_64")]
            CpuPath::ShaNi => sha_ni::STREAMS,
            #[cfg(not(target_arch = "x86_64"))]
            CpuPath::ShaNi => 2,
            CpuPath::Avx512 => 16,
            CpuPath::Avx2 => 8,
            CpuPath::Scalar => 1,
        }
    }

    /// E.g. "sha-ni, 2 nonces interleaved" or "avx512, 16 lanes".
    pub fn describe(self) -> String {
        match self {
            CpuPath::ShaNi => format!("{}, {} nonces interleaved", self.name(), self.lanes()),
            CpuPath::Scalar => format!("{}, 1 nonce at a time", self.name()),
            _ => format!("{}, {} lanes", self.name(), self.lanes()),
        }
    }

    /// What the CPU needs for this path, in words.
    pub fn needs(self) -> &'static str {
        match self {
            CpuPath::ShaNi => "the SHA extensions (SHA-NI) and SSE4.1",
            CpuPath::Avx512 if cfg!(hashwatt_avx512) => "AVX-512 F and BW",
            CpuPath::Avx512 => "a build with Rust 1.89 or newer (for AVX-512 F and BW)",
            CpuPath::Avx2 => "AVX2",
            CpuPath::Scalar => "nothing",
        }
    }

    /// Whether this CPU can run the path.
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            match self {
                CpuPath::ShaNi => {
                    is_x86_feature_detected!("sha") && is_x86_feature_detected!("sse4.1")
                }
                CpuPath::Avx512 => {
                    cfg!(hashwatt_avx512)
                        && is_x86_feature_detected!("avx512f")
                        && is_x86_feature_detected!("avx512bw")
                }
                CpuPath::Avx2 => is_x86_feature_detected!("avx2"),
                CpuPath::Scalar => true,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == CpuPath::Scalar
        }
    }

    /// The path itself, or an input error naming what the CPU lacks.
    pub fn require(self) -> Result<Self> {
        if self.available() {
            Ok(self)
        } else {
            Err(Error::input(format!(
                "--cpu-path {}: this CPU lacks {} (paths here: {})",
                self.name(),
                self.needs(),
                Self::present()
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }

    /// The paths this CPU has, fastest first.
    pub fn present() -> Vec<CpuPath> {
        Self::ALL.into_iter().filter(|p| p.available()).collect()
    }

    /// The fastest path this CPU has.
    pub fn best() -> CpuPath {
        Self::present()[0]
    }

    /// `auto` (the best path present) or a path's name.
    pub fn parse(text: &str) -> Result<CpuPath> {
        let text = text.trim().to_ascii_lowercase();
        if text == "auto" {
            return Ok(Self::best());
        }
        Self::ALL
            .into_iter()
            .find(|p| p.name() == text || p.name().replace('-', "") == text)
            .ok_or_else(|| {
                Error::input(format!(
                    "--cpu-path {text}: expected auto, sha-ni, avx512, avx2 or scalar"
                ))
            })?
            .require()
    }
}

impl fmt::Display for CpuPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What every path needs about one header and one target, computed once.
#[derive(Clone, Debug)]
pub struct Job {
    pub(crate) midstate: [u32; 8],
    /// W0..W2 of the header's second block (W3 is the nonce).
    pub(crate) tail: [u32; 3],
    pub(crate) pre: Precomputed,
    /// The state after rounds 0 and 1 of the second block, for SHA-NI,
    /// whose instructions do two rounds at a time.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub(crate) after_round_1: [u32; 8],
    /// Target limbs, most significant first.
    pub(crate) target: [u32; 8],
}

impl Job {
    pub fn new(header: &BlockHeader, target: &Target) -> Self {
        Self::from_parts(header.midstate(), header.tail_words(), target.limbs())
    }

    fn from_parts(midstate: [u32; 8], tail: [u32; 3], target: [u32; 8]) -> Self {
        let mut after_round_1 = midstate;
        scalar::round(&mut after_round_1, 0, tail[0]);
        scalar::round(&mut after_round_1, 1, tail[1]);
        Job {
            midstate,
            tail,
            pre: Precomputed::new(&midstate, &tail),
            after_round_1,
            target,
        }
    }

    /// Flips one bit of the midstate: the job of a lying device (tests).
    pub(crate) fn corrupt(&mut self) {
        let mut midstate = self.midstate;
        midstate[0] ^= 1;
        *self = Self::from_parts(midstate, self.tail, self.target);
    }

    /// The full final state of sha256d(header with `nonce`), all 64 rounds
    /// of both hashes: the exact recheck of a tie, and the device digests.
    pub fn full_state(&self, nonce: u32) -> [u32; 8] {
        scalar::full_state(self, nonce.swap_bytes())
    }

    /// Sorts the candidates of one step: `h7[i]` is H7 of nonce `base + i`;
    /// lanes at or past `end` are padding. A top word below the target's top
    /// limb is a hit; one equal to it is decided on the full state.
    #[cold]
    #[inline(never)]
    pub(crate) fn collect(&self, base: u64, h7: &[u32], end: u64, hits: &mut Vec<u32>) {
        for (i, &word) in h7.iter().enumerate() {
            let nonce = base + i as u64;
            if nonce >= end {
                break;
            }
            let top = word.swap_bytes();
            if top < self.target[0]
                || (top == self.target[0]
                    && super::state_meets(&self.full_state(nonce as u32), &self.target))
            {
                hits.push(nonce as u32);
            }
        }
    }
}

/// H7 of the second hash's initial state, added at the end.
pub(crate) const IV7: u32 = IV[7];

/// Every nonce in `start..start + count` whose hash meets the job's target,
/// on this thread, with `path`.
///
/// Panics if the CPU lacks the path: [`CpuPath::require`] comes first.
pub fn search(path: CpuPath, job: &Job, start: u32, count: u64) -> Vec<u32> {
    assert!(
        path.available(),
        "the {path} path needs {}, which this CPU lacks",
        path.needs()
    );
    assert!(
        start as u64 + count <= 1 << 32,
        "range inside the nonce space"
    );
    let mut hits = Vec::new();
    match path {
        CpuPath::Scalar => scalar::search(job, start, count, &mut hits),
        // SAFETY: `available()` confirmed the CPU features each one enables.
        #[cfg(target_arch = "x86_64")]
        CpuPath::ShaNi => unsafe { sha_ni::search(job, start, count, &mut hits) },
        #[cfg(all(target_arch = "x86_64", hashwatt_avx512))]
        CpuPath::Avx512 => unsafe { avx512::search(job, start, count, &mut hits) },
        #[cfg(target_arch = "x86_64")]
        CpuPath::Avx2 => unsafe { avx2::search(job, start, count, &mut hits) },
        #[allow(unreachable_patterns)]
        _ => unreachable!("{path} is not built for this target"),
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::catalog;
    use crate::cpu::reference;

    #[test]
    fn names_parse_back() {
        for path in CpuPath::present() {
            assert_eq!(CpuPath::parse(path.name()).unwrap(), path);
        }
        assert_eq!(CpuPath::parse("auto").unwrap(), CpuPath::best());
        assert_eq!(CpuPath::parse("SCALAR").unwrap(), CpuPath::Scalar);
        let err = CpuPath::parse("neon").unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::BAD_INPUT);
    }

    #[test]
    fn full_state_is_sha256d() {
        for known in catalog::embedded() {
            let job = Job::new(&known.header, &Target::MAX);
            let nonce = known.header.nonce();
            assert_eq!(
                reference::state_to_hash(&job.full_state(nonce)),
                known.header.block_hash()
            );
            let other = nonce ^ 0x5a5a_0001;
            assert_eq!(
                reference::state_to_hash(&job.full_state(other)),
                known.header.with_nonce(other).block_hash()
            );
        }
    }

    #[test]
    fn every_present_path_finds_the_genesis_nonce() {
        let genesis = catalog::resolve("genesis").unwrap().header;
        let job = Job::new(&genesis, &genesis.target().unwrap());
        for path in CpuPath::present() {
            // An odd start and count leave a partial step at each end.
            assert_eq!(
                search(path, &job, 2083236893 - 1001, 4003),
                vec![2083236893],
                "{path}"
            );
        }
    }
}
