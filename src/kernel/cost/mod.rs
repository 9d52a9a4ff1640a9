//! Work per nonce, counted from what naga makes of a kernel: integer
//! operations by kind in the kernel's per-nonce function, every call
//! expanded, in naga's IR, in the SPIR-V naga writes for Vulkan and in the
//! GLSL it writes for OpenGL. No device needed.
//!
//! The per-nonce function is the one named (`--function`), else
//! `sha256d_last_word` where the kernel has it (hashwatt's fast kernel: the
//! double SHA-256 of one nonce), else the entry point of a kernel that
//! does one nonce per invocation. A function with a loop has no static
//! count; that is said, not estimated.

mod glsl;
mod ir;
pub mod isa;
mod spirv;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::naga_out;
use super::variants::KernelConfig;
use crate::error::{Error, Result};

pub const KERNEL_COST_SCHEMA: &str = "hashwatt.kernel-cost/1";

/// The fast kernel's per-nonce function: the double SHA-256 build.rs writes.
pub const FAST_PER_NONCE: &str = "sha256d_last_word";

/// SHA-256's Σ1 runs once in every round, so its calls count the rounds.
const ROUND_FUNCTION: &str = "big_sigma1";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Add,
    Logic,
    Shift,
    Other,
    Load,
}

/// Operations by kind in one function, calls expanded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OpCounts {
    /// Integer add and subtract.
    pub add: u64,
    /// Bitwise xor, and, or, not.
    pub logic: u64,
    /// Shifts (WGSL has no rotate: a rotation is two shifts and an or).
    pub shift: u64,
    /// Every other operation: compare, select, multiply, negate, convert,
    /// built-in functions (min, max, ...).
    pub other: u64,
    /// add + logic + shift + other.
    pub total: u64,
    /// Loads from memory (the uniform block, variables); absent for GLSL,
    /// where a load is a plain member read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loads: Option<u64>,
    /// Calls expanded, by callee, as this output names it.
    pub calls: BTreeMap<String, u64>,
    /// Whether conditional code was counted, every arm in full.
    pub conditional: bool,
}

impl OpCounts {
    fn with_loads() -> Self {
        OpCounts {
            loads: Some(0),
            ..OpCounts::default()
        }
    }

    fn add(&mut self, kind: Kind, n: u64) {
        match kind {
            Kind::Add => self.add += n,
            Kind::Logic => self.logic += n,
            Kind::Shift => self.shift += n,
            Kind::Other => self.other += n,
            Kind::Load => {
                *self.loads.get_or_insert(0) += n;
                return;
            }
        }
        self.total += n;
    }

    /// Adds a call of `callee` and everything it counted.
    fn call(&mut self, callee: &str, inner: &OpCounts) {
        *self.calls.entry(callee.to_string()).or_default() += 1;
        self.add += inner.add;
        self.logic += inner.logic;
        self.shift += inner.shift;
        self.other += inner.other;
        self.total += inner.total;
        if let Some(loads) = inner.loads {
            *self.loads.get_or_insert(0) += loads;
        }
        for (name, n) in &inner.calls {
            *self.calls.entry(name.clone()).or_default() += n;
        }
        self.conditional |= inner.conditional;
    }
}

/// One output of naga, counted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PathCost {
    /// `naga-ir`, `spirv` (what wgpu's Vulkan back end hands the driver) or
    /// `glsl` (what its GL back end hands the driver).
    pub output: String,
    /// The per-nonce function as this output names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// The counts per nonce; absent when there is no static count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_nonce: Option<OpCounts>,
    /// SHA-256 rounds per nonce: the calls of Σ1 (`big_sigma1`), which
    /// every round makes once; absent when the kernel has no such function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u64>,
    /// Why there is no count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_counted: Option<String>,
}

/// The floor in the literature, for the table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Floor {
    pub compressions_low: f64,
    pub compressions_high: f64,
    /// Rounds per nonce of phatk-style kernels, which test only H7.
    pub rounds: u64,
    pub source: String,
}

impl Floor {
    pub fn literature() -> Self {
        Floor {
            compressions_low: 1.86,
            compressions_high: 1.89,
            rounds: 121,
            source: "Courtois, Grajek and Naik, arXiv:1310.7935 (compressions); \
phatk-style kernels (121 of 128 rounds, H7 tested alone)"
                .into(),
        }
    }
}

/// `hashwatt kernel-cost --json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KernelCostReport {
    /// `hashwatt.kernel-cost/1`
    pub schema: String,
    /// `fast`, `reference`, or the path of a kernel file.
    pub kernel: String,
    /// Where its text came from.
    pub path: String,
    /// The settings its overrides were given before naga wrote each output.
    pub workgroup_size: u32,
    pub nonces_per_invocation: u32,
    /// The per-nonce function (WGSL name), when one was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// How it was found: `given` (--function), `sha256d_last_word`, or
    /// `entry-point` (one nonce per invocation); or why none was.
    pub found_by: String,
    /// naga's IR, its SPIR-V and its GLSL, in that order.
    pub outputs: Vec<PathCost>,
    /// naga's IR once every call is inlined and the operations on constants
    /// alone are folded, as a driver's compiler does (each `rotr(x, 7u)`
    /// loses its `32u - 7u`): the work left for the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folded: Option<OpCounts>,
    /// Rounds per nonce (from naga's IR) over 64: SHA-256 compressions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compressions: Option<f64>,
    pub floor: Floor,
}

impl KernelCostReport {
    /// naga's IR count, the one the others are checked against.
    pub fn ir(&self) -> &PathCost {
        &self.outputs[0]
    }
}

/// The per-nonce function of `config`'s kernel, by the rule in the module
/// documentation: (WGSL name, how it was found, whether it is the entry
/// point), or why there is none.
fn per_nonce_function(
    config: &KernelConfig,
    module: &naga::Module,
    given: Option<&str>,
) -> Result<std::result::Result<(String, &'static str, bool), String>> {
    let entry = config.entry_point();
    let has = |name: &str| {
        module
            .functions
            .iter()
            .any(|(_, f)| f.name.as_deref() == Some(name))
    };
    if let Some(name) = given {
        if name == entry {
            return Ok(Ok((name.into(), "given", true)));
        }
        if !has(name) {
            let mut names: Vec<&str> = module
                .functions
                .iter()
                .filter_map(|(_, f)| f.name.as_deref())
                .collect();
            names.push(entry);
            return Err(Error::input(format!(
                "--function {name}: {} has no such function (it has {})",
                config.variant,
                names.join(", ")
            )));
        }
        return Ok(Ok((name.into(), "given", false)));
    }
    if has(FAST_PER_NONCE) {
        return Ok(Ok((FAST_PER_NONCE.into(), FAST_PER_NONCE, false)));
    }
    if config.nonces_per_invocation == 1 && !config.variant.source().nonces_override {
        return Ok(Ok((entry.into(), "entry-point", true)));
    }
    Ok(Err(format!(
        "no per-nonce function found: the entry point `{entry}` tries \
NONCES_PER_INVOCATION nonces and no `{FAST_PER_NONCE}` exists; name one with --function"
    )))
}

/// Counts the per-nonce work of `config`'s kernel in naga's IR, SPIR-V and
/// GLSL. Errors: the kernel does not lower (bad input), `function` names
/// no function of it.
pub fn kernel_cost(config: &KernelConfig, function: Option<&str>) -> Result<KernelCostReport> {
    let (module, _) = naga_out::lowered(config)?;
    let source = config.variant.source();
    let found = per_nonce_function(config, &module, function)?;
    let folded = match &found {
        Ok((name, _, _)) => ir::named_folded(&module, name).ok(),
        Err(_) => None,
    };
    let (function, found_by, outputs) = match found {
        Err(why) => {
            let outputs = ["naga-ir", "spirv", "glsl"]
                .into_iter()
                .map(|output| PathCost {
                    output: output.into(),
                    function: None,
                    per_nonce: None,
                    rounds: None,
                    not_counted: Some(why.clone()),
                })
                .collect();
            (None, why, outputs)
        }
        Ok((name, how, entry_point)) => {
            let words = naga_out::spirv(config, false)?;
            let spirv_module = spirv::Module::parse(&words).map_err(Error::input)?;
            let glsl_module = glsl::Module::parse(&naga_out::glsl(config)?);
            let glsl_name = glsl_module.glsl_name(&name, entry_point);
            let glsl_round = glsl_module.glsl_name(ROUND_FUNCTION, false);
            let outputs = vec![
                path_cost("naga-ir", Some(name.clone()), ROUND_FUNCTION, |n| {
                    ir::named(&module, n)
                }),
                path_cost("spirv", Some(name.clone()), ROUND_FUNCTION, |n| {
                    spirv_module.named(n)
                }),
                match glsl_name {
                    Some(glsl_name) => path_cost(
                        "glsl",
                        Some(glsl_name),
                        glsl_round.as_deref().unwrap_or(ROUND_FUNCTION),
                        |n| glsl_module.named(n),
                    ),
                    None => PathCost {
                        output: "glsl".into(),
                        function: None,
                        per_nonce: None,
                        rounds: None,
                        not_counted: Some(format!("no function for `{name}` in naga's GLSL")),
                    },
                },
            ];
            (Some(name), how.to_string(), outputs)
        }
    };
    let compressions = outputs[0].rounds.map(|r| r as f64 / 64.0);
    Ok(KernelCostReport {
        schema: KERNEL_COST_SCHEMA.into(),
        kernel: config.variant.name().into(),
        path: source.path.clone(),
        workgroup_size: config.workgroup_size,
        nonces_per_invocation: config.nonces_per_invocation,
        function,
        found_by,
        outputs,
        folded,
        compressions,
        floor: Floor::literature(),
    })
}

fn path_cost(
    output: &str,
    function: Option<String>,
    round_function: &str,
    count: impl Fn(&str) -> std::result::Result<OpCounts, String>,
) -> PathCost {
    let name = function.clone().unwrap_or_default();
    match count(&name) {
        Ok(counts) => PathCost {
            output: output.into(),
            function,
            rounds: counts.calls.get(round_function).copied(),
            per_nonce: Some(counts),
            not_counted: None,
        },
        Err(why) => PathCost {
            output: output.into(),
            function,
            per_nonce: None,
            rounds: None,
            not_counted: Some(why),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_kernels_work_per_nonce_is_counted_on_every_output() {
        let report = kernel_cost(&KernelConfig::fast(), None).unwrap();
        assert_eq!(report.function.as_deref(), Some(FAST_PER_NONCE));
        for output in &report.outputs {
            assert_eq!(output.rounds, Some(120), "{output:?}");
            let counts = output.per_nonce.as_ref().expect("straight-line");
            // rotr is 2 shifts and an or, 3 per sigma: 6 shifts a round at least.
            assert!(counts.shift >= 6 * 120, "{output:?}");
        }
        assert_eq!(report.compressions, Some(1.875));
    }
}
