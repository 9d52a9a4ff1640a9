// MUTANT (grid-rows): the invocation index ignores gid.y (the second dimension of the dispatch grid), so every row of the grid searches the first row's nonces again
// A copy of minimal.wgsl with one bug seen in real miners; `hashwatt verify --kernel` must fail it on the grid-rows check.

// The uniform block the host writes (224 bytes). A kernel may declare any
// prefix of it; this one stops before the precomputed terms it does not use.
struct SearchParams {
    // SHA-256 state after the header's first 64 bytes.
    midstate: array<vec4<u32>, 2>,
    // Message words 0..2 of the header's second block (bytes 64..76 read
    // big-endian: the merkle root's last 4 bytes, time, nBits). .w unused.
    tail: vec4<u32>,
    // The 256-bit target, most significant 32-bit limb first.
    target_limbs: array<vec4<u32>, 2>,
    // Search nonces nonce_base .. nonce_base + nonce_count - 1.
    nonce_base: u32,
    nonce_count: u32,
    // Room in hits.nonces.
    hit_capacity: u32,
    // Invocations in one row of the dispatch grid.
    row_stride: u32,
}

struct HitList {
    // Counts every hit, also those past the room: the host then knows to
    // search again with a larger buffer.
    count: atomic<u32>,
    nonces: array<u32>,
}

@group(0) @binding(0) var<uniform> params: SearchParams;
@group(0) @binding(1) var<storage, read_write> hits: HitList;

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

const IV = array<u32, 8>(
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
);

fn rotr(x: u32, n: u32) -> u32 {
    return (x >> n) | (x << (32u - n));
}

fn swap_bytes(x: u32) -> u32 {
    return (x << 24u) | ((x << 8u) & 0x00ff0000u) | ((x >> 8u) & 0x0000ff00u) | (x >> 24u);
}

// One SHA-256 compression of a 16-word block, straight from FIPS 180-4.
fn compress(state: array<u32, 8>, block: array<u32, 16>) -> array<u32, 8> {
    var w: array<u32, 64>;
    for (var i = 0u; i < 16u; i++) {
        w[i] = block[i];
    }
    for (var i = 16u; i < 64u; i++) {
        let s0 = rotr(w[i - 15u], 7u) ^ rotr(w[i - 15u], 18u) ^ (w[i - 15u] >> 3u);
        let s1 = rotr(w[i - 2u], 17u) ^ rotr(w[i - 2u], 19u) ^ (w[i - 2u] >> 10u);
        w[i] = w[i - 16u] + s0 + w[i - 7u] + s1;
    }
    var s = state;
    for (var i = 0u; i < 64u; i++) {
        let big1 = rotr(s[4], 6u) ^ rotr(s[4], 11u) ^ rotr(s[4], 25u);
        let ch = (s[4] & s[5]) ^ (~s[4] & s[6]);
        let t1 = s[7] + big1 + ch + K[i] + w[i];
        let big0 = rotr(s[0], 2u) ^ rotr(s[0], 13u) ^ rotr(s[0], 22u);
        let maj = (s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]);
        s = array<u32, 8>(t1 + big0 + maj, s[0], s[1], s[2], s[3] + t1, s[4], s[5], s[6]);
    }
    for (var i = 0u; i < 8u; i++) {
        s[i] += state[i];
    }
    return s;
}

// Appends a hit; past the room the counter still counts.
fn record_hit(nonce: u32) {
    let slot = atomicAdd(&hits.count, 1u);
    if (slot < params.hit_capacity) {
        hits.nonces[slot] = nonce;
    }
}

@compute @workgroup_size(64)
fn search(@builtin(global_invocation_id) gid: vec3<u32>) {
    let index = gid.x;
    if (index >= params.nonce_count) {
        return;
    }
    let nonce = params.nonce_base + index;

    // First hash: the header's second block. The nonce is stored
    // little-endian in the header, and a SHA-256 word reads 4 bytes
    // big-endian, so the word is the nonce byte-swapped. Then padding: a 1
    // bit, zeros, and the message length, 80 bytes = 640 bits.
    let block = array<u32, 16>(
        params.tail.x, params.tail.y, params.tail.z, swap_bytes(nonce),
        0x80000000u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 640u,
    );
    let m0 = params.midstate[0];
    let m1 = params.midstate[1];
    let midstate = array<u32, 8>(m0.x, m0.y, m0.z, m0.w, m1.x, m1.y, m1.z, m1.w);
    let first = compress(midstate, block);

    // Second hash: the 32-byte first digest, padded (length 256 bits).
    let block2 = array<u32, 16>(
        first[0], first[1], first[2], first[3], first[4], first[5], first[6], first[7],
        0x80000000u, 0u, 0u, 0u, 0u, 0u, 0u, 256u,
    );
    let digest = compress(IV, block2);

    // The block hash is the digest's 32 bytes read as a little-endian
    // number: its most significant 32 bits are the last word byte-swapped.
    // hash <= target, decided on all 256 bits, most significant limb first.
    for (var i = 0u; i < 8u; i++) {
        let limb = swap_bytes(digest[7u - i]);
        let bound = params.target_limbs[i / 4u][i % 4u];
        if (limb != bound) {
            if (limb < bound) {
                record_hit(nonce);
            }
            return;
        }
    }
    record_hit(nonce); // equal to the target: a hit
}
