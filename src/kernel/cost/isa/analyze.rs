//! One compiled pipeline, read: RADV's statistics, the disassembly's
//! counts per nonce (or its loops), the instruction mix, the predictions.

use super::asm::Program;
use super::families::Family;
use super::per_nonce::{self, Path};
use super::predict;
use super::protocol::Executable;
use super::report::{AcoStats, Counts, FamilyIsa, LoopCost, Opcode, PerNonce};

/// How many mnemonics the mix lists.
pub const MIX_LEN: usize = 12;

/// What the disassembly's absence means.
const NO_DISASSEMBLY: &str = "RADV gave no disassembly for this family (Mesa disassembles \
GFX6 and GFX7 only through CLRX's clrxdisasm, which is not installed); statistics only";

/// A family row with nothing in it yet.
pub fn empty(family: &Family) -> FamilyIsa {
    FamilyIsa {
        family: family.name.into(),
        group: family.group.into(),
        gfx: family.gfx.into(),
        device: None,
        error: None,
        subgroup_size: None,
        stats: AcoStats::default(),
        shader: None,
        per_nonce: None,
        rolled_loops: Vec::new(),
        not_counted: None,
        mix: Vec::new(),
        predictions: Vec::new(),
        disassembly: None,
    }
}

fn stats(e: &Executable) -> AcoStats {
    let get = |name: &str| e.statistic(name).map(|v| v.max(0.0) as u64);
    AcoStats {
        vgprs: get("VGPRs"),
        sgprs: get("SGPRs"),
        spilled_vgprs: get("Spilled VGPRs"),
        spilled_sgprs: get("Spilled SGPRs"),
        scratch_bytes: get("Scratch size"),
        subgroups_per_simd: get("Subgroups per SIMD"),
        code_bytes: get("Code size"),
        instructions: get("Instructions"),
        copies: get("Copies"),
        branches: get("Branches"),
        aco_latency_cycles: get("Latency"),
        aco_inverse_throughput_cycles: get("Inverse Throughput"),
    }
}

fn label(p: &Program, pos: usize) -> String {
    format!("BB{}", p.blocks[pos].label)
}

/// Every loop: its blocks' static counts, depth and trip bounds.
fn loop_costs(p: &Program) -> Vec<LoopCost> {
    let loops = per_nonce::loops(p);
    loops
        .iter()
        .map(|l| {
            let depth = loops
                .iter()
                .filter(|o| o.head <= l.head && l.tail <= o.tail)
                .count() as u32;
            LoopCost {
                head: label(p, l.head),
                tail: label(p, l.tail),
                depth,
                per_iteration_static: p.counts_of(l.head..=l.tail).into(),
                trip_bounds: per_nonce::trip_bounds(p, l),
            }
        })
        .collect()
}

fn mix(p: &Program, blocks: impl IntoIterator<Item = usize>) -> Vec<Opcode> {
    p.mix_of(blocks)
        .into_iter()
        .take(MIX_LEN)
        .map(|(name, count)| Opcode { name, count })
        .collect()
}

/// The per-nonce path of `p` for a kernel run with `n` nonces per
/// invocation (`looped`: it declares the NONCES_PER_INVOCATION override).
fn per_nonce_of(p: &Program, n: u32, looped: bool) -> Result<PerNonce, String> {
    let counted = |path: Path, found_by: &str, per_invocation| match path {
        Path::Counted { blocks, skipped } => Ok(PerNonce {
            found_by: found_by.into(),
            counts: per_nonce::counted(p, &blocks).into(),
            blocks: blocks.iter().map(|b| label(p, *b)).collect(),
            skipped_hit_regions: skipped
                .iter()
                .map(|(from, to)| format!("{}..{}", label(p, *from), label(p, *to)))
                .collect(),
            per_invocation,
        }),
        Path::MeetsLoop(head) => Err(format!(
            "rolled: the nonce's path enters the loop at {}; its static size per \
iteration and trip bounds are listed, not a count per nonce",
            label(p, head)
        )),
    };
    if looped && n >= 2 {
        let Some(l) = per_nonce::nonce_loop(p, n) else {
            return Err(format!(
                "no top-level loop leaves at NONCES_PER_INVOCATION = {n}: the nonce loop \
was unrolled or reshaped; its loops are listed"
            ));
        };
        let before: Option<Counts> = match l.head {
            0 => None,
            head => match per_nonce::walk(p, 0, head - 1, None) {
                Path::Counted { blocks, .. } => Some(per_nonce::counted(p, &blocks).into()),
                Path::MeetsLoop(_) => None,
            },
        };
        return counted(
            per_nonce::walk(p, l.head, l.tail, Some(l)),
            "nonce-loop",
            before,
        );
    }
    counted(
        per_nonce::walk(p, 0, p.blocks.len() - 1, None),
        "whole-shader",
        None,
    )
}

/// Reads one family's compiled pipeline into its row.
pub fn analyze(family: &Family, e: &Executable, n: u32, looped: bool) -> FamilyIsa {
    let mut row = empty(family);
    row.subgroup_size = Some(e.subgroup_size);
    row.stats = stats(e);
    let Some(program) = e.representation("Assembly").and_then(Program::parse) else {
        row.not_counted = Some(NO_DISASSEMBLY.into());
        return row;
    };
    row.shader = Some(program.counts().into());
    row.disassembly = e.representation("Assembly").map(str::to_string);
    match per_nonce_of(&program, n, looped) {
        Ok(per) => {
            let positions: Vec<usize> = per
                .blocks
                .iter()
                .filter_map(|l| {
                    l.strip_prefix("BB")
                        .and_then(|l| l.parse().ok())
                        .and_then(|l| program.position(l))
                })
                .collect();
            row.mix = mix(&program, positions);
            row.predictions = predict::predict(family.name, per.counts.valu);
            row.per_nonce = Some(per);
        }
        Err(why) => {
            row.mix = mix(&program, 0..program.blocks.len());
            row.rolled_loops = loop_costs(&program);
            row.not_counted = Some(why);
        }
    }
    row
}
