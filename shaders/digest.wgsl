// Whole-header digests, for validation: sha256d of each header, computed
// on the device. hashwatt's own kernel, not part of the search interface;
// the host appends sha256.wgsl (src/gpu/digest.rs).

// 20 big-endian words per header (the host swaps the bytes).
@group(0) @binding(0) var<storage, read> headers: array<u32>;
// 8 state words per header: sha256d(header), in SHA-256's output order.
@group(0) @binding(1) var<storage, read_write> digests: array<u32>;

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
