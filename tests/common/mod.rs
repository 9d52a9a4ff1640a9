//! Shared by the integration tests: the GPU the kernels run on (lavapipe on
//! CI), the real-header fixture and a small deterministic random source.
// Test and bench harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]
#![allow(dead_code)]

pub mod fleet;

use std::sync::{Mutex, MutexGuard, OnceLock};

use hashwatt::chain::catalog::{self, KnownHeader};
use hashwatt::devices::{self, DeviceChoice, DeviceSpec};
use hashwatt::gpu::GpuSearcher;
use hashwatt::kernel::KernelConfig;

/// The adapter the GPU tests use: the best one present. With `CI` set, no
/// adapter is a failure: these tests never pass by skipping. With
/// `WGPU_BACKEND` set (CI runs the GPU tests again with `WGPU_BACKEND=gl`),
/// the adapter must be on a backend it names, and is named once on stderr.
pub fn gpu_choice() -> Option<DeviceChoice> {
    let adapters = devices::adapters().ok()?;
    match devices::select(&DeviceSpec::Best, &adapters) {
        Ok(choices) if !choices[0].is_cpu_device() => {
            if let DeviceChoice::Gpu(adapter) = &choices[0] {
                assert_on_the_named_backend(&adapter.info);
            }
            Some(choices[0].clone())
        }
        _ => {
            if std::env::var_os("CI").is_some() {
                let wanted = std::env::var("WGPU_BACKEND").unwrap_or_default();
                panic!(
                    "CI is set but wgpu found no GPU adapter{}: install mesa-vulkan-drivers \
(lavapipe) and, for WGPU_BACKEND=gl, libegl1, libegl-mesa0 and libgl1-mesa-dri (llvmpipe)",
                    if wanted.is_empty() {
                        String::new()
                    } else {
                        format!(" for WGPU_BACKEND={wanted}")
                    }
                );
            }
            eprintln!("no GPU adapter: skipping (set CI=1 to make this a failure)");
            None
        }
    }
}

/// The GPU tests run on the backend `WGPU_BACKEND` names, or fail: a run
/// meant for GL must not pass on Vulkan.
fn assert_on_the_named_backend(info: &wgpu::AdapterInfo) {
    static NAMED: OnceLock<()> = OnceLock::new();
    if let Ok(Some(backends)) = hashwatt::gpu::backends_from_env() {
        assert!(
            backends.contains(wgpu::Backends::from(info.backend)),
            "WGPU_BACKEND={} but the GPU tests got {} on {:?}",
            std::env::var("WGPU_BACKEND").unwrap_or_default(),
            info.name,
            info.backend
        );
    }
    NAMED.get_or_init(|| {
        eprintln!(
            "GPU tests on {} ({})",
            info.name,
            hashwatt::gpu::backend_name(info.backend)
        )
    });
}

/// A compiled kernel configuration and its searcher, open for the whole test run.
type OpenedKernel = (KernelConfig, &'static Mutex<GpuSearcher>);

/// One opened searcher per kernel configuration, shared by every test in a
/// binary (compiling a kernel on lavapipe takes seconds).
pub fn gpu(config: KernelConfig) -> Option<MutexGuard<'static, GpuSearcher>> {
    static OPENED: OnceLock<Mutex<Vec<OpenedKernel>>> = OnceLock::new();
    let choice = gpu_choice()?;
    let DeviceChoice::Gpu(adapter) = choice else {
        return None;
    };
    let registry = OPENED.get_or_init(|| Mutex::new(Vec::new()));
    let searcher = {
        let mut registry = registry.lock().unwrap_or_else(|e| e.into_inner());
        match registry.iter().find(|(c, _)| *c == config) {
            Some((_, searcher)) => *searcher,
            None => {
                let opened =
                    GpuSearcher::open(&adapter, config).expect("GPU opens and the kernel compiles");
                let leaked: &'static Mutex<GpuSearcher> = Box::leak(Box::new(Mutex::new(opened)));
                registry.push((config, leaked));
                leaked
            }
        }
    };
    Some(searcher.lock().unwrap_or_else(|e| e.into_inner()))
}

/// The 5,000-header mainnet fixture, with expected hashes.
pub fn fixture_headers() -> Vec<KnownHeader> {
    let text = include_str!("../data/mainnet-headers-5000.txt");
    catalog::parse_headers_text(text).expect("fixture parses")
}

/// The window around a real nonce: the library's, the one every check uses.
#[allow(unused_imports)]
pub use hashwatt::verify::checks::window_around;

/// Runs the hashwatt binary with `args` (and environment `env`), requires
/// success, and parses its standard output as JSON.
pub fn run_json(args: &[&str], env: &[(&str, &std::path::Path)]) -> serde_json::Value {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_hashwatt"));
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("hashwatt runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON: {e}"))
}

/// Asserts that `document` is valid against `schemas/<schema_file>`, the
/// schema generated from the report types.
pub fn validate(schema_file: &str, document: &serde_json::Value) {
    let path = format!("{}/schemas/{schema_file}", env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema_file}: {errors:#?}");
}

/// Conformance-suite options small enough for 2 CI cores: each kernel
/// compiles a pipeline on lavapipe.
pub fn quick_suite() -> hashwatt::verify::suite::SuiteOptions {
    hashwatt::verify::suite::SuiteOptions {
        window: 1024,
        hit_set_nonces: 1 << 12,
        hit_set_bits: 6,
        overflow_nonces: 4096,
        overflow_capacity: 256,
        probe: false,
        diagnose: true,
    }
}

/// A real bench document (`tests/data/bench-v3.json`, written by `hashwatt
/// bench --device cpu --watts 100`) under `schema`, named `device`, with
/// its energy replaced: `hashes_per_joule` and `joules_per_terahash` as
/// given, the joules that the hashes per joule imply (or 1000 where that is
/// not a finite number), `watts` measured by a sensor.
pub fn bench_document(
    schema: &str,
    device: &str,
    hashes_per_joule: f64,
    joules_per_terahash: f64,
    watts: f64,
) -> serde_json::Value {
    let mut document: serde_json::Value =
        serde_json::from_str(include_str!("../data/bench-v3.json")).expect("the fixture parses");
    let nonces = document["nonces"].as_f64().expect("nonces");
    let joules = nonces / hashes_per_joule;
    document["schema"] = schema.into();
    document["device"]["name"] = device.into();
    document["device"]["backend"] = "vulkan".into();
    document["energy"] = serde_json::json!({
        "meter": "nvml-energy",
        "source": "NVML total energy counter",
        "measured": true,
        "joules": if joules.is_finite() { joules } else { 1000.0 },
        "avg_watts": watts,
        "idle_watts": null,
        "joules_above_idle": null,
        "samples": 10,
        "hashes_per_joule": hashes_per_joule,
        "joules_per_terahash": joules_per_terahash,
        "hashes_per_joule_above_idle": null,
    });
    document
}
