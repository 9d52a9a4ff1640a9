//! `hashwatt tune`: sweep the fast kernel's settings on each chosen GPU and
//! cache the fastest for `bench`.

use crate::catalog;
use crate::cli::TuneArgs;
use crate::device::DeviceChoice;
use crate::error::{exit, require_positive, sanitize, Error, Result};
use crate::report;
use crate::signals::Interrupt;
use crate::tune::{self, Sweep, SweepPlan};

/// The longest timed run of one setting: ten minutes (the sweep has 19).
const MAX_SECONDS_PER_SETTING: f64 = 600.0;

pub fn run(args: &TuneArgs) -> Result<i32> {
    require_positive("--seconds", args.seconds)?;
    if args.seconds > MAX_SECONDS_PER_SETTING {
        return Err(Error::input(format!(
            "--seconds must be at most {MAX_SECONDS_PER_SETTING} per setting, got {}",
            args.seconds
        )));
    }
    let known = catalog::resolve_or_latest(args.header.as_deref())?;
    let plan = SweepPlan {
        seconds_per_setting: args.seconds,
        ..SweepPlan::default()
    };
    let interrupt = Interrupt::install();
    let mut results = Vec::new();
    let mut failure = None;
    for choice in super::choose_devices(args.device.as_deref())? {
        let DeviceChoice::Gpu(adapter) = choice else {
            return Err(Error::input("tune sweeps GPU kernel settings; the CPU reference has none (pick a GPU with --device)"));
        };
        if !args.json {
            outln!(
                "tuning {} [{}]: {} s per setting",
                adapter.info.name,
                adapter.summary().backend,
                args.seconds
            );
            outln!(
                "  {:>9}  {:>7}  {:>8}  {:>12}",
                "workgroup",
                "nonces",
                "batch ms",
                "hashrate"
            );
        }
        // A bar on stderr (a terminal only): settings done, the best so far,
        // and the time left.
        let bar = crate::output::progress_bar(
            !args.json,
            plan.settings() as u64,
            "  {elapsed:>4} {bar:30} {pos}/{len} settings  {msg}  ({eta} left)",
        );
        let mut best = 0.0f64;
        let sweep = tune::sweep_until(&adapter, &known, &plan, |trial| {
            best = best.max(trial.hashes_per_second);
            bar.inc(1);
            bar.set_message(format!("best {}", report::format_rate(best)));
            if !args.json {
                bar.suspend(|| {
                    outln!(
                        "  {:>9}  {:>7}  {:>8}  {:>12}",
                        trial.kernel.workgroup_size,
                        trial.kernel.nonces_per_invocation,
                        trial.batch_ms,
                        report::format_rate(trial.hashes_per_second)
                    )
                });
            }
        });
        bar.finish_and_clear();
        let sweep = sweep?;
        // Cache only a finished sweep; a failure to save still shows the best.
        let saved = match (&sweep.best, sweep.interrupted) {
            (Some(best), false) => Some(tune::store(best)),
            _ => None,
        };
        if !args.json {
            print_best(&sweep, saved.as_ref());
        }
        let cache = match &saved {
            Some(Ok(path)) => Some(path.display().to_string()),
            _ => None,
        };
        results.push(tune::TuneResult {
            device: adapter.summary(),
            trials: sweep.trials.clone(),
            best: sweep.best.clone(),
            interrupted: sweep.interrupted,
            cache,
        });
        if let Some(Err(error)) = saved {
            failure.get_or_insert(error);
        }
        if sweep.interrupted {
            break;
        }
    }
    if args.json {
        report::write_json(
            &tune::TuneReport {
                schema: tune::TUNE_SCHEMA.into(),
                results,
            },
            &report::JsonOut::Stdout,
        )?;
    }
    if let Some(code) = interrupt.exit_code() {
        errln!("hashwatt: interrupted; the sweep stopped early and nothing was cached");
        return Ok(code);
    }
    match failure {
        Some(error) => Err(error),
        None => Ok(exit::OK),
    }
}

fn print_best(sweep: &Sweep, saved: Option<&Result<std::path::PathBuf>>) {
    let Some(best) = &sweep.best else {
        outln!("no setting was measured to the end\n");
        return;
    };
    let stopped = if sweep.interrupted {
        format!(
            " (interrupted after {} of {} settings)",
            sweep.trials.len(),
            sweep.planned
        )
    } else {
        String::new()
    };
    outln!(
        "best{stopped}: workgroup {} x {} nonces per invocation, {} ms batches: {}",
        best.kernel.workgroup_size,
        best.kernel.nonces_per_invocation,
        best.batch_ms,
        report::format_rate(best.hashes_per_second)
    );
    match saved {
        Some(Ok(path)) => outln!(
            "saved to {} (bench uses it from now on)\n",
            sanitize(&path.display().to_string())
        ),
        Some(Err(_)) => outln!("not saved: the tuning cache could not be written (below)\n"),
        None => outln!("not saved: a partial sweep is not cached\n"),
    }
}
