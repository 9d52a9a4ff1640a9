//! The wrapper hashwatt writes around a user's hash function, which both
//! kernels of `emit.rs` call: it turns the function's shape, word orders
//! and way of passing arguments into sha256d of a header (or one SHA-256
//! compression) in SHA-256's own word order.

use std::fmt::Write as _;

use super::signature::{Output, Param, Pass};
use super::{Analysis, HashFnSpec, Shape, WordOrder};
use crate::chain::header::SHA256_IV;

/// What both kernels share: the byte swap, the IV, and the wrapper around
/// the user's function.
pub(super) fn common(out: &mut String, a: &Analysis, spec: &HashFnSpec) {
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
pub(super) fn second_block(w0: &str, w1: &str, w2: &str, w3: &str) -> String {
    format!(
        "array<u32, 16>({w0}, {w1}, {w2}, {w3}, 0x80000000u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 640u)"
    )
}

/// The second hash's block: the first digest's 8 words, padded (256 bits).
pub(super) fn second_hash_block(first: &str) -> String {
    let words: Vec<String> = (0..8).map(|i| format!("{first}[{i}]")).collect();
    format!(
        "array<u32, 16>({}, 0x80000000u, 0u, 0u, 0u, 0u, 0u, 0u, 256u)",
        words.join(", ")
    )
}
