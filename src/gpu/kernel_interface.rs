//! The interface checks on a parsed kernel (docs/kernel-interface.md): the
//! `search` entry point, the two bindings and their layouts, the workgroup
//! size and the overrides the host sets.

use naga::valid::GlobalUse;
use naga::{AddressSpace, Expression, ScalarKind, ShaderStage, TypeInner};

use super::kernel_source::{ENTRY_POINT, NONCES_PER_INVOCATION, PARAMS_BYTES, WORKGROUP_SIZE};
use crate::error::{Error, Result};

/// What the host needs to know to launch a kernel.
#[derive(Debug, Default)]
pub(super) struct Shape {
    /// `Some(n)` for a literal `@workgroup_size(n)`.
    pub fixed_workgroup_size: Option<u32>,
    /// The `WORKGROUP_SIZE` override's literal default.
    pub default_workgroup_size: Option<u32>,
    pub nonces_override: bool,
    pub default_nonces_per_invocation: Option<u32>,
}

/// Checks the module against the interface; every refusal is an input
/// error naming the file.
pub(super) fn check(
    path: &str,
    module: &naga::Module,
    info: &naga::valid::ModuleInfo,
) -> Result<Shape> {
    let mut shape = Shape::default();
    let bad = |what: String| Error::input(format!("{path}: {what} (see docs/kernel-interface.md)"));
    let Some((index, entry)) = module
        .entry_points
        .iter()
        .enumerate()
        .find(|(_, e)| e.name == ENTRY_POINT)
    else {
        let names: Vec<&str> = module
            .entry_points
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        return Err(bad(format!(
            "no entry point `{ENTRY_POINT}` (found: {})",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        )));
    };
    if entry.stage != ShaderStage::Compute {
        return Err(bad(format!(
            "`{ENTRY_POINT}` must be a @compute entry point"
        )));
    }

    // Overrides: the host sets only these two; any other needs a default.
    let override_named = |name: &str| {
        module
            .overrides
            .iter()
            .find(|(_, o)| o.name.as_deref() == Some(name))
    };
    let literal_default = |o: &naga::Override| -> Option<u32> {
        match module.global_expressions[o.init?] {
            Expression::Literal(naga::Literal::U32(v)) => Some(v),
            Expression::Literal(naga::Literal::I32(v)) => u32::try_from(v).ok(),
            Expression::Literal(naga::Literal::AbstractInt(v)) => u32::try_from(v).ok(),
            _ => None,
        }
    };
    for (_, o) in module.overrides.iter() {
        let name = o.name.as_deref().unwrap_or("?");
        if name != WORKGROUP_SIZE && name != NONCES_PER_INVOCATION && o.init.is_none() {
            return Err(bad(format!(
                "override {name} has no default; the host sets only {WORKGROUP_SIZE} and {NONCES_PER_INVOCATION}"
            )));
        }
    }
    match entry.workgroup_size_overrides {
        None => {
            let [x, y, z] = entry.workgroup_size;
            if y != 1 || z != 1 {
                return Err(bad(format!(
                    "@workgroup_size({x}, {y}, {z}): the dispatch is one-dimensional per workgroup, give one size"
                )));
            }
            shape.fixed_workgroup_size = Some(x);
        }
        Some([Some(x), None, None]) => {
            let from_override = match module.global_expressions[x] {
                Expression::Override(h) => {
                    module.overrides[h].name.as_deref() == Some(WORKGROUP_SIZE)
                }
                _ => false,
            };
            if !from_override {
                return Err(bad(format!(
                    "the workgroup size must be a literal or the override {WORKGROUP_SIZE}"
                )));
            }
        }
        Some(_) => {
            return Err(bad(format!(
                "the workgroup size must be one value: a literal or the override {WORKGROUP_SIZE}"
            )))
        }
    }
    if let Some((_, o)) = override_named(WORKGROUP_SIZE) {
        shape.default_workgroup_size = literal_default(o);
    }
    if let Some((_, o)) = override_named(NONCES_PER_INVOCATION) {
        shape.nonces_override = true;
        shape.default_nonces_per_invocation = literal_default(o);
    }

    // Bindings: what `search` uses must be exactly the two the host binds.
    let uses = info.get_entry_point(index);
    let (mut params, mut hits) = (false, false);
    for (handle, global) in module.global_variables.iter() {
        if uses[handle].is_empty() {
            continue;
        }
        let Some(binding) = &global.binding else {
            continue;
        };
        let name = global.name.as_deref().unwrap_or("?");
        let ty = &module.types[global.ty].inner;
        match (binding.group, binding.binding) {
            (0, 0) => {
                if global.space != AddressSpace::Uniform {
                    return Err(bad(format!(
                        "@group(0) @binding(0) `{name}` must be var<uniform> (the SearchParams block)"
                    )));
                }
                let TypeInner::Struct { span, .. } = ty else {
                    return Err(bad(format!("@binding(0) `{name}` must be a struct (SearchParams)")));
                };
                if *span > PARAMS_BYTES {
                    return Err(bad(format!(
                        "@binding(0) `{name}` is {span} bytes; SearchParams is {PARAMS_BYTES} (declare it, or a prefix of it)"
                    )));
                }
                if !only_u32(module, global.ty) {
                    return Err(bad(format!(
                        "@binding(0) `{name}`: every SearchParams field is made of u32"
                    )));
                }
                params = true;
            }
            (0, 1) => {
                let writable = matches!(
                    global.space,
                    AddressSpace::Storage { access } if access.contains(naga::StorageAccess::STORE)
                );
                if !writable || !is_hit_list(module, ty) {
                    return Err(bad(format!(
                        "@group(0) @binding(1) `{name}` must be var<storage, read_write> of struct {{ count: atomic<u32>, nonces: array<u32> }}"
                    )));
                }
                if !uses[handle].contains(GlobalUse::WRITE) {
                    return Err(bad(format!("`{ENTRY_POINT}` never writes the hit list `{name}`")));
                }
                hits = true;
            }
            (group, binding) => {
                return Err(bad(format!(
                    "`{name}` at @group({group}) @binding({binding}): the host binds only @group(0) @binding(0) (SearchParams) and @binding(1) (the hit list)"
                )))
            }
        }
    }
    if !params {
        return Err(bad(format!(
            "`{ENTRY_POINT}` never reads the SearchParams uniform at @group(0) @binding(0)"
        )));
    }
    if !hits {
        return Err(bad(format!(
            "`{ENTRY_POINT}` never writes a hit: it uses no hit list at @group(0) @binding(1)"
        )));
    }
    Ok(shape)
}

/// Whether a type is made only of u32 (scalars, vectors, arrays, structs).
fn only_u32(module: &naga::Module, ty: naga::Handle<naga::Type>) -> bool {
    let is_u32 = |s: &naga::Scalar| s.kind == ScalarKind::Uint && s.width == 4;
    match &module.types[ty].inner {
        TypeInner::Scalar(s) | TypeInner::Vector { scalar: s, .. } => is_u32(s),
        TypeInner::Array { base, .. } => only_u32(module, *base),
        TypeInner::Struct { members, .. } => members.iter().all(|m| only_u32(module, m.ty)),
        _ => false,
    }
}

/// `struct { count: atomic<u32>, nonces: array<u32> }`, field names free.
fn is_hit_list(module: &naga::Module, ty: &TypeInner) -> bool {
    let TypeInner::Struct { members, .. } = ty else {
        return false;
    };
    let [count, nonces] = members.as_slice() else {
        return false;
    };
    let count_ok = matches!(
        module.types[count.ty].inner,
        TypeInner::Atomic(s) if s.kind == ScalarKind::Uint && s.width == 4
    ) && count.offset == 0;
    let nonces_ok = match module.types[nonces.ty].inner {
        TypeInner::Array {
            base,
            size: naga::ArraySize::Dynamic,
            stride: 4,
        } => {
            matches!(module.types[base].inner, TypeInner::Scalar(s) if s.kind == ScalarKind::Uint && s.width == 4)
        }
        _ => false,
    } && nonces.offset == 4;
    count_ok && nonces_ok
}
