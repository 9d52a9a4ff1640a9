//! `hashwatt bench`: the main job. Hashrate on a real header, every share
//! verified on the CPU, as a table and as JSON.

use std::sync::atomic::AtomicBool;

use crate::bench::{self, BenchOptions, BenchOutcome, StopRule};
use crate::catalog::{self, KnownHeader};
use crate::cli::BenchArgs;
use crate::device::DeviceChoice;
use crate::error::{exit, Error, Result};
use crate::gpu::KernelConfig;
use crate::report::{self, BenchReport, HeaderRef, KernelReport, Shares, BENCH_SCHEMA};

const DEFAULT_SECONDS: f64 = 10.0;

pub fn run(args: &BenchArgs) -> Result<i32> {
    let known = match &args.header {
        Some(spec) => catalog::resolve(spec)?,
        None => catalog::latest_embedded(),
    };
    let stop_rule = match (args.duration, args.nonces) {
        (_, Some(0)) => return Err(Error::input("--nonces must be at least 1")),
        (_, Some(n)) => StopRule::Nonces(n),
        (Some(s), None) if !(s > 0.0 && s.is_finite()) => {
            return Err(Error::input(format!(
                "--duration must be a positive number of seconds, got {s}"
            )))
        }
        (Some(s), None) => StopRule::Seconds(s),
        (None, None) => StopRule::Seconds(DEFAULT_SECONDS),
    };
    if let Some(bits) = args.share_bits {
        if bits > 255 {
            return Err(Error::input(format!(
                "--share-bits must be between 0 and 255, got {bits}"
            )));
        }
    }
    if args.batch_ms == 0 {
        return Err(Error::input("--batch-ms must be at least 1"));
    }
    let choices = super::choose_devices(args.device.as_deref())?;
    let mut options = BenchOptions::new(known.clone(), stop_rule);
    options.share_bits = args.share_bits;
    options.batch_seconds = args.batch_ms as f64 / 1000.0;
    let human = args.json.as_deref() != Some("-");

    let stop = AtomicBool::new(false);
    let mut reports = Vec::new();
    for choice in &choices {
        let kernel = KernelConfig::default();
        let summary = choice.summary();
        if human {
            println!(
                "bench on {} [{}, {}], {}",
                summary.name,
                summary.backend,
                summary.device_type,
                kernel_label(choice, kernel)
            );
            println!(
                "header {} ({}), {}",
                known.label(),
                known.header.block_hash(),
                match stop_rule {
                    StopRule::Seconds(s) => format!("{s} s after a warm-up"),
                    StopRule::Nonces(n) => format!("{n} nonces after a warm-up"),
                }
            );
        }
        let mut searcher = choice.open(kernel)?;
        let outcome = bench::run(&mut *searcher, &options, &stop)?;
        let report = to_report(choice, kernel, &known, &outcome);
        if human {
            print_result(&report, &outcome);
        }
        reports.push(report);
    }
    if let Some(destination) = &args.json {
        if reports.len() == 1 {
            report::write_json(&reports[0], destination)?;
        } else {
            report::write_json(&reports, destination)?;
        }
        if destination != "-" {
            println!("wrote {destination}");
        }
    }
    Ok(exit::OK)
}

fn kernel_label(choice: &DeviceChoice, kernel: KernelConfig) -> String {
    if choice.is_cpu_reference() {
        "sha2 midstate + compress256 on every core".to_string()
    } else {
        format!(
            "{} kernel, workgroup {} x {} nonces per invocation",
            kernel.variant, kernel.workgroup_size, kernel.nonces_per_invocation
        )
    }
}

fn to_report(
    choice: &DeviceChoice,
    kernel: KernelConfig,
    known: &KnownHeader,
    outcome: &BenchOutcome,
) -> BenchReport {
    BenchReport {
        schema: BENCH_SCHEMA.into(),
        hashwatt_version: env!("CARGO_PKG_VERSION").into(),
        created: report::now_rfc3339(),
        device: choice.summary(),
        kernel: (!choice.is_cpu_reference()).then(|| KernelReport::from(kernel)),
        header: HeaderRef {
            height: known.height,
            hash: known.header.block_hash().to_string(),
        },
        nonces: outcome.nonces,
        seconds: outcome.seconds,
        hashes_per_second: outcome.hashes_per_second(),
        shares: Shares {
            bits: outcome.share_bits,
            found: outcome.shares_found,
            verified: outcome.shares_verified,
            expected: outcome.nonces as f64 / 2f64.powi(outcome.share_bits as i32),
        },
        header_rolls: outcome.header_rolls,
        batches: outcome.batches,
        batch_nonces: outcome.batch_nonces,
        interrupted: outcome.interrupted,
        energy: None,
    }
}

fn print_result(report: &BenchReport, outcome: &BenchOutcome) {
    println!();
    println!(
        "  hashrate   {:>12}   {} nonces in {:.2} s, {} batches of {}",
        report::format_rate(report.hashes_per_second),
        report.nonces,
        report.seconds,
        report.batches,
        report.batch_nonces
    );
    println!(
        "  shares     {:>12}   found at {} bits, {} verified with sha2 ({:.1} expected)",
        report.shares.found, report.shares.bits, report.shares.verified, report.shares.expected
    );
    if outcome.blocks_found > 0 {
        println!(
            "  blocks     {:>12}   shares that meet the header's own target",
            outcome.blocks_found
        );
    }
    if report.header_rolls > 0 {
        println!(
            "  rolls      {:>12}   times the header's time was rolled after 2^32 nonces",
            report.header_rolls
        );
    }
    println!(
        "  energy     {:>12}   no power meter was read in this run",
        "not measured"
    );
    println!();
}
