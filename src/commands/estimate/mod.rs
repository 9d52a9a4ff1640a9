//! `hashwatt estimate`: a measured (or given) efficiency scaled to a power
//! plant, per scenario, side by side with the reference ASICs. This file
//! reads the arguments; the model is [`crate::site`], the table
//! [`render`].

mod render;

use crate::cli::EstimateArgs;
use crate::error::{exit, Error, Result};
use crate::output::Destination;
use crate::report::{self, JsonOut};
use crate::site::model::{self, Input, Inputs, SitePlan, MAX_SCENARIOS};
use crate::site::network::Consensus;
use crate::site::plot;
use crate::site::{self, mix, FleetMember, FleetOrigin, Network, Site, Source};
use crate::units::require_positive as positive;

pub use render::summary_lines;
pub use site::{estimate, Efficiency, Estimate};

pub fn run(args: &EstimateArgs) -> Result<i32> {
    if args.from.is_empty()
        && args.from_fleet.is_empty()
        && args.hashes_per_joule.is_none()
        && args.jth.is_none()
    {
        return Ok(needs_an_efficiency());
    }
    let plot = args
        .plot
        .as_deref()
        .map(|path| Destination::prepare(path, args.force, "--plot"))
        .transpose()?;
    let json = JsonOut::parse(args.json.as_deref(), args.force)?;
    let from: Vec<std::path::PathBuf> = args
        .from
        .iter()
        .map(|spec| mix::split_share(spec).0)
        .collect();
    let mut inputs: Vec<(&str, &std::path::Path)> =
        from.iter().map(|p| ("--from file", p.as_path())).collect();
    if let Some(file) = super::header_file(args.network_from.as_deref()) {
        inputs.push(("--network-from file", file));
    }
    super::check_outputs(json.as_ref(), plot.as_ref(), &inputs)?;
    let mut notes = Vec::new();
    let plan = plan(args, &mut notes)?;
    model::check_inputs(&plan)?;
    let estimate = model::build(&plan);
    model::check(&estimate)?;
    for note in &notes {
        errln!("hashwatt: note: {note}");
    }

    if let Some(destination) = &plot {
        plot::estimate_svg(destination, &estimate)?;
    }
    match &json {
        Some(out) => {
            report::write_json(&estimate, out)?;
            if let JsonOut::File(destination) = out {
                render::print_table(&estimate, args.explain);
                outln!("wrote {}", destination.path().display());
            }
        }
        None => render::print_table(&estimate, args.explain),
    }
    if let Some(destination) = &plot {
        if !json.as_ref().is_some_and(JsonOut::is_stdout) {
            outln!("drew {}", destination.path().display());
        }
    }
    Ok(exit::OK)
}

/// `estimate` with no efficiency: what it needs, and commands to copy.
/// Bad input (exit 2), but one that shows the way.
fn needs_an_efficiency() -> i32 {
    errln!(
        "hashwatt: error: estimate needs an efficiency: --jth X (joules per terahash, as ASIC \
datasheets give it), --hashes-per-joule X, --from FILE (a `hashwatt bench --json FILE` \
result with energy), or --from-fleet DIR (a fleet's results)"
    );
    errln!("for example:");
    for (command, what) in [
        (
            "hashwatt estimate --jth 15",
            "the whole Zaporizhzhia plant (5,700 MW) filled with 15 J/TH miners",
        ),
        (
            "hashwatt estimate --jth 15 --btc-usd 100000",
            "the same, and what it earns at $100,000 a bitcoin",
        ),
        (
            "hashwatt estimate --from run.json --plant-mw 100",
            "the device you benched, filling 100 MW",
        ),
    ] {
        errln!("  {command:<50}{what}");
    }
    errln!("(`hashwatt estimate --help` lists every option)");
    exit::BAD_INPUT
}

/// Every input checked and labelled with where it came from; `notes` gets
/// what the user should know about them (an unproven bench file).
fn plan(args: &EstimateArgs, notes: &mut Vec<String>) -> Result<SitePlan> {
    let given = |value: Option<f64>, default: f64| match value {
        Some(v) => Input::new(v, Source::Given),
        None => Input::new(default, Source::Default),
    };
    let plant_mw = match (args.plant_mw, args.units, args.unit_mw) {
        (Some(mw), _, _) => Input::new(mw, Source::Given),
        (None, Some(units), Some(unit_mw)) => {
            if units == 0 {
                return Err(Error::input("--units must be at least 1"));
            }
            Input::new(
                units as f64 * positive("--unit-mw", unit_mw)?,
                Source::Given,
            )
        }
        _ => Input::new(site::DEFAULT_PLANT_MW, Source::Default),
    };
    let network = match (args.network_ehs, &args.network_from) {
        (Some(ehs), _) => Network::given_ehs(ehs),
        (None, Some(spec)) => Network::resolve_with(
            spec,
            if args.unchecked_headers {
                Consensus::Unchecked
            } else {
                Consensus::Enforced
            },
        )?,
        (None, None) => Network::latest_embedded(),
    };
    network.validate()?;
    let fractions = if args.fraction.is_empty() {
        vec![1.0]
    } else {
        args.fraction.clone()
    };
    if fractions.len() > MAX_SCENARIOS {
        return Err(Error::input(format!(
            "--fraction takes at most {MAX_SCENARIOS} scenarios, got {}",
            fractions.len()
        )));
    }
    let mut inputs = Inputs {
        plant_mw,
        pue: given(args.pue, site::DEFAULT_PUE),
        uptime: given(args.uptime, 1.0),
        subsidy_btc: Input::new(network.subsidy_btc(), network.subsidy_source()),
        fees_btc_per_block: given(args.fees_btc_per_block, 0.0),
        btc_usd: None,
        power_usd_per_mwh: None,
        fractions: if args.fraction.is_empty() {
            Source::Default
        } else {
            Source::Given
        },
    };
    if let Some(price) = args.btc_usd {
        inputs.btc_usd = Some(Input::new(positive("--btc-usd", price)?, Source::Given));
    }
    if let Some(price) = args.power_usd_per_mwh {
        if !price.is_finite() {
            return Err(Error::input(format!(
                "--power-usd-per-mwh must be a finite number, got {}",
                site::num(price)
            )));
        }
        inputs.power_usd_per_mwh = Some(Input::new(price, Source::Given));
    }
    let site = Site {
        plant_mw: plant_mw.value,
        fraction: fractions[0],
        pue: inputs.pue.value,
        uptime: inputs.uptime.value,
        subsidy_btc: inputs.subsidy_btc.value,
        network,
        fees_btc_per_block: inputs.fees_btc_per_block.value,
    };
    for &fraction in &fractions {
        Site {
            fraction,
            ..site.clone()
        }
        .validate()?;
    }
    let (fleet, origin) = fleet_of(args, notes)?;
    Ok(SitePlan {
        site,
        fractions,
        fleet,
        inputs,
        origin,
    })
}

/// The fleet and where it came from, and a note for each bench file whose
/// rate is unproven.
fn fleet_of(
    args: &EstimateArgs,
    notes: &mut Vec<String>,
) -> Result<(Vec<FleetMember>, Option<FleetOrigin>)> {
    let mut members: Vec<(Efficiency, f64)> = Vec::new();
    let mut origin = None;
    let mut what = ("--from files", "file");
    if !args.from_fleet.is_empty() {
        let report = crate::fleet::gather(&args.from_fleet, None)?;
        let (measured, from) = crate::fleet::site::members(&report)?;
        members.extend(measured.into_iter().map(|m| (m.efficiency, m.power_share)));
        origin = Some(from);
        what = ("device models in the fleet", "model");
    } else if let Some(hpj) = args.hashes_per_joule {
        let hpj = positive("--hashes-per-joule", hpj)?;
        members.push((given_efficiency(hpj, "--hashes-per-joule", hpj)?, 1.0));
    } else if let Some(jth) = args.jth {
        let jth = positive("--jth", jth)?;
        members.push((
            given_efficiency(site::hashes_per_joule_from_jth(jth), "--jth", jth)?,
            1.0,
        ));
    } else {
        let (paths, shares): (Vec<_>, Vec<_>) =
            args.from.iter().map(|spec| mix::split_share(spec)).unzip();
        let shares = mix::resolve_shares(&shares)?;
        for (path, share) in paths.iter().zip(shares) {
            let bench = report::read_bench(path)?;
            let name = path.display().to_string();
            let efficiency = report::efficiency(&bench, &name)?;
            if let Some(why) = &efficiency.unproven {
                notes.push(format!("{}: {why}", crate::sanitize::sanitize(&name)));
            }
            members.push((efficiency, share));
        }
    }
    let n = members.len();
    let watts = per_member(&args.device_watts, n, "--device-watts", what)?;
    let prices = per_member(&args.device_usd, n, "--device-usd", what)?;
    let members = members
        .into_iter()
        .enumerate()
        .map(|(i, (mut efficiency, power_share))| {
            let mut device_watts_source = efficiency.device_watts.map(|_| efficiency.provenance());
            if let Some(w) = watts[i] {
                efficiency.device_watts = Some(positive("--device-watts", w)?);
                device_watts_source = Some(Source::Given);
            }
            let device_usd = prices[i]
                .map(|usd| positive("--device-usd", usd))
                .transpose()?;
            if device_usd.is_some() && efficiency.device_watts.is_none() {
                return Err(Error::input(
                    "--device-usd needs the device's watts, to count the devices: give --device-watts",
                ));
            }
            Ok(FleetMember {
                efficiency,
                power_share,
                device_usd,
                device_watts_source,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((members, origin))
}

fn given_efficiency(hashes_per_joule: f64, option: &str, value: f64) -> Result<Efficiency> {
    let jth = site::jth_from_hashes_per_joule(hashes_per_joule);
    if !(hashes_per_joule.is_finite() && jth.is_finite() && jth > 0.0) {
        return Err(Error::input(format!(
            "{option} {} is outside what a number can hold as an efficiency ({} H/J, {} J/TH)",
            site::num(value),
            site::num(hashes_per_joule),
            site::num(jth)
        )));
    }
    Ok(Efficiency {
        source: format!("given ({option})"),
        hashes_per_joule,
        joules_per_terahash: jth,
        measured: None,
        device_watts: None,
        unproven: None,
    })
}

/// An option given once for every fleet member, or once per member.
fn per_member(
    values: &[f64],
    members: usize,
    option: &str,
    (what, each): (&str, &str),
) -> Result<Vec<Option<f64>>> {
    match values.len() {
        0 => Ok(vec![None; members]),
        1 => Ok(vec![Some(values[0]); members]),
        n if n == members => Ok(values.iter().copied().map(Some).collect()),
        n => Err(Error::input(format!(
            "{option} is given {n} times for {members} {what}: give it once, or once per {each}"
        ))),
    }
}
