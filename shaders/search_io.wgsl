// What every search kernel shares: its inputs, the hit list, the exact
// target test and a full (slow, exact) recheck of one nonce. A kernel takes
// it with `// hashwatt:include search_io.wgsl` (which brings sha256.wgsl).
// The layouts are docs/kernel-interface.md's; the host's side is
// src/gpu/searcher.rs.

// Nonce-independent terms of the first hash's second block, precomputed by
// the host once per header (src/gpu/precompute.rs). Block words: W0..W2 are
// header bytes 64..76, W3 the nonce, W4..W15 padding.
struct Precomputed {
    // a and e after rounds 0, 1, 2 of the second block.
    a1: u32, a2: u32, a3: u32,
    // a after round 3 without W3: a4 = a4_base + W3.
    a4_base: u32,
    e1: u32, e2: u32, e3: u32,
    // e after round 3 without W3: e4 = e4_base + W3.
    e4_base: u32,
    // Message schedule words 16 and 17 (nonce-free).
    w16: u32, w17: u32,
    // W18 = w18_base + small_sigma0(W3); W19 = w19_base + W3.
    w18_base: u32, w19_base: u32,
}

struct SearchParams {
    // SHA-256 state after the header's first 64 bytes (nonce-independent).
    midstate: array<vec4<u32>, 2>,
    // Message words 0..2 of the header's second block: the merkle root's
    // last 4 bytes, time and nBits. Word 3 is the nonce; .w is unused.
    tail: vec4<u32>,
    // The 256-bit target, most significant 32-bit limb first.
    target_limbs: array<vec4<u32>, 2>,
    nonce_base: u32,
    nonce_count: u32,
    // Room in hits.nonces. hits.count keeps counting past it, so the host
    // sees an overflow and searches the batch again with a larger buffer.
    hit_capacity: u32,
    // Invocations in one row of the 2-D dispatch grid.
    row_stride: u32,
    pre: Precomputed,
}

struct HitList {
    count: atomic<u32>,
    nonces: array<u32>,
}

@group(0) @binding(0) var<uniform> params: SearchParams;
@group(0) @binding(1) var<storage, read_write> hits: HitList;

fn midstate() -> array<u32, 8> {
    let m0 = params.midstate[0];
    let m1 = params.midstate[1];
    return array<u32, 8>(m0.x, m0.y, m0.z, m0.w, m1.x, m1.y, m1.z, m1.w);
}

// hash <= target, where the hash is the final state read as a little-endian
// 256-bit number: its top limb is the byte-swapped last state word.
// `state` is copied into a variable once: naga's SPIR-V writer would copy
// the whole array again at each run-time index (see K_TABLE).
fn meets_target(state: array<u32, 8>) -> bool {
    var s = state;
    for (var i = 0u; i < 8u; i++) {
        let limb = swap_bytes(s[7u - i]);
        let bound = params.target_limbs[i / 4u][i % 4u];
        if (limb != bound) {
            return limb < bound;
        }
    }
    return true;
}

// sha256d(header with this nonce), the plain way: the rolled compression
// from the midstate, then the second hash.
fn sha256d_state(nonce: u32) -> array<u32, 8> {
    // The header's second block: 16 bytes of header, then padding for an
    // 80-byte message (a 1 bit, zeros, the length 640 in bits).
    let block = array<u32, 16>(
        params.tail.x, params.tail.y, params.tail.z, swap_bytes(nonce),
        0x80000000u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 640u,
    );
    let first = sha256_compress(midstate(), block);
    // The second hash: the 32-byte first digest, padded (length 256 bits).
    let block2 = array<u32, 16>(
        first[0], first[1], first[2], first[3], first[4], first[5], first[6], first[7],
        0x80000000u, 0u, 0u, 0u, 0u, 0u, 0u, 256u,
    );
    return sha256_compress(IV, block2);
}

// The exact test, all 256 bits.
fn full_check(nonce: u32) -> bool {
    return meets_target(sha256d_state(nonce));
}

// Appends a hit. Past the buffer's room the count still goes up, so the
// host always learns the true number of hits.
fn record_hit(nonce: u32) {
    let slot = atomicAdd(&hits.count, 1u);
    if (slot < params.hit_capacity) {
        hits.nonces[slot] = nonce;
    }
}
