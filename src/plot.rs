//! `estimate --plot`: site hashrate against the power given to mining, for
//! the fleet and each reference ASIC, with each scenario marked, on log-log
//! axes; and, where a BTC price is given, the break-even power price (what
//! a MWh earns mined) against the same power, beside the price the power
//! would fetch sold. SVG, written through [`Destination`].

use plotters::coord::Shift;
use plotters::prelude::*;

#[cfg(feature = "native")]
use crate::error::{Error, Result};
#[cfg(feature = "native")]
use crate::output::Destination;
use crate::site::{self, Estimate, Site, BLOCKS_PER_DAY};
use crate::units::format_si;

/// One line: a label and its efficiency.
pub struct Series {
    pub label: String,
    pub hashes_per_joule: f64,
}

const STEPS: usize = 64;
const PALETTE: [RGBColor; 8] = [
    BLACK,
    RED,
    BLUE,
    GREEN,
    MAGENTA,
    CYAN,
    RGBColor(230, 140, 0),
    RGBColor(120, 80, 40),
];

/// Draws the estimate and writes it atomically to `destination`.
#[cfg(feature = "native")]
pub fn estimate_svg(destination: &Destination, estimate: &Estimate) -> Result<()> {
    let svg = estimate_svg_text(estimate)
        .map_err(|e| Error::input(format!("cannot draw {}: {e}", destination.path().display())))?;
    destination.write(svg.as_bytes())
}

/// The estimate's chart as SVG text (the browser page shows it inline).
pub fn estimate_svg_text(estimate: &Estimate) -> Result<String, String> {
    let name = match estimate.efficiency.measured {
        Some(_) => site::fleet::short(&estimate.efficiency.source),
        None => "given efficiency".into(),
    };
    let mut series = vec![Series {
        label: format!(
            "{name} ({:.2} J/TH)",
            estimate.efficiency.joules_per_terahash
        ),
        hashes_per_joule: estimate.efficiency.hashes_per_joule,
    }];
    series.extend(site::REFERENCE_ASICS.iter().map(|(model, jth)| Series {
        label: format!("{model} ({jth} J/TH)"),
        hashes_per_joule: site::hashes_per_joule_from_jth(*jth),
    }));
    let scenarios_mw: Vec<f64> = estimate
        .scenarios
        .iter()
        .map(|s| s.site_watts / 1e6)
        .collect();
    let chart = Chart {
        site: &estimate.site,
        series: &series,
        scenarios_mw: &scenarios_mw,
        btc_usd: estimate.inputs.btc_usd.map(|i| i.value),
        power_usd_per_mwh: estimate.inputs.power_usd_per_mwh.map(|i| i.value),
    };
    let mut svg = String::new();
    chart.draw(&mut svg)?;
    Ok(svg)
}

struct Chart<'a> {
    site: &'a Site,
    series: &'a [Series],
    scenarios_mw: &'a [f64],
    btc_usd: Option<f64>,
    power_usd_per_mwh: Option<f64>,
}

/// A log axis needs a positive, finite range that is not empty.
fn checked_range(lo: f64, hi: f64, what: &str) -> Result<std::ops::Range<f64>, String> {
    if lo > 0.0 && hi.is_finite() && hi > lo && lo.is_normal() {
        Ok(lo..hi)
    } else {
        Err(format!(
            "the {what} run from {lo} to {hi}, which no chart can show"
        ))
    }
}

impl Chart<'_> {
    fn mw_range(&self) -> (f64, f64) {
        let max_mw = self.scenarios_mw.iter().copied().fold(0.0, f64::max);
        let min_mw = (max_mw / 1e4).max(0.1).min(max_mw / 10.0);
        (min_mw, max_mw)
    }

    fn points(&self, f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
        let (min_mw, max_mw) = self.mw_range();
        (0..=STEPS)
            .map(|k| {
                let mw = min_mw * (max_mw / min_mw).powf(k as f64 / STEPS as f64);
                (mw, f(mw))
            })
            .collect()
    }

    fn hashrate(&self, mw: f64, hpj: f64) -> f64 {
        mw * 1e6 / self.site.pue * hpj
    }

    /// What a MWh earns mined, at this size: share x 144 x reward x price
    /// over the day's energy (uptime cancels).
    fn break_even(&self, mw: f64, hpj: f64, btc_usd: f64) -> f64 {
        let h = self.hashrate(mw, hpj);
        let share = h / (self.site.network.hashes_per_second + h);
        share * BLOCKS_PER_DAY * self.site.reward_btc() * btc_usd / (mw * 24.0)
    }

    fn draw(&self, svg: &mut String) -> Result<(), String> {
        let height = if self.btc_usd.is_some() { 1100 } else { 620 };
        let root = SVGBackend::with_string(svg, (960, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        match self.btc_usd {
            Some(price) => {
                let (top, bottom) = root.split_vertically(620);
                self.panel(
                    &top,
                    "Site hashrate against power for mining",
                    "site hashrate (H/s)",
                    |mw, hpj| self.hashrate(mw, hpj),
                    None,
                )?;
                self.panel(
                    &bottom,
                    &format!("Break-even power price: what a MWh earns mined (BTC at ${price})"),
                    "break-even price (USD/MWh)",
                    |mw, hpj| self.break_even(mw, hpj, price),
                    self.power_usd_per_mwh.filter(|p| *p > 0.0),
                )?;
            }
            None => self.panel(
                &root,
                "Site hashrate against power for mining",
                "site hashrate (H/s)",
                |mw, hpj| self.hashrate(mw, hpj),
                None,
            )?,
        }
        root.present().map_err(|e| e.to_string())
    }

    fn panel(
        &self,
        area: &DrawingArea<SVGBackend, Shift>,
        caption: &str,
        y_desc: &str,
        value: impl Fn(f64, f64) -> f64,
        level: Option<f64>,
    ) -> Result<(), String> {
        let fail = |e: &dyn std::fmt::Display| e.to_string();
        let lines: Vec<Vec<(f64, f64)>> = self
            .series
            .iter()
            .map(|s| self.points(|mw| value(mw, s.hashes_per_joule)))
            .collect();
        let ys = lines.iter().flatten().map(|p| p.1).chain(level);
        let lowest = ys.clone().fold(f64::INFINITY, f64::min);
        let highest = ys.fold(0.0, f64::max);
        let (min_mw, max_mw) = self.mw_range();
        let x = checked_range(min_mw, max_mw, "power figures")?;
        let y = checked_range(lowest / 2.0, highest * 2.0, "figures")?;
        let mut chart = ChartBuilder::on(area)
            .caption(
                format!("{caption} (PUE {:.2})", self.site.pue),
                ("sans-serif", 22),
            )
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(x.clone().log_scale(), y.clone().log_scale())
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .x_desc("power given to mining (MW)")
            .y_desc(y_desc)
            .x_label_formatter(&|mw| format!("{}W", format_si(*mw * 1e6)))
            .y_label_formatter(&|v| format_si(*v))
            .draw()
            .map_err(|e| fail(&e))?;
        for (i, (line, points)) in self.series.iter().zip(lines).enumerate() {
            let style = ShapeStyle {
                color: PALETTE[i % PALETTE.len()].to_rgba(),
                filled: false,
                stroke_width: if i == 0 { 3 } else { 2 },
            };
            chart
                .draw_series(LineSeries::new(points, style))
                .map_err(|e| fail(&e))?
                .label(line.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        }
        for (n, &mw) in self.scenarios_mw.iter().enumerate() {
            let grey = RGBColor(110, 110, 110);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(mw, y.start), (mw, y.end)],
                    6,
                    4,
                    grey.stroke_width(1),
                ))
                .map_err(|e| fail(&e))?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("scenario {} ({mw:.0} MW)", n + 1),
                    (mw, y.end / (1.5 + n as f64 * 0.9)),
                    ("sans-serif", 13).into_font().color(&grey),
                )))
                .map_err(|e| fail(&e))?;
        }
        if let Some(price) = level {
            let style = RGBColor(200, 0, 0).stroke_width(2);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x.start, price), (x.end, price)],
                    10,
                    5,
                    style,
                ))
                .map_err(|e| fail(&e))?
                .label(format!("power sold at ${price}/MWh"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| fail(&e))?;
        Ok(())
    }
}
