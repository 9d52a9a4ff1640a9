//! The estimate in words and rounded figures: the headline a person reads
//! first, the note where the site moves the network, the hashprice, and
//! the one phrasing of the device-vs-ASIC ratio. Every figure is rounded by
//! [`crate::units`]. The terminal table, `bench`'s closing lines and the
//! browser page all use it, so they say the same thing the same way.

use serde::Serialize;

use super::economics::Hashprice;
use super::model::{Estimate, Scenario};
use super::BLOCKS_PER_DAY;
use crate::units::{
    format_btc, format_count, format_jth, format_mw, format_percent, format_rate, format_ratio,
    format_sig, format_usd,
};

/// The heading of the device-vs-ASIC column, wherever it is shown.
pub const RATIO_HEADING: &str = "energy per hash vs ASIC";

/// What the ratio means, under every table that shows it.
pub const RATIO_NOTE: &str = "energy per hash vs ASIC is the device's J/TH over the ASIC's";

/// "5,700 MW at 15.0 J/TH → 345 EH/s, 25.8% of the network, 116.0
/// BTC/day", and the revenue a day where a BTC price is given.
pub fn headline(estimate: &Estimate, s: &Scenario) -> String {
    let mut line = format!(
        "{} at {} J/TH → {}, {} of the network, {} BTC/day",
        format_mw(s.site_watts / 1e6),
        format_jth(estimate.efficiency.joules_per_terahash),
        format_rate(s.site_hashes_per_second),
        format_percent(s.network_share),
        format_btc(s.btc_per_day)
    );
    if let Some(x) = &s.economics {
        line.push_str(&format!(" ({} a day)", format_usd(x.revenue_usd_per_day)));
    }
    line
}

/// Where the site is at least 1% of today's network: that its hashrate
/// joins it, and that the figures are after it joins. `None` otherwise.
pub fn joining_note(estimate: &Estimate, s: &Scenario) -> Option<String> {
    let j = &s.joining;
    j.moves_network.then(|| {
        format!(
            "the site's {} joins today's {} network ({} with it): shares, bitcoin and revenue are after it joins",
            format_rate(s.site_hashes_per_second),
            format_rate(estimate.site.network.hashes_per_second),
            format_rate(j.network_after_hashes_per_second)
        )
    })
}

/// "2,320,000× the energy per hash of the Antminer S23 Hydro".
pub fn energy_versus(ratio: f64, model: &str) -> String {
    format!("{} the energy per hash of the {model}", format_ratio(ratio))
}

/// The hashprice: "0.000452 BTC ($41.23) per PH/s per day"; or, where 1
/// PH/s would outhash the whole network, that, rather than a figure above
/// every block's reward.
pub fn hashprice(h: &Hashprice, network_hashes_per_second: f64, reward_btc: f64) -> String {
    let whole_day = BLOCKS_PER_DAY * reward_btc;
    if h.btc_per_ph_day > whole_day {
        return format!(
            "above the whole block reward: 1 PH/s would outhash the whole network ({}) and take every block, {} BTC a day",
            format_rate(network_hashes_per_second),
            format_btc(whole_day)
        );
    }
    match h.usd_per_ph_day {
        Some(usd) => format!(
            "{} BTC ({}) per PH/s per day",
            format_sig(h.btc_per_ph_day, 3),
            format_usd(usd)
        ),
        None => format!("{} BTC per PH/s per day", format_sig(h.btc_per_ph_day, 3)),
    }
}

/// Every figure of an estimate as shown, for the browser page.
#[derive(Clone, Debug, Serialize)]
pub struct EstimateWords {
    /// The fleet's J/TH.
    pub jth: String,
    /// Today's hashprice, in words.
    pub hashprice: String,
    pub ratio_heading: &'static str,
    pub ratio_note: &'static str,
    pub scenarios: Vec<ScenarioWords>,
    pub asics: Vec<AsicWords>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScenarioWords {
    pub headline: String,
    pub joining: Option<String>,
    pub site_mw: String,
    pub it_mw: String,
    pub hashrate: String,
    pub devices: Option<String>,
    pub network_share: String,
    pub blocks_per_day: String,
    pub btc_per_day: String,
    pub energy_mwh_per_day: String,
    /// The hashprice once the site has joined, where it moves the network.
    pub hashprice_after: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AsicWords {
    pub model: String,
    pub jth: String,
    /// The device's energy per hash over this ASIC's.
    pub ratio: String,
    /// One per scenario.
    pub hashrate: Vec<String>,
    pub network_share: Vec<String>,
    pub btc_per_day: Vec<String>,
}

pub fn words(estimate: &Estimate) -> EstimateWords {
    let network = estimate.site.network.hashes_per_second;
    let reward = estimate.site.reward_btc();
    EstimateWords {
        jth: format_jth(estimate.efficiency.joules_per_terahash),
        hashprice: hashprice(&estimate.hashprice, network, reward),
        ratio_heading: RATIO_HEADING,
        ratio_note: RATIO_NOTE,
        scenarios: estimate
            .scenarios
            .iter()
            .map(|s| ScenarioWords {
                headline: headline(estimate, s),
                joining: joining_note(estimate, s),
                site_mw: format_mw(s.site_watts / 1e6),
                it_mw: format_mw(s.it_watts / 1e6),
                hashrate: format_rate(s.site_hashes_per_second),
                devices: s.devices.map(format_count),
                network_share: format_percent(s.network_share),
                blocks_per_day: format_sig(s.blocks_per_day, 4),
                btc_per_day: format_btc(s.btc_per_day),
                energy_mwh_per_day: format!("{} MWh", format_sig(s.energy_mwh_per_day, 4)),
                hashprice_after: s.joining.moves_network.then(|| {
                    hashprice(
                        &s.joining.hashprice_after,
                        s.joining.network_after_hashes_per_second,
                        reward,
                    )
                }),
            })
            .collect(),
        asics: estimate
            .asics
            .iter()
            .map(|a| AsicWords {
                model: a.model.clone(),
                jth: format_jth(a.joules_per_terahash),
                ratio: format_ratio(a.device_energy_ratio),
                hashrate: a
                    .scenarios
                    .iter()
                    .map(|m| format_rate(m.hashes_per_second))
                    .collect(),
                network_share: a
                    .scenarios
                    .iter()
                    .map(|m| format_percent(m.network_share))
                    .collect(),
                btc_per_day: a
                    .scenarios
                    .iter()
                    .map(|m| format_btc(m.btc_per_day))
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::{self, Efficiency, Network, Site};

    fn given(jth: f64) -> Efficiency {
        Efficiency {
            source: "given (--jth)".into(),
            hashes_per_joule: site::hashes_per_joule_from_jth(jth),
            joules_per_terahash: jth,
            measured: None,
            device_watts: None,
            unproven: None,
        }
    }

    #[test]
    fn the_headline_of_the_whole_plant() {
        // 5,700 MW / 1.10 at 15 J/TH: 345.45 EH/s joining 1,000 EH/s, a
        // share of 345.45 / 1,345.45 = 25.68%, of 450 BTC a day: 115.54.
        let site = Site {
            network: Network::given_ehs(1000.0),
            subsidy_btc: 3.125,
            ..Site::default()
        };
        let e = site::estimate(&site, given(15.0));
        let s = &e.scenarios[0];
        assert_eq!(
            headline(&e, s),
            "5,700 MW at 15.0 J/TH → 345 EH/s, 25.7% of the network, 115.5 BTC/day"
        );
        assert_eq!(
            joining_note(&e, s).unwrap(),
            "the site's 345 EH/s joins today's 1.00 ZH/s network (1.35 ZH/s with it): shares, bitcoin and revenue are after it joins"
        );
        assert_eq!(
            hashprice(&e.hashprice, 1e21, 3.125),
            "0.000450 BTC per PH/s per day"
        );
        let w = words(&e);
        assert_eq!(w.asics[5].jth, "9.50");
        assert_eq!(w.asics[5].ratio, "1.58×");
        assert_eq!(w.scenarios[0].network_share, "25.7%");
        assert!(w.scenarios[0].hashprice_after.is_some());
    }

    #[test]
    fn a_small_site_has_one_network() {
        let site = Site {
            plant_mw: 1.0,
            network: Network::given_ehs(1000.0),
            ..Site::default()
        };
        let e = site::estimate(&site, given(15.0));
        assert_eq!(joining_note(&e, &e.scenarios[0]), None);
        assert_eq!(words(&e).scenarios[0].hashprice_after, None);
    }

    #[test]
    fn a_hashprice_above_the_whole_block_reward_is_said_as_such() {
        // 2010's network: about 9.29 MH/s. 1 PH/s would take every block.
        let network = 9.29e6;
        let h = crate::site::economics::hashprice(network, 50.0, None);
        assert!(h.btc_per_ph_day > 7.7e11);
        assert_eq!(
            hashprice(&h, network, 50.0),
            "above the whole block reward: 1 PH/s would outhash the whole network (9.29 MH/s) and take every block, 7,200 BTC a day"
        );
    }

    #[test]
    fn one_phrasing_for_the_ratio() {
        assert_eq!(
            energy_versus(2_319_699.43, "Antminer S23 Hydro"),
            "2,320,000× the energy per hash of the Antminer S23 Hydro"
        );
    }
}
