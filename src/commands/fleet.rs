//! `hashwatt fleet DIR|FILES...`: a fleet's results merged. This file reads
//! the arguments and prints the report; the reading, the groups and the
//! outlier rule are [`crate::fleet`]'s.

use crate::cli::FleetArgs;
use crate::error::{exit, Result};
use crate::fleet::{self, ArraySpec, FleetReport, Node};
use crate::output::Destination;
use crate::report::{self, JsonOut};
use crate::sanitize::sanitize;
use crate::units::format_si;

pub fn run(args: &FleetArgs) -> Result<i32> {
    let expect = args.expect.as_deref().map(ArraySpec::parse).transpose()?;
    let plot = args
        .plot
        .as_deref()
        .map(|path| Destination::prepare(path, args.force, "--plot"))
        .transpose()?;
    super::json_before_files(args.json.as_deref(), args.force)?;
    let json = JsonOut::parse(args.json.as_deref(), args.force)?;
    let fleet = fleet::gather(&args.paths, expect.as_ref())?;
    if let Some(destination) = &plot {
        fleet::plot::svg(destination, &fleet)?;
    }
    match &json {
        Some(out) => {
            report::write_json(&fleet, out)?;
            if let JsonOut::File(destination) = out {
                print_report(&fleet);
                outln!("wrote {}", destination.path().display());
            }
        }
        None => print_report(&fleet),
    }
    if let Some(destination) = &plot {
        if !json.as_ref().is_some_and(JsonOut::is_stdout) {
            outln!("drew {}", destination.path().display());
        }
    }
    if fleet.totals.nodes == 0 {
        errln!("hashwatt: no result of the fleet can be counted (see missing and refused)");
        return Ok(exit::CHECK_FAILED);
    }
    Ok(exit::OK)
}

/// Text from a file, safe to print and at most `width` characters.
fn cell(text: &str, width: usize) -> String {
    let text = sanitize(text);
    if text.chars().count() <= width {
        text.into_owned()
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// 20.9 MH/s.
fn rate(hashes_per_second: f64) -> String {
    format!("{}H/s", format_si(hashes_per_second))
}

fn power(node: &Node) -> String {
    match (node.watts, node.power_measured) {
        (Some(w), Some(true)) => format!("{w:.1} W"),
        (Some(w), _) => format!("{w:.1} W stated"),
        _ => "-".into(),
    }
}

fn spread(node: &Node) -> String {
    node.spread.as_ref().map_or("-".into(), |s| {
        format!("±{:.1}% ({} {})", 100.0 * s.cv, s.count, s.over)
    })
}

fn print_report(f: &FleetReport) {
    for job in &f.jobs {
        let expected = match (&job.expected, job.expected_count, &job.expected_from) {
            (Some(indices), Some(n), Some(from)) => {
                format!("{n} tasks expected ({indices}, from the {from})")
            }
            (None, Some(n), Some(from)) => format!("{n} tasks expected (from the {from})"),
            _ => "tasks expected: not known (give --expect)".into(),
        };
        outln!(
            "job {} ({}): {expected}; {} task records",
            cell(&job.job, 40),
            cell(&job.scheduler, 12),
            job.records
        );
    }
    outln!(
        "{} nodes counted; outliers {}, missing {}, refused {}",
        f.totals.nodes,
        f.nodes.iter().filter(|n| n.outlier).count(),
        f.missing.len(),
        f.refused.len()
    );
    outln!();
    if !f.nodes.is_empty() {
        outln!(
            "  {:<22} {:<44} {:>11} {:<20} {:>15} {:>10} {}",
            "node",
            "device",
            "rate",
            "spread",
            "power",
            "H/J",
            "verify"
        );
        for n in &f.nodes {
            outln!(
                "  {:<22} {:<44} {:>11} {:<20} {:>15} {:>10} {}{}",
                cell(&n.label(), 22),
                cell(&n.device, 44),
                rate(n.hashes_per_second),
                spread(n),
                power(n),
                n.hashes_per_joule
                    .map_or("-".into(), |h| format!("{}H/J", format_si(h))),
                n.verify,
                if n.outlier { "   OUTLIER" } else { "" }
            );
        }
        outln!(
            "  driver: {}",
            f.nodes
                .iter()
                .map(|n| cell(&n.driver, 60))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join("; ")
        );
        outln!();
        outln!(
            "  {:<40} {:>5} {:>11} {:>25} {:>10} {:>25}",
            "model",
            "nodes",
            "median rate",
            "min..max rate",
            "median H/J",
            "band the rule allows"
        );
        for g in &f.models {
            let band = match (g.rate.low, g.rate.high) {
                (Some(lo), Some(hi)) => format!("{}..{}", rate(lo.max(0.0)), rate(hi)),
                _ => format!("not judged (< {})", f.rule.min_nodes),
            };
            outln!(
                "  {:<40} {:>5} {:>11} {:>25} {:>10} {:>25}",
                cell(&g.model, 40),
                g.nodes,
                rate(g.rate.median),
                format!("{}..{}", rate(g.rate.min), rate(g.rate.max)),
                g.hashes_per_joule
                    .as_ref()
                    .map_or("-".into(), |h| format!("{}H/J", format_si(h.median))),
                band
            );
        }
        outln!();
    }
    let t = &f.totals;
    match (t.watts, t.hashes_per_joule, t.joules_per_terahash) {
        (Some(watts), Some(hpj), Some(jth)) => outln!(
            "total  {} nodes: {}H/s; {} nodes with energy: {:.1} W{}, {}H/J ({:.0} J/TH)",
            t.nodes,
            format_si(t.hashes_per_second),
            t.nodes_with_energy,
            watts,
            if t.power_measured {
                " measured"
            } else {
                " (some or all stated)"
            },
            format_si(hpj),
            jth
        ),
        _ => outln!(
            "total  {} nodes: {}H/s; no node has energy (a power meter, or bench --watts W)",
            t.nodes,
            format_si(t.hashes_per_second)
        ),
    }
    if !f.outliers.is_empty() {
        outln!();
        outln!("outliers ({})", f.rule.rule);
        for o in &f.outliers {
            let who = match (&o.task, &o.host) {
                (Some(task), Some(host)) => format!("{task} on {}", cell(host, 40)),
                (Some(task), None) => task.to_string(),
                _ => cell(&o.file, 60),
            };
            let unit = match o.metric {
                fleet::Metric::HashesPerSecond => "H/s",
                fleet::Metric::HashesPerJoule => "H/J",
            };
            outln!(
                "  {who}  {}: {} {}{unit}, {:.1}% {} its group's median {}{unit} ({})",
                cell(&o.device, 60),
                o.metric.word(),
                format_si(o.value),
                100.0 * o.deviation.abs(),
                o.direction,
                format_si(o.group_median),
                cell(&o.model, 40)
            );
        }
    }
    if !f.missing.is_empty() {
        outln!();
        outln!("missing (not in the totals)");
        for m in &f.missing {
            let host = m
                .host
                .as_ref()
                .map(|h| format!(" on {}", cell(h, 40)))
                .unwrap_or_default();
            outln!("  {}{host}: {}", m.task, cell(&m.reason, 300));
        }
    }
    if !f.refused.is_empty() {
        outln!();
        outln!("refused (not in the totals)");
        for r in &f.refused {
            let who = match (&r.task, &r.host) {
                (Some(task), Some(host)) => format!("{task} on {} ", cell(host, 40)),
                (Some(task), None) => format!("{task} "),
                _ => String::new(),
            };
            outln!("  {who}{}: {}", cell(&r.file, 100), cell(&r.reason, 300));
        }
    }
}
