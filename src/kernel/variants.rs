//! The search kernels and their launch settings. hashwatt's own kernels are
//! loaded through the same path as a user's file (`kernel::source`): each
//! file names the includes it wants (`shaders/sha256.wgsl`,
//! `shaders/search_io.wgsl`, the unrolled rounds build.rs writes), as
//! hashcat's kernels share one SHA-256 include.

use std::fmt;
use std::sync::OnceLock;

use super::source::{KernelSource, LoadOptions};
use crate::error::{Error, Result};

const REFERENCE_KERNEL: &str = include_str!("../../shaders/sha256d_reference.wgsl");
const FAST_KERNEL: &str = include_str!("../../shaders/sha256d.wgsl");

/// Which search kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelVariant {
    /// Plain: rolled loops, one nonce per invocation. The yardstick.
    Reference,
    /// Precomputed, unrolled, constant-folded, cut short. What `bench` runs.
    Fast,
    /// A user's kernel file (`--kernel FILE.wgsl`), loaded and checked. It
    /// lives as long as the program, as the built-in sources do, which keeps
    /// this type `Copy`.
    User(&'static KernelSource),
}

impl KernelVariant {
    pub fn name(self) -> &'static str {
        match self {
            KernelVariant::Reference => "reference",
            KernelVariant::Fast => "fast",
            KernelVariant::User(source) => &source.name,
        }
    }

    /// The checked source of this kernel.
    pub fn source(self) -> &'static KernelSource {
        static REFERENCE: OnceLock<KernelSource> = OnceLock::new();
        static FAST: OnceLock<KernelSource> = OnceLock::new();
        let builtin = |name, path, text| {
            KernelSource::load(name, path, text)
                .unwrap_or_else(|e| panic!("hashwatt's own {name} kernel loads: {e}"))
        };
        match self {
            KernelVariant::Reference => REFERENCE.get_or_init(|| {
                builtin(
                    "reference",
                    "shaders/sha256d_reference.wgsl",
                    REFERENCE_KERNEL,
                )
            }),
            KernelVariant::Fast => {
                FAST.get_or_init(|| builtin("fast", "shaders/sha256d.wgsl", FAST_KERNEL))
            }
            KernelVariant::User(source) => source,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "reference" => Some(KernelVariant::Reference),
            "fast" => Some(KernelVariant::Fast),
            _ => None,
        }
    }

    /// `--kernel`: `fast`, `reference`, or the path of a `.wgsl` file,
    /// loaded and checked against the kernel interface.
    pub fn parse_or_load(text: &str) -> Result<Self> {
        Self::parse_or_load_as(text, false)
    }

    /// [`KernelVariant::parse_or_load`]; with `as_written`, a file's
    /// run-time indexed `const`s are not rewritten (`--kernel-as-written`).
    /// hashwatt's own kernels need no rewrite (a unit test checks it), so
    /// for them it changes nothing.
    pub fn parse_or_load_as(text: &str, as_written: bool) -> Result<Self> {
        let options = LoadOptions {
            as_written,
            ..LoadOptions::default()
        };
        Self::parse_or_load_with(text, &options)
    }

    /// [`KernelVariant::parse_or_load`] with every `--kernel` option
    /// (`--entry`, `--hash-fn`), which only a file takes.
    pub fn parse_or_load_with(text: &str, options: &LoadOptions) -> Result<Self> {
        if let Some(variant) = KernelVariant::parse(text) {
            if options.entry.is_some() || options.hash_fn.is_some() {
                return Err(Error::input(format!(
                    "--kernel {text} is hashwatt's own kernel; --entry and --hash-fn are for a kernel file"
                )));
            }
            return Ok(variant);
        }
        let path = std::path::Path::new(text);
        if text.ends_with(".wgsl") || path.exists() {
            let source: &'static KernelSource =
                Box::leak(Box::new(KernelSource::load_file_with(path, options)?));
            return Ok(KernelVariant::User(source));
        }
        Err(Error::input(format!(
            "--kernel {text}: expected `fast`, `reference` or a .wgsl file"
        )))
    }
}

impl fmt::Display for KernelVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The most nonces one invocation of the fast kernel may try (the sweep
/// tries 1 to 32).
pub const MAX_NONCES_PER_INVOCATION: u32 = 256;

/// The largest workgroup any adapter offers (WebGPU's limit on real GPUs is
/// 256 to 1024); an adapter's own limit is checked when it is opened.
pub const MAX_WORKGROUP_SIZE: u32 = 1024;

/// How a search kernel is launched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KernelConfig {
    pub variant: KernelVariant,
    /// Invocations per workgroup (the WGSL `override WORKGROUP_SIZE`).
    pub workgroup_size: u32,
    /// Nonces each invocation tries (`override NONCES_PER_INVOCATION`; the
    /// reference kernel always does 1).
    pub nonces_per_invocation: u32,
}

impl KernelConfig {
    pub fn reference() -> Self {
        KernelConfig {
            variant: KernelVariant::Reference,
            workgroup_size: 64,
            nonces_per_invocation: 1,
        }
    }

    /// The fast kernel's settings before tuning: a common sweet spot.
    pub fn fast() -> Self {
        KernelConfig {
            variant: KernelVariant::Fast,
            workgroup_size: 256,
            nonces_per_invocation: 4,
        }
    }

    /// A user's kernel file, with the settings it declares: its fixed
    /// workgroup size or its override's default (else 64), and its
    /// `NONCES_PER_INVOCATION` default (else 1).
    pub fn user_file(path: &std::path::Path) -> Result<Self> {
        Self::user_file_as(path, false)
    }

    /// [`KernelConfig::user_file`]; with `as_written`, nothing is rewritten.
    pub fn user_file_as(path: &std::path::Path, as_written: bool) -> Result<Self> {
        let options = LoadOptions {
            as_written,
            ..LoadOptions::default()
        };
        Self::user_file_with(path, &options)
    }

    /// [`KernelConfig::user_file`] with every `--kernel` option.
    pub fn user_file_with(path: &std::path::Path, options: &LoadOptions) -> Result<Self> {
        let source: &'static KernelSource =
            Box::leak(Box::new(KernelSource::load_file_with(path, options)?));
        Ok(KernelConfig::for_variant(KernelVariant::User(source)))
    }

    /// A kernel with the settings its file declares.
    pub fn for_variant(variant: KernelVariant) -> Self {
        let source = variant.source();
        KernelConfig {
            variant,
            workgroup_size: source
                .fixed_workgroup_size
                .or(source.default_workgroup_size)
                .unwrap_or(64),
            nonces_per_invocation: if source.nonces_override {
                source.default_nonces_per_invocation.unwrap_or(1)
            } else {
                1
            },
        }
    }

    /// Whether this configuration can run: a workgroup of 1 to
    /// `max_workgroup` invocations (the size a kernel file fixes, if it
    /// fixes one), 1 to [`MAX_NONCES_PER_INVOCATION`] nonces per invocation,
    /// and exactly 1 for a kernel without a `NONCES_PER_INVOCATION`
    /// override, such as the reference kernel (counting more would claim
    /// nonces it never hashed).
    pub fn check(&self, max_workgroup: u32) -> Result<(), String> {
        let source = self.variant.source();
        if let Some(fixed) = source.fixed_workgroup_size {
            if fixed != self.workgroup_size {
                return Err(format!(
                    "{}: the workgroup size is fixed at {fixed} in the file, not {}",
                    source.path, self.workgroup_size
                ));
            }
        }
        if self.workgroup_size == 0 || self.workgroup_size > max_workgroup {
            return Err(format!(
                "workgroup size {} is outside 1..={max_workgroup}",
                self.workgroup_size
            ));
        }
        if self.nonces_per_invocation == 0 || self.nonces_per_invocation > MAX_NONCES_PER_INVOCATION
        {
            return Err(format!(
                "nonces per invocation {} is outside 1..={MAX_NONCES_PER_INVOCATION}",
                self.nonces_per_invocation
            ));
        }
        if !source.nonces_override && self.nonces_per_invocation != 1 {
            return Err(match self.variant {
                KernelVariant::Reference => format!(
                    "the reference kernel hashes 1 nonce per invocation, not {}",
                    self.nonces_per_invocation
                ),
                _ => format!(
                    "{}: it declares no NONCES_PER_INVOCATION override, so it does 1 nonce per invocation, not {}",
                    source.path, self.nonces_per_invocation
                ),
            });
        }
        Ok(())
    }

    /// The entry point the host runs.
    pub fn entry_point(&self) -> &'static str {
        &self.variant.source().entry_point
    }

    /// The WGSL module to compile (rewritten, see `rewrite.rs`, unless
    /// loaded as written).
    pub(crate) fn compiled_module(&self) -> &'static str {
        &self.variant.source().compiled
    }

    /// Pipeline-overridable constants for this configuration: only those
    /// the kernel declares.
    pub(crate) fn overrides(&self) -> Vec<(&'static str, f64)> {
        let source = self.variant.source();
        let mut constants = Vec::new();
        if source.fixed_workgroup_size.is_none() {
            constants.push((super::interface::WORKGROUP_SIZE, self.workgroup_size as f64));
        }
        if source.nonces_override {
            constants.push((
                super::interface::NONCES_PER_INVOCATION,
                self.nonces_per_invocation as f64,
            ));
        }
        constants
    }
}

impl Default for KernelConfig {
    fn default() -> Self {
        KernelConfig::fast()
    }
}

impl fmt::Display for KernelConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (workgroup {}, {} nonce(s) per invocation)",
            self.variant, self.workgroup_size, self.nonces_per_invocation
        )
    }
}

/// WGSL source of the module holding the search kernel of `variant`, as
/// compiled.
pub fn search_source(variant: KernelVariant) -> String {
    variant.source().compiled.clone()
}

/// SHA-256 (hex) of the exact WGSL source a search kernel compiles from,
/// for the record of a run (`source().rewrite` also has the hash of the
/// file as written).
pub fn source_sha256(variant: KernelVariant) -> String {
    variant.source().rewrite.wgsl_sha256_compiled.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_settings_are_refused() {
        assert!(KernelConfig::fast().check(256).is_ok());
        assert!(KernelConfig::reference().check(256).is_ok());
        let with = |variant, workgroup_size, nonces_per_invocation| KernelConfig {
            variant,
            workgroup_size,
            nonces_per_invocation,
        };
        for bad in [
            with(KernelVariant::Fast, 0, 4),
            with(KernelVariant::Fast, 512, 4),
            with(KernelVariant::Fast, 64, 0),
            with(KernelVariant::Fast, 64, 257),
            with(KernelVariant::Reference, 64, 4),
            with(KernelVariant::Reference, 64, 0),
        ] {
            assert!(bad.check(256).is_err(), "{bad}");
        }
    }
}
