// The fast nonce search. It implements docs/kernel-interface.md and is
// loaded the way a user's kernel is (`hashwatt verify --kernel` takes it).
//
// hashwatt:include sha256.wgsl
// hashwatt:include search_io.wgsl
// hashwatt:include sha256d_unrolled.wgsl
//
// The includes bring the SHA-256 functions, the inputs, hit list and exact
// recheck, and sha256d_last_word: the unrolled double SHA-256 that build.rs
// generates with every constant folded.
//
// Per nonce this is the work the best hand-written miners do: the first
// hash starts at round 4 of the header's second block from terms the host
// precomputed (the midstate, rounds 0..2, the nonce-free parts of round 3
// and of W16..W19); the padding words are literals; the second hash stops
// once the last state word is known. The top 32 bits of the hash decide
// nearly every nonce; only a tie with the target's top limb runs the exact
// 256-bit recheck, after the nonce loop (once per invocation).
//
// No arrays are indexed in the hot path, so wgpu's bounds checks cost
// nothing here and the module is created with the default (checked) path.

override WORKGROUP_SIZE: u32 = 256u;
override NONCES_PER_INVOCATION: u32 = 4u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn search(@builtin(global_invocation_id) gid: vec3<u32>) {
    let first = (gid.x + gid.y * params.row_stride) * NONCES_PER_INVOCATION;
    let top_limb = params.target_limbs[0].x;
    // The first and last nonce (as k) whose top 32 bits tie the target's.
    var tie_first = NONCES_PER_INVOCATION;
    var tie_last = 0u;
    for (var k = 0u; k < NONCES_PER_INVOCATION; k++) {
        let index = first + k;
        if (index >= params.nonce_count) {
            break;
        }
        let nonce = params.nonce_base + index;
        // The hash read as a number has swap_bytes(H7) as its top 32 bits.
        let top = swap_bytes(sha256d_last_word(swap_bytes(nonce)));
        if (top < top_limb) {
            record_hit(nonce);
        } else if (top == top_limb) {
            tie_first = min(tie_first, k);
            tie_last = k;
        }
    }
    // Ties are rare (about 1 in 2^32 nonces), but a SIMD driver on the CPU
    // runs this code for every invocation with its lanes masked off, so it
    // runs once per invocation, not once per nonce.
    for (var k = tie_first; k <= tie_last; k++) {
        let nonce = params.nonce_base + first + k;
        let state = sha256d_state(nonce);
        if (swap_bytes(state[7]) == top_limb && meets_target(state)) {
            record_hit(nonce);
        }
    }
}
