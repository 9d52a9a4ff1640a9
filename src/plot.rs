//! `estimate --plot`: site hashrate against the power given to mining, for
//! the measured device and each reference ASIC, on log-log axes, as SVG.

use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::output::Destination;
use crate::report::format_si;
use crate::site::Site;

/// One line: a label and its efficiency.
pub struct Series {
    pub label: String,
    pub hashes_per_joule: f64,
}

/// Draws the chart and writes it atomically to `destination`.
pub fn site_hashrate_svg(destination: &Destination, site: &Site, series: &[Series]) -> Result<()> {
    let mut svg = String::new();
    draw_site_hashrate(&mut svg, site, series)
        .map_err(|e| Error::io(format!("cannot draw {}: {e}", destination.path().display())))?;
    destination.write(svg.as_bytes())
}

fn draw_site_hashrate(svg: &mut String, site: &Site, series: &[Series]) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| e.to_string();
    let max_mw = site.plant_mw * site.fraction;
    let min_mw = (max_mw / 1e4).max(0.1).min(max_mw / 10.0);
    let rate = |mw: f64, hpj: f64| mw * 1e6 / site.pue * hpj;
    let lowest = series
        .iter()
        .map(|s| rate(min_mw, s.hashes_per_joule))
        .fold(f64::INFINITY, f64::min);
    let highest = series
        .iter()
        .map(|s| rate(max_mw, s.hashes_per_joule))
        .fold(0.0, f64::max);

    let root = SVGBackend::with_string(svg, (960, 620)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Site hashrate against power for mining (PUE {:.2})",
                site.pue
            ),
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(
            (min_mw..max_mw).log_scale(),
            (lowest / 2.0..highest * 2.0).log_scale(),
        )
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .x_desc("power given to mining (MW)")
        .y_desc("site hashrate (H/s)")
        .x_label_formatter(&|mw| format!("{}W", format_si(*mw * 1e6)))
        .y_label_formatter(&|h| format!("{}H/s", format_si(*h)))
        .draw()
        .map_err(|e| fail(&e))?;

    let palette = [
        &BLACK,
        &RED,
        &BLUE,
        &GREEN,
        &MAGENTA,
        &CYAN,
        &RGBColor(230, 140, 0),
        &RGBColor(120, 80, 40),
    ];
    let steps = 64;
    for (i, line) in series.iter().enumerate() {
        let color = palette[i % palette.len()];
        let points = (0..=steps).map(|k| {
            let mw = min_mw * (max_mw / min_mw).powf(k as f64 / steps as f64);
            (mw, rate(mw, line.hashes_per_joule))
        });
        let style = ShapeStyle {
            color: color.to_rgba(),
            filled: false,
            stroke_width: if i == 0 { 3 } else { 2 },
        };
        chart
            .draw_series(LineSeries::new(points, style))
            .map_err(|e| fail(&e))?
            .label(line.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}
