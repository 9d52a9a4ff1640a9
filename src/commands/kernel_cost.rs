//! `hashwatt kernel-cost`: a kernel's integer operations per nonce in
//! naga's IR, its SPIR-V and its GLSL, beside the floor in the literature.

use crate::cli::KernelCostArgs;
use crate::error::{exit, Error, Result};
use crate::kernel::cost::{KernelCostReport, OpCounts, PathCost};
use crate::kernel::{KernelConfig, KernelVariant};
use crate::report::{self, JsonOut};

pub fn run(args: &KernelCostArgs) -> Result<i32> {
    if args.isa.is_some() {
        return super::kernel_isa::run(args);
    }
    let kernel = match args.kernel.as_slice() {
        [] => "fast",
        [one] => one.as_str(),
        _ => {
            return Err(Error::input(
                "--kernel more than once compares kernels, which needs --isa",
            ))
        }
    };
    let json = JsonOut::parse(args.json.as_deref(), args.force)?;
    let variant = KernelVariant::parse_or_load(kernel)?;
    if let KernelVariant::User(source) = variant {
        let kernel = std::path::Path::new(source.path.as_str());
        super::check_outputs(json.as_ref(), None, &[("--kernel file", kernel)])?;
    }
    let config = match variant {
        KernelVariant::Fast => KernelConfig::fast(),
        _ => KernelConfig::for_variant(variant),
    };
    let cost = crate::kernel::cost::kernel_cost(&config, args.function.as_deref())?;
    match &json {
        Some(JsonOut::Stdout) => report::write_json(&cost, &JsonOut::Stdout)?,
        Some(out @ JsonOut::File(destination)) => {
            print_table(&cost);
            report::write_json(&cost, out)?;
            outln!("wrote {}", destination.path().display());
        }
        None => print_table(&cost),
    }
    Ok(exit::OK)
}

/// `hashwatt radv-worker` (hidden): `kernel-cost --isa`'s child process.
pub fn radv_worker() -> i32 {
    crate::kernel::cost::isa::worker::serve_stdio()
}

fn label(output: &str) -> &str {
    match output {
        "naga-ir" => "naga IR",
        "spirv" => "SPIR-V",
        "glsl" => "GLSL",
        other => other,
    }
}

fn print_table(cost: &KernelCostReport) {
    outln!(
        "kernel {} ({}), workgroup {}, {} nonce{} per invocation",
        cost.kernel,
        cost.path,
        cost.workgroup_size,
        cost.nonces_per_invocation,
        if cost.nonces_per_invocation == 1 {
            ""
        } else {
            "s"
        }
    );
    match &cost.function {
        Some(function) if cost.found_by == "given" => {
            outln!("counted: `{function}` (--function), every call expanded")
        }
        Some(function) => outln!(
            "per nonce: `{function}` ({}), every call expanded",
            if cost.found_by == "entry-point" {
                "the entry point: one nonce per invocation"
            } else {
                "the fast kernel's double SHA-256 of one nonce"
            }
        ),
        None => outln!("per nonce: {}", cost.found_by),
    }
    let function_w = cost
        .outputs
        .iter()
        .filter_map(|o| o.function.as_ref().map(|f| f.chars().count()))
        .max()
        .unwrap_or(8)
        .max(8);
    outln!();
    outln!(
        "  {:<18} {:<function_w$} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>7}",
        "output",
        "function",
        "add",
        "logic",
        "shift",
        "other",
        "total",
        "loads",
        "rounds"
    );
    for output in &cost.outputs {
        print_row(output, function_w);
    }
    if let Some(c) = &cost.folded {
        print_counts(
            "IR, folded",
            cost.function.as_deref().unwrap_or("-"),
            c,
            cost.ir().rounds,
            function_w,
        );
    }
    let floor = &cost.floor;
    outln!(
        "  {:<18} {:<function_w$} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>7}  ({} to {} compressions; H7 tested alone)",
        "literature floor",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        floor.rounds,
        floor.compressions_low,
        floor.compressions_high
    );
    if let (Some(compressions), Some(rounds)) = (cost.compressions, cost.ir().rounds) {
        outln!();
        outln!("  this kernel: {rounds} of 128 rounds, {compressions:.3} compressions per nonce");
    }
    if let Some(counts) = &cost.ir().per_nonce {
        if !counts.calls.is_empty() {
            let calls: Vec<String> = counts
                .calls
                .iter()
                .map(|(name, n)| format!("{name} {n}"))
                .collect();
            outln!("  calls per nonce (naga IR): {}", calls.join(", "));
        }
        if cost.folded.is_some() {
            outln!(
                "  IR, folded: calls inlined and operations on constants alone folded, as a driver does"
            );
        }
        if counts.conditional {
            outln!("  conditional code is counted with every arm in full");
        }
    }
    outln!("  floor: {}", floor.source);
}

fn print_row(output: &PathCost, function_w: usize) {
    let function = output.function.as_deref().unwrap_or("-");
    match &output.per_nonce {
        Some(c) => print_counts(
            label(&output.output),
            function,
            c,
            output.rounds,
            function_w,
        ),
        None => outln!(
            "  {:<18} {:<function_w$} not counted: {}",
            label(&output.output),
            function,
            output.not_counted.as_deref().unwrap_or("unknown")
        ),
    }
}

/// One row of counts: add, logic, shift, other, total, loads, rounds.
fn print_counts(label: &str, function: &str, c: &OpCounts, rounds: Option<u64>, function_w: usize) {
    outln!(
        "  {:<18} {:<function_w$} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>7}",
        label,
        function,
        c.add,
        c.logic,
        c.shift,
        c.other,
        c.total,
        c.loads.map_or("-".into(), |l| l.to_string()),
        rounds.map_or("-".into(), |r| r.to_string()),
    );
}
