//! `hashwatt tune`: search the fast kernel's settings on each chosen GPU,
//! within a budget, and cache the fastest for `bench` only where it beats
//! the untuned default beyond the spread; else the default stays.

use crate::chain::catalog;
use crate::cli::TuneArgs;
use crate::devices::DeviceChoice;
use crate::error::{exit, Error, Result};
use crate::report;
use crate::signals::Interrupt;
use crate::tune::{
    self, CacheChange, Ended, Kept, SettingTrial, Stage, Sweep, SweepEvent, SweepPlan,
};
use crate::units::require_positive;

/// The longest timed run of one setting: ten minutes.
const MAX_SECONDS_PER_SETTING: f64 = 600.0;
/// The largest total budget: a day.
const MAX_TOTAL_SECONDS: f64 = 86_400.0;
/// Rows of the ranking printed after the sweep.
const RANKED: usize = 8;

pub fn run(args: &TuneArgs) -> Result<i32> {
    let plan = plan(args)?;
    let json = report::JsonOut::parse(args.json.as_deref(), args.force)?;
    let inputs: Vec<(&str, &std::path::Path)> = super::header_file(args.header.as_deref())
        .map(|path| ("--header file", path))
        .into_iter()
        .collect();
    super::check_outputs(json.as_ref(), None, &inputs)?;
    // With JSON on standard output, nothing else goes there.
    let human = !json.as_ref().is_some_and(report::JsonOut::is_stdout);
    let known = catalog::resolve_or_latest(args.header.as_deref())?;
    let choices = super::choose_devices(args.device.as_deref())?;
    // The sweep's result is cached: the cache is checked before it runs.
    tune::prepare_store()?;
    let interrupt = Interrupt::install();
    let mut results = Vec::new();
    let mut failure = None;
    for choice in choices {
        let DeviceChoice::Gpu(adapter) = choice else {
            return Err(Error::input("tune sweeps GPU kernel settings; the CPU device has none (pick an adapter with --device; `hashwatt devices` lists them)"));
        };
        if human {
            outln!(
                "tuning {} [{}]: at most {} settings (the untuned default first) and {} s in all; \
each setting compiled, warmed up, then timed {} s",
                adapter.info.name,
                adapter.summary().backend,
                plan.max_settings,
                plan.max_seconds,
                plan.seconds_per_setting
            );
            outln!(
                "  {:>2}  {:<7}  {:>9}  {:>6}  {:>8}  {:>9}  {:>9}  {:>12}  {:>5}",
                "#",
                "stage",
                "workgroup",
                "nonces",
                "batch ms",
                "compile s",
                "warm-up s",
                "hashrate",
                "cv"
            );
        }
        // A bar on stderr (a terminal only): settings done, what runs now,
        // the best so far.
        let bar = crate::output::progress_bar(
            human,
            plan.max_settings as u64,
            "  {elapsed:>4} {bar:30} {pos}/{len} settings  {msg}",
        );
        let mut best = 0.0f64;
        let mut confirming = false;
        let sweep = tune::sweep_until(
            &adapter,
            &known,
            &plan,
            interrupt.flag(),
            |event| match event {
                SweepEvent::Starting {
                    number,
                    planned,
                    stage,
                    config,
                    batch_ms,
                } => {
                    bar.set_length(planned.max(number) as u64);
                    bar.set_position(number as u64 - 1);
                    bar.set_message(format!(
                        "{stage:?} {}x{} at {batch_ms} ms: compile, warm-up, {} s timed  (best {})",
                        config.workgroup_size,
                        config.nonces_per_invocation,
                        plan.seconds_per_setting,
                        crate::units::format_rate(best)
                    ));
                }
                SweepEvent::Measured(trial) => {
                    best = best.max(trial.hashes_per_second);
                    bar.inc(1);
                    let number = bar.position() as usize;
                    if human {
                        bar.suspend(|| {
                            if trial.stage == Stage::Confirm && !confirming {
                                outln!(
                                    "  the fastest against the default, alternating (C D D C D C C D):"
                                );
                            }
                            print_trial(trial, number)
                        });
                    }
                    confirming |= trial.stage == Stage::Confirm;
                }
                SweepEvent::Verifying { .. } => {
                    bar.set_message("checking the setting kept against sha2".to_string());
                }
            },
        );
        bar.finish_and_clear();
        let sweep = sweep?;
        // Only a finished, proven sweep changes the cache: the tuned
        // setting stored, or, where the default stays, an earlier entry
        // for this adapter removed. A failure to save still shows the best.
        let saved = match tune::winner(&sweep) {
            Ok(tuned) => Some(tune::settle(&adapter.summary(), tuned.as_ref())),
            Err(error) if !sweep.interrupted() => Some(Err(error)),
            Err(_) => None,
        };
        if human {
            print_summary(&sweep, saved.as_ref());
        }
        let change = saved.as_ref().and_then(|s| s.as_ref().ok());
        results.push(tune::TuneResult::new(&adapter, &plan, &sweep, change));
        if let Some(Err(error)) = saved {
            failure.get_or_insert(error);
        }
        if sweep.interrupted() {
            break;
        }
    }
    if let Some(out) = &json {
        report::write_json(
            &tune::TuneReport {
                schema: tune::TUNE_SCHEMA.into(),
                results,
            },
            out,
        )?;
        if let report::JsonOut::File(destination) = out {
            outln!("wrote {}", destination.path().display());
        }
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

/// The plan from the flags: `--quick`'s or the default budget, with any
/// explicit flag winning.
fn plan(args: &TuneArgs) -> Result<SweepPlan> {
    let mut plan = if args.quick {
        SweepPlan::quick()
    } else {
        SweepPlan::default()
    };
    if let Some(seconds) = args.seconds {
        require_positive("--seconds", seconds)?;
        if seconds > MAX_SECONDS_PER_SETTING {
            return Err(Error::input(format!(
                "--seconds must be at most {MAX_SECONDS_PER_SETTING} per setting, got {seconds}"
            )));
        }
        plan.seconds_per_setting = seconds;
    }
    if let Some(total) = args.max_seconds {
        require_positive("--max-seconds", total)?;
        if total > MAX_TOTAL_SECONDS {
            return Err(Error::input(format!(
                "--max-seconds must be at most {MAX_TOTAL_SECONDS} (a day), got {total}"
            )));
        }
        plan.max_seconds = total;
    }
    if let Some(settings) = args.max_settings {
        if settings == 0 {
            return Err(Error::input("--max-settings must be at least 1"));
        }
        plan.max_settings = settings as usize;
    }
    if plan.max_seconds < plan.seconds_per_setting {
        return Err(Error::input(format!(
            "--max-seconds {} leaves no time for one setting of --seconds {}",
            plan.max_seconds, plan.seconds_per_setting
        )));
    }
    plan.check().map_err(Error::input)?;
    Ok(plan)
}

fn print_trial(trial: &SettingTrial, number: usize) {
    let stage = match trial.stage {
        Stage::Default => "default",
        Stage::Coarse => "coarse",
        Stage::Refine => "refine",
        Stage::Batch => "batch",
        Stage::Confirm if tune::decide::is_default(trial) => "D",
        Stage::Confirm => "C",
    };
    let cv = trial
        .spread
        .as_ref()
        .map_or("-".to_string(), |s| format!("{:.1}%", 100.0 * s.cv));
    outln!(
        "  {:>2}  {:<7}  {:>9}  {:>6}  {:>8}  {:>9.2}  {:>9.2}  {:>12}  {:>5}",
        number,
        stage,
        trial.kernel.workgroup_size,
        trial.kernel.nonces_per_invocation,
        trial.batch_ms,
        trial.compile_seconds,
        trial.warmup.seconds,
        crate::units::format_rate(trial.hashes_per_second),
        cv
    );
}

fn print_summary(sweep: &Sweep, saved: Option<&Result<CacheChange>>) {
    if !sweep.dropped.is_empty() {
        outln!(
            "  {} shapes of the full range left out by the adapter's limits (first: {} x {}: {})",
            sweep.dropped.len(),
            sweep.dropped[0].workgroup_size,
            sweep.dropped[0].nonces_per_invocation,
            sweep.dropped[0].reason
        );
    }
    let Some(best) = &sweep.best else {
        outln!(
            "no setting was measured to the end ({})",
            sweep.ended.describe()
        );
        outln!();
        return;
    };
    outln!();
    outln!("  ranking, fastest first:");
    let ranking = tune::ranking(&sweep.trials);
    for (place, (trial, share)) in ranking.iter().take(RANKED).enumerate() {
        let range = trial.spread.as_ref().map_or(String::new(), |s| {
            format!(
                "  p5..p95 {}..{}",
                crate::units::format_rate(s.p5),
                crate::units::format_rate(s.p95)
            )
        });
        let default = if tune::decide::is_default(trial) {
            "  (the default)"
        } else {
            ""
        };
        outln!(
            "  {:>2}. {:>4} x {:<2} at {:>3} ms  {:>12}  {:>5.1}%{range}{default}",
            place + 1,
            trial.kernel.workgroup_size,
            trial.kernel.nonces_per_invocation,
            trial.batch_ms,
            crate::units::format_rate(trial.hashes_per_second),
            100.0 * share
        );
    }
    if ranking.len() > RANKED {
        outln!("  ... and {} more", ranking.len() - RANKED);
    }
    let how = match sweep.ended {
        Ended::Interrupted => format!(
            "interrupted after {} settings in {:.0} s",
            sweep.trials.len(),
            sweep.seconds
        ),
        ended => format!(
            "{}: {} settings in {:.0} s",
            ended.describe(),
            sweep.trials.len(),
            sweep.seconds
        ),
    };
    outln!(
        "fastest ({how}): workgroup {} x {} nonces per invocation, {} ms batches: {}",
        best.kernel.workgroup_size,
        best.kernel.nonces_per_invocation,
        best.batch_ms,
        crate::units::format_rate(best.hashes_per_second)
    );
    if let Some(decision) = &sweep.decision {
        match decision.kept {
            Kept::Tuned => outln!("tuned: {}", decision.reason),
            Kept::Default => outln!(
                "the default stays ({}): {}",
                decision.default.describe(),
                decision.reason
            ),
        }
    }
    if let Some(v) = &sweep.verification {
        let window = v.window.as_ref().map_or(String::new(), |w| {
            format!(
                "the real nonce {} {} in {} nonces around it; ",
                w.real_nonce,
                if w.found { "found" } else { "NOT found" },
                w.nonces
            )
        });
        outln!(
            "checked against sha2: {window}{} hits where sha2 finds {} over {} nonces at {} bits: {}",
            v.hit_set.device_hits,
            v.hit_set.sha2_hits,
            v.hit_set.nonces,
            v.hit_set.share_bits,
            if v.passed { "passed" } else { "FAILED" }
        );
    }
    match saved {
        Some(Ok(CacheChange::Stored(path))) => {
            outln!("saved to {} (bench uses it from now on)", path.display())
        }
        Some(Ok(CacheChange::Removed(path, earlier))) => outln!(
            "removed the earlier entry for this adapter ({} x {} at {} ms, tuned {}) from {}: \
bench runs the default from now on",
            earlier.kernel.workgroup_size,
            earlier.kernel.nonces_per_invocation,
            earlier.batch_ms,
            crate::sanitize::sanitize(&earlier.tuned_at),
            path.display()
        ),
        Some(Ok(CacheChange::Unchanged)) => {
            outln!("nothing cached: bench runs the default, as before")
        }
        Some(Err(_)) => outln!("not saved (below)"),
        None => outln!("not saved: a partial sweep is not cached"),
    }
    outln!();
}
