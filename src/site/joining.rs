//! Two networks: today's, and the one after the site joins it. A site's
//! share is site / (network + site), since its hashrate joins the
//! network's; a site large enough to matter thereby lowers the hashprice
//! it earns. Today's hashprice (1 PH/s does not move the network) and the
//! revenue per MWh it would pay are given beside the figures after the
//! site joins, each labelled, so neither is taken for the other.

use serde::{Deserialize, Serialize};

use super::economics::{self, Hashprice};
use super::{Site, BLOCKS_PER_DAY};

/// A site of at least this share of today's network moves it enough to
/// show both networks; a smaller one shows one line.
pub const MOVES_NETWORK: f64 = 0.01;

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Joining {
    /// Today's network plus the site.
    pub network_after_hashes_per_second: f64,
    /// The site's hashrate over today's network (above 1 when the site
    /// alone outhashes it).
    pub site_over_network: f64,
    /// The site is at least 1% of today's network: the figures after it
    /// joins differ from today's by more than rounding.
    pub moves_network: bool,
    /// Hashprice once the site has joined.
    pub hashprice_after: Hashprice,
    /// Bitcoin a day at today's hashprice, as if the site did not move the
    /// network (uptime included): what the figures after joining are
    /// compared with. Above the whole block reward when the site
    /// outhashes today's network.
    pub btc_per_day_at_todays_hashprice: f64,
    /// Revenue per MWh at today's hashprice, where a BTC price is given.
    pub revenue_usd_per_mwh_at_todays_hashprice: Option<f64>,
}

/// `site` hashing `hashes_per_second`, drawing `energy_mwh_per_day`.
pub fn joining(
    site: &Site,
    hashes_per_second: f64,
    energy_mwh_per_day: f64,
    btc_usd: Option<f64>,
) -> Joining {
    let network = site.network.hashes_per_second;
    let after = network + hashes_per_second;
    let site_over_network = hashes_per_second / network;
    let btc = site_over_network * BLOCKS_PER_DAY * site.reward_btc() * site.uptime;
    Joining {
        network_after_hashes_per_second: after,
        site_over_network,
        moves_network: site_over_network >= MOVES_NETWORK,
        hashprice_after: economics::hashprice(after, site.reward_btc(), btc_usd),
        btc_per_day_at_todays_hashprice: btc,
        revenue_usd_per_mwh_at_todays_hashprice: btc_usd.map(|p| btc * p / energy_mwh_per_day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::{Network, SUBSIDY_BTC};

    #[test]
    fn a_site_a_third_the_size_of_the_network() {
        // 345 EH/s joining 1,000 EH/s: 34.5% of today's network, 25.65% of
        // the blocks once joined; today's hashprice pays 0.345 x 450 BTC.
        let site = Site {
            network: Network::given_ehs(1000.0),
            subsidy_btc: SUBSIDY_BTC,
            ..Site::default()
        };
        let j = joining(&site, 3.45e20, 136_800.0, Some(100_000.0));
        assert!(j.moves_network);
        assert_eq!(j.network_after_hashes_per_second, 1.345e21);
        assert!((j.site_over_network - 0.345).abs() < 1e-12);
        assert!((j.btc_per_day_at_todays_hashprice - 0.345 * 450.0).abs() < 1e-9);
        let after = site.mine_hashes(3.45e20);
        // Today's hashprice pays more than the network after joining does.
        assert!(j.btc_per_day_at_todays_hashprice > after.btc_per_day);
        let revenue = j.revenue_usd_per_mwh_at_todays_hashprice.unwrap();
        assert!((revenue - 0.345 * 450.0 * 1e5 / 136_800.0).abs() < 1e-6);
        // 1 PH/s of 1,345 EH/s.
        assert!((j.hashprice_after.btc_per_ph_day - 450.0 / 1.345e6).abs() < 1e-15);
    }

    #[test]
    fn a_small_site_does_not_move_the_network() {
        let site = Site {
            network: Network::given_ehs(1000.0),
            ..Site::default()
        };
        assert!(!joining(&site, 9.9e18, 1.0, None).moves_network);
        assert!(joining(&site, 1e19, 1.0, None).moves_network);
    }
}
