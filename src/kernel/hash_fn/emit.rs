//! The WGSL hashwatt writes around a user's hash function: a wrapper that
//! turns the function's shape into sha256d of a header (or one SHA-256
//! compression) in SHA-256's own word order, then either the search kernel
//! of docs/kernel-interface.md or the digest kernel of `verify --digest`.
//! Every name it declares starts with the analysis's prefix, which no name
//! in the user's file starts with.

use std::fmt::Write as _;

use super::wrapper::{common, second_block, second_hash_block};
use super::{Analysis, HashFnSpec, Shape, Sizing, DIGEST_IN_WORDS, DIGEST_OUT_WORDS};

/// The search kernel's text (to append to the file) and its entry point.
pub(super) fn search_kernel(a: &Analysis, spec: &HashFnSpec) -> (String, String) {
    let p = &a.prefix;
    let entry = if a.search_free {
        super::super::interface::ENTRY_POINT.to_string()
    } else {
        format!("{p}search")
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "
// ==== hashwatt: the search around `{name}` (--hash-fn {name}) ====
// Everything from here on was written by hashwatt (docs/kernel-interface.md,
// \"Bringing an existing shader\"); the file above is as its author wrote it.
// The entry point `{entry}` calls `{name}` once per nonce. The file's own
// entry points and bindings stay in the module, but the search never runs
// them.

// The uniform block the host writes before every dispatch: SearchParams of
// docs/kernel-interface.md, all {bytes} bytes.
struct {p}SearchParams {{
    // SHA-256 state after the header's first 64 bytes.
    midstate: array<vec4<u32>, 2>,
    // Message words 0..2 of the header's second block (bytes 64..75,
    // big-endian); .w unused.
    tail: vec4<u32>,
    // The target, 8 limbs, most significant first.
    target_limbs: array<vec4<u32>, 2>,
    nonce_base: u32,
    nonce_count: u32,
    hit_capacity: u32,
    // Invocations in one row of the dispatch grid.
    row_stride: u32,
    // Terms of the second block the host precomputes (unused here).
    pre: array<vec4<u32>, 3>,
    // The header's 20 message words, big-endian; word 19 (the nonce) is 0.
    header_words: array<vec4<u32>, 5>,
}}

// The hit list: the counter counts every hit, also past the room, so the
// host learns the true number and searches again with more room.
struct {p}HitList {{
    count: atomic<u32>,
    nonces: array<u32>,
}}

@group(0) @binding(0) var<uniform> {p}params: {p}SearchParams;
@group(0) @binding(1) var<storage, read_write> {p}hits: {p}HitList;
",
        name = spec.name,
        bytes = super::super::interface::PARAMS_BYTES,
    );
    common(&mut out, a, spec);
    hash_of_nonce(&mut out, a);
    let _ = write!(
        out,
        "
// hash <= target on all 256 bits. The hash is the final state read as a
// little-endian number: its top limb is the last state word byte-swapped.
// Equal is a hit.
fn {p}meets_target(state: array<u32, 8>) -> bool {{
    var s = state;
    for (var i = 0u; i < 8u; i++) {{
        let limb = {p}swap_bytes(s[7u - i]);
        let bound = {p}params.target_limbs[i / 4u][i % 4u];
        if (limb != bound) {{
            return limb < bound;
        }}
    }}
    return true;
}}

// Appends a hit; past the room the counter still counts.
fn {p}record_hit(nonce: u32) {{
    let slot = atomicAdd(&{p}hits.count, 1u);
    if (slot < {p}params.hit_capacity) {{
        {p}hits.nonces[slot] = nonce;
    }}
}}
"
    );
    let workgroup = match a.workgroup {
        Sizing::Files => "WORKGROUP_SIZE".to_string(),
        Sizing::Declare => {
            out.push_str("\n// The host sets it to the workgroup size it runs.\noverride WORKGROUP_SIZE: u32 = 64u;\n");
            "WORKGROUP_SIZE".to_string()
        }
        Sizing::Literal => "64".to_string(),
    };
    let body = |index: &str, exit: &str| {
        format!(
            "        if ({index} >= {p}params.nonce_count) {{
            {exit};
        }}
        let nonce = {p}params.nonce_base + {index};
        if ({p}meets_target({p}hash(nonce))) {{
            {p}record_hit(nonce);
        }}
"
        )
    };
    match a.nonces {
        Sizing::Files => {
            let _ = write!(
                out,
                "
// Invocation i = gid.x + gid.y * row_stride owns the nonce indices
// i * NONCES_PER_INVOCATION and the next ones (the file's override, which
// the host sets); an index at or past nonce_count does nothing.
@compute @workgroup_size({workgroup})
fn {entry}(@builtin(global_invocation_id) gid: vec3<u32>) {{
    let first = (gid.x + gid.y * {p}params.row_stride) * NONCES_PER_INVOCATION;
    for (var k = 0u; k < NONCES_PER_INVOCATION; k++) {{
        let index = first + k;
{}    }}
}}
",
                body("index", "return")
            );
        }
        _ => {
            let _ = write!(
                out,
                "
// Invocation i = gid.x + gid.y * row_stride owns the nonce index i of the
// range; an index at or past nonce_count does nothing (the last workgroup
// is usually only partly in the range).
@compute @workgroup_size({workgroup})
fn {entry}(@builtin(global_invocation_id) gid: vec3<u32>) {{
    let index = gid.x + gid.y * {p}params.row_stride;
{}}}
",
                body("index", "return")
                    .lines()
                    .map(|l| l.strip_prefix("    ").unwrap_or(l))
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n"
            );
        }
    }
    (out, entry)
}

/// The digest kernel's text (to append to the file) and its entry point.
pub(super) fn digest_kernel(a: &Analysis, spec: &HashFnSpec) -> (String, String) {
    let p = &a.prefix;
    let entry = format!("{p}digest");
    let mut out = String::new();
    let _ = write!(
        out,
        "
// ==== hashwatt: the digest kernel around `{name}` (verify --digest) ====
// One call of `{name}` per invocation on a header the host gives; the host
// compares the digest with sha2's, word by word.

// {inw} words per case: the header's 20 message words (big-endian, the
// nonce in place), then its midstate (8 state words, from the host).
@group(0) @binding(0) var<storage, read> {p}cases: array<u32>;
// {outw} words per case: sha256d's state words H0..H7; for the compress
// shape then the state after the header's first block and after its second.
@group(0) @binding(1) var<storage, read_write> {p}digests: array<u32>;
",
        name = spec.name,
        inw = DIGEST_IN_WORDS,
        outw = DIGEST_OUT_WORDS,
    );
    common(&mut out, a, spec);
    let _ = write!(
        out,
        "
fn {p}store(at: u32, state: array<u32, 8>) {{
    var s = state;
    for (var j = 0u; j < 8u; j++) {{
        {p}digests[at + j] = s[j];
    }}
}}

@compute @workgroup_size({wg})
fn {entry}(@builtin(global_invocation_id) gid: vec3<u32>) {{
    let i = gid.x;
    if (i >= arrayLength(&{p}cases) / {inw}u) {{
        return;
    }}
    let o = i * {inw}u;
    var words: array<u32, 20>;
    for (var j = 0u; j < 20u; j++) {{
        words[j] = {p}cases[o + j];
    }}
    var mid: array<u32, 8>;
    for (var j = 0u; j < 8u; j++) {{
        mid[j] = {p}cases[o + 20u + j];
    }}
    let out = i * {outw}u;
",
        wg = super::DIGEST_WORKGROUP,
        inw = DIGEST_IN_WORDS,
        outw = DIGEST_OUT_WORDS,
    );
    match a.shape {
        Shape::Header => {
            let _ = writeln!(out, "    {p}store(out, {p}sha256d(words));");
        }
        Shape::Midstate => {
            let _ = writeln!(
                out,
                "    {p}store(out, {p}sha256d(mid, array<u32, 4>(words[16], words[17], words[18], words[19])));"
            );
        }
        Shape::Compress => {
            let _ = write!(
                out,
                "    // The three compressions of sha256d, each through the file's function,
    // so that the host sees where a value first differs from sha2's.
    var block1: array<u32, 16>;
    for (var j = 0u; j < 16u; j++) {{
        block1[j] = words[j];
    }}
    let s1 = {p}compress({p}IV, block1);
    let s2 = {p}compress(s1, {block2});
    let s3 = {p}compress({p}IV, {second});
    {p}store(out, s3);
    {p}store(out + 8u, s1);
    {p}store(out + 16u, s2);
",
                block2 = second_block("words[16]", "words[17]", "words[18]", "words[19]"),
                second = second_hash_block("s2"),
            );
        }
    }
    out.push_str("}\n");
    (out, entry)
}

/// `{p}hash(nonce)`: sha256d of the searched header with this nonce, as
/// state words, by the function's shape.
fn hash_of_nonce(out: &mut String, a: &Analysis) {
    let p = &a.prefix;
    let midstate = format!(
        "    let m = {p}params.midstate;\n    let midstate = array<u32, 8>(m[0].x, m[0].y, m[0].z, m[0].w, m[1].x, m[1].y, m[1].z, m[1].w);\n    let t = {p}params.tail;\n"
    );
    let body = match a.shape {
        Shape::Header => {
            let rows: Vec<String> = (0..5)
                .map(|row| {
                    let width = if row == 4 { 3 } else { 4 };
                    (0..width)
                        .map(|i| format!("h[{row}].{}", ["x", "y", "z", "w"][i]))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect();
            format!(
                "    // The header's words from the host; the nonce is stored little-endian
    // in the header, so its big-endian word is the nonce byte-swapped.
    let h = {p}params.header_words;
    return {p}sha256d(array<u32, 20>(
        {},
        {p}swap_bytes(nonce),
    ));
",
                rows.join(",\n        ")
            )
        }
        Shape::Midstate => format!(
            "{midstate}    return {p}sha256d(midstate, array<u32, 4>(t.x, t.y, t.z, {p}swap_bytes(nonce)));\n"
        ),
        Shape::Compress => format!(
            "{midstate}    // The first hash from the host's midstate: the header's second block.
    let first = {p}compress(midstate, {block});
    // The second hash: the first digest's 32 bytes, padded.
    return {p}compress({p}IV, {second});
",
            block = second_block("t.x", "t.y", "t.z", &format!("{p}swap_bytes(nonce)")),
            second = second_hash_block("first"),
        ),
    };
    let _ = write!(
        out,
        "
// sha256d of the searched header with this nonce, as state words H0..H7.
fn {p}hash(nonce: u32) -> array<u32, 8> {{
{body}}}
"
    );
}
