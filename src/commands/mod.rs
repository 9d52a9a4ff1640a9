//! One module per subcommand. Each turns parsed arguments into calls on the
//! library and prints a table or JSON; each returns the exit status.

pub mod bench;
mod bench_render;
mod bench_settings;
pub mod compare;
pub mod devices;
pub mod estimate;
pub mod fleet;
pub mod headers;
pub mod kernel_cost;
mod kernel_file;
pub mod kernel_isa;
pub mod search;
pub mod tune;
pub mod verify;
pub mod web;

use crate::cli::CpuArgs;
use crate::cpu::CpuPath;
use crate::device::{self, CpuOptions, DeviceChoice, DeviceSpec};
use crate::error::Result;
use crate::output::Destination;
use crate::report::JsonOut;

/// The devices `--device` names, resolved against the adapters present.
pub(crate) fn choose_devices(spec: Option<&str>) -> Result<Vec<DeviceChoice>> {
    choose_devices_with(spec, &CpuArgs::default())
}

/// The same, with `--cpu-path` and `--threads` for the CPU device.
pub(crate) fn choose_devices_with(spec: Option<&str>, cpu: &CpuArgs) -> Result<Vec<DeviceChoice>> {
    choose(spec, cpu, None)
}

/// The devices `bench` runs: as [`choose_devices_with`], except that with
/// no `--device` (and no wgpu variable steering the choice) a software
/// rasterizer is never benched as if it were the GPU; see
/// [`device::honest_default`]. A kernel asked for (`--kernel`, `--tune`)
/// needs an adapter, software or not, so it keeps the usual choice.
pub(crate) fn choose_bench_devices(
    spec: Option<&str>,
    cpu: &CpuArgs,
    wants_kernel: bool,
) -> Result<Vec<DeviceChoice>> {
    choose(spec, cpu, Some(wants_kernel))
}

/// What `bench` runs with no `--device`, and the note it prints then: the
/// CPU device where every adapter is a software rasterizer
/// ([`device::honest_default`]) and no kernel or wgpu variable asks for an
/// adapter; else the best adapter ([`device::select`]). `devices` stars
/// this same choice.
pub(crate) fn bench_default(
    adapters: &[crate::gpu::GpuAdapter],
    wants_kernel: bool,
) -> Result<(Vec<DeviceChoice>, Option<String>)> {
    let steered = wants_kernel
        || std::env::var_os("WGPU_BACKEND").is_some()
        || std::env::var_os("WGPU_ADAPTER_NAME").is_some();
    if !steered {
        if let Some((cpu_choice, note)) = device::honest_default(adapters) {
            return Ok((vec![cpu_choice], Some(note)));
        }
    }
    Ok((device::select(&DeviceSpec::Best, adapters)?, None))
}

/// Resolves `--device` against the adapters, probed once; for `bench`
/// (`Some(wants_kernel)`), no device named is [`bench_default`].
fn choose(spec: Option<&str>, cpu: &CpuArgs, bench: Option<bool>) -> Result<Vec<DeviceChoice>> {
    let options = CpuOptions {
        path: cpu.cpu_path.as_deref().map(CpuPath::parse).transpose()?,
        threads: cpu.threads,
    };
    let spec = DeviceSpec::parse(spec)?;
    if options.given() && spec != DeviceSpec::Cpu {
        // Said before any adapter is probed (drivers print on probing).
        return Err(crate::error::Error::input(
            "--cpu-path and --threads apply to the CPU device: add --device cpu",
        ));
    }
    let adapters = if spec == DeviceSpec::Cpu {
        Vec::new()
    } else {
        device::adapters()?
    };
    if let (Some(wants_kernel), DeviceSpec::Best) = (bench, &spec) {
        let (choices, note) = bench_default(&adapters, wants_kernel)?;
        if let Some(note) = note {
            errln!("hashwatt: {note}");
        }
        return Ok(choices);
    }
    device::select_with(&spec, &adapters, options)
}

/// A command's `--json` and `--plot` files name different files, and none
/// of its `inputs` (`(what, path)`): checked before anything runs (see
/// [`crate::output::check_outputs`]).
pub(crate) fn check_outputs(
    json: Option<&JsonOut>,
    plot: Option<&Destination>,
    inputs: &[(&str, &std::path::Path)],
) -> Result<()> {
    let mut outputs = Vec::new();
    if let Some(JsonOut::File(destination)) = json {
        outputs.push(("--json", destination.path()));
    }
    if let Some(destination) = plot {
        outputs.push(("--plot", destination.path()));
    }
    crate::output::check_outputs(&outputs, inputs)
}

/// `--json` takes the word after it as its file, so in a command that
/// also takes files (`compare --json a.json b.json`, `fleet --json DIR`)
/// the first of them would become the output. An existing file named
/// there is refused, as any is without `--force`, with the reason said.
pub(crate) fn json_before_files(json: Option<&str>, force: bool) -> Result<()> {
    match json {
        Some(path) if path != "-" && !force && std::path::Path::new(path).exists() => {
            Err(crate::error::Error::input(format!(
                "--json {} exists: `--json` writes to the word after it; to print JSON, put --json after the files (or write --json -); to replace the file, add --force",
                std::path::Path::new(path).display()
            )))
        }
        _ => Ok(()),
    }
}

/// The file behind `--header @FILE` (or `--network-from @FILE`), if any.
pub(crate) fn header_file(spec: Option<&str>) -> Option<&std::path::Path> {
    spec.and_then(|s| s.strip_prefix('@'))
        .map(std::path::Path::new)
}
