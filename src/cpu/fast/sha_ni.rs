//! The SHA-NI path: the SHA extensions' two-round instruction
//! (`sha256rnds2`) and message schedule (`sha256msg1`, `sha256msg2`), with
//! [`STREAMS`] nonces interleaved. One stream is a chain of dependent
//! `sha256rnds2` (OpenSSL's single stream is bound by its latency); the
//! streams are independent, so the CPU overlaps their chains.
//!
//! The instructions do two rounds at a time, so the first hash starts from
//! the state after rounds 0 and 1 (precomputed once per header) and does
//! rounds 2..63. The second hash stops after rounds 60 and 61: H7 is the
//! initial H7 plus e after round 60, which sits in the F lane by then.
//! The state lives in two vectors, ABEF and CDGH, lane 3 first.

use core::arch::x86_64::*;

use super::{Job, IV7};
use crate::chain::sha256_math::{IV, K};

/// Nonces hashed together by one thread.
pub(crate) const STREAMS: usize = 2;

/// K[i..i + 4], lane j holding K[i + j].
#[inline(always)]
unsafe fn k4(i: usize) -> __m128i {
    _mm_loadu_si128(K[i..i + 4].as_ptr().cast())
}

#[inline(always)]
unsafe fn words(w0: u32, w1: u32, w2: u32, w3: u32) -> __m128i {
    _mm_set_epi32(w3 as i32, w2 as i32, w1 as i32, w0 as i32)
}

/// A state [a, b, c, d, e, f, g, h] as the vectors ABEF and CDGH.
#[inline(always)]
unsafe fn split(s: &[u32; 8]) -> (__m128i, __m128i) {
    (words(s[5], s[4], s[1], s[0]), words(s[7], s[6], s[3], s[2]))
}

/// Two rounds; `wk` holds W + K of the two rounds in lanes 0 and 1.
#[inline(always)]
unsafe fn two_rounds(abef: &mut __m128i, cdgh: &mut __m128i, wk: __m128i) {
    let next = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
    *cdgh = *abef;
    *abef = next;
}

#[inline(always)]
unsafe fn four_rounds(abef: &mut __m128i, cdgh: &mut __m128i, wk: __m128i) {
    two_rounds(abef, cdgh, wk);
    two_rounds(abef, cdgh, _mm_shuffle_epi32::<0x0e>(wk));
}

/// W[t..t + 4] from W[t - 16..t] in four vectors.
#[inline(always)]
unsafe fn schedule(m0: __m128i, m1: __m128i, m2: __m128i, m3: __m128i) -> __m128i {
    _mm_sha256msg2_epu32(
        _mm_add_epi32(_mm_sha256msg1_epu32(m0, m1), _mm_alignr_epi8::<4>(m3, m2)),
        m3,
    )
}

/// Rounds 4g..4g + 3 of every stream, scheduling their words into `$m0`
/// (which held the words of group g - 4).
macro_rules! group {
    ($g:literal, $abef:ident, $cdgh:ident, $m0:ident, $m1:ident, $m2:ident, $m3:ident) => {
        for n in 0..STREAMS {
            $m0[n] = schedule($m0[n], $m1[n], $m2[n], $m3[n]);
            four_rounds(
                &mut $abef[n],
                &mut $cdgh[n],
                _mm_add_epi32($m0[n], k4(4 * $g)),
            );
        }
    };
}

/// What the streams share, per header.
struct Prepared {
    abef: __m128i,
    cdgh: __m128i,
    mid_abef: __m128i,
    mid_cdgh: __m128i,
}

/// H7 of sha256d for each stream's nonce word.
#[inline(always)]
unsafe fn last_words(job: &Job, pre: &Prepared, w3: [u32; STREAMS]) -> [u32; STREAMS] {
    let [w0, w1, w2] = job.tail;
    // First hash, from the state after round 1.
    let mut abef = [pre.abef; STREAMS];
    let mut cdgh = [pre.cdgh; STREAMS];
    let mut a = w3.map(|w3| unsafe { words(w0, w1, w2, w3) });
    let mut b = [words(0x8000_0000, 0, 0, 0); STREAMS];
    let mut c = [_mm_setzero_si128(); STREAMS];
    let mut d = [words(0, 0, 0, 640); STREAMS];
    for n in 0..STREAMS {
        // Rounds 2 and 3: lanes 2 and 3 of W0..3 + K0..3.
        let wk = _mm_add_epi32(a[n], k4(0));
        two_rounds(&mut abef[n], &mut cdgh[n], _mm_shuffle_epi32::<0x0e>(wk));
        four_rounds(&mut abef[n], &mut cdgh[n], _mm_add_epi32(b[n], k4(4)));
        four_rounds(&mut abef[n], &mut cdgh[n], k4(8));
        four_rounds(&mut abef[n], &mut cdgh[n], _mm_add_epi32(d[n], k4(12)));
    }
    group!(4, abef, cdgh, a, b, c, d);
    group!(5, abef, cdgh, b, c, d, a);
    group!(6, abef, cdgh, c, d, a, b);
    group!(7, abef, cdgh, d, a, b, c);
    group!(8, abef, cdgh, a, b, c, d);
    group!(9, abef, cdgh, b, c, d, a);
    group!(10, abef, cdgh, c, d, a, b);
    group!(11, abef, cdgh, d, a, b, c);
    group!(12, abef, cdgh, a, b, c, d);
    group!(13, abef, cdgh, b, c, d, a);
    group!(14, abef, cdgh, c, d, a, b);
    group!(15, abef, cdgh, d, a, b, c);

    // The first digest, as the second hash's W0..3 and W4..7.
    let (second_abef, second_cdgh) = split(&IV);
    for n in 0..STREAMS {
        let abef_n = _mm_add_epi32(abef[n], pre.mid_abef);
        let cdgh_n = _mm_add_epi32(cdgh[n], pre.mid_cdgh);
        let feba = _mm_shuffle_epi32::<0x1b>(abef_n);
        let dchg = _mm_shuffle_epi32::<0xb1>(cdgh_n);
        a[n] = _mm_blend_epi16::<0xf0>(feba, dchg);
        b[n] = _mm_alignr_epi8::<8>(dchg, feba);
        c[n] = words(0x8000_0000, 0, 0, 0);
        d[n] = words(0, 0, 0, 256);
        abef[n] = second_abef;
        cdgh[n] = second_cdgh;
        four_rounds(&mut abef[n], &mut cdgh[n], _mm_add_epi32(a[n], k4(0)));
        four_rounds(&mut abef[n], &mut cdgh[n], _mm_add_epi32(b[n], k4(4)));
        four_rounds(&mut abef[n], &mut cdgh[n], _mm_add_epi32(c[n], k4(8)));
        four_rounds(&mut abef[n], &mut cdgh[n], _mm_add_epi32(d[n], k4(12)));
    }
    group!(4, abef, cdgh, a, b, c, d);
    group!(5, abef, cdgh, b, c, d, a);
    group!(6, abef, cdgh, c, d, a, b);
    group!(7, abef, cdgh, d, a, b, c);
    group!(8, abef, cdgh, a, b, c, d);
    group!(9, abef, cdgh, b, c, d, a);
    group!(10, abef, cdgh, c, d, a, b);
    group!(11, abef, cdgh, d, a, b, c);
    group!(12, abef, cdgh, a, b, c, d);
    group!(13, abef, cdgh, b, c, d, a);
    group!(14, abef, cdgh, c, d, a, b);
    let mut h7 = [0u32; STREAMS];
    for n in 0..STREAMS {
        // Rounds 60 and 61 only; e after round 60 is then in lane 0 (F).
        let m = schedule(d[n], a[n], b[n], c[n]);
        two_rounds(&mut abef[n], &mut cdgh[n], _mm_add_epi32(m, k4(60)));
        h7[n] = IV7.wrapping_add(_mm_cvtsi128_si32(abef[n]) as u32);
    }
    h7
}

/// # Safety
/// The CPU must have SHA-NI and SSE4.1.
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub(super) unsafe fn search(job: &Job, start: u32, count: u64, hits: &mut Vec<u32>) {
    let (abef, cdgh) = split(&job.after_round_1);
    let (mid_abef, mid_cdgh) = split(&job.midstate);
    let pre = Prepared {
        abef,
        cdgh,
        mid_abef,
        mid_cdgh,
    };
    let end = start as u64 + count;
    let top = job.target[0];
    let mut base = start as u64;
    while base < end {
        let w3: [u32; STREAMS] =
            std::array::from_fn(|i| (base as u32).wrapping_add(i as u32).swap_bytes());
        let h7 = last_words(job, &pre, w3);
        if h7.iter().any(|h| h.swap_bytes() <= top) {
            job.collect(base, &h7, end, hits);
        }
        base += STREAMS as u64;
    }
}
