// TEST COPY, not a kernel to use: hashwatt's reference kernel
// (shaders/sha256d_reference.wgsl with sha256.wgsl and search_io.wgsl) as
// one file, with the round constants indexed the plain way, `K[i]` on the
// `const K`, as before the hand fix (var<private> K_TABLE). The loader's
// const rewrite (src/gpu/rewrite.rs) must find K here; tests/kernel_rewrite.rs
// and the README's table ("Why SPIR-V was slower") run it with and without
// `--kernel-as-written`.

// The reference search kernel: plain, one nonce per invocation, the rolled
// compression from sha256.wgsl, every 256-bit comparison done in full. It is
// the yardstick the fast kernel (sha256d.wgsl) is measured against and a
// second opinion it is tested against. It implements
// docs/kernel-interface.md and is loaded the way a user's kernel is.
//

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn search(@builtin(global_invocation_id) gid: vec3<u32>) {
    let index = gid.x + gid.y * params.row_stride;
    if (index >= params.nonce_count) {
        return;
    }
    let nonce = params.nonce_base + index;
    if (full_check(nonce)) {
        record_hit(nonce);
    }
}

// SHA-256 building blocks (FIPS 180-4), shared by every kernel in this
// folder. WGSL has no #include: a kernel asks for this file with the line
// `// hashwatt:include sha256.wgsl` and the host adds it to the module, as
// hashcat's kernels share one SHA-256 include.
//
// Conventions: a SHA-256 state or message word is the big-endian reading of
// four bytes, as in the standard. The host does the byte order work.

// Round constants: the first 32 bits of the fractional parts of the cube
// roots of the first 64 primes.
const K = array<u32, 64>(
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
);


// Initial hash value: the first 32 bits of the fractional parts of the
// square roots of the first 8 primes.
const IV = array<u32, 8>(
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
);

fn rotr(x: u32, n: u32) -> u32 {
    return (x >> n) | (x << (32u - n));
}

fn big_sigma0(a: u32) -> u32 {
    return rotr(a, 2u) ^ rotr(a, 13u) ^ rotr(a, 22u);
}

fn big_sigma1(e: u32) -> u32 {
    return rotr(e, 6u) ^ rotr(e, 11u) ^ rotr(e, 25u);
}

fn small_sigma0(x: u32) -> u32 {
    return rotr(x, 7u) ^ rotr(x, 18u) ^ (x >> 3u);
}

fn small_sigma1(x: u32) -> u32 {
    return rotr(x, 17u) ^ rotr(x, 19u) ^ (x >> 10u);
}

// Ch(e, f, g) = (e & f) ^ (~e & g), in the form with one operation fewer.
fn ch(e: u32, f: u32, g: u32) -> u32 {
    return g ^ (e & (f ^ g));
}

// Maj(a, b, c) = (a & b) ^ (a & c) ^ (b & c), likewise.
fn maj(a: u32, b: u32, c: u32) -> u32 {
    return (a & b) | (c & (a | b));
}

fn swap_bytes(x: u32) -> u32 {
    return (x << 24u) | ((x << 8u) & 0x00ff0000u) | ((x >> 8u) & 0x0000ff00u) | (x >> 24u);
}

// One SHA-256 compression, plainly written: a rolled loop over 64 rounds
// with a 16-word rolling message schedule. The reference kernels use it; the
// fast kernel is generated unrolled instead (see build.rs).
fn sha256_compress(state: array<u32, 8>, block: array<u32, 16>) -> array<u32, 8> {
    var w = block;
    var a = state[0];
    var b = state[1];
    var c = state[2];
    var d = state[3];
    var e = state[4];
    var f = state[5];
    var g = state[6];
    var h = state[7];
    for (var i = 0u; i < 64u; i++) {
        var wi = w[i & 15u];
        if (i >= 16u) {
            wi = small_sigma1(w[(i + 14u) & 15u]) + w[(i + 9u) & 15u]
                + small_sigma0(w[(i + 1u) & 15u]) + wi;
            w[i & 15u] = wi;
        }
        let t1 = h + big_sigma1(e) + ch(e, f, g) + K[i] + wi;
        let t2 = big_sigma0(a) + maj(a, b, c);
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    return array<u32, 8>(
        state[0] + a, state[1] + b, state[2] + c, state[3] + d,
        state[4] + e, state[5] + f, state[6] + g, state[7] + h,
    );
}

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
