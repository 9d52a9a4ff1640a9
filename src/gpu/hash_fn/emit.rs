//! The WGSL hashwatt writes around a user's hash function: a wrapper that
//! turns the function's shape into sha256d of a header (or one SHA-256
//! compression) in SHA-256's own word order, then either the search kernel
//! of docs/kernel-interface.md or the digest kernel of `verify --digest`.
//! Every name it declares starts with the analysis's prefix, which no name
//! in the user's file starts with.

use std::fmt::Write as _;

use super::signature::{Output, Param, Pass};
use super::{Analysis, HashFnSpec, Shape, Sizing, WordOrder, DIGEST_IN_WORDS, DIGEST_OUT_WORDS};
use crate::header::SHA256_IV;

/// The search kernel's text (to append to the file) and its entry point.
pub(super) fn search_kernel(a: &Analysis, spec: &HashFnSpec) -> (String, String) {
    let p = &a.prefix;
    let entry = if a.search_free {
        super::super::kernel_source::ENTRY_POINT.to_string()
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
        bytes = super::super::kernel_source::PARAMS_BYTES,
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

/// What both kernels share: the byte swap, the IV, and the wrapper around
/// the user's function.
fn common(out: &mut String, a: &Analysis, spec: &HashFnSpec) {
    let p = &a.prefix;
    let _ = write!(
        out,
        "
fn {p}swap_bytes(x: u32) -> u32 {{
    return (x << 24u) | ((x << 8u) & 0x00ff0000u) | ((x >> 8u) & 0x0000ff00u) | (x >> 24u);
}}

// SHA-256's initial state (FIPS 180-4).
const {p}IV = array<u32, 8>({iv});
",
        iv = SHA256_IV
            .iter()
            .map(|w| format!("0x{w:08x}u"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    wrapper(out, a, spec);
}

/// The wrapper: `{p}sha256d(...)` for the header and midstate shapes,
/// `{p}compress(state, block)` for the compress shape, in SHA-256's own word
/// order whatever the function's.
fn wrapper(out: &mut String, a: &Analysis, spec: &HashFnSpec) {
    let p = &a.prefix;
    let name = &spec.name;
    let le_in = spec.word_order == WordOrder::Le;
    let le_out = spec.digest_order == WordOrder::Le;
    let inputs = a.signature.inputs(a.shape);
    let output = a.signature.output(a.shape);
    let swap_loop = |var: &str, n: u32| {
        format!(
            "    // --word-order le: `{name}` reads each word as 4 bytes little-endian.\n    for (var i = 0u; i < {n}u; i++) {{\n        {var}[i] = {p}swap_bytes({var}[i]);\n    }}\n"
        )
    };
    match a.shape {
        Shape::Header => {
            let mut body = String::from("    var header = words;\n");
            if le_in {
                body.push_str(&swap_loop("header", 20));
            }
            body.push_str(&call(a, name, &inputs, &["header"], output, "digest"));
            body.push_str(&digest_return(p, le_out));
            let _ = write!(
                out,
                "
// sha256d of an 80-byte header through `{name}`. `words` are the header's
// 20 message words in SHA-256's order (big-endian); the result is the
// second hash's state words H0..H7.
fn {p}sha256d(words: array<u32, 20>) -> array<u32, 8> {{
{body}}}
"
            );
        }
        Shape::Midstate => {
            let n = inputs[1].len;
            let mut body = String::from("    var state = midstate;\n");
            if n == 16 {
                let _ = writeln!(
                    body,
                    "    // The header's second block: its last 16 bytes, then padding for an\n    // 80-byte message (a 1 bit, zeros, the length 640 in bits).\n    var block = {};",
                    second_block("tail[0]", "tail[1]", "tail[2]", "tail[3]")
                );
            } else {
                body.push_str("    var block = tail;\n");
            }
            if le_in {
                body.push_str(&swap_loop("block", n));
            }
            body.push_str(&call(
                a,
                name,
                &inputs,
                &["state", "block"],
                output,
                "digest",
            ));
            body.push_str(&digest_return(p, le_out));
            let _ = write!(
                out,
                "
// sha256d of a header from its midstate through `{name}`: `tail` is the
// second block's first 4 message words (header bytes 64..79, big-endian,
// the nonce last); the result is the second hash's state words H0..H7.
fn {p}sha256d(midstate: array<u32, 8>, tail: array<u32, 4>) -> array<u32, 8> {{
{body}}}
"
            );
        }
        Shape::Compress => {
            let mut body = String::from("    var s = state;\n    var b = block;\n");
            if le_in {
                body.push_str(&swap_loop("b", 16));
            }
            body.push_str(&call(a, name, &inputs, &["s", "b"], output, "next"));
            body.push_str("    return next;\n");
            let _ = write!(
                out,
                "
// One SHA-256 compression through `{name}`: state words in and out,
// `block` in SHA-256's order (big-endian).
fn {p}compress(state: array<u32, 8>, block: array<u32, 16>) -> array<u32, 8> {{
{body}}}
"
            );
        }
    }
}

/// The statements that call the function on the local variables `vars`
/// (one per input) and leave its output in `let {result}`.
fn call(
    a: &Analysis,
    name: &str,
    inputs: &[Param],
    vars: &[&str],
    output: Output,
    result: &str,
) -> String {
    let p = &a.prefix;
    let mut text = String::new();
    let mut args: Vec<String> = Vec::new();
    for (param, var) in inputs.iter().zip(vars) {
        let value = if param.vec4 {
            format!("vec4<u32>({var}[0], {var}[1], {var}[2], {var}[3])")
        } else {
            var.to_string()
        };
        match (param.pass, param.vec4) {
            (Pass::Value, _) => args.push(value),
            (Pass::Pointer, false) => args.push(format!("&{var}")),
            (Pass::Pointer, true) => {
                let _ = writeln!(text, "    var {p}{var}4 = {value};");
                args.push(format!("&{p}{var}4"));
            }
        }
    }
    match output {
        Output::Result => {
            let _ = writeln!(text, "    let {result} = {name}({});", args.join(", "));
        }
        Output::LastPointer => {
            let _ = writeln!(text, "    var {result}: array<u32, 8>;");
            args.push(format!("&{result}"));
            let _ = writeln!(text, "    {name}({});", args.join(", "));
        }
        Output::InPlace => {
            let _ = writeln!(text, "    {name}({});", args.join(", "));
            let _ = writeln!(text, "    let {result} = {};", vars[0]);
        }
    }
    text
}

/// `return digest;`, byte-swapping each word for `--digest-order le`.
fn digest_return(p: &str, le: bool) -> String {
    if le {
        format!(
            "    // --digest-order le: each digest word comes back byte-swapped.\n    var d = digest;\n    for (var i = 0u; i < 8u; i++) {{\n        d[i] = {p}swap_bytes(d[i]);\n    }}\n    return d;\n"
        )
    } else {
        "    return digest;\n".to_string()
    }
}

/// The header's second block from its last 4 message words, padded.
fn second_block(w0: &str, w1: &str, w2: &str, w3: &str) -> String {
    format!(
        "array<u32, 16>({w0}, {w1}, {w2}, {w3}, 0x80000000u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 640u)"
    )
}

/// The second hash's block: the first digest's 8 words, padded (256 bits).
fn second_hash_block(first: &str) -> String {
    let words: Vec<String> = (0..8).map(|i| format!("{first}[{i}]")).collect();
    format!(
        "array<u32, 16>({}, 0x80000000u, 0u, 0u, 0u, 0u, 0u, 0u, 256u)",
        words.join(", ")
    )
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
