//! What `hashwatt bench` prints: the result table of one device, its
//! spread and stability, energy and the site summary, and the table of
//! `--device all`.

use crate::bench::{BenchOutcome, StopRule, Verdict};
use crate::commands::estimate;
use crate::error::Error;
use crate::report::BenchReport;
use crate::sensors::energy::EnergyReport;
use crate::site::Site;

pub(super) fn describe_stop(stop_rule: StopRule, repeat: u32) -> String {
    let each = match stop_rule {
        StopRule::Seconds(s) => format!("{s} s"),
        StopRule::Nonces(n) => format!("{n} nonces"),
    };
    match repeat {
        1 => format!("{each} after a warm-up"),
        n => format!("{n} trials of {each} after one warm-up"),
    }
}

/// The spread lines: the interval rates (and the trials' with `--repeat`),
/// the verdict, throttling, and for long runs how the rate settled.
fn print_spread(report: &BenchReport) {
    if let Some(warmup) = &report.warmup {
        outln!(
            "  warm-up    {:>12}   {} batches in {:.1} s, first dispatch {:.3} s (not used for sizing), {}",
            crate::units::format_rate(warmup.hashes_per_second),
            warmup.batches,
            warmup.seconds,
            warmup.first_dispatch_seconds,
            if warmup.converged {
                "two estimates agreed within 10%"
            } else {
                "estimates did NOT agree within 10%"
            }
        );
    }
    for (spread, what) in [
        (&report.spread, "intervals"),
        (&report.trial_spread, "trials"),
    ] {
        if let Some(s) = spread {
            outln!(
                "  spread     {:>12}   median of {} {what}; p5 {} p95 {}, min {} max {}, cv {:.1}%, drift {:+.1}%",
                crate::units::format_rate(s.median),
                s.count,
                crate::units::format_rate(s.p5),
                crate::units::format_rate(s.p95),
                crate::units::format_rate(s.min),
                crate::units::format_rate(s.max),
                100.0 * s.cv,
                100.0 * s.drift
            );
        }
    }
    if let Some(trials) = report.trials.get(1..).filter(|_| report.trials.len() > 1) {
        let rates: Vec<String> = std::iter::once(&report.trials[0])
            .chain(trials)
            .map(|t| crate::units::format_rate(t.hashes_per_second))
            .collect();
        outln!(
            "  trials     {:>12}   {}",
            report.trials.len(),
            rates.join(", ")
        );
    }
    if let Some(stability) = &report.stability {
        match stability.verdict {
            Verdict::Stable => outln!("  stability  {:>12}   cv and drift within 5%", "stable"),
            Verdict::TooShort => outln!(
                "  stability  {:>12}   too short to judge: {}",
                "n/a",
                stability.reasons.join("; ")
            ),
            Verdict::Unstable => {
                outln!(
                    "  stability  {:>12}   do not quote this figure alone:",
                    "UNSTABLE"
                );
                for reason in &stability.reasons {
                    outln!("  {:>12}   {reason}", "");
                }
            }
        }
    }
    if !report.throttling.is_empty() {
        outln!(
            "  throttled  {:>12}   the device reported: {}",
            "yes",
            report.throttling.join(", ")
        );
    }
    print_settling(report);
}

/// For a soak (a minute or more), the median rate of each tenth of the run.
fn print_settling(report: &BenchReport) {
    let samples: Vec<f64> = report
        .trials
        .iter()
        .flat_map(|t| t.samples.iter().map(|s| s.hashes_per_second))
        .collect();
    if report.seconds < 60.0 || samples.len() < 20 {
        return;
    }
    let tenths: Vec<String> = samples
        .chunks(samples.len().div_ceil(10))
        .map(|chunk| {
            let mut sorted = chunk.to_vec();
            sorted.sort_by(f64::total_cmp);
            crate::units::format_rate(crate::bench::stats::percentile(&sorted, 0.5))
        })
        .collect();
    outln!(
        "  settling   {:>12}   median of each tenth: {}",
        "",
        tenths.join(", ")
    );
}

pub(super) fn print_result(
    report: &BenchReport,
    outcome: &BenchOutcome,
    energy_note: Option<&str>,
) {
    outln!();
    let sizes = report.batch_sizes.unwrap_or_default();
    let batches = if report.batches == 0 {
        "no batch completed".to_string()
    } else if sizes.min == sizes.max {
        let noun = if report.batches == 1 {
            "batch"
        } else {
            "batches"
        };
        format!("{} {noun} of {}", report.batches, sizes.max)
    } else {
        format!(
            "{} batches of {} to {}",
            report.batches, sizes.min, sizes.max
        )
    };
    outln!(
        "  hashrate   {:>12}   {} nonces in {:.2} s (wall clock), {batches}",
        crate::units::format_rate(report.hashes_per_second),
        report.nonces,
        report.seconds,
    );
    print_spread(report);
    match (report.gpu_seconds, report.gpu_busy_share) {
        (Some(gpu), Some(share)) => outln!(
            "  gpu time   {:>12}   {:.2} s in the search passes (timestamp queries): busy {:.1}% of the run",
            crate::units::format_rate(report.nonces as f64 / gpu.max(1e-9)),
            gpu,
            100.0 * share
        ),
        _ if report
            .adapter_limits
            .as_ref()
            .is_some_and(|l| !l.timestamp_queries) =>
        {
            outln!(
                "  gpu time   {:>12}   this adapter has no timestamp queries",
                "n/a"
            )
        }
        _ => {}
    }
    outln!(
        "  shares     {:>12}   found at {} bits, {} verified with sha2 ({:.1} expected)",
        report.shares.found,
        report.shares.bits,
        report.shares.verified,
        report.shares.expected
    );
    if outcome.blocks_found > 0 {
        outln!(
            "  blocks     {:>12}   shares that meet the header's own target",
            outcome.blocks_found
        );
    }
    if report.header_rolls > 0 {
        outln!(
            "  rolls      {:>12}   times the header's time was rolled after 2^32 nonces",
            report.header_rolls
        );
    }
    if report.interrupted {
        outln!(
            "  stopped    {:>12}   interrupted: a partial result, every share in it verified",
            "early"
        );
    }
    match &report.energy {
        Some(energy) => print_energy(report, energy),
        None => outln!(
            "  energy     {:>12}   {}",
            "not measured",
            energy_note
                .unwrap_or("no power meter was read in this run; give --watts W to state one")
        ),
    }
    outln!();
}

fn print_energy(report: &BenchReport, energy: &EnergyReport) {
    let idle = energy
        .idle_watts
        .map_or(String::new(), |w| format!(", idle {w:.1} W before the run"));
    let kind = if energy.measured {
        format!("measured by {}", energy.source)
    } else {
        "STATED with --watts, not measured".to_string()
    };
    outln!(
        "  energy     {:>12}   {:.1} W average{idle}; {kind}",
        format!("{:.1} J", energy.joules),
        energy.avg_watts
    );
    let above = energy
        .hashes_per_joule_above_idle
        .map_or(String::new(), |h| {
            format!("; above idle {}H/J", crate::units::format_si(h))
        });
    outln!(
        "  efficiency {:>12}   {} J/TH, from the whole draw (what a site pays for){above}",
        format!("{}H/J", crate::units::format_si(energy.hashes_per_joule)),
        crate::units::format_jth(energy.joules_per_terahash)
    );
    let estimate = estimate::estimate(
        &Site::default(),
        estimate::Efficiency {
            source: report.device.name.clone(),
            hashes_per_joule: energy.hashes_per_joule,
            joules_per_terahash: energy.joules_per_terahash,
            measured: Some(energy.measured),
            device_watts: Some(energy.avg_watts),
            unproven: None,
        },
    );
    outln!();
    for line in estimate::summary_lines(&estimate) {
        outln!("{line}");
    }
}

pub(super) fn print_all_table(reports: &[&BenchReport], failures: &[(String, Error)]) {
    let width = reports
        .iter()
        .map(|r| r.device.name.len())
        .chain(failures.iter().map(|f| f.0.len()))
        .max()
        .unwrap_or(6)
        .max(6);
    outln!();
    outln!(
        "  {:<width$}  {:<8}  {:>12}  {:>8}  shares",
        "device",
        "backend",
        "hashrate",
        "gpu busy"
    );
    for r in reports {
        let busy = r
            .gpu_busy_share
            .map_or("n/a".to_string(), |s| format!("{:.1}%", 100.0 * s));
        outln!(
            "  {:<width$}  {:<8}  {:>12}  {:>8}  {}/{}",
            r.device.name,
            r.device.backend,
            crate::units::format_rate(r.hashes_per_second),
            busy,
            r.shares.verified,
            r.shares.found
        );
    }
    for (name, error) in failures {
        outln!("  {name:<width$}  FAILED: {error}");
    }
    let total: f64 = reports.iter().map(|r| r.hashes_per_second).sum();
    outln!(
        "  {:<width$}  {:<8}  {:>12}",
        "total",
        "",
        crate::units::format_rate(total)
    );
}
