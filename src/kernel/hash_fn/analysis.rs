//! What hashwatt needs to know before it writes around a user's hash
//! function: that the file compiles on its own, the function and its
//! shape, that it reads no binding, and names the file does not use.

use super::{HashFnInfo, HashFnSpec, Shape, Signature, WordOrder};
use crate::error::{Error, Result};
use naga::valid::{Capabilities, ValidationFlags, Validator};

/// What generation needs to know of the file and the function.
pub(super) struct Analysis {
    /// A prefix no module-scope name of the file starts with.
    pub(super) prefix: String,
    pub(super) shape: Shape,
    pub(super) signature: Signature,
    /// Whether the names are free in the file: the entry point `search`,
    /// the overrides the host sets (or they are the file's overrides).
    pub(super) search_free: bool,
    pub(super) workgroup: Sizing,
    pub(super) nonces: Sizing,
    pub(super) info: HashFnInfo,
}

/// How the generated search treats an override the host sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sizing {
    /// The file declares it as an override: use it, the host sets it.
    Files,
    /// The name is free: declare it.
    Declare,
    /// The name is taken by something else: use a literal.
    Literal,
}

pub(super) fn analyse(path: &str, text: &str, spec: &HashFnSpec) -> Result<Analysis> {
    let module = naga::front::wgsl::parse_str(text).map_err(|e| {
        let place = e
            .location(text)
            .map(|l| format!("{path}:{}:{}", l.line_number, l.line_position))
            .unwrap_or_else(|| path.to_string());
        Error::input(format!(
            "{place}: the file does not compile on its own: {}",
            e.message()
        ))
    })?;
    let info = Validator::new(ValidationFlags::all(), Capabilities::all())
        .validate(&module)
        .map_err(|e| {
            Error::input(format!(
                "{path}: the file is not valid WGSL on its own: {}",
                e.as_inner()
            ))
        })?;
    let Some((handle, function)) = module
        .functions
        .iter()
        .find(|(_, f)| f.name.as_deref() == Some(spec.name.as_str()))
    else {
        let candidates: Vec<String> = module
            .functions
            .iter()
            .filter(|(_, f)| {
                let sig = Signature::read(&module, f);
                Shape::ALL.iter().any(|s| sig.fits(*s))
            })
            .filter_map(|(_, f)| f.name.clone())
            .collect();
        let entry = module.entry_points.iter().any(|e| e.name == spec.name);
        return Err(Error::input(format!(
            "{path}: --hash-fn {}: {}{}",
            spec.name,
            if entry {
                "that is an entry point; name the function that hashes one header (the search calls it once per nonce)"
            } else {
                "no function of that name in the file"
            },
            if candidates.is_empty() {
                String::new()
            } else {
                format!(
                    " (functions with a shape hashwatt knows: {})",
                    candidates.join(", ")
                )
            }
        )));
    };
    let signature = Signature::read(&module, function);
    let (shape, inferred) = match spec.shape {
        Some(shape) if signature.fits(shape) => (shape, false),
        Some(shape) => {
            return Err(Error::input(format!(
                "{path}: --hash-fn {} --shape {}: `{}` does not have that shape, which is {}",
                spec.name,
                shape.name(),
                signature.text,
                shape.signatures()
            )))
        }
        None => {
            let fitting: Vec<Shape> = Shape::ALL
                .into_iter()
                .filter(|s| signature.fits(*s))
                .collect();
            match fitting.as_slice() {
                [one] => (*one, true),
                [] => {
                    let known: Vec<String> = Shape::ALL
                        .iter()
                        .map(|s| format!("{}: {}", s.name(), s.signatures()))
                        .collect();
                    return Err(Error::input(format!(
                        "{path}: --hash-fn {}: `{}` has no shape hashwatt knows; the shapes are {}",
                        spec.name,
                        signature.text,
                        known.join("; ")
                    )));
                }
                many => {
                    let names: Vec<String> = many
                        .iter()
                        .map(|s| format!("--shape {}", s.name()))
                        .collect();
                    return Err(Error::input(format!(
                        "{path}: --hash-fn {}: `{}` fits more than one shape; give {} (compress: one compression, (state, block) -> state; midstate: sha256d of the header from its midstate and second block)",
                        spec.name,
                        signature.text,
                        names.join(" or ")
                    )));
                }
            }
        }
    };
    if shape == Shape::Compress && spec.digest_order == WordOrder::Le {
        return Err(Error::input(format!(
            "{path}: --digest-order le with the compress shape: a compression's state words are numbers, chained from one block to the next, never byte-swapped; give --word-order for its block words"
        )));
    }
    // The function runs with its arguments alone: a binding of the file is
    // not there when hashwatt's search calls it.
    let function_info = &info[handle];
    let bound: Vec<String> = module
        .global_variables
        .iter()
        .filter(|(g, var)| var.binding.is_some() && !function_info[*g].is_empty())
        .map(|(_, var)| binding_name(var))
        .collect();
    if !bound.is_empty() {
        return Err(Error::input(format!(
            "{path}: --hash-fn {}: the function reads the file's binding(s) {}; hashwatt runs it with its arguments alone, so it must take the header (or state and block) as arguments",
            spec.name,
            bound.join(", ")
        )));
    }

    let names = module_scope_names(&module);
    let mut prefix = "hashwatt_".to_string();
    let mut n = 2;
    while text.contains(&prefix) || names.iter().any(|name| name.starts_with(&prefix)) {
        prefix = format!("hashwatt{n}_");
        n += 1;
    }
    let sizing = |name: &str| {
        if module
            .overrides
            .iter()
            .any(|(_, o)| o.name.as_deref() == Some(name))
        {
            Sizing::Files
        } else if names.iter().any(|n| n == name) {
            Sizing::Literal
        } else {
            Sizing::Declare
        }
    };
    let workgroup = sizing(super::super::interface::WORKGROUP_SIZE);
    // Nonces per invocation: the file's override if it has one (the host
    // sets it, and dispatches that many fewer invocations); else one.
    let nonces = match sizing(super::super::interface::NONCES_PER_INVOCATION) {
        Sizing::Files => Sizing::Files,
        _ => Sizing::Literal,
    };
    let info = HashFnInfo {
        function: spec.name.clone(),
        signature: signature.text.clone(),
        shape: shape.name().to_string(),
        shape_inferred: inferred,
        word_order: spec.word_order.name().to_string(),
        digest_order: spec.digest_order.name().to_string(),
        bypassed_entry_points: module
            .entry_points
            .iter()
            .map(|e| format!("`{}`", e.name))
            .collect(),
        bypassed_bindings: module
            .global_variables
            .iter()
            .filter(|(_, var)| var.binding.is_some())
            .map(|(_, var)| binding_name(var))
            .collect(),
    };
    Ok(Analysis {
        prefix,
        shape,
        signature,
        search_free: !names
            .iter()
            .any(|n| n == super::super::interface::ENTRY_POINT),
        workgroup,
        nonces,
        info,
    })
}

fn binding_name(var: &naga::GlobalVariable) -> String {
    let binding = var.binding.as_ref().expect("bound");
    format!(
        "`{}` (@group({}) @binding({}))",
        var.name.as_deref().unwrap_or("?"),
        binding.group,
        binding.binding
    )
}

/// Every name declared at module scope: functions, entry points, globals,
/// constants, overrides and named types.
fn module_scope_names(module: &naga::Module) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    names.extend(module.functions.iter().filter_map(|(_, f)| f.name.clone()));
    names.extend(module.entry_points.iter().map(|e| e.name.clone()));
    names.extend(
        module
            .global_variables
            .iter()
            .filter_map(|(_, g)| g.name.clone()),
    );
    names.extend(module.constants.iter().filter_map(|(_, c)| c.name.clone()));
    names.extend(module.overrides.iter().filter_map(|(_, o)| o.name.clone()));
    names.extend(module.types.iter().filter_map(|(_, t)| t.name.clone()));
    names
}
