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

pub use super::rewrite_report::{IndexedConst, IndexedLocal, RewriteReport};

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
/// found through the span, which must be exactly an identifier. A member
/// or element the front end has already taken out of a `const` (`T.t[i]`,
/// `G[1][i]`) comes with the span of its initializer; it is found through
/// the access's own span, which starts with the const's name. A
/// function-scope `const` and an array written in place
/// (`array(1u, 2u)[i]`) are not found, and not rewritten.
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
        for (handle, expression) in expressions.iter() {
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
            let root_name = expressions
                .get_span(root)
                .to_range()
                .and_then(|r| Some((r.clone(), text.get(r)?)))
                .filter(|(_, t)| is_identifier(t));
            let (range, name, ty) = match (root_name, &expressions[root]) {
                (Some((range, name)), &Expression::Constant(c)) => {
                    if module.constants[c].name.as_deref() != Some(name) {
                        continue;
                    }
                    (
                        range,
                        name,
                        ctx.type_resolution_to_string(&function_info[root].ty),
                    )
                }
                // Already evaluated: an abstract module-scope `const`, or a
                // function-scope one, which may shadow a module-scope const
                // of the same name. Only a name declared `const` once in the
                // whole text is taken (a var at module scope could not name
                // a function's own const: that rewrite would not validate).
                (Some((range, name)), _) => {
                    if const_declarations(text, name) != 1 {
                        continue;
                    }
                    (
                        range,
                        name,
                        ctx.type_resolution_to_string(&function_info[root].ty),
                    )
                }
                // A member or element the front end has already taken out
                // of a `const` (`T.t[i]`, `G[1][i]`), with the span of its
                // initializer: the access's own span starts with the
                // const's name.
                (None, _) => {
                    let Some(access) = expressions.get_span(handle).to_range() else {
                        continue;
                    };
                    let Some(name) = leading_name(&text[access.clone()]) else {
                        continue;
                    };
                    let Some((_, constant)) = module
                        .constants
                        .iter()
                        .find(|(_, c)| c.name.as_deref() == Some(name))
                    else {
                        continue;
                    };
                    if const_declarations(text, name) != 1 {
                        continue;
                    }
                    let start = access.start;
                    (
                        start..start + name.len(),
                        name,
                        ctx.type_to_string(constant.ty),
                    )
                }
            };
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
pub(super) fn is_constant_value(
    expressions: &naga::Arena<Expression>,
    h: Handle<Expression>,
) -> bool {
    match expressions[h] {
        Expression::Constant(_) | Expression::Literal(_) | Expression::ZeroValue(_) => true,
        Expression::Compose { ref components, .. } => components
            .iter()
            .all(|&c| is_constant_value(expressions, c)),
        Expression::Splat { value, .. } => is_constant_value(expressions, value),
        _ => false,
    }
}

/// How many times `const NAME` appears in the text, as whole words.
fn const_declarations(text: &str, name: &str) -> usize {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut count = 0;
    let mut rest = text;
    while let Some(at) = rest.find("const") {
        let before_ok = !rest[..at].chars().next_back().is_some_and(word);
        let after = &rest[at + "const".len()..];
        let trimmed = after.trim_start();
        if before_ok
            && trimmed.len() < after.len()
            && trimmed.starts_with(name)
            && !trimmed[name.len()..].chars().next().is_some_and(word)
        {
            count += 1;
        }
        rest = after;
    }
    count
}

/// The identifier an access starts with, when `.` or `[` follows it.
pub(super) fn leading_name(text: &str) -> Option<&str> {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let name = &text[..end];
    let next = text[end..].trim_start().chars().next();
    (is_identifier(name) && matches!(next, Some('.' | '['))).then_some(name)
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
pub(super) fn known_index(
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
#[path = "rewrite_tests.rs"]
mod tests;
