//! Loading a search kernel: one path for hashwatt's own kernels and for a
//! user's `.wgsl` file (docs/kernel-interface.md is the contract).
//!
//! A kernel file names the includes it wants on lines of the form
//! `// hashwatt:include sha256.wgsl`. The module is the file first, then its
//! includes (WGSL resolves module-scope names in any order), so every line
//! number naga reports in the user's part is the line in the user's file.
//! naga parses and validates the module and the interface is checked
//! (entry point, bindings, layouts, overrides) before any device sees it.

use std::fmt::Write as _;

use naga::valid::{Capabilities, GlobalUse, ValidationFlags, Validator};
use naga::{AddressSpace, Expression, ScalarKind, ShaderStage, TypeInner};

use crate::error::{Error, Result};

/// The entry point every search kernel has.
pub const ENTRY_POINT: &str = "search";
/// Size of the uniform block `SearchParams` the host writes.
pub const PARAMS_BYTES: u32 = 144;
/// The override the host sets to the workgroup size, when declared.
pub const WORKGROUP_SIZE: &str = "WORKGROUP_SIZE";
/// The override the host sets to the nonces per invocation, when declared.
pub const NONCES_PER_INVOCATION: &str = "NONCES_PER_INVOCATION";

/// A file a kernel may include, and the includes it needs itself.
struct Include {
    name: &'static str,
    text: &'static str,
    needs: &'static [&'static str],
}

const INCLUDES: [Include; 3] = [
    Include {
        name: "sha256.wgsl",
        text: include_str!("../../shaders/sha256.wgsl"),
        needs: &[],
    },
    Include {
        name: "search_io.wgsl",
        text: include_str!("../../shaders/search_io.wgsl"),
        needs: &["sha256.wgsl"],
    },
    Include {
        name: "sha256d_unrolled.wgsl",
        text: include_str!(concat!(env!("OUT_DIR"), "/sha256d_unrolled.wgsl")),
        needs: &["sha256.wgsl", "search_io.wgsl"],
    },
];

const DIRECTIVE: &str = "hashwatt:include";

/// A search kernel, loaded and checked against the interface.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct KernelSource {
    /// How reports name it: `fast`, `reference`, or the path of a user's file.
    pub name: String,
    /// Where its text came from.
    pub path: String,
    /// The includes added after the file, in order.
    pub includes: Vec<&'static str>,
    /// The whole WGSL module: the file, then its includes.
    pub module: String,
    /// `Some(n)` for a fixed `@workgroup_size(n)`, `None` when it is the
    /// `WORKGROUP_SIZE` override.
    pub fixed_workgroup_size: Option<u32>,
    /// The `WORKGROUP_SIZE` override's default, when it has a literal one.
    pub default_workgroup_size: Option<u32>,
    /// Whether it declares the `NONCES_PER_INVOCATION` override, and its
    /// literal default.
    pub nonces_override: bool,
    pub default_nonces_per_invocation: Option<u32>,
}

impl KernelSource {
    /// Reads and checks a user's kernel file. Every problem with the file is
    /// an input error (exit status 2) naming the file and line.
    pub fn load_file(path: &std::path::Path) -> Result<Self> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::input(format!("--kernel {shown}: cannot read it: {e}")))?;
        Self::load(&shown, &shown, &text)
    }

    /// Checks a kernel's text; `name` is how reports call it.
    pub fn load(name: &str, path: &str, text: &str) -> Result<Self> {
        let includes = requested_includes(path, text)?;
        let mut module = text.to_string();
        // Where each part starts in the module, to map naga's spans back.
        let mut parts = vec![(path.to_string(), 0usize)];
        for include in &includes {
            let found = INCLUDES
                .iter()
                .find(|i| i.name == *include)
                .expect("names were checked");
            if !module.ends_with('\n') {
                module.push('\n');
            }
            parts.push((format!("{path}: included {}", found.name), module.len()));
            module.push_str(found.text);
        }
        let at = |offset: usize| locate(&module, &parts, offset);
        let in_file = |offset: usize| parts.len() == 1 || offset < parts[1].1;

        let parsed = naga::front::wgsl::parse_str(&module).map_err(|e| {
            // Point at the user's file where a label lies there (a
            // redefinition has one label in the file, one in an include).
            let spans: Vec<(usize, &str)> = e
                .labels()
                .filter_map(|(span, label)| span.to_range().map(|r| (r.start, label)))
                .collect();
            let offset = spans
                .iter()
                .find(|(offset, _)| in_file(*offset))
                .map(|(offset, _)| *offset)
                .or_else(|| e.location(&module).map(|l| l.offset as usize));
            let mut message = match offset {
                Some(offset) => format!(
                    "{}: the kernel does not compile: {}",
                    at(offset),
                    e.message()
                ),
                None => format!("{path}: the kernel does not compile: {}", e.message()),
            };
            for (other, label) in &spans {
                if Some(*other) != offset {
                    match *label {
                        "" => {}
                        same if same == e.message() => {
                            let _ = write!(message, "; see also {}", at(*other));
                        }
                        label => {
                            let _ = write!(message, "; {label} at {}", at(*other));
                        }
                    }
                }
            }
            Error::input(message)
        })?;
        let info = Validator::new(ValidationFlags::all(), Capabilities::all())
            .validate(&parsed)
            .map_err(|e| {
                let place = e
                    .location(&module)
                    .map(|l| at(l.offset as usize))
                    .unwrap_or_else(|| path.to_string());
                Error::input(format!(
                    "{place}: the kernel is not valid WGSL: {}",
                    error_chain(e.as_inner())
                ))
            })?;
        let mut source = KernelSource {
            name: name.to_string(),
            path: path.to_string(),
            includes,
            module: String::new(),
            fixed_workgroup_size: None,
            default_workgroup_size: None,
            nonces_override: false,
            default_nonces_per_invocation: None,
        };
        source.check_interface(&parsed, &info)?;
        source.module = module;
        Ok(source)
    }

    fn check_interface(
        &mut self,
        module: &naga::Module,
        info: &naga::valid::ModuleInfo,
    ) -> Result<()> {
        let path = &self.path;
        let bad =
            |what: String| Error::input(format!("{path}: {what} (see docs/kernel-interface.md)"));
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
                self.fixed_workgroup_size = Some(x);
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
            self.default_workgroup_size = literal_default(o);
        }
        if let Some((_, o)) = override_named(NONCES_PER_INVOCATION) {
            self.nonces_override = true;
            self.default_nonces_per_invocation = literal_default(o);
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
        Ok(())
    }
}

/// The includes a file asks for, with what they need, in dependency order.
fn requested_includes(path: &str, text: &str) -> Result<Vec<&'static str>> {
    let mut wanted = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(comment) = trimmed.strip_prefix("//") else {
            continue;
        };
        let Some(rest) = comment
            .trim_start_matches(['/', '!'])
            .trim()
            .strip_prefix(DIRECTIVE)
        else {
            continue;
        };
        let name = rest.trim();
        let Some(include) = INCLUDES.iter().find(|i| i.name == name) else {
            let known: Vec<&str> = INCLUDES.iter().map(|i| i.name).collect();
            return Err(Error::input(format!(
                "{path}:{}: unknown include {name:?} (hashwatt has {})",
                number + 1,
                known.join(", ")
            )));
        };
        wanted.extend(include.needs.iter().copied());
        wanted.push(include.name);
    }
    Ok(INCLUDES
        .iter()
        .map(|i| i.name)
        .filter(|name| wanted.contains(name))
        .collect())
}

/// `file:line:column` of a byte offset in the module.
fn locate(module: &str, parts: &[(String, usize)], offset: usize) -> String {
    let (name, start) = parts
        .iter()
        .rev()
        .find(|(_, start)| *start <= offset)
        .expect("the first part starts at 0");
    let before = &module[*start..offset.min(module.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{name}:{line}:{column}")
}

/// An error and its causes, on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let _ = write!(text, ": {inner}");
        cause = inner.source();
    }
    text
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

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "// hashwatt:include search_io.wgsl
@compute @workgroup_size(64)
fn search(@builtin(global_invocation_id) gid: vec3<u32>) {
    let index = gid.x + gid.y * params.row_stride;
    if (index < params.nonce_count && full_check(params.nonce_base + index)) {
        record_hit(params.nonce_base + index);
    }
}
";

    #[test]
    fn includes_come_with_what_they_need() {
        let source = KernelSource::load("k", "k.wgsl", MINIMAL).unwrap();
        assert_eq!(source.includes, vec!["sha256.wgsl", "search_io.wgsl"]);
        assert_eq!(source.fixed_workgroup_size, Some(64));
        assert!(!source.nonces_override);
        assert!(source.module.starts_with(MINIMAL));
    }

    #[test]
    fn errors_name_the_line_in_the_users_file() {
        let broken = MINIMAL.replace("let index = gid.x", "let index = gid.x +");
        let error = KernelSource::load("k", "k.wgsl", &broken).unwrap_err();
        assert_eq!(error.exit_code(), crate::error::exit::BAD_INPUT);
        assert!(error.message.starts_with("k.wgsl:4:"), "{}", error.message);
        let unknown = MINIMAL.replace("full_check(", "no_such_fn(");
        let error = KernelSource::load("k", "k.wgsl", &unknown).unwrap_err();
        assert!(error.message.starts_with("k.wgsl:5:"), "{}", error.message);
        assert!(error.message.contains("no_such_fn"), "{}", error.message);
    }

    #[test]
    fn wrong_interfaces_are_refused() {
        let cases = [
            (MINIMAL.replace("fn search", "fn main"), "no entry point `search`"),
            (MINIMAL.replace("search_io", "sha256"), "does not compile"),
            (MINIMAL.replace("record_hit(params.nonce_base + index);", ""), "never writes a hit"),
            (
                MINIMAL.replace("// hashwatt:include search_io.wgsl", "// hashwatt:include nope.wgsl"),
                "k.wgsl:1: unknown include",
            ),
            (format!("{MINIMAL}\n@group(0) @binding(2) var<storage, read_write> extra: array<u32>;\nfn touch() {{ extra[0] = 1u; }}\n")
                .replace("record_hit(params.nonce_base + index);", "record_hit(params.nonce_base + index); touch();"),
                "@group(0) @binding(2)"),
        ];
        for (text, expected) in cases {
            let error = KernelSource::load("k", "k.wgsl", &text).unwrap_err();
            assert!(
                error.message.contains(expected),
                "{expected}: {}",
                error.message
            );
            assert_eq!(error.exit_code(), crate::error::exit::BAD_INPUT);
        }
    }
}
