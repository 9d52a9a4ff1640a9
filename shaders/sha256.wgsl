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

// K again, as a module-scope variable, for indexing with a run-time index.
// naga's SPIR-V writer copies a `const` array into a fresh function variable
// at every run-time index (all 64 words, each round), and lavapipe runs
// those copies; a `var<private>` is indexed in place, and Mesa turns it back
// into constant data (README, "Why SPIR-V was slower").
var<private> K_TABLE: array<u32, 64> = K;

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

// Maj(a, b, c) = (a & b) ^ (a & c) ^ (b & c): b where a and b agree, else
// c. In the unrolled rounds (b, c) is the previous round's (a, b), so the
// compiler computes each a ^ b once and reuses it as the next round's
// b ^ c, and AMD's compiler (ACO) folds the last xor into the add that
// follows. docs/isa-floor.md: 114 fewer vector instructions per nonce on
// GCN5, 3 on RDNA3, and fewer x86 instructions on lavapipe and llvmpipe.
fn maj(a: u32, b: u32, c: u32) -> u32 {
    return b ^ ((a ^ b) & (b ^ c));
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
        let t1 = h + big_sigma1(e) + ch(e, f, g) + K_TABLE[i] + wi;
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
