//! The wide tuning sweep on a real adapter (lavapipe on CI): bounded by its
//! caps, ended by a stop flag with the best so far, and its winner proven
//! against sha2. Small budgets; no assertion on how long anything took.
// Test harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use hashwatt::chain::catalog;
use hashwatt::chain::target::Target;
use hashwatt::devices::DeviceChoice;
use hashwatt::gpu::{GpuAdapter, GpuSearcher};
use hashwatt::search::search_range;
use hashwatt::tune::{self, Ended, Stage, Sweep, SweepEvent, SweepPlan};

fn adapter() -> Option<GpuAdapter> {
    match common::gpu_choice()? {
        DeviceChoice::Gpu(adapter) => Some(*adapter),
        _ => None,
    }
}

/// A cheap plan: 0.05 s timed per setting.
fn small_plan() -> SweepPlan {
    SweepPlan {
        seconds_per_setting: 0.05,
        max_seconds: 600.0,
        ..SweepPlan::default()
    }
}

fn run(adapter: &GpuAdapter, plan: &SweepPlan, stop: &AtomicBool) -> Sweep {
    let known = catalog::latest_embedded();
    tune::sweep_until(adapter, &known, plan, stop, |_| {}).expect("the sweep runs")
}

/// The full range on this adapter: never more settings than the cap, every
/// shape inside the adapter's limits, the untuned default first, then the
/// coarse grid, the best the fastest trial, a decision between the
/// fastest other setting and the default, the kept setting proven, and the
/// fastest shape's hit set equal to sha2's, here checked by the test
/// itself with a fresh searcher.
#[test]
fn the_full_range_is_searched_within_its_cap_and_the_winner_is_proven() {
    let Some(adapter) = adapter() else {
        return;
    };
    let plan = small_plan();
    let sweep = run(&adapter, &plan, &AtomicBool::new(false));
    assert!(!sweep.interrupted());
    assert!(
        matches!(sweep.ended, Ended::Complete | Ended::SettingsCap),
        "{:?}",
        sweep.ended
    );
    assert!(!sweep.trials.is_empty());
    assert!(
        sweep.trials.len() <= plan.max_settings,
        "{} settings measured, cap {}",
        sweep.trials.len(),
        plan.max_settings
    );
    let limits = adapter.adapter.limits();
    let max_workgroup = limits
        .max_compute_invocations_per_workgroup
        .min(limits.max_compute_workgroup_size_x);
    let whole_grid = sweep.workgroup_sizes.len() * sweep.nonces_per_invocation.len();
    assert!(
        sweep.trials.len() < whole_grid,
        "the search is not the grid"
    );
    for trial in &sweep.trials {
        assert!(trial.kernel.workgroup_size <= max_workgroup);
        assert!((1..=32).contains(&trial.kernel.nonces_per_invocation));
        assert!(trial.hashes_per_second > 0.0 && trial.hashes_per_second.is_finite());
        assert!(trial.warmup.batches >= 2, "every setting warms up");
    }
    assert_eq!(sweep.trials[0].stage, Stage::Default);
    assert!(tune::decide::is_default(&sweep.trials[0]));
    let coarse = sweep
        .trials
        .iter()
        .skip(1)
        .take_while(|t| t.stage == Stage::Coarse)
        .count();
    assert!(coarse >= 4, "{coarse} coarse settings");
    let fastest = sweep
        .trials
        .iter()
        .map(|t| t.hashes_per_second)
        .fold(0.0, f64::max);
    let best = sweep.best.clone().expect("a best setting");
    assert_eq!(best.hashes_per_second, fastest);
    let decision = sweep.decision.clone().expect("a decision");
    let verification = sweep
        .verification
        .clone()
        .expect("the kept setting is checked");
    assert!(verification.passed, "{verification:?}");
    assert!(verification.hit_set.sha2_hits > 100);
    assert_eq!(tune::winner(&sweep).unwrap(), decision.tuned);
    match decision.kept {
        tune::Kept::Tuned => {
            // Each of the candidate's runs beat each of the default's.
            assert_eq!(decision.runs.len(), 8);
            let slowest = decision
                .candidate_rates
                .iter()
                .copied()
                .fold(f64::MAX, f64::min);
            let fastest = decision.default_rates.iter().copied().fold(0.0, f64::max);
            assert!(slowest > fastest, "{decision:?}");
        }
        tune::Kept::Default => assert!(decision.tuned.is_none()),
    }

    // The test's own check: the winning shape's hits over a range no batch
    // boundary lines up with equal the nonces sha2 accepts.
    let config = best.kernel_config().unwrap();
    let mut searcher = GpuSearcher::open(&adapter, config).unwrap();
    let header = catalog::latest_embedded().header;
    let target = Target::from_leading_zero_bits(8).unwrap();
    let (start, count) = (1_000_003u32, 40_000u64);
    let device = search_range(&mut searcher, &header, start, count, &target, 9_999).unwrap();
    let sha2: Vec<u32> = (start..start + count as u32)
        .filter(|&n| header.with_nonce(n).block_hash().meets(&target))
        .collect();
    assert!(sha2.len() > 80, "{} sha2 hits", sha2.len());
    assert_eq!(device, sha2, "{config}");
}

/// A cap of 3 settings measures 3, and says it stopped at the cap; a total
/// budget that fits one setting measures one and says so.
#[test]
fn the_caps_on_settings_and_seconds_end_the_sweep() {
    let Some(adapter) = adapter() else {
        return;
    };
    let plan = SweepPlan {
        max_settings: 3,
        ..small_plan()
    };
    let sweep = run(&adapter, &plan, &AtomicBool::new(false));
    assert_eq!(sweep.trials.len(), 3);
    assert_eq!(sweep.ended, Ended::SettingsCap);
    assert!(
        tune::winner(&sweep).is_ok(),
        "a capped sweep is still proven"
    );

    // The first setting's warm-up alone runs batches until one takes half
    // the 100 ms target, so after it nothing else fits in 0.06 s.
    let plan = SweepPlan {
        max_seconds: 0.06,
        ..small_plan()
    };
    let sweep = run(&adapter, &plan, &AtomicBool::new(false));
    assert_eq!(sweep.trials.len(), 1);
    assert_eq!(sweep.ended, Ended::TimeBudget);
}

/// The stop flag set after the second setting, or while the third one
/// runs: no further setting is measured, the best so far is kept, the
/// sweep says it was interrupted, and nothing is offered for the cache.
#[test]
fn a_stop_flag_ends_the_sweep_with_the_best_so_far() {
    let Some(adapter) = adapter() else {
        return;
    };
    let known = catalog::latest_embedded();
    for during_third in [false, true] {
        let stop = AtomicBool::new(false);
        let mut measured = 0;
        let mut started = 0;
        let sweep = tune::sweep_until(
            &adapter,
            &known,
            &small_plan(),
            &stop,
            |event| match event {
                SweepEvent::Measured(_) => {
                    measured += 1;
                    if measured == 2 && !during_third {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                SweepEvent::Starting { .. } => {
                    started += 1;
                    if started == 3 && during_third {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                SweepEvent::Verifying { .. } => panic!("an interrupted sweep verifies nothing"),
            },
        )
        .unwrap();
        assert_eq!(sweep.trials.len(), 2, "during the third: {during_third}");
        assert_eq!(started, if during_third { 3 } else { 2 });
        assert!(sweep.interrupted());
        assert_eq!(sweep.ended, Ended::Interrupted);
        let best = sweep.best.clone().expect("the best so far");
        let fastest = sweep.trials[0]
            .hashes_per_second
            .max(sweep.trials[1].hashes_per_second);
        assert_eq!(best.hashes_per_second, fastest);
        assert!(sweep.verification.is_none());
        assert!(tune::winner(&sweep).is_err());
    }
}

/// `tune --quick --max-settings 4 --json`: the typed document, its plan and
/// its end, the default first, the kept setting checked, and the cache
/// written only where a setting beat the default; a budget with no room
/// for one setting is bad input.
#[test]
fn the_command_reports_its_plan_budget_and_proof() {
    if adapter().is_none() {
        return;
    }
    let cache = std::env::temp_dir().join(format!("hashwatt-tune-sweep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let document = common::run_json(
        &[
            "tune",
            "--quick",
            "--seconds",
            "0.05",
            "--max-settings",
            "4",
            "--json",
        ],
        &[("HASHWATT_CACHE_DIR", &cache)],
    );
    common::validate("tune.schema.json", &document);
    assert_eq!(document["schema"], "hashwatt.tune/4");
    let result = &document["results"][0];
    assert_eq!(result["trials"].as_array().unwrap().len(), 4);
    assert_eq!(result["ended"], "settings-cap");
    assert_eq!(result["plan"]["max_settings"], 4);
    assert_eq!(result["plan"]["max_seconds"], 30.0);
    assert_eq!(result["verification"]["passed"], true);
    assert_eq!(
        result["verification"]["hit_set"]["device_hits"],
        result["verification"]["hit_set"]["sha2_hits"]
    );
    assert_eq!(result["trials"][0]["stage"], "default");
    let decision = &result["decision"];
    match decision["kept"].as_str().unwrap() {
        "tuned" => {
            assert_eq!(result["cache_action"], "stored");
            assert!(cache.join("tuning.json").is_file());
        }
        "default" => {
            assert_eq!(result["cache_action"], "unchanged");
            assert!(decision["tuned"].is_null());
            assert!(!cache.join("tuning.json").exists());
        }
        other => panic!("kept {other}"),
    }
    let _ = std::fs::remove_dir_all(&cache);

    let output = Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(["tune", "--seconds", "5", "--max-seconds", "2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("leaves no time for one setting"),
        "{stderr}"
    );
}
