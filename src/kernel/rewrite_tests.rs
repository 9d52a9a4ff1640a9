//! Unit tests of the const rewrite on small modules (`rewrite.rs`).

use super::*;

fn parse(text: &str) -> (Module, ModuleInfo) {
    let module = naga::front::wgsl::parse_str(text).expect("parses");
    let info = Validator::new(ValidationFlags::all(), Capabilities::all())
        .validate(&module)
        .expect("valid");
    (module, info)
}

fn names(text: &str) -> Vec<(String, String, usize)> {
    let (module, info) = parse(text);
    find_indexed_consts(text, &module, &info)
        .into_iter()
        .map(|c| (c.name, c.ty, c.sites.len()))
        .collect()
}

const SHAPES: &str = "
const A = array<u32, 4>(1u, 2u, 3u, 4u);
const B = array<u32, 4>(5u, 6u, 7u, 8u);
const V = vec4<u32>(1u, 2u, 3u, 4u);
const M = mat2x2<f32>(1.0, 2.0, 3.0, 4.0);
const N = array(1, 2, 3);
struct S { t: array<u32, 2>, u: u32 }
const T = S(array<u32, 2>(9u, 10u), 11u);
const I = 2u;
const G = array<array<u32, 2>, 2>(array<u32, 2>(1u, 2u), array<u32, 2>(3u, 4u));
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
fn f(i: u32) -> u32 {
let b = B;
const L = array(5u, 6u);
return A[i] + A[i + 1u] + A[3] + A[I] + B[1] + b[i] + V[i] + u32(M[i].x) + u32(N[i]) + T.t[i] + L[i] + G[1][i] + G[i][1];
}
@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
out[0] = f(g.x) + A[g.y];
}
";

#[test]
fn finds_exactly_the_consts_indexed_at_run_time() {
    // A twice in f and once in main; M (a matrix), N (abstract, made
    // i32), T.t (a member) and G (an element, then at a run-time index)
    // spill too. B only at a constant index or through a `let`; V is a
    // vector (no copy); the local L is not named by its span: not found.
    let found = names(SHAPES);
    let expected: Vec<(String, String, usize)> = [
        ("A", "array<u32, 4>", 3),
        ("G", "array<array<u32, 2>, 2>", 2),
        ("M", "mat2x2<f32>", 1),
        ("N", "array<i32, 3>", 1),
        ("T", "S", 1),
    ]
    .iter()
    .map(|(n, t, s)| (n.to_string(), t.to_string(), *s))
    .collect();
    let mut sorted = found.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "{found:?}");
}

#[test]
fn the_rewrite_validates_and_leaves_the_rest_alone() {
    let (module, info) = parse(SHAPES);
    let (done, why) = rewrite(SHAPES, &module, &info).expect("something to do");
    assert_eq!(why, None);
    assert!(done
        .module
        .contains("var<private> A_indexed: array<u32, 4> = A;"));
    assert!(done
        .module
        .contains("var<private> N_indexed: array<i32, 3> = N;"));
    assert!(done.module.contains(
        "return A_indexed[i] + A_indexed[i + 1u] + A[3] + A[I] + B[1] + b[i] + V[i] + u32(M_indexed[i].x) + u32(N_indexed[i]) + T_indexed.t[i] + L[i] + G_indexed[1][i] + G_indexed[i][1];"
    ));
    assert!(done.module.contains("f(g.x) + A_indexed[g.y]"));
    assert_eq!(names(&done.module), vec![]);
    assert!(done.consts.iter().all(|c| !c.var.is_empty()));
    // Line numbers of the file are kept: the declarations come last.
    assert!(done
        .module
        .starts_with(&SHAPES[..SHAPES.find("fn f").unwrap()]));
}

#[test]
fn a_taken_name_is_not_reused() {
    let text = SHAPES
        .replace("fn f(i: u32)", "fn f(A_indexed: u32)")
        .replace("[i", "[A_indexed");
    let (module, info) = parse(&text);
    let (done, _) = rewrite(&text, &module, &info).expect("something to do");
    assert!(done
        .module
        .contains("var<private> A_indexed2: array<u32, 4> = A;"));
    assert_eq!(names(&done.module), vec![]);
}

#[test]
fn a_rewrite_that_does_not_validate_leaves_that_const_as_written() {
    // A local const aliasing `A`: its accesses carry the span of `A` in
    // a const declaration, where a var cannot go.
    let text = SHAPES.replace(
        "let b = B;",
        "let b = B;\n    const LA = A;\n    let x = LA[i];",
    );
    let (module, info) = parse(&text);
    let (done, why) = rewrite(&text, &module, &info).expect("something to do");
    let why = why.expect("a reason");
    assert!(why.starts_with("`A`: "), "{why}");
    let a = done.consts.iter().find(|c| c.name == "A").unwrap();
    assert_eq!(a.var, "");
    assert!(!done.module.contains("A_indexed"));
    assert!(done.module.contains("u32(M_indexed[i].x)"));
    parse(&done.module);
    let report = RewriteReport {
        indexed_consts: done.consts,
        applied: true,
        skipped: Some(why),
        ..RewriteReport::default()
    };
    let line = report.describe();
    assert!(
        line.contains("`M` (mat2x2<f32>, 1 site) -> `M_indexed`"),
        "{line}"
    );
    assert!(
        line.contains("; left as written: `A` (array<u32, 4>, 4 sites) (`A`: "),
        "{line}"
    );
}

#[test]
fn a_function_const_shadowing_an_abstract_one_is_left_alone() {
    let text = SHAPES.replace("let b = B;", "let b = B;\n    const N = array(7, 8, 9);");
    let found = names(&text);
    assert!(found.iter().all(|(name, _, _)| name != "N"), "{found:?}");
    assert_eq!(const_declarations(&text, "N"), 2);
    assert_eq!(const_declarations(SHAPES, "N"), 1);
    assert_eq!(
        const_declarations("const NN = 1; const N= 2; xconst N = 3;", "N"),
        1
    );
}

#[test]
fn nothing_to_do_is_none() {
    let text = "const A = array<u32, 2>(1u, 2u);
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(1) fn main() { out[0] = A[1]; }
";
    let (module, info) = parse(text);
    assert!(rewrite(text, &module, &info).is_none());
}
