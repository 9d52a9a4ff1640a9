//! Money, where prices are given: hashprice (the expected value of 1 PH/s
//! for a day, Luxor's Hashrate Index definition), what the site earns a day
//! and per megawatt-hour it consumes, against what that megawatt-hour
//! would fetch sold to the grid, and how long the devices take to pay back.
//!
//! Every price is an input: hashwatt fetches none.

use serde::{Deserialize, Serialize};

use super::BLOCKS_PER_DAY;

/// The prices the user gave.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Prices {
    /// `--btc-usd`.
    pub btc_usd: Option<f64>,
    /// `--power-usd-per-mwh`: what the energy fetches sold instead.
    pub power_usd_per_mwh: Option<f64>,
}

/// The expected value of 1 PH/s mining for a day on this network.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Hashprice {
    pub btc_per_ph_day: f64,
    pub usd_per_ph_day: Option<f64>,
}

/// 1e15 / network x 144 blocks x (subsidy + fees); 1 PH/s is too small to
/// move the network, so it does not join it here.
pub fn hashprice(
    network_hashes_per_second: f64,
    reward_btc: f64,
    btc_usd: Option<f64>,
) -> Hashprice {
    let btc_per_ph_day = 1e15 / network_hashes_per_second * BLOCKS_PER_DAY * reward_btc;
    Hashprice {
        btc_per_ph_day,
        usd_per_ph_day: btc_usd.map(|price| btc_per_ph_day * price),
    }
}

/// What a site earns, for a given BTC price.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Economics {
    pub revenue_usd_per_day: f64,
    /// Revenue over the energy the site draws (cooling included).
    pub revenue_usd_per_mwh: f64,
    /// The power price at which mining earns what selling the power would:
    /// the revenue per MWh.
    pub break_even_usd_per_mwh: f64,
    /// The day's energy sold at `--power-usd-per-mwh` instead.
    pub power_value_usd_per_day: Option<f64>,
    /// Revenue per MWh minus the power price: what mining adds to (or,
    /// below zero, takes from) each megawatt-hour.
    pub margin_usd_per_mwh: Option<f64>,
    pub margin_usd_per_day: Option<f64>,
    /// Capital over the daily margin (the revenue, where no power price is
    /// given); null when the margin is not positive: it never pays back.
    pub payback_days: Option<f64>,
}

pub fn economics(
    btc_per_day: f64,
    energy_mwh_per_day: f64,
    btc_usd: f64,
    power_usd_per_mwh: Option<f64>,
    capital_usd: Option<f64>,
) -> Economics {
    let revenue_usd_per_day = btc_per_day * btc_usd;
    let revenue_usd_per_mwh = revenue_usd_per_day / energy_mwh_per_day;
    let power_value_usd_per_day = power_usd_per_mwh.map(|p| p * energy_mwh_per_day);
    let margin_usd_per_day = power_value_usd_per_day.map(|value| revenue_usd_per_day - value);
    let earning = margin_usd_per_day.unwrap_or(revenue_usd_per_day);
    Economics {
        revenue_usd_per_day,
        revenue_usd_per_mwh,
        break_even_usd_per_mwh: revenue_usd_per_mwh,
        power_value_usd_per_day,
        margin_usd_per_mwh: power_usd_per_mwh.map(|p| revenue_usd_per_mwh - p),
        margin_usd_per_day,
        payback_days: capital_usd.filter(|_| earning > 0.0).map(|c| c / earning),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        ((a - b) / b).abs() < 1e-12
    }

    #[test]
    fn hashprice_by_hand() {
        // 1 PH/s of 1,000 EH/s is 1e-6 of 144 blocks of 3.125 BTC: 450e-6 BTC,
        // $45 at $100,000.
        let h = hashprice(1e21, 3.125, Some(100_000.0));
        assert!(close(h.btc_per_ph_day, 4.5e-4));
        assert!(close(h.usd_per_ph_day.unwrap(), 45.0));
        // 800 EH/s, 0.2 BTC fees: 1.25e-6 x 144 x 3.325 = 5.985e-4 BTC.
        let h = hashprice(8e20, 3.325, None);
        assert!(close(h.btc_per_ph_day, 5.985e-4));
        assert_eq!(h.usd_per_ph_day, None);
    }

    #[test]
    fn a_site_that_beats_selling_its_power() {
        // The S23 Hydro plant of the site tests: 168.75 BTC and 136,800 MWh
        // a day. At $100,000: $16,875,000 a day, $123.355.../MWh.
        let e = economics(168.75, 136_800.0, 100_000.0, Some(50.0), Some(1e9));
        assert!(close(e.revenue_usd_per_day, 16_875_000.0));
        assert!(close(e.revenue_usd_per_mwh, 16_875_000.0 / 136_800.0));
        assert!(close(e.break_even_usd_per_mwh, 123.355_263_157_894_74));
        // Selling at $50/MWh instead: $6,840,000; mining adds $10,035,000.
        assert!(close(e.power_value_usd_per_day.unwrap(), 6_840_000.0));
        assert!(close(e.margin_usd_per_day.unwrap(), 10_035_000.0));
        assert!(close(e.margin_usd_per_mwh.unwrap(), 73.355_263_157_894_74));
        // $1e9 of devices over $10,035,000 a day.
        assert!(close(e.payback_days.unwrap(), 1e9 / 10_035_000.0));
    }

    #[test]
    fn a_site_that_loses_to_selling_its_power() {
        // 0.5 BTC and 2,400 MWh a day (100 MW) at $60,000: $30,000, $12.50/MWh.
        // Selling at $40/MWh earns $96,000: mining takes $27.50 from each MWh,
        // and the devices never pay back.
        let e = economics(0.5, 2_400.0, 60_000.0, Some(40.0), Some(5e6));
        assert!(close(e.revenue_usd_per_mwh, 12.5));
        assert!(close(e.margin_usd_per_mwh.unwrap(), -27.5));
        assert!(close(e.margin_usd_per_day.unwrap(), -66_000.0));
        assert_eq!(e.payback_days, None);
        // With the power valued at nothing, the revenue pays: 5e6 / 30,000.
        let e = economics(0.5, 2_400.0, 60_000.0, None, Some(5e6));
        assert_eq!(e.margin_usd_per_mwh, None);
        assert!(close(e.payback_days.unwrap(), 5e6 / 30_000.0));
    }
}
