//! Counting in naga's IR: the expressions of one function, every call
//! expanded (each call of `rotr` counts its two shifts, its or and its
//! `32u - n`). [`named_folded`] counts what is left once every call is
//! inlined and the operations on constants alone are folded, as a driver's
//! compiler does (`rotr(x, 7u)`'s `32u - 7u` becomes 25).

use naga::{BinaryOperator, Expression, Function, Module, Statement, UnaryOperator};

use super::{Kind, OpCounts};

fn kind(expression: &Expression) -> Option<Kind> {
    Some(match expression {
        Expression::Binary { op, .. } => match op {
            BinaryOperator::Add | BinaryOperator::Subtract => Kind::Add,
            BinaryOperator::And | BinaryOperator::ExclusiveOr | BinaryOperator::InclusiveOr => {
                Kind::Logic
            }
            BinaryOperator::ShiftLeft | BinaryOperator::ShiftRight => Kind::Shift,
            _ => Kind::Other,
        },
        Expression::Unary {
            op: UnaryOperator::BitwiseNot,
            ..
        } => Kind::Logic,
        Expression::Unary { .. }
        | Expression::Select { .. }
        | Expression::Math { .. }
        | Expression::As { .. }
        | Expression::Relational { .. } => Kind::Other,
        Expression::Load { .. } => Kind::Load,
        _ => return None,
    })
}

/// The named function's counts, or why it has no static count.
pub fn named(module: &Module, name: &str) -> Result<OpCounts, String> {
    let function = find(module, name)?;
    cost(module, function, name, None)
}

/// The same, with calls inlined and constant operations folded.
pub fn named_folded(module: &Module, name: &str) -> Result<OpCounts, String> {
    let function = find(module, name)?;
    let arguments = vec![false; function.arguments.len()];
    cost(module, function, name, Some(&arguments))
}

fn find<'m>(module: &'m Module, name: &str) -> Result<&'m Function, String> {
    if let Some(entry) = module.entry_points.iter().find(|e| e.name == name) {
        return Ok(&entry.function);
    }
    module
        .functions
        .iter()
        .find(|(_, f)| f.name.as_deref() == Some(name))
        .map(|(_, f)| f)
        .ok_or_else(|| format!("no function `{name}`"))
}

/// Which expressions of `function` are known constants, given which of its
/// arguments are (naga's arena lists operands before their users).
fn constants(function: &Function, arguments: &[bool]) -> Vec<bool> {
    let mut known: Vec<bool> = Vec::with_capacity(function.expressions.len());
    for (_, expression) in function.expressions.iter() {
        let k = |h: &naga::Handle<Expression>| known.get(h.index()).copied().unwrap_or(false);
        let constant = match expression {
            Expression::Literal(_) | Expression::Constant(_) | Expression::ZeroValue(_) => true,
            Expression::FunctionArgument(i) => arguments.get(*i as usize).copied().unwrap_or(false),
            Expression::Binary { left, right, .. } => k(left) && k(right),
            Expression::Unary { expr, .. } | Expression::As { expr, .. } => k(expr),
            Expression::Select {
                condition,
                accept,
                reject,
            } => k(condition) && k(accept) && k(reject),
            Expression::Math {
                arg,
                arg1,
                arg2,
                arg3,
                ..
            } => k(arg) && [arg1, arg2, arg3].iter().all(|a| a.as_ref().is_none_or(k)),
            Expression::Splat { value, .. } => k(value),
            Expression::Swizzle { vector, .. } => k(vector),
            Expression::AccessIndex { base, .. } => k(base),
            Expression::Access { base, index } => k(base) && k(index),
            Expression::Compose { components, .. } => components.iter().all(k),
            _ => false,
        };
        known.push(constant);
    }
    known
}

/// `fold`: `Some(which arguments are constants)` to leave out the
/// operations on constants alone; `None` to count everything.
fn cost(
    module: &Module,
    function: &Function,
    name: &str,
    fold: Option<&[bool]>,
) -> Result<OpCounts, String> {
    let known = fold.map(|arguments| constants(function, arguments));
    let mut counts = OpCounts::with_loads();
    for (handle, expression) in function.expressions.iter() {
        if known.as_ref().is_some_and(|k| k[handle.index()]) {
            continue;
        }
        if let Some(k) = kind(expression) {
            counts.add(k, 1);
        }
    }
    walk(module, &function.body, name, known.as_deref(), &mut counts)?;
    Ok(counts)
}

fn walk(
    module: &Module,
    block: &naga::Block,
    name: &str,
    known: Option<&[bool]>,
    counts: &mut OpCounts,
) -> Result<(), String> {
    for statement in block.iter() {
        match statement {
            Statement::Loop { .. } => return Err(format!("`{name}` has a loop")),
            Statement::Block(inner) => walk(module, inner, name, known, counts)?,
            Statement::If { accept, reject, .. } => {
                counts.conditional = true;
                walk(module, accept, name, known, counts)?;
                walk(module, reject, name, known, counts)?;
            }
            Statement::Switch { cases, .. } => {
                counts.conditional = true;
                for case in cases {
                    walk(module, &case.body, name, known, counts)?;
                }
            }
            Statement::Call {
                function,
                arguments,
                ..
            } => {
                let callee = &module.functions[*function];
                let callee_name = callee.name.clone().unwrap_or_default();
                let constant_arguments: Option<Vec<bool>> =
                    known.map(|k| arguments.iter().map(|a| k[a.index()]).collect());
                let inner = cost(module, callee, &callee_name, constant_arguments.as_deref())?;
                counts.call(&callee_name, &inner);
            }
            _ => {}
        }
    }
    Ok(())
}
