//! The const rewrite on real kernels: what it finds in
//! `examples/kernels/minimal.wgsl`, that hashwatt's own kernels need none,
//! and that naga's SPIR-V of the rewritten kernel no longer copies the
//! round constants before indexing them.

use super::naga_out;
use super::source::KernelSource;
use super::variants::{KernelConfig, KernelVariant};

const MINIMAL: &str = include_str!("../../examples/kernels/minimal.wgsl");

fn minimal(as_written: bool) -> KernelConfig {
    let source = KernelSource::load_as(
        "minimal",
        "examples/kernels/minimal.wgsl",
        MINIMAL,
        as_written,
    )
    .expect("minimal.wgsl loads");
    KernelConfig::for_variant(KernelVariant::User(Box::leak(Box::new(source))))
}

/// SPIR-V instructions as (opcode, operands).
fn instructions(words: &[u32]) -> Vec<(u16, &[u32])> {
    let mut out = Vec::new();
    let mut at = 5; // the header
    while at < words.len() {
        let count = (words[at] >> 16) as usize;
        assert!(count > 0, "a zero-length instruction at word {at}");
        out.push(((words[at] & 0xffff) as u16, &words[at + 1..at + count]));
        at += count;
    }
    out
}

const OP_CONSTANT_COMPOSITE: u16 = 44;
const OP_STORE: u16 = 62;

/// How many `OpStore`s store the 64-word constant composite (the round
/// constants `K`) into a variable.
fn stores_of_k(words: &[u32]) -> usize {
    let all = instructions(words);
    let k_ids: Vec<u32> = all
        .iter()
        .filter(|(op, operands)| *op == OP_CONSTANT_COMPOSITE && operands.len() == 2 + 64)
        .map(|(_, operands)| operands[1])
        .collect();
    assert!(!k_ids.is_empty(), "no 64-word constant composite");
    all.iter()
        .filter(|(op, operands)| *op == OP_STORE && k_ids.contains(&operands[1]))
        .count()
}

#[test]
fn minimal_kernel_has_k_rewritten_and_iv_left_alone() {
    let config = minimal(false);
    let report = &config.variant.source().rewrite;
    assert!(report.applied, "{report:?}");
    let found: Vec<(&str, usize)> = report
        .indexed_consts
        .iter()
        .map(|c| (c.name.as_str(), c.sites))
        .collect();
    // K[i] in the round loop; IV is only passed whole, never indexed.
    assert_eq!(found, vec![("K", 1)]);
    assert_eq!(report.indexed_consts[0].ty, "array<u32, 64>");
    assert_eq!(report.indexed_consts[0].var, "K_indexed");
    let compiled = &config.variant.source().compiled;
    assert!(compiled.contains("K_indexed[i] + w[i]"));
    assert!(compiled.contains("var<private> K_indexed: array<u32, 64> = K;"));
    assert_ne!(report.wgsl_sha256_compiled, report.wgsl_sha256_as_written);

    let as_written = minimal(true);
    let report = &as_written.variant.source().rewrite;
    assert!(report.as_written && !report.applied);
    assert_eq!(report.indexed_consts.len(), 1);
    assert_eq!(as_written.variant.source().compiled, MINIMAL);
    assert_eq!(report.wgsl_sha256_compiled, report.wgsl_sha256_as_written);
}

#[test]
fn spirv_of_the_rewritten_kernel_no_longer_copies_k() {
    for loop_bounding in [false, true] {
        let before = naga_out::spirv(&minimal(true), loop_bounding).expect("SPIR-V");
        let after = naga_out::spirv(&minimal(false), loop_bounding).expect("SPIR-V");
        assert!(
            stores_of_k(&before) >= 1,
            "as written, K is stored whole before it is indexed"
        );
        assert_eq!(stores_of_k(&after), 0, "rewritten, K is indexed in place");
    }
    // GLSL still compiles from the rewritten module.
    let glsl = naga_out::glsl(&minimal(false)).expect("GLSL");
    assert!(glsl.contains("K_indexed"), "{glsl}");
}

/// The round constants as a function-scope `let`: indexed through a
/// `var<private>`, after which naga's SPIR-V no longer stores them whole
/// before each access.
#[test]
fn a_let_array_indexed_at_run_time_becomes_a_var() {
    const LET_K: &str = include_str!("../../tests/data/kernels/let_k.wgsl");
    let load = |as_written| {
        let source = KernelSource::load_as("let_k", "let_k.wgsl", LET_K, as_written).unwrap();
        KernelConfig::for_variant(KernelVariant::User(Box::leak(Box::new(source))))
    };
    let rewritten = load(false);
    let report = &rewritten.variant.source().rewrite;
    assert!(
        report.applied && report.indexed_consts.is_empty(),
        "{report:?}"
    );
    let k = report
        .indexed_locals
        .iter()
        .find(|l| l.name == "k")
        .expect("k is found");
    assert_eq!((k.kind.as_str(), k.function.as_str()), ("let", "compress"));
    assert!(k.rewritten);
    assert_eq!(k.var, "k_indexed");
    let compiled = &rewritten.variant.source().compiled;
    assert!(compiled.contains("var<private> k_indexed: array<u32, 64> = array<u32, 64>("));
    assert!(compiled.contains("k_indexed[i] + w[i]"), "{compiled}");
    assert!(report.describe().contains("`k` in `compress`"));
    let as_written = load(true);
    let report = &as_written.variant.source().rewrite;
    let line = report.describe();
    assert!(line.contains("let `k` in `compress`"), "{line}");
    assert!(!line.contains("no const is indexed"), "{line}");
    for loop_bounding in [false, true] {
        let before = naga_out::spirv(&as_written, loop_bounding).expect("SPIR-V");
        let after = naga_out::spirv(&rewritten, loop_bounding).expect("SPIR-V");
        assert!(stores_of_k(&before) >= 1, "as written, k is stored whole");
        assert_eq!(stores_of_k(&after), 0, "a var<private>, indexed in place");
    }
}

#[test]
fn hashwatts_own_kernels_need_no_rewrite() {
    for variant in [KernelVariant::Fast, KernelVariant::Reference] {
        let source = variant.source();
        assert!(
            source.rewrite.indexed_consts.is_empty()
                && source.rewrite.indexed_locals.is_empty()
                && !source.rewrite.applied,
            "{variant}: {:?}",
            source.rewrite
        );
        assert_eq!(source.compiled, source.module);
    }
}
