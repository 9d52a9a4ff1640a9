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

use naga::valid::{Capabilities, ValidationFlags, Validator};

use super::compiled;
use super::hash_fn::{self, HashFnInfo, HashFnSpec};
use super::interface;
use super::rewrite::RewriteReport;

use super::interface::ENTRY_POINT;
use crate::error::{Error, Result};

/// A file a kernel may include, and the includes it needs itself.
struct Include {
    name: &'static str,
    text: &'static str,
    needs: &'static [&'static str],
}

const INCLUDES: [Include; 4] = [
    Include {
        name: "sha256.wgsl",
        text: include_str!("../../shaders/sha256.wgsl"),
        needs: &[],
    },
    Include {
        name: "search_interface.wgsl",
        text: include_str!("../../shaders/search_interface.wgsl"),
        needs: &[],
    },
    Include {
        name: "search_io.wgsl",
        text: include_str!("../../shaders/search_io.wgsl"),
        needs: &["sha256.wgsl", "search_interface.wgsl"],
    },
    Include {
        name: "sha256d_unrolled.wgsl",
        text: include_str!(concat!(env!("OUT_DIR"), "/sha256d_unrolled.wgsl")),
        needs: &["sha256.wgsl", "search_interface.wgsl", "search_io.wgsl"],
    },
];

const DIRECTIVE: &str = "hashwatt:include";

/// The largest kernel file read: 4 MiB. hashwatt's own fast kernel with its
/// generated include is under 100 KiB; a kernel with large tables fits many
/// times over, and naga never sees `/dev/zero` or a runaway file. Includes
/// are the files compiled into hashwatt above, never read from disk.
pub const MAX_KERNEL_BYTES: u64 = 4 << 20;

/// How a kernel file is loaded: the `--kernel` options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// `--kernel-as-written`: nothing is rewritten.
    pub as_written: bool,
    /// `--entry NAME`: the entry point, instead of `search`.
    pub entry: Option<String>,
    /// `--hash-fn NAME`: hashwatt writes the search around this function.
    pub hash_fn: Option<HashFnSpec>,
}

/// A search kernel, loaded and checked against the interface.
#[derive(PartialEq, Eq, Hash)]
pub struct KernelSource {
    /// How reports name it: `fast`, `reference`, or the path of a user's file.
    pub name: String,
    /// Where its text came from.
    pub path: String,
    /// The includes added after the file, in order.
    pub includes: Vec<&'static str>,
    /// The entry point the host runs: `search`, `--entry NAME`, or the one
    /// hashwatt wrote around `--hash-fn NAME`.
    pub entry_point: String,
    /// With `--hash-fn`: the function, its shape, and what of the file
    /// the generated search leaves out.
    pub hash_fn: Option<HashFnInfo>,
    /// The whole WGSL module as written: the file, then its includes.
    pub module: String,
    /// The WGSL that is compiled: `module`, with the `const` arrays it
    /// indexes at run time rewritten to go through `var<private>` copies
    /// (see `rewrite.rs`), unless loaded as written.
    pub compiled: String,
    /// What was rewritten, or why not.
    pub rewrite: RewriteReport,
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

impl std::fmt::Debug for KernelSource {
    /// The name and path; the module text is too long to be useful here.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KernelSource")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("includes", &self.includes)
            .finish_non_exhaustive()
    }
}

impl KernelSource {
    /// Reads and checks a user's kernel file. Every problem with the file is
    /// an input error (exit status 2) naming the file and line.
    pub fn load_file(path: &std::path::Path) -> Result<Self> {
        Self::load_file_with(path, &LoadOptions::default())
    }

    /// [`KernelSource::load_file`]; with `as_written`, nothing is rewritten
    /// (`--kernel-as-written`).
    pub fn load_file_as(path: &std::path::Path, as_written: bool) -> Result<Self> {
        let options = LoadOptions {
            as_written,
            ..LoadOptions::default()
        };
        Self::load_file_with(path, &options)
    }

    /// [`KernelSource::load_file`] with every `--kernel` option.
    pub fn load_file_with(path: &std::path::Path, options: &LoadOptions) -> Result<Self> {
        let shown = path.display().to_string();
        let text =
            crate::textfile::read_text(path, "--kernel", MAX_KERNEL_BYTES).map_err(Error::input)?;
        Self::load_with(&shown, &shown, &text, options)
    }

    /// Checks a kernel's text; `name` is how reports call it. Run-time
    /// indexed `const` arrays are rewritten (see `rewrite.rs`).
    pub fn load(name: &str, path: &str, text: &str) -> Result<Self> {
        Self::load_with(name, path, text, &LoadOptions::default())
    }

    /// [`KernelSource::load`]; with `as_written`, nothing is rewritten.
    pub fn load_as(name: &str, path: &str, text: &str, as_written: bool) -> Result<Self> {
        let options = LoadOptions {
            as_written,
            ..LoadOptions::default()
        };
        Self::load_with(name, path, text, &options)
    }

    /// [`KernelSource::load`] with every `--kernel` option. With a hash
    /// function, the file is the user's shader as it is and hashwatt
    /// appends the search around the function (`hash_fn.rs`).
    pub fn load_with(name: &str, path: &str, text: &str, options: &LoadOptions) -> Result<Self> {
        match &options.hash_fn {
            None => {
                let entry = options.entry.as_deref().unwrap_or(ENTRY_POINT);
                Self::load_module(name, path, text, None, entry, options.as_written, None)
            }
            Some(spec) => {
                if let Some(entry) = &options.entry {
                    return Err(Error::input(format!(
                        "--entry {entry} and --hash-fn {}: with --hash-fn hashwatt writes the entry point itself; give one of the two",
                        spec.name
                    )));
                }
                let generated = hash_fn::generate(path, text, spec)?;
                Self::load_module(
                    name,
                    path,
                    &generated.module,
                    Some(generated.generated_at),
                    &generated.entry_point,
                    options.as_written,
                    Some(generated.info),
                )
            }
        }
    }

    /// Loads a module: `generated_at` is where the part hashwatt wrote
    /// starts, so that an error there is not blamed on the user's file.
    fn load_module(
        name: &str,
        path: &str,
        text: &str,
        generated_at: Option<usize>,
        entry: &str,
        as_written: bool,
        hash_fn: Option<HashFnInfo>,
    ) -> Result<Self> {
        let includes = requested_includes(path, text)?;
        let mut module = text.to_string();
        // Where each part starts in the module, to map naga's spans back.
        let mut parts = vec![(path.to_string(), 0usize)];
        if let Some(at) = generated_at {
            parts.push((
                format!("{path}: the search hashwatt wrote (--emit FILE shows it)"),
                at,
            ));
        }
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
            if e.message().contains("redefinition") && includes.contains(&"sha256.wgsl") {
                let _ = write!(
                    message,
                    " (search_io.wgsl brings hashwatt's SHA-256 with it; beside a SHA-256 of your own, include search_interface.wgsl instead: the interface alone)"
                );
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
        let shape = interface::check(path, &parsed, &info, entry)?;
        let (compiled, rewrite) =
            compiled::compiled_form(path, &module, &parsed, &info, entry, as_written);
        Ok(KernelSource {
            name: name.to_string(),
            path: path.to_string(),
            includes,
            entry_point: entry.to_string(),
            hash_fn,
            module,
            compiled,
            rewrite,
            fixed_workgroup_size: shape.fixed_workgroup_size,
            default_workgroup_size: shape.default_workgroup_size,
            nonces_override: shape.nonces_override,
            default_nonces_per_invocation: shape.default_nonces_per_invocation,
        })
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
        assert_eq!(
            source.includes,
            vec!["sha256.wgsl", "search_interface.wgsl", "search_io.wgsl"]
        );
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
