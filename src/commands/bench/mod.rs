//! `hashwatt bench`: the main job. Hashrate on a real header, every share
//! verified on the CPU, with tuned kernel settings where `tune` found them;
//! `--device all` runs every adapter at once. This file parses and calls;
//! `render` prints.

use std::sync::atomic::AtomicBool;

mod render;
mod settings;

use crate::bench::{self, BenchOptions, Instruments, StopRule, MAX_BATCH_MS, MIN_BATCH_MS};
use crate::chain::catalog::{self, KnownHeader};
use crate::cli::BenchArgs;
use crate::devices::DeviceChoice;
use crate::error::{exit, Error, Result};
use crate::kernel::KernelVariant;
use crate::output::Destination;
use crate::report::{
    self, BenchAllReport, BenchReport, FailedRun, JsonOut, KernelReport, RunContext,
    BENCH_ALL_SCHEMA,
};
use crate::sensors::energy::{self, NvmlMode, MAX_IDLE_SECONDS};
use crate::sensors::host::{self, HostInfo};
use crate::sensors::telemetry;
use crate::signals::Interrupt;
use crate::units::require_positive;
use crate::verify::proof;
use settings::settings_for;

const DEFAULT_SECONDS: f64 = 10.0;
/// The most timed trials `--repeat` takes.
const MAX_REPEAT: u32 = 1000;

/// Everything checked before a device is touched.
struct RunPlan {
    known: KnownHeader,
    stop_rule: StopRule,
    variant: Option<KernelVariant>,
    json: Option<JsonOut>,
    plot: Option<Destination>,
}

fn plan(args: &BenchArgs) -> Result<RunPlan> {
    let known = catalog::resolve_or_latest(args.header.as_deref())?;
    let stop_rule = stop_rule(args)?;
    if let Some(bits) = args.share_bits {
        if bits > 255 {
            return Err(Error::input(format!(
                "--share-bits must be between 0 and 255, got {bits}"
            )));
        }
    }
    if let Some(watts) = args.watts {
        require_positive("--watts", watts)?;
    }
    if !(args.idle_seconds >= 0.0 && args.idle_seconds <= MAX_IDLE_SECONDS) {
        return Err(Error::input(format!(
            "--idle-seconds must be between 0 and {MAX_IDLE_SECONDS}, got {}",
            args.idle_seconds
        )));
    }
    if let Some(ms) = args.batch_ms {
        if !(MIN_BATCH_MS..=MAX_BATCH_MS).contains(&ms) {
            return Err(Error::input(format!(
                "--batch-ms must be between {MIN_BATCH_MS} and {MAX_BATCH_MS}, got {ms}"
            )));
        }
    }
    if !(1..=MAX_REPEAT).contains(&args.repeat) {
        return Err(Error::input(format!(
            "--repeat must be between 1 and {MAX_REPEAT}, got {}",
            args.repeat
        )));
    }
    check_proof_power(stop_rule, args)?;
    let emit = super::kernel_file::prepare_emit(&args.kernel_file, args.force)?;
    let variant = match args.kernel.as_deref() {
        None => None,
        Some(name) => {
            let options =
                super::kernel_file::load_options(&args.kernel_file, args.kernel_as_written)?;
            Some(super::kernel_file::load_variant(name, &options)?)
        }
    };
    if let (Some(destination), Some(variant)) = (&emit, variant) {
        super::kernel_file::emit(destination, &variant.source().compiled)?;
    }
    let json = JsonOut::parse(args.json.as_deref(), args.force)?;
    let plot = args
        .plot
        .as_deref()
        .map(|path| Destination::prepare(path, args.force, "--plot"))
        .transpose()?;
    let mut inputs = Vec::new();
    if let Some(KernelVariant::User(source)) = variant {
        inputs.push(("--kernel file", std::path::Path::new(source.path.as_str())));
    }
    if let Some(file) = super::header_file(args.header.as_deref()) {
        inputs.push(("--header file", file));
    }
    super::check_outputs(json.as_ref(), plot.as_ref(), &inputs)?;
    if args.tune {
        // The sweep's result is cached: the cache is checked now.
        crate::tune::prepare_store()?;
    }
    Ok(RunPlan {
        known,
        stop_rule,
        variant,
        json,
        plot,
    })
}

pub fn run(args: &BenchArgs) -> Result<i32> {
    let plan = plan(args)?;
    let choices = super::choose_bench_devices(
        args.device.as_deref(),
        &args.cpu,
        args.kernel.is_some() || args.tune,
    )?;
    let human = !plan.json.as_ref().is_some_and(JsonOut::is_stdout);
    let interrupt = Interrupt::install();
    let stop = interrupt.flag();
    let (known, stop_rule, variant) = (&plan.known, plan.stop_rule, plan.variant);

    let job = Job {
        args,
        variant,
        known,
        stop_rule,
        stop,
    };
    let job = &job;
    let results: Vec<Result<Option<BenchReport>>> = if choices.len() == 1 {
        vec![run_one(&choices[0], job, human, None)]
    } else {
        if human {
            outln!(
                "bench on {} devices at once, {}",
                choices.len(),
                render::describe_stop(stop_rule, args.repeat)
            );
        }
        // One bar per device, drawn together (a terminal only).
        let group = bench::ProgressGroup::new(human);
        let group = &group;
        std::thread::scope(|scope| {
            // A thread the system will not start fails that device alone.
            let workers: Vec<_> = choices
                .iter()
                .map(|choice| {
                    std::thread::Builder::new()
                        .name("bench".into())
                        .spawn_scoped(scope, move || run_one(choice, job, false, Some(group)))
                        .map_err(|e| Error::device(format!("cannot start a bench thread: {e}")))
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w?.join()
                        .unwrap_or_else(|_| Err(Error::device("a bench thread panicked")))
                })
                .collect()
        })
    };

    // Every report is kept for the JSON (nothing measured is lost); one
    // whose proof of work did not pass is no result, and fails.
    let mut reports = Vec::new();
    let mut failures = Vec::new();
    for (choice, result) in choices.iter().zip(results) {
        match result {
            Ok(Some(report)) => {
                if let Some(why) = not_a_result(&report, plan.json.as_ref()) {
                    failures.push((choice.summary().name, why));
                }
                reports.push(report);
            }
            Ok(None) => {}
            Err(error) => failures.push((choice.summary().name, error)),
        }
    }
    let proven: Vec<&BenchReport> = reports.iter().filter(|r| r.valid).collect();
    if choices.len() > 1 && human {
        render::print_all_table(&proven, &failures);
    }
    if reports.is_empty() {
        if let Some(code) = interrupt.exit_code() {
            for (name, error) in &failures {
                errln!("hashwatt: {name}: {error}");
            }
            errln!(
                "hashwatt: interrupted before a timed run (during the idle-power measurement or the warm-up); nothing was measured or written"
            );
            return Ok(code);
        }
    }
    let mut written = Ok(());
    if let (Some(destination), false) = (&plan.plot, proven.is_empty()) {
        let proven: Vec<BenchReport> = proven.iter().map(|r| (*r).clone()).collect();
        written = crate::report::bench_plot::timeline_svg(destination, &proven);
        if written.is_ok() && human {
            outln!("drew {}", destination.path().display());
        }
    }
    if let Some(out) = &plan.json {
        let result = if choices.len() == 1 {
            match reports.first() {
                Some(report) => report::write_json(report, out),
                None => Ok(()),
            }
        } else {
            let total: f64 = proven.iter().map(|r| r.hashes_per_second).sum();
            let all = BenchAllReport {
                schema: BENCH_ALL_SCHEMA.into(),
                runs: reports.clone(),
                failed: failures
                    .iter()
                    .map(|(name, e)| FailedRun {
                        device: name.clone(),
                        error: e.message.clone(),
                    })
                    .collect(),
                total_hashes_per_second: total,
            };
            report::write_json(&all, out)
        };
        if let (Ok(()), JsonOut::File(destination), false) = (&result, out, reports.is_empty()) {
            if proven.len() == reports.len() {
                outln!("wrote {}", destination.path().display());
            } else {
                outln!(
                    "wrote {} (marked invalid: not a result)",
                    destination.path().display()
                );
            }
        }
        written = written.and(result);
    }
    written?;
    if let Some(code) = interrupt.exit_code() {
        for (name, error) in &failures {
            errln!("hashwatt: error: {name}: {error}");
        }
        if proven.is_empty() {
            errln!("hashwatt: interrupted before the run could prove its work; no result");
        } else {
            errln!("hashwatt: interrupted; the partial result above is verified and marked \"interrupted\": true");
        }
        return Ok(code);
    }
    match failures.len() {
        0 => Ok(exit::OK),
        _ if choices.len() == 1 => Err(failures.remove(0).1),
        _ => {
            for (name, error) in &failures {
                errln!("hashwatt: error: {name}: {error}");
            }
            Ok(failures
                .iter()
                .map(|(_, e)| e.exit_code())
                .max()
                .unwrap_or(exit::DEVICE))
        }
    }
}

/// A run of a fixed number of nonces must leave the proof of work enough
/// shares to have power (see [`crate::verify::proof`]): refused before any work
/// when it cannot. (A timed run is checked after its warm-up, once its
/// rate is known.)
fn check_proof_power(stop_rule: StopRule, args: &BenchArgs) -> Result<()> {
    let StopRule::Nonces(n) = stop_rule else {
        return Ok(());
    };
    let total = n as f64 * args.repeat as f64;
    let needed = proof::MIN_EXPECTED_SHARES;
    match (proof::max_share_bits(total), args.share_bits) {
        (None, _) => Err(Error::input(format!(
            "--nonces {n} is too few for the proof of work: {needed:.0} shares must be expected, so a run needs at least {needed:.0} nonces (with every hash a share)"
        ))),
        (Some(max), Some(bits)) if bits > max => Err(Error::input(format!(
            "--share-bits {bits} leaves {:.1} shares expected in {total:.0} nonces, and the proof of work needs {needed:.0}: give --share-bits {max} or less, or leave it out",
            total / 2f64.powi(bits as i32)
        ))),
        _ => Ok(()),
    }
}

fn stop_rule(args: &BenchArgs) -> Result<StopRule> {
    Ok(match (args.duration, args.nonces) {
        (_, Some(0)) => return Err(Error::input("--nonces must be at least 1")),
        (_, Some(n)) => StopRule::Nonces(n),
        (Some(s), None) => StopRule::Seconds(require_positive("--duration", s)?),

        (None, None) => StopRule::Seconds(DEFAULT_SECONDS),
    })
}

/// Why `report` is no result (its proof of work did not pass), as the
/// error to report, saying where its JSON went; `None` for a result.
fn not_a_result(report: &BenchReport, json: Option<&JsonOut>) -> Option<Error> {
    let why = report.proof_of_work.as_ref().and_then(|p| p.failure())?;
    let kept = match json {
        Some(JsonOut::File(destination)) => format!(
            "; {} keeps it, marked invalid",
            destination.path().display()
        ),
        Some(JsonOut::Stdout) => "; the JSON on standard output is marked invalid".into(),
        None => String::new(),
    };
    Some(Error::check_failed(format!("{why}; not a result{kept}")))
}

/// What every device of one `bench` command runs.
struct Job<'a> {
    args: &'a BenchArgs,
    variant: Option<KernelVariant>,
    known: &'a KnownHeader,
    stop_rule: StopRule,
    stop: &'a AtomicBool,
}

/// Benches one device. `None` when a signal stopped it before the warm-up
/// found a rate, so that nothing was measured.
fn run_one(
    choice: &DeviceChoice,
    job: &Job<'_>,
    human: bool,
    group: Option<&bench::ProgressGroup>,
) -> Result<Option<BenchReport>> {
    let Job {
        args,
        variant,
        known,
        stop_rule,
        stop,
    } = *job;
    let started = crate::units::now_rfc3339();
    let summary = choice.summary();
    let settings = settings_for(choice, args, variant, known, human)?;
    if human {
        outln!(
            "bench on {} [{}, {}]",
            summary.name,
            summary.backend,
            summary.device_type
        );
        outln!("kernel {}", settings.note);
        let source = settings.kernel.variant.source();
        if let Some(line) = super::kernel_file::hash_fn_line(source) {
            outln!("       hash-fn {line}");
        }
        let rewrite = &source.rewrite;
        if !choice.is_cpu_device()
            && (rewrite.as_written
                || !rewrite.indexed_consts.is_empty()
                || !rewrite.indexed_locals.is_empty())
        {
            outln!("       {}", rewrite.describe());
            for warning in rewrite.warnings() {
                outln!("       warning: {warning}");
            }
        }
        outln!(
            "header {} ({}), {}",
            known.label(),
            known.header.block_hash(),
            render::describe_stop(stop_rule, args.repeat)
        );
    }
    // The meter, and the idle draw measured before the device is opened.
    let nvml_mode = if args.nvml_power {
        NvmlMode::SampledPower
    } else {
        NvmlMode::PreferCounter
    };
    let (mut meter, mut energy_note) =
        match energy::meter_for(choice.adapter_info(), args.watts, nvml_mode) {
            Ok(meter) => (Some(meter), None),
            Err(why) => (None, Some(why)),
        };
    let mut idle = None;
    if let Some(m) = meter
        .as_deref_mut()
        .filter(|m| m.measured() && args.idle_seconds > 0.0)
    {
        if human {
            errln!(
                "measuring idle power for {} s ({})…",
                args.idle_seconds,
                m.source()
            );
        }
        match energy::idle_watts(m, args.idle_seconds) {
            Ok(watts) => idle = Some(watts),
            Err(e) => {
                energy_note = Some(e.message);
                meter = None;
            }
        }
    }
    if crate::signals::stop_requested() {
        return Ok(None);
    }
    let mut sensors = match choice {
        DeviceChoice::Gpu(adapter) if adapter.info.vendor == 0x10de => {
            telemetry::nvml(&adapter.info.device_pci_bus_id, &adapter.info.name)
        }
        _ => None,
    };
    let mut searcher = choice.open(settings.kernel)?;
    let mut options = BenchOptions::new(known.clone(), stop_rule);
    options.share_bits = args.share_bits;
    options.batch_seconds = settings.batch_ms as f64 / 1000.0;
    options.progress &= human;
    if let Some(group) = group {
        options.progress = true;
        options.progress_group = Some(group.labelled(summary_name(choice)));
    }
    options.repeat = args.repeat;
    let instruments = Instruments {
        meter: meter.as_deref_mut(),
        telemetry: sensors.as_deref_mut(),
    };
    let outcome = bench::run_with(&mut *searcher, &options, stop, instruments)?;
    if outcome.trials.is_empty() {
        if outcome.interrupted {
            return Ok(None);
        }
        return Err(Error::device(
            "the timed part hashed nothing: no rate, no result",
        ));
    }
    if let Some(why) = outcome.energy_error.clone() {
        meter = None;
        energy_note = Some(why);
    }
    let (adapter_limits, kernel) = match choice {
        DeviceChoice::Gpu(adapter) => (
            Some(adapter.limits_summary()),
            Some(KernelReport {
                wgsl_sha256: Some(crate::kernel::source_sha256(settings.kernel.variant)),
                rewrite: Some(settings.kernel.variant.source().rewrite.clone()),
                hash_fn: settings.kernel.variant.source().hash_fn.clone(),
                ..KernelReport::from(settings.kernel)
            }),
        ),
        DeviceChoice::Cpu { .. } => (None, None),
    };
    let context = RunContext {
        device: summary,
        adapter_limits,
        kernel,
        settings: settings.source,
        header: known,
        started,
        host: HostInfo::gather(),
        command_line: host::command_line(),
    };
    let mut report = BenchReport::new(context, &outcome);
    report.energy = meter
        .as_deref()
        .map(|m| energy::report(m, outcome.nonces, idle));
    if human && report.valid {
        render::print_result(&report, &outcome, energy_note.as_deref());
    }
    Ok(Some(report))
}

/// A device's name and backend, short enough to label its progress bar
/// (which indicatif draws itself: sanitized here).
fn summary_name(choice: &DeviceChoice) -> String {
    let summary = choice.summary();
    let name = match summary.name.char_indices().nth(16) {
        Some((cut, _)) => format!("{}…", &summary.name[..cut]),
        None => summary.name,
    };
    crate::sanitize::sanitize(&format!("{name} [{}]", summary.backend)).into_owned()
}
