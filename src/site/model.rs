//! The estimate: a site, its fleet, its network and prices, worked out for
//! each scenario (share of the plant given to mining), beside the same
//! site filled with each reference ASIC. Every figure is checked finite
//! before it is reported.

use serde::{Deserialize, Serialize};

use super::economics::{self, Economics, Hashprice, Prices};
use super::joining::{joining, Joining};
use super::mix::{self, Efficiency, FleetMember};
use super::origin::FleetOrigin;
use super::{hashes_per_joule_from_jth, Mining, Site, Source, REFERENCE_ASICS};
use crate::error::{Error, Result};
use crate::site::bounds;
use crate::units::num;

/// `hashwatt.estimate/3`: each scenario adds `joining` (today's network and
/// the one after the site joins it; `/2` had only the latter's figures).
pub const ESTIMATE_SCHEMA: &str = "hashwatt.estimate/3";
/// Scenarios side by side; more would not fit a table.
pub const MAX_SCENARIOS: usize = 8;

/// An input and where it came from.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Input {
    pub value: f64,
    pub source: Source,
}

impl Input {
    pub fn new(value: f64, source: Source) -> Self {
        Input { value, source }
    }
}

/// The inputs of the site, each with its provenance. The efficiency and
/// the network carry their own.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Inputs {
    pub plant_mw: Input,
    pub pue: Input,
    pub uptime: Input,
    pub subsidy_btc: Input,
    pub fees_btc_per_block: Input,
    pub btc_usd: Option<Input>,
    pub power_usd_per_mwh: Option<Input>,
    /// Where the scenarios' shares of the plant came from.
    pub fractions: Source,
}

impl Inputs {
    /// Every input as the site has it, all hashwatt's defaults.
    pub fn defaults(site: &Site) -> Self {
        Inputs {
            plant_mw: Input::new(site.plant_mw, Source::Default),
            pue: Input::new(site.pue, Source::Default),
            uptime: Input::new(site.uptime, Source::Default),
            subsidy_btc: Input::new(site.subsidy_btc, Source::Protocol),
            fees_btc_per_block: Input::new(site.fees_btc_per_block, Source::Default),
            btc_usd: None,
            power_usd_per_mwh: None,
            fractions: Source::Default,
        }
    }

    pub fn prices(&self) -> Prices {
        Prices {
            btc_usd: self.btc_usd.map(|i| i.value),
            power_usd_per_mwh: self.power_usd_per_mwh.map(|i| i.value),
        }
    }
}

/// What `estimate` is asked.
#[derive(Clone, Debug)]
pub struct SitePlan {
    /// The site; its `fraction` is replaced by each of `fractions`.
    pub site: Site,
    pub fractions: Vec<f64>,
    pub fleet: Vec<FleetMember>,
    pub inputs: Inputs,
    /// The fleet of nodes the members were measured on (`--from-fleet`).
    pub origin: Option<FleetOrigin>,
}

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Estimate {
    pub schema: String,
    /// The site of the first scenario, with the network it mines on.
    pub site: Site,
    pub inputs: Inputs,
    /// The fleet's efficiency as one figure (power-weighted).
    pub efficiency: Efficiency,
    pub fleet: Vec<FleetMember>,
    /// With `--from-fleet`: the fleet of nodes behind the efficiency, its
    /// node count and model mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured_fleet: Option<FleetOrigin>,
    pub hashprice: Hashprice,
    /// One per `--fraction`, in the order given.
    pub scenarios: Vec<Scenario>,
    pub asics: Vec<AsicRow>,
}

/// The site with one share of the plant given to mining.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Scenario {
    pub fraction: f64,
    pub site_watts: f64,
    pub it_watts: f64,
    pub site_hashes_per_second: f64,
    pub site_exahashes_per_second: f64,
    /// Whole devices the IT power runs, where each device's watts are
    /// known (each member's count rounded down).
    pub devices: Option<f64>,
    pub network_share: f64,
    pub blocks_per_day: f64,
    pub btc_per_day: f64,
    pub energy_mwh_per_day: f64,
    /// Each fleet member's part, in the order of `fleet`.
    pub fleet: Vec<MemberPart>,
    /// Devices x their prices, where both are known.
    pub capital_usd: Option<f64>,
    /// Where `--btc-usd` is given.
    pub economics: Option<Economics>,
    /// The figures above are after the site joins the network; these
    /// are today's network and its hashprice beside them.
    pub joining: Joining,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MemberPart {
    pub it_watts: f64,
    pub hashes_per_second: f64,
    /// Whole devices this member's power runs (rounded down), where the
    /// device's watts are known.
    pub devices: Option<f64>,
    pub btc_per_day: f64,
    pub energy_mwh_per_day: f64,
    pub revenue_usd_per_mwh: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AsicRow {
    pub model: String,
    pub joules_per_terahash: f64,
    /// The fleet's J/TH over the ASIC's: how many times the energy it
    /// spends on a hash.
    pub device_energy_ratio: f64,
    /// The same site filled with this ASIC, one per scenario.
    pub scenarios: Vec<Mining>,
}

/// One device filling `site`: what `bench` ends with.
pub fn estimate(site: &Site, efficiency: Efficiency) -> Estimate {
    build(&SitePlan {
        site: site.clone(),
        fractions: vec![site.fraction],
        fleet: vec![FleetMember {
            device_watts_source: efficiency.device_watts.map(|_| efficiency.provenance()),
            efficiency,
            power_share: 1.0,
            device_usd: None,
        }],
        inputs: Inputs::defaults(site),
        origin: None,
    })
}

/// Works out every scenario. Call [`check`] before reporting.
pub fn build(plan: &SitePlan) -> Estimate {
    let mut efficiency = mix::combined(&plan.fleet);
    if let Some(origin) = &plan.origin {
        efficiency.source = origin.label();
    }
    let prices = plan.inputs.prices();
    let scenarios: Vec<Scenario> = plan
        .fractions
        .iter()
        .map(|&fraction| {
            let site = Site {
                fraction,
                ..plan.site.clone()
            };
            scenario(&site, &plan.fleet, prices)
        })
        .collect();
    let asics = REFERENCE_ASICS
        .iter()
        .map(|(model, jth)| AsicRow {
            model: model.to_string(),
            joules_per_terahash: *jth,
            device_energy_ratio: efficiency.joules_per_terahash / jth,
            scenarios: plan
                .fractions
                .iter()
                .map(|&fraction| {
                    Site {
                        fraction,
                        ..plan.site.clone()
                    }
                    .mine(hashes_per_joule_from_jth(*jth))
                })
                .collect(),
        })
        .collect();
    Estimate {
        schema: ESTIMATE_SCHEMA.into(),
        site: Site {
            fraction: plan
                .fractions
                .first()
                .copied()
                .unwrap_or(plan.site.fraction),
            ..plan.site.clone()
        },
        inputs: plan.inputs.clone(),
        hashprice: economics::hashprice(
            plan.site.network.hashes_per_second,
            plan.site.reward_btc(),
            prices.btc_usd,
        ),
        efficiency,
        fleet: plan.fleet.clone(),
        measured_fleet: plan.origin.clone(),
        scenarios,
        asics,
    }
}

fn scenario(site: &Site, fleet: &[FleetMember], prices: Prices) -> Scenario {
    let it_watts = site.it_watts();
    let energy = site.energy_mwh_per_day();
    let rates: Vec<f64> = fleet
        .iter()
        .map(|m| it_watts * m.power_share * m.efficiency.hashes_per_joule)
        .collect();
    let total: f64 = rates.iter().sum();
    let mining = site.mine_hashes(total);
    let revenue_per_btc = prices.btc_usd;
    let parts: Vec<MemberPart> = fleet
        .iter()
        .zip(&rates)
        .map(|(m, &rate)| {
            let member_watts = it_watts * m.power_share;
            let btc = mining.btc_per_day * (rate / total);
            let member_energy = energy * m.power_share;
            MemberPart {
                it_watts: member_watts,
                hashes_per_second: rate,
                devices: m
                    .efficiency
                    .device_watts
                    .map(|w| (member_watts / w).floor()),
                btc_per_day: btc,
                energy_mwh_per_day: member_energy,
                revenue_usd_per_mwh: revenue_per_btc.map(|p| btc * p / member_energy),
            }
        })
        .collect();
    let devices = parts.iter().map(|p| p.devices).sum::<Option<f64>>();
    let capital_usd = parts
        .iter()
        .zip(fleet)
        .map(|(p, m)| Some(p.devices? * m.device_usd?))
        .sum::<Option<f64>>();
    let economics = prices.btc_usd.map(|btc_usd| {
        economics::economics(
            mining.btc_per_day,
            energy,
            btc_usd,
            prices.power_usd_per_mwh,
            capital_usd,
        )
    });
    Scenario {
        fraction: site.fraction,
        site_watts: site.site_watts(),
        it_watts,
        site_hashes_per_second: total,
        site_exahashes_per_second: total / 1e18,
        devices,
        network_share: mining.network_share,
        blocks_per_day: mining.blocks_per_day,
        btc_per_day: mining.btc_per_day,
        energy_mwh_per_day: energy,
        fleet: parts,
        capital_usd,
        economics,
        joining: joining(site, total, energy, prices.btc_usd),
    }
}

/// Refuses inputs beyond physical or economic reality (see
/// [`crate::site::bounds`]), naming the option: an efficiency beyond the best
/// any device could reach or below one hash a second at a megawatt, a
/// device of more than a megawatt or a billion dollars, a bitcoin of more
/// than a billion dollars, a megawatt-hour of more than a million either
/// way. [`Site::validate`] holds the site's own inputs.
pub fn check_inputs(plan: &SitePlan) -> Result<()> {
    let bad = |what: String| Err(Error::input(what));
    for m in &plan.fleet {
        check_efficiency(&m.efficiency)?;
        if let Some(watts) = m.efficiency.device_watts {
            if !(watts > 0.0 && watts <= bounds::MAX_DEVICE_WATTS) {
                return bad(format!(
                    "--device-watts must be more than 0 and at most {} W (a megawatt: no single device draws more), got {}",
                    num(bounds::MAX_DEVICE_WATTS),
                    num(watts)
                ));
            }
        }
        if let Some(usd) = m.device_usd {
            if !(usd > 0.0 && usd <= bounds::MAX_DEVICE_USD) {
                return bad(format!(
                    "--device-usd must be more than 0 and at most {} (a billion dollars a device), got {}",
                    num(bounds::MAX_DEVICE_USD),
                    num(usd)
                ));
            }
        }
    }
    if let Some(price) = plan.inputs.btc_usd {
        if !(price.value > 0.0 && price.value <= bounds::MAX_BTC_USD) {
            return bad(format!(
                "--btc-usd must be more than 0 and at most {} (all 21 million bitcoin would be worth two centuries of the world's output), got {}",
                num(bounds::MAX_BTC_USD),
                num(price.value)
            ));
        }
    }
    if let Some(price) = plan.inputs.power_usd_per_mwh {
        if price.value.is_nan() || price.value.abs() > bounds::MAX_USD_PER_MWH {
            return bad(format!(
                "--power-usd-per-mwh must be between -{0} and {0} (a hundred times the highest caps of wholesale power markets), got {1}",
                num(bounds::MAX_USD_PER_MWH),
                num(price.value)
            ));
        }
    }
    Ok(())
}

/// Refuses an efficiency beyond reality: above 1e15 H/J (0.001 J/TH, near
/// the Landauer limit for a double SHA-256) or below 1 H/s at a megawatt.
pub fn check_efficiency(efficiency: &Efficiency) -> Result<()> {
    let min = bounds::MIN_HASHES_PER_SECOND / bounds::MAX_DEVICE_WATTS;
    let hpj = efficiency.hashes_per_joule;
    if hpj >= min && hpj <= bounds::MAX_HASHES_PER_JOULE {
        return Ok(());
    }
    Err(Error::input(format!(
        "an efficiency of {} H/J ({} J/TH), from {}, is beyond reality: it runs from {} H/J (1 H/s at a megawatt) to {} H/J (0.001 J/TH, near the Landauer limit for a double SHA-256)",
        num(hpj),
        num(efficiency.joules_per_terahash),
        efficiency.source,
        num(min),
        num(bounds::MAX_HASHES_PER_JOULE)
    )))
}

/// Refuses an estimate with any figure that is not a finite number (or a
/// share outside [0, 1], or a negative count), naming the figure: inputs
/// that are each valid can still overflow together. A fleet member's power
/// must run at least one whole device (or, where its device is not known,
/// a watt), and no figure of bitcoin may pass all there will ever be.
pub fn check(estimate: &Estimate) -> Result<()> {
    check_reality(estimate)?;
    check_finite(estimate)
}

/// Whole devices and the supply of bitcoin.
fn check_reality(estimate: &Estimate) -> Result<()> {
    for s in &estimate.scenarios {
        for (m, p) in estimate.fleet.iter().zip(&s.fleet) {
            match (p.devices, m.efficiency.device_watts) {
                (Some(devices), Some(watts)) if devices.is_nan() || devices < 1.0 => {
                    return Err(Error::input(format!(
                        "{} W of the site's power for {} runs no whole device of {} W: give it a larger share of the power",
                        num(p.it_watts),
                        mix::short(&m.efficiency.source),
                        num(watts)
                    )));
                }
                _ if p.it_watts.is_nan() || p.it_watts < 1.0 => {
                    return Err(Error::input(format!(
                        "{} W of the site's power for {}, less than a watt: give it a larger share of the power",
                        num(p.it_watts),
                        mix::short(&m.efficiency.source)
                    )));
                }
                _ => {}
            }
        }
        let btc = std::iter::once(s.btc_per_day).chain(s.fleet.iter().map(|p| p.btc_per_day));
        if let Some(btc) = btc.into_iter().find(|b| *b > bounds::MAX_SUPPLY_BTC) {
            return Err(Error::input(format!(
                "these inputs make {} BTC a day, more than the 21 million there will ever be",
                num(btc)
            )));
        }
    }
    Ok(())
}

fn check_finite(estimate: &Estimate) -> Result<()> {
    let mut figures: Vec<(&str, f64)> = vec![
        (
            "the network hashrate",
            estimate.site.network.hashes_per_second,
        ),
        ("the hashes per joule", estimate.efficiency.hashes_per_joule),
        ("the J/TH", estimate.efficiency.joules_per_terahash),
        ("the hashprice", estimate.hashprice.btc_per_ph_day),
    ];
    figures.extend(
        estimate
            .hashprice
            .usd_per_ph_day
            .map(|v| ("the hashprice in USD", v)),
    );
    for s in &estimate.scenarios {
        figures.extend([
            ("the power to mining", s.site_watts),
            ("the IT power", s.it_watts),
            ("the site hashrate", s.site_hashes_per_second),
            ("the network share", s.network_share),
            ("the blocks per day", s.blocks_per_day),
            ("the BTC per day", s.btc_per_day),
            ("the energy per day", s.energy_mwh_per_day),
        ]);
        figures.extend(s.devices.map(|v| ("the number of devices", v)));
        figures.extend(s.capital_usd.map(|v| ("the capital cost", v)));
        for p in &s.fleet {
            figures.extend([
                ("a device's hashrate", p.hashes_per_second),
                ("a device's BTC per day", p.btc_per_day),
            ]);
            figures.extend(p.devices.map(|v| ("the number of devices", v)));
            figures.extend(p.revenue_usd_per_mwh.map(|v| ("the revenue per MWh", v)));
        }
        let j = &s.joining;
        figures.extend([
            (
                "the network after the site joins",
                j.network_after_hashes_per_second,
            ),
            ("the site over today's network", j.site_over_network),
            (
                "the hashprice after joining",
                j.hashprice_after.btc_per_ph_day,
            ),
            (
                "the BTC per day at today's hashprice",
                j.btc_per_day_at_todays_hashprice,
            ),
        ]);
        figures.extend(
            j.revenue_usd_per_mwh_at_todays_hashprice
                .map(|v| ("the revenue per MWh at today's hashprice", v)),
        );
        figures.extend(
            j.hashprice_after
                .usd_per_ph_day
                .map(|v| ("the hashprice after joining in USD", v)),
        );
        if let Some(e) = &s.economics {
            figures.extend([
                ("the revenue per day", e.revenue_usd_per_day),
                ("the revenue per MWh", e.revenue_usd_per_mwh),
            ]);
            figures.extend(
                e.power_value_usd_per_day
                    .map(|v| ("the power value per day", v)),
            );
            figures.extend(e.margin_usd_per_mwh.map(|v| ("the margin per MWh", v)));
            figures.extend(e.margin_usd_per_day.map(|v| ("the margin per day", v)));
            figures.extend(e.payback_days.map(|v| ("the payback time", v)));
        }
    }
    for a in &estimate.asics {
        figures.push(("the device/ASIC ratio", a.device_energy_ratio));
        for m in &a.scenarios {
            figures.extend([
                ("an ASIC site's hashrate", m.hashes_per_second),
                ("an ASIC site's share", m.network_share),
                ("an ASIC site's BTC per day", m.btc_per_day),
            ]);
        }
    }
    for (name, value) in figures {
        let signed = matches!(
            name,
            "the margin per MWh" | "the margin per day" | "the power value per day"
        );
        if !value.is_finite() || (!signed && value < 0.0) {
            return Err(Error::input(format!(
                "these inputs make {name} {}, which is no answer: give figures within reason (efficiency, plant, prices, fees)",
                super::num(value)
            )));
        }
    }
    let mut rates: Vec<f64> = estimate
        .scenarios
        .iter()
        .map(|s| s.site_hashes_per_second)
        .collect();
    rates.extend(
        estimate
            .asics
            .iter()
            .flat_map(|a| a.scenarios.iter().map(|m| m.hashes_per_second)),
    );
    if let Some(rate) = rates.into_iter().find(|r| *r < 1.0) {
        return Err(Error::input(format!(
            "these inputs make a site that hashes {} H/s, less than one hash a second: give figures within reason (efficiency, plant, PUE)",
            super::num(rate)
        )));
    }
    for s in &estimate.scenarios {
        if !(0.0..=1.0).contains(&s.network_share) {
            return Err(Error::input(format!(
                "these inputs make a network share of {}, outside 0 to 1",
                s.network_share
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::Network;

    fn member(hpj: f64, share: f64, watts: f64, usd: f64) -> FleetMember {
        FleetMember {
            efficiency: Efficiency {
                source: format!("{hpj} H/J"),
                hashes_per_joule: hpj,
                joules_per_terahash: 1e12 / hpj,
                measured: Some(true),
                device_watts: Some(watts),
                unproven: None,
            },
            power_share: share,
            device_usd: Some(usd),
            device_watts_source: Some(Source::Measured),
        }
    }

    #[test]
    fn a_fleet_by_hand() {
        // 100 MW to mining, PUE 1.0, 1,000 EH/s: 70% at 1e11 H/J (3,000 W,
        // $2,000), 30% at 5e10 H/J (1,500 W, $500).
        let site = Site {
            plant_mw: 100.0,
            pue: 1.0,
            network: Network::given_ehs(1000.0),
            subsidy_btc: 3.125,
            ..Site::default()
        };
        let plan = SitePlan {
            fractions: vec![1.0, 0.5],
            fleet: vec![
                member(1e11, 0.7, 3000.0, 2000.0),
                member(5e10, 0.3, 1500.0, 500.0),
            ],
            inputs: Inputs::defaults(&site),
            site,
            origin: None,
        };
        let e = build(&plan);
        check(&e).unwrap();
        // 7e7 W x 1e11 + 3e7 W x 5e10 = 7e18 + 1.5e18 = 8.5e18 H/s.
        let s = &e.scenarios[0];
        assert_eq!(s.site_hashes_per_second, 8.5e18);
        assert!((e.efficiency.hashes_per_joule - 8.5e10).abs() < 1.0);
        // Whole devices: 7e7 / 3000 = 23,333.3 runs 23,333, and 3e7 / 1500
        // 20,000; capital 23,333 x 2000 + 20,000 x 500.
        assert_eq!(s.devices.unwrap(), 23_333.0 + 2e4);
        assert_eq!(s.capital_usd.unwrap(), 23_333.0 * 2000.0 + 1e7);
        // The bitcoin splits 7 : 1.5.
        let share = 8.5e18 / (1e21 + 8.5e18);
        assert!((s.btc_per_day - share * 450.0).abs() < 1e-12);
        assert!((s.fleet[0].btc_per_day / s.fleet[1].btc_per_day - 7.0 / 1.5).abs() < 1e-12);
        // Half the plant: half the hashes.
        assert_eq!(e.scenarios[1].site_hashes_per_second, 4.25e18);
        assert_eq!(e.asics[0].scenarios.len(), 2);
    }

    #[test]
    fn no_figure_passes_the_supply_of_bitcoin() {
        // Fees of all the bitcoin there is (refused by Site::validate before
        // a model is built) still cannot make a result.
        let site = Site {
            fees_btc_per_block: 21e6,
            ..Site::default()
        };
        let e = estimate(&site, member(1e11, 1.0, 3000.0, 1.0).efficiency);
        let err = check(&e).unwrap_err();
        assert!(
            err.message
                .contains("more than the 21 million there will ever be"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_non_finite_figure_is_refused() {
        let mut e = estimate(&Site::default(), member(1e11, 1.0, 3000.0, 1.0).efficiency);
        check(&e).unwrap();
        e.scenarios[0].btc_per_day = f64::NAN;
        assert!(check(&e)
            .unwrap_err()
            .message
            .contains("the BTC per day NaN"));
        e.scenarios[0].btc_per_day = 1.0;
        e.asics[2].device_energy_ratio = -1.0;
        assert!(check(&e)
            .unwrap_err()
            .message
            .contains("device/ASIC ratio -1"));
    }
}
