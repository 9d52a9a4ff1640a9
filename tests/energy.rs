//! The power meters against fake sysfs trees whose counters a thread
//! advances at a known rate (wraparound included), and NVML where there is
//! no NVIDIA driver.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::run_json;
use hashwatt::energy::{self, Meter, NvmlMode, PciAddress};

const INTERVAL: Duration = Duration::from_millis(10);

fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hashwatt-energy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Replaces a sysfs-like file whole, so a reader never sees half a number.
fn write_file(path: &Path, text: &str) {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

/// A thread that keeps `path` at `rate` units per second since it started,
/// modulo `wraps_at` (a counter), or at a constant value (a power file).
struct Writer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    fn counter(path: PathBuf, units_per_second: f64, wraps_at: Option<u64>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        write_file(&path, "0");
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                let value = (started.elapsed().as_secs_f64() * units_per_second) as u64;
                let value = wraps_at.map_or(value, |range| value % range);
                write_file(&path, &value.to_string());
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        Writer {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn measure(meter: &mut dyn Meter, seconds: f64) {
    meter.start().unwrap();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    meter.stop().unwrap();
}

fn assert_within(measured: f64, expected: f64, tolerance: f64, what: &str) {
    let error = (measured - expected).abs() / expected;
    assert!(
        error < tolerance,
        "{what}: measured {measured}, expected {expected} ({:.2}% off)",
        100.0 * error
    );
}

/// A powercap tree with one package per rate, each wrapping at `range_uj`.
fn fake_powercap(name: &str, watts: &[f64], range_uj: u64) -> (PathBuf, Vec<Writer>) {
    let root = fresh_dir(name);
    let writers = watts
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let domain = root.join(format!("intel-rapl:{i}"));
            std::fs::create_dir_all(domain.join(format!("intel-rapl:{i}:0"))).unwrap();
            write_file(&domain.join("name"), &format!("package-{i}\n"));
            write_file(
                &domain.join("max_energy_range_uj"),
                &format!("{range_uj}\n"),
            );
            Writer::counter(domain.join("energy_uj"), w * 1e6, Some(range_uj))
        })
        .collect();
    // A sub-domain at the top level must not be counted twice.
    std::fs::create_dir_all(root.join("intel-rapl:0:0")).unwrap();
    (root, writers)
}

#[test]
fn rapl_sums_packages_across_wraparound() {
    // 30 W + 20 W; the counters wrap every 2 J, i.e. every 67 ms and 100 ms.
    let (root, _writers) = fake_powercap("rapl", &[30.0, 20.0], 2_000_000);
    let mut meter = energy::rapl_meter_at(&root, INTERVAL).unwrap();
    measure(&mut meter, 1.0);
    assert_eq!(meter.name(), "rapl");
    assert!(
        meter
            .source()
            .contains("intel-rapl:0 package-0 + intel-rapl:1 package-1"),
        "{}",
        meter.source()
    );
    assert_within(meter.joules(), 50.0 * meter.seconds(), 0.02, "joules");
    assert_within(meter.average_watts(), 50.0, 0.02, "watts");
    assert!(meter.samples() > 50);
    // A meter runs again from zero.
    measure(&mut meter, 0.3);
    assert_within(meter.average_watts(), 50.0, 0.02, "watts, second run");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn rapl_absent_is_a_reason_not_a_panic() {
    let root = fresh_dir("no-rapl");
    let why = energy::rapl_meter_at(&root, INTERVAL).err().unwrap();
    assert!(why.contains("no RAPL package domains"), "{why}");
    let _ = std::fs::remove_dir_all(root);
}

/// A drm tree with one AMD card whose hwmon folder holds `file`.
fn fake_amd_card(name: &str) -> (PathBuf, PathBuf) {
    let root = fresh_dir(name);
    let device = root.join("card1/device");
    let hwmon = device.join("hwmon/hwmon3");
    std::fs::create_dir_all(&hwmon).unwrap();
    std::fs::create_dir_all(root.join("card1-DP-1")).unwrap();
    write_file(&device.join("vendor"), "0x1002\n");
    write_file(
        &device.join("uevent"),
        "DRIVER=amdgpu\nPCI_SLOT_NAME=0000:03:00.0\n",
    );
    (root, hwmon)
}

#[test]
fn hwmon_energy_counter() {
    let (root, hwmon) = fake_amd_card("hwmon-energy");
    let _writer = Writer::counter(hwmon.join("energy1_input"), 80.0 * 1e6, None);
    let address = PciAddress::parse("0000:03:00.0");
    let mut meter = energy::hwmon_meter_at(&root, address, INTERVAL).unwrap();
    assert_eq!(meter.name(), "hwmon-energy");
    measure(&mut meter, 1.0);
    assert_within(meter.average_watts(), 80.0, 0.02, "watts");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn hwmon_power_is_sampled_and_integrated() {
    let (root, hwmon) = fake_amd_card("hwmon-power");
    write_file(&hwmon.join("power1_average"), "120000000\n"); // 120 W in microwatts
    let mut meter = energy::hwmon_meter_at(&root, None, INTERVAL).unwrap();
    assert_eq!(meter.name(), "hwmon-power");
    assert!(
        meter.source().contains("only AMD GPU"),
        "{}",
        meter.source()
    );
    measure(&mut meter, 0.5);
    assert_within(meter.joules(), 120.0 * meter.seconds(), 0.02, "joules");
    assert!(meter.samples() >= 20);
    let other = PciAddress::parse("0000:04:00.0");
    // One AMD card but the adapter is elsewhere: still the only candidate.
    assert!(energy::hwmon_meter_at(&root, other, INTERVAL).is_ok());
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn nvml_without_a_driver_reports_unavailable() {
    match energy::nvml_meter(
        None,
        "NVIDIA H100 80GB HBM3",
        NvmlMode::PreferCounter,
        INTERVAL,
    ) {
        Ok(meter) => eprintln!("an NVIDIA driver is present: {}", meter.source()),
        Err(why) => assert!(why.contains("NVML"), "{why}"),
    }
}

#[test]
fn stated_watts_give_hashes_per_joule() {
    let report = run_json(
        &[
            "bench",
            "--device",
            "cpu",
            "--duration",
            "1",
            "--watts",
            "100",
            "--json",
            "-",
        ],
        &[],
    );
    let energy = &report["energy"];
    assert_eq!(energy["meter"], "stated");
    assert_eq!(energy["measured"], false);
    let rate = report["hashes_per_second"].as_f64().unwrap();
    assert_within(
        energy["hashes_per_joule"].as_f64().unwrap(),
        rate / 100.0,
        0.01,
        "hashes per joule",
    );
    let jth = energy["joules_per_terahash"].as_f64().unwrap();
    assert_within(jth, 1e12 / (rate / 100.0), 0.01, "J/TH");
}

#[test]
fn bench_reads_rapl_for_the_cpu_with_an_idle_baseline() {
    let (root, _writers) = fake_powercap("rapl-cli", &[65.0], 262_143_328_850);
    let args = [
        "bench",
        "--device",
        "cpu",
        "--duration",
        "2",
        "--idle-seconds",
        "1",
        "--json",
        "-",
    ];
    let report = run_json(&args, &[("HASHWATT_POWERCAP_ROOT", root.as_path())]);
    let energy = &report["energy"];
    assert_eq!(energy["meter"], "rapl");
    assert_eq!(energy["measured"], true);
    assert_within(
        energy["avg_watts"].as_f64().unwrap(),
        65.0,
        0.02,
        "average watts",
    );
    assert_within(
        energy["idle_watts"].as_f64().unwrap(),
        65.0,
        0.02,
        "idle watts",
    );
    let nonces = report["nonces"].as_f64().unwrap();
    let joules = energy["joules"].as_f64().unwrap();
    assert_within(
        energy["hashes_per_joule"].as_f64().unwrap(),
        nonces / joules,
        1e-9,
        "H/J",
    );
    let _ = std::fs::remove_dir_all(root);
}
