//! `estimate --plot`: site hashrate against the power given to mining, for
//! the fleet and each reference ASIC, with each scenario marked, on log-log
//! axes; and, where a BTC price is given, the break-even power price (what
//! a MWh earns mined) against the same power, beside the price the power
//! would fetch sold. SVG, written through [`Destination`].
//!
//! Every label stays inside the frame, every line stays visible and the
//! legend stays clear of the data:
//! - the legend has its own column right of each panel;
//! - the fleet's line is drawn last, dashed, so an ASIC of the same
//!   efficiency (the S23 Hydro at 9.5 J/TH) shows through its gaps;
//! - scenario labels sit left of their dashed lines, right-aligned, in
//!   headroom above the highest curve, one row each.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

#[cfg(feature = "native")]
use crate::error::{Error, Result};
#[cfg(feature = "native")]
use crate::output::Destination;
use crate::site::{self, Estimate, Site, BLOCKS_PER_DAY};
use crate::units::{format_jth, format_mw, format_percent, format_si, format_sig, format_usd};

/// One line: a label and its efficiency.
pub struct Series {
    pub label: String,
    pub hashes_per_joule: f64,
}

const STEPS: usize = 64;
/// The ASICs' colours; the fleet is black.
const PALETTE: [RGBColor; 7] = [
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(23, 190, 207),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
];
const GREY: RGBColor = RGBColor(110, 110, 110);
const PRICE: RGBColor = RGBColor(200, 0, 0);
/// The picture's width, and the legend column's within it.
const WIDTH: u32 = 1180;
const LEGEND: u32 = 290;
const PANEL: u32 = 620;
/// About the height of a panel's plotting frame, and of a label's row.
const PLOT_HEIGHT: f64 = 470.0;
const LABEL_ROW: f64 = 22.0;

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
        Some(_) => site::mix::short(&estimate.efficiency.source),
        None => "given efficiency".into(),
    };
    let mut series = vec![Series {
        label: format!(
            "{name} ({} J/TH)",
            format_jth(estimate.efficiency.joules_per_terahash)
        ),
        hashes_per_joule: estimate.efficiency.hashes_per_joule,
    }];
    series.extend(site::REFERENCE_ASICS.iter().map(|(model, jth)| Series {
        label: format!("{model} ({} J/TH)", format_jth(*jth)),
        hashes_per_joule: site::hashes_per_joule_from_jth(*jth),
    }));
    let scenarios: Vec<(f64, f64)> = estimate
        .scenarios
        .iter()
        .map(|s| (s.site_watts / 1e6, s.fraction))
        .collect();
    let chart = Chart {
        site: &estimate.site,
        series: &series,
        scenarios: &scenarios,
        btc_usd: estimate.inputs.btc_usd.map(|i| i.value),
        power_usd_per_mwh: estimate.inputs.power_usd_per_mwh.map(|i| i.value),
    };
    let mut svg = String::new();
    chart.draw(&mut svg)?;
    Ok(svg)
}

struct Chart<'a> {
    site: &'a Site,
    /// The fleet first, then the reference ASICs.
    series: &'a [Series],
    /// Each scenario's power to mining (MW) and share of the plant.
    scenarios: &'a [(f64, f64)],
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

/// How a line is drawn, in the chart and in the legend.
#[derive(Clone, Copy)]
enum Stroke {
    Solid(RGBColor, u32),
    Dashed(RGBColor, u32),
}

impl Stroke {
    fn style(self) -> ShapeStyle {
        match self {
            Stroke::Solid(color, width) | Stroke::Dashed(color, width) => color.stroke_width(width),
        }
    }
}

impl Chart<'_> {
    fn mw_range(&self) -> (f64, f64) {
        let max_mw = self.scenarios.iter().map(|s| s.0).fold(0.0, f64::max);
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

    /// The fleet dashed in black, thick; the ASICs solid.
    fn stroke(i: usize) -> Stroke {
        if i == 0 {
            Stroke::Dashed(BLACK, 3)
        } else {
            Stroke::Solid(PALETTE[(i - 1) % PALETTE.len()], 2)
        }
    }

    fn draw(&self, svg: &mut String) -> Result<(), String> {
        let height = if self.btc_usd.is_some() {
            2 * PANEL
        } else {
            PANEL
        };
        let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let hashrate_panel = |area: &DrawingArea<SVGBackend, Shift>| {
            self.panel(
                area,
                "Site hashrate against power for mining",
                "site hashrate",
                ("", "H/s"),
                |mw, hpj| self.hashrate(mw, hpj),
                None,
            )
        };
        match self.btc_usd {
            Some(price) => {
                let (top, bottom) = root.split_vertically(PANEL);
                hashrate_panel(&top)?;
                self.panel(
                    &bottom,
                    &format!(
                        "Break-even power price: what a MWh earns mined (BTC at {})",
                        format_usd(price)
                    ),
                    "break-even price, USD/MWh",
                    ("$", ""),
                    |mw, hpj| self.break_even(mw, hpj, price),
                    self.power_usd_per_mwh.filter(|p| *p > 0.0),
                )?;
            }
            None => hashrate_panel(&root)?,
        }
        root.present().map_err(|e| e.to_string())
    }

    fn panel(
        &self,
        area: &DrawingArea<SVGBackend, Shift>,
        caption: &str,
        y_desc: &str,
        (prefix, unit): (&str, &str),
        value: impl Fn(f64, f64) -> f64,
        level: Option<f64>,
    ) -> Result<(), String> {
        let fail = |e: &dyn std::fmt::Display| e.to_string();
        let (plot_area, legend_area) = area.split_horizontally(WIDTH - LEGEND);
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
        // Headroom above the highest curve: a row of LABEL_ROW pixels for
        // each scenario's label, as a share of the plot's height (on a log
        // axis, a power of the range).
        let rows = self.scenarios.len() as f64;
        let headroom = ((rows + 1.0) * LABEL_ROW / PLOT_HEIGHT).min(0.5);
        let (bottom, top) = (lowest / 2.0, highest * 1.3);
        let y = checked_range(
            bottom,
            top * (top / bottom).powf(headroom / (1.0 - headroom)),
            "figures",
        )?;
        let mut chart = ChartBuilder::on(&plot_area)
            .caption(
                format!("{caption} (PUE {:.2})", self.site.pue),
                ("sans-serif", 22),
            )
            .margin(16)
            .margin_right(24)
            .x_label_area_size(48)
            .y_label_area_size(96)
            .build_cartesian_2d(x.clone().log_scale(), y.clone().log_scale())
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .x_desc("power given to mining")
            .y_desc(y_desc)
            .x_label_formatter(&|mw| format!("{}W", format_si(*mw * 1e6)))
            .y_labels(12)
            .y_label_formatter(&|v| match prefix {
                // Dollars, down to fractions of a cent where a device earns
                // that little.
                "$" => format!("${}", format_sig(*v, 1)),
                _ => format!("{}{unit}", format_si(*v)),
            })
            .draw()
            .map_err(|e| fail(&e))?;
        // The ASICs first, the fleet last and dashed: a line the fleet's
        // covers shows through its gaps.
        let order = (1..self.series.len()).chain(std::iter::once(0));
        for i in order {
            let points = lines[i].clone();
            match Self::stroke(i) {
                Stroke::Solid(color, width) => chart
                    .draw_series(LineSeries::new(points, color.stroke_width(width)))
                    .map(|_| ()),
                Stroke::Dashed(color, width) => chart
                    .draw_series(DashedLineSeries::new(
                        points,
                        12,
                        8,
                        color.stroke_width(width),
                    ))
                    .map(|_| ()),
            }
            .map_err(|e| fail(&e))?;
        }
        if let Some(price) = level {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x.start, price), (x.end, price)],
                    10,
                    5,
                    PRICE.stroke_width(2),
                ))
                .map_err(|e| fail(&e))?;
        }
        // Scenarios: a dashed line each, labelled left of it, one row
        // each from the top down (largest first), inside the frame.
        let mut by_size: Vec<&(f64, f64)> = self.scenarios.iter().collect();
        by_size.sort_by(|a, b| b.0.total_cmp(&a.0));
        for &&(mw, _) in &by_size {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(mw, y.start), (mw, y.end)],
                    6,
                    4,
                    GREY.stroke_width(1),
                ))
                .map_err(|e| fail(&e))?;
        }
        let base = plot_area.get_base_pixel();
        let frame_top = chart.plotting_area().get_pixel_range().1.start - base.1;
        for (row, &&(mw, fraction)) in by_size.iter().enumerate() {
            let label = if self.scenarios.len() > 1 {
                format!("{} ({} of plant)", format_mw(mw), format_percent(fraction))
            } else {
                format!("this site: {}", format_mw(mw))
            };
            // The line's pixel, in the area's own coordinates; the row's
            // from the top of the frame.
            let right = chart.backend_coord(&(mw, y.end)).0 - base.0 - 6;
            let middle = frame_top + ((row as f64 + 0.8) * LABEL_ROW) as i32;
            let style = ("sans-serif", 14)
                .into_font()
                .color(&GREY)
                .pos(Pos::new(HPos::Right, VPos::Center));
            let (w, h) = plot_area
                .estimate_text_size(&label, &style)
                .map_err(|e| fail(&e))?;
            let (w, h) = (w as i32, h as i32);
            plot_area
                .draw(&Rectangle::new(
                    [
                        (right - w - 3, middle - h / 2 - 2),
                        (right + 3, middle + h / 2 + 2),
                    ],
                    WHITE.mix(0.9).filled(),
                ))
                .map_err(|e| fail(&e))?;
            plot_area
                .draw(&Text::new(label, (right, middle), style))
                .map_err(|e| fail(&e))?;
        }
        self.legend(&legend_area, level)
    }

    /// The legend, in its own column: a sample of each line and its label.
    fn legend(
        &self,
        area: &DrawingArea<SVGBackend, Shift>,
        level: Option<f64>,
    ) -> Result<(), String> {
        let fail = |e: &dyn std::fmt::Display| e.to_string();
        let mut entries: Vec<(Stroke, String)> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (Self::stroke(i), s.label.clone()))
            .collect();
        if let Some(price) = level {
            entries.push((
                Stroke::Dashed(PRICE, 2),
                format!("power sold at {}/MWh", format_usd(price)),
            ));
        }
        entries.push((Stroke::Dashed(GREY, 1), "scenario (power to mining)".into()));
        let font = ("sans-serif", 14).into_font().color(&BLACK);
        let top = 70;
        for (k, (stroke, label)) in entries.into_iter().enumerate() {
            let y = top + 24 * k as i32;
            let sample = vec![(4, y), (40, y)];
            match stroke {
                Stroke::Solid(..) => area.draw(&PathElement::new(sample, stroke.style())),
                Stroke::Dashed(..) => {
                    area.draw(&DashedPathElement::new(sample, 8, 5, stroke.style()))
                }
            }
            .map_err(|e| fail(&e))?;
            area.draw(&Text::new(
                label,
                (48, y),
                font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| fail(&e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::model::{build, Inputs, SitePlan};
    use crate::site::{Efficiency, FleetMember, Network};

    /// The README's picture: S23 Hydro-class hardware (9.5 J/TH, the same
    /// as an ASIC's line), three scenarios, a BTC and a power price.
    fn readme_estimate(fractions: Vec<f64>) -> Estimate {
        let site = Site {
            network: Network::given_ehs(995.0),
            subsidy_btc: 3.125,
            ..Site::default()
        };
        let mut inputs = Inputs::defaults(&site);
        inputs.btc_usd = Some(crate::site::model::Input::new(
            100_000.0,
            crate::site::Source::Given,
        ));
        inputs.power_usd_per_mwh = Some(crate::site::model::Input::new(
            50.0,
            crate::site::Source::Given,
        ));
        build(&SitePlan {
            site,
            fractions,
            fleet: vec![FleetMember {
                efficiency: Efficiency {
                    source: "given (--jth)".into(),
                    hashes_per_joule: site::hashes_per_joule_from_jth(9.5),
                    joules_per_terahash: 9.5,
                    measured: None,
                    device_watts: None,
                    unproven: None,
                },
                power_share: 1.0,
                device_usd: None,
                device_watts_source: None,
            }],
            inputs,
            origin: None,
        })
    }

    /// Each `<text>` of the SVG: x, anchor, font size, rotated, content.
    fn texts(svg: &str) -> Vec<(f64, String, f64, bool, String)> {
        let attr = |tag: &str, name: &str| -> Option<String> {
            let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            Some(tag[at..].split('"').next()?.to_string())
        };
        svg.split("<text")
            .skip(1)
            .map(|rest| {
                let (tag, body) = rest.split_once('>').unwrap();
                let content = body.split("</text>").next().unwrap().trim().to_string();
                (
                    attr(tag, "x").unwrap().parse().unwrap(),
                    attr(tag, "text-anchor").unwrap_or_else(|| "start".into()),
                    attr(tag, "font-size").unwrap().parse().unwrap(),
                    tag.contains("rotate("),
                    content,
                )
            })
            .collect()
    }

    /// No label reaches past the picture's edges, and the scenario labels
    /// stay inside the plotting frame, left of the legend column. (Widths
    /// are estimated at 0.6 of the font size a character, generous for
    /// sans-serif digits.)
    #[test]
    fn every_label_is_inside_the_frame() {
        for fractions in [vec![1.0], vec![1.0, 0.5, 0.333]] {
            let scenarios = fractions.len();
            let svg = estimate_svg_text(&readme_estimate(fractions)).unwrap();
            let picture: f64 = svg
                .split_once("width=\"")
                .and_then(|(_, rest)| rest.split('"').next())
                .unwrap()
                .parse()
                .unwrap();
            let all = texts(&svg);
            assert!(all.len() > 20);
            // Each scenario's label is there, in each of the two panels.
            let labels = all
                .iter()
                .filter(|t| t.4.contains(" MW (") || t.4.starts_with("this site"))
                .count();
            assert_eq!(labels, 2 * scenarios, "{all:?}");
            for (x, anchor, size, rotated, content) in all.iter().filter(|t| !t.3) {
                let width = 0.6 * size * content.chars().count() as f64;
                let (left, right) = match anchor.as_str() {
                    "end" => (x - width, *x),
                    "middle" => (x - width / 2.0, x + width / 2.0),
                    _ => (*x, x + width),
                };
                assert!(
                    left >= 0.0 && right <= picture,
                    "{content:?} runs from {left} to {right} of {picture} ({anchor}, rotated {rotated})"
                );
                // A scenario's label: inside the plotting frame.
                if content.contains(" MW (") || content.starts_with("this site") {
                    assert!(right <= picture - LEGEND as f64, "{content:?} at {right}");
                }
            }
            assert!(svg.contains("power sold at $50.00/MWh"));
        }
    }

    /// The fleet's line at 9.5 J/TH lies on the S23 Hydro's: it is drawn
    /// after every ASIC's line, dashed (so the orange shows between its
    /// dashes), and it is thicker than they are.
    #[test]
    fn a_line_on_top_of_another_leaves_it_visible() {
        let svg = estimate_svg_text(&readme_estimate(vec![1.0])).unwrap();
        // The first panel's chart: everything before its legend.
        let first_panel = &svg[..svg.find("given efficiency").unwrap()];
        let last_asic = first_panel.rfind("stroke=\"#FF7F0E\"").unwrap();
        let first_fleet = first_panel
            .find("stroke=\"#000000\" stroke-width=\"3\"")
            .unwrap();
        assert!(first_fleet > last_asic, "the fleet is drawn last");
        // Dashed: many short pieces, not one polyline.
        let pieces = first_panel
            .matches("stroke=\"#000000\" stroke-width=\"3\"")
            .count();
        assert!(pieces > 10, "{pieces} pieces");
    }
}
