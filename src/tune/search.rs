//! The order shapes are measured in: coarse to fine over the grid of
//! workgroup sizes x nonces per invocation.
//!
//! 1. **Coarse**: every other power of two on each axis, counted down from
//!    the largest (on the full grid: workgroups 64, 256, 1024 x nonces 2, 8,
//!    32: 9 shapes). Every shape of the grid is then at most one step from a
//!    measured one on each axis.
//! 2. **Refine**: the unmeasured neighbours (one step on either axis or
//!    both) of the best shape so far; again around the new best while the
//!    best moves. On a smooth rate surface the first round finds the peak.
//!
//! The runner stops the search at the plan's cap on settings and seconds;
//! this module only says what comes next, so it is tested with made-up
//! rate surfaces and no GPU.

use std::collections::VecDeque;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::plan::Grid;

/// Which part of the sweep measured a setting.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// The untuned default, measured first: what bench runs without a
    /// cache, and what a setting must beat to be cached.
    Default,
    /// The coarse grid of shapes.
    Coarse,
    /// Neighbours of the best shape so far.
    Refine,
    /// Other batch times with the best shape.
    Batch,
    /// The fastest other setting and the default again, alternating, to
    /// decide which `bench` runs.
    Confirm,
}

/// A grid position: (workgroup index, nonces index).
pub type Position = (usize, usize);

pub struct ShapeSearch {
    grid: Grid,
    /// `None`: not measured yet; `Some(None)`: measured without a rate.
    rates: Vec<Vec<Option<Option<f64>>>>,
    queue: VecDeque<Position>,
    stage: Stage,
    /// The best position the last refinement round was built around.
    refined_around: Option<Position>,
}

impl ShapeSearch {
    pub fn new(grid: Grid) -> Self {
        let (rows, columns) = (grid.workgroup_sizes.len(), grid.nonces_per_invocation.len());
        let coarse = |index: usize, len: usize| (len - 1 - index).is_multiple_of(2);
        let mut queue: VecDeque<Position> = (0..rows)
            .flat_map(|w| (0..columns).map(move |n| (w, n)))
            .filter(|&(w, n)| coarse(w, rows) && coarse(n, columns) && grid.allows(w, n))
            .collect();
        if queue.is_empty() {
            // A sparse grid (dispatch limits) may miss every coarse point:
            // start from the largest shape it has.
            queue.extend(
                (0..rows)
                    .rev()
                    .flat_map(|w| (0..columns).rev().map(move |n| (w, n)))
                    .find(|&(w, n)| grid.allows(w, n)),
            );
        }
        ShapeSearch {
            rates: vec![vec![None; columns]; rows],
            grid,
            queue,
            stage: Stage::Coarse,
            refined_around: None,
        }
    }

    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The next shape to measure and its stage; `None` when the search is
    /// done.
    pub fn next_shape(&mut self) -> Option<(Stage, Position)> {
        loop {
            while let Some(position) = self.queue.pop_front() {
                if self.rates[position.0][position.1].is_none() {
                    return Some((self.stage, position));
                }
            }
            let best = self.best()?;
            if self.refined_around == Some(best) {
                return None;
            }
            self.refined_around = Some(best);
            self.stage = Stage::Refine;
            self.queue.extend(self.unmeasured_neighbours(best));
            if self.queue.is_empty() {
                return None;
            }
        }
    }

    /// Records a measured shape's rate (`None`: no rate, e.g. too short).
    pub fn record(&mut self, position: Position, rate: Option<f64>) {
        self.rates[position.0][position.1] = Some(rate.filter(|r| r.is_finite() && *r > 0.0));
    }

    /// The fastest shape measured so far.
    pub fn best(&self) -> Option<Position> {
        let mut best: Option<(Position, f64)> = None;
        for (w, row) in self.rates.iter().enumerate() {
            for (n, rate) in row.iter().enumerate() {
                if let Some(Some(rate)) = *rate {
                    if best.is_none_or(|(_, b)| rate > b) {
                        best = Some(((w, n), rate));
                    }
                }
            }
        }
        best.map(|(position, _)| position)
    }

    /// Shapes measured so far.
    pub fn measured(&self) -> usize {
        self.rates.iter().flatten().filter(|r| r.is_some()).count()
    }

    /// About how many more shapes the search will measure: what is queued,
    /// and one refinement round (at most 8) while still coarse.
    pub fn remaining_estimate(&self) -> usize {
        let queued = self
            .queue
            .iter()
            .filter(|p| self.rates[p.0][p.1].is_none())
            .count();
        let unmeasured = self.grid.shapes() - self.measured();
        match self.stage {
            Stage::Coarse => (queued + 8).min(unmeasured),
            _ => queued,
        }
    }

    fn unmeasured_neighbours(&self, (w, n): Position) -> Vec<Position> {
        let mut around = Vec::new();
        for dw in -1i64..=1 {
            for dn in -1i64..=1 {
                let (Ok(w2), Ok(n2)) = (
                    usize::try_from(w as i64 + dw),
                    usize::try_from(n as i64 + dn),
                ) else {
                    continue;
                };
                if self.grid.allows(w2, n2) && self.rates[w2][n2].is_none() {
                    around.push((w2, n2));
                }
            }
        }
        around
    }
}

#[cfg(test)]
mod tests {
    use super::super::plan::{Grid, ShapeLimits, SweepPlan, DEFAULT_MAX_SETTINGS};
    use super::*;

    fn full_grid(max_invocations: u32) -> Grid {
        let limits = ShapeLimits {
            max_compute_invocations_per_workgroup: max_invocations,
            max_compute_workgroup_size_x: 1024,
            max_compute_workgroups_per_dimension: 65535,
        };
        Grid::fit(&SweepPlan::default(), &limits).0
    }

    /// Runs the search over a made-up rate surface to its end; returns the
    /// shapes measured, in order.
    fn run(grid: Grid, rate: impl Fn(Position) -> Option<f64>) -> (Vec<Position>, ShapeSearch) {
        let mut search = ShapeSearch::new(grid);
        let mut order = Vec::new();
        while let Some((_, position)) = search.next_shape() {
            assert!(!order.contains(&position), "{position:?} measured twice");
            order.push(position);
            search.record(position, rate(position));
        }
        (order, search)
    }

    #[test]
    fn the_coarse_grid_is_every_other_power_of_two_from_the_top() {
        let mut search = ShapeSearch::new(full_grid(1024));
        let mut coarse = Vec::new();
        while let Some((Stage::Coarse, position)) = search.next_shape() {
            let config = search.grid().config(position.0, position.1);
            coarse.push((config.workgroup_size, config.nonces_per_invocation));
            search.record(position, Some(1.0));
        }
        let mut expected = Vec::new();
        for w in [64, 256, 1024] {
            for n in [2, 8, 32] {
                expected.push((w, n));
            }
        }
        assert_eq!(coarse, expected);
    }

    /// A smooth surface with its peak anywhere on the grid: the search
    /// finds the peak, and never measures more shapes than the default cap
    /// leaves after the batch times.
    #[test]
    fn a_smooth_surface_is_climbed_to_its_peak_within_the_cap() {
        for max_invocations in [1024, 256] {
            let grid = full_grid(max_invocations);
            let (rows, columns) = (grid.workgroup_sizes.len(), grid.nonces_per_invocation.len());
            for pw in 0..rows {
                for pn in 0..columns {
                    let surface = |(w, n): Position| {
                        let (dw, dn) = (w as f64 - pw as f64, n as f64 - pn as f64);
                        Some(100.0 - 3.0 * dw * dw - 2.0 * dn * dn + 0.5 * dw * dn)
                    };
                    let (order, search) = run(grid.clone(), surface);
                    assert_eq!(search.best(), Some((pw, pn)), "peak ({pw}, {pn})");
                    let shape_cap =
                        DEFAULT_MAX_SETTINGS - SweepPlan::default().other_batch_ms().len();
                    assert!(
                        order.len() <= shape_cap,
                        "peak ({pw}, {pn}): {} shapes, over {shape_cap}",
                        order.len()
                    );
                }
            }
        }
    }

    /// However the rates fall (noise, a surface with many bumps), the
    /// search ends, never repeats a shape and never leaves the grid.
    #[test]
    fn any_surface_ends_inside_the_grid() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..200 {
            let grid = full_grid(if round % 2 == 0 { 1024 } else { 256 });
            let shapes = grid.shapes();
            let rates: Vec<f64> = (0..64)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 1000) as f64
                })
                .collect();
            let (order, search) = run(grid, |(w, n)| {
                let rate = rates[w * 6 + n];
                (rate > 50.0).then_some(rate)
            });
            assert!(order.len() <= shapes);
            assert!(order.iter().all(|&(w, n)| search.grid().allows(w, n)));
            if let Some(best) = search.best() {
                let top = order
                    .iter()
                    .map(|&(w, n)| rates[w * 6 + n])
                    .filter(|&r| r > 50.0)
                    .fold(0.0, f64::max);
                assert_eq!(rates[best.0 * 6 + best.1], top);
            }
        }
    }

    #[test]
    fn a_grid_without_coarse_points_starts_from_its_largest_shape() {
        let limits = ShapeLimits {
            max_compute_invocations_per_workgroup: 1024,
            max_compute_workgroup_size_x: 1024,
            max_compute_workgroups_per_dimension: 256,
        };
        let (grid, _) = Grid::fit(&SweepPlan::default(), &limits);
        let (order, search) = run(grid, |_| Some(1.0));
        assert_eq!(order.len(), 1);
        assert_eq!(
            search
                .grid()
                .config(order[0].0, order[0].1)
                .nonces_per_invocation,
            32
        );
    }

    #[test]
    fn nothing_measured_ends_after_the_coarse_grid() {
        let (order, search) = run(full_grid(1024), |_| None);
        assert_eq!(order.len(), 9);
        assert_eq!(search.best(), None);
    }
}
