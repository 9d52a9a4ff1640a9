//! Bring your hash function, hashwatt supplies the search (`--hash-fn
//! NAME`): a WGSL file whose SHA-256d is a function, with its own bindings
//! and entry points left as they are, becomes a search kernel of
//! docs/kernel-interface.md. hashwatt appends, after the file's last line,
//! the inputs, the range and dispatch grid, the 256-bit comparison and the
//! hit list around the function, so nothing of the file changes and every
//! line number in an error is still the file's. The file's own entry points
//! and bindings stay in the module, unused: the search never runs them.
//!
//! A function has one of the shapes in [`Shape`], read from its signature
//! (`--shape` when two would fit). `--word-order` says how it takes message
//! words, `--digest-order` how it returns the digest. The same function
//! also gets a digest kernel (`verify --digest`): one call per invocation
//! on headers the host gives, its output compared with sha2 word by word.
//!
//! Adding a shape: a variant of [`Shape`] with its name, the signatures it
//! accepts (`Signature::fits`), the wrapper that turns it into sha256d of
//! the header or a compression (`wrapper.rs`), then the search's and the
//! digest kernel's call of the wrapper (`emit.rs`).

mod analysis;
mod emit;
mod signature;
mod wrapper;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use naga::valid::{Capabilities, ValidationFlags, Validator};

use crate::error::{Error, Result};
use analysis::{analyse, Analysis, Sizing};
pub use signature::Signature;

/// What the user's function computes, and from what.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// sha256d of the 80-byte header: 20 message words in, 8 digest words
    /// out (or written to a last `ptr<function, array<u32, 8>>`).
    Header,
    /// sha256d from the midstate: the state after the header's first 64
    /// bytes, and the second block's words (the 4 header words W0..W3, or
    /// all 16 with the padding); 8 digest words out. hashwatt's shape.
    Midstate,
    /// One SHA-256 compression: (state, 16 block words) -> state, or the
    /// state updated in place through a pointer. hashwatt builds sha256d
    /// from it: the midstate's block, the header's second block, the
    /// second hash.
    Compress,
}

impl Shape {
    pub const ALL: [Shape; 3] = [Shape::Header, Shape::Midstate, Shape::Compress];

    pub fn name(self) -> &'static str {
        match self {
            Shape::Header => "header",
            Shape::Midstate => "midstate",
            Shape::Compress => "compress",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Shape::ALL.into_iter().find(|s| s.name() == text)
    }

    /// The signatures this shape takes, as a person would write them.
    pub fn signatures(self) -> &'static str {
        match self {
            Shape::Header => {
                "fn f(header: array<u32, 20>) -> array<u32, 8>, or fn f(header, out: ptr<function, array<u32, 8>>)"
            }
            Shape::Midstate => {
                "fn f(midstate: array<u32, 8>, block: array<u32, 4> or vec4<u32> or array<u32, 16>) -> array<u32, 8>, or with a last out: ptr<function, array<u32, 8>>"
            }
            Shape::Compress => {
                "fn f(state: array<u32, 8>, block: array<u32, 16>) -> array<u32, 8>, or fn f(state: ptr<function, array<u32, 8>>, block) updating the state in place"
            }
        }
    }
}

/// The byte order of 32-bit words: `be` is SHA-256's own (FIPS 180-4: a
/// word is 4 bytes read big-endian), `le` what a shader gets when it loads
/// a byte buffer as `array<u32>` on a little-endian machine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum WordOrder {
    #[default]
    Be,
    Le,
}

impl WordOrder {
    pub fn name(self) -> &'static str {
        match self {
            WordOrder::Be => "be",
            WordOrder::Le => "le",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "be" => Some(WordOrder::Be),
            "le" => Some(WordOrder::Le),
            _ => None,
        }
    }
}

/// `--hash-fn NAME [--shape S] [--word-order be|le] [--digest-order be|le]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HashFnSpec {
    pub name: String,
    /// None: read from the signature.
    pub shape: Option<Shape>,
    /// How the function takes message words (the header's, the block's).
    pub word_order: WordOrder,
    /// How it returns the digest: `be` = the SHA-256 state words H0..H7,
    /// `le` = each of them byte-swapped (the digest's bytes loaded as
    /// little-endian words).
    pub digest_order: WordOrder,
}

impl HashFnSpec {
    pub fn new(name: &str) -> Self {
        HashFnSpec {
            name: name.to_string(),
            shape: None,
            word_order: WordOrder::Be,
            digest_order: WordOrder::Be,
        }
    }
}

/// What a report says of a `--hash-fn` kernel.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct HashFnInfo {
    /// The user's function.
    pub function: String,
    /// Its signature as naga read it.
    pub signature: String,
    /// `header`, `midstate` or `compress`.
    pub shape: String,
    /// Whether the shape was read from the signature (else `--shape`).
    pub shape_inferred: bool,
    /// How it takes message words: `be` or `le`.
    pub word_order: String,
    /// How it returns the digest: `be` (state words) or `le` (byte-swapped).
    pub digest_order: String,
    /// The file's own entry points, which the search does not run.
    pub bypassed_entry_points: Vec<String>,
    /// The file's own bindings, which the search does not use.
    pub bypassed_bindings: Vec<String>,
}

impl HashFnInfo {
    /// One line for the screen: what runs, and what of the file does not.
    pub fn describe(&self) -> String {
        let shape = if self.shape_inferred {
            format!("{} shape (from its signature)", self.shape)
        } else {
            format!("{} shape (--shape)", self.shape)
        };
        let orders = match self.shape.as_str() {
            "compress" => format!("block words {}", self.word_order),
            _ => format!(
                "message words {}, digest words {}",
                self.word_order, self.digest_order
            ),
        };
        let mut line = format!(
            "`{}`, {shape}, {orders}; hashwatt supplies the search (bindings, range, grid, 256-bit comparison, hit list)",
            self.signature
        );
        let list = |items: &[String]| items.join(", ");
        match (
            self.bypassed_entry_points.is_empty(),
            self.bypassed_bindings.is_empty(),
        ) {
            (true, true) => {}
            (false, true) => line.push_str(&format!(
                "; the file's own entry point(s) {} are bypassed, not run",
                list(&self.bypassed_entry_points)
            )),
            (true, false) => line.push_str(&format!(
                "; the file's own bindings {} are not used",
                list(&self.bypassed_bindings)
            )),
            (false, false) => line.push_str(&format!(
                "; the file's own entry point(s) {} and bindings {} are bypassed: its search loop does not run",
                list(&self.bypassed_entry_points),
                list(&self.bypassed_bindings)
            )),
        }
        line
    }
}

/// The search kernel written around a hash function.
pub struct Generated {
    /// The user's file, then the part hashwatt wrote.
    pub module: String,
    /// Where the part hashwatt wrote starts in `module`.
    pub generated_at: usize,
    pub entry_point: String,
    pub info: HashFnInfo,
}

/// The digest kernel (`verify --digest`) written around a hash function:
/// inputs and outputs as [`DIGEST_IN_WORDS`] and [`DIGEST_OUT_WORDS`] say.
pub struct DigestKernelSource {
    pub module: String,
    pub entry_point: String,
    pub info: HashFnInfo,
    /// Whether the output has the states between compressions (the
    /// compress shape): words 8..16 the midstate, 16..24 the first hash.
    pub stages: bool,
}

/// Words per case the digest kernel reads: the header's 20 message words
/// (big-endian, the nonce in place), then the midstate (8 state words).
pub const DIGEST_IN_WORDS: usize = 28;
/// Words per case it writes: the sha256d state words H0..H7, then (the
/// compress shape) the state after the header's first block and the state
/// after its second (the first hash).
pub const DIGEST_OUT_WORDS: usize = 24;
/// The digest kernel's workgroup size.
pub const DIGEST_WORKGROUP: u32 = 64;

/// The search kernel around `spec`'s function in `text`.
pub fn generate(path: &str, text: &str, spec: &HashFnSpec) -> Result<Generated> {
    let analysis = analyse(path, text, spec)?;
    let (generated, entry_point) = emit::search_kernel(&analysis, spec);
    let mut module = text.to_string();
    if !module.ends_with('\n') {
        module.push('\n');
    }
    let generated_at = module.len();
    module.push_str(&generated);
    Ok(Generated {
        module,
        generated_at,
        entry_point,
        info: analysis.info,
    })
}

/// The digest kernel around `spec`'s function in `text`, parsed and
/// validated (an error names the file).
pub fn generate_digest_kernel(
    path: &str,
    text: &str,
    spec: &HashFnSpec,
) -> Result<DigestKernelSource> {
    let analysis = analyse(path, text, spec)?;
    let (generated, entry_point) = emit::digest_kernel(&analysis, spec);
    let mut module = text.to_string();
    if !module.ends_with('\n') {
        module.push('\n');
    }
    module.push_str(&generated);
    let parsed = naga::front::wgsl::parse_str(&module).map_err(|e| {
        Error::input(format!(
            "{path}: the digest kernel hashwatt wrote around `{}` does not compile: {}",
            spec.name,
            e.message()
        ))
    })?;
    Validator::new(ValidationFlags::all(), Capabilities::all())
        .validate(&parsed)
        .map_err(|e| {
            Error::input(format!(
                "{path}: the digest kernel hashwatt wrote around `{}` is not valid: {}",
                spec.name,
                e.as_inner()
            ))
        })?;
    Ok(DigestKernelSource {
        module,
        entry_point,
        stages: analysis.shape == Shape::Compress,
        info: analysis.info,
    })
}

#[cfg(test)]
mod tests;
