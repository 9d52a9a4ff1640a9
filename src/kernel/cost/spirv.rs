//! Counting in the SPIR-V naga writes: the word stream read into
//! functions (`OpFunction` .. `OpFunctionEnd`), each instruction classed by
//! its opcode, every `OpFunctionCall` expanded. Functions are found by the
//! names naga gives them (`OpName`).

use std::collections::HashMap;

use spirv::Op;

use super::{Kind, OpCounts};

/// One function: its instructions as (opcode, operands).
struct Function {
    body: Vec<(u32, Vec<u32>)>,
}

/// A SPIR-V module read far enough to count: names and functions by id.
pub struct Module {
    names: HashMap<u32, String>,
    functions: HashMap<u32, Function>,
}

/// A literal string operand: UTF-8, nul-terminated, packed little-endian.
fn literal_string(words: &[u32]) -> String {
    let bytes: Vec<u8> = words
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .take_while(|b| *b != 0)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

impl Module {
    /// Reads a SPIR-V word stream; an error names what is malformed.
    pub fn parse(words: &[u32]) -> Result<Module, String> {
        if words.len() < 5 || words[0] != spirv::MAGIC_NUMBER {
            return Err("not a SPIR-V module (no magic number)".into());
        }
        let mut module = Module {
            names: HashMap::new(),
            functions: HashMap::new(),
        };
        let mut current: Option<(u32, Function)> = None;
        let mut at = 5;
        while at < words.len() {
            let count = (words[at] >> 16) as usize;
            let opcode = words[at] & 0xffff;
            if count == 0 || at + count > words.len() {
                return Err(format!("malformed instruction at word {at}"));
            }
            let operands = &words[at + 1..at + count];
            at += count;
            match Op::from_u32(opcode) {
                Some(Op::Name) if !operands.is_empty() => {
                    module
                        .names
                        .insert(operands[0], literal_string(&operands[1..]));
                }
                Some(Op::Function) if operands.len() >= 2 => {
                    current = Some((operands[1], Function { body: Vec::new() }));
                }
                Some(Op::FunctionEnd) => {
                    let (id, function) = current
                        .take()
                        .ok_or_else(|| "OpFunctionEnd outside a function".to_string())?;
                    module.functions.insert(id, function);
                }
                _ => {
                    if let Some((_, function)) = current.as_mut() {
                        function.body.push((opcode, operands.to_vec()));
                    }
                }
            }
        }
        Ok(module)
    }

    /// The id of the function naga named `name`.
    pub fn function_id(&self, name: &str) -> Option<u32> {
        let mut ids: Vec<u32> = self
            .functions
            .keys()
            .copied()
            .filter(|id| self.names.get(id).map(String::as_str) == Some(name))
            .collect();
        ids.sort_unstable();
        ids.first().copied()
    }

    /// The named function's counts, calls expanded, or why there are none.
    pub fn named(&self, name: &str) -> Result<OpCounts, String> {
        let id = self
            .function_id(name)
            .ok_or_else(|| format!("no function named `{name}` (OpName) in naga's SPIR-V"))?;
        self.cost(id, 0)
    }

    fn name(&self, id: u32) -> String {
        self.names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("%{id}"))
    }

    fn cost(&self, id: u32, depth: usize) -> Result<OpCounts, String> {
        if depth > 64 {
            return Err("calls nested deeper than 64".into());
        }
        let function = self
            .functions
            .get(&id)
            .ok_or_else(|| format!("call of %{id}, which is no function"))?;
        let mut counts = OpCounts::with_loads();
        for (opcode, operands) in &function.body {
            let Some(op) = Op::from_u32(*opcode) else {
                continue;
            };
            match op {
                Op::LoopMerge => return Err(format!("`{}` has a loop", self.name(id))),
                Op::SelectionMerge => counts.conditional = true,
                Op::FunctionCall if operands.len() >= 3 => {
                    let inner = self.cost(operands[2], depth + 1)?;
                    counts.call(&self.name(operands[2]), &inner);
                }
                _ => {
                    if let Some(k) = kind(op) {
                        counts.add(k, 1);
                    }
                }
            }
        }
        Ok(counts)
    }
}

fn kind(op: Op) -> Option<Kind> {
    Some(match op {
        Op::IAdd | Op::ISub => Kind::Add,
        Op::BitwiseAnd | Op::BitwiseOr | Op::BitwiseXor | Op::Not => Kind::Logic,
        Op::ShiftLeftLogical | Op::ShiftRightLogical | Op::ShiftRightArithmetic => Kind::Shift,
        Op::Load => Kind::Load,
        Op::IMul
        | Op::UDiv
        | Op::SDiv
        | Op::UMod
        | Op::SRem
        | Op::SMod
        | Op::SNegate
        | Op::IAddCarry
        | Op::ISubBorrow
        | Op::UMulExtended
        | Op::SMulExtended
        | Op::IEqual
        | Op::INotEqual
        | Op::UGreaterThan
        | Op::SGreaterThan
        | Op::UGreaterThanEqual
        | Op::SGreaterThanEqual
        | Op::ULessThan
        | Op::SLessThan
        | Op::ULessThanEqual
        | Op::SLessThanEqual
        | Op::Select
        | Op::LogicalEqual
        | Op::LogicalNotEqual
        | Op::LogicalOr
        | Op::LogicalAnd
        | Op::LogicalNot
        | Op::Any
        | Op::All
        | Op::BitFieldInsert
        | Op::BitFieldSExtract
        | Op::BitFieldUExtract
        | Op::BitReverse
        | Op::BitCount
        | Op::ExtInst
        | Op::Bitcast
        | Op::UConvert
        | Op::SConvert
        | Op::FConvert
        | Op::ConvertUToF
        | Op::ConvertSToF
        | Op::ConvertFToU
        | Op::ConvertFToS
        | Op::FNegate
        | Op::FAdd
        | Op::FSub
        | Op::FMul
        | Op::FDiv
        | Op::FRem
        | Op::FMod => Kind::Other,
        _ => return None,
    })
}
