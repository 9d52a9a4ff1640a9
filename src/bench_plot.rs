//! `bench --plot`: the hashrate of each interval over time, and the power
//! where a meter measured it (right axis), one line per device, as SVG.
//! Uses the same plotters setup as `estimate --plot` (SVG only, no font or
//! image libraries).

use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::output::Destination;
use crate::report::BenchReport;
use crate::units::format_si;

const PALETTE: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];

/// One point a series: (seconds since the run's timed part began, value).
type Points = Vec<(f64, f64)>;

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
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.15;
    let watt_max = all
        .iter()
        .flat_map(|(_, w)| w.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    let root = SVGBackend::with_string(svg, (960, 540)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let title = match reports {
        [one] => format!("hashrate over time: {}", one.device.name),
        _ => "hashrate over time".to_string(),
    };
    let mut chart = ChartBuilder::on(&root)
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
    for (i, (report, (rates, watts))) in reports.iter().zip(&all).enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let label = format!("{} [{}]", report.device.name, report.device.backend);
        chart
            .draw_series(LineSeries::new(
                rates.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(|e| fail(&e))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
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
                .map_err(|e| fail(&e))?
                .label(format!("{} power", report.device.name))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(1))
                });
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}
