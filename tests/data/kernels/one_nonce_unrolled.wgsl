// A user's kernel (tests/kernel_isa.rs): one nonce per invocation, no
// loop on the nonce's path. It takes the fast kernel's unrolled double
// SHA-256 from hashwatt's includes and rechecks a tie with the exact
// 256-bit test, inline, where the fast kernel defers ties to after its
// nonce loop.
//
// hashwatt:include sha256.wgsl
// hashwatt:include search_io.wgsl
// hashwatt:include sha256d_unrolled.wgsl

@compute @workgroup_size(64)
fn search(@builtin(global_invocation_id) gid: vec3<u32>) {
    let index = gid.x + gid.y * params.row_stride;
    if (index >= params.nonce_count) {
        return;
    }
    let nonce = params.nonce_base + index;
    let top = swap_bytes(sha256d_last_word(swap_bytes(nonce)));
    let top_limb = params.target_limbs[0].x;
    if (top < top_limb) {
        record_hit(nonce);
    } else if (top == top_limb && full_check(nonce)) {
        record_hit(nonce);
    }
}
