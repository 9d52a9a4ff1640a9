//! Writes what naga hands the driver for a search kernel: SPIR-V (as wgpu's
//! Vulkan back end would, loop bounding and bounds checks included) and
//! GLSL (as wgpu's GL back end would).
//! `cargo run --release --example naga_dump -- fast|reference|FILE.wgsl OUT_DIR [--as-written]`
//! (`--as-written`: without the loader's const rewrite, src/gpu/rewrite.rs)
#![allow(clippy::disallowed_macros)]
use hashwatt::kernel::{KernelConfig, KernelVariant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let as_written = args.get(3).is_some_and(|a| a == "--as-written");
    let variant = KernelVariant::parse_or_load_as(&args[1], as_written).expect("kernel");
    let dir = std::path::PathBuf::from(&args[2]);
    let mut config = KernelConfig::for_variant(variant);
    if variant == KernelVariant::Fast {
        config = KernelConfig::fast();
    }
    let stem = std::path::Path::new(variant.name())
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (spv, glsl) = hashwatt::kernel::naga_outputs(&config, true);
    let bytes: Vec<u8> = spv.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(dir.join(format!("{stem}.spv")), bytes).unwrap();
    let (spv2, _) = hashwatt::kernel::naga_outputs(&config, false);
    let bytes: Vec<u8> = spv2.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(dir.join(format!("{stem}.unbounded.spv")), bytes).unwrap();
    std::fs::write(dir.join(format!("{stem}.comp")), glsl).unwrap();
}
