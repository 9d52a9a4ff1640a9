//! `fleet --plot`: each node's rate (top) and hashes per joule (bottom) as
//! bars, grouped by device model, with each group's median (black, dashed)
//! and the band the outlier rule allows (grey, dotted), and the outliers in
//! red and named. SVG through plotters, as `bench --plot` and `estimate --plot`.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::report::{FleetReport, GroupSpread, Metric, Node};
use crate::error::{Error, Result};
use crate::output::Destination;
use crate::units::format_si;

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
    RGBColor(127, 127, 127),
];
const OUTLIER: RGBColor = RGBColor(214, 39, 40);

/// Draws the fleet and writes it atomically to `destination`.
pub fn svg(destination: &Destination, report: &FleetReport) -> Result<()> {
    let svg = svg_text(report)
        .map_err(|e| Error::io(format!("cannot draw {}: {e}", destination.path().display())))?;
    destination.write(svg.as_bytes())
}

/// The chart as SVG text.
pub fn svg_text(report: &FleetReport) -> std::result::Result<String, String> {
    let mut nodes: Vec<&Node> = report.nodes.iter().collect();
    nodes.sort_by(|a, b| (&a.model, &a.task, &a.file).cmp(&(&b.model, &b.task, &b.file)));
    let colors: BTreeMap<&str, RGBColor> = report
        .models
        .iter()
        .enumerate()
        .map(|(i, g)| (g.model.as_str(), PALETTE[i % PALETTE.len()]))
        .collect();
    let width = (160 + 36 * nodes.len() as u32).clamp(960, 4000);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, 760)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let title = format!(
            "fleet: {} nodes, {}H/s{}; outliers {}, missing {}, refused {}",
            report.totals.nodes,
            format_si(report.totals.hashes_per_second),
            report
                .totals
                .hashes_per_joule
                .map(|h| format!(", {}H/J", format_si(h)))
                .unwrap_or_default(),
            report.nodes.iter().filter(|n| n.outlier).count(),
            report.missing.len(),
            report.refused.len()
        );
        let root = root
            .titled(&title, ("sans-serif", 20))
            .map_err(|e| e.to_string())?;
        let (top, bottom) = root.split_vertically(360);
        let panel = Panel {
            nodes: &nodes,
            report,
            colors: &colors,
        };
        panel.draw(&top, Metric::HashesPerSecond)?;
        panel.draw(&bottom, Metric::HashesPerJoule)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

struct Panel<'a> {
    nodes: &'a [&'a Node],
    report: &'a FleetReport,
    colors: &'a BTreeMap<&'a str, RGBColor>,
}

impl Panel<'_> {
    fn value(node: &Node, metric: Metric) -> Option<f64> {
        match metric {
            Metric::HashesPerSecond => Some(node.hashes_per_second),
            Metric::HashesPerJoule => node.hashes_per_joule,
        }
    }

    fn band(&self, model: &str, metric: Metric) -> Option<&GroupSpread> {
        let group = self.report.models.iter().find(|g| g.model == model)?;
        match metric {
            Metric::HashesPerSecond => Some(&group.rate),
            Metric::HashesPerJoule => group.hashes_per_joule.as_ref(),
        }
    }

    fn is_outlier(&self, node: &Node, metric: Metric) -> bool {
        self.report
            .outliers
            .iter()
            .any(|o| o.metric == metric && o.file == node.file)
    }

    fn draw(
        &self,
        area: &DrawingArea<SVGBackend<'_>, Shift>,
        metric: Metric,
    ) -> std::result::Result<(), String> {
        let fail = |e: &dyn std::fmt::Display| e.to_string();
        let (what, unit) = match metric {
            Metric::HashesPerSecond => ("rate per node", "H/s"),
            Metric::HashesPerJoule => ("efficiency per node", "H/J"),
        };
        let values: Vec<f64> = self
            .nodes
            .iter()
            .filter_map(|n| Self::value(n, metric))
            .collect();
        if values.is_empty() {
            area.draw(&Text::new(
                format!("{what}: no node has energy (a power meter, or bench --watts W)"),
                (40, 40),
                ("sans-serif", 16),
            ))
            .map_err(|e| fail(&e))?;
            return Ok(());
        }
        let high = self
            .report
            .models
            .iter()
            .filter_map(|g| self.band(&g.model, metric).and_then(|b| b.high))
            .chain(values.iter().copied())
            .fold(0.0, f64::max);
        let n = self.nodes.len() as f64;
        // Headroom above the tallest bar or band for the legend.
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{what} ({unit})"), ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..n, 0.0..(high * 1.5).max(1e-9))
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_label_formatter(&|v| format!("{}{unit}", format_si(*v)))
            .draw()
            .map_err(|e| fail(&e))?;
        for (model, color) in self.colors {
            let color = *color;
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(|e| fail(&e))?
                .label(model.to_string())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(|e| fail(&e))?
            .label("outlier")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], OUTLIER.filled()));
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(|e| fail(&e))?
            .label("model's median (dashed), band of the rule (dotted)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], BLACK.stroke_width(2)));
        for (i, node) in self.nodes.iter().enumerate() {
            let x = i as f64;
            let outlier = self.is_outlier(node, metric);
            if let Some(v) = Self::value(node, metric) {
                let color = if outlier {
                    OUTLIER
                } else {
                    self.colors
                        .get(node.model.as_str())
                        .copied()
                        .unwrap_or(BLACK)
                };
                chart
                    .draw_series([Rectangle::new(
                        [(x + 0.15, 0.0), (x + 0.85, v)],
                        color.filled(),
                    )])
                    .map_err(|e| fail(&e))?;
                if outlier {
                    let style = ("sans-serif", 13)
                        .into_font()
                        .color(&OUTLIER)
                        .pos(Pos::new(HPos::Center, VPos::Bottom));
                    chart
                        .draw_series([Text::new("outlier", (x + 0.5, v), style)])
                        .map_err(|e| fail(&e))?;
                }
            }
            // Under the bar, in the area's own pixels.
            let (px, py) = chart.backend_coord(&(x + 0.5, 0.0));
            let (bx, by) = area.get_base_pixel();
            let (px, py) = (px - bx, py - by);
            let style = ("sans-serif", 12)
                .into_font()
                .transform(FontTransform::Rotate270)
                .color(if outlier { &OUTLIER } else { &BLACK })
                .pos(Pos::new(HPos::Right, VPos::Center));
            area.draw(&Text::new(short_label(node), (px, py + 6), style))
                .map_err(|e| fail(&e))?;
        }
        // Over each model's run of bars: its median and the rule's band.
        let mut start = 0;
        while start < self.nodes.len() {
            let model = &self.nodes[start].model;
            let end = start
                + self.nodes[start..]
                    .iter()
                    .take_while(|n| &n.model == model)
                    .count();
            if let Some(band) = self.band(model, metric) {
                let (x0, x1) = (start as f64 + 0.05, end as f64 - 0.05);
                chart
                    .draw_series(DashedLineSeries::new(
                        [(x0, band.median), (x1, band.median)],
                        8,
                        4,
                        BLACK.stroke_width(2),
                    ))
                    .map_err(|e| fail(&e))?;
                for edge in [band.low, band.high].into_iter().flatten() {
                    chart
                        .draw_series(DashedLineSeries::new(
                            [(x0, edge), (x1, edge)],
                            3,
                            3,
                            BLACK.mix(0.6).stroke_width(1),
                        ))
                        .map_err(|e| fail(&e))?;
                }
            }
            start = end;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| fail(&e))?;
        Ok(())
    }
}

/// Under a bar: the array index and host, or the file name.
fn short_label(node: &Node) -> String {
    let text = match (&node.task, &node.host) {
        (Some(task), Some(host)) => format!("{} {host}", task.index),
        (Some(task), None) => task.index.to_string(),
        _ => std::path::Path::new(&node.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| node.file.clone()),
    };
    let text = crate::sanitize::sanitize(&text).into_owned();
    if text.chars().count() > 18 {
        let cut: String = text.chars().take(17).collect();
        format!("{cut}…")
    } else {
        text
    }
}
