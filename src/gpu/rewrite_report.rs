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
        let failed = match &self.skipped {
            Some(why) => format!("; left as written: {} ({why})", list(false)),
            None => String::new(),
        };
        if self.as_written {
            if self.indexed_consts.is_empty() {
                "compiled as written (--kernel-as-written); no const is indexed at run time".into()
            } else {
                format!(
                    "compiled as written (--kernel-as-written): {} indexed at run time, which naga's SPIR-V copies whole at each access",
                    list(false)
                )
            }
        } else if self.applied {
            format!(
                "const arrays indexed at run time now go through var<private>: {} (naga's SPIR-V copies a const at each run-time index; --kernel-as-written turns this off){failed}",
                list(true)
            )
        } else if self.skipped.is_some() {
            format!("compiled as written{failed}")
        } else {
            "compiled as written: no const is indexed at run time".into()
        }
    }
}
