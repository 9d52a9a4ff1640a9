//! `hashwatt verify`: is this device's SHA-256 right? Four checks, each on
//! real mainnet data and each against sha2 on the CPU:
//!
//! 1. the digest kernel reproduces every header's block hash (and the
//!    expected hash a header file gives);
//! 2. a window of nonces around each header's real nonce, searched at the
//!    header's own target, yields that nonce;
//! 3. digests of random nonces equal sha2's;
//! 4. at an easy share target the device's hit set equals the CPU's exactly,
//!    and holds as many hits as the nonces imply (the proof of work every
//!    bench passes, see [`crate::verify::proof`]).

use serde::{Deserialize, Serialize};

use super::checks::{self, HitSetCheck, WindowCheck};
use crate::chain::catalog::KnownHeader;
use crate::chain::target::Target;
use crate::cpu;
use crate::error::Result;
use crate::search::{expected_hits, search_range, Searcher, MAX_EXPECTED_HITS, NONCE_SPACE};

#[derive(Clone, Debug)]
pub struct ConformanceOptions {
    /// Nonces searched around each real nonce; 0 skips the window check.
    pub window: u64,
    pub random_digests: usize,
    /// Nonces in the hit-set comparison; 0 skips it.
    pub hit_set_nonces: u64,
    pub hit_set_bits: u32,
    pub seed: u64,
}

impl Default for ConformanceOptions {
    fn default() -> Self {
        ConformanceOptions {
            window: 1 << 16,
            random_digests: 1024,
            hit_set_nonces: 1 << 16,
            hit_set_bits: 8,
            seed: 0x68617368,
        }
    }
}

/// One header's row in the table.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HeaderCheck {
    pub height: Option<u64>,
    pub nonce: u32,
    pub expected_hash: Option<String>,
    pub device_hash: String,
    pub sha2_hash: String,
    pub digest_ok: bool,
    /// None when the window check was skipped.
    pub window_ok: Option<bool>,
    pub problem: Option<String>,
}

/// The document plain `verify --json` writes: a device's own kernels
/// against the chain (`schemas/verify-device.schema.json`). `/1` had a
/// hit-set check of its own shape, with `cpu_hits`; `/2` has the one every
/// check shares ([`checks::HitSetCheck`]). `verify --kernel` writes
/// `hashwatt.verify/1` (`schemas/verify.schema.json`).
pub const SCHEMA: &str = "hashwatt.verify-device/2";

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConformanceReport {
    pub schema: String,
    pub device: String,
    pub headers: Vec<HeaderCheck>,
    pub random_digests: usize,
    pub random_digest_mismatches: Vec<u32>,
    pub hit_set: Option<HitSetCheck>,
    pub passed: bool,
}

pub fn run(
    searcher: &mut dyn Searcher,
    headers: &[KnownHeader],
    options: &ConformanceOptions,
) -> Result<ConformanceReport> {
    run_with_progress(searcher, headers, options, || {})
}

/// [`run`], calling `on_header` after each header's checks (for a
/// progress display).
pub fn run_with_progress(
    searcher: &mut dyn Searcher,
    headers: &[KnownHeader],
    options: &ConformanceOptions,
    mut on_header: impl FnMut(),
) -> Result<ConformanceReport> {
    let raw: Vec<_> = headers.iter().map(|k| k.header).collect();
    let device_digests = searcher.digests(&raw)?;
    let mut checks = Vec::with_capacity(headers.len());
    for (known, device_hash) in headers.iter().zip(device_digests) {
        let sha2_hash = known.header.block_hash();
        let mut problems = checks::digest_problems(known, device_hash);
        let digest_ok = problems.is_empty();
        let window_ok = if options.window == 0 {
            None
        } else {
            Some(check_window(
                searcher,
                known,
                options.window,
                &mut problems,
            )?)
        };
        checks.push(HeaderCheck {
            height: known.height,
            nonce: known.header.nonce(),
            expected_hash: known.expected_hash.map(|h| h.to_string()),
            device_hash: device_hash.to_string(),
            sha2_hash: sha2_hash.to_string(),
            digest_ok,
            window_ok,
            problem: (!problems.is_empty()).then(|| problems.join("; ")),
        });
        on_header();
    }

    let random_headers = checks::random_nonce_headers(&raw, options.random_digests, options.seed);
    let random_device = searcher.digests(&random_headers)?;
    let random_digest_mismatches = checks::digest_mismatches(&random_headers, &random_device);

    let hit_set = match (options.hit_set_nonces, headers.last()) {
        (0, _) | (_, None) => None,
        (nonces, Some(known)) => {
            let target = Target::from_leading_zero_bits(options.hit_set_bits)?;
            let start =
                known.header.nonce().wrapping_mul(2_654_435_761) as u64 % (NONCE_SPACE - nonces);
            let device_hits = search_range(
                searcher,
                &known.header,
                start as u32,
                nonces,
                &target,
                nonces,
            )?;
            let mut cpu_hits = cpu::search_parallel(
                &known.header,
                start as u32,
                nonces,
                &target,
                cpu::available_threads(),
            )?;
            cpu_hits.sort_unstable();
            Some(HitSetCheck::judge(
                start as u32,
                nonces,
                options.hit_set_bits,
                &device_hits,
                &cpu_hits,
            ))
        }
    };

    let passed = checks
        .iter()
        .all(|c| c.digest_ok && c.window_ok != Some(false))
        && random_digest_mismatches.is_empty()
        && hit_set.as_ref().is_none_or(HitSetCheck::passed);
    Ok(ConformanceReport {
        schema: SCHEMA.into(),
        device: searcher.name(),
        headers: checks,
        random_digests: random_headers.len(),
        random_digest_mismatches,
        hit_set,
        passed,
    })
}

/// Searches `window` nonces around the real nonce at the header's own
/// target; the real nonce must be among the hits.
fn check_window(
    searcher: &mut dyn Searcher,
    known: &KnownHeader,
    window: u64,
    problems: &mut Vec<String>,
) -> Result<bool> {
    let header = known.header;
    let target = match header.target() {
        Ok(target) => target,
        Err(e) => {
            problems.push(format!("window search impossible: {e}"));
            return Ok(false);
        }
    };
    let window = window.min(NONCE_SPACE);
    let expected = expected_hits(window, &target);
    if expected > MAX_EXPECTED_HITS {
        problems.push(format!(
            "the header's target is too easy for a {window}-nonce window: about {expected:.0} \
hits expected; give a smaller --window"
        ));
        return Ok(false);
    }
    let (start, window) = checks::window_around(header.nonce(), window);
    let hits = search_range(
        searcher,
        &header,
        start,
        window,
        &target,
        window.min(1 << 24),
    )?;
    let check = WindowCheck::judge(&header, start, window, &hits);
    problems.extend(check.problem(&hits));
    Ok(check.found)
}
