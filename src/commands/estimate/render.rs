//! The estimate as a person reads it: the headline first (one line per
//! scenario), then the inputs, one column per scenario, the fleet, and the
//! reference ASICs. Where each figure came from (`measured`, `chain`,
//! `given`...) is shown with `--explain`; the JSON always has it. Words
//! and rounding come from [`crate::site::words`] and [`crate::units`].

use crate::site::mix::short;
use crate::site::words::{self, RATIO_HEADING, RATIO_NOTE};
use crate::site::{Estimate, Scenario, Source};
use crate::units::{
    format_btc, format_count, format_jth, format_mw, format_percent, format_rate, format_ratio,
    format_si, format_sig, format_usd,
};

const LABEL: usize = 44;
/// The ASIC table's first column: model and J/TH.
const MODEL: usize = 35;
const COLUMN: usize = 17;

/// The two lines `bench` ends with.
pub fn summary_lines(estimate: &Estimate) -> [String; 2] {
    let s = &estimate.scenarios[0];
    let best = estimate.asics.last().expect("reference ASICs");
    let asic = &best.scenarios[0];
    [
        format!(
            "  at site scale (PUE {:.2}): {}",
            estimate.site.pue,
            words::headline(estimate, s)
        ),
        format!(
            "  the same site with the {} ({} J/TH): {}, {} of the network, {} BTC/day; this device spends {}",
            best.model,
            format_jth(best.joules_per_terahash),
            format_rate(asic.hashes_per_second),
            format_percent(asic.network_share),
            format_btc(asic.btc_per_day),
            words::energy_versus(best.device_energy_ratio, &best.model)
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

/// The table, with the sources of each figure when `explain`.
struct Table<'a> {
    e: &'a Estimate,
    explain: bool,
}

impl Table<'_> {
    /// " [given]" with `--explain`, else nothing.
    fn tag(&self, word: &str) -> String {
        if self.explain {
            format!(" [{word}]")
        } else {
            String::new()
        }
    }

    fn row(&self, label: &str, cells: impl Iterator<Item = String>, sources: &str) {
        let cells: String = cells.map(|c| format!("{c:>COLUMN$}")).collect();
        if self.explain {
            outln!("  {label:<LABEL$}{cells}   {sources}");
        } else {
            outln!("  {label:<LABEL$}{cells}");
        }
    }

    fn scenario_row(&self, label: &str, cell: impl Fn(&Scenario) -> String, sources: &[Source]) {
        self.row(label, self.e.scenarios.iter().map(cell), &from(sources));
    }
}

pub fn print_table(e: &Estimate, explain: bool) {
    let t = Table { e, explain };
    let i = &e.inputs;
    let network = &e.site.network;
    let eff = e.efficiency.provenance();
    let moves = e.scenarios.iter().any(|s| s.joining.moves_network);

    // The answer first.
    for s in &e.scenarios {
        outln!("{}", words::headline(e, s));
    }
    match &e.scenarios[..] {
        [one] => {
            if let Some(note) = words::joining_note(e, one) {
                outln!("  {note}");
            }
        }
        _ if moves => outln!(
            "  each site's hashrate joins today's {} network: shares, bitcoin and revenue are after it joins",
            format_rate(network.hashes_per_second)
        ),
        _ => {}
    }
    outln!();

    outln!(
        "efficiency   {} J/TH ({}H/J), {}{}",
        format_jth(e.efficiency.joules_per_terahash),
        format_si(e.efficiency.hashes_per_joule),
        e.efficiency.source,
        t.tag(eff.word())
    );
    if let Some(fleet) = &e.measured_fleet {
        let mix: Vec<String> = fleet
            .models
            .iter()
            .map(|m| {
                format!(
                    "{} x {} ({:.1}% of the power, {:.0} W each)",
                    m.nodes,
                    crate::sanitize::sanitize(&m.model),
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
        "site         {} plant{}, PUE {:.2}{}, uptime {}%{}",
        format_mw(i.plant_mw.value),
        t.tag(i.plant_mw.source.word()),
        i.pue.value,
        t.tag(i.pue.source.word()),
        format_sig(100.0 * i.uptime.value, 3),
        t.tag(i.uptime.source.word())
    );
    outln!(
        "network      {}{}{}: {}",
        format_rate(network.hashes_per_second),
        if moves { " today" } else { "" },
        t.tag(network.source.word()),
        network.basis
    );
    outln!(
        "reward       {} BTC subsidy{} + {} BTC fees{} per block, 144 blocks a day",
        i.subsidy_btc.value,
        t.tag(&network.subsidy_basis()),
        i.fees_btc_per_block.value,
        t.tag(i.fees_btc_per_block.source.word())
    );
    let mut prices = Vec::new();
    if let Some(p) = i.btc_usd {
        prices.push(format!("BTC {}{}", format_usd(p.value), t.tag("given")));
    }
    if let Some(p) = i.power_usd_per_mwh {
        prices.push(format!(
            "power sold at {}/MWh{}",
            format_usd(p.value),
            t.tag("given")
        ));
    }
    for m in e.fleet.iter().filter(|m| m.device_usd.is_some()) {
        let name = match m.efficiency.measured {
            Some(_) => short(&m.efficiency.source),
            None => "the device".into(),
        };
        prices.push(format!(
            "{name} at {} each{}",
            format_usd(m.device_usd.unwrap_or(0.0)),
            t.tag("given")
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
    let hashprice_sources = match e.hashprice.usd_per_ph_day {
        Some(_) => from(&[&reward[..], &[Source::Given]].concat()),
        None => from(&reward),
    };
    let hashprice = words::hashprice(&e.hashprice, network.hashes_per_second, e.site.reward_btc());
    let today = if moves { " on today's network" } else { "" };
    let after = match &e.scenarios[..] {
        [one] if one.joining.moves_network => format!(
            "; {} once the site joins",
            words::hashprice(
                &one.joining.hashprice_after,
                one.joining.network_after_hashes_per_second,
                e.site.reward_btc()
            )
        ),
        _ => String::new(),
    };
    if explain {
        outln!(
            "hashprice    {hashprice}{today}{after}: 1 PH/s / network x 144 x reward   [{hashprice_sources}]"
        );
    } else {
        outln!("hashprice    {hashprice}{today}{after}");
    }
    outln!();

    let power = [i.plant_mw.source, i.fractions];
    let it = [&power[..], &[i.pue.source]].concat();
    let hashes = [&it[..], &[eff]].concat();
    let share = [&hashes[..], &[network.source]].concat();
    let blocks = [&share[..], &[i.uptime.source]].concat();
    let btc = [&blocks[..], &reward[..]].concat();
    let energy = [&power[..], &[i.uptime.source]].concat();
    if e.scenarios.len() > 1 || explain {
        let header = e
            .scenarios
            .iter()
            .map(|s| format!("{} of plant", format_percent(s.fraction)));
        t.row("", header, "from");
    }
    let joined = if moves { ", after joining" } else { "" };
    t.scenario_row("power to mining", |s| format_mw(s.site_watts / 1e6), &power);
    t.scenario_row("IT power (after PUE)", |s| format_mw(s.it_watts / 1e6), &it);
    t.scenario_row(
        "site hashrate",
        |s| format_rate(s.site_hashes_per_second),
        &hashes,
    );
    if e.scenarios[0].devices.is_some() {
        let watts: Vec<Source> = e
            .fleet
            .iter()
            .filter_map(|m| m.device_watts_source)
            .collect();
        t.scenario_row(
            "devices",
            |s| format_count(s.devices.unwrap_or(0.0)),
            &[&it[..], &watts].concat(),
        );
    }
    t.scenario_row(
        &format!("network share{joined}"),
        |s| format_percent(s.network_share),
        &share,
    );
    t.scenario_row(
        "blocks per day",
        |s| format_sig(s.blocks_per_day, 4),
        &blocks,
    );
    t.scenario_row(
        &format!("BTC per day{joined}"),
        |s| format_btc(s.btc_per_day),
        &btc,
    );
    if moves {
        t.scenario_row(
            "BTC per day at today's hashprice",
            |s| at_todays_hashprice(s, format_btc(s.joining.btc_per_day_at_todays_hashprice)),
            &btc,
        );
    }
    t.scenario_row(
        "energy per day",
        |s| format!("{} MWh", format_sig(s.energy_mwh_per_day, 4)),
        &energy,
    );
    let usd = [&btc[..], &[Source::Given]].concat();
    if e.scenarios[0].capital_usd.is_some() {
        t.scenario_row(
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
        t.scenario_row(
            &format!("revenue per day{joined}"),
            money(|x| Some(x.revenue_usd_per_day)),
            &usd,
        );
        t.scenario_row(
            &format!("revenue per MWh{joined} = break-even"),
            money(|x| Some(x.revenue_usd_per_mwh)),
            &usd,
        );
        if moves {
            t.scenario_row(
                "revenue per MWh at today's hashprice",
                |s| {
                    let revenue = s.joining.revenue_usd_per_mwh_at_todays_hashprice;
                    at_todays_hashprice(s, revenue.map_or("-".into(), format_usd))
                },
                &usd,
            );
        }
        if i.power_usd_per_mwh.is_some() {
            t.scenario_row(
                "margin per MWh over selling",
                money(|x| x.margin_usd_per_mwh),
                &usd,
            );
            t.scenario_row(
                "margin per day over selling",
                money(|x| x.margin_usd_per_day),
                &usd,
            );
        }
        if e.scenarios[0].capital_usd.is_some() {
            t.scenario_row(
                "simple payback",
                |s| match s.economics.and_then(|x| x.payback_days) {
                    Some(days) => format!("{} days", format_count(days)),
                    None => "never".into(),
                },
                &usd,
            );
        }
    }
    if moves && e.scenarios.len() > 1 {
        t.scenario_row(
            "hashprice once joined, BTC/PH/day",
            |s| format_sig(s.joining.hashprice_after.btc_per_ph_day, 3),
            &share,
        );
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
            t.scenario_row(
                "  hashrate",
                part(|p| format_rate(p.hashes_per_second)),
                &own,
            );
            if m.efficiency.device_watts.is_some() {
                t.scenario_row(
                    "  devices",
                    part(|p| format_count(p.devices.unwrap_or(0.0))),
                    &own,
                );
            }
            t.scenario_row(
                &format!("  BTC per day{joined}"),
                part(|p| format_btc(p.btc_per_day)),
                &btc,
            );
            if i.btc_usd.is_some() {
                t.scenario_row(
                    &format!("  revenue per MWh{joined}"),
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
    let cells: String = cells.map(|c| format!("{c:>COLUMN$}")).collect();
    outln!(
        "  {:<MODEL$}{cells}   {RATIO_HEADING}",
        format!("{:<26} {:>7}", "same site filled with", "J/TH")
    );
    for a in &e.asics {
        let cells: String = a
            .scenarios
            .iter()
            .map(|m| {
                format!(
                    "{:>8} {:>8}",
                    format_percent(m.network_share),
                    format_btc(m.btc_per_day)
                )
            })
            .map(|c| format!("{c:>COLUMN$}"))
            .collect();
        outln!(
            "  {:<MODEL$}{cells}   {:>8}",
            format!("{:<26} {:>7}", a.model, format_jth(a.joules_per_terahash)),
            format_ratio(a.device_energy_ratio),
        );
    }
    outln!("  (ASIC efficiencies are the manufacturers' figures; {RATIO_NOTE};");
    outln!("  the scenarios are shares of the plant's output, not predictions)");
}

/// A figure at today's hashprice, or why it has none: a site that alone
/// outhashes today's network would be paid more than every block.
fn at_todays_hashprice(s: &Scenario, figure: String) -> String {
    if s.joining.site_over_network >= 1.0 {
        "n/a (> network)".into()
    } else {
        figure
    }
}
