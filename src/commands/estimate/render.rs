//! The estimate as a table: the inputs with where each came from, one
//! column per scenario, the fleet, and the reference ASICs.

use crate::report::format_si;
use crate::site::fleet::short;
use crate::site::{Estimate, Scenario, Source};

const LABEL: usize = 30;
const COLUMN: usize = 17;

/// The two lines `bench` ends with.
pub fn summary_lines(estimate: &Estimate) -> [String; 2] {
    let s = &estimate.scenarios[0];
    let best = estimate.asics.last().expect("reference ASICs");
    let asic = &best.scenarios[0];
    [
        format!(
            "  at {} MW (PUE {:.2}) this device would hash {}H/s: {:.4}% of a {}H/s network, {:.3} BTC/day",
            s.site_watts / 1e6,
            estimate.site.pue,
            format_si(s.site_hashes_per_second),
            100.0 * s.network_share,
            format_si(estimate.site.network.hashes_per_second),
            s.btc_per_day
        ),
        format!(
            "  the same site with {} ({} J/TH): {}H/s, {:.1}% of the network, {:.1} BTC/day ({} less energy per hash)",
            best.model,
            best.joules_per_terahash,
            format_si(asic.hashes_per_second),
            100.0 * asic.network_share,
            asic.btc_per_day,
            format_ratio(best.device_energy_ratio)
        ),
    ]
}

/// "measured, chain, given": where a figure's inputs came from.
fn from(sources: &[Source]) -> String {
    let mut sources = sources.to_vec();
    sources.sort();
    sources.dedup();
    sources
        .iter()
        .map(|s| s.word())
        .collect::<Vec<_>>()
        .join(", ")
}

/// 0.44x, 1.23x, 87x, 9234x.
fn format_ratio(ratio: f64) -> String {
    if ratio < 10.0 {
        format!("{ratio:.2}x")
    } else {
        format!("{ratio:.0}x")
    }
}

fn format_jth(jth: f64) -> String {
    if jth >= 100.0 {
        format!("{jth:.0}")
    } else {
        format!("{jth:.2}")
    }
}

/// A number with this many decimals, or in exponent form when it is too
/// large for a column.
fn fixed(value: f64, decimals: usize) -> String {
    let smallest = 10f64.powi(-(decimals as i32));
    if value.abs() >= 1e12 || (value != 0.0 && value.abs() < smallest) {
        format!("{value:.3e}")
    } else {
        format!("{value:.decimals$}")
    }
}

/// $16,875,000; $45.22; -$27.50.
pub fn format_usd(value: f64) -> String {
    let sign = if value < 0.0 { "-" } else { "" };
    let magnitude = value.abs();
    if magnitude >= 1e12 || (magnitude != 0.0 && magnitude < 0.01) {
        format!("{sign}${magnitude:.3e}")
    } else if magnitude >= 1000.0 {
        let digits = format!("{magnitude:.0}");
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}${grouped}")
    } else {
        format!("{sign}${magnitude:.2}")
    }
}

fn row(label: &str, cells: impl Iterator<Item = String>, sources: &str) {
    let cells: String = cells.map(|c| format!("{c:>COLUMN$}")).collect();
    outln!("  {label:<LABEL$}{cells}   {sources}");
}

fn scenario_row(e: &Estimate, label: &str, cell: impl Fn(&Scenario) -> String, sources: &[Source]) {
    row(label, e.scenarios.iter().map(cell), &from(sources));
}

pub fn print_table(e: &Estimate) {
    let i = &e.inputs;
    let network = &e.site.network;
    let eff = e.efficiency.provenance();
    outln!(
        "efficiency   {} J/TH ({}H/J), {}   [{}]",
        format_jth(e.efficiency.joules_per_terahash),
        format_si(e.efficiency.hashes_per_joule),
        e.efficiency.source,
        eff.word()
    );
    if let Some(fleet) = &e.measured_fleet {
        let mix: Vec<String> = fleet
            .models
            .iter()
            .map(|m| {
                format!(
                    "{} x {} ({:.1}% of the power, {:.0} W each)",
                    m.nodes,
                    crate::error::sanitize(&m.model),
                    100.0 * m.power_share,
                    m.watts_per_node
                )
            })
            .collect();
        outln!(
            "fleet        {} nodes counted, {} with energy: {}",
            fleet.nodes,
            fleet.nodes_with_energy,
            mix.join(", ")
        );
        outln!(
            "             left out: {} missing, {} refused; outliers counted as measured: {} (hashwatt fleet names them)",
            fleet.missing,
            fleet.refused,
            fleet.outliers
        );
    }
    outln!(
        "site         {} MW plant [{}], PUE {:.2} [{}], uptime {}% [{}]",
        i.plant_mw.value,
        i.plant_mw.source.word(),
        i.pue.value,
        i.pue.source.word(),
        100.0 * i.uptime.value,
        i.uptime.source.word()
    );
    outln!(
        "network      {}H/s [{}]: {}",
        format_si(network.hashes_per_second),
        network.source.word(),
        network.basis
    );
    outln!(
        "reward       {} BTC subsidy [{}] + {} BTC fees [{}] per block, 144 blocks a day",
        i.subsidy_btc.value,
        network.subsidy_basis(),
        i.fees_btc_per_block.value,
        i.fees_btc_per_block.source.word()
    );
    let mut prices = Vec::new();
    if let Some(p) = i.btc_usd {
        prices.push(format!("BTC {} [given]", format_usd(p.value)));
    }
    if let Some(p) = i.power_usd_per_mwh {
        prices.push(format!("power sold at {}/MWh [given]", format_usd(p.value)));
    }
    for m in e.fleet.iter().filter(|m| m.device_usd.is_some()) {
        let name = match m.efficiency.measured {
            Some(_) => short(&m.efficiency.source),
            None => "the device".into(),
        };
        prices.push(format!(
            "{name} at {} each [given]",
            format_usd(m.device_usd.unwrap_or(0.0))
        ));
    }
    if !prices.is_empty() {
        outln!("prices       {}", prices.join("; "));
    }
    let reward = [
        network.source,
        i.subsidy_btc.source,
        i.fees_btc_per_block.source,
    ];
    match e.hashprice.usd_per_ph_day {
        Some(usd) => outln!(
            "hashprice    {:.6} BTC ({}) per PH/s per day: 1 PH/s / network x 144 x reward   [{}]",
            e.hashprice.btc_per_ph_day,
            format_usd(usd),
            from(&[&reward[..], &[Source::Given]].concat())
        ),
        None => outln!(
            "hashprice    {:.6} BTC per PH/s per day: 1 PH/s / network x 144 x reward   [{}]",
            e.hashprice.btc_per_ph_day,
            from(&reward)
        ),
    }
    outln!();

    let power = [i.plant_mw.source, i.fractions];
    let it = [&power[..], &[i.pue.source]].concat();
    let hashes = [&it[..], &[eff]].concat();
    let share = [&hashes[..], &[network.source]].concat();
    let blocks = [&share[..], &[i.uptime.source]].concat();
    let btc = [&blocks[..], &reward[..]].concat();
    let energy = [&power[..], &[i.uptime.source]].concat();
    let header: Vec<String> = (1..=e.scenarios.len())
        .map(|n| format!("scenario {n}"))
        .collect();
    row("", header.into_iter(), "from");
    scenario_row(
        e,
        "share of the plant",
        |s| format!("{}", s.fraction),
        &[i.fractions],
    );
    scenario_row(
        e,
        "power to mining",
        |s| format!("{} MW", fixed(s.site_watts / 1e6, 1)),
        &power,
    );
    scenario_row(
        e,
        "IT power (after PUE)",
        |s| format!("{} MW", fixed(s.it_watts / 1e6, 1)),
        &it,
    );
    scenario_row(
        e,
        "site hashrate",
        |s| format!("{}H/s", format_si(s.site_hashes_per_second)),
        &hashes,
    );
    if e.scenarios[0].devices.is_some() {
        let watts: Vec<Source> = e
            .fleet
            .iter()
            .filter_map(|m| m.device_watts_source)
            .collect();
        scenario_row(
            e,
            "devices",
            |s| fixed(s.devices.unwrap_or(0.0), 0),
            &[&it[..], &watts].concat(),
        );
    }
    scenario_row(
        e,
        "network share",
        |s| format!("{}%", fixed(100.0 * s.network_share, 4)),
        &share,
    );
    scenario_row(e, "blocks per day", |s| fixed(s.blocks_per_day, 4), &blocks);
    scenario_row(e, "BTC per day", |s| fixed(s.btc_per_day, 4), &btc);
    scenario_row(
        e,
        "energy per day",
        |s| format!("{} MWh", fixed(s.energy_mwh_per_day, 0)),
        &energy,
    );
    let usd = [&btc[..], &[Source::Given]].concat();
    if e.scenarios[0].capital_usd.is_some() {
        scenario_row(
            e,
            "capital cost",
            |s| format_usd(s.capital_usd.unwrap_or(0.0)),
            &[&hashes[..], &[Source::Given]].concat(),
        );
    }
    if e.scenarios[0].economics.is_some() {
        let money = |f: fn(&crate::site::economics::Economics) -> Option<f64>| {
            move |s: &Scenario| {
                s.economics
                    .as_ref()
                    .and_then(f)
                    .map_or("-".into(), format_usd)
            }
        };
        scenario_row(
            e,
            "revenue per day",
            money(|x| Some(x.revenue_usd_per_day)),
            &usd,
        );
        scenario_row(
            e,
            "revenue per MWh = break-even",
            money(|x| Some(x.revenue_usd_per_mwh)),
            &usd,
        );
        if i.power_usd_per_mwh.is_some() {
            scenario_row(
                e,
                "margin per MWh over selling",
                money(|x| x.margin_usd_per_mwh),
                &usd,
            );
            scenario_row(
                e,
                "margin per day over selling",
                money(|x| x.margin_usd_per_day),
                &usd,
            );
        }
        if e.scenarios[0].capital_usd.is_some() {
            scenario_row(
                e,
                "simple payback",
                |s| match s.economics.and_then(|x| x.payback_days) {
                    Some(days) => format!("{} days", fixed(days, 0)),
                    None => "never".into(),
                },
                &usd,
            );
        }
    }

    if e.fleet.len() > 1 {
        outln!();
        for (k, m) in e.fleet.iter().enumerate() {
            let name = format!(
                "{} ({:.1}%, {} J/TH)",
                short(&m.efficiency.source),
                100.0 * m.power_share,
                format_jth(m.efficiency.joules_per_terahash)
            );
            outln!("  {name}");
            let own = [&it[..], &[m.efficiency.provenance()]].concat();
            let part = |f: fn(&crate::site::model::MemberPart) -> String| {
                move |s: &Scenario| f(&s.fleet[k])
            };
            scenario_row(
                e,
                "  hashrate",
                part(|p| format!("{}H/s", format_si(p.hashes_per_second))),
                &own,
            );
            if m.efficiency.device_watts.is_some() {
                scenario_row(
                    e,
                    "  devices",
                    part(|p| fixed(p.devices.unwrap_or(0.0), 0)),
                    &own,
                );
            }
            scenario_row(e, "  BTC per day", part(|p| fixed(p.btc_per_day, 4)), &btc);
            if i.btc_usd.is_some() {
                scenario_row(
                    e,
                    "  revenue per MWh",
                    part(|p| p.revenue_usd_per_mwh.map_or("-".into(), format_usd)),
                    &usd,
                );
            }
        }
    }

    outln!();
    let cells = e
        .scenarios
        .iter()
        .map(|_| format!("{:>8} {:>8}", "share", "BTC/day"));
    row(
        &format!("{:<22} {:>7}", "same site filled with", "J/TH"),
        cells,
        "device/ASIC",
    );
    for a in &e.asics {
        let cells = a
            .scenarios
            .iter()
            .map(|m| format!("{:>7.2}% {:>8.2}", 100.0 * m.network_share, m.btc_per_day));
        row(
            &format!("{:<22} {:>7}", a.model, a.joules_per_terahash),
            cells,
            &format!("{:>11}", format_ratio(a.device_energy_ratio)),
        );
    }
    outln!("  (ASIC efficiencies are the manufacturers' figures; device/ASIC is energy per hash, device over ASIC;");
    outln!("  the scenarios are shares of the plant's output, not predictions)");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars() {
        assert_eq!(format_usd(16_875_000.0), "$16,875,000");
        assert_eq!(format_usd(45.2234), "$45.22");
        assert_eq!(format_usd(-27.5), "-$27.50");
        assert_eq!(format_usd(1000.0), "$1,000");
        assert_eq!(format_usd(123_456.7), "$123,457");
        assert_eq!(format_usd(0.000_123_4), "$1.234e-4");
        assert_eq!(fixed(0.000_012_34, 4), "1.234e-5");
        assert_eq!(fixed(0.5, 4), "0.5000");
    }
}
