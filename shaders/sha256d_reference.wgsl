// The reference kernels: plain, one nonce per invocation, the rolled
// compression from sha256.wgsl. They are the yardstick the fast kernel is
// measured against and the second opinion it is tested against.
//
// Entry points:
//   search  - every nonce in [nonce_base, nonce_base + nonce_count) whose
//             sha256d(header) meets the target is appended to `hits`.
//   digest  - full sha256d of whole 80-byte headers, for validation.

// ---- nonce search ----------------------------------------------------------

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
}

struct HitList {
    count: atomic<u32>,
    nonces: array<u32>,
}

@group(0) @binding(0) var<uniform> params: SearchParams;
@group(0) @binding(1) var<storage, read_write> hits: HitList;

override WORKGROUP_SIZE: u32 = 64u;

fn midstate() -> array<u32, 8> {
    let m0 = params.midstate[0];
    let m1 = params.midstate[1];
    return array<u32, 8>(m0.x, m0.y, m0.z, m0.w, m1.x, m1.y, m1.z, m1.w);
}

// hash <= target, where the hash is the final state read as a little-endian
// 256-bit number: its top limb is the byte-swapped last state word.
fn meets_target(state: array<u32, 8>) -> bool {
    for (var i = 0u; i < 8u; i++) {
        let limb = swap_bytes(state[7u - i]);
        let bound = params.target_limbs[i / 4u][i % 4u];
        if (limb != bound) {
            return limb < bound;
        }
    }
    return true;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn search(@builtin(global_invocation_id) gid: vec3<u32>) {
    let index = gid.x + gid.y * params.row_stride;
    if (index >= params.nonce_count) {
        return;
    }
    let nonce = params.nonce_base + index;

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
    let second = sha256_compress(IV, block2);

    if (meets_target(second)) {
        let slot = atomicAdd(&hits.count, 1u);
        if (slot < params.hit_capacity) {
            hits.nonces[slot] = nonce;
        }
    }
}

// ---- whole-header digests --------------------------------------------------

// 20 big-endian words per header (the host swaps the bytes).
@group(0) @binding(2) var<storage, read> headers: array<u32>;
// 8 state words per header: sha256d(header), in SHA-256's output order.
@group(0) @binding(3) var<storage, read_write> digests: array<u32>;

@compute @workgroup_size(64)
fn digest(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= arrayLength(&headers) / 20u) {
        return;
    }
    let o = i * 20u;
    var block: array<u32, 16>;
    for (var j = 0u; j < 16u; j++) {
        block[j] = headers[o + j];
    }
    let mid = sha256_compress(IV, block);
    let tail = array<u32, 16>(
        headers[o + 16u], headers[o + 17u], headers[o + 18u], headers[o + 19u],
        0x80000000u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 640u,
    );
    let first = sha256_compress(mid, tail);
    let block2 = array<u32, 16>(
        first[0], first[1], first[2], first[3], first[4], first[5], first[6], first[7],
        0x80000000u, 0u, 0u, 0u, 0u, 0u, 0u, 256u,
    );
    let second = sha256_compress(IV, block2);
    for (var j = 0u; j < 8u; j++) {
        digests[i * 8u + j] = second[j];
    }
}
