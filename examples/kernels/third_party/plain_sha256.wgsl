// plain_sha256.wgsl: a Bitcoin header hasher written the way many WGSL
// miners in the wild are, for the worked example in docs/kernel-interface.md
// ("Bringing an existing shader"). It is not written to hashwatt's kernel
// interface, and hashwatt checks it without a line changed:
//
//   hashwatt verify --kernel examples/kernels/third_party/plain_sha256.wgsl \
//       --hash-fn sha256d_header --word-order le --digest
//   hashwatt verify --kernel examples/kernels/third_party/plain_sha256.wgsl \
//       --hash-fn sha256d_header --word-order le
//
// Its habits, each common: the 80-byte header comes in as a byte buffer
// viewed as u32 words, so every word is little-endian and is swapped on
// load; the whole header is hashed from the initial state (no midstate);
// the loops are rolled; and its own entry point stops at the first nonce
// it finds and writes "the nonce, or 0".

struct Job {
    // The 80 header bytes as 20 little-endian words (word 19 is the nonce).
    header: array<u32, 20>,
    first_nonce: u32,
    // A hit needs this many zero bytes at the end of the digest.
    zero_bytes: u32,
}

@group(0) @binding(0) var<storage, read> job: Job;
// [0]: 1 once a nonce is found; [1]: that nonce, or 0.
@group(0) @binding(1) var<storage, read_write> result: array<atomic<u32>, 2>;

const K: array<u32, 64> = array<u32, 64>(
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
);

const H0: array<u32, 8> = array<u32, 8>(
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
);

fn rotr(x: u32, n: u32) -> u32 {
    return (x >> n) | (x << (32u - n));
}

fn bswap(x: u32) -> u32 {
    return ((x & 0xffu) << 24u) | ((x & 0xff00u) << 8u) | ((x >> 8u) & 0xff00u) | (x >> 24u);
}

// One 64-byte block into the state.
fn transform(state: ptr<function, array<u32, 8>>, block: ptr<function, array<u32, 16>>) {
    var w: array<u32, 64>;
    for (var i = 0u; i < 16u; i = i + 1u) {
        w[i] = (*block)[i];
    }
    for (var i = 16u; i < 64u; i = i + 1u) {
        let s0 = rotr(w[i - 15u], 7u) ^ rotr(w[i - 15u], 18u) ^ (w[i - 15u] >> 3u);
        let s1 = rotr(w[i - 2u], 17u) ^ rotr(w[i - 2u], 19u) ^ (w[i - 2u] >> 10u);
        w[i] = w[i - 16u] + s0 + w[i - 7u] + s1;
    }
    var a = (*state)[0];
    var b = (*state)[1];
    var c = (*state)[2];
    var d = (*state)[3];
    var e = (*state)[4];
    var f = (*state)[5];
    var g = (*state)[6];
    var h = (*state)[7];
    for (var i = 0u; i < 64u; i = i + 1u) {
        let S1 = rotr(e, 6u) ^ rotr(e, 11u) ^ rotr(e, 25u);
        let ch = (e & f) ^ (~e & g);
        let temp1 = h + S1 + ch + K[i] + w[i];
        let S0 = rotr(a, 2u) ^ rotr(a, 13u) ^ rotr(a, 22u);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let temp2 = S0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + temp1;
        d = c;
        c = b;
        b = a;
        a = temp1 + temp2;
    }
    (*state)[0] += a;
    (*state)[1] += b;
    (*state)[2] += c;
    (*state)[3] += d;
    (*state)[4] += e;
    (*state)[5] += f;
    (*state)[6] += g;
    (*state)[7] += h;
}

// Double SHA-256 of an 80-byte header given as 20 little-endian words.
// Returns the digest as SHA-256 state words.
fn sha256d_header(header: array<u32, 20>) -> array<u32, 8> {
    var state = H0;
    var block: array<u32, 16>;
    // First block: header bytes 0..63.
    for (var i = 0u; i < 16u; i = i + 1u) {
        block[i] = bswap(header[i]);
    }
    transform(&state, &block);
    // Second block: header bytes 64..79, then the padding of 80 bytes.
    for (var i = 0u; i < 4u; i = i + 1u) {
        block[i] = bswap(header[16u + i]);
    }
    block[4] = 0x80000000u;
    for (var i = 5u; i < 15u; i = i + 1u) {
        block[i] = 0u;
    }
    block[15] = 640u;
    transform(&state, &block);
    // Second hash: the 32-byte digest, padded.
    var second = H0;
    for (var i = 0u; i < 8u; i = i + 1u) {
        block[i] = state[i];
    }
    block[8] = 0x80000000u;
    for (var i = 9u; i < 15u; i = i + 1u) {
        block[i] = 0u;
    }
    block[15] = 256u;
    transform(&second, &block);
    return second;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if (atomicLoad(&result[0]) != 0u) {
        return;
    }
    let nonce = job.first_nonce + id.x;
    var header = job.header;
    header[19] = nonce;
    let digest = sha256d_header(header);
    // The last bytes of the digest are the hash's most significant ones.
    var zeros = 0u;
    for (var i = 0u; i < job.zero_bytes; i = i + 1u) {
        let word = digest[7u - i / 4u];
        let byte = (word >> (8u * (i % 4u))) & 0xffu;
        if (byte == 0u) {
            zeros = zeros + 1u;
        }
    }
    if (zeros == job.zero_bytes) {
        atomicStore(&result[0], 1u);
        atomicStore(&result[1], nonce);
    }
}
