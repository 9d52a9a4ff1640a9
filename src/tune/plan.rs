//! What a sweep may try and what it may spend: the grid of kernel shapes
//! (workgroup size x nonces per invocation) fitted to an adapter's limits,
//! the batch times, and the budget (settings and seconds).
//!
//! The full range is ccminer's and beyond: workgroups of 32 to 1024
//! invocations, 1 to 32 nonces per invocation, powers of two. A shape the
//! adapter cannot run is dropped before anything is compiled, with the
//! reason in the report.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::kernel::{KernelConfig, KernelVariant};
use crate::search::MAX_BATCH;

/// Workgroup sizes the sweep may try (invocations, x only).
pub const WORKGROUP_SIZES: [u32; 6] = [32, 64, 128, 256, 512, 1024];
/// Nonces per invocation the sweep may try (ccminer runs 32).
pub const NONCES_PER_INVOCATION: [u32; 6] = [1, 2, 4, 8, 16, 32];
/// Batch times tried with the best shape; shapes are compared at the middle
/// one. At most 250 ms: with two batches in flight, Ctrl-C waits for at
/// most about half a second of GPU work.
pub const BATCH_MS: [u64; 3] = [50, 100, 250];

/// The default budget: timed seconds per setting, settings, total seconds.
pub const DEFAULT_SECONDS: f64 = 2.0;
pub const DEFAULT_MAX_SETTINGS: usize = 24;
pub const DEFAULT_MAX_SECONDS: f64 = 120.0;
/// `--quick`: shorter timings and a smaller total.
pub const QUICK_SECONDS: f64 = 0.5;
pub const QUICK_MAX_SECONDS: f64 = 30.0;

/// What to sweep and what it may cost.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    /// Candidate workgroup sizes (before the adapter's limits).
    pub workgroup_sizes: Vec<u32>,
    /// Candidate nonces per invocation.
    pub nonces_per_invocation: Vec<u32>,
    /// Batch times; shapes are measured at the middle one.
    pub batch_ms: Vec<u64>,
    /// Timed seconds per setting, after each setting's warm-up.
    pub seconds_per_setting: f64,
    /// The most settings measured, shapes and batch times together: shapes
    /// get all but the other batch times' share (at least one).
    pub max_settings: usize,
    /// Wall-clock seconds for the whole sweep, compilation and warm-ups
    /// included: a setting starts only while its estimated cost fits.
    pub max_seconds: f64,
}

impl Default for SweepPlan {
    fn default() -> Self {
        SweepPlan {
            workgroup_sizes: WORKGROUP_SIZES.to_vec(),
            nonces_per_invocation: NONCES_PER_INVOCATION.to_vec(),
            batch_ms: BATCH_MS.to_vec(),
            seconds_per_setting: DEFAULT_SECONDS,
            max_settings: DEFAULT_MAX_SETTINGS,
            max_seconds: DEFAULT_MAX_SECONDS,
        }
    }
}

impl SweepPlan {
    /// `--quick`: the same search, 0.5 s per setting, 30 s in all.
    pub fn quick() -> Self {
        SweepPlan {
            seconds_per_setting: QUICK_SECONDS,
            max_seconds: QUICK_MAX_SECONDS,
            ..SweepPlan::default()
        }
    }

    /// The batch time shapes are compared at.
    pub fn shape_batch_ms(&self) -> u64 {
        self.batch_ms[self.batch_ms.len() / 2]
    }

    /// The other batch times, tried with the best shape.
    pub fn other_batch_ms(&self) -> Vec<u64> {
        let middle = self.shape_batch_ms();
        self.batch_ms
            .iter()
            .copied()
            .filter(|&ms| ms != middle)
            .collect()
    }

    /// A plan that can run: positive finite timings, at least one setting,
    /// and room in the total for one setting.
    pub fn check(&self) -> Result<(), String> {
        if !(self.seconds_per_setting > 0.0 && self.seconds_per_setting.is_finite()) {
            return Err(format!(
                "seconds per setting must be a positive number, got {}",
                self.seconds_per_setting
            ));
        }
        if !(self.max_seconds > 0.0 && self.max_seconds.is_finite()) {
            return Err(format!(
                "the total budget must be a positive number of seconds, got {}",
                self.max_seconds
            ));
        }
        if self.max_seconds < self.seconds_per_setting {
            return Err(format!(
                "a total of {} s leaves no time for one setting of {} s",
                self.max_seconds, self.seconds_per_setting
            ));
        }
        if self.max_settings == 0 {
            return Err("the sweep must be allowed at least 1 setting".into());
        }
        if self.batch_ms.is_empty() {
            return Err("no batch time to sweep".into());
        }
        Ok(())
    }
}

/// The adapter limits a shape must fit.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct ShapeLimits {
    pub max_compute_invocations_per_workgroup: u32,
    pub max_compute_workgroup_size_x: u32,
    pub max_compute_workgroups_per_dimension: u32,
}

impl ShapeLimits {
    pub fn of(limits: &wgpu::Limits) -> Self {
        ShapeLimits {
            max_compute_invocations_per_workgroup: limits.max_compute_invocations_per_workgroup,
            max_compute_workgroup_size_x: limits.max_compute_workgroup_size_x,
            max_compute_workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
        }
    }

    /// The largest workgroup (x only) this adapter runs.
    pub fn max_workgroup(&self) -> u32 {
        self.max_compute_invocations_per_workgroup
            .min(self.max_compute_workgroup_size_x)
    }

    /// Why this adapter cannot run the shape, if it cannot: a workgroup
    /// over its limits, or a grid too small for the largest batch (the
    /// searcher lays workgroups out in x and y, each at most
    /// `max_compute_workgroups_per_dimension`).
    pub fn refuse(&self, workgroup_size: u32, nonces_per_invocation: u32) -> Option<String> {
        let config = KernelConfig {
            variant: KernelVariant::Fast,
            workgroup_size,
            nonces_per_invocation,
        };
        if let Err(why) = config.check(self.max_workgroup()) {
            return Some(why);
        }
        let per_dimension = self.max_compute_workgroups_per_dimension as u64;
        let reach =
            per_dimension * per_dimension * workgroup_size as u64 * nonces_per_invocation as u64;
        if reach < MAX_BATCH {
            return Some(format!(
                "{per_dimension} x {per_dimension} workgroups of {workgroup_size} x \
{nonces_per_invocation} nonces cannot hold a batch of {MAX_BATCH} nonces"
            ));
        }
        None
    }
}

/// A shape left out, and why.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct DroppedShape {
    pub workgroup_size: u32,
    pub nonces_per_invocation: u32,
    pub reason: String,
}

/// The shapes an adapter can run, as a grid: sorted workgroup sizes and
/// nonce counts, and which of their pairs it runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub workgroup_sizes: Vec<u32>,
    pub nonces_per_invocation: Vec<u32>,
    /// `allowed[w][n]`: the adapter runs `workgroup_sizes[w]` x
    /// `nonces_per_invocation[n]`.
    allowed: Vec<Vec<bool>>,
}

impl Grid {
    /// The plan's candidates fitted to `limits`: every pair the adapter
    /// cannot run is dropped with its reason; rows and columns with nothing
    /// left go.
    pub fn fit(plan: &SweepPlan, limits: &ShapeLimits) -> (Grid, Vec<DroppedShape>) {
        let sorted = |values: &[u32]| {
            let mut values = values.to_vec();
            values.sort_unstable();
            values.dedup();
            values
        };
        let workgroups = sorted(&plan.workgroup_sizes);
        let nonces = sorted(&plan.nonces_per_invocation);
        let mut dropped = Vec::new();
        let mut allowed = vec![vec![false; nonces.len()]; workgroups.len()];
        for (w, &workgroup_size) in workgroups.iter().enumerate() {
            for (n, &nonces_per_invocation) in nonces.iter().enumerate() {
                match limits.refuse(workgroup_size, nonces_per_invocation) {
                    None => allowed[w][n] = true,
                    Some(reason) => dropped.push(DroppedShape {
                        workgroup_size,
                        nonces_per_invocation,
                        reason,
                    }),
                }
            }
        }
        let rows: Vec<usize> = (0..workgroups.len())
            .filter(|&w| allowed[w].iter().any(|&a| a))
            .collect();
        let columns: Vec<usize> = (0..nonces.len())
            .filter(|&n| rows.iter().any(|&w| allowed[w][n]))
            .collect();
        let grid = Grid {
            workgroup_sizes: rows.iter().map(|&w| workgroups[w]).collect(),
            nonces_per_invocation: columns.iter().map(|&n| nonces[n]).collect(),
            allowed: rows
                .iter()
                .map(|&w| columns.iter().map(|&n| allowed[w][n]).collect())
                .collect(),
        };
        (grid, dropped)
    }

    /// Whether the adapter runs the shape at grid position (w, n).
    pub fn allows(&self, w: usize, n: usize) -> bool {
        self.allowed
            .get(w)
            .and_then(|row| row.get(n))
            .copied()
            .unwrap_or(false)
    }

    pub fn is_empty(&self) -> bool {
        self.shapes() == 0
    }

    /// How many shapes the adapter runs.
    pub fn shapes(&self) -> usize {
        self.allowed.iter().flatten().filter(|&&a| a).count()
    }

    pub fn config(&self, w: usize, n: usize) -> KernelConfig {
        KernelConfig {
            variant: KernelVariant::Fast,
            workgroup_size: self.workgroup_sizes[w],
            nonces_per_invocation: self.nonces_per_invocation[n],
        }
    }
}

/// Whether a setting estimated to cost `estimate` seconds may start after
/// `elapsed` seconds of a sweep allowed `max_seconds`, and `done` settings
/// of at most `max_settings`.
pub fn fits(done: usize, elapsed: f64, estimate: f64, plan: &SweepPlan) -> Fit {
    if done >= plan.max_settings {
        Fit::SettingsCap
    } else if elapsed + estimate > plan.max_seconds {
        Fit::TimeBudget
    } else {
        Fit::Yes
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    Yes,
    SettingsCap,
    TimeBudget,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(invocations: u32, size_x: u32, per_dimension: u32) -> ShapeLimits {
        ShapeLimits {
            max_compute_invocations_per_workgroup: invocations,
            max_compute_workgroup_size_x: size_x,
            max_compute_workgroups_per_dimension: per_dimension,
        }
    }

    #[test]
    fn the_full_range_fits_a_large_adapter() {
        let (grid, dropped) = Grid::fit(&SweepPlan::default(), &limits(1024, 1024, 65535));
        assert!(dropped.is_empty(), "{dropped:?}");
        assert_eq!(grid.workgroup_sizes, WORKGROUP_SIZES);
        assert_eq!(grid.nonces_per_invocation, NONCES_PER_INVOCATION);
        assert_eq!(grid.shapes(), 36);
    }

    #[test]
    fn workgroups_over_the_invocation_limit_are_dropped() {
        let (grid, dropped) = Grid::fit(&SweepPlan::default(), &limits(256, 1024, 65535));
        assert_eq!(grid.workgroup_sizes, [32, 64, 128, 256]);
        assert_eq!(grid.shapes(), 24);
        assert_eq!(dropped.len(), 12);
        assert!(dropped
            .iter()
            .all(|d| d.workgroup_size >= 512 && d.reason.contains("outside 1..=256")));
        for w in 0..grid.workgroup_sizes.len() {
            for n in 0..grid.nonces_per_invocation.len() {
                assert!(grid.config(w, n).check(256).is_ok());
            }
        }
    }

    #[test]
    fn the_x_size_limit_counts_too() {
        let (grid, dropped) = Grid::fit(&SweepPlan::default(), &limits(1024, 128, 65535));
        assert_eq!(grid.workgroup_sizes, [32, 64, 128]);
        assert_eq!(dropped.len(), 18);
    }

    #[test]
    fn a_small_dispatch_grid_drops_the_shapes_that_cannot_hold_a_batch() {
        // 256 x 256 workgroups: 65,536 workgroups, so a shape needs at least
        // 2^31 / 2^16 = 32,768 nonces per workgroup.
        let (grid, dropped) = Grid::fit(&SweepPlan::default(), &limits(1024, 1024, 256));
        for d in &dropped {
            assert!(
                (d.workgroup_size * d.nonces_per_invocation) < 32_768,
                "{d:?}"
            );
            assert!(d.reason.contains("cannot hold a batch"), "{d:?}");
        }
        // Only 1024 x 32 = 32,768 is left: a 1 x 1 grid.
        assert_eq!(dropped.len(), 35);
        assert!(grid.allows(0, 0));
        assert!(!grid.allows(0, 1));
        assert_eq!(grid.shapes(), 1);
        assert_eq!(grid.workgroup_sizes, [1024]);
        assert_eq!(grid.nonces_per_invocation, [32]);
    }

    #[test]
    fn an_adapter_that_runs_nothing_gives_an_empty_grid() {
        let (grid, dropped) = Grid::fit(&SweepPlan::default(), &limits(16, 16, 65535));
        assert!(grid.is_empty());
        assert_eq!(dropped.len(), 36);
    }

    #[test]
    fn the_budget_refuses_a_setting_that_would_not_fit() {
        let plan = SweepPlan::default();
        assert_eq!(fits(0, 0.0, 3.0, &plan), Fit::Yes);
        assert_eq!(fits(23, 100.0, 3.0, &plan), Fit::Yes);
        assert_eq!(fits(24, 0.0, 3.0, &plan), Fit::SettingsCap);
        assert_eq!(fits(5, 118.0, 3.0, &plan), Fit::TimeBudget);
    }

    #[test]
    fn impossible_plans_are_refused() {
        let plan = |seconds, max_seconds, max_settings| SweepPlan {
            seconds_per_setting: seconds,
            max_seconds,
            max_settings,
            ..SweepPlan::default()
        };
        assert!(plan(2.0, 120.0, 20).check().is_ok());
        assert!(plan(0.0, 120.0, 20).check().is_err());
        assert!(plan(f64::NAN, 120.0, 20).check().is_err());
        assert!(plan(2.0, 1.0, 20).check().is_err());
        assert!(plan(2.0, f64::INFINITY, 20).check().is_err());
        assert!(plan(2.0, 120.0, 0).check().is_err());
    }
}
