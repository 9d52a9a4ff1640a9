// The fast nonce search, and the whole-header digest kernel.
//
// Prepended by the host: sha256.wgsl (SHA-256 functions), search_io.wgsl
// (inputs, hit list, exact recheck) and sha256d_last_word, the unrolled
// double SHA-256 that build.rs generates with every constant folded.
//
// Per nonce this is the work the best hand-written miners do: the first
// hash starts at round 4 of the header's second block from terms the host
// precomputed (the midstate, rounds 0..2, the nonce-free parts of round 3
// and of W16..W19); the padding words are literals; the second hash stops
// once the last state word is known. The top 32 bits of the hash decide
// nearly every nonce; only a tie with the target's top limb runs the exact
// 256-bit recheck.
//
// No arrays are indexed in the hot path, so wgpu's bounds checks cost
// nothing here and the module is created with the default (checked) path.

override WORKGROUP_SIZE: u32 = 256u;
override NONCES_PER_INVOCATION: u32 = 4u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn search(@builtin(global_invocation_id) gid: vec3<u32>) {
    let first = (gid.x + gid.y * params.row_stride) * NONCES_PER_INVOCATION;
    let top_limb = params.target_limbs[0].x;
    for (var k = 0u; k < NONCES_PER_INVOCATION; k++) {
        let index = first + k;
        if (index >= params.nonce_count) {
            return;
        }
        let nonce = params.nonce_base + index;
        // The hash read as a number has swap_bytes(H7) as its top 32 bits.
        let top = swap_bytes(sha256d_last_word(swap_bytes(nonce)));
        if (top < top_limb || (top == top_limb && full_check(nonce))) {
            record_hit(nonce);
        }
    }
}

// ---- whole-header digests, for validation ---------------------------------

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
