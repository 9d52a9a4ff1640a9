//! What each command takes: the clap derive definitions of every
//! subcommand's arguments, and the parsers their numbers go through.

use clap::Args;

use crate::cli::numbers::parse_number;
use crate::cli::numbers::parse_whole;
use crate::cli::numbers::Bounded;

/// Every float argument: finite, and `1e400` named as too large.
fn number(text: &str) -> Result<f64, String> {
    parse_number(text)
}

/// Every whole-number argument: `-5` gets "must be zero or more", not
/// clap's "unexpected argument".
fn whole<T: std::str::FromStr + Bounded + Send + Sync + Clone + 'static>(
    text: &str,
) -> Result<T, String> {
    parse_whole(text)
}

/// `--device` as each command takes it: each help offers only what its
/// command accepts. The start is one text, so the four cannot drift apart.
macro_rules! device_help {
    ($($rest:literal),*) => {
        concat!(
            "Device to run on: an index or a name substring from `hashwatt devices`, or \
`pci:ADDRESS` for the adapter at a PCI address (e.g. pci:0000:41:00.0)",
            $($rest),*
        )
    };
}

const SEARCH_DEVICE_HELP: &str = device_help!(
    "; `cpu` for the CPU device, on all cores (see --cpu-path). Default: the best adapter \
present (WGPU_ADAPTER_NAME and WGPU_BACKEND steer it), else the CPU device"
);

const VERIFY_DEVICE_HELP: &str = device_help!(
    "; `cpu` for the CPU device, on all cores (see --cpu-path; not with --kernel); `all` for \
every adapter. Default: the best adapter present (WGPU_ADAPTER_NAME and WGPU_BACKEND steer it), \
else the CPU device"
);

const BENCH_DEVICE_HELP: &str = device_help!(
    "; `cpu` for the CPU device, on all cores (see --cpu-path; not with --kernel); `all` for \
every adapter at once. Default: the best adapter present (WGPU_ADAPTER_NAME and WGPU_BACKEND \
steer it), except that the CPU device runs instead when every adapter is a software rasterizer \
(`hashwatt devices` stars the choice)"
);

const TUNE_DEVICE_HELP: &str = device_help!(
    "; `all` for every adapter in turn. Only adapters have kernel settings to tune. Default: the \
best adapter present (WGPU_ADAPTER_NAME and WGPU_BACKEND steer it)"
);

const HEADER_HELP: &str = "Block header: the height of an embedded header (`hashwatt headers`), \
`genesis`, the 160 hex characters of a serialized header, or @FILE holding one";
#[derive(Args, Debug)]
pub struct KernelCostArgs {
    /// Kernel to count: `fast` (default), `reference`, or a WGSL file implementing
    /// docs/kernel-interface.md. With --isa it may be given more than once: one line each
    #[arg(long, value_name = "KERNEL")]
    pub kernel: Vec<String>,
    /// The per-nonce function to count [default: `sha256d_last_word` where the kernel has
    /// it, else the entry point of a kernel that tries one nonce per invocation]
    #[arg(long, value_name = "NAME", conflicts_with = "isa")]
    pub function: Option<String>,
    /// Compile for AMD GPU families with Mesa's RADV driver and its ACO compiler (no GPU
    /// needed; Linux with mesa-vulkan-drivers): a comma-separated list (gfx1100,navi21,vega10,
    /// ...) or `all`. Counts the machine instructions per nonce (docs/isa.md)
    #[arg(long, value_name = "FAMILY[,FAMILY...]|all")]
    pub isa: Option<String>,
    /// With --isa: write each disassembly to DIR as KERNEL.FAMILY.s
    #[arg(long, value_name = "DIR", requires = "isa")]
    pub isa_out: Option<std::path::PathBuf>,
    /// Write the counts as JSON to PATH, or to standard output with `-` or no value
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<String>,
    /// Replace an existing --json file
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct DevicesArgs {
    /// Write the list as JSON to PATH, or to standard output with `-` or no value
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<String>,
    /// Replace an existing --json file
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct HeadersArgs {
    /// Write the headers as JSON to PATH, or to standard output with `-` or no value
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<String>,
    /// Replace an existing --json file
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct SearchArgs {
    #[arg(long, value_name = "H", help = HEADER_HELP)]
    pub header: String,
    /// First nonce of the range (0 to 4294967295)
    #[arg(value_parser = whole::<u64>, long, default_value_t = 0, value_name = "N")]
    pub start: u64,
    /// Number of nonces to search; the range must end at or before 2^32
    #[arg(value_parser = whole::<u64>, long, default_value_t = 1 << 16, value_name = "N")]
    pub count: u64,
    /// Count a hit when the hash has at least B leading zero bits (a pool share)
    #[arg(value_parser = whole::<u32>, long, value_name = "B", conflicts_with = "target")]
    pub share_bits: Option<u32>,
    /// Count a hit when the hash is at most this 256-bit target (64 hex, display order).
    /// Default: the header's own nBits target
    #[arg(long, value_name = "HEX")]
    pub target: Option<String>,
    #[arg(long, short = 'd', value_name = "DEVICE", help = SEARCH_DEVICE_HELP)]
    pub device: Option<String>,
    #[command(flatten)]
    pub cpu: CpuArgs,
    /// Write the hits as JSON to PATH, or to standard output with `-` or no value
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<String>,
    /// Replace an existing --json file
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct VerifyArgs {
    #[arg(long, short = 'd', value_name = "DEVICE", help = VERIFY_DEVICE_HELP)]
    pub device: Option<String>,
    #[command(flatten)]
    pub cpu: CpuArgs,
    /// Header file to check instead of the embedded headers: one serialized header
    /// (160 hex) a line, optionally with its expected block hash and height; `#` comments
    #[arg(long, value_name = "FILE")]
    pub headers: Option<std::path::PathBuf>,
    /// Nonces searched around each header's real nonce (0 skips this check; with
    /// --kernel, at least 1)
    #[arg(value_parser = whole::<u64>, long, default_value_t = 1 << 16, value_name = "N")]
    pub window: u64,
    /// Run the conformance suite on this search kernel instead of hashwatt's own: a WGSL
    /// file implementing docs/kernel-interface.md. Exit 0 if every check passes, 1 if one
    /// fails, 2 if the file does not compile or does not fit the interface
    #[arg(long, value_name = "FILE.wgsl")]
    pub kernel: Option<std::path::PathBuf>,
    /// Compile the --kernel file exactly as written. By default a module-scope `const`
    /// array the kernel indexes with a run-time index is indexed through a
    /// `var<private>` copy, because naga's SPIR-V copies the whole const at each such
    /// access (docs/kernel-interface.md); the report names what was rewritten
    #[arg(long, requires = "kernel")]
    pub kernel_as_written: bool,
    #[command(flatten)]
    pub kernel_file: super::KernelFileArgs,
    /// With --hash-fn: check the hash function alone instead of the search. It runs once per
    /// invocation on real headers and random nonces, and its 256 bits are compared with sha2's
    /// word by word; a failure names the first differing word and the known mistake that
    /// explains the output (a byte-reversed digest, a swapped nonce, ...)
    #[arg(long, requires = "hash_fn")]
    pub digest: bool,
    /// Replace existing --json or --emit files
    #[arg(long)]
    pub force: bool,
    /// Write the report as JSON to PATH, or to standard output with `-` or no value
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<String>,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct BenchArgs {
    #[arg(long, short = 'd', value_name = "DEVICE", help = BENCH_DEVICE_HELP)]
    pub device: Option<String>,
    #[command(flatten)]
    pub cpu: CpuArgs,
    /// Block header to hash (see `search --header`). Default: the most recent embedded one
    #[arg(long, value_name = "H")]
    pub header: Option<String>,
    /// Seconds each timed trial runs, after a warm-up [default: 10]. A soak
    /// (`--duration 600`) shows how the rate settles as the device heats up
    #[arg(value_parser = number, long, value_name = "S", conflicts_with = "nonces")]
    pub duration: Option<f64>,
    /// Hash exactly this many nonces instead of running for a time
    #[arg(value_parser = whole::<u64>, long, value_name = "N")]
    pub nonces: Option<u64>,
    /// Leading zero bits of a share. Default: enough for 1,024 to 2,048 shares in the run,
    /// so the proof of work can tell a device that skips nonces; bits leaving fewer than
    /// 256 expected shares are refused
    #[arg(value_parser = whole::<u32>, long, value_name = "B")]
    pub share_bits: Option<u32>,
    /// Timed trials after one warm-up; the report gives each and their median and spread
    #[arg(value_parser = whole::<u32>, long, default_value_t = 1, value_name = "N")]
    pub repeat: u32,
    /// Target time of one GPU submission, 5 to 2000 milliseconds [default: tuned, else 250].
    /// Batches keep adapting toward it as the rate moves
    #[arg(value_parser = whole::<u64>, long, value_name = "MS")]
    pub batch_ms: Option<u64>,
    /// Search kernel: `fast` (default), `reference` (the plain yardstick), or a WGSL file
    /// implementing docs/kernel-interface.md (prove it first with `verify --kernel FILE`)
    #[arg(long, value_name = "KERNEL")]
    pub kernel: Option<String>,
    /// Compile the --kernel file exactly as written, to measure it unchanged. By default
    /// a module-scope `const` array the kernel indexes with a run-time index is indexed
    /// through a `var<private>` copy, because naga's SPIR-V copies the whole const at
    /// each such access (docs/kernel-interface.md). hashwatt's own kernels need none
    #[arg(long, requires = "kernel")]
    pub kernel_as_written: bool,
    #[command(flatten)]
    pub kernel_file: super::KernelFileArgs,
    /// Run `hashwatt tune` on the device first and use (and cache) what it finds
    #[arg(long)]
    pub tune: bool,
    /// Power in watts for a device without a sensor (a wall meter's reading, a board
    /// power limit); reported as stated, never as measured
    #[arg(value_parser = number, long, value_name = "W")]
    pub watts: Option<f64>,
    /// Seconds of idle power measured before the run (0 skips it)
    #[arg(value_parser = number, long, default_value_t = 3.0, value_name = "S")]
    pub idle_seconds: f64,
    /// On NVIDIA GPUs, integrate sampled power instead of reading the energy counter
    #[arg(long)]
    pub nvml_power: bool,
    /// Write the result as JSON to PATH, or to standard output with `-` or no value
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<String>,
    /// Draw the hashrate (and power, where measured) over time as SVG
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<std::path::PathBuf>,
    /// Replace existing --json, --plot or --emit files
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Bench results (`hashwatt bench --json FILE`), the first being the baseline
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<std::path::PathBuf>,
    /// Write the comparison as JSON to PATH, or to standard output with `-` or no value
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<String>,
    /// Replace an existing --json file
    #[arg(long)]
    pub force: bool,
}

/// How `--device cpu` runs.
#[derive(Args, Debug, Default)]
pub struct CpuArgs {
    /// With --device cpu: the search path, `auto` (the fastest this CPU has), `sha-ni`,
    /// `avx512`, `avx2` or `scalar`. A path the CPU lacks is an error [default: auto]
    #[arg(long, value_name = "PATH")]
    pub cpu_path: Option<String>,
    /// With --device cpu: threads to search on, at most the threads this machine runs at
    /// once (its available parallelism) [default: all of them]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct TuneArgs {
    #[arg(long, short = 'd', value_name = "DEVICE", help = TUNE_DEVICE_HELP)]
    pub device: Option<String>,
    /// Block header to hash while tuning (see `search --header`). Default: the most recent embedded one
    #[arg(long, value_name = "H")]
    pub header: Option<String>,
    /// Timed seconds for each setting tried, after its compile and warm-up (shorter
    /// is noisier) [default: 2; with --quick 0.5]
    #[arg(value_parser = number, long, value_name = "S")]
    pub seconds: Option<f64>,
    /// Wall-clock budget for the whole sweep, compiles and warm-ups included: a
    /// setting starts only while its estimated cost fits [default: 120; with --quick 30]
    #[arg(value_parser = number, long, value_name = "S")]
    pub max_seconds: Option<f64>,
    /// The most settings measured, the untuned default, shapes and batch times together
    /// (the default's alternating reruns are on top) [default: 24]
    #[arg(value_parser = whole::<u32>, long, value_name = "N")]
    pub max_settings: Option<u32>,
    /// A short sweep: 0.5 s per setting, 30 s in all (explicit flags still win)
    #[arg(long)]
    pub quick: bool,
    /// Write the sweep as JSON to PATH, or to standard output with `-` or no value
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<String>,
    /// Replace an existing --json file
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
// The efficiency is required, but checked by the command, which names an
// example where clap would only name the flags.
#[command(group(clap::ArgGroup::new("efficiency").args(["from", "from_fleet", "hashes_per_joule", "jth"])))]
pub struct EstimateArgs {
    /// A result file written by `hashwatt bench --json` (its energy must be measured or stated).
    /// Give it more than once for a mixed fleet, each with its share of the power:
    /// `--from a.json:0.7 --from b.json:0.3` (the shares add up to 1)
    #[arg(long, value_name = "FILE[:SHARE]")]
    pub from: Vec<String>,
    /// A fleet's results, as `hashwatt fleet` reads them (a folder the job script wrote,
    /// or result files): the site is filled in the fleet's model mix, each model at its
    /// nodes' measured hashes per joule and with its share of their power. Give it more
    /// than once to merge folders
    #[arg(long, value_name = "DIR|FILE")]
    pub from_fleet: Vec<std::path::PathBuf>,
    /// Efficiency in hashes per joule
    #[arg(value_parser = number, long, value_name = "X")]
    pub hashes_per_joule: Option<f64>,
    /// Efficiency in joules per terahash (ASIC datasheets use this)
    #[arg(value_parser = number, long, value_name = "X")]
    pub jth: Option<f64>,
    /// Plant output in MW [default: 5700, the Zaporizhzhia plant's six 950 MW VVER-1000 units]
    #[arg(value_parser = number, long, value_name = "MW", conflicts_with_all = ["units", "unit_mw"])]
    pub plant_mw: Option<f64>,
    /// Number of generating units (with --unit-mw)
    #[arg(value_parser = whole::<u32>, long, value_name = "N", requires = "unit_mw")]
    pub units: Option<u32>,
    /// Net output of one unit in MW (with --units)
    #[arg(value_parser = number, long, value_name = "MW", requires = "units")]
    pub unit_mw: Option<f64>,
    /// Share of the plant's output given to mining, in (0, 1]. A list (`1,0.5,0.333`)
    /// gives one scenario each, side by side [default: 1]
    #[arg(value_parser = number, long, value_name = "F[,F...]", value_delimiter = ',')]
    pub fraction: Vec<f64>,
    /// Power usage effectiveness: site power over IT power (cooling, conversion); 1.0 is none
    /// [default: 1.10]
    #[arg(value_parser = number, long, value_name = "P")]
    pub pue: Option<f64>,
    /// Capacity factor: the share of the day the site runs, in (0, 1]; scales energy and
    /// bitcoin per day [default: 1]
    #[arg(value_parser = number, long, value_name = "U")]
    pub uptime: Option<f64>,
    /// Power of one device, to count how many the site holds [default: the bench file's
    /// average watts]. Once for every --from, or once per --from in order
    #[arg(value_parser = number, long, value_name = "W")]
    pub device_watts: Vec<f64>,
    /// Network hashrate in EH/s, instead of the one the chain gives
    #[arg(value_parser = number, long, value_name = "EH/S", conflicts_with = "network_from")]
    pub network_ehs: Option<f64>,
    /// Derive the network hashrate from block headers: one header's difficulty
    /// (D x 2^32 / 600 s), or the work over time of consecutive headers in @FILE, as
    /// `bitcoin-cli getnetworkhashps` does. Takes any `search --header` form. [default: the most
    /// recent embedded header]
    #[arg(long, value_name = "H")]
    pub network_from: Option<String>,
    /// Use --network-from headers that break Bitcoin's proof-of-work rules (a target
    /// easier than the limit, nBits 0x1d00ffff, or a hash above its own target), as
    /// regtest or made-up headers do. The network figure is then labelled given, not chain
    #[arg(long, requires = "network_from")]
    pub unchecked_headers: bool,
    /// Average transaction fees per block, in BTC, on top of the subsidy
    #[arg(value_parser = number, long, value_name = "BTC")]
    pub fees_btc_per_block: Option<f64>,
    /// Bitcoin price in USD: adds hashprice, revenue per day and per MWh, and the
    /// break-even power price
    #[arg(value_parser = number, long, value_name = "USD")]
    pub btc_usd: Option<f64>,
    /// What a MWh fetches sold to the grid instead, in USD: adds the margin mining makes
    /// (or loses) on each MWh
    #[arg(value_parser = number, long, value_name = "USD")]
    pub power_usd_per_mwh: Option<f64>,
    /// Price of one device in USD: adds capital cost and simple payback (needs the
    /// device's watts). Once for every --from, or once per --from in order
    #[arg(value_parser = number, long, value_name = "USD")]
    pub device_usd: Vec<f64>,
    /// Draw site hashrate against power for this device, the reference ASICs and each
    /// scenario, and the break-even power price where --btc-usd is given (SVG)
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<std::path::PathBuf>,
    /// Write the estimate as JSON to PATH, or to standard output with `-` or no value
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<String>,
    /// Replace existing --json or --plot files
    #[arg(long)]
    pub force: bool,
    /// Say where each figure came from (measured, chain, protocol, assumed, given,
    /// default), in a column and beside each input; the JSON always has it
    #[arg(long)]
    pub explain: bool,
}

#[derive(Args, Debug)]
pub struct FleetArgs {
    /// Folders the fleet job script wrote into (every *.json in them), or result files:
    /// task records (*.task.json), verify results (*.verify.json) and bench results
    #[arg(required = true, value_name = "DIR|FILE")]
    pub paths: Vec<std::path::PathBuf>,
    /// The array indices the job ran, as `sbatch --array` takes them (`0-15`, `0-15:2`,
    /// `1,3,5-7`), to name the tasks that left nothing [default: the array the task
    /// records say]
    #[arg(long, value_name = "INDICES")]
    pub expect: Option<String>,
    /// Write the report as JSON to PATH, or to standard output with `-` or no value
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<String>,
    /// Draw each node's rate and hashes per joule, grouped by model, outliers marked (SVG)
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<std::path::PathBuf>,
    /// Replace existing --json or --plot files
    #[arg(long)]
    pub force: bool,
}
