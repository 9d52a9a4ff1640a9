//! The AVX2 path: the lane kernel on 256-bit vectors, 8 nonces a step.
//! AVX2 has no rotate, so each rotation is two shifts and an or.

use core::arch::x86_64::*;

use super::lanes::{self, Lanes};
use super::Job;

#[derive(Clone, Copy)]
pub(super) struct Avx2(__m256i);

macro_rules! ror {
    ($x:expr, $r:literal) => {
        _mm256_or_si256(
            _mm256_srli_epi32::<$r>($x),
            _mm256_slli_epi32::<{ 32 - $r }>($x),
        )
    };
}

macro_rules! xor3 {
    ($a:expr, $b:expr, $c:expr) => {
        _mm256_xor_si256(_mm256_xor_si256($a, $b), $c)
    };
}

// SAFETY (every `unsafe` below): these are only reached through `search`,
// whose caller has checked that the CPU has AVX2; they are inlined into it.
impl Lanes for Avx2 {
    const N: usize = 8;

    #[inline(always)]
    fn splat(x: u32) -> Self {
        Avx2(unsafe { _mm256_set1_epi32(x as i32) })
    }

    #[inline(always)]
    fn add(self, other: Self) -> Self {
        Avx2(unsafe { _mm256_add_epi32(self.0, other.0) })
    }

    #[inline(always)]
    fn big_sigma0(self) -> Self {
        let x = self.0;
        Avx2(unsafe { xor3!(ror!(x, 2), ror!(x, 13), ror!(x, 22)) })
    }

    #[inline(always)]
    fn big_sigma1(self) -> Self {
        let x = self.0;
        Avx2(unsafe { xor3!(ror!(x, 6), ror!(x, 11), ror!(x, 25)) })
    }

    #[inline(always)]
    fn small_sigma0(self) -> Self {
        let x = self.0;
        Avx2(unsafe { xor3!(ror!(x, 7), ror!(x, 18), _mm256_srli_epi32::<3>(x)) })
    }

    #[inline(always)]
    fn small_sigma1(self) -> Self {
        let x = self.0;
        Avx2(unsafe { xor3!(ror!(x, 17), ror!(x, 19), _mm256_srli_epi32::<10>(x)) })
    }

    #[inline(always)]
    fn ch(e: Self, f: Self, g: Self) -> Self {
        // g ^ (e & (f ^ g))
        Avx2(unsafe { _mm256_xor_si256(g.0, _mm256_and_si256(e.0, _mm256_xor_si256(f.0, g.0))) })
    }

    #[inline(always)]
    fn maj(a: Self, b: Self, c: Self) -> Self {
        // (a & b) | (c & (a | b))
        Avx2(unsafe {
            _mm256_or_si256(
                _mm256_and_si256(a.0, b.0),
                _mm256_and_si256(c.0, _mm256_or_si256(a.0, b.0)),
            )
        })
    }

    #[inline(always)]
    fn nonce_words(base: u32) -> Self {
        unsafe {
            let nonces = _mm256_add_epi32(
                _mm256_set1_epi32(base as i32),
                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
            );
            Avx2(_mm256_shuffle_epi8(nonces, bswap_mask()))
        }
    }

    #[inline(always)]
    fn candidates(h7: Self, top: u32) -> u32 {
        unsafe {
            let words = _mm256_shuffle_epi8(h7.0, bswap_mask());
            let top = _mm256_set1_epi32(top as i32);
            // x <= top (unsigned) exactly when max(x, top) == top.
            let le = _mm256_cmpeq_epi32(_mm256_max_epu32(words, top), top);
            _mm256_movemask_ps(_mm256_castsi256_ps(le)) as u32
        }
    }

    #[inline(always)]
    fn store(self, out: &mut [u32]) {
        assert!(out.len() >= 8);
        unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), self.0) }
    }
}

/// Reverses the bytes of each 32-bit lane.
#[inline(always)]
unsafe fn bswap_mask() -> __m256i {
    _mm256_setr_epi8(
        3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8,
        15, 14, 13, 12,
    )
}

/// # Safety
/// The CPU must have AVX2.
#[target_feature(enable = "avx2")]
pub(super) unsafe fn search(job: &Job, start: u32, count: u64, hits: &mut Vec<u32>) {
    lanes::search::<Avx2>(job, start, count, hits);
}
