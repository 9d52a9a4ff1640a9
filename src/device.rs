//! Which devices run a search, from `--device`: an adapter's index in
//! `hashwatt devices`, a substring of its name, `cpu` for the sha2 reference
//! on all cores, `all` for every adapter, or nothing for the best one
//! present (steered by `WGPU_ADAPTER_NAME` when it is set).

use crate::cpu::{self, CpuSearcher};
use crate::error::{Error, Result};
use crate::gpu::{self, DeviceSummary, GpuAdapter, GpuSearcher, KernelConfig};
use crate::search::Searcher;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceSpec {
    Best,
    Cpu,
    All,
    Index(usize),
    Name(String),
}

impl DeviceSpec {
    pub fn parse(text: Option<&str>) -> Result<Self> {
        let Some(text) = text.map(str::trim) else {
            return Ok(DeviceSpec::Best);
        };
        Ok(match text.to_ascii_lowercase().as_str() {
            "" => {
                return Err(Error::input(
                    "--device is empty; give an index, a name, `cpu` or `all`",
                ))
            }
            "best" => DeviceSpec::Best,
            "cpu" => DeviceSpec::Cpu,
            "all" => DeviceSpec::All,
            n if n.bytes().all(|b| b.is_ascii_digit()) => DeviceSpec::Index(
                n.parse()
                    .map_err(|_| Error::input(format!("--device {text}: not a device index")))?,
            ),
            _ => DeviceSpec::Name(text.to_string()),
        })
    }
}

/// A device chosen to run, not yet opened.
#[derive(Clone, Debug)]
pub enum DeviceChoice {
    Cpu { threads: usize },
    Gpu(Box<GpuAdapter>),
}

impl DeviceChoice {
    pub fn summary(&self) -> DeviceSummary {
        match self {
            DeviceChoice::Cpu { threads } => cpu_summary(*threads),
            DeviceChoice::Gpu(adapter) => adapter.summary(),
        }
    }

    pub fn is_cpu_reference(&self) -> bool {
        matches!(self, DeviceChoice::Cpu { .. })
    }

    /// Opens the device; for a GPU this compiles the kernels.
    pub fn open(&self, kernel: KernelConfig) -> Result<Box<dyn Searcher>> {
        Ok(match self {
            DeviceChoice::Cpu { threads } => Box::new(CpuSearcher::new(*threads)),
            DeviceChoice::Gpu(adapter) => Box::new(GpuSearcher::open(adapter, kernel)?),
        })
    }
}

pub fn cpu_summary(threads: usize) -> DeviceSummary {
    DeviceSummary {
        name: format!("CPU reference (sha2, {threads} threads)"),
        backend: "cpu".into(),
        device_type: "cpu-reference".into(),
        driver: format!("sha2 0.10, {}", std::env::consts::ARCH),
    }
}

/// Resolves a spec against the adapters present. `Best` falls back to the
/// CPU reference when wgpu finds no adapter at all, and says so on stderr.
pub fn select(spec: &DeviceSpec, adapters: &[GpuAdapter]) -> Result<Vec<DeviceChoice>> {
    let cpu = DeviceChoice::Cpu {
        threads: cpu::available_threads(),
    };
    let unknown = |what: String| {
        let listed = if adapters.is_empty() {
            "wgpu found no adapter; `--device cpu` runs the CPU reference".to_string()
        } else {
            let names: Vec<String> = adapters.iter().map(GpuAdapter::label).collect();
            format!("adapters: {}; or `cpu`, `all`", names.join(", "))
        };
        Error::device(format!("unknown device {what} ({listed})"))
    };
    match spec {
        DeviceSpec::Cpu => Ok(vec![cpu]),
        DeviceSpec::All => {
            if adapters.is_empty() {
                Err(Error::device("--device all: wgpu found no adapter (is a Vulkan, Metal, DX12 or GL driver installed?)"))
            } else {
                Ok(adapters
                    .iter()
                    .cloned()
                    .map(|a| DeviceChoice::Gpu(Box::new(a)))
                    .collect())
            }
        }
        DeviceSpec::Index(index) => adapters
            .iter()
            .find(|a| a.index == *index)
            .map(|a| vec![DeviceChoice::Gpu(Box::new(a.clone()))])
            .ok_or_else(|| unknown(format!("#{index}"))),
        DeviceSpec::Name(name) => best_of(adapters.iter().filter(|a| name_matches(a, name)))
            .map(|a| vec![DeviceChoice::Gpu(Box::new(a))])
            .ok_or_else(|| unknown(format!("{name:?}"))),
        DeviceSpec::Best => {
            if let Ok(name) = std::env::var("WGPU_ADAPTER_NAME") {
                return best_of(adapters.iter().filter(|a| name_matches(a, &name)))
                    .map(|a| vec![DeviceChoice::Gpu(Box::new(a))])
                    .ok_or_else(|| unknown(format!("{name:?} (from WGPU_ADAPTER_NAME)")));
            }
            match best_of(adapters.iter()) {
                Some(adapter) => Ok(vec![DeviceChoice::Gpu(Box::new(adapter))]),
                None => {
                    errln!(
                        "hashwatt: wgpu found no GPU adapter; running the CPU reference instead"
                    );
                    Ok(vec![cpu])
                }
            }
        }
    }
}

fn name_matches(adapter: &GpuAdapter, name: &str) -> bool {
    adapter
        .info
        .name
        .to_lowercase()
        .contains(&name.to_lowercase())
}

fn best_of<'a>(adapters: impl Iterator<Item = &'a GpuAdapter>) -> Option<GpuAdapter> {
    // Highest rank; among equals, the first listed.
    adapters
        .fold(None::<&GpuAdapter>, |best, a| match best {
            Some(b) if b.rank() >= a.rank() => Some(b),
            _ => Some(a),
        })
        .cloned()
}

/// Every adapter present, for `devices` and for selection. A `WGPU_BACKEND`
/// that names no backend is bad input, not a silent fall back to the CPU.
pub fn adapters() -> Result<Vec<GpuAdapter>> {
    gpu::backends_from_env().map_err(Error::input)?;
    Ok(gpu::enumerate_adapters())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        assert_eq!(DeviceSpec::parse(None).unwrap(), DeviceSpec::Best);
        assert_eq!(DeviceSpec::parse(Some("CPU")).unwrap(), DeviceSpec::Cpu);
        assert_eq!(DeviceSpec::parse(Some("all")).unwrap(), DeviceSpec::All);
        assert_eq!(DeviceSpec::parse(Some("1")).unwrap(), DeviceSpec::Index(1));
        assert_eq!(
            DeviceSpec::parse(Some("llvmpipe")).unwrap(),
            DeviceSpec::Name("llvmpipe".into())
        );
        assert!(DeviceSpec::parse(Some(" ")).is_err());
    }

    #[test]
    fn unknown_devices_are_device_errors() {
        let err = select(&DeviceSpec::Name("no such gpu".into()), &[]).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::DEVICE);
        assert!(err.message.contains("unknown device"));
        assert!(select(&DeviceSpec::Index(99), &[]).is_err());
        assert!(select(&DeviceSpec::Cpu, &[]).unwrap()[0].is_cpu_reference());
    }
}
