//! `verify --kernel F --hash-fn NAME --digest`: the hash function alone,
//! called once per invocation on real headers and random nonces, its 256
//! bits compared with sha2's word by word. A failure names the first
//! differing word, the compression where a value first differs (when the
//! function is a compression, hashwatt sees the state between them), and
//! the known mistake that explains the output (`transforms.rs`).

use serde::{Deserialize, Serialize};

use super::transforms::{self, Stages};
use super::{byte_order_traps, KernelInfo};
use crate::chain::catalog::{self, KnownHeader};
use crate::chain::header::BlockHeader;
use crate::error::{Error, Result};
use crate::gpu::{GpuSearcher, WordsJob};
use crate::kernel::hash_fn::{
    DigestKernelSource, DIGEST_IN_WORDS, DIGEST_OUT_WORDS, DIGEST_WORKGROUP,
};
use crate::verify::checks::SplitMix;

pub const DIGEST_SCHEMA: &str = "hashwatt.verify-digest/1";

/// What a wrong digest no known mistake explains gets.
const UNEXPLAINED: &str = "no known mistake explains it (message words in the other byte order, a byte-reversed digest, words in reversed order, each word byte-swapped, a swapped nonce, off by one, truncated to 32 or 64 bits, the first hash only, a first-digest word not swapped): look at the SHA-256 itself";

/// Random nonces per header, besides its real one.
const RANDOM_NONCES: usize = 3;

/// The first case the function got wrong, and what explains it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct DigestMismatch {
    pub height: Option<u64>,
    /// The header hashed (160 hex), the nonce in place.
    pub header: String,
    pub nonce: u32,
    /// sha2's sha256d as SHA-256 state words H0..H7 (hex).
    pub sha2_words: Vec<String>,
    /// The function's, in the same order (after `--digest-order`).
    pub kernel_words: Vec<String>,
    /// The first word (0..7) that differs.
    pub first_differing_word: usize,
    /// Each word: `equal`, `byte-swapped` or `different`.
    pub words: Vec<String>,
    /// Where a value first differs, when the function exposes its state
    /// (the compress shape): `midstate`, `first-hash` or `second-hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The known mistake that explains the output: a code
    /// (`digest-byte-reversed`, `nonce-byte-order`, ...), or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// What went wrong, in words.
    pub explanation: String,
    /// Wrong cases the same mistake explains.
    pub explained: u64,
}

/// The `hashwatt.verify-digest/1` document.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct DigestReport {
    pub schema: String,
    pub device: String,
    pub kernel: KernelInfo,
    /// Headers and nonces hashed, and how many came out wrong.
    pub cases: u64,
    pub mismatches: u64,
    /// Whether the states between compressions were compared too.
    pub stages_compared: bool,
    pub first_mismatch: Option<DigestMismatch>,
    pub passed: bool,
}

/// One header with one nonce, and where it came from.
struct Case {
    height: Option<u64>,
    header: BlockHeader,
}

/// Every header's real nonce and random ones, and the byte-order traps on
/// the most recent embedded header.
fn cases(headers: &[KnownHeader]) -> Vec<Case> {
    let mut random = SplitMix::new(0x6469_6765_7374);
    let mut out = Vec::new();
    for known in headers {
        out.push(Case {
            height: known.height,
            header: known.header,
        });
        for _ in 0..RANDOM_NONCES {
            out.push(Case {
                height: known.height,
                header: known.header.with_nonce(random.next_u32()),
            });
        }
    }
    let latest = catalog::latest_embedded();
    for nonce in byte_order_traps() {
        out.push(Case {
            height: latest.height,
            header: latest.header.with_nonce(nonce),
        });
    }
    out
}

/// Runs the digest kernel on `searcher`'s device and compares every case.
pub fn run(
    searcher: &mut GpuSearcher,
    kernel: &DigestKernelSource,
    headers: &[KnownHeader],
    info: KernelInfo,
) -> Result<DigestReport> {
    let cases = cases(headers);
    let mut input = Vec::with_capacity(cases.len() * DIGEST_IN_WORDS);
    for case in &cases {
        input.extend(transforms::header_words(&case.header));
        input.extend(case.header.midstate());
    }
    let invocations = u32::try_from(cases.len())
        .map_err(|_| Error::input("too many headers for one digest dispatch"))?;
    let output = searcher.run_words(&WordsJob {
        module: &kernel.module,
        entry_point: &kernel.entry_point,
        workgroup: DIGEST_WORKGROUP,
        input: &input,
        invocations,
        output_words: cases.len() * DIGEST_OUT_WORDS,
    })?;
    let mut mismatches = 0u64;
    let mut first: Option<DigestMismatch> = None;
    for (case, out) in cases.iter().zip(output.chunks_exact(DIGEST_OUT_WORDS)) {
        let stages = Stages::of(&case.header);
        let got: [u32; 8] = out[..8].try_into().expect("8 words");
        let stage = if kernel.stages {
            let mid: [u32; 8] = out[8..16].try_into().expect("8 words");
            let hash1: [u32; 8] = out[16..24].try_into().expect("8 words");
            if mid != stages.midstate {
                Some("midstate")
            } else if hash1 != stages.first {
                Some("first-hash")
            } else if got != stages.digest {
                Some("second-hash")
            } else {
                None
            }
        } else {
            None
        };
        if got == stages.digest && stage.is_none() {
            continue;
        }
        mismatches += 1;
        if first.is_none() {
            first = Some(mismatch(case, &got, &stages, stage));
        }
    }
    // How many wrong cases the first one's mistake explains.
    if let Some(found) = &mut first {
        if let Some(cause) = &found.cause {
            found.explained = cases
                .iter()
                .zip(output.chunks_exact(DIGEST_OUT_WORDS))
                .filter(|(case, out)| {
                    let got: [u32; 8] = out[..8].try_into().expect("8 words");
                    transforms::explain(&case.header, &got).is_some_and(|e| e.code == *cause)
                })
                .count() as u64;
        }
    }
    Ok(DigestReport {
        schema: DIGEST_SCHEMA.into(),
        device: searcher.summary().name.clone(),
        kernel: info,
        cases: cases.len() as u64,
        mismatches,
        stages_compared: kernel.stages,
        passed: mismatches == 0,
        first_mismatch: first,
    })
}

fn mismatch(case: &Case, got: &[u32; 8], stages: &Stages, stage: Option<&str>) -> DigestMismatch {
    let hex = |words: &[u32; 8]| words.iter().map(|w| format!("{w:08x}")).collect();
    let first_differing_word = (0..8).find(|&i| got[i] != stages.digest[i]).unwrap_or(0);
    let found = transforms::explain(&case.header, got);
    let stage_text = match stage {
        Some("midstate") => Some(
            "the first compression (header bytes 0..63, from the initial state) already differs from sha2's midstate: the compression function itself is wrong",
        ),
        Some("first-hash") => Some(
            "the first compression matches sha2's midstate; the second (header bytes 64..79 and the padding of 80 bytes) differs from sha2's first hash",
        ),
        Some("second-hash") => Some(
            "the first hash matches sha2's; the second hash (the 32-byte first digest, padded) differs",
        ),
        _ => None,
    };
    let explanation = match (&found, stage_text) {
        (Some(found), _) => found.text.clone(),
        (None, Some(stage)) => stage.to_string(),
        (None, None) => UNEXPLAINED.to_string(),
    };
    DigestMismatch {
        height: case.height,
        header: case.header.to_hex(),
        nonce: case.header.nonce(),
        sha2_words: hex(&stages.digest),
        kernel_words: hex(got),
        first_differing_word,
        words: transforms::word_status(got, &stages.digest)
            .into_iter()
            .map(String::from)
            .collect(),
        stage: stage.map(String::from),
        cause: found.map(|f| f.code),
        explanation,
        explained: 1,
    }
}
