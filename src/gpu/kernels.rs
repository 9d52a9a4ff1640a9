//! The WGSL kernels and how their sources are put together. As in hashcat,
//! one SHA-256 include serves many kernels: each module is
//! `shaders/sha256.wgsl` + `shaders/search_io.wgsl` + the kernel's own file
//! (the fast kernel also gets the unrolled rounds build.rs writes).

use std::fmt;

const SHA256_INCLUDE: &str = include_str!("../../shaders/sha256.wgsl");
const SEARCH_IO: &str = include_str!("../../shaders/search_io.wgsl");
const REFERENCE_KERNEL: &str = include_str!("../../shaders/sha256d_reference.wgsl");
const FAST_KERNEL: &str = include_str!("../../shaders/sha256d.wgsl");
const UNROLLED_ROUNDS: &str = include_str!(concat!(env!("OUT_DIR"), "/sha256d_unrolled.wgsl"));

/// Which search kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelVariant {
    /// Plain: rolled loops, one nonce per invocation. The yardstick.
    Reference,
    /// Precomputed, unrolled, constant-folded, cut short. What `bench` runs.
    Fast,
}

impl KernelVariant {
    pub fn name(self) -> &'static str {
        match self {
            KernelVariant::Reference => "reference",
            KernelVariant::Fast => "fast",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "reference" => Some(KernelVariant::Reference),
            "fast" => Some(KernelVariant::Fast),
            _ => None,
        }
    }
}

impl fmt::Display for KernelVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The most nonces one invocation of the fast kernel may try (the sweep
/// tries 1 to 8).
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

    /// Whether this configuration can run: a workgroup of 1 to
    /// `max_workgroup` invocations, 1 to [`MAX_NONCES_PER_INVOCATION`] nonces
    /// per invocation, and exactly 1 for the reference kernel (it has no
    /// loop: counting more would claim nonces it never hashed).
    pub fn check(&self, max_workgroup: u32) -> Result<(), String> {
        if self.workgroup_size == 0 || self.workgroup_size > max_workgroup {
            return Err(format!(
                "workgroup size {} is outside 1..={max_workgroup}",
                self.workgroup_size
            ));
        }
        match self.variant {
            KernelVariant::Reference if self.nonces_per_invocation != 1 => Err(format!(
                "the reference kernel hashes 1 nonce per invocation, not {}",
                self.nonces_per_invocation
            )),
            _ if self.nonces_per_invocation == 0
                || self.nonces_per_invocation > MAX_NONCES_PER_INVOCATION =>
            {
                Err(format!(
                    "nonces per invocation {} is outside 1..={MAX_NONCES_PER_INVOCATION}",
                    self.nonces_per_invocation
                ))
            }
            _ => Ok(()),
        }
    }

    /// Pipeline-overridable constants for this configuration.
    pub(crate) fn overrides(&self) -> Vec<(&'static str, f64)> {
        let mut constants = vec![("WORKGROUP_SIZE", self.workgroup_size as f64)];
        if self.variant == KernelVariant::Fast {
            constants.push(("NONCES_PER_INVOCATION", self.nonces_per_invocation as f64));
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

/// WGSL source of the module holding the search kernel of `variant`.
pub fn search_source(variant: KernelVariant) -> String {
    match variant {
        KernelVariant::Reference => format!("{SHA256_INCLUDE}\n{SEARCH_IO}\n{REFERENCE_KERNEL}"),
        KernelVariant::Fast => fast_source(),
    }
}

/// WGSL source of the module holding the whole-header digest kernel.
pub fn digest_source() -> String {
    fast_source()
}

fn fast_source() -> String {
    format!("{SHA256_INCLUDE}\n{SEARCH_IO}\n{UNROLLED_ROUNDS}\n{FAST_KERNEL}")
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
