//! `hashwatt verify`: are this device's shaders right?

use crate::catalog;
use crate::cli::VerifyArgs;
use crate::conformance::{self, ConformanceOptions, ConformanceReport};
use crate::error::{exit, Error, Result};
use crate::gpu::KernelConfig;
use crate::report;

/// Tables longer than this show only the rows that failed.
const FULL_TABLE_ROWS: usize = 64;

pub fn run(args: &VerifyArgs) -> Result<i32> {
    let headers = match &args.headers {
        Some(path) => catalog::read_headers_file(path)?,
        None => catalog::embedded(),
    };
    if headers.is_empty() {
        return Err(Error::input("the header file holds no header"));
    }
    let options = ConformanceOptions {
        window: args.window,
        ..ConformanceOptions::default()
    };
    let mut reports = Vec::new();
    for choice in super::choose_devices_with(args.device.as_deref(), &args.cpu)? {
        let mut searcher = choice.open(KernelConfig::default())?;
        let summary = choice.summary();
        if !args.json {
            errln!(
                "verifying {} [{}] on {} headers (window {} nonces)…",
                summary.name,
                summary.backend,
                headers.len(),
                args.window
            );
        }
        let report = conformance::run(&mut *searcher, &headers, &options)?;
        if !args.json {
            print_table(&report);
        }
        reports.push(report);
    }
    let passed = reports.iter().all(|r| r.passed);
    if args.json {
        let value = if reports.len() == 1 {
            serde_json::to_value(&reports[0])
        } else {
            serde_json::to_value(&reports)
        };
        report::write_json(
            &value.map_err(|e| Error::io(e.to_string()))?,
            &report::JsonOut::Stdout,
        )?;
    }
    Ok(if passed { exit::OK } else { exit::CHECK_FAILED })
}

fn print_table(report: &ConformanceReport) {
    let full = report.headers.len() <= FULL_TABLE_ROWS;
    outln!(
        "{:>8}  {:>10}  {:<64}  {:<6}  {:<6}",
        "height",
        "nonce",
        "block hash (device)",
        "digest",
        "window"
    );
    let mark = |ok: bool| if ok { "ok" } else { "FAIL" };
    for check in &report.headers {
        let ok = check.digest_ok && check.window_ok != Some(false);
        if !full && ok {
            continue;
        }
        let height = check.height.map_or("?".to_string(), |h| h.to_string());
        let window = check.window_ok.map_or("-", mark);
        outln!(
            "{height:>8}  {:>10}  {}  {:<6}  {:<6}",
            check.nonce,
            check.device_hash,
            mark(check.digest_ok),
            window
        );
        if let Some(problem) = &check.problem {
            outln!("          {problem}");
        }
    }
    let digests_ok = report.headers.iter().filter(|c| c.digest_ok).count();
    let windows: Vec<bool> = report.headers.iter().filter_map(|c| c.window_ok).collect();
    outln!();
    outln!(
        "block hashes     {digests_ok}/{} reproduced",
        report.headers.len()
    );
    if !windows.is_empty() {
        outln!(
            "nonce windows    {}/{} found the real nonce",
            windows.iter().filter(|w| **w).count(),
            windows.len()
        );
    }
    outln!(
        "random digests   {}/{} equal to sha2",
        report.random_digests - report.random_digest_mismatches.len(),
        report.random_digests
    );
    if let Some(hit_set) = &report.hit_set {
        outln!(
            "hit set          {} nonces at {} bits: device {} hits, CPU {} hits, {}",
            hit_set.nonces,
            hit_set.share_bits,
            hit_set.device_hits,
            hit_set.cpu_hits,
            if hit_set.equal {
                "identical"
            } else {
                "DIFFERENT"
            }
        );
    }
    outln!(
        "{}: {}",
        report.device,
        if report.passed { "PASS" } else { "FAIL" }
    );
}
