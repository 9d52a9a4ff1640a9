//! A `--kernel FILE.wgsl` and its options, shared by `verify` and `bench`:
//! the load options from the command line, the lines that say what runs
//! (a hash function with hashwatt's search around it, the file's own entry
//! points bypassed), and `--emit`.

use crate::cli::KernelFileArgs;
use crate::error::{Error, Result};
use crate::kernel::hash_fn::{HashFnSpec, Shape, WordOrder};
use crate::kernel::{KernelConfig, KernelSource, KernelVariant, LoadOptions};
use crate::output::Destination;

/// The loader's options from `--entry`, `--hash-fn`, `--shape`,
/// `--word-order`, `--digest-order` and `--kernel-as-written`.
pub fn load_options(args: &KernelFileArgs, as_written: bool) -> Result<LoadOptions> {
    let order = |flag: &str, value: &Option<String>| match value.as_deref() {
        None => Ok(WordOrder::Be),
        Some(text) => WordOrder::parse(text)
            .ok_or_else(|| Error::input(format!("{flag} {text}: expected be or le"))),
    };
    let hash_fn = match &args.hash_fn {
        None => None,
        Some(name) => Some(HashFnSpec {
            name: name.clone(),
            shape: match args.shape.as_deref() {
                None => None,
                Some(text) => Some(Shape::parse(text).ok_or_else(|| {
                    Error::input(format!(
                        "--shape {text}: expected header, midstate or compress"
                    ))
                })?),
            },
            word_order: order("--word-order", &args.word_order)?,
            digest_order: order("--digest-order", &args.digest_order)?,
        }),
    };
    if let Some(entry) = &args.entry {
        if entry.trim().is_empty() {
            return Err(Error::input("--entry needs the name of an entry point"));
        }
    }
    Ok(LoadOptions {
        as_written,
        entry: args.entry.clone(),
        hash_fn,
    })
}

/// `--kernel FILE` with its options, for `verify`.
pub fn load_config(path: &std::path::Path, options: &LoadOptions) -> Result<KernelConfig> {
    KernelConfig::user_file_with(path, options).map_err(|e| with_skeleton(e, options))
}

/// `--kernel fast|reference|FILE` with its options, for `bench`.
pub fn load_variant(text: &str, options: &LoadOptions) -> Result<KernelVariant> {
    KernelVariant::parse_or_load_with(text, options).map_err(|e| with_skeleton(e, options))
}

/// A file that does not fit the interface: the interface to paste goes to
/// stderr before the error line, which says where it is.
fn with_skeleton(error: Error, options: &LoadOptions) -> Error {
    if !crate::kernel::is_interface_mismatch(&error.message) {
        return error;
    }
    let entry = options
        .entry
        .as_deref()
        .unwrap_or(crate::kernel::ENTRY_POINT);
    errln!(
        "the interface, to paste (or `// hashwatt:include search_interface.wgsl` for all but the entry point):"
    );
    // One errln!() a line: a newline inside one would be shown escaped.
    for line in crate::kernel::interface_skeleton(entry).lines() {
        errln!("{line}");
    }
    Error::input(format!(
        "{}; the interface to paste is above, or let hashwatt write the whole search around your hash function with --hash-fn NAME",
        error.message
    ))
}

/// `--emit FILE`, checked before anything runs.
pub fn prepare_emit(args: &KernelFileArgs, force: bool) -> Result<Option<Destination>> {
    args.emit
        .as_deref()
        .map(|path| Destination::prepare(path, force, "--emit"))
        .transpose()
}

/// Writes the WGSL compiled to `--emit`, and says so on stderr.
pub fn emit(destination: &Destination, wgsl: &str) -> Result<()> {
    destination.write(wgsl.as_bytes())?;
    errln!(
        "wrote the WGSL compiled ({} lines) to {}",
        wgsl.lines().count(),
        destination.path().display()
    );
    Ok(())
}

/// The line that says what a `--hash-fn` kernel runs, when it is one.
pub fn hash_fn_line(source: &KernelSource) -> Option<String> {
    source.hash_fn.as_ref().map(|info| info.describe())
}

/// The `verify` command that proves this kernel, for bench's note.
pub fn verify_command(source: &KernelSource) -> String {
    let mut command = format!("hashwatt verify --kernel {}", source.path);
    if let Some(info) = &source.hash_fn {
        command.push_str(&format!(" --hash-fn {}", info.function));
        if !info.shape_inferred {
            command.push_str(&format!(" --shape {}", info.shape));
        }
        if info.word_order != "be" {
            command.push_str(&format!(" --word-order {}", info.word_order));
        }
        if info.digest_order != "be" {
            command.push_str(&format!(" --digest-order {}", info.digest_order));
        }
    } else if source.entry_point != crate::kernel::ENTRY_POINT {
        command.push_str(&format!(" --entry {}", source.entry_point));
    }
    command
}
