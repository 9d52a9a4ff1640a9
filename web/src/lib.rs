//! hashwatt in the browser: the same WGSL kernels through WebGPU, the same
//! bench loop (`hashwatt::bench::run_async`, awaited instead of blocking),
//! every share checked with sha2 compiled to wasm, and the same
//! `hashwatt.bench` document and site estimate. The page (web/index.html,
//! web/app.js) calls what this module exports; results cross as JSON text.

mod checks;
mod report;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use hashwatt::bench::{self, BenchOptions, StopRule};
use hashwatt::chain::catalog;
use hashwatt::error::Error;
use hashwatt::gpu::{GpuAdapter, GpuSearcher};
use hashwatt::kernel::KernelConfig;
use hashwatt::sensors::energy::{Meter, StatedMeter};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// An open WebGPU device with the search kernel compiled.
struct Device {
    adapter: GpuAdapter,
    searcher: GpuSearcher,
    config: KernelConfig,
}

/// The page's handle on hashwatt.
#[wasm_bindgen]
pub struct Hashwatt {
    /// Taken out while a job runs (so nothing borrows it across an await).
    device: Rc<RefCell<Option<Device>>>,
    adapter_json: String,
    stop: Rc<AtomicBool>,
}

fn js_error(e: Error) -> JsValue {
    js_sys::Error::new(&e.message).into()
}

fn json<T: Serialize>(value: &T) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(|e| js_sys::Error::new(&e.to_string()).into())
}

/// Asks the browser for its WebGPU adapter; when none comes (SwiftShader
/// now and then), asks once more for the fallback adapter.
async fn request_adapter() -> Result<wgpu::Adapter, Error> {
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
    descriptor.backends = wgpu::Backends::BROWSER_WEBGPU;
    let instance = wgpu::Instance::new(descriptor);
    let mut last = String::new();
    for force_fallback_adapter in [false, true] {
        match instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                force_fallback_adapter,
                ..Default::default()
            })
            .await
        {
            Ok(adapter) => return Ok(adapter),
            Err(e) => last = e.to_string(),
        }
    }
    Err(Error::device(format!(
        "this browser gave no WebGPU adapter ({last}); WebGPU needs a recent Chrome, Edge or Safari, or Firefox with dom.webgpu.enabled"
    )))
}

impl Hashwatt {
    /// Runs `job` on the device and resolves with its JSON; one job at a
    /// time (the device is lent to the job and handed back after it).
    fn job<T, F>(&self, job: impl FnOnce(Device) -> F + 'static) -> js_sys::Promise
    where
        T: Serialize,
        F: std::future::Future<Output = (Device, Result<T, Error>)> + 'static,
    {
        let cell = self.device.clone();
        future_to_promise(async move {
            let device = cell
                .borrow_mut()
                .take()
                .ok_or_else(|| js_error(Error::device("another run is still going")))?;
            let (device, value) = job(device).await;
            *cell.borrow_mut() = Some(device);
            Ok(JsValue::from_str(&json(&value.map_err(js_error)?)?))
        })
    }
}

/// What the browser says about its adapter (`GPUAdapterInfo`).
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct BrowserAdapterInfo {
    vendor: String,
    architecture: String,
    device: String,
    description: String,
    fallback: bool,
}

impl BrowserAdapterInfo {
    /// Names the adapter and its driver from the browser's words where
    /// wgpu has none; nothing is made up where the browser says nothing.
    fn fill(&self, info: &mut wgpu::AdapterInfo) {
        let words: Vec<&str> = [self.vendor.as_str(), self.architecture.as_str()]
            .into_iter()
            .filter(|w| !w.is_empty())
            .collect();
        if info.name.is_empty() {
            info.name = if !self.description.is_empty() {
                self.description.clone()
            } else if !words.is_empty() {
                words.join(" ")
            } else {
                "WebGPU adapter (unnamed by the browser)".into()
            };
        }
        if info.driver.is_empty() {
            let mut parts = vec!["browser WebGPU".to_string()];
            for (what, value) in [
                ("vendor", &self.vendor),
                ("architecture", &self.architecture),
                ("device", &self.device),
            ] {
                if !value.is_empty() {
                    parts.push(format!("{what} {value}"));
                }
            }
            if self.fallback {
                parts.push("fallback adapter".into());
            }
            info.driver = parts.join(", ");
        }
    }
}

#[derive(Serialize)]
struct AdapterView {
    name: String,
    vendor: String,
    device: String,
    #[serde(rename = "type")]
    device_type: String,
    backend: String,
    driver: String,
    driver_info: String,
    limits: hashwatt::gpu::AdapterLimits,
    kernel: String,
}

#[wasm_bindgen]
impl Hashwatt {
    /// Opens the browser's adapter and compiles the search kernel.
    /// `browser_info` is the page's reading of `GPUAdapter.info` (JSON),
    /// which names the adapter where wgpu's WebGPU backend leaves the name
    /// empty.
    pub async fn open(browser_info: String) -> Result<Hashwatt, JsValue> {
        let adapter = request_adapter().await.map_err(js_error)?;
        let mut info = adapter.get_info();
        if let Ok(named) = serde_json::from_str::<BrowserAdapterInfo>(&browser_info) {
            named.fill(&mut info);
        }
        let adapter = GpuAdapter {
            index: 0,
            adapter,
            info,
        };
        let config = KernelConfig::default();
        let searcher = GpuSearcher::open_async(&adapter, config)
            .await
            .map_err(js_error)?;
        let info = &adapter.info;
        let summary = adapter.summary();
        let adapter_json = json(&AdapterView {
            name: summary.name,
            vendor: format!("0x{:04x}", info.vendor),
            device: format!("0x{:04x}", info.device),
            device_type: summary.device_type,
            backend: summary.backend,
            driver: info.driver.clone(),
            driver_info: info.driver_info.clone(),
            limits: adapter.limits_summary(),
            kernel: config.to_string(),
        })?;
        Ok(Hashwatt {
            device: Rc::new(RefCell::new(Some(Device {
                adapter,
                searcher,
                config,
            }))),
            adapter_json,
            stop: Rc::new(AtomicBool::new(false)),
        })
    }

    /// The adapter as JSON: what the browser says about it, and its limits.
    pub fn adapter(&self) -> String {
        self.adapter_json.clone()
    }

    /// Searches the genesis block's window; resolves with
    /// `{nonce, hash, verified, start, count, hits}`.
    pub fn genesis(&self) -> js_sys::Promise {
        self.job(|mut device| async move {
            let result = checks::genesis(&mut device.searcher).await;
            (device, result)
        })
    }

    /// The verify checks; `on_row` gets each row's JSON as it is done.
    /// Resolves with `{passed, rows}`.
    pub fn verify(&self, on_row: js_sys::Function) -> js_sys::Promise {
        self.job(move |mut device| async move {
            let result = checks::verify(&mut device.searcher, |row| {
                if let Ok(text) = serde_json::to_string(row) {
                    let _ = on_row.call1(&JsValue::NULL, &JsValue::from_str(&text));
                }
            })
            .await;
            (device, result)
        })
    }

    /// Benches for `seconds` on the latest embedded header; `watts` is the
    /// stated power (not finite or not positive: none). `browser` is JSON
    /// from `navigator`; `on_progress` gets each timed batch's progress.
    /// Resolves with the `hashwatt.bench/3` document.
    pub fn bench(
        &self,
        seconds: f64,
        watts: f64,
        browser: String,
        on_progress: js_sys::Function,
    ) -> js_sys::Promise {
        let stop = self.stop.clone();
        self.job(move |mut device| async move {
            let result =
                run_bench(&mut device, seconds, watts, &browser, &stop, &on_progress).await;
            (device, result)
        })
    }

    /// Ends a bench early, after the batches in flight.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

async fn run_bench(
    device: &mut Device,
    seconds: f64,
    watts: f64,
    browser: &str,
    stop: &AtomicBool,
    on_progress: &js_sys::Function,
) -> Result<hashwatt::report::BenchReport, Error> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
        return Err(Error::input(format!(
            "the duration must be more than 0 and at most 3600 seconds, got {seconds}"
        )));
    }
    let browser: report::Browser = serde_json::from_str(browser).unwrap_or_default();
    let mut meter = if watts.is_finite() && watts > 0.0 {
        Some(StatedMeter::with_source(
            watts,
            "stated on the page (a browser cannot read a power sensor)",
        )?)
    } else {
        None
    };
    let known = catalog::latest_embedded();
    let mut options = BenchOptions::new(known.clone(), StopRule::Seconds(seconds));
    options.progress = false;
    stop.store(false, Ordering::Relaxed);
    let started = hashwatt::units::now_rfc3339();
    let outcome = bench::run_async(
        &mut device.searcher,
        &options,
        stop,
        meter.as_mut().map(|m| m as &mut (dyn Meter + 'static)),
        |at| {
            let text = format!(
                "{{\"seconds\":{},\"nonces\":{},\"hashes_per_second\":{},\"shares_verified\":{}}}",
                at.seconds, at.nonces, at.hashes_per_second, at.shares_verified
            );
            let _ = on_progress.call1(&JsValue::NULL, &JsValue::from_str(&text));
        },
    )
    .await?;
    let report = report::bench_report(
        &device.adapter,
        device.config,
        &known,
        started,
        &browser,
        seconds,
        &outcome,
        meter.as_ref().map(|m| m as &dyn Meter),
    );
    if report.shares.found != report.shares.verified {
        return Err(Error::check_failed("a share did not verify"));
    }
    // A run whose proof of work did not pass is no result (see
    // hashwatt::verify::proof): the page shows why instead of a rate.
    if let Some(why) = report.proof_of_work.as_ref().and_then(|p| p.failure()) {
        return Err(Error::check_failed(why));
    }
    Ok(report)
}

/// The site estimate from `inputs` (JSON: `plant_mw`, `fraction`, `pue`,
/// and `joules_per_terahash` or `bench`); returns `{estimate, words, svg}`.
#[wasm_bindgen]
pub fn estimate(inputs: &str) -> Result<String, JsValue> {
    let inputs: report::EstimateInputs = serde_json::from_str(inputs)
        .map_err(|e| js_sys::Error::new(&format!("estimate inputs: {e}")))?;
    json(&report::estimate(&inputs).map_err(js_error)?)
}

/// J/TH as every hashwatt output rounds it (3 significant figures).
#[wasm_bindgen]
pub fn jth(joules_per_terahash: f64) -> String {
    hashwatt::units::format_jth(joules_per_terahash)
}

/// The plant's defaults and the reference ASICs, for the page's inputs.
#[wasm_bindgen]
pub fn defaults() -> Result<String, JsValue> {
    #[derive(Serialize)]
    struct Defaults {
        plant_mw: f64,
        pue: f64,
        asics: Vec<(&'static str, f64)>,
        kernel_sha256: String,
    }
    json(&Defaults {
        plant_mw: hashwatt::site::DEFAULT_PLANT_MW,
        pue: hashwatt::site::DEFAULT_PUE,
        asics: hashwatt::site::REFERENCE_ASICS.to_vec(),
        kernel_sha256: hashwatt::kernel::source_sha256(KernelConfig::default().variant),
    })
}
