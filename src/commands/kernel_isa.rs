//! `hashwatt kernel-cost --isa`: a kernel compiled by Mesa's AMD compiler
//! (ACO, in RADV) for GPU families that are not there, its instructions
//! per nonce, beside RADV's statistics and predictions labelled as such.
//! With several `--kernel`s, one line per kernel and family.

use std::path::{Path, PathBuf};

use crate::cli::KernelCostArgs;
use crate::error::{exit, Error, Result};
use crate::kernel::cost::isa::{self, families, predict, FamilyIsa, KernelIsaReport};
use crate::kernel::{KernelConfig, KernelVariant};
use crate::report::{self, JsonOut};

pub fn run(args: &KernelCostArgs) -> Result<i32> {
    let families = families::parse(args.isa.as_deref().unwrap_or_default())?;
    let json = JsonOut::parse(args.json.as_deref(), args.force)?;
    let names: Vec<String> = if args.kernel.is_empty() {
        vec!["fast".into()]
    } else {
        args.kernel.clone()
    };
    let inputs: Vec<(&str, &Path)> = names
        .iter()
        .filter(|name| KernelVariant::parse(name).is_none())
        .map(|name| ("--kernel file", Path::new(name.as_str())))
        .collect();
    super::check_outputs(json.as_ref(), None, &inputs)?;
    let out_dir = args.isa_out.as_deref().map(prepare_dir).transpose()?;
    let mut configs = Vec::new();
    for name in &names {
        let variant = KernelVariant::parse_or_load(name)?;
        configs.push(match variant {
            KernelVariant::Fast => KernelConfig::fast(),
            _ => KernelConfig::for_variant(variant),
        });
    }
    let exe = std::env::current_exe()
        .map_err(|e| Error::device(format!("cannot find hashwatt's own executable: {e}")))?;
    let report = isa::kernel_isa(&exe, &families, &configs)?;
    match &json {
        Some(JsonOut::Stdout) => report::write_json(&report, &JsonOut::Stdout)?,
        other => {
            if configs.len() > 1 {
                print_lines(&report);
            } else {
                print_table(&report);
            }
            if let Some(out @ JsonOut::File(destination)) = other {
                report::write_json(&report, out)?;
                outln!("wrote {}", destination.path().display());
            }
        }
    }
    if let Some(dir) = &out_dir {
        write_disassembly(dir, &report, json.as_ref().is_some_and(JsonOut::is_stdout))?;
    }
    let failed = report
        .kernels
        .iter()
        .flat_map(|k| &k.families)
        .any(|f| f.error.is_some());
    Ok(if failed { exit::DEVICE } else { exit::OK })
}

/// `--isa-out DIR`: made if missing, refused if it is not a folder, before
/// anything is compiled.
fn prepare_dir(dir: &Path) -> Result<PathBuf> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::input(format!(
            "--isa-out {}: not a folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("--isa-out {}: {e}", dir.display())))?;
    Ok(dir.to_path_buf())
}

/// A file name from a kernel's name: `fast`, or a path's file stem.
fn file_stem(kernel: &str) -> String {
    let stem = Path::new(kernel)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("kernel");
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn write_disassembly(dir: &Path, report: &KernelIsaReport, quiet: bool) -> Result<()> {
    for kernel in &report.kernels {
        for row in &kernel.families {
            let Some(text) = &row.disassembly else {
                continue;
            };
            let path = dir.join(format!("{}.{}.s", file_stem(&kernel.kernel), row.family));
            std::fs::write(&path, text)
                .map_err(|e| Error::io(format!("--isa-out {}: {e}", path.display())))?;
            if !quiet {
                outln!("wrote {}", path.display());
            }
        }
    }
    Ok(())
}

fn opt(v: Option<u64>) -> String {
    v.map_or("-".into(), |v| v.to_string())
}

fn spills(row: &FamilyIsa) -> String {
    match (row.stats.spilled_vgprs, row.stats.spilled_sgprs) {
        (Some(v), Some(s)) => (v + s).to_string(),
        _ => "-".into(),
    }
}

fn print_table(report: &KernelIsaReport) {
    let Some(kernel) = report.kernels.first() else {
        return;
    };
    outln!(
        "kernel {} ({}), workgroup {}, {} nonce{} per invocation",
        kernel.kernel,
        kernel.path,
        kernel.workgroup_size,
        kernel.nonces_per_invocation,
        if kernel.nonces_per_invocation == 1 {
            ""
        } else {
            "s"
        }
    );
    outln!(
        "compiled by {} in {}, from SPIR-V as wgpu's Vulkan back end writes it",
        report.compiler,
        report.driver.as_deref().unwrap_or("RADV")
    );
    outln!();
    outln!(
        "  {:<11} {:<6} {:>10} {:>8} {:>8} {:>9} {:>7} {:>5} {:>5} {:>6} {:>8} {:>6} {:>9} {:>9}",
        "family",
        "group",
        "VALU/nonce",
        "scalar",
        "total",
        "/invoc.",
        "shader",
        "VGPR",
        "SGPR",
        "spills",
        "scratch",
        "waves",
        "ACO lat.",
        "ACO thr."
    );
    for row in &kernel.families {
        let (valu, scalar, total, invocation) = match &row.per_nonce {
            Some(p) => (
                p.counts.valu.to_string(),
                p.counts.scalar.to_string(),
                p.counts.total.to_string(),
                p.per_invocation.map_or("-".into(), |c| c.total.to_string()),
            ),
            None if !row.rolled_loops.is_empty() => {
                ("rolled".into(), "-".into(), "-".into(), "-".into())
            }
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        if let Some(error) = &row.error {
            outln!("  {:<11} {:<6} error: {error}", row.family, row.group);
            continue;
        }
        let s = &row.stats;
        outln!(
            "  {:<11} {:<6} {:>10} {:>8} {:>8} {:>9} {:>7} {:>5} {:>5} {:>6} {:>8} {:>6} {:>9} {:>9}",
            row.family,
            row.group,
            valu,
            scalar,
            total,
            invocation,
            row.shader.map_or(opt(s.instructions), |c| c.total.to_string()),
            opt(s.vgprs),
            opt(s.sgprs),
            spills(row),
            opt(s.scratch_bytes),
            opt(s.subgroups_per_simd),
            opt(s.aco_latency_cycles),
            opt(s.aco_inverse_throughput_cycles),
        );
    }
    print_notes(report, &kernel.families);
}

fn print_notes(report: &KernelIsaReport, rows: &[FamilyIsa]) {
    outln!();
    outln!("  {}", report.method);
    outln!("  ACO lat./thr.: ACO's own latency and inverse-throughput estimates for one wave (cycles), not measured");
    let mut seen = std::collections::BTreeSet::new();
    for row in rows {
        if let Some(why) = &row.not_counted {
            if seen.insert(why.clone()) {
                outln!("  {}: {why}", row.family);
            }
        }
    }
    for row in rows.iter().filter(|r| !r.mix.is_empty()) {
        let mix: Vec<String> = row
            .mix
            .iter()
            .take(8)
            .map(|o| format!("{} {}", o.name, o.count))
            .collect();
        let of = if row.per_nonce.is_some() {
            "per nonce"
        } else {
            "whole shader"
        };
        outln!("  mix {of}, {}: {}", row.family, mix.join(", "));
    }
    for row in rows.iter().filter(|r| !r.rolled_loops.is_empty()) {
        let loops: Vec<String> = row
            .rolled_loops
            .iter()
            .map(|l| {
                let bounds: Vec<String> = l.trip_bounds.iter().map(i64::to_string).collect();
                format!(
                    "{}..{} depth {}: {} static ({} VALU){}",
                    l.head,
                    l.tail,
                    l.depth,
                    l.per_iteration_static.total,
                    l.per_iteration_static.valu,
                    if bounds.is_empty() {
                        String::new()
                    } else {
                        format!(", exits at {}", bounds.join("/"))
                    }
                )
            })
            .collect();
        outln!("  loops, {}: {}", row.family, loops.join("; "));
    }
    let predictions: Vec<_> = rows.iter().flat_map(|r| &r.predictions).collect();
    if predictions.is_empty() {
        return;
    }
    outln!();
    outln!("  {} (docs/isa.md, \"Predictions\"):", predict::LABEL);
    for p in predictions {
        let hashcat = p.hashcat.as_ref().map_or(String::new(), |h| {
            format!(
                "; hashcat -m {} (one SHA-256, not SHA-256d): {:.1} MH/s measured, {}",
                h.mode, h.mhs, h.source
            )
        });
        outln!(
            "  {} ({}): {} CU x {} lanes x {} MHz / {} VALU per nonce = {:.0} MH/s, {}{hashcat}",
            p.card,
            p.family,
            p.compute_units,
            p.lanes_per_cu_clock,
            p.boost_mhz,
            p.valu_per_nonce,
            p.predicted_mhs,
            p.label
        );
    }
}

/// One line per kernel and family, for comparing kernels.
fn print_lines(report: &KernelIsaReport) {
    let width = report
        .kernels
        .iter()
        .map(|k| k.kernel.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    outln!(
        "  {:<width$} {:<11} {:>10} {:>8} {:>8} {:>7} {:>5} {:>6} {:>9}",
        "kernel",
        "family",
        "VALU/nonce",
        "scalar",
        "total",
        "shader",
        "VGPR",
        "waves",
        "ACO thr."
    );
    for kernel in &report.kernels {
        for row in &kernel.families {
            if let Some(error) = &row.error {
                outln!(
                    "  {:<width$} {:<11} error: {error}",
                    kernel.kernel,
                    row.family
                );
                continue;
            }
            let (valu, scalar, total) = match &row.per_nonce {
                Some(p) => (
                    p.counts.valu.to_string(),
                    p.counts.scalar.to_string(),
                    p.counts.total.to_string(),
                ),
                None if !row.rolled_loops.is_empty() => ("rolled".into(), "-".into(), "-".into()),
                None => ("-".into(), "-".into(), "-".into()),
            };
            outln!(
                "  {:<width$} {:<11} {:>10} {:>8} {:>8} {:>7} {:>5} {:>6} {:>9}",
                kernel.kernel,
                row.family,
                valu,
                scalar,
                total,
                row.shader
                    .map_or(opt(row.stats.instructions), |c| c.total.to_string()),
                opt(row.stats.vgprs),
                opt(row.stats.subgroups_per_simd),
                opt(row.stats.aco_inverse_throughput_cycles),
            );
        }
    }
}
