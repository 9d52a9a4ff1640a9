//! `bench --plot`: the hashrate of each interval over time, with the
//! intervals' median and their p5–p95 band (the spread the report gives),
//! and the power where a meter measured it (right axis), one line per
//! device; with `--repeat`, the trials laid end to end and their
//! boundaries marked. SVG, with the same plotters setup as `estimate
//! --plot` (SVG only, no font or image libraries).

use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::output::Destination;
use crate::report::BenchReport;
use crate::units::{format_rate, format_si};

const PALETTE: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];

/// One point a series: (seconds since the run's timed part began, value).
type Points = Vec<(f64, f64)>;

/// Where each trial after the first starts on the time axis.
fn trial_starts(report: &BenchReport) -> Vec<f64> {
    let mut starts = Vec::new();
    let mut offset = 0.0;
    for trial in &report.trials {
        if offset > 0.0 {
            starts.push(offset);
        }
        offset += trial.seconds;
    }
    starts
}

/// Each trial's samples laid end to end on one time axis.
fn series(report: &BenchReport) -> (Points, Points) {
    let mut rates = Vec::new();
    let mut watts = Vec::new();
    let mut offset = 0.0;
    for trial in &report.trials {
        for sample in &trial.samples {
            let t = offset + sample.t;
            rates.push((t, sample.hashes_per_second));
            if let Some(w) = sample.watts.filter(|w| w.is_finite()) {
                watts.push((t, w));
            }
        }
        offset += trial.seconds;
    }
    (rates, watts)
}

/// Draws the timeline of `reports` and writes it atomically.
pub fn timeline_svg(destination: &Destination, reports: &[BenchReport]) -> Result<()> {
    let mut svg = String::new();
    draw(&mut svg, reports)
        .map_err(|e| Error::io(format!("cannot draw {}: {e}", destination.path().display())))?;
    destination.write(svg.as_bytes())
}

fn draw(svg: &mut String, reports: &[BenchReport]) -> std::result::Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| e.to_string();
    let all: Vec<(Points, Points)> = reports.iter().map(series).collect();
    let t_max = all
        .iter()
        .flat_map(|(r, _)| r.iter().map(|p| p.0))
        .fold(1.0, f64::max);
    let rate_max = all
        .iter()
        .flat_map(|(r, _)| r.iter().map(|p| p.1))
        .chain(
            reports
                .iter()
                .filter_map(|r| r.spread.as_ref().map(|s| s.p95)),
        )
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.15;
    let watt_max = all
        .iter()
        .flat_map(|(_, w)| w.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    // The legend's rows, below the plot: clear of the data.
    let legend_rows = reports.len() as u32 * 3 + 1;
    let (width, height) = (960, 500 + 20 * legend_rows);
    let root = SVGBackend::with_string(svg, (width, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let (plot_area, legend_area) = root.split_vertically(500);
    let title = match reports {
        [one] => format!("hashrate over time: {}", one.device.name),
        _ => "hashrate over time".to_string(),
    };
    let mut chart = ChartBuilder::on(&plot_area)
        .caption(title, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(80)
        .right_y_label_area_size(if watt_max > 0.0 { 64 } else { 0 })
        .build_cartesian_2d(0.0..t_max, 0.0..rate_max)
        .map_err(|e| fail(&e))?
        .set_secondary_coord(0.0..t_max, 0.0..(watt_max * 1.15).max(1.0));
    chart
        .configure_mesh()
        .x_desc("seconds into the timed run")
        .y_desc("hashrate per interval (H/s)")
        .y_label_formatter(&|h| format!("{}H/s", format_si(*h)))
        .draw()
        .map_err(|e| fail(&e))?;
    if watt_max > 0.0 {
        chart
            .configure_secondary_axes()
            .y_desc("power (W), dashed")
            .draw()
            .map_err(|e| fail(&e))?;
    }
    let grey = RGBColor(150, 150, 150);
    let mut legend: Vec<(Key, String)> = Vec::new();
    // Trial boundaries (with --repeat), under everything else.
    for report in reports {
        for start in trial_starts(report) {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(start, 0.0), (start, rate_max)],
                    4,
                    4,
                    grey.stroke_width(1),
                ))
                .map_err(|e| fail(&e))?;
        }
    }
    // Each device's p5–p95 band and median, under the lines.
    for (i, (report, (rates, watts))) in reports.iter().zip(&all).enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        legend.push((
            Key::Line(color, 2),
            format!(
                "{} [{}]: each interval",
                report.device.name, report.device.backend
            ),
        ));
        if let (Some(spread), Some(last)) = (&report.spread, rates.last()) {
            let end = last.0.max(report.seconds.min(t_max));
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, spread.p5), (end, spread.p95)],
                    color.mix(0.15).filled(),
                )))
                .map_err(|e| fail(&e))?;
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.0, spread.median), (end, spread.median)],
                    10,
                    5,
                    color.stroke_width(2),
                ))
                .map_err(|e| fail(&e))?;
            legend.push((
                Key::Dashed(color, 2),
                format!("median of the intervals: {}", format_rate(spread.median)),
            ));
            legend.push((
                Key::Band(color),
                format!(
                    "p5–p95 of the intervals: {} to {}",
                    format_rate(spread.p5),
                    format_rate(spread.p95)
                ),
            ));
        }
        if !watts.is_empty() {
            legend.push((
                Key::Dashed(color, 1),
                format!("{} power (right axis)", report.device.name),
            ));
        }
    }
    if reports.iter().any(|r| r.trials.len() > 1) {
        legend.push((Key::Dashed(grey, 1), "a new trial begins (--repeat)".into()));
    }
    // The lines, points and power on top.
    for (i, (rates, watts)) in all.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(
                rates.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(|e| fail(&e))?;
        chart
            .draw_series(rates.iter().map(|&p| Circle::new(p, 2, color.filled())))
            .map_err(|e| fail(&e))?;
        if !watts.is_empty() {
            chart
                .draw_secondary_series(DashedLineSeries::new(
                    watts.iter().copied(),
                    6,
                    4,
                    color.stroke_width(1),
                ))
                .map_err(|e| fail(&e))?;
        }
    }
    draw_legend(&legend_area, &legend).map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}

/// A legend sample.
enum Key {
    Line(RGBColor, u32),
    Dashed(RGBColor, u32),
    Band(RGBColor),
}

/// The legend in rows below the plot, each a sample and its label.
fn draw_legend(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    rows: &[(Key, String)],
) -> std::result::Result<(), DrawingAreaErrorKind<std::io::Error>> {
    let font = ("sans-serif", 14).into_font().color(&BLACK);
    for (k, (key, label)) in rows.iter().enumerate() {
        let (x, y) = (96, 10 + 20 * k as i32);
        match *key {
            Key::Line(color, width) => area.draw(&PathElement::new(
                vec![(x, y), (x + 36, y)],
                color.stroke_width(width),
            ))?,
            Key::Dashed(color, width) => area.draw(&plotters::element::DashedPathElement::new(
                vec![(x, y), (x + 36, y)],
                8,
                5,
                color.stroke_width(width),
            ))?,
            Key::Band(color) => area.draw(&Rectangle::new(
                [(x, y - 6), (x + 36, y + 6)],
                color.mix(0.15).filled(),
            ))?,
        }
        area.draw(&Text::new(
            label.as_str(),
            (x + 46, y),
            font.clone().pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            )),
        ))?;
    }
    Ok(())
}
