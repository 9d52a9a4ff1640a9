//! `kernel-cost --isa`: what Mesa's AMD compiler makes of a kernel for a
//! GPU that is not there. RADV, Mesa's Vulkan driver for AMD GPUs, makes a
//! null device for any family it knows when `RADV_FORCE_FAMILY` names one,
//! and compiles with ACO, the compiler Linux and the Steam Deck run on
//! real AMD GPUs. hashwatt hands it the SPIR-V wgpu's Vulkan back end
//! would (`spirv_out.rs`), in a process of its own (`worker.rs`, through
//! `ash` in `radv.rs`), and reads the pipeline's statistics and
//! disassembly (`analyze.rs`, `asm.rs`, `per_nonce.rs`). docs/isa.md
//! tells the whole method.

mod analyze;
mod asm;
pub mod families;
mod per_nonce;
pub mod predict;
pub mod protocol;
mod radv;
pub mod report;
pub mod spirv_out;
pub mod worker;

use std::path::Path;

use crate::error::{Error, Result};
use crate::kernel::variants::KernelConfig;
use families::Family;
use protocol::{DeviceFacts, PipelineJob, Reply, Request};
pub use report::{FamilyIsa, KernelIsa, KernelIsaReport, KERNEL_ISA_SCHEMA};

/// What `spirv` in the report says.
const SPIRV_NOTE: &str = "naga 30 SPIR-V as wgpu-hal 30's Vulkan back end writes it for this \
device: SPIR-V 1.6 on Vulkan 1.3, index bounds checks Restrict, buffer checks off \
(robustBufferAccess2), loop bounding on, integer division checks on, overrides applied, \
bindings numbered as wgpu's pipeline layout numbers them, release-build flags";

const METHOD: &str = "per nonce: the instructions on the path of one nonce that is no hit, \
from the disassembly's basic blocks: one trip of the loop over NONCES_PER_INVOCATION nonces \
(loop control included), or the whole shader for a kernel that does one nonce per invocation; \
hit regions (an s_cbranch_execz over a buffer atomic, after more vector work than the region \
holds) skipped, every other branch arm counted; a path that enters a loop is rolled and has no \
count (docs/isa.md)";

/// Compiles `configs` for one family: the worker's reply, with the SPIR-V
/// written again for the device's own facts when they differ from those
/// assumed.
fn compile_family(
    exe: &Path,
    manifest: &Path,
    family: &Family,
    configs: &[KernelConfig],
) -> Result<std::result::Result<Reply, String>> {
    let mut facts = spirv_out::assumed_facts();
    for _ in 0..2 {
        let mut pipelines = Vec::new();
        for config in configs {
            pipelines.push(PipelineJob {
                label: config.variant.name().to_string(),
                spirv: spirv_out::spirv(config, &facts)?,
                entry_point: crate::kernel::ENTRY_POINT.into(),
                bindings: spirv_out::bindings(config)?,
            });
        }
        let reply = match worker::run(exe, manifest, family.name, &Request { pipelines }) {
            Ok(reply) => reply,
            Err(why) => return Ok(Err(why)),
        };
        match &reply.device {
            Some(device) if !spirv_out::same_options(&facts, device) => {
                facts = device.clone();
            }
            _ => return Ok(Ok(reply)),
        }
    }
    Ok(Err(format!(
        "{}: the device's facts changed between two runs",
        family.name
    )))
}

fn driver_of(device: &DeviceFacts) -> String {
    format!("{}, {}", device.driver_name, device.driver_info)
}

/// Compiles every kernel for every family with RADV, through `exe` (this
/// program: its hidden `radv-worker` command). Errors: RADV is missing or
/// cannot open a device at all (a device error: exit 3), a kernel that
/// does not lower (bad input). A family that fails alone is a row with its
/// error.
pub fn kernel_isa(
    exe: &Path,
    families: &[Family],
    configs: &[KernelConfig],
) -> Result<KernelIsaReport> {
    let manifest = worker::radv_manifest().map_err(Error::device)?;
    let mut kernels: Vec<KernelIsa> = configs
        .iter()
        .map(|c| KernelIsa {
            kernel: c.variant.name().into(),
            path: c.variant.source().path.clone(),
            workgroup_size: c.workgroup_size,
            nonces_per_invocation: c.nonces_per_invocation,
            families: Vec::new(),
        })
        .collect();
    let mut driver = None;
    for family in families {
        let reply = match compile_family(exe, &manifest, family, configs)? {
            Ok(reply) => reply,
            Err(why) => {
                for kernel in &mut kernels {
                    let mut row = analyze::empty(family);
                    row.error = Some(why.clone());
                    kernel.families.push(row);
                }
                continue;
            }
        };
        let Some(device) = &reply.device else {
            // No device at all is no family's fault: RADV is not usable.
            return Err(Error::device(format!(
                "RADV is missing: {}",
                reply.error.as_deref().unwrap_or("no device")
            )));
        };
        driver.get_or_insert_with(|| driver_of(device));
        for ((kernel, config), result) in kernels.iter_mut().zip(configs).zip(&reply.results) {
            let mut row = match (&result.error, result.executables.first()) {
                (None, Some(executable)) => analyze::analyze(
                    family,
                    executable,
                    config.nonces_per_invocation,
                    config.variant.source().nonces_override,
                ),
                (error, _) => {
                    let mut row = analyze::empty(family);
                    row.error = Some(error.clone().unwrap_or_else(|| "no executable".into()));
                    row
                }
            };
            row.device = Some(device.name.clone());
            kernel.families.push(row);
        }
    }
    Ok(KernelIsaReport {
        schema: KERNEL_ISA_SCHEMA.into(),
        driver,
        compiler: "ACO (RADV's shader compiler)".into(),
        spirv: SPIRV_NOTE.into(),
        method: METHOD.into(),
        prediction_model: format!(
            "{}: compute units x {} lanes x boost clock / VALU instructions per nonce; \
full-rate 32-bit integer VALU, boost clock held, no RDNA3 dual issue (docs/isa.md)",
            predict::LABEL,
            predict::LANES_PER_CU_CLOCK
        ),
        kernels,
    })
}
