//! `hashwatt verify`: are this device's shaders right? With `--kernel`,
//! is this kernel file right (the suite of docs/kernel-interface.md)?

use crate::chain::catalog::{self, KnownHeader};
use crate::cli::VerifyArgs;
use crate::devices::DeviceChoice;
use crate::error::{exit, Error, Result};
use crate::gpu::GpuSearcher;
use crate::kernel::KernelConfig;
use crate::report;
use crate::verify::device::{ConformanceOptions, ConformanceReport};
use crate::verify::suite::{CheckResult, DigestReport, KernelSuiteReport, SuiteOptions};

use super::kernel_file;

/// Tables longer than this show only the rows that failed.
const FULL_TABLE_ROWS: usize = 64;

pub fn run(args: &VerifyArgs) -> Result<i32> {
    let json = report::JsonOut::parse(args.json.as_deref(), args.force)?;
    let mut outputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(report::JsonOut::File(destination)) = &json {
        outputs.push(("--json", destination.path()));
    }
    if let Some(path) = &args.kernel_file.emit {
        outputs.push(("--emit", path));
    }
    let mut inputs: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(path) = &args.headers {
        inputs.push(("--headers file", path));
    }
    if let Some(path) = &args.kernel {
        inputs.push(("--kernel file", path));
    }
    crate::output::check_outputs(&outputs, &inputs)?;
    // With JSON on standard output, nothing else goes there.
    let human = !json.as_ref().is_some_and(report::JsonOut::is_stdout);
    let headers = match &args.headers {
        Some(path) => catalog::read_headers_file(path)?,
        None => catalog::embedded(),
    };
    if headers.is_empty() {
        return Err(Error::input("the header file holds no header"));
    }
    if let Some(path) = &args.kernel {
        return run_kernel(args, path, &headers, json.as_ref());
    }
    let options = ConformanceOptions {
        window: args.window,
        ..ConformanceOptions::default()
    };
    let mut reports = Vec::new();
    for choice in super::choose_devices_with(args.device.as_deref(), &args.cpu)? {
        let mut searcher = choice.open(KernelConfig::default())?;
        let summary = choice.summary();
        if human {
            errln!(
                "verifying {} [{}] on {} headers (window {} nonces)…",
                summary.name,
                summary.backend,
                headers.len(),
                args.window
            );
        }
        let bar = crate::output::progress_bar(
            human,
            headers.len() as u64,
            "  {elapsed:>4} {bar:30} {pos}/{len} headers checked  ({eta} left)",
        );
        let report =
            crate::verify::device::run_with_progress(&mut *searcher, &headers, &options, || {
                bar.inc(1)
            });
        bar.finish_and_clear();
        let report = report?;
        if human {
            print_table(&report);
        }
        reports.push(report);
    }
    let passed = reports.iter().all(|r| r.passed);
    if let Some(out) = &json {
        write_reports(&reports, out)?;
    }
    Ok(if passed { exit::OK } else { exit::CHECK_FAILED })
}

/// `verify --kernel FILE`: the file is loaded and checked before any device
/// opens, then the suite runs on each chosen GPU. With `--digest`, the
/// hash function alone is checked instead.
fn run_kernel(
    args: &VerifyArgs,
    path: &std::path::Path,
    headers: &[KnownHeader],
    json: Option<&report::JsonOut>,
) -> Result<i32> {
    let human = !json.is_some_and(report::JsonOut::is_stdout);
    if args.window == 0 {
        return Err(Error::input(
            "--window must be at least 1 with --kernel (the real-block check searches it)",
        ));
    }
    let options = kernel_file::load_options(&args.kernel_file, args.kernel_as_written)?;
    let emit = kernel_file::prepare_emit(&args.kernel_file, args.force)?;
    let config = kernel_file::load_config(path, &options)?;
    let source = config.variant.source();
    let digest_kernel = match (&options.hash_fn, args.digest) {
        (Some(spec), true) => {
            let text =
                crate::textfile::read_text(path, "--kernel", crate::kernel::MAX_KERNEL_BYTES)
                    .map_err(Error::input)?;
            Some(crate::kernel::hash_fn::generate_digest_kernel(
                &source.path,
                &text,
                spec,
            )?)
        }
        _ => None,
    };
    if let Some(destination) = &emit {
        let wgsl = match &digest_kernel {
            Some(kernel) => kernel.module.as_str(),
            None => source.compiled.as_str(),
        };
        kernel_file::emit(destination, wgsl)?;
    }
    let options = SuiteOptions {
        window: args.window,
        ..SuiteOptions::default()
    };
    let mut reports = Vec::new();
    let mut digests = Vec::new();
    for choice in super::choose_devices(args.device.as_deref())? {
        let DeviceChoice::Gpu(adapter) = choice else {
            return Err(Error::device(
                "--kernel runs a WGSL kernel: it needs a GPU adapter (lavapipe will do), not the CPU device",
            ));
        };
        let mut searcher = GpuSearcher::open(&adapter, config)?;
        if let Some(kernel) = &digest_kernel {
            if human {
                errln!(
                    "checking `{}` of {} alone on {} [{}]: {} headers, their real nonces and random ones…",
                    kernel.info.function,
                    path.display(),
                    adapter.info.name,
                    adapter.summary().backend,
                    headers.len()
                );
            }
            let info = crate::verify::suite::KernelInfo::of(&config);
            let report = crate::verify::suite::digest::run(&mut searcher, kernel, headers, info)?;
            if human {
                print_digest_report(&report);
            }
            digests.push(report);
            continue;
        }
        if human {
            errln!(
                "verifying {} (workgroup {}, {} nonce(s) per invocation) on {} [{}], {} headers…",
                path.display(),
                config.workgroup_size,
                config.nonces_per_invocation,
                adapter.info.name,
                adapter.summary().backend,
                headers.len()
            );
        }
        let report = crate::verify::suite::run(&mut searcher, headers, &options)?;
        if human {
            print_kernel_report(&report);
        }
        reports.push(report);
    }
    let passed = reports.iter().all(|r| r.passed) && digests.iter().all(|r| r.passed);
    if let Some(out) = json {
        if digest_kernel.is_some() {
            write_reports(&digests, out)?;
        } else {
            write_reports(&reports, out)?;
        }
    }
    Ok(if passed { exit::OK } else { exit::CHECK_FAILED })
}

fn print_digest_report(report: &DigestReport) {
    if let Some(info) = &report.kernel.hash_fn {
        outln!("hash-fn   {}", info.describe());
    }
    match &report.first_mismatch {
        None => outln!(
            "digest    {}/{} equal to sha2 on all 256 bits{}",
            report.cases,
            report.cases,
            if report.stages_compared {
                ", and each compression's state too"
            } else {
                ""
            }
        ),
        Some(m) => {
            outln!(
                "digest    {} of {} differ from sha2; the first: {}, nonce {} ({:#010x})",
                report.mismatches,
                report.cases,
                m.height
                    .map_or("a header".to_string(), |h| format!("height {h}")),
                m.nonce,
                m.nonce
            );
            outln!(
                "  cause   {}{}",
                m.explanation,
                if m.cause.is_some() && m.explained > 1 {
                    format!(
                        " (it explains {} of the {} wrong cases)",
                        m.explained, report.mismatches
                    )
                } else {
                    String::new()
                }
            );
            outln!(
                "  first differing word: {} (of H0..H7)",
                m.first_differing_word
            );
            outln!("  word    sha2      kernel");
            for (i, ((want, got), status)) in m
                .sha2_words
                .iter()
                .zip(&m.kernel_words)
                .zip(&m.words)
                .enumerate()
            {
                outln!("  H{i}      {want}  {got}  {status}");
            }
            outln!("  header  {}", m.header);
        }
    }
    outln!();
    outln!(
        "{}: the hash function, {}/{} digests right on {}: {}",
        report.kernel.path,
        report.cases - report.mismatches,
        report.cases,
        report.device,
        if report.passed { "PASS" } else { "FAIL" }
    );
}

fn print_kernel_report(report: &KernelSuiteReport) {
    if let Some(info) = &report.kernel.hash_fn {
        outln!("hash-fn   {}", info.describe());
    }
    outln!("compiled  {}", report.kernel.rewrite.describe());
    for warning in report.kernel.rewrite.warnings() {
        outln!("warning   {warning}");
    }
    if let Some(diagnosis) = &report.diagnosis {
        outln!("likely root cause: {}", diagnosis.summary);
    }
    outln!(
        "{:<20}  {:>6}  {:<6}  what it exercises",
        "check",
        "cases",
        "result"
    );
    for check in &report.checks {
        outln!(
            "{:<20}  {:>6}  {:<6}  {}",
            check.name,
            check.cases,
            if check.passed { "pass" } else { "FAIL" },
            check.what
        );
        print_counterexample(check);
    }
    let passed = report.checks.iter().filter(|c| c.passed).count();
    outln!();
    outln!(
        "{}: {passed}/{} checks passed on {}: {}",
        report.kernel.path,
        report.checks.len(),
        report.device,
        if report.passed { "PASS" } else { "FAIL" }
    );
}

fn print_counterexample(check: &CheckResult) {
    let Some(c) = &check.counterexample else {
        return;
    };
    let yes = |b: bool| if b { "hit" } else { "no hit" };
    let height = c
        .height
        .map_or("a header".to_string(), |h| format!("height {h}"));
    outln!(
        "    {} of {} searches failed; smallest counterexample: {height}, nonce {} ({:#010x}), range {}..{}",
        check.failures,
        check.cases,
        c.nonce,
        c.nonce,
        c.start,
        c.start as u64 + c.count
    );
    outln!(
        "      expected {}, kernel reported {}: {}",
        yes(c.expected_hit),
        yes(c.reported_hit),
        c.detail
    );
    outln!("      target       {}", c.target);
    outln!("      sha2 hash    {}", c.sha2_hash);
    let zero = "0".repeat(64);
    match &c.kernel_hash {
        Some(hash) if *hash == zero => outln!(
            "      kernel hash  {hash}  (it reports the nonce even at target 0)"
        ),
        Some(hash) if *hash == c.sha2_hash => outln!(
            "      kernel hash  {hash}  (sha2's: the hash is right here; the search around it is not)"
        ),
        Some(hash) => {
            outln!("      kernel hash  {hash}  (the least target at which it reports the nonce)")
        }
        None if c.reported_hit || !c.expected_hit => {}
        None => outln!(
            "      kernel hash  none: the kernel never reported this nonce, even at the largest target"
        ),
    }
    outln!("      header       {}", c.header);
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
            hit_set.sha2_hits,
            if hit_set.equal {
                "identical"
            } else {
                "DIFFERENT"
            }
        );
        let proof = &hit_set.proof_of_work;
        outln!(
            "proof of work    {} hits of {:.1} expected (p = {}): {}",
            proof.found,
            proof.expected,
            proof.p_text(),
            proof.failure().unwrap_or_else(|| "passed".into())
        );
    }
    outln!(
        "{}: {}",
        report.device,
        if report.passed { "PASS" } else { "FAIL" }
    );
}

/// `--json`: one device's report as a document, several as an array.
fn write_reports<T: serde::Serialize>(reports: &[T], out: &report::JsonOut) -> Result<()> {
    match reports {
        [one] => report::write_json(one, out)?,
        many => report::write_json(&many, out)?,
    }
    if let report::JsonOut::File(destination) = out {
        outln!("wrote {}", destination.path().display());
    }
    Ok(())
}
