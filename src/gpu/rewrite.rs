//! Module-scope `const` arrays indexed at run time, rewritten so that every
//! back end indexes them in place.
//!
//! naga's SPIR-V writer cannot index a value (as opposed to a pointer) with
//! a run-time index: it stores the whole value into a function variable and
//! indexes that, at every evaluation (`OpStore %tmp %K` before each
//! `OpAccessChain %tmp %i`). `K[i]` in a round loop copies all 64 round
//! constants in every round, and lavapipe executes each copy; naga's GLSL
//! indexes the global `const` array in place. A `var<private>` holding the
//! same value is a pointer, which both writers index in place.
//!
//! The rewrite works on the WGSL text, guided by naga's spans, so that what
//! is compiled is still WGSL one can read, hash and reproduce: for each
//! module-scope `const` whose array (or matrix) value some function indexes
//! with a non-constant index, it declares
//! `var<private> NAME_indexed: T = NAME;` at the end of the module and
//! replaces the identifier at exactly those accesses. Everything else (the
//! `const` itself, constant-index uses, other uses) stays as written. The
//! result is parsed and validated again; if anything about it fails, the
//! kernel compiles as written and the reason is reported.

use naga::common::wgsl::TypeContext as _;
use naga::valid::{Capabilities, ModuleInfo, ValidationFlags, Validator};
use naga::{Expression, Handle, Module, TypeInner};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A `const` that some function indexes at run time.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct IndexedConst {
    /// The `const`'s name.
    pub name: String,
    /// Its WGSL type.
    #[serde(rename = "type")]
    pub ty: String,
    /// How many accesses index it with a run-time index (each one a full
    /// copy per evaluation in naga's SPIR-V).
    pub sites: usize,
    /// The `var<private>` those accesses index after the rewrite (empty
    /// when the rewrite did not happen).
    pub var: String,
}

/// What the loader did to a kernel before compiling it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct RewriteReport {
    /// The user asked for the kernel exactly as written
    /// (`--kernel-as-written`): nothing was rewritten.
    pub as_written: bool,
    /// The module-scope `const`s indexed at run time, and the
    /// `var<private>` each now goes through (when `applied`).
    pub indexed_consts: Vec<IndexedConst>,
    /// Whether the compiled WGSL differs from the file (and its includes).
    pub applied: bool,
    /// Why a rewrite that was needed did not happen, if it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// SHA-256 (hex) of the WGSL as written: the file followed by its
    /// includes.
    pub wgsl_sha256_as_written: String,
    /// SHA-256 (hex) of the WGSL compiled: equal to the one above unless
    /// `applied`.
    pub wgsl_sha256_compiled: String,
}

impl RewriteReport {
    /// One human line: what was rewritten, or why nothing was.
    pub fn describe(&self) -> String {
        let list = |with_var: bool| {
            self.indexed_consts
                .iter()
                .map(|c| {
                    let sites = if c.sites == 1 { "site" } else { "sites" };
                    if with_var {
                        format!(
                            "`{}` ({}, {} {sites}) -> `{}`",
                            c.name, c.ty, c.sites, c.var
                        )
                    } else {
                        format!("`{}` ({}, {} {sites})", c.name, c.ty, c.sites)
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.as_written {
            if self.indexed_consts.is_empty() {
                "compiled as written (--kernel-as-written); no const is indexed at run time".into()
            } else {
                format!(
                    "compiled as written (--kernel-as-written): {} indexed at run time, copied whole at each access on Vulkan",
                    list(false)
                )
            }
        } else if self.applied {
            format!(
                "const arrays indexed at run time now go through var<private>: {} (naga's SPIR-V copies a const at each run-time index; --kernel-as-written turns this off)",
                list(true)
            )
        } else if let Some(why) = &self.skipped {
            format!(
                "compiled as written: rewriting {} failed ({why})",
                list(false)
            )
        } else {
            "compiled as written: no const is indexed at run time".into()
        }
    }
}

/// The rewritten module text and what was rewritten.
pub struct Rewritten {
    pub module: String,
    pub consts: Vec<IndexedConst>,
}

/// A module-scope `const` some function indexes at run time: its name, the
/// WGSL type of the indexed value, and the source range of the identifier
/// at each such access.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub ty: String,
    pub sites: Vec<std::ops::Range<usize>>,
}

impl Candidate {
    fn report(&self, var: &str) -> IndexedConst {
        IndexedConst {
            name: self.name.clone(),
            ty: self.ty.clone(),
            sites: self.sites.len(),
            var: var.to_string(),
        }
    }
}

/// Where each module-scope `const` is indexed at run time, in the order
/// first met. `text` is the module's source, which naga's spans index.
///
/// naga's WGSL front end gives a concrete `const` as
/// `Expression::Constant`, and an abstract one (`const A = array(1, 2);`)
/// already evaluated and converted, with the identifier's span. Both are
/// found through the span, which must be exactly an identifier. A
/// function-scope `const`, a struct member of a `const` (`T.t[i]`) and an
/// array written in place (`array(1u, 2u)[i]`) come with the span of
/// their initializer: they are not found, and not rewritten.
pub fn find_indexed_consts(text: &str, module: &Module, info: &ModuleInfo) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = Vec::new();
    let ctx = module.to_ctx();
    let functions = module.functions.iter().map(|(h, f)| (f, &info[h])).chain(
        module
            .entry_points
            .iter()
            .enumerate()
            .map(|(i, e)| (&e.function, info.get_entry_point(i))),
    );
    for (function, function_info) in functions {
        let expressions = &function.expressions;
        let named = |h: Handle<Expression>| function.named_expressions.contains_key(&h);
        for (_, expression) in expressions.iter() {
            let Expression::Access { base, index } = *expression else {
                continue;
            };
            if known_index(module, expressions, index) {
                continue;
            }
            // Only values naga must spill: arrays and matrices (a vector
            // has a dynamic extract).
            let spilled = matches!(
                *function_info[base].ty.inner_with(&module.types),
                TypeInner::Array { .. } | TypeInner::Matrix { .. }
            );
            if !spilled {
                continue;
            }
            // Down the chain of accesses to the value they start from; a
            // `let` on the way holds a value of its own, which this rewrite
            // cannot turn into a pointer.
            let mut root = base;
            let mut through_let = named(root);
            while let Expression::Access { base, .. } | Expression::AccessIndex { base, .. } =
                expressions[root]
            {
                root = base;
                through_let |= named(root);
            }
            if through_let || !is_constant_value(expressions, root) {
                continue;
            }
            let Some(range) = expressions.get_span(root).to_range() else {
                continue;
            };
            let Some(name) = text.get(range.clone()).filter(|t| is_identifier(t)) else {
                continue;
            };
            if let Expression::Constant(c) = expressions[root] {
                if module.constants[c].name.as_deref() != Some(name) {
                    continue;
                }
            }
            let ty = ctx.type_resolution_to_string(&function_info[root].ty);
            match found.iter_mut().find(|c| c.name == name && c.ty == ty) {
                Some(c) if c.sites.contains(&range) => {}
                Some(c) => c.sites.push(range),
                None => found.push(Candidate {
                    name: name.to_string(),
                    ty,
                    sites: vec![range],
                }),
            }
        }
    }
    found
}

/// A `const`'s value in a function: the constant itself, or what the
/// front end made of an abstract one (literals composed).
fn is_constant_value(expressions: &naga::Arena<Expression>, h: Handle<Expression>) -> bool {
    match expressions[h] {
        Expression::Constant(_) | Expression::Literal(_) | Expression::ZeroValue(_) => true,
        Expression::Compose { ref components, .. } => components
            .iter()
            .all(|&c| is_constant_value(expressions, c)),
        Expression::Splat { value, .. } => is_constant_value(expressions, value),
        _ => false,
    }
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether an index is known without running the kernel (naga then uses
/// `OpCompositeExtract`, no copy).
fn known_index(
    module: &Module,
    expressions: &naga::Arena<Expression>,
    index: Handle<Expression>,
) -> bool {
    let literal = |arena: &naga::Arena<Expression>, h: Handle<Expression>| match arena[h] {
        Expression::Literal(_) => true,
        Expression::ZeroValue(ty) => matches!(module.types[ty].inner, TypeInner::Scalar(_)),
        _ => false,
    };
    match expressions[index] {
        Expression::Constant(c) => literal(&module.global_expressions, module.constants[c].init),
        _ => literal(expressions, index),
    }
}

/// The module with the given candidates rewritten, each through its
/// `var<private>` (named in `vars`), if it parses, validates and no longer
/// indexes them at run time.
fn apply(text: &str, chosen: &[(&Candidate, String)]) -> std::result::Result<String, String> {
    let mut edits: Vec<(std::ops::Range<usize>, &str)> = Vec::new();
    let mut declarations = String::from(
        "\n// hashwatt: run-time indexed consts, indexed in place through var<private>\n// (naga's SPIR-V would copy the whole const at each access; see docs/kernel-interface.md)\n",
    );
    for (candidate, var) in chosen {
        declarations.push_str(&format!(
            "var<private> {var}: {} = {};\n",
            candidate.ty, candidate.name
        ));
        edits.extend(candidate.sites.iter().map(|r| (r.clone(), var.as_str())));
    }
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut rewritten = text.to_string();
    for (range, var) in &edits {
        rewritten.replace_range(range.clone(), var);
    }
    if !rewritten.ends_with('\n') {
        rewritten.push('\n');
    }
    rewritten.push_str(&declarations);

    let parsed = naga::front::wgsl::parse_str(&rewritten)
        .map_err(|e| format!("the rewritten module does not parse: {}", e.message()))?;
    let info = Validator::new(ValidationFlags::all(), Capabilities::all())
        .validate(&parsed)
        .map_err(|e| format!("the rewritten module is not valid: {}", e.as_inner()))?;
    let left = find_indexed_consts(&rewritten, &parsed, &info);
    if let Some(still) = left
        .iter()
        .find(|l| chosen.iter().any(|(c, _)| c.name == l.name))
    {
        return Err(format!("`{}` is still indexed at run time", still.name));
    }
    Ok(rewritten)
}

/// Rewrites every run-time-indexed `const` of a parsed, valid module to be
/// indexed through a `var<private>`. `None` when there is nothing to
/// rewrite. A `const` whose rewrite does not validate is left as written
/// (its `var` empty) and the reason given; the others are still rewritten.
pub fn rewrite(
    text: &str,
    module: &Module,
    info: &ModuleInfo,
) -> Option<(Rewritten, Option<String>)> {
    let found = find_indexed_consts(text, module, info);
    if found.is_empty() {
        return None;
    }
    // A name that appears nowhere in the text, so that no local can shadow
    // it and no other declaration can clash with it.
    let mut vars: Vec<String> = Vec::new();
    for candidate in &found {
        let mut var = format!("{}_indexed", candidate.name);
        let mut n = 2;
        while text.contains(&var) || vars.contains(&var) {
            var = format!("{}_indexed{n}", candidate.name);
            n += 1;
        }
        vars.push(var);
    }
    let all: Vec<(&Candidate, String)> = found.iter().zip(vars.iter().cloned()).collect();
    let (chosen, mut why) = match apply(text, &all) {
        Ok(_) => (all, None),
        Err(_) => {
            // One by one: keep those that work on their own.
            let mut good = Vec::new();
            let mut reasons = Vec::new();
            for pair in &all {
                match apply(text, std::slice::from_ref(pair)) {
                    Ok(_) => good.push(pair.clone()),
                    Err(e) => reasons.push(format!("`{}`: {e}", pair.0.name)),
                }
            }
            (good, Some(reasons.join("; ")))
        }
    };
    let module_text = if chosen.is_empty() {
        text.to_string()
    } else {
        match apply(text, &chosen) {
            Ok(done) => done,
            Err(e) => {
                why = Some(e);
                return Some((
                    Rewritten {
                        module: text.to_string(),
                        consts: found.iter().map(|c| c.report("")).collect(),
                    },
                    why,
                ));
            }
        }
    };
    let consts = found
        .iter()
        .map(|c| {
            let var = chosen
                .iter()
                .find(|(chosen, _)| *chosen == c)
                .map_or("", |(_, var)| var.as_str());
            c.report(var)
        })
        .collect();
    Some((
        Rewritten {
            module: module_text,
            consts,
        },
        why.filter(|w| !w.is_empty()),
    ))
}

/// SHA-256 (hex) of a text.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
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
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
fn f(i: u32) -> u32 {
    let b = B;
    const L = array(5u, 6u);
    return A[i] + A[i + 1u] + A[3] + A[I] + B[1] + b[i] + V[i] + u32(M[i].x) + u32(N[i]) + T.t[i] + L[i];
}
@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
    out[0] = f(g.x) + A[g.y];
}
";

    #[test]
    fn finds_exactly_the_consts_indexed_at_run_time() {
        // A twice in f and once in main; M (a matrix) and N (abstract,
        // made i32) spill too. B only at a constant index or through a
        // `let`; V is a vector (no copy). T.t and the local L are not
        // named by their spans: not found.
        let found = names(SHAPES);
        let expected: Vec<(String, String, usize)> = [
            ("A", "array<u32, 4>", 3),
            ("M", "mat2x2<f32>", 1),
            ("N", "array<i32, 3>", 1),
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
            "return A_indexed[i] + A_indexed[i + 1u] + A[3] + A[I] + B[1] + b[i] + V[i] + u32(M_indexed[i].x) + u32(N_indexed[i]) + T.t[i] + L[i];"
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
}
