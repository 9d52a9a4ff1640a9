//! The `hashwatt.bench` document of a run in the browser, and the site
//! estimate from it: the same types and code as the native tool
//! (`BenchReport::new`, `energy::report`, `site::model::estimate`), with
//! the host as a browser can describe it.

use hashwatt::bench::BenchOutcome;
use hashwatt::chain::catalog::KnownHeader;
use hashwatt::error::{Error, Result};
use hashwatt::gpu::GpuAdapter;
use hashwatt::kernel::KernelConfig;
use hashwatt::report::{BenchReport, KernelReport, RunContext};
use hashwatt::sensors::energy::{self, Meter};
use hashwatt::sensors::host::HostInfo;
use hashwatt::site::mix::Efficiency;
use hashwatt::site::{self, model, Site};
use serde::{Deserialize, Serialize};

/// What the page tells about the browser (from `navigator`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Browser {
    #[serde(default)]
    pub user_agent: String,
    /// `navigator.hardwareConcurrency`.
    #[serde(default)]
    pub logical_cpus: Option<usize>,
    /// `navigator.deviceMemory` (GiB, rounded by the browser), where given.
    #[serde(default)]
    pub memory_gib: Option<f64>,
    /// The page's address, for the record.
    #[serde(default)]
    pub url: String,
}

/// The host as a browser can describe it: what it cannot tell is
/// "unknown" (memory 0 when the browser does not say).
pub fn host(browser: &Browser) -> HostInfo {
    let unknown = || "unknown".to_string();
    HostInfo {
        cpu: "unknown (a browser cannot tell)".into(),
        logical_cpus: browser.logical_cpus.unwrap_or(0),
        physical_cores: None,
        memory_bytes: browser
            .memory_gib
            .filter(|g| g.is_finite() && *g > 0.0)
            .map_or(0, |g| (g * (1u64 << 30) as f64) as u64),
        os: if browser.user_agent.is_empty() {
            unknown()
        } else {
            format!("browser: {}", browser.user_agent)
        },
        kernel: unknown(),
        arch: "wasm32 (WebGPU)".into(),
    }
}

/// The bench document, as `hashwatt bench --json` writes it.
#[allow(clippy::too_many_arguments)]
pub fn bench_report(
    adapter: &GpuAdapter,
    config: KernelConfig,
    known: &KnownHeader,
    started: String,
    browser: &Browser,
    seconds: f64,
    outcome: &BenchOutcome,
    meter: Option<&dyn Meter>,
) -> BenchReport {
    let context = RunContext {
        device: adapter.summary(),
        adapter_limits: Some(adapter.limits_summary()),
        kernel: Some(KernelReport {
            wgsl_sha256: Some(hashwatt::kernel::source_sha256(config.variant)),
            ..KernelReport::from(config)
        }),
        settings: "default",
        header: known,
        started,
        host: host(browser),
        command_line: vec![
            "hashwatt-web".into(),
            browser.url.clone(),
            "bench".into(),
            "--seconds".into(),
            format!("{seconds}"),
        ],
    };
    let mut report = BenchReport::new(context, outcome);
    report.energy = meter.map(|m| energy::report(m, outcome.nonces, None));
    report
}

/// Inputs of the page's estimate.
#[derive(Clone, Debug, Deserialize)]
pub struct EstimateInputs {
    pub plant_mw: f64,
    pub fraction: f64,
    pub pue: f64,
    /// J/TH given on the page; `None` takes the bench document's.
    #[serde(default)]
    pub joules_per_terahash: Option<f64>,
    /// The bench document (its energy from the stated watts).
    #[serde(default)]
    pub bench: Option<serde_json::Value>,
}

#[derive(Serialize)]
pub struct EstimateOut {
    pub estimate: model::Estimate,
    /// Every figure as the native tool shows it (the headline, J/TH and
    /// the device-vs-ASIC ratio rounded the one way), for the page.
    pub words: site::words::EstimateWords,
    pub svg: String,
}

/// The site estimate, checked as `hashwatt estimate` checks it, and its chart.
pub fn estimate(inputs: &EstimateInputs) -> Result<EstimateOut> {
    let efficiency = match (inputs.joules_per_terahash, &inputs.bench) {
        (Some(jth), _) => {
            let jth = hashwatt::units::require_positive("the efficiency (J/TH)", jth)?;
            Efficiency {
                source: "given on the page".into(),
                hashes_per_joule: site::hashes_per_joule_from_jth(jth),
                joules_per_terahash: jth,
                measured: None,
                device_watts: None,
                unproven: None,
            }
        }
        (None, Some(bench)) => {
            let name = "the page's bench document";
            hashwatt::report::efficiency(
                &hashwatt::report::parse_bench(&bench.to_string(), name)?,
                name,
            )?
        }
        (None, None) => {
            return Err(Error::input(
                "no efficiency: run the bench with stated watts, or give J/TH",
            ))
        }
    };
    let site = Site {
        plant_mw: inputs.plant_mw,
        fraction: inputs.fraction,
        pue: inputs.pue,
        ..Site::default()
    };
    site.validate()?;
    model::check_efficiency(&efficiency)?;
    let estimate = model::estimate(&site, efficiency);
    model::check(&estimate)?;
    let svg = hashwatt::site::plot::estimate_svg_text(&estimate).map_err(Error::input)?;
    Ok(EstimateOut {
        words: site::words::words(&estimate),
        estimate,
        svg,
    })
}
