// What every search kernel shares: the interface (search_interface.wgsl:
// its inputs, the hit list, record_hit), the exact target test and a full
// (slow, exact) recheck of one nonce. A kernel takes it with
// `// hashwatt:include search_io.wgsl` (which brings sha256.wgsl and
// search_interface.wgsl).

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
