// The search interface alone: the inputs, the hit list, their bindings and
// record_hit. No SHA-256 and no `K`, so it can sit beside a third-party
// SHA-256 that brings its own. A kernel takes it with
// `// hashwatt:include search_interface.wgsl`; search_io.wgsl brings it too.
// The layouts are docs/kernel-interface.md's; the host's side is
// src/gpu/searcher/dispatch.rs.

// Nonce-independent terms of the first hash's second block, precomputed by
// the host once per header (src/chain/precompute.rs). Block words: W0..W2 are
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
    // The whole header as 20 SHA-256 message words: word i is header bytes
    // 4i..4i+3 read big-endian (FIPS 180-4), header_words[i / 4u][i % 4u].
    // Word 19, the nonce, is 0: a kernel puts swap_bytes(nonce) there (the
    // header stores the nonce little-endian). A kernel that loads words
    // little-endian, as from a byte buffer, swaps the bytes of each word.
    header_words: array<vec4<u32>, 5>,
}

struct HitList {
    count: atomic<u32>,
    nonces: array<u32>,
}

@group(0) @binding(0) var<uniform> params: SearchParams;
@group(0) @binding(1) var<storage, read_write> hits: HitList;

// The index of an invocation's first nonce in the range, in a 2-D grid:
// rows of params.row_stride invocations (docs/kernel-interface.md,
// "Dispatch shape"). An index at or past params.nonce_count does nothing.
fn invocation_index(gid: vec3<u32>) -> u32 {
    return gid.x + gid.y * params.row_stride;
}

// Appends a hit. Past the buffer's room the count still goes up, so the
// host always learns the true number of hits.
fn record_hit(nonce: u32) {
    let slot = atomicAdd(&hits.count, 1u);
    if (slot < params.hit_capacity) {
        hits.nonces[slot] = nonce;
    }
}
