//! Integer operations per nonce of the fast kernel, from naga's IR.
//! `cargo run --release --example kernel_cost`
#![allow(clippy::disallowed_macros)]
use hashwatt::gpu::{kernel_cost::named_function_cost, KernelVariant};

fn main() {
    let module = &KernelVariant::Fast.source().module;
    let cost = named_function_cost(module, "sha256d_last_word").expect("straight-line");
    println!("fast kernel, sha256d_last_word (one nonce), calls expanded:");
    for (kind, n) in &cost.counts {
        println!("  {kind:8} {n}");
    }
    println!(
        "  total    {} integer ops (loads excluded)",
        cost.total_ops()
    );
    let rounds = cost.calls.get("big_sigma1").copied().unwrap_or(0);
    println!(
        "  rounds with a Sigma1 (e-chain): {rounds} of 128; compressions: {:.3}",
        rounds as f64 / 64.0
    );
    for (name, n) in &cost.calls {
        println!("  calls {name:14} {n}");
    }
}
