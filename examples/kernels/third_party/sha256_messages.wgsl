// sha256_messages.wgsl: a general SHA-256 library shader, written the way
// many in the wild are, for docs/kernel-interface.md ("Bringing an existing
// shader"). It hashes one message per invocation, of any length, and knows
// nothing of Bitcoin; hashwatt builds sha256d from its compression function
// without a line changed:
//
//   hashwatt verify --kernel examples/kernels/third_party/sha256_messages.wgsl \
//       --hash-fn compress_block
//
// Its habits, each common: the compression updates the state in place
// through a pointer; the round constants are a `let` array inside it (a
// speed trap on Vulkan that hashwatt's loader rewrites); messages come in
// as bytes viewed as little-endian u32 words and are swapped on load; the
// digests go out byte-swapped so that the host reads them as bytes.

struct Shape {
    // Bytes in each message (every message has the same length).
    message_bytes: u32,
    // Messages in the buffer.
    count: u32,
}

@group(0) @binding(0) var<storage, read> messages: array<u32>;
@group(0) @binding(1) var<storage, read_write> digests: array<u32>;
@group(0) @binding(2) var<uniform> shape: Shape;

fn rotr(x: u32, n: u32) -> u32 {
    return (x >> n) | (x << (32u - n));
}

fn swap32(x: u32) -> u32 {
    return (x >> 24u) | ((x >> 8u) & 0xff00u) | ((x << 8u) & 0xff0000u) | (x << 24u);
}

// The SHA-256 compression function: one 16-word block (big-endian words)
// into the state.
fn compress_block(state: ptr<function, array<u32, 8>>, block: array<u32, 16>) {
    let k = array<u32, 64>(
        0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
        0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
        0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
        0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
        0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
        0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
        0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
        0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
    );
    var w: array<u32, 64>;
    for (var t = 0u; t < 64u; t++) {
        if (t < 16u) {
            w[t] = block[t];
        } else {
            let s0 = rotr(w[t - 15u], 7u) ^ rotr(w[t - 15u], 18u) ^ (w[t - 15u] >> 3u);
            let s1 = rotr(w[t - 2u], 17u) ^ rotr(w[t - 2u], 19u) ^ (w[t - 2u] >> 10u);
            w[t] = w[t - 16u] + s0 + w[t - 7u] + s1;
        }
    }
    var v = *state;
    for (var t = 0u; t < 64u; t++) {
        let t1 = v[7] + (rotr(v[4], 6u) ^ rotr(v[4], 11u) ^ rotr(v[4], 25u))
            + ((v[4] & v[5]) ^ (~v[4] & v[6])) + k[t] + w[t];
        let t2 = (rotr(v[0], 2u) ^ rotr(v[0], 13u) ^ rotr(v[0], 22u))
            + ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        v = array<u32, 8>(t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]);
    }
    for (var i = 0u; i < 8u; i++) {
        (*state)[i] = (*state)[i] + v[i];
    }
}

// Byte `i` of message `m`.
fn message_byte(m: u32, i: u32) -> u32 {
    let at = m * shape.message_bytes + i;
    return (messages[at / 4u] >> (8u * (at % 4u))) & 0xffu;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let m = gid.x;
    if (m >= shape.count) {
        return;
    }
    var state = array<u32, 8>(
        0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
    );
    let len = shape.message_bytes;
    // The message, a 0x80 byte, zeros, then the length in bits (64 bits,
    // big-endian; messages here are under 512 MiB).
    let padded = ((len + 8u) / 64u + 1u) * 64u;
    for (var base = 0u; base < padded; base += 64u) {
        var block: array<u32, 16>;
        for (var j = 0u; j < 64u; j++) {
            let i = base + j;
            var byte = 0u;
            if (i < len) {
                byte = message_byte(m, i);
            } else if (i == len) {
                byte = 0x80u;
            } else if (i >= padded - 4u) {
                byte = ((len * 8u) >> (8u * (padded - 1u - i))) & 0xffu;
            }
            block[j / 4u] |= byte << (8u * (3u - j % 4u));
        }
        compress_block(&state, block);
    }
    for (var i = 0u; i < 8u; i++) {
        digests[m * 8u + i] = swap32(state[i]);
    }
}
