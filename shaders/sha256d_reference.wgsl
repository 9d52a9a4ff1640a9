// The reference search kernel: plain, one nonce per invocation, the rolled
// compression from sha256.wgsl, every 256-bit comparison done in full. It is
// the yardstick the fast kernel (sha256d.wgsl) is measured against and a
// second opinion it is tested against. It implements
// docs/kernel-interface.md and is loaded the way a user's kernel is.
//
// hashwatt:include sha256.wgsl
// hashwatt:include search_io.wgsl

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn search(@builtin(global_invocation_id) gid: vec3<u32>) {
    let index = gid.x + gid.y * params.row_stride;
    if (index >= params.nonce_count) {
        return;
    }
    let nonce = params.nonce_base + index;
    if (full_check(nonce)) {
        record_hit(nonce);
    }
}
