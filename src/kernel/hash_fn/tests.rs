//! The search and digest kernels written around a hash function: each
//! shape generates WGSL that naga accepts and that fits the interface;
//! signatures that fit no shape, or two, are refused with the shapes named.

use super::*;
use crate::kernel::KernelSource;

const PLAIN: &str = include_str!("../../../examples/kernels/third_party/plain_sha256.wgsl");
const MESSAGES: &str = include_str!("../../../examples/kernels/third_party/sha256_messages.wgsl");

fn spec(name: &str, shape: Option<Shape>, word_order: WordOrder) -> HashFnSpec {
    HashFnSpec {
        shape,
        word_order,
        ..HashFnSpec::new(name)
    }
}

fn load(text: &str, spec: HashFnSpec) -> Result<KernelSource> {
    let options = crate::kernel::LoadOptions {
        hash_fn: Some(spec),
        ..Default::default()
    };
    KernelSource::load_with("k", "k.wgsl", text, &options)
}

#[test]
fn the_header_shape_keeps_the_file_and_bypasses_its_entry_point() {
    let source = load(PLAIN, spec("sha256d_header", None, WordOrder::Le)).unwrap();
    assert!(source.module.starts_with(PLAIN), "the file is unchanged");
    assert_eq!(source.entry_point, "search");
    let info = source.hash_fn.as_ref().unwrap();
    assert_eq!(info.shape, "header");
    assert!(info.shape_inferred);
    assert_eq!(info.bypassed_entry_points, vec!["`main`"]);
    assert_eq!(info.bypassed_bindings.len(), 2, "{info:?}");
    assert!(info.describe().contains("bypassed"), "{}", info.describe());
    assert!(source
        .module
        .contains("header[i] = hashwatt_swap_bytes(header[i]);"));
    // The digest kernel compiles too.
    let digest = generate_digest_kernel(
        "k.wgsl",
        PLAIN,
        &spec("sha256d_header", None, WordOrder::Le),
    )
    .unwrap();
    assert!(!digest.stages);
    assert_eq!(digest.entry_point, "hashwatt_digest");
}

#[test]
fn the_compress_shape_is_read_from_an_in_place_signature() {
    let source = load(MESSAGES, spec("compress_block", None, WordOrder::Be)).unwrap();
    let info = source.hash_fn.as_ref().unwrap();
    assert_eq!(info.shape, "compress");
    assert!(source.module.contains("compress_block(&s, b);"));
    let digest = generate_digest_kernel(
        "k.wgsl",
        MESSAGES,
        &spec("compress_block", None, WordOrder::Be),
    )
    .unwrap();
    assert!(digest.stages);
}

#[test]
fn the_midstate_shape_takes_a_vec4_or_a_whole_block() {
    for (block, call) in [
        ("tail: vec4<u32>", "vec4<u32>(block[0]"),
        ("tail: array<u32, 16>", "var block = array<u32, 16>(tail[0]"),
        ("tail: array<u32, 4>", "var block = tail;"),
    ] {
        let text = format!(
            "fn sha(midstate: array<u32, 8>, {block}) -> array<u32, 8> {{ return midstate; }}\n"
        );
        let shape = block.contains("16").then_some(Shape::Midstate);
        let source = load(&text, spec("sha", shape, WordOrder::Be)).unwrap();
        assert_eq!(source.hash_fn.as_ref().unwrap().shape, "midstate");
        assert!(source.module.contains(call), "{block}: {}", source.module);
    }
}

#[test]
fn a_signature_with_two_shapes_needs_shape() {
    let text =
        "fn f(state: array<u32, 8>, block: array<u32, 16>) -> array<u32, 8> { return state; }\n";
    let error = load(text, spec("f", None, WordOrder::Be)).unwrap_err();
    assert!(
        error
            .message
            .contains("--shape midstate or --shape compress"),
        "{}",
        error.message
    );
    assert!(load(text, spec("f", Some(Shape::Compress), WordOrder::Be)).is_ok());
    let error = load(text, spec("f", Some(Shape::Header), WordOrder::Be)).unwrap_err();
    assert!(
        error.message.contains("does not have that shape"),
        "{}",
        error.message
    );
}

#[test]
fn unknown_functions_and_shapes_are_named() {
    let error = load(PLAIN, spec("nope", None, WordOrder::Le)).unwrap_err();
    assert!(
        error.message.contains("no function of that name")
            && error.message.contains("sha256d_header"),
        "{}",
        error.message
    );
    let error = load(PLAIN, spec("main", None, WordOrder::Le)).unwrap_err();
    assert!(error.message.contains("entry point"), "{}", error.message);
    let error = load(PLAIN, spec("rotr", None, WordOrder::Le)).unwrap_err();
    assert!(
        error.message.contains("no shape hashwatt knows"),
        "{}",
        error.message
    );
    let mut le = spec("compress_block", None, WordOrder::Be);
    le.digest_order = WordOrder::Le;
    let error = load(MESSAGES, le).unwrap_err();
    assert!(
        error.message.contains("--digest-order le"),
        "{}",
        error.message
    );
}

#[test]
fn a_function_that_reads_a_binding_is_refused() {
    let text = "@group(0) @binding(0) var<storage, read> input: array<u32, 20>;
fn f(h: array<u32, 20>) -> array<u32, 8> { return array<u32, 8>(input[0], h[1], 0u, 0u, 0u, 0u, 0u, 0u); }
";
    let error = load(text, spec("f", None, WordOrder::Be)).unwrap_err();
    assert!(
        error.message.contains("`input` (@group(0) @binding(0))"),
        "{}",
        error.message
    );
}

#[test]
fn names_the_file_already_uses_are_not_reused() {
    let text = "const hashwatt_IV = 1u;
override WORKGROUP_SIZE: u32 = 32u;
fn search() {}
fn f(h: array<u32, 20>) -> array<u32, 8> { search(); return array<u32, 8>(h[0], 0u, 0u, 0u, 0u, 0u, 0u, 0u); }
";
    let source = load(text, spec("f", None, WordOrder::Be)).unwrap();
    assert_eq!(source.entry_point, "hashwatt2_search");
    assert!(!source.nonces_override, "one nonce per invocation");
    assert!(source.module.contains("@workgroup_size(WORKGROUP_SIZE)"));
    assert_eq!(source.default_workgroup_size, Some(32));
    assert!(!source
        .module
        .contains("override WORKGROUP_SIZE: u32 = 64u;"));
}

#[test]
fn an_out_pointer_is_passed_and_read() {
    let text = "fn f(h: ptr<function, array<u32, 20>>, out: ptr<function, array<u32, 8>>) { (*out)[0] = (*h)[0]; }\n";
    let source = load(text, spec("f", None, WordOrder::Be)).unwrap();
    assert!(
        source.module.contains("f(&header, &digest);"),
        "{}",
        source.module
    );
}

#[test]
fn the_files_nonces_per_invocation_is_honoured() {
    let text = format!("{PLAIN}\noverride NONCES_PER_INVOCATION: u32 = 4u;\n");
    let source = load(&text, spec("sha256d_header", None, WordOrder::Le)).unwrap();
    assert!(source.nonces_override);
    assert_eq!(source.default_nonces_per_invocation, Some(4));
    assert!(source
        .module
        .contains("for (var k = 0u; k < NONCES_PER_INVOCATION; k++) {"));
}
