//! ACO's disassembly, read: the text RADV gives as the "Assembly" internal
//! representation (and prints with `RADV_DEBUG=shaders`). Blocks start at
//! a label line `BB<n>:`; each instruction is a tab-indented line, its
//! encoding after a `;`; the constant data follows `/* constant data */`.

use std::collections::BTreeMap;

/// What an instruction does, by its mnemonic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Vector ALU: `v_*`, one operation on every lane of the wave.
    Valu,
    /// Scalar ALU: `s_*` arithmetic, logic, moves and compares.
    Salu,
    /// Scalar memory: `s_load_*`, `s_buffer_load_*`, ...
    Smem,
    /// Vector memory: `buffer_*`, `global_*`, `flat_*`, `scratch_*`,
    /// `image_*`, `tbuffer_*`.
    Vmem,
    /// Local data share: `ds_*`.
    Lds,
    /// Program flow: branches, `s_endpgm`, waits, clauses, no-ops.
    Flow,
}

impl Class {
    pub fn of(mnemonic: &str) -> Class {
        if mnemonic.starts_with("v_") {
            return Class::Valu;
        }
        if mnemonic.starts_with("ds_") {
            return Class::Lds;
        }
        for prefix in [
            "buffer_", "global_", "flat_", "scratch_", "image_", "tbuffer_",
        ] {
            if mnemonic.starts_with(prefix) {
                return Class::Vmem;
            }
        }
        for prefix in [
            "s_load_",
            "s_buffer_load_",
            "s_store_",
            "s_buffer_store_",
            "s_scratch_",
            "s_dcache_",
            "s_atomic_",
            "s_buffer_atomic_",
            "s_memtime",
            "s_memrealtime",
            "s_gl1_inv",
        ] {
            if mnemonic.starts_with(prefix) {
                return Class::Smem;
            }
        }
        if is_branch(mnemonic)
            || mnemonic.starts_with("s_endpgm")
            || mnemonic.starts_with("s_waitcnt")
            || mnemonic.starts_with("s_wait_")
            || mnemonic.starts_with("s_clause")
            || mnemonic.starts_with("s_delay_alu")
            || mnemonic.starts_with("s_nop")
            || mnemonic.starts_with("s_sleep")
            || mnemonic.starts_with("s_barrier")
            || mnemonic.starts_with("s_sendmsg")
            || mnemonic.starts_with("s_setprio")
            || mnemonic.starts_with("s_inst_prefetch")
            || mnemonic.starts_with("s_code_end")
            || mnemonic.starts_with("s_trap")
            || mnemonic.starts_with("s_icache_inv")
        {
            return Class::Flow;
        }
        Class::Salu
    }
}

/// `s_branch` and every `s_cbranch_*`.
pub fn is_branch(mnemonic: &str) -> bool {
    mnemonic == "s_branch" || mnemonic.starts_with("s_cbranch_")
}

/// The mnemonic without its encoding suffix (`v_add_nc_u32_e32` is
/// `v_add_nc_u32`), as the instruction mix counts it.
pub fn base_mnemonic(mnemonic: &str) -> &str {
    for suffix in ["_e32", "_e64", "_sdwa", "_dpp"] {
        if let Some(base) = mnemonic.strip_suffix(suffix) {
            return base;
        }
    }
    mnemonic
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inst {
    pub mnemonic: String,
    /// The operands as printed, without the encoding comment.
    pub operands: String,
}

impl Inst {
    pub fn class(&self) -> Class {
        Class::of(&self.mnemonic)
    }

    /// The label a branch jumps to (`BB12` gives 12).
    pub fn branch_target(&self) -> Option<u32> {
        if !is_branch(&self.mnemonic) {
            return None;
        }
        self.operands.trim().strip_prefix("BB")?.parse().ok()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The label's number: `BB7:` is 7.
    pub label: u32,
    pub insts: Vec<Inst>,
}

/// A shader's code: its blocks in the order they are laid out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub blocks: Vec<Block>,
}

/// Instructions by class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassCounts {
    pub valu: u64,
    pub salu: u64,
    pub smem: u64,
    pub vmem: u64,
    pub lds: u64,
    pub flow: u64,
}

impl ClassCounts {
    pub fn add(&mut self, class: Class) {
        match class {
            Class::Valu => self.valu += 1,
            Class::Salu => self.salu += 1,
            Class::Smem => self.smem += 1,
            Class::Vmem => self.vmem += 1,
            Class::Lds => self.lds += 1,
            Class::Flow => self.flow += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.valu + self.salu + self.smem + self.vmem + self.lds + self.flow
    }
}

impl Program {
    /// Reads the disassembly; `None` when the text holds no instruction
    /// (Mesa 22.3 prints "Shader disassembly is not supported" for GFX6
    /// and GFX7 unless CLRX's disassembler is installed).
    pub fn parse(text: &str) -> Option<Program> {
        let mut blocks: Vec<Block> = Vec::new();
        for line in text.lines() {
            if line.starts_with("/*") {
                break; // the constant data
            }
            if let Some(label) = line.strip_suffix(':').and_then(|l| l.strip_prefix("BB")) {
                if let Ok(label) = label.trim().parse() {
                    blocks.push(Block {
                        label,
                        insts: Vec::new(),
                    });
                    continue;
                }
            }
            if !line.starts_with('\t') && !line.starts_with(' ') {
                continue;
            }
            let code = line.split(';').next().unwrap_or("").trim();
            let Some(mnemonic) = code.split_whitespace().next() else {
                continue;
            };
            let operands = code[mnemonic.len()..].trim().to_string();
            if blocks.is_empty() {
                blocks.push(Block {
                    label: 0,
                    insts: Vec::new(),
                });
            }
            let block = blocks.last_mut().expect("a block");
            block.insts.push(Inst {
                mnemonic: mnemonic.to_string(),
                operands,
            });
        }
        blocks
            .iter()
            .any(|b| !b.insts.is_empty())
            .then_some(Program { blocks })
    }

    /// Every instruction, by class.
    pub fn counts(&self) -> ClassCounts {
        self.counts_of(0..self.blocks.len())
    }

    /// The instructions of the blocks at these layout positions, by class.
    pub fn counts_of(&self, blocks: impl IntoIterator<Item = usize>) -> ClassCounts {
        let mut counts = ClassCounts::default();
        for b in blocks {
            for inst in &self.blocks[b].insts {
                counts.add(inst.class());
            }
        }
        counts
    }

    /// Mnemonics (encoding suffix dropped) and how often they occur in
    /// these blocks, most frequent first, ties by name.
    pub fn mix_of(&self, blocks: impl IntoIterator<Item = usize>) -> Vec<(String, u64)> {
        let mut mix: BTreeMap<&str, u64> = BTreeMap::new();
        for b in blocks {
            for inst in &self.blocks[b].insts {
                *mix.entry(base_mnemonic(&inst.mnemonic)).or_default() += 1;
            }
        }
        let mut mix: Vec<(String, u64)> =
            mix.into_iter().map(|(m, n)| (m.to_string(), n)).collect();
        mix.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        mix
    }

    /// The layout position of the block labelled `label`.
    pub fn position(&self, label: u32) -> Option<usize> {
        self.blocks.iter().position(|b| b.label == label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "BB0:\n\ts_mov_b32 s0, s3 ; be800003\n\tv_add_nc_u32_e32 v3, s6, v0 ; 4a060006\nBB1:\n\ts_cmp_ge_u32 s6, 4 ; bf098406\n\ts_cbranch_scc1 BB3 ; bfa2183b\nBB2:\n\tbuffer_atomic_add_u32 v4, off, s[16:19], 0 glc ; e0d44000\n\ts_branch BB1 ; bfa0e7be\nBB3:\n\ts_endpgm ; bfb00000\n\n/* constant data */\n[000000] 428a2f98 71374491\n";

    #[test]
    fn blocks_instructions_and_classes_are_read() {
        let p = Program::parse(TEXT).unwrap();
        assert_eq!(
            p.blocks.iter().map(|b| b.label).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        let c = p.counts();
        assert_eq!((c.valu, c.salu, c.vmem, c.flow, c.total()), (1, 2, 1, 3, 7));
        assert_eq!(p.blocks[1].insts[1].branch_target(), Some(3));
        assert_eq!(p.blocks[2].insts[1].branch_target(), Some(1));
        assert_eq!(p.blocks[0].insts[1].operands, "v3, s6, v0");
        assert_eq!(base_mnemonic("v_add_nc_u32_e32"), "v_add_nc_u32");
        assert_eq!(Class::of("s_buffer_load_b32"), Class::Smem);
        assert_eq!(Class::of("s_waitcnt"), Class::Flow);
        assert!(Program::parse("Shader disassembly is not supported.\n").is_none());
    }
}
