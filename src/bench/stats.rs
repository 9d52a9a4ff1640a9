//! The time series of a timed run and what it says: per-interval rates,
//! their spread (median, p5/p95, coefficient of variation) and whether the
//! run was steady, in the manner of hyperfine's and criterion's reports.
//!
//! A run is flagged **unstable** when, over at least [`MIN_SAMPLES`]
//! intervals, either
//! - the coefficient of variation of the interval rates passes
//!   [`MAX_CV`] (5%), or
//! - the mean rate of the last third differs from the first third's by more
//!   than [`MAX_DRIFT`] (5%): a card that throttles, a neighbour that took
//!   the machine, a clock that ramped.
//!
//! Fewer intervals than that are too few to judge, and the report says so.
//!
//! A **stall** flags a run unstable whatever its length: a gap between two
//! batch completions (or from the trial's start to its first) longer than
//! [`STALL_FACTOR`] times the longer of the interval and the target batch
//! time. A device that stops for seconds mid-run (a driver reset, a
//! neighbour, a page fault storm) reports an average that no steady run
//! would give; each stall is recorded with when it began and how long it
//! lasted.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::sensors::telemetry::TelemetrySample;

/// Intervals needed before a run is judged steady or not.
pub const MIN_SAMPLES: usize = 5;
/// Largest coefficient of variation of a steady run.
pub const MAX_CV: f64 = 0.05;
/// Largest relative change between the first and last thirds of a steady run.
pub const MAX_DRIFT: f64 = 0.05;

/// A gap between completions this many times the expected one (the
/// longer of the interval and the target batch time) is a stall.
pub const STALL_FACTOR: f64 = 3.0;

/// A time in a trial when no batch completed for far longer than batches take.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Stall {
    /// When the device went quiet: seconds into the trial of the last
    /// completion before the gap (0: the trial's start).
    pub at: f64,
    /// How long no batch completed.
    pub seconds: f64,
    /// The longest gap expected, which this one passed.
    pub expected_at_most: f64,
}

/// One interval of a timed run (about a second, or one batch when batches
/// are longer).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Sample {
    /// End of the interval, in seconds since the trial started.
    pub t: f64,
    /// Length of the interval, in seconds.
    pub seconds: f64,
    /// Nonces whose batches completed in the interval.
    pub nonces: u64,
    pub hashes_per_second: f64,
    /// Average power over the interval, where a meter measured it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watts: Option<f64>,
    /// Clocks, temperature, power limit and throttling at the interval's
    /// end, where the device reports them (NVML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<TelemetrySample>,
}

/// Whether a run held steady.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Stable,
    Unstable,
    /// Fewer than [`MIN_SAMPLES`] intervals.
    TooShort,
}

/// The spread of a set of rates (intervals of a run, or trials of a
/// `--repeat`), all in hashes per second.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Spread {
    /// How many rates it summarises.
    pub count: usize,
    pub median: f64,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    /// 5th and 95th percentiles (linear interpolation between ranks).
    pub p5: f64,
    pub p95: f64,
    /// Standard deviation (n - 1) over the mean.
    pub cv: f64,
    /// Mean of the last third over the mean of the first third, minus one.
    pub drift: f64,
    pub verdict: Verdict,
    /// Why the verdict is `unstable`, in words.
    #[serde(default)]
    pub reasons: Vec<String>,
}

impl Spread {
    /// The spread of `rates`, in order of time; `None` when empty.
    pub fn of(rates: &[f64]) -> Option<Spread> {
        if rates.is_empty() {
            return None;
        }
        let count = rates.len();
        let mut sorted = rates.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mean = rates.iter().sum::<f64>() / count as f64;
        let variance = if count > 1 {
            rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (count - 1) as f64
        } else {
            0.0
        };
        let cv = if mean > 0.0 {
            variance.sqrt() / mean
        } else {
            0.0
        };
        let third = (count / 3).max(1);
        let first = rates[..third].iter().sum::<f64>() / third as f64;
        let last = rates[count - third..].iter().sum::<f64>() / third as f64;
        let drift = if first > 0.0 { last / first - 1.0 } else { 0.0 };
        let mut reasons = Vec::new();
        let verdict = if count < MIN_SAMPLES {
            Verdict::TooShort
        } else {
            if cv > MAX_CV {
                reasons.push(format!(
                    "the rate varied by {:.1}% (coefficient of variation; steady runs stay under {:.0}%)",
                    100.0 * cv,
                    100.0 * MAX_CV
                ));
            }
            if drift.abs() > MAX_DRIFT {
                reasons.push(format!(
                    "the last third ran {:.1}% {} than the first (steady runs stay within {:.0}%)",
                    100.0 * drift.abs(),
                    if drift < 0.0 { "slower" } else { "faster" },
                    100.0 * MAX_DRIFT
                ));
            }
            if reasons.is_empty() {
                Verdict::Stable
            } else {
                Verdict::Unstable
            }
        };
        Some(Spread {
            count,
            median: percentile(&sorted, 0.5),
            mean,
            min: sorted[0],
            max: sorted[count - 1],
            p5: percentile(&sorted, 0.05),
            p95: percentile(&sorted, 0.95),
            cv,
            drift,
            verdict,
            reasons,
        })
    }
}

/// The `p` quantile of sorted values, interpolating between ranks.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = p * (sorted.len() - 1) as f64;
    let low = rank.floor() as usize;
    let high = rank.ceil() as usize;
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

/// Cuts a run's batch completions into intervals of about `every` seconds,
/// and notes every stall between them.
pub(crate) struct Sampler {
    every: f64,
    started_at: f64,
    nonces: u64,
    joules_at_start: Option<f64>,
    pub samples: Vec<Sample>,
    /// The longest gap between completions that is not a stall.
    stall_after: f64,
    last_completion: f64,
    pub stalls: Vec<Stall>,
}

impl Sampler {
    /// Intervals of `every` seconds, for batches that aim at
    /// `batch_seconds` each.
    pub fn new(every: f64, batch_seconds: f64, joules: Option<f64>) -> Self {
        Sampler {
            every,
            started_at: 0.0,
            nonces: 0,
            joules_at_start: joules,
            samples: Vec::new(),
            stall_after: STALL_FACTOR * every.max(batch_seconds),
            last_completion: 0.0,
            stalls: Vec::new(),
        }
    }

    /// A batch of `nonces` completed `t` seconds into the trial. Returns
    /// true when this closed an interval (time to read telemetry).
    pub fn completed(&mut self, t: f64, nonces: u64) -> bool {
        let gap = t - self.last_completion;
        if gap > self.stall_after {
            self.stalls.push(Stall {
                at: self.last_completion,
                seconds: gap,
                expected_at_most: self.stall_after,
            });
        }
        self.last_completion = self.last_completion.max(t);
        self.nonces += nonces;
        t - self.started_at >= self.every
    }

    /// Closes the interval ending at `t`; `joules` is the meter's reading
    /// so far, where it has one.
    pub fn close(&mut self, t: f64, joules: Option<f64>, telemetry: Option<TelemetrySample>) {
        let seconds = t - self.started_at;
        if seconds <= 0.0 {
            return;
        }
        let watts = match (self.joules_at_start, joules) {
            (Some(before), Some(after)) if after >= before => Some((after - before) / seconds),
            _ => None,
        };
        self.samples.push(Sample {
            t,
            seconds,
            nonces: self.nonces,
            hashes_per_second: self.nonces as f64 / seconds,
            watts,
            telemetry,
        });
        self.started_at = t;
        self.nonces = 0;
        self.joules_at_start = joules;
    }

    /// Ends the trial at `t`: a last partial interval is kept when it is at
    /// least half as long as the others, so a stub does not skew the spread.
    pub fn finish(mut self, t: f64, joules: Option<f64>) -> Vec<Sample> {
        if self.nonces > 0 && t - self.started_at >= self.every / 2.0 {
            self.close(t, joules, None);
        }
        self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_of_known_values() {
        let s = Spread::of(&[10.0, 10.0, 10.0, 10.0, 10.0, 10.0]).unwrap();
        assert_eq!(
            (s.median, s.min, s.max, s.cv, s.drift),
            (10.0, 10.0, 10.0, 0.0, 0.0)
        );
        assert_eq!(s.verdict, Verdict::Stable);
        let s = Spread::of(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!((s.median, s.p5, s.p95), (3.0, 1.2, 4.8));
        assert!((s.cv - 2.5f64.sqrt() / 3.0).abs() < 1e-12);
        assert_eq!(s.drift, 4.0);
        assert_eq!(s.verdict, Verdict::Unstable);
        assert_eq!(s.reasons.len(), 2);
        assert_eq!(Spread::of(&[1.0, 1.0]).unwrap().verdict, Verdict::TooShort);
        assert!(Spread::of(&[]).is_none());
    }

    #[test]
    fn a_slowdown_halfway_is_drift() {
        let rates: Vec<f64> = (0..12).map(|i| if i < 6 { 100.0 } else { 50.0 }).collect();
        let s = Spread::of(&rates).unwrap();
        assert_eq!(s.drift, -0.5);
        assert_eq!(s.verdict, Verdict::Unstable);
        assert!(
            s.reasons.iter().any(|r| r.contains("slower")),
            "{:?}",
            s.reasons
        );
    }

    #[test]
    fn intervals_close_about_every_second() {
        let mut sampler = Sampler::new(1.0, 0.25, Some(0.0));
        let mut t = 0.0;
        for _ in 0..9 {
            t += 0.25;
            if sampler.completed(t, 250) {
                sampler.close(t, Some(t * 100.0), None);
            }
        }
        let samples = sampler.finish(2.25, Some(225.0));
        assert_eq!(samples.len(), 2, "the 0.25 s stub is dropped");
        assert_eq!(samples[0].nonces, 1000);
        assert_eq!(samples[0].hashes_per_second, 1000.0);
        assert!((samples[1].watts.unwrap() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_gap_three_times_the_interval_is_a_stall() {
        let mut sampler = Sampler::new(1.0, 0.25, None);
        for t in [0.25, 0.5, 0.75, 1.0, 3.9, 4.15, 7.5] {
            sampler.completed(t, 100);
        }
        assert_eq!(sampler.stalls.len(), 1, "{:?}", sampler.stalls);
        assert_eq!(
            sampler.stalls[0],
            Stall {
                at: 4.15,
                seconds: 7.5 - 4.15,
                expected_at_most: 3.0
            }
        );
        // Batches longer than the interval set the bar.
        let mut slow = Sampler::new(1.0, 2.0, None);
        for t in [2.0, 4.0, 9.0] {
            slow.completed(t, 100);
        }
        assert!(slow.stalls.is_empty(), "{:?}", slow.stalls);
    }
}
