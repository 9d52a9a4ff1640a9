//! `hashwatt kernel-cost --isa --json`: the `hashwatt.kernel-isa/1`
//! document. Predictions in it carry their label; no bench record or
//! result file is ever made from it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::asm::ClassCounts;
use super::predict::Prediction;

pub const KERNEL_ISA_SCHEMA: &str = "hashwatt.kernel-isa/1";

/// The whole document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KernelIsaReport {
    /// `hashwatt.kernel-isa/1`
    pub schema: String,
    /// The driver that compiled, as it names itself (`radv, Mesa 22.3.6`);
    /// absent when no family compiled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// The compiler: ACO, RADV's shader compiler.
    pub compiler: String,
    /// How the SPIR-V was written: naga's options as wgpu-hal 30 sets them.
    pub spirv: String,
    /// How instructions per nonce are counted (docs/isa.md).
    pub method: String,
    /// The model behind every prediction (docs/isa.md, "Predictions").
    pub prediction_model: String,
    /// One entry per `--kernel`, in order.
    pub kernels: Vec<KernelIsa>,
}

/// One kernel on every family asked for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KernelIsa {
    /// `fast`, `reference`, or the path of a kernel file.
    pub kernel: String,
    /// Where its text came from.
    pub path: String,
    /// The overrides it was compiled with.
    pub workgroup_size: u32,
    pub nonces_per_invocation: u32,
    pub families: Vec<FamilyIsa>,
}

/// Instructions by class. `vector` is valu + vmem + lds; `scalar` is
/// salu + smem + flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    /// Vector ALU (`v_*`): the work of every lane.
    pub valu: u64,
    /// Scalar ALU (`s_*` arithmetic, moves, compares).
    pub salu: u64,
    /// Scalar memory (`s_load_*`, `s_buffer_load_*`).
    pub smem: u64,
    /// Vector memory (`buffer_*`, `global_*`, ...).
    pub vmem: u64,
    /// Local data share (`ds_*`).
    pub lds: u64,
    /// Branches, waits, clauses, `s_endpgm`.
    pub flow: u64,
    pub vector: u64,
    pub scalar: u64,
    pub total: u64,
}

impl From<ClassCounts> for Counts {
    fn from(c: ClassCounts) -> Self {
        Counts {
            valu: c.valu,
            salu: c.salu,
            smem: c.smem,
            vmem: c.vmem,
            lds: c.lds,
            flow: c.flow,
            vector: c.valu + c.vmem + c.lds,
            scalar: c.salu + c.smem + c.flow,
            total: c.total(),
        }
    }
}

/// `VK_KHR_pipeline_executable_properties` statistics, as RADV names them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AcoStats {
    /// "VGPRs" and "SGPRs" allocated per subgroup.
    pub vgprs: Option<u64>,
    pub sgprs: Option<u64>,
    /// "Spilled VGPRs", "Spilled SGPRs".
    pub spilled_vgprs: Option<u64>,
    pub spilled_sgprs: Option<u64>,
    /// "Scratch size": private memory per subgroup, bytes.
    pub scratch_bytes: Option<u64>,
    /// "Subgroups per SIMD": the occupancy the registers allow.
    pub subgroups_per_simd: Option<u64>,
    /// "Code size", bytes.
    pub code_bytes: Option<u64>,
    /// "Instructions" in the whole shader (static).
    pub instructions: Option<u64>,
    /// "Copies" and "Branches" ACO made.
    pub copies: Option<u64>,
    pub branches: Option<u64>,
    /// ACO's "Latency" estimate: issue plus stall cycles of one wave
    /// through the shader's code, each block once (ACO's, not measured).
    pub aco_latency_cycles: Option<u64>,
    /// ACO's "Inverse Throughput" estimate: busy cycles of one wave
    /// (ACO's, not measured).
    pub aco_inverse_throughput_cycles: Option<u64>,
}

/// The instructions one nonce executes when it is no hit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PerNonce {
    /// `nonce-loop` (one trip of the loop over NONCES_PER_INVOCATION
    /// nonces) or `whole-shader` (one nonce per invocation).
    pub found_by: String,
    pub counts: Counts,
    /// The blocks counted, as the disassembly labels them.
    pub blocks: Vec<String>,
    /// Hit regions skipped, `BBa..BBb` (b is where the branch lands).
    pub skipped_hit_regions: Vec<String>,
    /// For `nonce-loop`: the code before the loop, once per invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_invocation: Option<Counts>,
}

/// A loop of a kernel with no static count per nonce.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LoopCost {
    /// First and last block.
    pub head: String,
    pub tail: String,
    /// 1 for a loop inside no other.
    pub depth: u32,
    /// Instructions of the loop's blocks, each once, every branch arm
    /// counted: its static size per iteration, not per nonce.
    pub per_iteration_static: Counts,
    /// The literals its exits compare a counter against (its trip counts,
    /// where the ISA shows them).
    pub trip_bounds: Vec<i64>,
}

/// One mnemonic (encoding suffix dropped) and how often it occurs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Opcode {
    pub name: String,
    pub count: u64,
}

/// One kernel on one family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FamilyIsa {
    /// RADV's family name (`gfx1100`).
    pub family: String,
    /// `GCN`, `CDNA`, `RDNA1`, `RDNA2`, `RDNA3`.
    pub group: String,
    /// LLVM's processor name (`gfx1100`, `gfx900`).
    pub gfx: String,
    /// The device RADV made (`Null hardware (RADV GFX1100)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Why this family gave nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Lanes per subgroup (wave) ACO compiled for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subgroup_size: Option<u32>,
    #[serde(default)]
    pub stats: AcoStats,
    /// The whole shader's instructions, from the disassembly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shader: Option<Counts>,
    /// Exact instructions per nonce, when the nonce's path is straight-line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_nonce: Option<PerNonce>,
    /// The loops, when the nonce's path has one (rolled): never a per-nonce
    /// count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rolled_loops: Vec<LoopCost>,
    /// Why there is no per-nonce count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_counted: Option<String>,
    /// The most frequent mnemonics: on the nonce's path when there is a
    /// per-nonce count, else in the whole shader.
    #[serde(default)]
    pub mix: Vec<Opcode>,
    /// Predicted rates for named cards of this family: each labelled
    /// `predicted from ISA, not measured`.
    #[serde(default)]
    pub predictions: Vec<Prediction>,
    /// ACO's disassembly as RADV gave it, for `--isa-out` (not in JSON).
    #[serde(skip)]
    pub disassembly: Option<String>,
}
