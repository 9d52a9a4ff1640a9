//! The power meters against fake sysfs trees. Counters are stepped by the
//! test itself while the meter runs, each moving less than its wrap range
//! in all, so the joules are exact whenever the sampler happens to read:
//! no assertion depends on how the machine schedules threads. NVML is
//! checked where there is no NVIDIA driver.
// Test and bench harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::run_json;
use hashwatt::sensors::energy::{self, Meter, NvmlMode, PciAddress};

const INTERVAL: Duration = Duration::from_millis(2);

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

/// Runs `meter` while the test steps each file in `paths` through its
/// column of `values` (all columns the same length), pausing between steps
/// so the sampler sees some of them. The first values are written before
/// the meter starts.
fn measure_steps(meter: &mut dyn Meter, paths: &[PathBuf], values: &[Vec<u64>]) {
    let write_step = |step: usize| {
        for (path, column) in paths.iter().zip(values) {
            write_file(path, &column[step].to_string());
        }
    };
    write_step(0);
    meter.start().unwrap();
    for step in 1..values[0].len() {
        std::thread::sleep(INTERVAL * 3);
        write_step(step);
    }
    meter.stop().unwrap();
}

/// For a meter in another process: a thread that keeps `path` at
/// `units_per_second` times the seconds since it started.
struct Writer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    fn counter(path: PathBuf, units_per_second: f64) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        write_file(&path, "0");
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                let value = (started.elapsed().as_secs_f64() * units_per_second) as u64;
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

fn assert_within(measured: f64, expected: f64, tolerance: f64, what: &str) {
    let error = (measured - expected).abs() / expected;
    assert!(
        error < tolerance,
        "{what}: measured {measured}, expected {expected} ({:.2}% off)",
        100.0 * error
    );
}

/// A powercap tree with `packages` package domains, each wrapping at
/// `range_uj`; returns the root and each package's `energy_uj`.
fn fake_powercap(name: &str, packages: usize, range_uj: u64) -> (PathBuf, Vec<PathBuf>) {
    let root = fresh_dir(name);
    let counters = (0..packages)
        .map(|i| {
            let domain = root.join(format!("intel-rapl:{i}"));
            std::fs::create_dir_all(domain.join(format!("intel-rapl:{i}:0"))).unwrap();
            write_file(&domain.join("name"), &format!("package-{i}\n"));
            write_file(
                &domain.join("max_energy_range_uj"),
                &format!("{range_uj}\n"),
            );
            let counter = domain.join("energy_uj");
            write_file(&counter, "0");
            counter
        })
        .collect();
    // A sub-domain at the top level must not be counted twice.
    std::fs::create_dir_all(root.join("intel-rapl:0:0")).unwrap();
    (root, counters)
}

/// `count + 1` values from `start`, `step` apart, modulo `range`.
fn wrapping_steps(start: u64, step: u64, count: u64, range: u64) -> Vec<u64> {
    (0..=count).map(|i| (start + i * step) % range).collect()
}

#[test]
fn rapl_sums_packages_across_wraparound() {
    // Counters wrap at 2 J. Package 0 moves 1.2 J from 1.5 J, package 1
    // moves 1.0 J from 1.9 J: both wrap once, 2.2 J in all.
    let range = 2_000_000;
    let (root, counters) = fake_powercap("rapl", 2, range);
    let mut meter = energy::rapl_meter_at(&root, INTERVAL).unwrap();
    assert_eq!(meter.name(), "rapl");
    assert!(
        meter
            .source()
            .contains("intel-rapl:0 package-0 + intel-rapl:1 package-1"),
        "{}",
        meter.source()
    );
    let package0 = wrapping_steps(1_500_000, 300_000, 4, range);
    let package1 = wrapping_steps(1_900_000, 250_000, 4, range);
    measure_steps(&mut meter, &counters, &[package0, package1]);
    assert_within(meter.joules(), 2.2, 1e-9, "joules");
    assert!(meter.samples() >= 2);
    // A meter runs again from zero: 0.4 J + 0.6 J, package 1 wrapping.
    let package0 = wrapping_steps(700_000, 100_000, 4, range);
    let package1 = wrapping_steps(1_900_000, 150_000, 4, range);
    measure_steps(&mut meter, &counters, &[package0, package1]);
    assert_within(meter.joules(), 1.0, 1e-9, "joules, second run");
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
    let counter = hwmon.join("energy1_input");
    write_file(&counter, "0");
    let address = PciAddress::parse("0000:03:00.0");
    let mut meter = energy::hwmon_meter_at(&root, address, INTERVAL).unwrap();
    assert_eq!(meter.name(), "hwmon-energy");
    // Microjoules, no wrap: 5 steps of 80 J from 1 kJ.
    let values: Vec<u64> = (0..=5).map(|i| 1_000_000_000 + i * 80_000_000).collect();
    measure_steps(&mut meter, &[counter], &[values]);
    assert_within(meter.joules(), 400.0, 1e-9, "joules");
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
    meter.start().unwrap();
    std::thread::sleep(INTERVAL * 10);
    meter.stop().unwrap();
    // A constant power integrates to exactly power × the meter's own time.
    assert_within(meter.joules(), 120.0 * meter.seconds(), 1e-9, "joules");
    assert!(meter.samples() >= 2);
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

/// The whole path through `bench`: RAPL is found, the idle baseline is
/// taken, and H/J is the verified nonces over the measured joules. The
/// fake counter advances in real time from another process, so the watts
/// are checked to 10%: wide enough for a busy machine to delay the writer,
/// narrow enough to catch a wrong unit, a package counted twice or a
/// baseline subtracted.
#[test]
fn bench_reads_rapl_for_the_cpu_with_an_idle_baseline() {
    let (root, counters) = fake_powercap("rapl-cli", 1, 262_143_328_850);
    let _writer = Writer::counter(counters[0].clone(), 65.0 * 1e6);
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
        0.10,
        "average watts",
    );
    assert_within(
        energy["idle_watts"].as_f64().unwrap(),
        65.0,
        0.10,
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
