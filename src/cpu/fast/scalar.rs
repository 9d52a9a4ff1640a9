//! The portable path: the lane kernel on plain u32s, one nonce at a time.
//! Also the full 64-round double SHA-256 that decides ties on the target's
//! top limb and gives the device's digests.

use super::lanes::{self, Lanes};
use super::Job;
use crate::chain::sha256_math::{
    big_sigma0, big_sigma1, ch, maj, small_sigma0, small_sigma1, IV, K,
};

impl Lanes for u32 {
    const N: usize = 1;

    #[inline(always)]
    fn splat(x: u32) -> Self {
        x
    }

    #[inline(always)]
    fn add(self, other: Self) -> Self {
        self.wrapping_add(other)
    }

    #[inline(always)]
    fn big_sigma0(self) -> Self {
        big_sigma0(self)
    }

    #[inline(always)]
    fn big_sigma1(self) -> Self {
        big_sigma1(self)
    }

    #[inline(always)]
    fn small_sigma0(self) -> Self {
        small_sigma0(self)
    }

    #[inline(always)]
    fn small_sigma1(self) -> Self {
        small_sigma1(self)
    }

    #[inline(always)]
    fn ch(e: Self, f: Self, g: Self) -> Self {
        ch(e, f, g)
    }

    #[inline(always)]
    fn maj(a: Self, b: Self, c: Self) -> Self {
        maj(a, b, c)
    }

    #[inline(always)]
    fn nonce_words(base: u32) -> Self {
        base.swap_bytes()
    }

    #[inline(always)]
    fn candidates(h7: Self, top: u32) -> u32 {
        (h7.swap_bytes() <= top) as u32
    }

    #[inline(always)]
    fn store(self, out: &mut [u32]) {
        out[0] = self;
    }
}

pub(super) fn search(job: &Job, start: u32, count: u64, hits: &mut Vec<u32>) {
    lanes::search::<u32>(job, start, count, hits);
}

/// One SHA-256 round on `state` with round constant `K[round]` and message word `w`.
pub(super) fn round(state: &mut [u32; 8], round: usize, w: u32) {
    let [a, b, c, d, e, f, g, h] = *state;
    let t1 = h
        .wrapping_add(big_sigma1(e))
        .wrapping_add(ch(e, f, g))
        .wrapping_add(K[round])
        .wrapping_add(w);
    let t2 = big_sigma0(a).wrapping_add(maj(a, b, c));
    *state = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
}

/// One whole compression of the 16 message words `block` into `state`.
fn compress(state: &mut [u32; 8], block: [u32; 16]) {
    let mut w = [0u32; 64];
    w[..16].copy_from_slice(&block);
    for i in 16..64 {
        w[i] = small_sigma1(w[i - 2])
            .wrapping_add(w[i - 7])
            .wrapping_add(small_sigma0(w[i - 15]))
            .wrapping_add(w[i - 16]);
    }
    let mut working = *state;
    for (i, &word) in w.iter().enumerate() {
        round(&mut working, i, word);
    }
    for (s, x) in state.iter_mut().zip(working) {
        *s = s.wrapping_add(x);
    }
}

/// The final state of sha256d for nonce word `w3`: both hashes in full.
pub(super) fn full_state(job: &Job, w3: u32) -> [u32; 8] {
    let mut first = job.midstate;
    let [w0, w1, w2] = job.tail;
    compress(
        &mut first,
        [
            w0,
            w1,
            w2,
            w3,
            0x8000_0000,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            640,
        ],
    );
    let mut block = [0u32; 16];
    block[..8].copy_from_slice(&first);
    block[8] = 0x8000_0000;
    block[15] = 256;
    let mut second = IV;
    compress(&mut second, block);
    second
}
