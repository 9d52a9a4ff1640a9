//! The CPU reference: the same nonce search as the GPU kernels, written
//! plainly with the `sha2` crate. It is the independent judge: `hits::verify`
//! hashes every hit of every device (the fast CPU paths included) with sha2,
//! and the tests compare every device's hit sets with this search.
//!
//! Per nonce it costs two compressions: the header's second 64-byte block
//! from the midstate (computed once per header), then the 32-byte first
//! digest, padded to one block, from the initial state. `sha2` picks the SHA
//! extensions (SHA-NI, ARMv8 SHA2) at run time where the CPU has them.

use sha2::digest::generic_array::GenericArray;

use crate::chain::header::{BlockHash, BlockHeader, SHA256_IV};
use crate::chain::target::Target;

/// Double SHA-256 of one header from its precomputed midstate.
pub struct MidstateHasher {
    midstate: [u32; 8],
    /// The header's second block: bytes 64..80, then SHA-256 padding for an
    /// 80-byte (640-bit) message. Bytes 12..16 are the nonce.
    second_block: [u8; 64],
}

impl MidstateHasher {
    pub fn new(header: &BlockHeader) -> Self {
        let mut second_block = [0u8; 64];
        second_block[..16].copy_from_slice(&header.as_bytes()[64..80]);
        second_block[16] = 0x80;
        second_block[56..64].copy_from_slice(&640u64.to_be_bytes());
        MidstateHasher {
            midstate: header.midstate(),
            second_block,
        }
    }

    /// The final SHA-256 state words of sha256d(header with `nonce`).
    #[inline]
    pub fn state(&mut self, nonce: u32) -> [u32; 8] {
        self.second_block[12..16].copy_from_slice(&nonce.to_le_bytes());
        let mut first = self.midstate;
        sha2::compress256(&mut first, &[*GenericArray::from_slice(&self.second_block)]);
        // The 32-byte first digest, padded to one block (256-bit length).
        let mut block = [0u8; 64];
        for (chunk, word) in block.chunks_exact_mut(4).zip(first) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        block[32] = 0x80;
        block[62] = 0x01;
        let mut second = SHA256_IV;
        sha2::compress256(&mut second, &[*GenericArray::from_slice(&block)]);
        second
    }

    pub fn block_hash(&mut self, nonce: u32) -> BlockHash {
        state_to_hash(&self.state(nonce))
    }
}

/// SHA-256 state words to the digest bytes they stand for.
pub fn state_to_hash(state: &[u32; 8]) -> BlockHash {
    let mut bytes = [0u8; 32];
    for (chunk, word) in bytes.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    BlockHash::from_internal_bytes(bytes)
}

/// `hash <= target` straight from the state words: the hash read as a
/// little-endian number has the byte-swapped last word as its top limb.
#[inline]
pub fn state_meets(state: &[u32; 8], target: &[u32; 8]) -> bool {
    for i in 0..8 {
        let limb = state[7 - i].swap_bytes();
        if limb != target[i] {
            return limb < target[i];
        }
    }
    true
}

/// Every nonce in `start..start + count` whose hash meets `target`, on one thread.
pub fn search_serial(header: &BlockHeader, start: u32, count: u64, target: &Target) -> Vec<u32> {
    let mut hasher = MidstateHasher::new(header);
    let target = target.limbs();
    let mut hits = Vec::new();
    for offset in 0..count {
        let nonce = (start as u64 + offset) as u32;
        let state = hasher.state(nonce);
        // Nearly every nonce fails on the top limb; test it before the loop.
        if state[7].swap_bytes() <= target[0] && state_meets(&state, &target) {
            hits.push(nonce);
        }
    }
    hits
}

/// The same search split over `threads` threads, one contiguous slice
/// each; a thread that cannot be started is an error (see
/// [`in_parallel`](super::in_parallel)).
pub fn search_parallel(
    header: &BlockHeader,
    start: u32,
    count: u64,
    target: &Target,
    threads: usize,
) -> crate::error::Result<Vec<u32>> {
    super::in_parallel(start, count, threads, |first, len| {
        search_serial(header, first, len, target)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::catalog;

    #[test]
    fn midstate_path_matches_sha2_on_real_headers() {
        for known in catalog::embedded() {
            let header = known.header;
            let mut hasher = MidstateHasher::new(&header);
            assert_eq!(hasher.block_hash(header.nonce()), header.block_hash());
            let other = header.nonce().wrapping_add(12345);
            assert_eq!(
                hasher.block_hash(other),
                header.with_nonce(other).block_hash()
            );
        }
    }

    #[test]
    fn finds_the_genesis_nonce_on_all_threads() {
        let genesis = catalog::resolve("genesis").unwrap().header;
        let target = genesis.target().unwrap();
        let hits = search_parallel(&genesis, 2083236893 - 1000, 4000, &target, 3).unwrap();
        assert_eq!(hits, vec![2083236893]);
    }

    #[test]
    fn state_comparison_agrees_with_the_number_comparison() {
        let header = catalog::latest_embedded().header;
        let mut hasher = MidstateHasher::new(&header);
        let target = Target::from_leading_zero_bits(4).unwrap();
        for nonce in 0..2000u32 {
            let state = hasher.state(nonce);
            let hash = state_to_hash(&state);
            assert_eq!(
                state_meets(&state, &target.limbs()),
                hash.meets(&target),
                "nonce {nonce}"
            );
        }
    }

    #[test]
    fn range_ending_at_the_top_of_the_nonce_space() {
        let header = catalog::latest_embedded().header;
        let target = Target::from_leading_zero_bits(6).unwrap();
        let hits = search_parallel(&header, u32::MAX - 999, 1000, &target, 2).unwrap();
        let expected: Vec<u32> = (u32::MAX - 999..=u32::MAX)
            .filter(|&n| header.with_nonce(n).block_hash().meets(&target))
            .collect();
        let mut hits = hits;
        hits.sort_unstable();
        assert_eq!(hits, expected);
        assert!(!expected.is_empty());
    }
}
