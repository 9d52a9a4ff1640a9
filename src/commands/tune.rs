//! `hashwatt tune`: sweep the fast kernel's settings on each chosen GPU and
//! cache the fastest for `bench`.

use crate::catalog;
use crate::cli::TuneArgs;
use crate::device::DeviceChoice;
use crate::error::{exit, require_positive, Error, Result};
use crate::report;
use crate::tune::{self, SweepPlan};

pub fn run(args: &TuneArgs) -> Result<i32> {
    require_positive("--seconds", args.seconds)?;
    let known = catalog::resolve_or_latest(args.header.as_deref())?;
    let plan = SweepPlan {
        seconds_per_setting: args.seconds,
        ..SweepPlan::default()
    };
    let mut results = Vec::new();
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
        let (trials, best) = tune::sweep(&adapter, &known, &plan, |trial| {
            if !args.json {
                outln!(
                    "  {:>9}  {:>7}  {:>8}  {:>12}",
                    trial.kernel.workgroup_size,
                    trial.kernel.nonces_per_invocation,
                    trial.batch_ms,
                    report::format_rate(trial.hashes_per_second)
                );
            }
        })?;
        let path = tune::store(&best)?;
        if !args.json {
            outln!(
                "best: workgroup {} x {} nonces per invocation, {} ms batches: {}\nsaved to {} (bench uses it from now on)\n",
                best.kernel.workgroup_size,
                best.kernel.nonces_per_invocation,
                best.batch_ms,
                report::format_rate(best.hashes_per_second),
                path.display()
            );
        }
        results.push(serde_json::json!({ "device": best.device, "trials": trials, "best": best, "cache": path }));
    }
    if args.json {
        report::write_json(
            &serde_json::json!({ "schema": "hashwatt.tune/1", "results": results }),
            &report::JsonOut::Stdout,
        )?;
    }
    Ok(exit::OK)
}
