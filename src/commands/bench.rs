//! `hashwatt bench`: the main job. Hashrate on a real header, every share
//! verified on the CPU, with tuned kernel settings where `tune` found them;
//! `--device all` runs every adapter at once.

use std::sync::atomic::AtomicBool;

use crate::signals::Interrupt;

use super::estimate;
use crate::bench::{self, BenchOptions, BenchOutcome, StopRule};
use crate::catalog::{self, KnownHeader};
use crate::cli::BenchArgs;
use crate::device::DeviceChoice;
use crate::energy::{self, NvmlMode};
use crate::error::{exit, require_positive, Error, Result};
use crate::gpu::{KernelConfig, KernelVariant};
use crate::report::{
    self, BenchReport, EnergyReport, HeaderRef, JsonOut, KernelReport, Shares, BENCH_SCHEMA,
};
use crate::site::Site;
use crate::tune::{self, SweepPlan};

const DEFAULT_SECONDS: f64 = 10.0;

/// Kernel settings for one device and where they came from.
struct Settings {
    kernel: KernelConfig,
    batch_ms: u64,
    source: &'static str,
    note: String,
}

pub fn run(args: &BenchArgs) -> Result<i32> {
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
    if !(args.idle_seconds >= 0.0 && args.idle_seconds.is_finite()) {
        return Err(Error::input(format!(
            "--idle-seconds must be zero or more, got {}",
            args.idle_seconds
        )));
    }
    if args.batch_ms == Some(0) {
        return Err(Error::input("--batch-ms must be at least 1"));
    }
    let variant = match args.kernel.as_deref() {
        None => None,
        Some(name) => Some(KernelVariant::parse(name).ok_or_else(|| {
            Error::input(format!("--kernel {name}: expected `fast` or `reference`"))
        })?),
    };
    let json = JsonOut::parse(args.json.as_deref(), args.force)?;
    let choices = super::choose_devices_with(args.device.as_deref(), &args.cpu)?;
    let human = !json.as_ref().is_some_and(JsonOut::is_stdout);
    let interrupt = Interrupt::install();
    let stop = interrupt.flag();

    let results: Vec<Result<(BenchReport, BenchOutcome)>> = if choices.len() == 1 {
        vec![run_one(
            &choices[0],
            args,
            variant,
            &known,
            stop_rule,
            stop,
            human,
        )]
    } else {
        if human {
            outln!(
                "bench on {} devices at once, {}",
                choices.len(),
                describe_stop(stop_rule)
            );
        }
        std::thread::scope(|scope| {
            let workers: Vec<_> = choices
                .iter()
                .map(|choice| {
                    let known = &known;
                    scope.spawn(move || {
                        run_one(choice, args, variant, known, stop_rule, stop, false)
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join()
                        .unwrap_or_else(|_| Err(Error::device("a bench thread panicked")))
                })
                .collect()
        })
    };

    let mut reports = Vec::new();
    let mut failures = Vec::new();
    for (choice, result) in choices.iter().zip(results) {
        match result {
            Ok((report, _)) => reports.push(report),
            Err(error) => failures.push((choice.summary().name, error)),
        }
    }
    if choices.len() > 1 && human {
        print_all_table(&reports, &failures);
    }
    if let Some(out) = &json {
        if choices.len() == 1 {
            if let Some(report) = reports.first() {
                report::write_json(report, out)?;
            }
        } else {
            let total: f64 = reports.iter().map(|r| r.hashes_per_second).sum();
            let value = serde_json::json!({
                "schema": "hashwatt.bench-all/1",
                "runs": reports,
                "failed": failures.iter().map(|(name, e)| serde_json::json!({"device": name, "error": e.message})).collect::<Vec<_>>(),
                "total_hashes_per_second": total,
            });
            report::write_json(&value, out)?;
        }
        if let (JsonOut::File(destination), false) = (out, reports.is_empty()) {
            outln!("wrote {}", destination.path().display());
        }
    }
    if let Some(code) = interrupt.exit_code() {
        errln!("hashwatt: interrupted; the partial result above is verified and marked \"interrupted\": true");
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

fn stop_rule(args: &BenchArgs) -> Result<StopRule> {
    Ok(match (args.duration, args.nonces) {
        (_, Some(0)) => return Err(Error::input("--nonces must be at least 1")),
        (_, Some(n)) => StopRule::Nonces(n),
        (Some(s), None) => StopRule::Seconds(require_positive("--duration", s)?),

        (None, None) => StopRule::Seconds(DEFAULT_SECONDS),
    })
}

fn describe_stop(stop_rule: StopRule) -> String {
    match stop_rule {
        StopRule::Seconds(s) => format!("{s} s after a warm-up"),
        StopRule::Nonces(n) => format!("{n} nonces after a warm-up"),
    }
}

/// The kernel settings: `--kernel reference` as asked; else a fresh sweep
/// with `--tune`; else the tuning cache; else the defaults.
fn settings_for(
    choice: &DeviceChoice,
    args: &BenchArgs,
    variant: Option<KernelVariant>,
    known: &KnownHeader,
    human: bool,
) -> Result<Settings> {
    let batch_ms = |default: u64| args.batch_ms.unwrap_or(default);
    let DeviceChoice::Gpu(adapter) = choice else {
        return Ok(Settings {
            kernel: KernelConfig::fast(),
            batch_ms: batch_ms(250),
            source: "cpu",
            note: choice.summary().driver,
        });
    };
    if variant == Some(KernelVariant::Reference) {
        return Ok(Settings {
            kernel: KernelConfig::reference(),
            batch_ms: batch_ms(250),
            source: "default",
            note: "reference kernel (the plain yardstick)".into(),
        });
    }
    if args.tune {
        if human {
            errln!("tuning {} first (hashwatt tune)…", adapter.info.name);
        }
        let (_, tuned) = tune::sweep(adapter, known, &SweepPlan::default(), |_| {})?;
        let path = tune::store(&tuned)?;
        let kernel = tuned
            .kernel_config()
            .expect("a sweep yields a known variant");
        return Ok(Settings {
            kernel,
            batch_ms: batch_ms(tuned.batch_ms),
            source: "tuned",
            note: format!("{kernel}, just tuned (saved to {})", path.display()),
        });
    }
    if let Some(tuned) = tune::lookup(&adapter.summary()) {
        if let Some(kernel) = tuned.kernel_config() {
            return Ok(Settings {
                kernel,
                batch_ms: batch_ms(tuned.batch_ms),
                source: "tuned",
                note: format!("{kernel}, tuned {}", tuned.tuned_at),
            });
        }
    }
    let kernel = KernelConfig::fast();
    Ok(Settings {
        kernel,
        batch_ms: batch_ms(250),
        source: "default",
        note: format!("{kernel}, untuned defaults (`hashwatt tune` may be faster)"),
    })
}

fn run_one(
    choice: &DeviceChoice,
    args: &BenchArgs,
    variant: Option<KernelVariant>,
    known: &KnownHeader,
    stop_rule: StopRule,
    stop: &AtomicBool,
    human: bool,
) -> Result<(BenchReport, BenchOutcome)> {
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
        outln!(
            "header {} ({}), {}",
            known.label(),
            known.header.block_hash(),
            describe_stop(stop_rule)
        );
    }
    // The meter, and the idle draw measured before the device is opened.
    let nvml_mode = if args.nvml_power {
        NvmlMode::SampledPower
    } else {
        NvmlMode::PreferCounter
    };
    let (mut meter, mut energy_note) = match energy::meter_for(choice, args.watts, nvml_mode) {
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
    let mut searcher = choice.open(settings.kernel)?;
    let mut options = BenchOptions::new(known.clone(), stop_rule);
    options.share_bits = args.share_bits;
    options.batch_seconds = settings.batch_ms as f64 / 1000.0;
    options.progress &= human;
    let mut outcome = bench::run(&mut *searcher, &options, stop, meter.as_deref_mut())?;
    if let Some(why) = outcome.energy_error.take() {
        meter = None;
        energy_note = Some(why);
    }
    let mut report = to_report(choice, &settings, known, &outcome);
    report.energy = meter
        .as_deref()
        .map(|m| energy::report(m, outcome.nonces, idle));
    if human {
        print_result(&report, &outcome, energy_note.as_deref());
    }
    Ok((report, outcome))
}

fn to_report(
    choice: &DeviceChoice,
    settings: &Settings,
    known: &KnownHeader,
    outcome: &BenchOutcome,
) -> BenchReport {
    let gpu_busy_share = outcome
        .device_seconds
        .filter(|_| outcome.seconds > 0.0)
        .map(|gpu| gpu / outcome.seconds);
    BenchReport {
        schema: BENCH_SCHEMA.into(),
        hashwatt_version: env!("CARGO_PKG_VERSION").into(),
        created: report::now_rfc3339(),
        device: choice.summary(),
        kernel: (!choice.is_cpu_reference()).then(|| KernelReport::from(settings.kernel)),
        settings: settings.source.into(),
        header: HeaderRef {
            height: known.height,
            hash: known.header.block_hash().to_string(),
        },
        nonces: outcome.nonces,
        seconds: outcome.seconds,
        hashes_per_second: outcome.hashes_per_second(),
        gpu_seconds: outcome.device_seconds,
        gpu_busy_share,
        shares: Shares {
            bits: outcome.share_bits,
            found: outcome.shares_found,
            verified: outcome.shares_verified,
            expected: outcome.nonces as f64 / 2f64.powi(outcome.share_bits as i32),
            records: outcome.share_records.clone(),
        },
        header_rolls: outcome.header_rolls,
        batches: outcome.batches,
        batch_nonces: outcome.batch_nonces,
        interrupted: outcome.interrupted,
        energy: None,
    }
}

fn print_result(report: &BenchReport, outcome: &BenchOutcome, energy_note: Option<&str>) {
    outln!();
    outln!(
        "  hashrate   {:>12}   {} nonces in {:.2} s (wall clock), {} batches of {}",
        report::format_rate(report.hashes_per_second),
        report.nonces,
        report.seconds,
        report.batches,
        report.batch_nonces
    );
    match (report.gpu_seconds, report.gpu_busy_share) {
        (Some(gpu), Some(share)) => outln!(
            "  gpu time   {:>12}   {:.2} s in the search passes (timestamp queries): busy {:.1}% of the run",
            report::format_rate(report.nonces as f64 / gpu.max(1e-9)),
            gpu,
            100.0 * share
        ),
        _ if report.kernel.is_some() => outln!("  gpu time   {:>12}   this adapter has no timestamp queries", "n/a"),
        _ => {}
    }
    outln!(
        "  shares     {:>12}   found at {} bits, {} verified with sha2 ({:.1} expected)",
        report.shares.found,
        report.shares.bits,
        report.shares.verified,
        report.shares.expected
    );
    if outcome.blocks_found > 0 {
        outln!(
            "  blocks     {:>12}   shares that meet the header's own target",
            outcome.blocks_found
        );
    }
    if report.header_rolls > 0 {
        outln!(
            "  rolls      {:>12}   times the header's time was rolled after 2^32 nonces",
            report.header_rolls
        );
    }
    if report.interrupted {
        outln!(
            "  stopped    {:>12}   interrupted: a partial result, every share in it verified",
            "early"
        );
    }
    match &report.energy {
        Some(energy) => print_energy(report, energy),
        None => outln!(
            "  energy     {:>12}   {}",
            "not measured",
            energy_note
                .unwrap_or("no power meter was read in this run; give --watts W to state one")
        ),
    }
    outln!();
}

fn print_energy(report: &BenchReport, energy: &EnergyReport) {
    let idle = energy
        .idle_watts
        .map_or(String::new(), |w| format!(", idle {w:.1} W before the run"));
    let kind = if energy.measured {
        format!("measured by {}", energy.source)
    } else {
        "STATED with --watts, not measured".to_string()
    };
    outln!(
        "  energy     {:>12}   {:.1} W average{idle}; {kind}",
        format!("{:.1} J", energy.joules),
        energy.avg_watts
    );
    let above = energy
        .hashes_per_joule_above_idle
        .map_or(String::new(), |h| {
            format!("; above idle {}H/J", report::format_si(h))
        });
    outln!(
        "  efficiency {:>12}   {:.1} J/TH, from the whole draw (what a site pays for){above}",
        format!("{}H/J", report::format_si(energy.hashes_per_joule)),
        energy.joules_per_terahash
    );
    let estimate = estimate::estimate(
        &Site::default(),
        estimate::Efficiency {
            source: report.device.name.clone(),
            hashes_per_joule: energy.hashes_per_joule,
            joules_per_terahash: energy.joules_per_terahash,
            measured: Some(energy.measured),
            device_watts: Some(energy.avg_watts),
        },
    );
    outln!();
    for line in estimate::summary_lines(&estimate) {
        outln!("{line}");
    }
}

fn print_all_table(reports: &[BenchReport], failures: &[(String, Error)]) {
    let width = reports
        .iter()
        .map(|r| r.device.name.len())
        .chain(failures.iter().map(|f| f.0.len()))
        .max()
        .unwrap_or(6)
        .max(6);
    outln!(
        "\n  {:<width$}  {:<8}  {:>12}  {:>8}  shares",
        "device",
        "backend",
        "hashrate",
        "gpu busy"
    );
    for r in reports {
        let busy = r
            .gpu_busy_share
            .map_or("n/a".to_string(), |s| format!("{:.1}%", 100.0 * s));
        outln!(
            "  {:<width$}  {:<8}  {:>12}  {:>8}  {}/{}",
            r.device.name,
            r.device.backend,
            report::format_rate(r.hashes_per_second),
            busy,
            r.shares.verified,
            r.shares.found
        );
    }
    for (name, error) in failures {
        outln!("  {name:<width$}  FAILED: {error}");
    }
    let total: f64 = reports.iter().map(|r| r.hashes_per_second).sum();
    outln!(
        "  {:<width$}  {:<8}  {:>12}",
        "total",
        "",
        report::format_rate(total)
    );
}
