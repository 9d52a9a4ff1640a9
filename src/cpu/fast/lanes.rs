//! The double SHA-256 kernel of the lane paths (scalar, AVX2, AVX-512),
//! written once over [`Lanes`]: a u32, or a vector holding one nonce per
//! lane. Everything is `#[inline(always)]` so that each path's
//! `#[target_feature]` function gets the whole kernel inlined, its constants
//! folded (the padding words, K + W where W is a constant) and the work H7
//! does not need dropped.

use super::{Job, IV7};
use crate::chain::sha256_math::{IV, K};

/// The operations the kernel needs, one nonce per lane.
pub(crate) trait Lanes: Copy {
    /// Nonces per vector.
    const N: usize;
    fn splat(x: u32) -> Self;
    fn add(self, other: Self) -> Self;
    /// Sigma0, Sigma1 (the rounds) and sigma0, sigma1 (the schedule).
    fn big_sigma0(self) -> Self;
    fn big_sigma1(self) -> Self;
    fn small_sigma0(self) -> Self;
    fn small_sigma1(self) -> Self;
    fn ch(e: Self, f: Self, g: Self) -> Self;
    fn maj(a: Self, b: Self, c: Self) -> Self;
    /// The nonces `base`, `base + 1`, ... (wrapping), as message words W3
    /// (the nonce's little-endian bytes read big-endian).
    fn nonce_words(base: u32) -> Self;
    /// Lanes whose H7, byte-swapped, is at most `top`: bit i for lane i.
    fn candidates(h7: Self, top: u32) -> u32;
    /// The lanes, in order, into `out` (`N` words).
    fn store(self, out: &mut [u32]);
}

/// Message word i from the sixteen before it.
macro_rules! schedule {
    ($w:ident, $i:literal) => {
        $w[$i] = $w[$i - 2]
            .small_sigma1()
            .add($w[$i - 7])
            .add($w[$i - 15].small_sigma0())
            .add($w[$i - 16]);
    };
}

/// Rounds on `$s` with words `$w`; with `schedule`, each round's word is
/// computed just before it, which keeps fewer words live at once.
macro_rules! rounds {
    ($s:ident, $w:ident; $($i:literal)*) => {
        $( rounds!(@round $s, $w, $i); )*
    };
    (schedule $s:ident, $w:ident; $($i:literal)*) => {
        $(
            schedule!($w, $i);
            rounds!(@round $s, $w, $i);
        )*
    };
    (@round $s:ident, $w:ident, $i:literal) => {
        let [a, b, c, d, e, f, g, h] = $s;
        let t1 = h
            .add(e.big_sigma1())
            .add(V::ch(e, f, g))
            .add(V::splat(K[$i]).add($w[$i]));
        let t2 = a.big_sigma0().add(V::maj(a, b, c));
        $s = [t1.add(t2), a, b, c, d.add(t1), e, f, g];
    };
}

/// H7 of sha256d(header with nonce word `w3`), lane by lane.
#[inline(always)]
pub(crate) fn last_word<V: Lanes>(job: &Job, w3: V) -> V {
    let s = V::splat;
    let p = &job.pre;

    // First hash, the header's second block, from the state after round 3.
    let mut w = [s(0); 64];
    w[0] = s(job.tail[0]);
    w[1] = s(job.tail[1]);
    w[2] = s(job.tail[2]);
    w[3] = w3;
    w[4] = s(0x8000_0000);
    w[15] = s(640);
    w[16] = s(p.w16);
    w[17] = s(p.w17);
    w[18] = s(p.w18_base).add(w3.small_sigma0());
    w[19] = s(p.w19_base).add(w3);
    let mut state = [
        s(p.a4_base).add(w3),
        s(p.a3),
        s(p.a2),
        s(p.a1),
        s(p.e4_base).add(w3),
        s(p.e3),
        s(p.e2),
        s(p.e1),
    ];
    rounds!(state, w; 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19);
    rounds!(schedule state, w; 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35
        36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59
        60 61 62 63);

    // Second hash: the 32-byte digest, padded, from the initial state.
    let mut x = [s(0); 64];
    for i in 0..8 {
        x[i] = s(job.midstate[i]).add(state[i]);
    }
    x[8] = s(0x8000_0000);
    x[15] = s(256);
    let mut state = IV.map(s);
    // Rounds 0..60: e after round 60 is h after round 63, so H7 = IV7 + it.
    // The a of round 60 is never read, and the compiler drops it.
    rounds!(state, x; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    rounds!(schedule state, x; 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
        32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55
        56 57 58 59 60);
    s(IV7).add(state[4])
}

/// The search loop of a lane path: `V::N` nonces a step; a step with any
/// candidate goes to `Job::collect`.
#[inline(always)]
pub(crate) fn search<V: Lanes>(job: &Job, start: u32, count: u64, hits: &mut Vec<u32>) {
    let end = start as u64 + count;
    let top = job.target[0];
    let mut base = start as u64;
    let mut words = [0u32; 16];
    while base < end {
        let h7 = last_word(job, V::nonce_words(base as u32));
        if V::candidates(h7, top) != 0 {
            h7.store(&mut words[..V::N]);
            job.collect(base, &words[..V::N], end, hits);
        }
        base += V::N as u64;
    }
}
