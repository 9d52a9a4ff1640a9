//! Which devices run a search, from `--device`: an adapter's index in
//! `hashwatt devices`, a substring of its name, `pci:ADDRESS` for the
//! adapter at that PCI address (what a scheduler's `CUDA_VISIBLE_DEVICES`
//! resolves to through `nvidia-smi`), `cpu` for the CPU's fast search on
//! all cores (`--cpu-path`, `--threads`), `all` for every adapter, or
//! nothing for the best one present (steered by `WGPU_ADAPTER_NAME` when it
//! is set).

use crate::cpu::{self, CpuPath, CpuSearcher};
use crate::error::{Error, Result};
use crate::gpu::{self, DeviceSummary, GpuAdapter, GpuSearcher};
use crate::kernel::KernelConfig;
use crate::search::Searcher;
use crate::sensors::pci::PciAddress;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceSpec {
    Best,
    Cpu,
    All,
    Index(usize),
    Name(String),
    /// `pci:0000:41:00.0`: the adapter at this PCI address (wgpu reports
    /// it where the driver does: Vulkan with `VK_EXT_pci_bus_info`).
    Pci(PciAddress),
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
            n if n.starts_with("pci:") => DeviceSpec::Pci(PciAddress::parse(&n[4..]).ok_or_else(
                || {
                    Error::input(format!(
                        "--device {text}: not a PCI address (give pci:[DOMAIN:]BUS:DEVICE.FUNCTION in hex, e.g. pci:0000:41:00.0)"
                    ))
                },
            )?),
            _ => DeviceSpec::Name(text.to_string()),
        })
    }
}

/// A device chosen to run, not yet opened.
#[derive(Clone, Debug)]
pub enum DeviceChoice {
    /// The CPU's fast search on one path and `threads` threads.
    Cpu {
        threads: usize,
        path: CpuPath,
    },
    Gpu(Box<GpuAdapter>),
}

impl DeviceChoice {
    /// The adapter's information, `None` for the CPU device.
    pub fn adapter_info(&self) -> Option<&wgpu::AdapterInfo> {
        match self {
            DeviceChoice::Cpu { .. } => None,
            DeviceChoice::Gpu(adapter) => Some(&adapter.info),
        }
    }
}

/// `--cpu-path` and `--threads`: how `--device cpu` runs. `None` is the
/// default: the fastest path present, every core.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuOptions {
    pub path: Option<CpuPath>,
    pub threads: Option<usize>,
}

impl CpuOptions {
    /// Whether either option was given.
    pub fn given(&self) -> bool {
        self.path.is_some() || self.threads.is_some()
    }
}

impl DeviceChoice {
    /// The CPU as `options` say, by default its fastest path on every core.
    pub fn cpu(options: CpuOptions) -> Self {
        DeviceChoice::Cpu {
            threads: options.threads.unwrap_or_else(cpu::available_threads),
            path: options.path.unwrap_or_else(CpuPath::best),
        }
    }

    pub fn summary(&self) -> DeviceSummary {
        match self {
            DeviceChoice::Cpu { threads, path } => cpu_summary(*threads, *path),
            DeviceChoice::Gpu(adapter) => adapter.summary(),
        }
    }

    /// Whether this is the CPU device (its hits, like every device's, are
    /// checked by the sha2 reference).
    pub fn is_cpu_device(&self) -> bool {
        matches!(self, DeviceChoice::Cpu { .. })
    }

    /// Opens the device; for a GPU this compiles the kernels.
    pub fn open(&self, kernel: KernelConfig) -> Result<Box<dyn Searcher>> {
        Ok(match self {
            DeviceChoice::Cpu { threads, path } => {
                Box::new(CpuSearcher::with_path(*path, *threads)?)
            }
            DeviceChoice::Gpu(adapter) => Box::new(GpuSearcher::open(adapter, kernel)?),
        })
    }
}

pub fn cpu_summary(threads: usize, path: CpuPath) -> DeviceSummary {
    DeviceSummary {
        name: format!("CPU ({}, {threads} threads)", path.describe()),
        backend: "cpu".into(),
        device_type: "cpu-native".into(),
        driver: format!(
            "hashwatt {} path, {}; hits checked with sha2 0.10",
            path.name(),
            std::env::consts::ARCH
        ),
        cpu_path: Some(path.name().into()),
    }
}

/// `--threads`: at least 1, and at most the threads this machine runs at
/// once ([`cpu::available_threads`]): more only queue behind each other,
/// measure nothing better, and past a few thousand the system refuses to
/// start them.
pub fn check_threads(threads: Option<usize>) -> Result<()> {
    let most = cpu::available_threads();
    match threads {
        Some(0) => Err(Error::input("--threads must be at least 1")),
        Some(n) if n > most => Err(Error::input(format!(
            "--threads {n} is more than the {most} this machine runs at once (available parallelism); give at most {most}"
        ))),
        _ => Ok(()),
    }
}

/// Resolves a spec as [`select`] does, with the CPU run as `cpu` says.
/// `--cpu-path` and `--threads` need `--device cpu`.
pub fn select_with(
    spec: &DeviceSpec,
    adapters: &[GpuAdapter],
    cpu: CpuOptions,
) -> Result<Vec<DeviceChoice>> {
    if cpu.given() && *spec != DeviceSpec::Cpu {
        return Err(Error::input(
            "--cpu-path and --threads apply to the CPU device: add --device cpu",
        ));
    }
    check_threads(cpu.threads)?;
    Ok(select(spec, adapters)?
        .into_iter()
        .map(|choice| match choice {
            DeviceChoice::Cpu { .. } => DeviceChoice::cpu(cpu),
            gpu => gpu,
        })
        .collect())
}

/// Resolves a spec against the adapters present. `Best` falls back to the
/// CPU device when wgpu finds no adapter at all, and says so on stderr.
pub fn select(spec: &DeviceSpec, adapters: &[GpuAdapter]) -> Result<Vec<DeviceChoice>> {
    let cpu = DeviceChoice::cpu(CpuOptions::default());
    let unknown = |what: String| {
        let listed = if adapters.is_empty() {
            "wgpu found no adapter; `--device cpu` runs the CPU search".to_string()
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
        DeviceSpec::Pci(address) => best_of(
            adapters
                .iter()
                .filter(|a| PciAddress::parse(&a.info.device_pci_bus_id) == Some(*address)),
        )
        .map(|a| vec![DeviceChoice::Gpu(Box::new(a))])
        .ok_or_else(|| {
            unknown(format!(
                "at PCI address {address} (an adapter whose driver reports no PCI address cannot be picked this way)"
            ))
        }),
        DeviceSpec::Best => {
            if let Ok(name) = std::env::var("WGPU_ADAPTER_NAME") {
                return best_of(adapters.iter().filter(|a| name_matches(a, &name)))
                    .map(|a| vec![DeviceChoice::Gpu(Box::new(a))])
                    .ok_or_else(|| unknown(format!("{name:?} (from WGPU_ADAPTER_NAME)")));
            }
            match best_of(adapters.iter()) {
                Some(adapter) => Ok(vec![DeviceChoice::Gpu(Box::new(adapter))]),
                None => {
                    errln!("hashwatt: wgpu found no GPU adapter; running on the CPU instead");
                    Ok(vec![cpu])
                }
            }
        }
    }
}

/// With no hardware adapter (every one wgpu found is a software rasterizer
/// such as llvmpipe or WARP, type `Cpu`), the best honest device is the CPU
/// itself: it hashes faster there than a rasterizer emulating a GPU on the
/// same cores, and it is not presented as a GPU. Returns that choice and a
/// line naming the software adapters and how to pick one, or `None` when a
/// hardware adapter exists (or none at all, which `select` reports).
pub fn honest_default(adapters: &[GpuAdapter]) -> Option<(DeviceChoice, String)> {
    if adapters.is_empty()
        || adapters
            .iter()
            .any(|a| a.info.device_type != wgpu::DeviceType::Cpu)
    {
        return None;
    }
    let names: Vec<String> = adapters.iter().map(GpuAdapter::label).collect();
    let note = format!(
        "no hardware GPU found, so this benches the CPU; software adapters present: {} (pick one with --device N; they run on the same CPU)",
        names.join(", ")
    );
    Some((DeviceChoice::cpu(CpuOptions::default()), note))
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

/// What `bench` runs with no `--device`, and the note it prints then: the
/// CPU device where every adapter is a software rasterizer
/// ([`honest_default`]) and no kernel or wgpu variable asks for an
/// adapter; else the best adapter ([`select`]). `devices` stars
/// this same choice.
pub fn bench_default(
    adapters: &[GpuAdapter],
    wants_kernel: bool,
) -> Result<(Vec<DeviceChoice>, Option<String>)> {
    let steered = wants_kernel
        || std::env::var_os("WGPU_BACKEND").is_some()
        || std::env::var_os("WGPU_ADAPTER_NAME").is_some();
    if !steered {
        if let Some((cpu_choice, note)) = honest_default(adapters) {
            return Ok((vec![cpu_choice], Some(note)));
        }
    }
    Ok((select(&DeviceSpec::Best, adapters)?, None))
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
        let pci = DeviceSpec::parse(Some("pci:00000000:41:00.0")).unwrap();
        assert_eq!(
            pci,
            DeviceSpec::Pci(PciAddress::parse("0000:41:00.0").unwrap())
        );
        let err = DeviceSpec::parse(Some("pci:41")).unwrap_err();
        assert!(err.message.contains("not a PCI address"), "{}", err.message);
        let err = select(&pci, &[]).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::DEVICE);
        assert!(err.message.contains("0000:41:00.0"), "{}", err.message);
    }

    #[test]
    fn unknown_devices_are_device_errors() {
        let err = select(&DeviceSpec::Name("no such gpu".into()), &[]).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::DEVICE);
        assert!(err.message.contains("unknown device"));
        assert!(select(&DeviceSpec::Index(99), &[]).is_err());
        assert!(select(&DeviceSpec::Cpu, &[]).unwrap()[0].is_cpu_device());
    }

    #[test]
    fn cpu_options_need_the_cpu_device() {
        let scalar = CpuOptions {
            path: Some(CpuPath::Scalar),
            threads: Some(1),
        };
        let chosen = select_with(&DeviceSpec::Cpu, &[], scalar).unwrap();
        assert!(matches!(
            chosen[0],
            DeviceChoice::Cpu {
                threads: 1,
                path: CpuPath::Scalar
            }
        ));
        assert_eq!(
            chosen[0].summary().cpu_path.as_deref(),
            Some("scalar"),
            "the summary names the path"
        );
        let err = select_with(&DeviceSpec::Best, &[], scalar).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::BAD_INPUT);
        let zero = CpuOptions {
            path: None,
            threads: Some(0),
        };
        assert!(select_with(&DeviceSpec::Cpu, &[], zero).is_err());
    }
}
