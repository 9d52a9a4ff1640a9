//! The facts a result is worth nothing without: the machine it ran on, the
//! build that ran, and how it was asked for. Gathered once per run, with
//! `sysinfo` for the host (the same on Linux, macOS and Windows). A browser
//! fills [`HostInfo`] itself with what it can tell (see `web/`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
#[cfg(feature = "native")]
use sysinfo::{CpuRefreshKind, System};

/// The machine.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct HostInfo {
    /// The CPU's brand string, e.g. "AMD EPYC 9R14".
    pub cpu: String,
    /// Logical CPUs (hardware threads).
    pub logical_cpus: usize,
    pub physical_cores: Option<usize>,
    pub memory_bytes: u64,
    /// The operating system and its version, e.g. "Linux (Debian GNU/Linux 12)".
    pub os: String,
    pub kernel: String,
    pub arch: String,
}

/// The build.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct BuildInfo {
    pub hashwatt: String,
    /// The git commit it was built from, when built from a checkout;
    /// "-dirty" marks uncommitted changes.
    pub git_commit: Option<String>,
    pub wgpu: String,
    /// Whether it was an optimised (release) build.
    pub release: bool,
}

#[cfg(feature = "native")]
impl HostInfo {
    pub fn gather() -> Self {
        let mut system = System::new();
        system.refresh_cpu_list(CpuRefreshKind::nothing());
        system.refresh_memory();
        let cpus = system.cpus();
        HostInfo {
            cpu: cpus
                .first()
                .map(|c| c.brand().trim().to_string())
                .filter(|b| !b.is_empty())
                .unwrap_or_else(|| "unknown".into()),
            logical_cpus: cpus.len().max(1),
            physical_cores: System::physical_core_count(),
            memory_bytes: system.total_memory(),
            os: System::long_os_version().unwrap_or_else(|| std::env::consts::OS.into()),
            kernel: System::kernel_version().unwrap_or_else(|| "unknown".into()),
            arch: std::env::consts::ARCH.into(),
        }
    }
}

impl BuildInfo {
    pub fn current() -> Self {
        BuildInfo {
            hashwatt: env!("CARGO_PKG_VERSION").into(),
            git_commit: option_env!("HASHWATT_GIT_COMMIT").map(str::to_string),
            wgpu: env!("HASHWATT_WGPU_VERSION").into(),
            release: !cfg!(debug_assertions),
        }
    }
}

/// The command line as it was given (arguments that are not UTF-8 are
/// shown with replacement characters).
pub fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;

    #[test]
    fn facts_are_gathered() {
        let host = HostInfo::gather();
        assert!(host.logical_cpus >= 1);
        assert!(host.memory_bytes > 0);
        let build = BuildInfo::current();
        assert_eq!(build.hashwatt, env!("CARGO_PKG_VERSION"));
        assert!(build.wgpu.starts_with("30."), "{}", build.wgpu);
    }
}
