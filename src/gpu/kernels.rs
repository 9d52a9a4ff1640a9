//! The WGSL kernels and how their sources are put together: every kernel is
//! `shaders/sha256.wgsl` (the shared SHA-256 include) followed by the
//! kernel's own file.

use std::fmt;

const SHA256_INCLUDE: &str = include_str!("../../shaders/sha256.wgsl");
const REFERENCE_KERNELS: &str = include_str!("../../shaders/sha256d_reference.wgsl");

/// Which search kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelVariant {
    /// Plain: rolled loops, one nonce per invocation. The yardstick.
    Reference,
}

impl KernelVariant {
    pub fn name(self) -> &'static str {
        match self {
            KernelVariant::Reference => "reference",
        }
    }
}

impl fmt::Display for KernelVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a search kernel is launched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KernelConfig {
    pub variant: KernelVariant,
    /// Invocations per workgroup (the WGSL `override WORKGROUP_SIZE`).
    pub workgroup_size: u32,
    /// Nonces each invocation tries.
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
}

impl Default for KernelConfig {
    fn default() -> Self {
        KernelConfig::reference()
    }
}

/// WGSL source of the search kernel of `variant`.
pub fn search_source(variant: KernelVariant) -> String {
    match variant {
        KernelVariant::Reference => format!("{SHA256_INCLUDE}\n{REFERENCE_KERNELS}"),
    }
}

/// WGSL source of the whole-header digest kernel.
pub fn digest_source() -> String {
    format!("{SHA256_INCLUDE}\n{REFERENCE_KERNELS}")
}
