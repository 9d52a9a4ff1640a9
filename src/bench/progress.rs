//! The progress display of a timed run (indicatif): elapsed time, a bar,
//! the rate so far, shares verified and the time left. Drawn on stderr only
//! when it is a terminal, so logs and pipes get none of it.

use std::time::Duration;

use indicatif::ProgressBar;

use super::StopRule;
use crate::units::format_rate;

pub(crate) struct Progress {
    bar: ProgressBar,
    stop: StopRule,
}

impl Progress {
    /// A bar for `trials` timed trials of `stop` each; hidden unless
    /// `enabled` and stderr is a terminal.
    pub fn new(
        enabled: bool,
        stop: StopRule,
        trials: u32,
        group: Option<&(indicatif::MultiProgress, String)>,
    ) -> Self {
        let (length, unit) = match stop {
            StopRule::Seconds(s) => ((s * trials as f64 * 10.0).ceil() as u64, "s"),
            StopRule::Nonces(n) => (n.saturating_mul(trials as u64), "nonces"),
        };
        let template = match unit {
            "s" => "  {prefix}{elapsed:>4} {bar:30} {msg}  ({eta} left)",
            _ => "  {prefix}{elapsed:>4} {bar:30} {percent:>3}%  {msg}  ({eta} left)",
        };
        let mut bar = crate::output::progress_bar(enabled, length, template);
        if let (true, Some((group, label))) = (enabled, group) {
            bar = group.add(bar);
            bar.set_prefix(format!("{label:<25} "));
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
