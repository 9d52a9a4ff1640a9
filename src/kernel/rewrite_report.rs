//! What the kernel loader's const rewrite (`rewrite.rs`) did to a kernel,
//! as `verify --kernel` and `bench` report it (`kernel.rewrite`).

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

/// A function-scope value of an array or matrix type that some access
/// indexes at run time: a `let` (rewritten as a `var`) or an argument
/// (named in a warning: only its function can copy it into a `var`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct IndexedLocal {
    /// The function it is in.
    pub function: String,
    pub name: String,
    /// `let` or `argument`.
    pub kind: String,
    /// Its WGSL type.
    #[serde(rename = "type")]
    pub ty: String,
    /// Accesses with a run-time index (each a full copy in naga's SPIR-V).
    pub sites: usize,
    /// Whether the loader rewrote it: made it a `var`, or (a constant
    /// value) made its run-time accesses index a `var<private>`.
    pub rewritten: bool,
    /// That `var<private>` (empty when it was made a `var`, or left).
    #[serde(default)]
    pub var: String,
}

impl IndexedLocal {
    fn named(&self) -> String {
        let sites = if self.sites == 1 { "site" } else { "sites" };
        format!(
            "`{}` in `{}` ({}, {} {sites})",
            self.name, self.function, self.ty, self.sites
        )
    }

    /// The name and what it became.
    fn rewritten_to(&self) -> String {
        if self.var.is_empty() {
            format!("{} -> var", self.named())
        } else {
            format!("{} -> var<private> `{}`", self.named(), self.var)
        }
    }
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
    /// Function-scope `let`s and arguments of an array type indexed at run
    /// time: the `let`s made `var`s (unless as written), the arguments
    /// warned about.
    #[serde(default)]
    pub indexed_locals: Vec<IndexedLocal>,
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
        let list = |rewritten: bool| {
            self.indexed_consts
                .iter()
                .filter(|c| c.var.is_empty() != rewritten)
                .map(|c| {
                    let sites = if c.sites == 1 { "site" } else { "sites" };
                    let var = if rewritten {
                        format!(" -> `{}`", c.var)
                    } else {
                        String::new()
                    };
                    format!("`{}` ({}, {} {sites}){var}", c.name, c.ty, c.sites)
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let lets = |rewritten: bool| {
            self.indexed_locals
                .iter()
                .filter(|l| l.kind == "let" && l.rewritten == rewritten)
                .map(|l| {
                    if rewritten {
                        l.rewritten_to()
                    } else {
                        l.named()
                    }
                })
                .collect::<Vec<_>>()
        };
        let failed = match &self.skipped {
            Some(why) => format!("; left as written: {} ({why})", list(false)),
            None => String::new(),
        };
        let rewritten_lets = lets(true);
        let lets_note = if rewritten_lets.is_empty() {
            String::new()
        } else {
            format!(
                "; function-scope `let` arrays indexed at run time are rewritten: {}",
                rewritten_lets.join(", ")
            )
        };
        let consts_rewritten = self.indexed_consts.iter().any(|c| !c.var.is_empty());
        if self.as_written {
            let mut parts = Vec::new();
            if !self.indexed_consts.is_empty() {
                parts.push(format!("const {}", list(false)));
            }
            let kept = lets(false);
            if !kept.is_empty() {
                parts.push(format!("let {}", kept.join(", ")));
            }
            if parts.is_empty() {
                "compiled as written (--kernel-as-written); nothing is indexed at run time that naga's SPIR-V would copy".into()
            } else {
                format!(
                    "compiled as written (--kernel-as-written): {} indexed at run time, which naga's SPIR-V copies whole at each access",
                    parts.join("; ")
                )
            }
        } else if consts_rewritten {
            format!(
                "const arrays indexed at run time now go through var<private>: {} (naga's SPIR-V copies a const at each run-time index; --kernel-as-written turns this off){lets_note}{failed}",
                list(true)
            )
        } else if !rewritten_lets.is_empty() {
            format!(
                "function-scope `let` arrays indexed at run time are rewritten: {} (naga's SPIR-V copies a let array whole at each run-time index; --kernel-as-written turns this off){failed}",
                rewritten_lets.join(", ")
            )
        } else if self.skipped.is_some() {
            format!("compiled as written{failed}")
        } else if self.indexed_locals.is_empty() {
            "compiled as written: nothing is indexed at run time that naga's SPIR-V would copy"
                .into()
        } else {
            "compiled as written: no const or let array is indexed at run time (see the warning)"
                .into()
        }
    }

    /// Speed traps the loader cannot remove, each with its fix: arrays
    /// passed by value and indexed at run time, and `let`s it left.
    pub fn warnings(&self) -> Vec<String> {
        self.indexed_locals
            .iter()
            .filter(|l| !(l.rewritten || self.as_written && l.kind == "let"))
            .map(|l| match l.kind.as_str() {
                "argument" => format!(
                    "argument {} is indexed at run time: naga's SPIR-V copies the whole array at each such access; copy it into a var first (`var {n}_v = {n};`) and index that",
                    l.named(),
                    n = l.name
                ),
                _ => format!(
                    "let {} is indexed at run time: naga's SPIR-V copies the whole array at each such access; declare it with `var` instead",
                    l.named()
                ),
            })
            .collect()
    }
}
