//! `hashwatt estimate`: a measured (or given) efficiency scaled to a power
//! plant, side by side with the reference ASICs.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cli::EstimateArgs;
use crate::error::{exit, require_positive, Error, Result};
use crate::output::Destination;
use crate::plot::{self, Series};
use crate::report::{self, format_si, BenchReport, JsonOut};
use crate::site::{self, Mining, Site, REFERENCE_ASICS};

/// Where the efficiency came from.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Efficiency {
    pub source: String,
    pub hashes_per_joule: f64,
    pub joules_per_terahash: f64,
    /// Whether the energy behind it was measured by a sensor.
    pub measured: Option<bool>,
    pub device_watts: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AsicRow {
    pub model: String,
    pub joules_per_terahash: f64,
    #[serde(flatten)]
    pub mining: Mining,
    /// The measured device's J/TH over the ASIC's: how many times the
    /// energy the device spends on a hash.
    pub device_energy_ratio: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Estimate {
    pub schema: String,
    pub efficiency: Efficiency,
    pub site: Site,
    pub site_watts: f64,
    pub it_watts: f64,
    pub site_hashes_per_second: f64,
    pub site_exahashes_per_second: f64,
    pub devices: Option<f64>,
    pub network_share: f64,
    pub blocks_per_day: f64,
    pub btc_per_day: f64,
    pub energy_mwh_per_day: f64,
    pub asics: Vec<AsicRow>,
}

pub fn run(args: &EstimateArgs) -> Result<i32> {
    let plant_mw = match (args.plant_mw, args.units, args.unit_mw) {
        (Some(mw), _, _) => mw,
        (None, Some(units), Some(unit_mw)) => {
            if units == 0 {
                return Err(Error::input("--units must be at least 1"));
            }
            units as f64 * require_positive("--unit-mw", unit_mw)?
        }
        _ => site::DEFAULT_PLANT_MW,
    };
    let site = Site {
        plant_mw,
        fraction: args.fraction,
        pue: args.pue,
        network_hashes_per_second: args.network_ehs * 1e18,
        subsidy_btc: site::SUBSIDY_BTC,
        fees_btc_per_block: args.fees_btc_per_block,
    };
    site.validate()?;
    let efficiency = efficiency(args)?;
    if let Some(watts) = efficiency.device_watts {
        require_positive("--device-watts", watts)?;
    }
    let plot = args
        .plot
        .as_deref()
        .map(|path| Destination::prepare(path, args.force, "--plot"))
        .transpose()?;
    let json = JsonOut::parse(args.json.as_deref(), args.force)?;
    let estimate = estimate(&site, efficiency);

    if let Some(destination) = &plot {
        let mut series = vec![Series {
            label: format!(
                "{} ({} J/TH)",
                short(&estimate.efficiency.source),
                format_jth(estimate.efficiency.joules_per_terahash)
            ),
            hashes_per_joule: estimate.efficiency.hashes_per_joule,
        }];
        series.extend(REFERENCE_ASICS.iter().map(|(model, jth)| Series {
            label: format!("{model} ({jth} J/TH)"),
            hashes_per_joule: site::hashes_per_joule_from_jth(*jth),
        }));
        plot::site_hashrate_svg(destination, &site, &series)?;
    }
    match &json {
        Some(out) => {
            report::write_json(&estimate, out)?;
            if let JsonOut::File(destination) = out {
                print_table(&estimate);
                outln!("wrote {}", destination.path().display());
            }
        }
        None => print_table(&estimate),
    }
    if let Some(destination) = &plot {
        if !json.as_ref().is_some_and(JsonOut::is_stdout) {
            outln!("drew {}", destination.path().display());
        }
    }
    Ok(exit::OK)
}

fn efficiency(args: &EstimateArgs) -> Result<Efficiency> {
    if let Some(hpj) = args.hashes_per_joule {
        let hpj = require_positive("--hashes-per-joule", hpj)?;
        return Ok(Efficiency {
            source: "given efficiency".into(),
            hashes_per_joule: hpj,
            joules_per_terahash: site::jth_from_hashes_per_joule(hpj),
            measured: None,
            device_watts: args.device_watts,
        });
    }
    if let Some(jth) = args.jth {
        let jth = require_positive("--jth", jth)?;
        return Ok(Efficiency {
            source: "given efficiency".into(),
            hashes_per_joule: site::hashes_per_joule_from_jth(jth),
            joules_per_terahash: jth,
            measured: None,
            device_watts: args.device_watts,
        });
    }
    let path = args.from.as_ref().expect("clap requires one of the three");
    let bench = read_bench(path)?;
    let energy = bench.energy.ok_or_else(|| {
        Error::input(format!(
            "{}: this bench result has no energy (no meter was read): rerun bench with a power meter or --watts W, or give --jth",
            path.display()
        ))
    })?;
    require_positive("the file's hashes_per_joule", energy.hashes_per_joule)?;
    Ok(Efficiency {
        source: format!(
            "{} ({}, {})",
            bench.device.name,
            bench.device.backend,
            if energy.measured {
                energy.meter.clone()
            } else {
                "stated power".into()
            }
        ),
        hashes_per_joule: energy.hashes_per_joule,
        joules_per_terahash: energy.joules_per_terahash,
        measured: Some(energy.measured),
        device_watts: args.device_watts.or(Some(energy.avg_watts)),
    })
}

/// Reads a `bench --json` file (version 1 or 2), refusing anything else.
pub fn read_bench(path: &Path) -> Result<BenchReport> {
    report::read_bench(path)
}

pub fn estimate(site: &Site, efficiency: Efficiency) -> Estimate {
    let mining = site.mine(efficiency.hashes_per_joule);
    let asics = REFERENCE_ASICS
        .iter()
        .map(|(model, jth)| AsicRow {
            model: model.to_string(),
            joules_per_terahash: *jth,
            mining: site.mine(site::hashes_per_joule_from_jth(*jth)),
            device_energy_ratio: efficiency.joules_per_terahash / jth,
        })
        .collect();
    Estimate {
        schema: "hashwatt.estimate/1".into(),
        devices: efficiency.device_watts.map(|w| site.it_watts() / w),
        efficiency,
        site: site.clone(),
        site_watts: site.site_watts(),
        it_watts: site.it_watts(),
        site_hashes_per_second: mining.hashes_per_second,
        site_exahashes_per_second: mining.hashes_per_second / 1e18,
        network_share: mining.network_share,
        blocks_per_day: mining.blocks_per_day,
        btc_per_day: mining.btc_per_day,
        energy_mwh_per_day: site.energy_mwh_per_day(),
        asics,
    }
}

/// The two lines `bench` ends with.
pub fn summary_lines(estimate: &Estimate) -> [String; 2] {
    let best = estimate.asics.last().expect("reference ASICs");
    [
        format!(
            "  at {} MW (PUE {:.2}) this device would hash {}H/s: {:.4}% of a {} EH/s network, {:.3} BTC/day",
            estimate.site.plant_mw * estimate.site.fraction,
            estimate.site.pue,
            format_si(estimate.site_hashes_per_second),
            100.0 * estimate.network_share,
            estimate.site.network_hashes_per_second / 1e18,
            estimate.btc_per_day
        ),
        format!(
            "  the same site with {} ({} J/TH): {}H/s, {:.1}% of the network, {:.1} BTC/day ({:.0}x less energy per hash)",
            best.model,
            best.joules_per_terahash,
            format_si(best.mining.hashes_per_second),
            100.0 * best.mining.network_share,
            best.mining.btc_per_day,
            best.device_energy_ratio
        ),
    ]
}

/// 0.44x, 1.23x, 87x, 9234x.
fn format_ratio(ratio: f64) -> String {
    if ratio < 10.0 {
        format!("{ratio:.2}x")
    } else {
        format!("{ratio:.0}x")
    }
}

fn short(source: &str) -> String {
    source.split(" (").next().unwrap_or(source).to_string()
}

fn format_jth(jth: f64) -> String {
    if jth >= 100.0 {
        format!("{jth:.0}")
    } else {
        format!("{jth:.2}")
    }
}

fn print_table(e: &Estimate) {
    outln!(
        "efficiency   {} J/TH ({}H/J), {}",
        format_jth(e.efficiency.joules_per_terahash),
        format_si(e.efficiency.hashes_per_joule),
        e.efficiency.source
    );
    outln!(
        "site         {} MW x {} given to mining = {} MW; PUE {:.2} leaves {:.1} MW for the miners",
        e.site.plant_mw,
        e.site.fraction,
        e.site_watts / 1e6,
        e.site.pue,
        e.it_watts / 1e6
    );
    outln!(
        "network      {} EH/s, {} BTC subsidy + {} BTC fees per block, 144 blocks a day",
        e.site.network_hashes_per_second / 1e18,
        e.site.subsidy_btc,
        e.site.fees_btc_per_block
    );
    outln!();
    outln!(
        "  site hashrate     {}H/s ({:.4} EH/s)",
        format_si(e.site_hashes_per_second),
        e.site_exahashes_per_second
    );
    if let Some(devices) = e.devices {
        outln!(
            "  devices           {:.0} at {} W each",
            devices,
            e.efficiency.device_watts.unwrap_or(0.0)
        );
    }
    outln!(
        "  network share     {:.6}% (site / (network + site))",
        100.0 * e.network_share
    );
    outln!("  blocks per day    {:.4}", e.blocks_per_day);
    outln!("  BTC per day       {:.4}", e.btc_per_day);
    outln!("  energy per day    {:.0} MWh", e.energy_mwh_per_day);
    outln!();
    outln!(
        "  {:<24} {:>7} {:>12} {:>9} {:>10} {:>14}",
        "same site filled with",
        "J/TH",
        "hashrate",
        "share",
        "BTC/day",
        "device/ASIC"
    );
    for row in &e.asics {
        outln!(
            "  {:<24} {:>7} {:>12} {:>8.2}% {:>10.2} {:>14}",
            row.model,
            row.joules_per_terahash,
            format!("{}H/s", format_si(row.mining.hashes_per_second)),
            100.0 * row.mining.network_share,
            row.mining.btc_per_day,
            format_ratio(row.device_energy_ratio)
        );
    }
    outln!("  (ASIC efficiencies are the manufacturers' figures; device/ASIC is energy per hash, device over ASIC)");
}
