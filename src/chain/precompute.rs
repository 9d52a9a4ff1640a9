//! What the host computes once per header so the fast searches (the WGSL
//! kernel and the CPU's fast paths alike) do not repeat it for every nonce.
//! The header's second 64-byte block is W0..W2 = the header's bytes 64..76,
//! W3 = the nonce, W4..W15 = padding; rounds 0..2 and the nonce-free parts
//! of round 3 and of W16..W19 are the same for every nonce.

use crate::chain::sha256_math::{big_sigma0, big_sigma1, ch, maj, small_sigma0, small_sigma1, K};

/// The `Precomputed` struct of `shaders/search_io.wgsl`, field for field.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Precomputed {
    /// a and e after rounds 0, 1 and 2 (a1 is after round 0).
    pub a1: u32,
    pub a2: u32,
    pub a3: u32,
    /// a after round 3, less the nonce word: a4 = a4_base + W3.
    pub a4_base: u32,
    pub e1: u32,
    pub e2: u32,
    pub e3: u32,
    /// e after round 3, less the nonce word: e4 = e4_base + W3.
    pub e4_base: u32,
    /// W16 and W17 do not depend on the nonce.
    pub w16: u32,
    pub w17: u32,
    /// W18 = w18_base + sigma0(W3).
    pub w18_base: u32,
    /// W19 = w19_base + W3.
    pub w19_base: u32,
}

impl Precomputed {
    pub fn new(midstate: &[u32; 8], tail: &[u32; 3]) -> Self {
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *midstate;
        let mut after = [(0u32, 0u32); 3];
        for (round, slot) in after.iter_mut().enumerate() {
            let t1 = h
                .wrapping_add(big_sigma1(e))
                .wrapping_add(ch(e, f, g))
                .wrapping_add(K[round])
                .wrapping_add(tail[round]);
            let t2 = big_sigma0(a).wrapping_add(maj(a, b, c));
            h = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
            *slot = (a, e);
        }
        // Round 3 without W3: t1 = h + Sigma1(e) + Ch(e, f, g) + K3 (+ W3).
        let t1_base = h
            .wrapping_add(big_sigma1(e))
            .wrapping_add(ch(e, f, g))
            .wrapping_add(K[3]);
        let e4_base = d.wrapping_add(t1_base);
        let a4_base = t1_base
            .wrapping_add(big_sigma0(a))
            .wrapping_add(maj(a, b, c));
        let [w0, w1, w2] = *tail;
        // W16 = s1(W14) + W9 + s0(W1) + W0 with W9 = W14 = 0.
        let w16 = small_sigma0(w1).wrapping_add(w0);
        // W17 = s1(W15) + W10 + s0(W2) + W1 with W10 = 0, W15 = 640.
        let w17 = small_sigma1(640)
            .wrapping_add(small_sigma0(w2))
            .wrapping_add(w1);
        // W18 = s1(W16) + W11 + s0(W3) + W2 with W11 = 0.
        let w18_base = small_sigma1(w16).wrapping_add(w2);
        // W19 = s1(W17) + W12 + s0(W4) + W3 with W12 = 0, W4 = 0x80000000.
        let w19_base = small_sigma1(w17).wrapping_add(small_sigma0(0x8000_0000));
        Precomputed {
            a1: after[0].0,
            a2: after[1].0,
            a3: after[2].0,
            a4_base,
            e1: after[0].1,
            e2: after[1].1,
            e3: after[2].1,
            e4_base,
            w16,
            w17,
            w18_base,
            w19_base,
        }
    }
}
