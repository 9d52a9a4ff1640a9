//! The one likely root cause when checks fail. Several checks usually fail
//! together (a range bug fails every check that searches a range), so the
//! cause is found from what the kernel does, not from which checks failed:
//!
//! 1. the kernel's hash of one probe nonce, from one-nonce searches: sha2's
//!    hash (the hash is right), sha2's + 1 (equal is not a hit), sha2's top
//!    32 or 64 bits then zeros (a truncated comparison), or one of the known
//!    mistakes of `transforms.rs` (the nonce's bytes swapped, ...);
//! 2. when the hash is right, how the kernel searches a range where every
//!    nonce is a hit: which nonces it reports, missing or more than once, in
//!    one row of the dispatch grid, in several, and at the top of the nonce
//!    space; else the hit list (the overflow check).

use serde::{Deserialize, Serialize};

use super::checks::GRID_ROW_WORKGROUPS;
use super::range_pattern::{range_pattern, Pattern};
use super::transforms::{self, number, Stages};
use super::CheckResult;
use crate::chain::catalog;
use crate::chain::header::BlockHeader;
use crate::chain::target::Target;
use crate::error::Result;
use crate::gpu::GpuSearcher;
use crate::search::{Batch, NONCE_SPACE};

/// The probe nonce: its bytes differ from their reverse.
const PROBE_NONCE: u32 = 0x1b2c_3d4f;
/// The range probe: a start and length that are not round.
const RANGE_START: u32 = 0x0123_4567;
const RANGE_COUNT: u64 = 1001;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Diagnosis {
    /// What is wrong: `range`, `grid-rows`, `range-wrap`, `hit-list`,
    /// `nonce-byte-order`, `truncated-comparison`, `equal-not-hit`,
    /// `ignores-target`, `never-reports`, `hash-wrong`, `unexplained`, or
    /// another known mistake of the hash (`nonce-off-by-one`,
    /// `digest-byte-reversed`, ...).
    pub cause: String,
    /// The likely root cause and its evidence, in one sentence.
    pub summary: String,
    /// Whether the kernel's hash of the probe nonce is sha2's (None when
    /// the kernel does not report it at all).
    pub hash_right: Option<bool>,
}

fn found(cause: &str, summary: String, hash_right: Option<bool>) -> Option<Diagnosis> {
    Some(Diagnosis {
        cause: cause.to_string(),
        summary,
        hash_right,
    })
}

/// The likely root cause of the failing `checks`.
pub(super) fn diagnose(
    searcher: &mut GpuSearcher,
    checks: &[CheckResult],
) -> Result<Option<Diagnosis>> {
    let header = catalog::latest_embedded().header.with_nonce(PROBE_NONCE);
    let failing: Vec<&str> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name.as_str())
        .collect();
    let reports =
        |searcher: &mut GpuSearcher, target: Target| reports_at(searcher, &header, target);
    let hash_is = |searcher: &mut GpuSearcher, value: Target| hash_is(searcher, &header, value);
    let n = format!("nonce {PROBE_NONCE:#010x}");

    if !reports(searcher, Target::MAX)? {
        let range = range_probe(searcher, &header)?;
        return Ok(match range {
            Some(Pattern::Nothing) => found(
                "never-reports",
                "the kernel never reports a hit, not even at the largest target, where every nonce is one: it does not write the hit list (count, then the nonce at the slot it got)".into(),
                None,
            ),
            Some(pattern) => found(
                "range",
                format!(
                    "the range is wrong: a search of {n} alone never reports it, even at the largest target, and {}",
                    pattern.describe()
                ),
                None,
            ),
            None => found(
                "range",
                format!("the range is wrong: a search of {n} alone never reports it, even at the largest target, though a range of {RANGE_COUNT} nonces is searched right"),
                None,
            ),
        });
    }
    if reports(searcher, Target::from_limbs([0; 8]))? {
        return Ok(found(
            "ignores-target",
            format!("the comparison ignores the target: the kernel reports {n} even at target 0, which no hash meets"),
            None,
        ));
    }
    let stages = Stages::of(&header);
    let hash = number(&stages.digest);
    if hash_is(searcher, hash)? {
        return hash_right(searcher, &header, checks, &failing, &n);
    }
    let plus_one = {
        let mut limbs = hash.limbs();
        for limb in limbs.iter_mut().rev() {
            let (v, carry) = limb.overflowing_add(1);
            *limb = v;
            if !carry {
                break;
            }
        }
        Target::from_limbs(limbs)
    };
    if hash_is(searcher, plus_one)? {
        return Ok(found(
            "equal-not-hit",
            format!("equal is not a hit: the kernel's hash of {n} is sha2's plus one, so it reports a nonce only when its hash is strictly below the target; a hash equal to the target meets it"),
            Some(false),
        ));
    }
    let limbs = hash.limbs();
    for kept in [1usize, 2] {
        let mut truncated = [0u32; 8];
        truncated[..kept].copy_from_slice(&limbs[..kept]);
        if hash_is(searcher, Target::from_limbs(truncated))? {
            return Ok(found(
                "truncated-comparison",
                format!(
                    "the comparison is truncated to the top {} bits: to the kernel, {n} hashes to sha2's top {} bits followed by zeros, so a tie there is called a hit; go on to the lower limbs when the top ones are equal",
                    32 * kept,
                    32 * kept
                ),
                Some(false),
            ));
        }
    }
    for (explanation, state) in transforms::candidates(&header).into_iter().skip(1) {
        if hash_is(searcher, number(&state))? {
            return Ok(found(
                &explanation.code,
                format!(
                    "the hash is wrong: for {n} the kernel's hash is a known mistake: {}",
                    explanation.text
                ),
                Some(false),
            ));
        }
    }
    Ok(found(
        "hash-wrong",
        format!(
            "the hash is wrong: the kernel's hash of {n} is not sha2's, and no known mistake explains it (round constants, message schedule, padding, midstate use); {} failed",
            failing.join(", ")
        ),
        Some(false),
    ))
}

/// Whether the kernel's hash of the header's nonce is `value`: reported at
/// it, not one below.
fn hash_is(searcher: &mut GpuSearcher, header: &BlockHeader, value: Target) -> Result<bool> {
    if !reports_at(searcher, header, value)? {
        return Ok(false);
    }
    let below = super::evidence::minus_one(&value);
    Ok(below == value || !reports_at(searcher, header, below)?)
}

/// How a range of every-nonce-a-hit is searched: `RANGE_COUNT` nonces,
/// and 2^16 + 1 when only the first was found (to tell a stride from a
/// kernel where only invocation 0 works).
fn range_probe(searcher: &mut GpuSearcher, header: &BlockHeader) -> Result<Option<Pattern>> {
    let pattern = range_pattern(searcher, header, RANGE_START, RANGE_COUNT, None)?;
    if pattern == Some(Pattern::FirstOnly) {
        let wide = range_pattern(searcher, header, RANGE_START, (1 << 16) + 1, None)?;
        if matches!(wide, Some(Pattern::Stride { .. })) {
            return Ok(wide);
        }
    }
    Ok(pattern)
}

/// Whether a one-nonce search at `target` reports the header's nonce.
fn reports_at(searcher: &mut GpuSearcher, header: &BlockHeader, target: Target) -> Result<bool> {
    let batch = Batch::new(*header, header.nonce(), 1, target);
    Ok(searcher
        .dispatch_once(&batch, 8)?
        .nonces
        .contains(&header.nonce()))
}

/// The hash is right: the range, the grid or the hit list is not.
fn hash_right(
    searcher: &mut GpuSearcher,
    header: &BlockHeader,
    checks: &[CheckResult],
    failing: &[&str],
    n: &str,
) -> Result<Option<Diagnosis>> {
    let right = format!("the hash is right (the kernel's hash of {n} is sha2's), but");
    if let Some(pattern) = range_probe(searcher, header)? {
        // Nonces missing with no pattern: searched but lost on the way to
        // the hit list, when the kernel reports one of them alone?
        if let Pattern::Missing { .. } = pattern {
            if let Some(lost) = lost_when_crowded(searcher, header)? {
                return Ok(found(
                    "hit-list",
                    format!(
                        "{right} the hit list loses hits when many come at once: {lost}; a race on the counter (take each slot with atomicAdd)"
                    ),
                    Some(true),
                ));
            }
        }
        return Ok(found(
            "range",
            format!("{right} the range is wrong: {}", pattern.describe()),
            Some(true),
        ));
    }
    let failed = |name: &str| failing.contains(&name);
    if failed("grid-rows") {
        let config = searcher.config();
        let row = searcher.set_row_limit(Some(GRID_ROW_WORKGROUPS)) as u64;
        let row_nonces = row * config.nonces_per_invocation as u64;
        let pattern = range_pattern(
            searcher,
            header,
            RANGE_START,
            row_nonces * 4 - 3,
            Some(row_nonces),
        );
        searcher.set_row_limit(None);
        let detail = match pattern? {
            Some(pattern) => pattern.describe(),
            None => "a range of several rows failed the grid check".into(),
        };
        return Ok(found(
            "grid-rows",
            format!(
                "{right} ranges of more than one row of the dispatch grid are searched wrong: {detail}; an invocation's index is gid.x + gid.y * params.row_stride (docs/kernel-interface.md, \"Dispatch shape\")"
            ),
            Some(true),
        ));
    }
    if failed("top-of-nonce-space") {
        let start = (NONCE_SPACE - RANGE_COUNT) as u32;
        if let Some(pattern) = range_pattern(searcher, header, start, RANGE_COUNT, None)? {
            return Ok(found(
                "range-wrap",
                format!(
                    "{right} a range that ends at 2^32 is searched wrong: {}; the end nonce_base + nonce_count wraps to 0 in u32: compare the index with nonce_count instead",
                    pattern.describe()
                ),
                Some(true),
            ));
        }
    }
    if failed("overflow") {
        let detail = checks
            .iter()
            .find(|c| c.name == "overflow")
            .and_then(|c| c.counterexample.as_ref())
            .map_or(String::new(), |c| format!(": {}", c.detail));
        return Ok(found(
            "hit-list",
            format!(
                "{right} the hit list is wrong when it fills up{detail}; count every hit with atomicAdd, and store the nonce only when the slot is below hit_capacity"
            ),
            Some(true),
        ));
    }
    Ok(found(
        "unexplained",
        format!(
            "{right} {} failed; the ranges hashwatt probed were searched right: see the counterexamples",
            failing.join(", ")
        ),
        Some(true),
    ))
}

/// Whether a nonce the kernel drops when every nonce of the range probe is
/// a hit is reported when the target makes it one of few hits: then it
/// was searched, and its report was lost. Says which, if so.
fn lost_when_crowded(searcher: &mut GpuSearcher, header: &BlockHeader) -> Result<Option<String>> {
    let batch = Batch::new(*header, RANGE_START, RANGE_COUNT, Target::MAX);
    let crowded = searcher.dispatch_once(&batch, (RANGE_COUNT * 4) as u32)?;
    let mut hasher = crate::cpu::MidstateHasher::new(header);
    // The missing nonce with the least hash: at that hash as the target,
    // it and the few below it are the only hits.
    let missing = (0..RANGE_COUNT as u32)
        .map(|i| RANGE_START + i)
        .filter(|n| !crowded.nonces.contains(n))
        .min_by_key(|n| hasher.block_hash(*n).to_number());
    let Some(nonce) = missing else {
        return Ok(None);
    };
    let target = hasher.block_hash(nonce).to_number();
    let sparse = Batch::new(*header, RANGE_START, RANGE_COUNT, target);
    let few = searcher.dispatch_once(&sparse, (RANGE_COUNT * 4) as u32)?;
    let hits = (0..RANGE_COUNT as u32)
        .filter(|i| hasher.block_hash(RANGE_START + i).meets(&target))
        .count();
    let few_hits = if hits == 1 {
        "the only hit".to_string()
    } else {
        format!("one of {hits} hits")
    };
    Ok(few.nonces.contains(&nonce).then(|| {
        format!(
            "with every one of {RANGE_COUNT} nonces a hit it reported {} of them ({} counted), yet nonce {nonce}, one it dropped, is reported when it is {few_hits}",
            crowded.nonces.len(),
            crowded.count
        )
    }))
}
