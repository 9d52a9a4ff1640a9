//! From hashes per joule to a site: how many hashes a plant's megawatts buy,
//! what share of the network that is, and the Bitcoin it would mine, beside
//! the same site filled with the ASICs the industry uses.
//!
//! Model: site power = plant MW x fraction; IT power = site power / PUE;
//! site hashrate = IT power x hashes per joule; share = site / (network +
//! site), since the site's hashrate joins the network's; BTC per day =
//! share x 144 blocks x (subsidy + fees).

use serde::{Deserialize, Serialize};

use crate::error::{require_positive, Error, Result};

/// Zaporizhzhia nuclear plant: six VVER-1000 units of 950 MW net.
pub const DEFAULT_UNITS: u32 = 6;
pub const DEFAULT_UNIT_MW: f64 = 950.0;
pub const DEFAULT_PLANT_MW: f64 = DEFAULT_UNITS as f64 * DEFAULT_UNIT_MW;
pub const DEFAULT_PUE: f64 = 1.10;
/// Network hashrate default, EH/s: the network first averaged about
/// 1 ZH/s in late 2025. Users should pass today's figure.
pub const DEFAULT_NETWORK_EHS: f64 = 1000.0;
/// Block subsidy since the April 2024 halving (block 840,000).
pub const SUBSIDY_BTC: f64 = 3.125;
pub const BLOCKS_PER_DAY: f64 = 144.0;

/// Reference ASICs: manufacturers' stated efficiency, J/TH.
pub const REFERENCE_ASICS: [(&str, f64); 6] = [
    ("Antminer S19 XP", 21.5),
    ("Antminer S21", 17.5),
    ("Antminer S21 Pro", 15.0),
    ("Antminer S21 XP", 13.5),
    ("Antminer S21 XP Hydro", 12.0),
    ("Antminer S23 Hydro", 9.5),
];

/// The site and the network it mines on.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Site {
    pub plant_mw: f64,
    /// Share of the plant's output given to mining, in (0, 1].
    pub fraction: f64,
    /// Power usage effectiveness: site power / IT power, at least 1.
    pub pue: f64,
    pub network_hashes_per_second: f64,
    pub subsidy_btc: f64,
    pub fees_btc_per_block: f64,
}

impl Default for Site {
    fn default() -> Self {
        Site {
            plant_mw: DEFAULT_PLANT_MW,
            fraction: 1.0,
            pue: DEFAULT_PUE,
            network_hashes_per_second: DEFAULT_NETWORK_EHS * 1e18,
            subsidy_btc: SUBSIDY_BTC,
            fees_btc_per_block: 0.0,
        }
    }
}

impl Site {
    /// Refuses numbers no site can have, naming the one that is wrong.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::input(what));
        require_positive("plant power", self.plant_mw)?;
        if !(self.fraction > 0.0 && self.fraction <= 1.0) {
            return bad(format!(
                "--fraction must be in (0, 1], got {}",
                self.fraction
            ));
        }
        if !(self.pue >= 1.0 && self.pue.is_finite()) {
            return bad(format!(
                "--pue must be at least 1.0 (site power over IT power), got {}",
                self.pue
            ));
        }
        if !(self.network_hashes_per_second > 0.0 && self.network_hashes_per_second.is_finite()) {
            return bad(format!(
                "--network-ehs must be positive, got {}",
                self.network_hashes_per_second / 1e18
            ));
        }
        if !(self.fees_btc_per_block >= 0.0 && self.fees_btc_per_block.is_finite()) {
            return bad(format!(
                "--fees-btc-per-block must be zero or more, got {}",
                self.fees_btc_per_block
            ));
        }
        Ok(())
    }

    pub fn site_watts(&self) -> f64 {
        self.plant_mw * 1e6 * self.fraction
    }

    pub fn it_watts(&self) -> f64 {
        self.site_watts() / self.pue
    }

    /// The site filled with hardware of this efficiency.
    pub fn mine(&self, hashes_per_joule: f64) -> Mining {
        let hashes_per_second = self.it_watts() * hashes_per_joule;
        let network_share =
            hashes_per_second / (self.network_hashes_per_second + hashes_per_second);
        let blocks_per_day = network_share * BLOCKS_PER_DAY;
        Mining {
            hashes_per_second,
            network_share,
            blocks_per_day,
            btc_per_day: blocks_per_day * (self.subsidy_btc + self.fees_btc_per_block),
        }
    }

    pub fn energy_mwh_per_day(&self) -> f64 {
        self.site_watts() * 24.0 / 1e6
    }
}

/// What a site mines with one kind of hardware.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct Mining {
    pub hashes_per_second: f64,
    /// site / (network + site).
    pub network_share: f64,
    pub blocks_per_day: f64,
    pub btc_per_day: f64,
}

/// J/TH to hashes per joule.
pub fn hashes_per_joule_from_jth(joules_per_terahash: f64) -> f64 {
    1e12 / joules_per_terahash
}

pub fn jth_from_hashes_per_joule(hashes_per_joule: f64) -> f64 {
    1e12 / hashes_per_joule
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        ((a - b) / b).abs() < tolerance
    }

    #[test]
    fn s23_hydro_at_the_whole_plant_without_overhead() {
        // 5,700 MW / 9.5 J/TH = 5.7e9 W / 9.5e-12 J/H = 6.0e20 H/s.
        let site = Site {
            pue: 1.0,
            ..Site::default()
        };
        let mining = site.mine(hashes_per_joule_from_jth(9.5));
        assert!(close(mining.hashes_per_second, 6.0e20, 1e-3));
        // 600 EH/s joining 1,000 EH/s: 600 / 1600 = 37.5% of the blocks.
        assert!(close(mining.network_share, 0.375, 1e-9));
        assert!(close(mining.blocks_per_day, 54.0, 1e-9));
        assert!(close(mining.btc_per_day, 168.75, 1e-9));
    }

    #[test]
    fn pue_fraction_and_fees() {
        // One 950 MW unit, half of it, PUE 1.25, S21 at 17.5 J/TH, 0.1 BTC fees.
        let site = Site {
            plant_mw: 950.0,
            fraction: 0.5,
            pue: 1.25,
            fees_btc_per_block: 0.1,
            ..Site::default()
        };
        assert!(close(site.it_watts(), 380e6, 1e-12));
        let mining = site.mine(hashes_per_joule_from_jth(17.5));
        // 380e6 / 17.5e-12 = 2.1714e19 H/s = 21.71 EH/s.
        assert!(close(mining.hashes_per_second, 2.171_428_6e19, 1e-6));
        let share = 2.171_428_6e19 / (1e21 + 2.171_428_6e19);
        assert!(close(mining.network_share, share, 1e-6));
        assert!(close(mining.btc_per_day, share * 144.0 * 3.225, 1e-6));
        assert!(close(site.energy_mwh_per_day(), 475.0 * 24.0, 1e-12));
    }

    #[test]
    fn a_gpu_is_a_rounding_error() {
        // 8 GH/s at 700 W: 11.4 MH/J, about 87,500 J/TH.
        let hpj = 8e9 / 700.0;
        assert!(close(jth_from_hashes_per_joule(hpj), 87_500.0, 1e-9));
        let mining = Site::default().mine(hpj);
        assert!(mining.network_share < 1e-4);
    }

    #[test]
    fn impossible_sites_are_refused() {
        for site in [
            Site {
                plant_mw: 0.0,
                ..Site::default()
            },
            Site {
                plant_mw: -5.0,
                ..Site::default()
            },
            Site {
                pue: 0.9,
                ..Site::default()
            },
            Site {
                fraction: 0.0,
                ..Site::default()
            },
            Site {
                fraction: 1.5,
                ..Site::default()
            },
            Site {
                network_hashes_per_second: 0.0,
                ..Site::default()
            },
        ] {
            assert!(site.validate().is_err(), "{site:?}");
        }
        assert!(Site {
            pue: 1.0,
            ..Site::default()
        }
        .validate()
        .is_ok());
    }
}
