//! The interface a search kernel keeps with hashwatt (docs/kernel-interface.md):
//! its constants (the entry point, the size of `SearchParams`, the overrides
//! the host sets), and the checks on a parsed kernel: the
//! entry point (`search`, or `--entry NAME`), the two bindings and their
//! layouts, the workgroup size and the overrides the host sets. Every
//! mismatch is reported at once, with a skeleton of the interface to paste.

use naga::valid::GlobalUse;
use naga::{AddressSpace, Expression, ScalarKind, ShaderStage, TypeInner};

use crate::error::{Error, Result};

/// The entry point a search kernel has, unless `--entry NAME` names another.
pub const ENTRY_POINT: &str = "search";
/// Size of the uniform block `SearchParams` the host writes: 144 bytes of
/// midstate, tail, target, range and precomputed terms, then the header's
/// 20 message words.
pub const PARAMS_BYTES: u32 = 224;
/// The override the host sets to the workgroup size, when declared.
pub const WORKGROUP_SIZE: &str = "WORKGROUP_SIZE";
/// The override the host sets to the nonces per invocation, when declared.
pub const NONCES_PER_INVOCATION: &str = "NONCES_PER_INVOCATION";

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

/// Checks the module against the interface, with `entry` as the entry
/// point. Every problem is found before any is reported: the refusal (an
/// input error naming the file) lists them all, with a skeleton of the
/// interface to paste.
pub(super) fn check(
    path: &str,
    module: &naga::Module,
    info: &naga::valid::ModuleInfo,
    entry: &str,
) -> Result<Shape> {
    let mut problems: Vec<String> = Vec::new();
    let shape = check_all(module, info, entry, &mut problems);
    if problems.is_empty() {
        return Ok(shape);
    }
    Err(Error::input(refusal(path, &problems)))
}

/// The refusal, on one line: the problem, or every problem numbered. The
/// commands print [`skeleton`] with it (see [`is_mismatch`]).
fn refusal(path: &str, problems: &[String]) -> String {
    match problems {
        [one] => format!("{path}: {one} {SEE}"),
        many => {
            let numbered: Vec<String> = many
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{}. {p}", i + 1))
                .collect();
            format!(
                "{path}: the kernel does not fit the interface, {} problems: {} {SEE}",
                many.len(),
                numbered.join("; ")
            )
        }
    }
}

/// How every interface refusal ends.
const SEE: &str = "(see docs/kernel-interface.md)";

/// Whether an error message is an interface refusal (which the skeleton
/// helps with), not a file that does not compile.
pub fn is_mismatch(message: &str) -> bool {
    message.ends_with(SEE)
}

/// The bindings, `SearchParams` and `record_hit` of the interface, and an
/// entry point that searches one nonce per invocation, ready to paste.
pub fn skeleton(entry: &str) -> String {
    const INTERFACE: &str = include_str!("../../shaders/search_interface.wgsl");
    // The include without its opening comment (it speaks of including it).
    let body = INTERFACE
        .split_once("\n\n")
        .map_or(INTERFACE, |(_, rest)| rest)
        .trim_end();
    let mut text = String::new();
    for line in body.lines() {
        text.push_str("    ");
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(&format!(
        "
    @compute @workgroup_size(64)
    fn {entry}(@builtin(global_invocation_id) gid: vec3<u32>) {{
        let index = invocation_index(gid);
        if (index >= params.nonce_count) {{
            return;
        }}
        let nonce = params.nonce_base + index;
        // sha256d of the header with this nonce: params.header_words (word 19
        // is swap_bytes(nonce)), or params.midstate and params.tail; then the
        // hash, read as a little-endian number, compared with
        // params.target_limbs on all 256 bits (equal is a hit):
        // if (hit) {{ record_hit(nonce); }}
    }}"
    ));
    text
}

fn check_all(
    module: &naga::Module,
    info: &naga::valid::ModuleInfo,
    entry_name: &str,
    problems: &mut Vec<String>,
) -> Shape {
    let mut shape = Shape::default();
    let compute: Vec<(usize, &naga::EntryPoint)> = module
        .entry_points
        .iter()
        .enumerate()
        .filter(|(_, e)| e.stage == ShaderStage::Compute)
        .collect();
    let found = module
        .entry_points
        .iter()
        .enumerate()
        .find(|(_, e)| e.name == entry_name);
    // The entry point whose bindings are checked: the one named, or the
    // only compute one there is, so that its other problems show now too.
    let (index, entry) = match found {
        Some((_, e)) if e.stage != ShaderStage::Compute => {
            problems.push(format!("`{entry_name}` must be a @compute entry point"));
            return shape;
        }
        Some(found) => found,
        None => {
            let names: Vec<String> = module
                .entry_points
                .iter()
                .map(|e| format!("{} (@{})", e.name, stage_name(e.stage)))
                .collect();
            let hint = match compute.as_slice() {
                [(_, only)] => format!(
                    ": name it `{entry_name}`, or pass --entry {}; its bindings are checked as if you had",
                    only.name
                ),
                [] => String::new(),
                _ => ": pass --entry NAME to choose one".to_string(),
            };
            problems.push(format!(
                "no entry point `{entry_name}` (found: {}){hint}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ));
            match compute.as_slice() {
                [only] => *only,
                _ => return shape,
            }
        }
    };
    let entry_name = entry.name.as_str();

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
            problems.push(format!(
                "override {name} has no default; the host sets only {WORKGROUP_SIZE} and {NONCES_PER_INVOCATION}"
            ));
        }
    }
    match entry.workgroup_size_overrides {
        None => {
            let [x, y, z] = entry.workgroup_size;
            if y != 1 || z != 1 {
                problems.push(format!(
                    "@workgroup_size({x}, {y}, {z}): the dispatch is one-dimensional per workgroup, give one size"
                ));
            } else {
                shape.fixed_workgroup_size = Some(x);
            }
        }
        Some([Some(x), None, None]) => {
            let from_override = match module.global_expressions[x] {
                Expression::Override(h) => {
                    module.overrides[h].name.as_deref() == Some(WORKGROUP_SIZE)
                }
                _ => false,
            };
            if !from_override {
                problems.push(format!(
                    "the workgroup size must be a literal or the override {WORKGROUP_SIZE}"
                ));
            }
        }
        Some(_) => problems.push(format!(
            "the workgroup size must be one value: a literal or the override {WORKGROUP_SIZE}"
        )),
    }
    if let Some((_, o)) = override_named(WORKGROUP_SIZE) {
        shape.default_workgroup_size = literal_default(o);
    }
    if let Some((_, o)) = override_named(NONCES_PER_INVOCATION) {
        shape.nonces_override = true;
        shape.default_nonces_per_invocation = literal_default(o);
    }

    // Bindings: what the entry point uses must be exactly the two the host binds.
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
                params = true;
                if global.space != AddressSpace::Uniform {
                    problems.push(format!(
                        "@group(0) @binding(0) `{name}` must be var<uniform> (the SearchParams block), not {}",
                        space_name(global.space)
                    ));
                }
                let TypeInner::Struct { span, .. } = ty else {
                    problems.push(format!(
                        "@binding(0) `{name}` must be a struct (SearchParams)"
                    ));
                    continue;
                };
                if *span > PARAMS_BYTES {
                    problems.push(format!(
                        "@binding(0) `{name}` is {span} bytes; SearchParams is {PARAMS_BYTES} (declare it, or a prefix of it)"
                    ));
                }
                if !only_u32(module, global.ty) {
                    problems.push(format!(
                        "@binding(0) `{name}`: every SearchParams field is made of u32"
                    ));
                }
            }
            (0, 1) => {
                hits = true;
                let writable = matches!(
                    global.space,
                    AddressSpace::Storage { access } if access.contains(naga::StorageAccess::STORE)
                );
                if !writable || !is_hit_list(module, ty) {
                    problems.push(format!(
                        "@group(0) @binding(1) `{name}` must be var<storage, read_write> of struct {{ count: atomic<u32>, nonces: array<u32> }}"
                    ));
                } else if !uses[handle].contains(GlobalUse::WRITE) {
                    problems.push(format!(
                        "`{entry_name}` never writes the hit list `{name}`"
                    ));
                }
            }
            (group, binding) => problems.push(format!(
                "`{name}` at @group({group}) @binding({binding}): the host binds only @group(0) @binding(0) (SearchParams) and @binding(1) (the hit list)"
            )),
        }
    }
    if !params {
        problems.push(format!(
            "`{entry_name}` never reads the SearchParams uniform at @group(0) @binding(0)"
        ));
    }
    if !hits {
        problems.push(format!(
            "`{entry_name}` never writes a hit: it uses no hit list at @group(0) @binding(1)"
        ));
    }
    shape
}

fn stage_name(stage: ShaderStage) -> &'static str {
    match stage {
        ShaderStage::Compute => "compute",
        ShaderStage::Vertex => "vertex",
        ShaderStage::Fragment => "fragment",
        _ => "other",
    }
}

fn space_name(space: AddressSpace) -> String {
    match space {
        AddressSpace::Uniform => "var<uniform>".into(),
        AddressSpace::Storage { access } if access.contains(naga::StorageAccess::STORE) => {
            "var<storage, read_write>".into()
        }
        AddressSpace::Storage { .. } => "var<storage, read>".into(),
        other => format!("{other:?}"),
    }
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
