//! The AVX-512 path: the lane kernel on 512-bit vectors, 16 nonces a step,
//! with AVX-512's rotate (`vprord`) and three-input logic (`vpternlogd`:
//! the three-way xor of each Sigma, Ch and Maj in one instruction each).

use core::arch::x86_64::*;

use super::lanes::{self, Lanes};
use super::Job;

#[derive(Clone, Copy)]
pub(super) struct Avx512(__m512i);

/// vpternlogd truth tables: a ^ b ^ c, a ? b : c, majority(a, b, c).
const XOR3: i32 = 0x96;
const CHOOSE: i32 = 0xca;
const MAJORITY: i32 = 0xe8;

// SAFETY (every `unsafe` below): these are only reached through `search`,
// whose caller has checked that the CPU has AVX-512 F and BW; they are
// inlined into it.
impl Lanes for Avx512 {
    const N: usize = 16;

    #[inline(always)]
    fn splat(x: u32) -> Self {
        Avx512(unsafe { _mm512_set1_epi32(x as i32) })
    }

    #[inline(always)]
    fn add(self, other: Self) -> Self {
        Avx512(unsafe { _mm512_add_epi32(self.0, other.0) })
    }

    #[inline(always)]
    fn big_sigma0(self) -> Self {
        let x = self.0;
        Avx512(unsafe {
            _mm512_ternarylogic_epi32::<XOR3>(
                _mm512_ror_epi32::<2>(x),
                _mm512_ror_epi32::<13>(x),
                _mm512_ror_epi32::<22>(x),
            )
        })
    }

    #[inline(always)]
    fn big_sigma1(self) -> Self {
        let x = self.0;
        Avx512(unsafe {
            _mm512_ternarylogic_epi32::<XOR3>(
                _mm512_ror_epi32::<6>(x),
                _mm512_ror_epi32::<11>(x),
                _mm512_ror_epi32::<25>(x),
            )
        })
    }

    #[inline(always)]
    fn small_sigma0(self) -> Self {
        let x = self.0;
        Avx512(unsafe {
            _mm512_ternarylogic_epi32::<XOR3>(
                _mm512_ror_epi32::<7>(x),
                _mm512_ror_epi32::<18>(x),
                _mm512_srli_epi32::<3>(x),
            )
        })
    }

    #[inline(always)]
    fn small_sigma1(self) -> Self {
        let x = self.0;
        Avx512(unsafe {
            _mm512_ternarylogic_epi32::<XOR3>(
                _mm512_ror_epi32::<17>(x),
                _mm512_ror_epi32::<19>(x),
                _mm512_srli_epi32::<10>(x),
            )
        })
    }

    #[inline(always)]
    fn ch(e: Self, f: Self, g: Self) -> Self {
        Avx512(unsafe { _mm512_ternarylogic_epi32::<CHOOSE>(e.0, f.0, g.0) })
    }

    #[inline(always)]
    fn maj(a: Self, b: Self, c: Self) -> Self {
        Avx512(unsafe { _mm512_ternarylogic_epi32::<MAJORITY>(a.0, b.0, c.0) })
    }

    #[inline(always)]
    fn nonce_words(base: u32) -> Self {
        unsafe {
            let nonces = _mm512_add_epi32(
                _mm512_set1_epi32(base as i32),
                _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
            );
            Avx512(_mm512_shuffle_epi8(nonces, bswap_mask()))
        }
    }

    #[inline(always)]
    fn candidates(h7: Self, top: u32) -> u32 {
        unsafe {
            let words = _mm512_shuffle_epi8(h7.0, bswap_mask());
            _mm512_cmple_epu32_mask(words, _mm512_set1_epi32(top as i32)) as u32
        }
    }

    #[inline(always)]
    fn store(self, out: &mut [u32]) {
        assert!(out.len() >= 16);
        unsafe { _mm512_storeu_si512(out.as_mut_ptr().cast(), self.0) }
    }
}

/// Reverses the bytes of each 32-bit lane (within each 128-bit block).
#[inline(always)]
unsafe fn bswap_mask() -> __m512i {
    _mm512_broadcast_i32x4(_mm_setr_epi8(
        3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12,
    ))
}

/// # Safety
/// The CPU must have AVX-512 F and BW.
#[target_feature(enable = "avx512f,avx512bw")]
pub(super) unsafe fn search(job: &Job, start: u32, count: u64, hits: &mut Vec<u32>) {
    lanes::search::<Avx512>(job, start, count, hits);
}
