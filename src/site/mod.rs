//! From hashes per joule to a site: how many hashes a plant's megawatts buy,
//! what share of the network that is, the Bitcoin it would mine and what
//! that is worth, beside the same site filled with the ASICs the industry
//! uses.
//!
//! Model: site power = plant MW x fraction; IT power = site power / PUE;
//! site hashrate = IT power x hashes per joule; share = site / (network +
//! site), since the site's hashrate joins the network's; BTC per day =
//! share x 144 blocks x (subsidy + fees) x uptime.
//!
//! - [`network`]: the network hashrate, from the chain's headers or given.
//! - [`mix`]: the efficiency of one device or a mix (bench files).
//! - [`economics`]: hashprice, revenue, the value of a megawatt-hour.
//! - [`joining`]: today's network and the one after the site joins it.
//! - [`model`]: all of it together, one scenario per `--fraction`.
//! - [`origin`]: the fleet of nodes an efficiency was measured on.
//! - [`words`]: the estimate in words and rounded figures (the headline),
//!   for the terminal and the browser page alike.

pub mod bounds;
pub mod economics;
pub mod joining;
pub mod mix;
pub mod model;
pub mod network;
pub mod origin;
pub mod plot;
pub mod words;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use mix::{Efficiency, FleetMember};
pub use model::{estimate, AsicRow, Estimate, Scenario};
pub use network::Network;
pub use origin::{FleetOrigin, ModelShare};

pub(crate) use crate::units::num;

/// Zaporizhzhia nuclear plant: six VVER-1000 units of 950 MW net.
pub const DEFAULT_UNITS: u32 = 6;
pub const DEFAULT_UNIT_MW: f64 = 950.0;
pub const DEFAULT_PLANT_MW: f64 = DEFAULT_UNITS as f64 * DEFAULT_UNIT_MW;
pub const DEFAULT_PUE: f64 = 1.10;
/// Block subsidy since the April 2024 halving (block 840,000).
pub const SUBSIDY_BTC: f64 = 3.125;
pub const BLOCKS_PER_DAY: f64 = 144.0;
/// A petawatt, about a hundred times all the world's power plants together:
/// a bound for the plant.
pub const MAX_PLANT_MW: f64 = 1e9;
/// Fees per block at most the subsidy's original scale (see [`crate::site::bounds`]).
pub use crate::site::bounds::MAX_FEES_BTC_PER_BLOCK;
/// No more bitcoin than this will ever exist: no result may pass it.
pub use crate::site::bounds::MAX_SUPPLY_BTC;

/// Reference ASICs: manufacturers' stated efficiency, J/TH.
pub const REFERENCE_ASICS: [(&str, f64); 6] = [
    ("Antminer S19 XP", 21.5),
    ("Antminer S21", 17.5),
    ("Antminer S21 Pro", 15.0),
    ("Antminer S21 XP", 13.5),
    ("Antminer S21 XP Hydro", 12.0),
    ("Antminer S23 Hydro", 9.5),
];

/// Where an input came from, so that every figure can say it.
#[derive(
    Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Read by a power sensor during a bench run.
    Measured,
    /// Derived from real block headers.
    Chain,
    /// Bitcoin's rules (the subsidy schedule) at a height the chain proves.
    Protocol,
    /// Not proven: a height a header file only claims, or today's subsidy
    /// where no header gives a height.
    Assumed,
    /// Given on the command line (or a power stated to `bench --watts`).
    Given,
    /// hashwatt's built-in default, not given.
    Default,
}

impl Source {
    pub fn word(self) -> &'static str {
        match self {
            Source::Measured => "measured",
            Source::Chain => "chain",
            Source::Protocol => "protocol",
            Source::Assumed => "assumed",
            Source::Given => "given",
            Source::Default => "default",
        }
    }
}

/// The site and the network it mines on.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Site {
    pub plant_mw: f64,
    /// Share of the plant's output given to mining, in (0, 1].
    pub fraction: f64,
    /// Power usage effectiveness: site power / IT power, at least 1.
    pub pue: f64,
    /// Capacity factor: the share of the day the site runs, in (0, 1].
    pub uptime: f64,
    pub network: Network,
    pub subsidy_btc: f64,
    pub fees_btc_per_block: f64,
}

impl Default for Site {
    /// The whole Zaporizhzhia plant, PUE 1.10, always on, against the
    /// network the most recent embedded header implies.
    fn default() -> Self {
        let network = Network::latest_embedded();
        Site {
            plant_mw: DEFAULT_PLANT_MW,
            fraction: 1.0,
            pue: DEFAULT_PUE,
            uptime: 1.0,
            subsidy_btc: network.subsidy_btc(),
            network,
            fees_btc_per_block: 0.0,
        }
    }
}

impl Site {
    /// Refuses numbers no site can have, naming the one that is wrong.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::input(what));
        if !(self.plant_mw > 0.0 && self.plant_mw <= MAX_PLANT_MW) {
            return bad(format!(
                "plant power must be a positive number of MW up to 1e9 (a petawatt, about a hundred times all the world's power plants), got {}",
                num(self.plant_mw)
            ));
        }
        if !(self.fraction > 0.0 && self.fraction <= 1.0) {
            return bad(format!(
                "--fraction must be in (0, 1], got {}",
                num(self.fraction)
            ));
        }
        if !(self.pue >= 1.0 && self.pue.is_finite()) {
            return bad(format!(
                "--pue must be at least 1.0 (site power over IT power), got {}",
                num(self.pue)
            ));
        }
        if !(self.uptime > 0.0 && self.uptime <= 1.0) {
            return bad(format!(
                "--uptime must be in (0, 1] (the share of the day the site runs), got {}",
                num(self.uptime)
            ));
        }
        self.network.validate()?;
        if !(self.fees_btc_per_block >= 0.0 && self.fees_btc_per_block <= MAX_FEES_BTC_PER_BLOCK) {
            return bad(format!(
                "--fees-btc-per-block must be between 0 and {MAX_FEES_BTC_PER_BLOCK} (an average per block, at most the largest subsidy Bitcoin ever paid), got {}",
                num(self.fees_btc_per_block)
            ));
        }
        let it_watts = self.it_watts();
        if !(it_watts >= 1.0 && it_watts.is_finite()) {
            return bad(format!(
                "the power left for the miners ({} MW x {} / PUE {}) must be at least 1 W and finite, got {} W",
                num(self.plant_mw),
                num(self.fraction),
                num(self.pue),
                num(it_watts)
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

    /// Subsidy and fees of one block.
    pub fn reward_btc(&self) -> f64 {
        self.subsidy_btc + self.fees_btc_per_block
    }

    /// The site filled with hardware of this efficiency.
    pub fn mine(&self, hashes_per_joule: f64) -> Mining {
        self.mine_hashes(self.it_watts() * hashes_per_joule)
    }

    /// The site hashing at this rate while it runs.
    pub fn mine_hashes(&self, hashes_per_second: f64) -> Mining {
        let network = self.network.hashes_per_second;
        let network_share = hashes_per_second / (network + hashes_per_second);
        let blocks_per_day = network_share * BLOCKS_PER_DAY * self.uptime;
        Mining {
            hashes_per_second,
            network_share,
            blocks_per_day,
            btc_per_day: blocks_per_day * self.reward_btc(),
        }
    }

    /// Energy the site draws in a day, uptime included.
    pub fn energy_mwh_per_day(&self) -> f64 {
        self.site_watts() * 24.0 * self.uptime / 1e6
    }
}

/// What a site mines with one kind of hardware.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Mining {
    /// While the site runs.
    pub hashes_per_second: f64,
    /// site / (network + site).
    pub network_share: f64,
    /// Uptime included.
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

    pub(crate) fn close(a: f64, b: f64, tolerance: f64) -> bool {
        ((a - b) / b).abs() < tolerance
    }

    fn site_1000_ehs() -> Site {
        Site {
            network: Network::given_ehs(1000.0),
            subsidy_btc: SUBSIDY_BTC,
            ..Site::default()
        }
    }

    #[test]
    fn s23_hydro_at_the_whole_plant_without_overhead() {
        // 5,700 MW / 9.5 J/TH = 5.7e9 W / 9.5e-12 J/H = 6.0e20 H/s.
        let site = Site {
            pue: 1.0,
            ..site_1000_ehs()
        };
        let mining = site.mine(hashes_per_joule_from_jth(9.5));
        assert!(close(mining.hashes_per_second, 6.0e20, 1e-3));
        // 600 EH/s joining 1,000 EH/s: 600 / 1600 = 37.5% of the blocks.
        assert!(close(mining.network_share, 0.375, 1e-9));
        assert!(close(mining.blocks_per_day, 54.0, 1e-9));
        assert!(close(mining.btc_per_day, 168.75, 1e-9));
    }

    #[test]
    fn pue_fraction_fees_and_uptime() {
        // One 950 MW unit, half of it, PUE 1.25, S21 at 17.5 J/TH, 0.1 BTC fees.
        let site = Site {
            plant_mw: 950.0,
            fraction: 0.5,
            pue: 1.25,
            fees_btc_per_block: 0.1,
            ..site_1000_ehs()
        };
        assert!(close(site.it_watts(), 380e6, 1e-12));
        let mining = site.mine(hashes_per_joule_from_jth(17.5));
        // 380e6 / 17.5e-12 = 2.1714e19 H/s = 21.71 EH/s.
        assert!(close(mining.hashes_per_second, 2.171_428_6e19, 1e-6));
        let share = 2.171_428_6e19 / (1e21 + 2.171_428_6e19);
        assert!(close(mining.network_share, share, 1e-6));
        assert!(close(mining.btc_per_day, share * 144.0 * 3.225, 1e-6));
        assert!(close(site.energy_mwh_per_day(), 475.0 * 24.0, 1e-12));
        // Running 90% of the time: 90% of the energy and of the bitcoin.
        let part_time = Site {
            uptime: 0.9,
            ..site.clone()
        };
        let m = part_time.mine(hashes_per_joule_from_jth(17.5));
        assert_eq!(m.hashes_per_second, mining.hashes_per_second);
        assert!(close(m.btc_per_day, 0.9 * share * 144.0 * 3.225, 1e-6));
        assert!(close(
            part_time.energy_mwh_per_day(),
            0.9 * 475.0 * 24.0,
            1e-12
        ));
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
                plant_mw: 1e308,
                ..Site::default()
            },
            Site {
                plant_mw: 1e-320,
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
                uptime: 0.0,
                ..Site::default()
            },
            Site {
                fees_btc_per_block: 1e308,
                ..Site::default()
            },
            Site {
                fees_btc_per_block: 21e6,
                ..Site::default()
            },
            Site {
                fees_btc_per_block: 50.5,
                ..Site::default()
            },
            Site {
                fees_btc_per_block: f64::NAN,
                ..Site::default()
            },
            Site {
                network: Network::given_ehs(0.0),
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
