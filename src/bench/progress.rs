//! The progress display of a timed run (indicatif): elapsed time, a bar,
//! the rate so far, shares verified and the time left. Drawn on stderr only
//! when it is a terminal, so logs and pipes get none of it.

use std::time::Duration;

use indicatif::ProgressBar;

use super::StopRule;
use crate::units::format_rate;

/// Bars drawn together, one per device (`bench --device all`), each with
/// its label; drawn on stderr only when `visible`. The terminal type stays
/// inside this module: callers hold a group and hand it to
/// [`super::BenchOptions`].
#[derive(Clone, Debug)]
pub struct ProgressGroup {
    bars: indicatif::MultiProgress,
    label: String,
}

impl ProgressGroup {
    /// An empty group, drawn on stderr when `visible`, hidden otherwise.
    pub fn new(visible: bool) -> Self {
        let target = if visible {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        };
        ProgressGroup {
            bars: indicatif::MultiProgress::with_draw_target(target),
            label: String::new(),
        }
    }

    /// The same group, with the next bar labelled `label`.
    pub fn labelled(&self, label: String) -> Self {
        ProgressGroup {
            bars: self.bars.clone(),
            label,
        }
    }
}

pub(crate) struct Progress {
    bar: ProgressBar,
    stop: StopRule,
}

impl Progress {
    /// A bar for `trials` timed trials of `stop` each; hidden unless
    /// `enabled` and stderr is a terminal.
    pub fn new(enabled: bool, stop: StopRule, trials: u32, group: Option<&ProgressGroup>) -> Self {
        let (length, unit) = match stop {
            StopRule::Seconds(s) => ((s * trials as f64 * 10.0).ceil() as u64, "s"),
            StopRule::Nonces(n) => (n.saturating_mul(trials as u64), "nonces"),
        };
        let template = match unit {
            "s" => "  {prefix}{elapsed:>4} {bar:30} {msg}  ({eta} left)",
            _ => "  {prefix}{elapsed:>4} {bar:30} {percent:>3}%  {msg}  ({eta} left)",
        };
        let mut bar = crate::output::progress_bar(enabled, length, template);
        if let (true, Some(group)) = (enabled, group) {
            bar = group.bars.add(bar);
            bar.set_prefix(format!("{:<25} ", group.label));
        }
        bar.enable_steady_tick(Duration::from_millis(250));
        Progress { bar, stop }
    }

    /// Moves the bar: `seconds` and `nonces` done over all trials so far.
    pub fn show(&self, seconds: f64, nonces: u64, rate: f64, shares: u64, trial: Option<u32>) {
        let position = match self.stop {
            StopRule::Seconds(_) => (seconds * 10.0) as u64,
            StopRule::Nonces(_) => nonces,
        };
        self.bar
            .set_position(position.min(self.bar.length().unwrap_or(u64::MAX)));
        let trial = trial.map_or(String::new(), |t| format!("trial {t}  "));
        self.bar.set_message(format!(
            "{trial}{:>11}  {shares} shares verified",
            format_rate(rate)
        ));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
