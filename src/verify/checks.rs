//! The checks every "prove it right" shares, written once: `hashwatt
//! verify` ([`super::device`]), the kernel suite ([`super::suite`]), tune's
//! winning setting ([`super::tuned`]) and the browser's page (`web/`) all
//! call these. Each is a judgement on what a device returned; the caller
//! searches (blocking on the command line, awaited in the browser) and
//! hands the result here.
//!
//! - The window around a real block's nonce: [`window_around`] centres it,
//!   [`window_at`] puts the real nonce at an odd, varying offset.
//! - The real-block check: the header's own nonce among the device's hits
//!   in that window, at the header's own target ([`WindowCheck`]).
//! - The hit-set comparison: the device's hits on a range against the hits
//!   sha2 finds, nonce for nonce, with the proof of work the count gives
//!   ([`HitSetCheck`], [`first_difference`]).
//! - The digest check: a device's block hash against sha2's and the one the
//!   chain records ([`digest_problems`]), and digests of random nonces
//!   ([`random_nonce_headers`], [`digest_mismatches`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::proof::ProofOfWork;
use crate::chain::catalog::KnownHeader;
use crate::chain::header::{BlockHash, BlockHeader};
use crate::chain::target::Target;
use crate::search::NONCE_SPACE;

/// A window of `len` nonces with `nonce` in its middle, kept inside the
/// nonce space (at its ends the window moves, never shrinks).
pub fn window_around(nonce: u32, len: u64) -> (u32, u64) {
    let len = len.clamp(1, NONCE_SPACE);
    let start = (nonce as u64)
        .saturating_sub(len / 2)
        .min(NONCE_SPACE - len);
    (start as u32, len)
}

/// A window of `len` nonces with `nonce` at an odd offset that varies with
/// `salt`, so that no kernel searching only every 2nd, 4th, ... 16,384th
/// nonce of a range finds it by luck. Kept inside the nonce space.
pub fn window_at(nonce: u32, len: u64, salt: u64) -> (u32, u64) {
    let len = len.clamp(1, NONCE_SPACE);
    if len < 4 {
        return window_around(nonce, len);
    }
    // An odd offset in 1..len-1, spread by a multiplicative hash.
    let spread = salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 16;
    let offset = (1 + spread % (len - 2)) | 1;
    let start = (nonce as u64).saturating_sub(offset).min(NONCE_SPACE - len);
    (start as u32, len)
}

/// The target a real-block check searches at: the header's own, when the
/// header meets it (a made-up header has no real nonce to find).
pub fn real_block_target(header: &BlockHeader) -> Option<Target> {
    header
        .target()
        .ok()
        .filter(|target| header.block_hash().meets(target))
}

/// The real-block check: did the device find the header's own nonce in a
/// window of nonces around it, searched at the header's own target?
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct WindowCheck {
    pub start: u32,
    pub nonces: u64,
    pub real_nonce: u32,
    /// Hits the device reported in the window.
    pub hits: usize,
    pub found: bool,
}

impl WindowCheck {
    /// Judges the device's `hits` in `start..start + nonces`.
    pub fn judge(header: &BlockHeader, start: u32, nonces: u64, hits: &[u32]) -> Self {
        WindowCheck {
            start,
            nonces,
            real_nonce: header.nonce(),
            hits: hits.len(),
            found: hits.contains(&header.nonce()),
        }
    }

    /// What went wrong, in words, when the nonce was not found.
    pub fn problem(&self, hits: &[u32]) -> Option<String> {
        (!self.found).then(|| {
            format!(
                "searching nonces {}..{} at the header's target did not find its nonce {} ({})",
                self.start,
                self.start as u64 + self.nonces,
                self.real_nonce,
                list_nonces(hits)
            )
        })
    }
}

/// The hit-set comparison: the device's hits on one range against sha2's,
/// nonce for nonce, and as many as the nonces imply.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct HitSetCheck {
    pub start: u32,
    pub nonces: u64,
    pub share_bits: u32,
    pub device_hits: usize,
    /// Hits found by hashing every nonce with sha2 on the CPU.
    pub sha2_hits: usize,
    /// The two sets are the same, nonce for nonce.
    pub equal: bool,
    /// The smallest nonce the two sets disagree on.
    pub first_difference: Option<u32>,
    /// The device's hits against those the nonces imply, as every bench is
    /// judged (2^16 nonces at 8 bits expect 256).
    pub proof_of_work: ProofOfWork,
}

impl HitSetCheck {
    /// Judges `device` against `sha2`, both sorted ascending.
    pub fn judge(start: u32, nonces: u64, share_bits: u32, device: &[u32], sha2: &[u32]) -> Self {
        let first_difference = first_difference(device, sha2);
        HitSetCheck {
            start,
            nonces,
            share_bits,
            device_hits: device.len(),
            sha2_hits: sha2.len(),
            equal: first_difference.is_none(),
            first_difference,
            proof_of_work: ProofOfWork::judge(nonces, share_bits, device.len() as u64),
        }
    }

    /// The sets agree and the count proves the work.
    pub fn passed(&self) -> bool {
        self.equal && self.proof_of_work.passed
    }
}

/// The smallest nonce on which two sorted hit lists disagree, as
/// multisets: a nonce one list lacks, or holds more often than the other
/// (a nonce reported twice is wrong). `None` when they are equal.
pub fn first_difference(reported: &[u32], expected: &[u32]) -> Option<u32> {
    let (mut i, mut j) = (0, 0);
    loop {
        match (reported.get(i), expected.get(j)) {
            (Some(r), Some(e)) if r == e => {
                i += 1;
                j += 1;
            }
            (Some(r), Some(e)) => return Some(*r.min(e)),
            (Some(r), None) => return Some(*r),
            (None, Some(e)) => return Some(*e),
            (None, None) => return None,
        }
    }
}

/// The digest check: what is wrong with a device's block hash of a known
/// header, against sha2's and the hash the chain records (empty when
/// nothing is).
pub fn digest_problems(known: &KnownHeader, device: BlockHash) -> Vec<String> {
    let sha2 = known.header.block_hash();
    let mut problems = Vec::new();
    if device != sha2 {
        problems.push(format!("device digest {device} differs from sha2's {sha2}"));
    }
    if let Some(expected) = known.expected_hash {
        if expected != sha2 {
            problems.push(format!(
                "expected block hash {expected}, but the header hashes to {sha2}"
            ));
        }
    }
    problems
}

/// `count` headers with random nonces, taken in turn from `headers`, the
/// same on every run for one `seed`.
pub fn random_nonce_headers(headers: &[BlockHeader], count: usize, seed: u64) -> Vec<BlockHeader> {
    if headers.is_empty() {
        return Vec::new();
    }
    let mut random = SplitMix::new(seed);
    (0..count)
        .map(|i| headers[i % headers.len()].with_nonce(random.next_u32()))
        .collect()
}

/// The nonces of the headers whose device digest differs from sha2's.
pub fn digest_mismatches(headers: &[BlockHeader], device: &[BlockHash]) -> Vec<u32> {
    headers
        .iter()
        .zip(device)
        .filter(|(header, digest)| header.block_hash() != **digest)
        .map(|(header, _)| header.nonce())
        .chain(headers.iter().skip(device.len()).map(|h| h.nonce()))
        .collect()
}

/// The most nonces a message lists; an easy target can flood a window with
/// millions of hits.
const LISTED_NONCES: usize = 8;

/// "hits: 1, 2, 3 and 4,093 more", never one line of megabytes.
pub fn list_nonces(hits: &[u32]) -> String {
    if hits.is_empty() {
        return "no hits".into();
    }
    let shown: Vec<String> = hits
        .iter()
        .take(LISTED_NONCES)
        .map(u32::to_string)
        .collect();
    let more = hits.len().saturating_sub(LISTED_NONCES);
    if more == 0 {
        format!("hits: {}", shown.join(", "))
    } else {
        format!("{} hits: {} and {more} more", hits.len(), shown.join(", "))
    }
}

/// SplitMix64: a small, seedable random source, so a check's random nonces
/// are the same on every run (the tests use it too).
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    pub fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 32) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::catalog;

    #[test]
    fn windows_stay_inside_the_nonce_space() {
        assert_eq!(window_around(1000, 100), (950, 100));
        assert_eq!(window_around(10, 100), (0, 100));
        assert_eq!(
            window_around(u32::MAX, 100),
            ((NONCE_SPACE - 100) as u32, 100)
        );
        let mut offsets = std::collections::BTreeSet::new();
        for salt in 0..61u64 {
            let nonce = 0x8000_0000u32 + salt as u32 * 977;
            let (start, len) = window_at(nonce, 1 << 16, salt);
            let offset = nonce - start;
            assert!(offset % 2 == 1 && (offset as u64) < len, "{offset}");
            offsets.insert(offset);
        }
        assert!(offsets.len() > 55, "{offsets:?}");
        assert_eq!(window_at(0, 1 << 16, 5), (0, 1 << 16));
        let (start, len) = window_at(u32::MAX, 1 << 16, 5);
        assert_eq!(start as u64 + len, NONCE_SPACE);
    }

    #[test]
    fn hit_sets_differ_on_their_first_disagreement() {
        assert_eq!(first_difference(&[1, 5, 9], &[1, 5, 9]), None);
        assert_eq!(first_difference(&[1, 9], &[1, 5, 9]), Some(5));
        assert_eq!(first_difference(&[1, 5, 5, 9], &[1, 5, 9]), Some(5));
        assert_eq!(first_difference(&[1, 5, 9, 12], &[1, 5, 9]), Some(12));
        assert_eq!(first_difference(&[], &[3]), Some(3));
        let check = HitSetCheck::judge(0, 1 << 16, 8, &[1, 2], &[1, 2]);
        assert!(
            check.equal && !check.passed(),
            "2 hits cannot prove 2^16 nonces"
        );
    }

    #[test]
    fn the_real_block_is_found_or_named() {
        let known = catalog::resolve("genesis").unwrap();
        let header = known.header;
        assert!(real_block_target(&header).is_some());
        let (start, nonces) = window_around(header.nonce(), 1 << 16);
        let found = WindowCheck::judge(&header, start, nonces, &[header.nonce()]);
        assert!(found.found && found.problem(&[header.nonce()]).is_none());
        let missed = WindowCheck::judge(&header, start, nonces, &[7]);
        let problem = missed.problem(&[7]).unwrap();
        assert!(
            problem.contains("did not find its nonce 2083236893"),
            "{problem}"
        );
        assert!(digest_problems(&known, header.block_hash()).is_empty());
        let wrong = header.with_nonce(1).block_hash();
        assert_eq!(digest_problems(&known, wrong).len(), 1);
        let random = random_nonce_headers(&[header], 16, 1);
        let digests: Vec<_> = random.iter().map(|h| h.block_hash()).collect();
        assert!(digest_mismatches(&random, &digests).is_empty());
        assert_eq!(digest_mismatches(&random, &digests[..15]).len(), 1);
    }

    #[test]
    fn long_hit_lists_are_cut() {
        assert_eq!(list_nonces(&[]), "no hits");
        assert_eq!(list_nonces(&[1, 2]), "hits: 1, 2");
        let many: Vec<u32> = (0..100_000).collect();
        let text = list_nonces(&many);
        assert!(text.ends_with("and 99992 more"), "{text}");
        assert!(text.len() < 100, "{text}");
    }
}
