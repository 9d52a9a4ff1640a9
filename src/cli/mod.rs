//! The command line: what each command takes (clap's types), the number
//! parsers behind them, and argument errors as one line. `main.rs` hands
//! what was parsed to [`crate::commands::run`]. What each command takes is in
//! `cli/args.rs`. Exit statuses are in [`crate::error::exit`].

use clap::{Parser, Subcommand};

use crate::sanitize::sanitize;

mod args;
pub mod env;
pub mod help;
mod kernel_args;
pub mod numbers;
mod web_args;

pub use args::*;
pub use kernel_args::KernelFileArgs;
pub use web_args::WebArgs;

#[derive(Parser, Debug)]
#[command(
    name = "hashwatt",
    version,
    about = "Measure how fast and how efficiently a GPU mines Bitcoin's double SHA-256",
    long_about = "Measure how fast and how efficiently a GPU mines Bitcoin's double SHA-256.\n\n\
hashwatt searches nonces over real Bitcoin block headers with WGSL compute \
shaders (through wgpu: Vulkan, Metal, DX12 or OpenGL), checks every hit again on the CPU with \
the sha2 crate, and measures the hashrate.\n\n\
Start with `hashwatt bench`. `hashwatt verify` proves a device's shaders right first; \
`hashwatt estimate` scales a result to a power plant.\n\n\
Exit status: 0 success, 1 a check failed (a hit or digest the CPU rejects), 2 bad input, \
3 a device could not be found or run, 4 a result could not be written, 130/143 a bench \
interrupted by SIGINT/SIGTERM (its verified partial result is still written).",
    after_help = help::after_help(None)
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the GPUs (wgpu adapters) and the CPU search paths that can run a search
    #[command(after_help = help::after_help(Some("devices")))]
    Devices(DevicesArgs),
    /// List the real mainnet block headers built into hashwatt
    #[command(after_help = help::after_help(Some("headers")))]
    Headers(HeadersArgs),
    /// Search one range of nonces over one header and print every verified hit
    #[command(after_help = help::after_help(Some("search")))]
    Search(SearchArgs),
    /// Check a device's SHA-256 kernels against real block hashes and the CPU
    #[command(after_help = help::after_help(Some("verify")))]
    Verify(VerifyArgs),
    /// Measure a device's hashrate on a real header, every share verified (the main job)
    #[command(after_help = help::after_help(Some("bench")))]
    Bench(BenchArgs),
    /// Find the fastest kernel settings for a GPU and cache them for `bench`, if they beat the default
    ///
    /// Measures the untuned default first (256 x 4 at 250 ms, what `bench` runs with nothing
    /// cached), then searches workgroup sizes 32 to 1024 x nonces per invocation 1 to 32 (powers of two,
    /// as the adapter's limits allow) coarse to fine: every other power of two first (9
    /// shapes), then the neighbours of the best while it moves, then batch times of 50 and
    /// 250 ms with the best shape (shapes are compared at 100 ms). Each setting is
    /// compiled, warmed up as `bench` warms up, and timed. Budget: at most --max-settings
    /// settings (24) and --max-seconds in all (120 s; --quick: 0.5 s per setting, 30 s),
    /// shown before the run (the default's slot included). If the fastest setting measured
    /// faster than the default, the two run again four times each, alternating
    /// (C D D C D C C D); it is cached only if its slowest run beats the default's fastest.
    /// Otherwise the default stays: nothing is cached, and an earlier entry for the adapter
    /// is removed. The setting kept is searched again and checked against sha2. Ctrl-C stops after the batch in flight (at most 250 ms of GPU work
    /// each), prints the best so far and caches nothing.
    #[command(after_help = help::after_help(Some("tune")))]
    Tune(TuneArgs),
    /// Scale hashes per joule to a power plant: site hashrate, network share, BTC per day
    #[command(after_help = help::after_help(Some("estimate")))]
    Estimate(EstimateArgs),
    /// Bench results side by side: rates, spread, efficiency, ratios to the first
    #[command(after_help = help::after_help(Some("compare")))]
    Compare(CompareArgs),
    /// Merge a fleet's results (a Slurm or Kubernetes job array): each node, each model,
    /// totals, outliers, and the tasks missing or refused
    ///
    /// Reads what scripts/slurm/hashwatt-fleet.sbatch wrote: per task a record, a verify
    /// result and a bench result. A node is an outlier when its rate or H/J is further from
    /// its model group's median than both 10% and 3 x 1.4826 x the median absolute deviation
    /// of ln(value / median) (groups of 3 or more). An index with no result, a failed verify, an invalid, damaged,
    /// duplicated or interrupted result is listed with its reason and left out of the
    /// totals. Exit status 1 when no result can be counted. See docs/fleet.md
    #[command(after_help = help::after_help(Some("fleet")))]
    Fleet(FleetArgs),
    /// Count a kernel's work per nonce: integer operations in what naga hands each driver, or
    /// with --isa the instructions AMD's compiler emits for a GPU family (no GPU needed)
    #[command(after_help = help::after_help(Some("kernel-cost")))]
    KernelCost(KernelCostArgs),
    /// Serve the browser page (the same kernels through WebGPU) on 127.0.0.1
    ///
    /// The page built into this binary when web/dist existed at build time
    /// (scripts/build-web.sh builds it), or the files of --dir. Prints the URL
    /// and serves until Ctrl-C (exit 130). Exit status 3 when this binary holds
    /// no page and no --dir is given, or the port is taken. See docs/browser.md
    #[command(after_help = help::after_help(Some("web")))]
    Web(WebArgs),
    /// Internal: compiles for `kernel-cost --isa` in a process of its own
    #[command(name = "radv-worker", hide = true)]
    RadvWorker,
}

/// The command line as typed, or the exit status when there is nothing
/// to run: `--help` and `--version` (0, printed here) or an argument error
/// (2, printed here as one line).
pub fn parse() -> Result<Cli, i32> {
    Cli::try_parse().map_err(|error| {
        let tip = json_took_the_files(&error, std::env::args_os()).map(|file| {
            format!(
                "; tip: `--json` took {file} as its output file; to print JSON, put --json \
after the files (or write --json -)"
            )
        });
        argument_error(&error, tip.as_deref().unwrap_or(""))
    })
}

/// `--help` and `--version` as clap prints them; every argument error as
/// one line, `hashwatt: error: ...`, exit 2, like every other bad input,
/// with what the user typed made safe to show.
fn argument_error(error: &clap::Error, tip: &str) -> i32 {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let text = error.render().to_string();
        if error.use_stderr() {
            err!("{text}");
            return crate::error::exit::BAD_INPUT;
        }
        out!("{text}");
        return crate::error::exit::OK;
    }
    errln!(
        "hashwatt: error: {}{tip}",
        one_line(&error.render().to_string())
    );
    crate::error::exit::BAD_INPUT
}

/// `compare --json a.json` and `fleet --json DIR`: the files are missing
/// because `--json` took the word after it as its own file. Returns that
/// word, to say so.
fn json_took_the_files(
    error: &clap::Error,
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Option<String> {
    if error.kind() != clap::error::ErrorKind::MissingRequiredArgument {
        return None;
    }
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    let at = args.iter().position(|a| a == "--json")?;
    let word = args.get(at + 1)?.to_string_lossy().into_owned();
    (!word.starts_with('-')).then(|| sanitize(&word).into_owned())
}

/// Clap's message up to its usage block, on one line: "error: " dropped,
/// indented continuation lines joined, tips kept.
fn one_line(rendered: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for line in rendered.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line.strip_prefix("error: ").unwrap_or(line));
        }
    }
    let joined = parts.join(" ");
    let joined = joined.replace(" tip: ", "; tip: ");
    sanitize(&joined).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn argument_errors_are_one_clean_line() {
        let error = Cli::try_parse_from(["hashwatt", "search", "--header", "0", "--count", "-5"])
            .unwrap_err();
        let line = one_line(&error.render().to_string());
        assert!(line.contains("must be zero or more, got -5"), "{line}");
        let error = Cli::try_parse_from(["hashwatt", "bench", "--duration", "1e400"]).unwrap_err();
        let line = one_line(&error.render().to_string());
        assert!(line.contains("1e400 is too large"), "{line}");
        for hostile in ["--he\u{7}\u{1b}x", "--\u{feff}x\u{202e}y", "--a\nb"] {
            let error = Cli::try_parse_from(["hashwatt", "search", hostile]).unwrap_err();
            let line = one_line(&error.render().to_string());
            assert!(!line.chars().any(char::is_control), "{line:?}");
            assert!(!line.contains(['\u{feff}', '\u{202e}']), "{line:?}");
        }
        let error = Cli::try_parse_from([
            "hashwatt",
            "search",
            "--header",
            "0",
            "--count",
            "\u{1b}]0;x\u{7}",
        ])
        .unwrap_err();
        let line = one_line(&error.render().to_string());
        assert!(!line.chars().any(char::is_control), "{line:?}");
        let error = Cli::try_parse_from(["hashwatt", "search"]).unwrap_err();
        let line = one_line(&error.render().to_string());
        assert!(line.contains("--header"), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn json_before_the_files_is_explained() {
        let argv = ["hashwatt", "fleet", "--json", "runs"];
        let error = Cli::try_parse_from(argv).unwrap_err();
        let took = json_took_the_files(&error, argv.iter().map(Into::into));
        assert_eq!(took.as_deref(), Some("runs"));
        let argv = ["hashwatt", "compare", "--json"];
        let error = Cli::try_parse_from(argv).unwrap_err();
        assert_eq!(
            json_took_the_files(&error, argv.iter().map(Into::into)),
            None
        );
        let argv = ["hashwatt", "fleet", "runs", "--json"];
        assert!(Cli::try_parse_from(argv).is_ok());
    }

    #[test]
    fn arguments_are_consistent() {
        Cli::command().debug_assert();
    }
}
