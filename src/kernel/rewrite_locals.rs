//! Function-scope values indexed at run time: the same speed trap as a
//! `const` (`rewrite.rs`), in a function. naga's SPIR-V writer stores the
//! whole value into a temporary before each access with a run-time index,
//! so `let k = array<u32, 64>(...)` indexed as `k[i]` in a round loop
//! copies 64 words every round, and so does an array argument `block[i]`.
//!
//! A `let` whose value is a constant (literals, as round constants are)
//! gets what a `const` gets: a `var<private> NAME_indexed` at the end of
//! the module holding the same value, which those accesses index in place
//! (and Mesa turns into constant data, as it does for hashwatt's own
//! `K_TABLE`); the `let` itself stays. Any other `let` becomes a `var`: the
//! same value, now a variable that both writers index in place. An
//! argument cannot be made a variable from outside its function, so it is
//! named in a warning with the fix: copy it into a `var` first and index
//! that.

use naga::common::wgsl::TypeContext as _;
use naga::valid::ModuleInfo;
use naga::{Expression, Module, TypeInner};

use super::rewrite_report::IndexedLocal;

/// A function-scope value some access indexes at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalCandidate {
    pub report: IndexedLocal,
    /// For a `let`: where its keyword is in the text (None: not found, so
    /// it is not made a `var`).
    pub keyword: Option<std::ops::Range<usize>>,
    /// For a `let` with a constant value: the text of its initializer, to
    /// hold in a `var<private>` (None: made a `var` instead).
    pub init: Option<std::ops::Range<usize>>,
    /// Where the name stands at each access with a run-time index.
    pub sites: Vec<std::ops::Range<usize>>,
}

/// Every `let` and argument of an array or matrix type that some access
/// indexes at run time, in the order first met.
pub fn find(text: &str, module: &Module, info: &ModuleInfo) -> Vec<LocalCandidate> {
    let ctx = module.to_ctx();
    let mut found: Vec<LocalCandidate> = Vec::new();
    let functions = module.functions.iter().map(|(h, f)| (f, &info[h])).chain(
        module
            .entry_points
            .iter()
            .enumerate()
            .map(|(i, e)| (&e.function, info.get_entry_point(i))),
    );
    for (function, function_info) in functions {
        let expressions = &function.expressions;
        let function_name = function.name.as_deref().unwrap_or("?");
        for (access, expression) in expressions.iter() {
            let Expression::Access { base, index } = *expression else {
                continue;
            };
            if super::rewrite::known_index(module, expressions, index) {
                continue;
            }
            let spilled = matches!(
                *function_info[base].ty.inner_with(&module.types),
                TypeInner::Array { .. } | TypeInner::Matrix { .. }
            );
            if !spilled {
                continue;
            }
            // Down the chain of accesses to the first value that has a
            // name: a `let`, or an argument.
            let mut root = base;
            let named = loop {
                // naga names an argument's expression too: an argument first.
                let argument = matches!(expressions[root], Expression::FunctionArgument(_));
                if let (Some(name), false) = (function.named_expressions.get(&root), argument) {
                    break Some((root, name.clone(), "let"));
                }
                match expressions[root] {
                    Expression::Access { base, .. } | Expression::AccessIndex { base, .. } => {
                        root = base;
                    }
                    Expression::FunctionArgument(i) => {
                        let name = function.arguments[i as usize]
                            .name
                            .clone()
                            .unwrap_or_else(|| format!("argument {i}"));
                        break Some((root, name, "argument"));
                    }
                    _ => break None,
                }
            };
            let Some((root, name, kind)) = named else {
                continue;
            };
            let ty = ctx.type_resolution_to_string(&function_info[root].ty);
            let same = |c: &&mut LocalCandidate| {
                c.report.function == function_name && c.report.name == name && c.report.kind == kind
            };
            // The name at this access: its span starts with it.
            let site = expressions
                .get_span(access)
                .to_range()
                .filter(|r| {
                    text.get(r.clone()).and_then(super::rewrite::leading_name)
                        == Some(name.as_str())
                })
                .map(|r| r.start..r.start + name.len());
            match found.iter_mut().find(same) {
                Some(c) => {
                    c.report.sites += 1;
                    c.sites.extend(site);
                }
                None => {
                    // A constant value, written out: its text can go to
                    // module scope.
                    let init = (kind == "let"
                        && super::rewrite::is_constant_value(expressions, root))
                    .then(|| expressions.get_span(root).to_range())
                    .flatten()
                    .filter(|r| {
                        text.get(r.clone()).is_some_and(|t| {
                            t.trim_end().ends_with(')')
                                && t.starts_with(|c: char| c.is_ascii_alphabetic())
                        })
                    });
                    let keyword = if kind == "let" {
                        expressions
                            .get_span(root)
                            .to_range()
                            .and_then(|r| let_keyword(text, r.start, &name))
                            .or_else(|| only_let_named(text, &name))
                    } else {
                        None
                    };
                    found.push(LocalCandidate {
                        report: IndexedLocal {
                            function: function_name.to_string(),
                            name,
                            kind: kind.to_string(),
                            ty,
                            sites: 1,
                            rewritten: false,
                            var: String::new(),
                        },
                        keyword,
                        init,
                        sites: site.into_iter().collect(),
                    });
                }
            }
        }
    }
    found
}

/// The `let` keyword of `let NAME [: T] = ` that ends where the
/// initializer starts.
fn let_keyword(text: &str, init_start: usize, name: &str) -> Option<std::ops::Range<usize>> {
    let before = text.get(..init_start)?.trim_end();
    let before = before.strip_suffix('=')?.trim_end();
    // An optional type annotation: `: array<u32, 64>` (no `=` or `;` in it).
    let before = match before.rfind(':') {
        Some(colon) if !before[colon..].contains([';', '=', '{', '}']) => {
            let head = before[..colon].trim_end();
            if head.ends_with(name) {
                head
            } else {
                before
            }
        }
        _ => before,
    };
    let before = before.strip_suffix(name)?;
    let word_end = before.len();
    let trimmed = before.trim_end();
    if trimmed.len() == word_end {
        return None;
    }
    let keyword = trimmed.strip_suffix("let")?;
    let start = keyword.len();
    let boundary = keyword
        .chars()
        .next_back()
        .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
    boundary.then_some(start..start + 3)
}

/// The `let` keyword of the one `let NAME =` or `let NAME:` in the whole
/// text, when there is exactly one (a value whose span naga does not give,
/// such as a load of a variable).
fn only_let_named(text: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut found = None;
    let mut count = 0;
    for (at, _) in text.match_indices("let") {
        let before_ok = !text[..at].chars().next_back().is_some_and(word);
        let after = &text[at + 3..];
        let trimmed = after.trim_start();
        if before_ok
            && trimmed.len() < after.len()
            && trimmed.starts_with(name)
            && trimmed[name.len()..].trim_start().starts_with([':', '='])
        {
            count += 1;
            found = Some(at..at + 3);
        }
    }
    (count == 1).then_some(found).flatten()
}

/// The text with each found `let` made a `var` (same length: spans and
/// line numbers stay), and the candidates marked rewritten.
pub fn let_to_var(text: &str, candidates: &mut [LocalCandidate]) -> String {
    let mut bytes = text.to_string();
    for candidate in candidates.iter_mut() {
        candidate.report.var.clear();
        candidate.report.rewritten = false;
        if let Some(range) = &candidate.keyword {
            bytes.replace_range(range.clone(), "var");
            candidate.report.rewritten = true;
        }
    }
    bytes
}

/// The text with each `let` of a constant value indexed through a
/// `var<private>` at the end of the module (where every access site was
/// found), and each other found `let` made a `var`; the candidates marked.
pub fn rewrite_lets(text: &str, candidates: &mut [LocalCandidate]) -> String {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut declarations = String::new();
    let mut taken: Vec<String> = Vec::new();
    for candidate in candidates.iter_mut() {
        candidate.report.var.clear();
        candidate.report.rewritten = false;
        let hoist = candidate
            .init
            .clone()
            .filter(|_| candidate.sites.len() == candidate.report.sites);
        if let Some(init) = hoist {
            let base = format!("{}_indexed", candidate.report.name);
            let mut var = base.clone();
            let mut n = 2;
            while text.contains(&var) || taken.contains(&var) {
                var = format!("{base}{n}");
                n += 1;
            }
            declarations.push_str(&format!(
                "var<private> {var}: {} = {};\n",
                candidate.report.ty, &text[init]
            ));
            edits.extend(candidate.sites.iter().map(|r| (r.clone(), var.clone())));
            candidate.report.var = var.clone();
            candidate.report.rewritten = true;
            taken.push(var);
        } else if let Some(keyword) = &candidate.keyword {
            edits.push((keyword.clone(), "var".into()));
            candidate.report.rewritten = true;
        }
    }
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut out = text.to_string();
    for (range, with) in &edits {
        out.replace_range(range.clone(), with);
    }
    if !declarations.is_empty() {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(
            "\n// hashwatt: run-time indexed let arrays of constants, indexed in place through var<private>\n// (naga's SPIR-V would copy the whole array at each access; see docs/kernel-interface.md)\n",
        );
        out.push_str(&declarations);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use naga::valid::{Capabilities, ValidationFlags, Validator};

    fn parse(text: &str) -> (Module, ModuleInfo) {
        let module = naga::front::wgsl::parse_str(text).expect("parses");
        let info = Validator::new(ValidationFlags::all(), Capabilities::all())
            .validate(&module)
            .expect("valid");
        (module, info)
    }

    const LOCALS: &str = "
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
fn f(block: array<u32, 4>, i: u32) -> u32 {
    let k = array<u32, 4>(1u, 2u, 3u, 4u);
    let typed: array<u32, 2> = array<u32, 2>(5u, 6u);
    let fixed = array<u32, 2>(7u, 8u);
    var v = array<u32, 2>(9u, 10u);
    let copy = v;
    return k[i] + k[i + 1u] + typed[i] + fixed[1] + v[i] + block[i] + block[2] + copy[i];
}
@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
    out[0] = f(array<u32, 4>(1u, 2u, 3u, 4u), g.x);
}
";

    #[test]
    fn lets_and_arguments_indexed_at_run_time_are_found() {
        let (module, info) = parse(LOCALS);
        let found: Vec<(String, String, usize, bool)> = find(LOCALS, &module, &info)
            .into_iter()
            .map(|c| {
                (
                    c.report.name,
                    c.report.kind,
                    c.report.sites,
                    c.keyword.is_some(),
                )
            })
            .collect();
        let expect = |n: &str, k: &str, s, kw| (n.to_string(), k.to_string(), s, kw);
        // `fixed` only at a constant index, `v` is a var: neither.
        assert_eq!(
            found,
            vec![
                expect("k", "let", 2, true),
                expect("typed", "let", 1, true),
                expect("block", "argument", 1, false),
                expect("copy", "let", 1, true),
            ]
        );
    }

    #[test]
    fn constant_lets_go_through_a_private_var_and_others_become_vars() {
        let (module, info) = parse(LOCALS);
        let mut found = find(LOCALS, &module, &info);
        let text = rewrite_lets(LOCALS, &mut found);
        assert!(
            text.contains("var<private> k_indexed: array<u32, 4> = array<u32, 4>(1u, 2u, 3u, 4u);"),
            "{text}"
        );
        assert!(
            text.contains("return k_indexed[i] + k_indexed[i + 1u] + typed_indexed[i] + fixed[1]"),
            "{text}"
        );
        assert!(text.contains("let k = array<u32, 4>"), "the let stays");
        assert!(text.contains("var copy = v;"), "not a constant: a var");
        let (module, info) = parse(&text);
        let left: Vec<String> = find(&text, &module, &info)
            .into_iter()
            .map(|c| c.report.name)
            .collect();
        assert_eq!(left, vec!["block"]);
    }

    #[test]
    fn lets_become_vars_and_the_module_still_validates() {
        let (module, info) = parse(LOCALS);
        let mut found = find(LOCALS, &module, &info);
        let text = let_to_var(LOCALS, &mut found);
        assert_eq!(text.len(), LOCALS.len());
        assert!(text.contains("var k = array<u32, 4>"));
        assert!(text.contains("var typed: array<u32, 2> ="));
        assert!(text.contains("let fixed"));
        assert!(text.contains("var copy = v;"));
        let (module, info) = parse(&text);
        let left: Vec<String> = find(&text, &module, &info)
            .into_iter()
            .map(|c| c.report.name)
            .collect();
        assert_eq!(left, vec!["block"]);
    }
}
