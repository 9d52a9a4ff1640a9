//! Work per nonce, counted from naga's own IR of a kernel: integer
//! operations by kind in a straight-line function, with every call expanded
//! (each call of `rotr` counts its two shifts and one or). No device needed.

use std::collections::BTreeMap;

use naga::{BinaryOperator, Expression, Function, Module, Statement, UnaryOperator};

/// Operation counts by kind, in a fixed order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpCounts {
    pub counts: BTreeMap<&'static str, u64>,
    /// Calls by callee name, expanded or not.
    pub calls: BTreeMap<String, u64>,
}

impl OpCounts {
    fn add(&mut self, kind: &'static str, n: u64) {
        *self.counts.entry(kind).or_default() += n;
    }

    fn merge(&mut self, other: &OpCounts, times: u64) {
        for (k, v) in &other.counts {
            self.add(k, v * times);
        }
        for (k, v) in &other.calls {
            *self.calls.entry(k.clone()).or_default() += v * times;
        }
    }

    /// All integer operations counted (loads and calls excluded).
    pub fn total_ops(&self) -> u64 {
        self.counts
            .iter()
            .filter(|(k, _)| **k != "load")
            .map(|(_, v)| v)
            .sum()
    }
}

fn kind(expression: &Expression) -> Option<&'static str> {
    Some(match expression {
        Expression::Binary { op, .. } => match op {
            BinaryOperator::Add | BinaryOperator::Subtract => "add",
            BinaryOperator::And | BinaryOperator::ExclusiveOr | BinaryOperator::InclusiveOr => {
                "logic"
            }
            BinaryOperator::ShiftLeft | BinaryOperator::ShiftRight => "shift",
            BinaryOperator::Equal
            | BinaryOperator::NotEqual
            | BinaryOperator::Less
            | BinaryOperator::LessEqual
            | BinaryOperator::Greater
            | BinaryOperator::GreaterEqual => "compare",
            _ => "other",
        },
        Expression::Unary {
            op: UnaryOperator::BitwiseNot,
            ..
        } => "logic",
        Expression::Select { .. } => "select",
        Expression::Load { .. } => "load",
        Expression::Math { .. } => "other",
        _ => return None,
    })
}

/// Counts for one function, calls expanded. `None` when it (or a callee)
/// has a loop: a static count would not be the count per run.
pub fn function_cost(module: &Module, function: &Function) -> Option<OpCounts> {
    let mut cost = OpCounts::default();
    for (_, expression) in function.expressions.iter() {
        if let Some(k) = kind(expression) {
            cost.add(k, 1);
        }
    }
    if !walk(module, &function.body, &mut cost) {
        return None;
    }
    Some(cost)
}

fn walk(module: &Module, block: &naga::Block, cost: &mut OpCounts) -> bool {
    for statement in block.iter() {
        match statement {
            Statement::Loop { .. } => return false,
            Statement::Block(inner) if !walk(module, inner, cost) => return false,
            Statement::If { accept, reject, .. }
                if !walk(module, accept, cost) || !walk(module, reject, cost) =>
            {
                return false
            }
            Statement::Call { function, .. } => {
                let callee = &module.functions[*function];
                let name = callee.name.clone().unwrap_or_default();
                *cost.calls.entry(name).or_default() += 1;
                match function_cost(module, callee) {
                    Some(inner) => cost.merge(&inner, 1),
                    None => return false,
                }
            }
            _ => {}
        }
    }
    true
}

/// The cost of the named function of a WGSL module.
pub fn named_function_cost(wgsl: &str, name: &str) -> Option<OpCounts> {
    let module = naga::front::wgsl::parse_str(wgsl).ok()?;
    let (_, function) = module
        .functions
        .iter()
        .find(|(_, f)| f.name.as_deref() == Some(name))?;
    function_cost(&module, function)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::KernelVariant;

    #[test]
    fn the_fast_kernels_work_per_nonce_is_counted() {
        let module = &KernelVariant::Fast.source().module;
        let cost = named_function_cost(module, "sha256d_last_word").expect("straight-line");
        // Every round of either hash calls big_sigma1 once, unless the
        // generator folded it; the first hash runs rounds 4..63.
        let rounds = cost.calls["big_sigma1"];
        assert!(rounds > 60 && rounds <= 121, "{rounds}");
        // rotr is 2 shifts and an or, 3 per sigma: shifts come to at least
        // 6 per round.
        assert!(cost.counts["shift"] >= 6 * rounds, "{cost:?}");
        assert!(cost.counts["add"] > 0 && cost.total_ops() > cost.counts["add"]);
        // The reference kernel's compression has a loop: no static count.
        let reference = &KernelVariant::Reference.source().module;
        assert!(named_function_cost(reference, "sha256_compress").is_none());
    }
}
