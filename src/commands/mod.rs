//! One module per subcommand. Each turns parsed arguments into calls on the
//! library and prints a table or JSON; each returns the exit status.

pub mod bench;
pub mod compare;
pub mod devices;
pub mod estimate;
pub mod fleet;
pub mod headers;
pub mod kernel_cost;
mod kernel_file;
pub mod kernel_isa;
pub mod schemas;
pub mod search;
pub mod tune;
pub mod verify;
pub mod web;

use crate::cli::{Cli, Command, CpuArgs};
use crate::cpu::CpuPath;
use crate::devices::{CpuOptions, DeviceChoice, DeviceSpec};
use crate::error::Result;
use crate::output::Destination;
use crate::report::JsonOut;

/// Runs the command parsed from the command line and returns the exit
/// status.
pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Devices(args) => devices::run(&args),
        Command::Headers(args) => headers::run(&args),
        Command::Search(args) => search::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Tune(args) => tune::run(&args),
        Command::Estimate(args) => estimate::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Fleet(args) => fleet::run(&args),
        Command::KernelCost(args) => kernel_cost::run(&args),
        Command::Web(args) => web::run(&args),
        Command::RadvWorker => Ok(kernel_cost::radv_worker()),
    };
    // A closed standard output ends the run quietly, as Unix tools do;
    // any other failure to write it is exit 4, unless the command already
    // failed for a reason of its own.
    match (result, crate::output::stdout_status()) {
        (Ok(code), Ok(_)) => code,
        (Ok(code), Err(error)) if code == crate::error::exit::OK => {
            errln!("hashwatt: error: {error}");
            error.exit_code()
        }
        (Ok(code), Err(_)) => code,
        (Err(error), _) => {
            errln!("hashwatt: error: {error}");
            error.exit_code()
        }
    }
}

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

/// Resolves `--device` against the adapters, probed once; for `bench`
/// (`Some(wants_kernel)`), no device named is [`crate::devices::bench_default`].
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
        crate::devices::adapters()?
    };
    if let (Some(wants_kernel), DeviceSpec::Best) = (bench, &spec) {
        let (choices, note) = crate::devices::bench_default(&adapters, wants_kernel)?;
        if let Some(note) = note {
            errln!("hashwatt: {note}");
        }
        return Ok(choices);
    }
    crate::devices::select_with(&spec, &adapters, options)
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
