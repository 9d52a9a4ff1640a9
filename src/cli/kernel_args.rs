//! The options of a `--kernel FILE.wgsl` that is not written to the kernel
//! interface as it stands: `--entry` for another entry point, `--hash-fn`
//! to let hashwatt write the search around the file's hash function
//! (docs/kernel-interface.md, "Bringing an existing shader"), and `--emit`
//! to see the WGSL compiled. `verify` and `bench` both take them.

use clap::Args;

#[derive(Args, Debug, Default, Clone)]
pub struct KernelFileArgs {
    /// The --kernel file's entry point, instead of `search`
    #[arg(
        long,
        value_name = "NAME",
        requires = "kernel",
        conflicts_with = "hash_fn"
    )]
    pub entry: Option<String>,
    /// Bring your hash function: NAME is a WGSL function of the --kernel file that computes
    /// sha256d of a block header (or one SHA-256 compression), and hashwatt writes the whole
    /// search around it (bindings, range, dispatch grid, 256-bit comparison, hit list). The
    /// file is used as it is; its own entry points and bindings are bypassed
    #[arg(long, value_name = "NAME", requires = "kernel")]
    pub hash_fn: Option<String>,
    /// What --hash-fn computes [default: read from its signature]: `header` (20 header words
    /// -> 8 digest words), `midstate` (midstate + the second block's words -> 8 digest words)
    /// or `compress` (state + 16 block words -> state; hashwatt builds sha256d from it)
    #[arg(long, value_name = "SHAPE", requires = "hash_fn", value_parser = ["header", "midstate", "compress"])]
    pub shape: Option<String>,
    /// How --hash-fn takes message words: `be`, SHA-256's own (4 bytes read big-endian), or
    /// `le` (4 bytes read little-endian, as when a byte buffer is loaded as u32 words)
    /// [default: be]
    #[arg(long, value_name = "ORDER", requires = "hash_fn", value_parser = ["be", "le"])]
    pub word_order: Option<String>,
    /// How --hash-fn returns the digest: `be`, the SHA-256 state words H0..H7, or `le`, each
    /// of them byte-swapped (the digest's bytes read as little-endian words) [default: be]
    #[arg(long, value_name = "ORDER", requires = "hash_fn", value_parser = ["be", "le"])]
    pub digest_order: Option<String>,
    /// Write the WGSL that is compiled to FILE (with --hash-fn: the file followed by the
    /// search hashwatt wrote, or in verify's digest check, the digest kernel)
    #[arg(long, value_name = "FILE.wgsl", requires = "kernel")]
    pub emit: Option<std::path::PathBuf>,
}
