//! Whether the sweep's fastest setting earns its place in the cache, or
//! the untuned default stays.
//!
//! The default (the fast kernel at 256 x 4, 250 ms batches: what `bench`
//! runs with nothing cached) is the sweep's first setting, measured with
//! the same warm-up and timing as every other. A setting is cached only if
//! it beats the default by more than the measured spread:
//!
//! 1. The search's fastest other setting is the **candidate**. If the
//!    default measured at least as fast, the default stays at once.
//! 2. Otherwise the two run again, four times each, in the order
//!    C D D C D C C D (candidate, default), each run with its own warm-up
//!    and timed as long as every setting. Both settings sit at the same mean
//!    position in that order, so a load that rises or falls steadily
//!    weighs on both alike.
//! 3. The candidate is kept only if each of its four runs is faster than
//!    each of the default's four: its slowest run above the default's
//!    fastest. Were the two equally fast, that happens by chance once in
//!    70 (the candidate's runs are the top four of eight: 1 / C(8, 4)); a
//!    candidate slower than the default practically never passes.
//!
//! The first measurements choose the candidate but do not judge it: the
//! fastest of many noisy settings is flattered by its own luck, so it is
//! judged on fresh runs only. When the default stays, nothing is cached and
//! an earlier entry for the adapter is removed, so `bench` runs the default.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{SettingTrial, TunedSettings};
use crate::kernel::KernelConfig;
use crate::report::KernelReport;
use crate::units::format_rate;

/// Which of the two settings a confirmation run measured.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Candidate,
    Default,
}

/// The order of the confirmation runs: each setting four times, in an
/// order that a steady drift in the machine's load cannot favour (ABBA
/// BAAB: both at mean position 3.5).
pub const CONFIRM_ORDER: [Role; 8] = [
    Role::Candidate,
    Role::Default,
    Role::Default,
    Role::Candidate,
    Role::Default,
    Role::Candidate,
    Role::Candidate,
    Role::Default,
];

/// The rule, as the JSON and `--help` state it.
pub const RULE: &str = "the candidate and the default run four times each, alternating \
(C D D C D C C D); the candidate is cached only if its slowest run beats the default's \
fastest (1 chance in 70 were the two equally fast)";

/// What `bench` runs without a tuning cache.
pub fn default_config() -> KernelConfig {
    KernelConfig::fast()
}

/// The default's batch time: `bench`'s.
pub fn default_batch_ms() -> u64 {
    crate::bench::DEFAULT_BATCH_MS
}

/// Whether a trial measured the untuned default.
pub fn is_default(trial: &SettingTrial) -> bool {
    trial.batch_ms == default_batch_ms() && trial.kernel == KernelReport::from(default_config())
}

/// What `bench` runs from now on.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kept {
    /// The candidate: cached.
    Tuned,
    /// The untuned default: nothing cached.
    Default,
}

/// A setting: the kernel's shape and the batch time.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Setting {
    pub kernel: KernelReport,
    pub batch_ms: u64,
}

impl Setting {
    pub fn of(trial: &SettingTrial) -> Self {
        Setting {
            kernel: trial.kernel.clone(),
            batch_ms: trial.batch_ms,
        }
    }

    pub fn default_setting() -> Self {
        Setting {
            kernel: KernelReport::from(default_config()),
            batch_ms: default_batch_ms(),
        }
    }

    /// "64 x 32 at 250 ms".
    pub fn describe(&self) -> String {
        format!(
            "{} x {} at {} ms",
            self.kernel.workgroup_size, self.kernel.nonces_per_invocation, self.batch_ms
        )
    }
}

/// The decision and what it rests on.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Decision {
    pub kept: Kept,
    /// The untuned default, measured in the same sweep.
    pub default: Setting,
    /// The fastest other setting of the search; null when none was
    /// measured.
    pub candidate: Option<Setting>,
    /// The rule applied.
    pub rule: String,
    /// The confirmation runs in the order they ran (see `CONFIRM_ORDER`);
    /// empty when the default measured at least as fast in the search.
    pub runs: Vec<SettingTrial>,
    /// The candidate's and the default's rates over `runs`.
    pub candidate_rates: Vec<f64>,
    pub default_rates: Vec<f64>,
    /// Why, in words.
    pub reason: String,
    /// The setting cached, with the median of its confirmation runs; null
    /// when the default stays.
    pub tuned: Option<TunedSettings>,
}

/// Whether `candidate`'s rates beat `default`'s beyond their spread: each
/// side has a run for every slot of [`CONFIRM_ORDER`], every rate is a
/// positive number, and the candidate's slowest is above the default's
/// fastest.
pub fn beats(candidate: &[f64], default: &[f64]) -> bool {
    let runs = |role| CONFIRM_ORDER.iter().filter(|&&r| r == role).count();
    let sound = |rates: &[f64]| rates.iter().all(|r| r.is_finite() && *r > 0.0);
    candidate.len() == runs(Role::Candidate)
        && default.len() == runs(Role::Default)
        && sound(candidate)
        && sound(default)
        && min(candidate) > max(default)
}

fn min(rates: &[f64]) -> f64 {
    rates.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(rates: &[f64]) -> f64 {
    rates.iter().copied().fold(0.0, f64::max)
}

/// The median of `rates` (of at least one).
pub fn median(rates: &[f64]) -> f64 {
    let mut sorted = rates.to_vec();
    sorted.sort_by(f64::total_cmp);
    crate::bench::stats::percentile(&sorted, 0.5)
}

impl Decision {
    /// The default stays without a confirmation: nothing else was measured,
    /// or the default was the fastest.
    pub fn default_first(default: Option<&SettingTrial>, candidate: Option<&SettingTrial>) -> Self {
        let reason = match (default, candidate) {
            (None, _) => "the default could not be measured to the end, so no setting was \
shown to beat it"
                .to_string(),
            (Some(_), None) => "no other setting was measured".to_string(),
            (Some(d), Some(c)) => format!(
                "the default was the fastest setting measured ({} against {} for {})",
                format_rate(d.hashes_per_second),
                format_rate(c.hashes_per_second),
                Setting::of(c).describe()
            ),
        };
        Decision {
            kept: Kept::Default,
            default: Setting::default_setting(),
            candidate: candidate.map(Setting::of),
            rule: RULE.into(),
            runs: Vec::new(),
            candidate_rates: Vec::new(),
            default_rates: Vec::new(),
            reason,
            tuned: None,
        }
    }

    /// The decision over the confirmation `runs` (in [`CONFIRM_ORDER`]; a
    /// run that timed nothing is missing, and then the default stays);
    /// `tuned` is what the cache gets if the candidate is kept.
    pub fn confirmed(
        candidate: &SettingTrial,
        runs: Vec<SettingTrial>,
        tuned: TunedSettings,
    ) -> Self {
        let rates = |default: bool| -> Vec<f64> {
            runs.iter()
                .filter(|t| is_default(t) == default)
                .map(|t| t.hashes_per_second)
                .collect()
        };
        let (c, d) = (rates(false), rates(true));
        let setting = Setting::of(candidate);
        let kept = if beats(&c, &d) {
            Kept::Tuned
        } else {
            Kept::Default
        };
        let reason = if c.len() + d.len() < CONFIRM_ORDER.len() {
            format!(
                "{} and the default ran {} of their {} confirmation runs to the end",
                setting.describe(),
                c.len() + d.len(),
                CONFIRM_ORDER.len()
            )
        } else {
            format!(
                "{} {} in every run: its slowest {} against the default's fastest {}",
                setting.describe(),
                if kept == Kept::Tuned {
                    "beat the default"
                } else {
                    "did not beat the default"
                },
                format_rate(min(&c)),
                format_rate(max(&d)),
            )
        };
        Decision {
            kept,
            default: Setting::default_setting(),
            candidate: Some(setting),
            rule: RULE.into(),
            runs,
            tuned: (kept == Kept::Tuned).then(|| TunedSettings {
                hashes_per_second: median(&c),
                ..tuned
            }),
            candidate_rates: c,
            default_rates: d,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_clean_sweep_of_the_runs_keeps_the_candidate() {
        let default = [10.0, 9.8, 10.1, 9.9];
        // Every candidate run faster than every default run.
        assert!(beats(&[10.5, 10.2, 10.9, 10.3], &default));
        // One candidate run at or under the default's fastest: not shown.
        assert!(!beats(&[10.5, 10.1, 10.9, 10.3], &default));
        assert!(!beats(&[10.5, 9.0, 10.9, 10.3], &default));
        // Faster on average, but within the spread.
        assert!(!beats(&[12.0, 12.0, 12.0, 9.0], &[10.0; 4]));
        // Slower.
        assert!(!beats(&[8.0, 8.1, 8.2, 8.3], &default));
        // Too few runs, or rates that are no measurement.
        assert!(!beats(&[10.5, 10.9, 10.4], &default));
        assert!(!beats(&[10.5, 10.2, 10.9, 10.3], &default[..3]));
        assert!(!beats(&[], &[]));
        assert!(!beats(&[f64::NAN, 11.0, 12.0, 11.0], &default));
        assert!(!beats(&[f64::INFINITY, 11.0, 12.0, 11.0], &default));
        assert!(!beats(&[11.0, 11.0, 12.0, 11.0], &[10.0, 0.0, 10.1, 9.9]));
    }

    /// Were the two settings equally fast, with every ordering of the
    /// eight runs as likely as any other, the candidate would be kept in 1
    /// of the 70 ways to choose which four runs are its own.
    #[test]
    fn equal_settings_pass_one_time_in_seventy() {
        let mut kept = 0;
        let mut ways = 0;
        for mask in 0u32..256 {
            if mask.count_ones() != 4 {
                continue;
            }
            ways += 1;
            let (mut c, mut d) = (Vec::new(), Vec::new());
            for rank in 0..8 {
                let rate = 100.0 + rank as f64;
                if mask & (1 << rank) != 0 {
                    c.push(rate);
                } else {
                    d.push(rate);
                }
            }
            kept += beats(&c, &d) as u32;
        }
        assert_eq!((kept, ways), (1, 70));
    }

    #[test]
    fn the_order_alternates_and_balances() {
        let position = |role| -> f64 {
            CONFIRM_ORDER
                .iter()
                .enumerate()
                .filter(|(_, &r)| r == role)
                .map(|(i, _)| i as f64)
                .sum()
        };
        // Each role four times, at the same mean position: a linear drift
        // in the load adds the same to both.
        assert_eq!(position(Role::Candidate), position(Role::Default));
        assert_eq!(
            CONFIRM_ORDER
                .iter()
                .filter(|&&r| r == Role::Candidate)
                .count(),
            4
        );
    }

    #[test]
    fn the_median() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
