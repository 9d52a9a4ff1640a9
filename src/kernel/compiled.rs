//! The WGSL a kernel compiles to: the module as written, with the loader's
//! rewrites applied in order and each checked again against naga and the
//! interface (docs/kernel-interface.md, "Speed").

use naga::valid::{Capabilities, ValidationFlags, Validator};

use super::interface;
use super::rewrite::{self, RewriteReport};
use super::rewrite_locals;

/// The WGSL to compile and what was done to it: module-scope `const`s
/// indexed at run time made to go through `var<private>` copies
/// (`rewrite.rs`), then function-scope `let` arrays indexed at run time
/// (`rewrite_locals.rs`): a constant one through a `var<private>` too, any
/// other made a `var`. A rewrite that fails (it should not) leaves the
/// kernel as written: a valid kernel is never refused for it.
pub(super) fn compiled_form(
    path: &str,
    module: &str,
    parsed: &naga::Module,
    info: &naga::valid::ModuleInfo,
    entry: &str,
    as_written: bool,
) -> (String, RewriteReport) {
    let hash = rewrite::sha256_hex(module);
    let mut report = RewriteReport {
        as_written,
        wgsl_sha256_as_written: hash.clone(),
        wgsl_sha256_compiled: hash,
        ..RewriteReport::default()
    };
    if as_written {
        report.indexed_consts = rewrite::find_indexed_consts(module, parsed, info)
            .into_iter()
            .map(|c| rewrite::IndexedConst {
                name: c.name,
                ty: c.ty,
                sites: c.sites.len(),
                var: String::new(),
            })
            .collect();
        report.indexed_locals = rewrite_locals::find(module, parsed, info)
            .into_iter()
            .map(|l| l.report)
            .collect();
        return (module.to_string(), report);
    }
    // The interface is the same after a rewrite; check it again all the same.
    let checked = |text: &str| {
        let m = naga::front::wgsl::parse_str(text).ok()?;
        let i = Validator::new(ValidationFlags::all(), Capabilities::all())
            .validate(&m)
            .ok()?;
        interface::check(path, &m, &i, entry).ok()?;
        Some((m, i))
    };
    let mut text = module.to_string();
    if let Some((done, skipped)) = rewrite::rewrite(&text, parsed, info) {
        report.indexed_consts = done.consts;
        report.skipped = skipped;
        if done.module != text {
            if checked(&done.module).is_some() {
                text = done.module;
            } else {
                report.skipped = Some("the rewritten module no longer fits the interface".into());
                for c in &mut report.indexed_consts {
                    c.var.clear();
                }
            }
        }
    }
    // The lets, found again in what the const rewrite left (its spans).
    if let Some((m, i)) = checked(&text) {
        let mut locals = rewrite_locals::find(&text, &m, &i);
        if locals.iter().any(|l| l.report.kind == "let") {
            let lets = rewrite_locals::rewrite_lets(&text, &mut locals);
            if checked(&lets).is_some() {
                text = lets;
            } else {
                let vars = rewrite_locals::let_to_var(&text, &mut locals);
                if checked(&vars).is_some() {
                    text = vars;
                } else {
                    for local in &mut locals {
                        local.report.rewritten = false;
                        local.report.var.clear();
                    }
                    report.skipped = Some("the let rewrite did not validate".into());
                }
            }
        }
        report.indexed_locals = locals.into_iter().map(|l| l.report).collect();
    }
    if text != module {
        report.applied = true;
        report.wgsl_sha256_compiled = rewrite::sha256_hex(&text);
    }
    (text, report)
}
