//! The network's hashrate, from the chain itself or given.
//!
//! - One header: the hashrate its difficulty implies, D x 2^32 / 600 s (a
//!   block every ten minutes, 2^32 hashes per unit of difficulty).
//! - Consecutive headers: the work they prove over the time they took, as
//!   Bitcoin Core's `getnetworkhashps` computes it. With N + 1 headers, the
//!   work is that of the last N (each 2^256 / (target + 1), Core's
//!   `GetBlockProof`) and the time is the latest timestamp minus the
//!   earliest among all N + 1.
//!
//! Headers are checked before they count: each one's previous-block hash is
//! the block hash of the one before it (sha2 computes it), heights (where
//! given) run on by one, and each timestamp is later than the median of the
//! 11 before it (the consensus rule that orders Bitcoin's clocks; single
//! timestamps may go backwards, and do). Two consensus rules of proof of
//! work decide whether they are chain data at all: each header's target is
//! no easier than the proof-of-work limit ([`POW_LIMIT_BITS`], nBits
//! 0x1d00ffff) and its hash meets that target. A header that breaks them is
//! refused, or with `--unchecked-headers` (regtest, made-up headers) used
//! and labelled *given*, never *chain*.
//!
//! The subsidy follows the height of the last header where the chain proves
//! it: a header of the embedded, verified set is that height, and the links
//! checked above carry it to the headers around it. A height a header file
//! only claims gives a subsidy labelled *assumed*, as does today's subsidy
//! where no header gives a height.

use serde::{Deserialize, Serialize};

use super::{Source, SUBSIDY_BTC};
use crate::chain::catalog::{self, KnownHeader};
use crate::chain::header::BlockHash;
use crate::chain::target::Target;
use crate::error::{Error, Result};
use crate::units::date_of;

/// Bitcoin's proof-of-work limit as nBits: the easiest target a mainnet
/// block may have (difficulty 1), Core's `powLimit`.
pub const POW_LIMIT_BITS: u32 = 0x1d00_ffff;

/// Seconds between blocks the difficulty aims at.
pub const BLOCK_SECONDS: f64 = 600.0;
/// Blocks between subsidy halvings.
pub const HALVING_INTERVAL: u64 = 210_000;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Network {
    pub hashes_per_second: f64,
    pub source: Source,
    /// Where the figure came from, in words.
    pub basis: String,
    /// The headers behind it; none when the figure was given.
    pub headers: Option<HeaderSpan>,
}

/// The headers a network figure was derived from.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct HeaderSpan {
    /// "difficulty" (one header) or "work over time" (consecutive headers).
    pub method: String,
    pub count: usize,
    pub first_height: Option<u64>,
    pub last_height: Option<u64>,
    /// Block hash of the last header, display order.
    pub last_hash: String,
    pub first_time: u32,
    pub last_time: u32,
    pub last_date: String,
    /// Whether `last_height` is proven: an embedded header is among the
    /// headers (or is the header), linked to the last. False when the
    /// height is only what a header file claims, or unknown.
    #[serde(default)]
    pub height_proven: bool,
    /// The last header's difficulty.
    pub difficulty: f64,
    /// Work counted, in expected hashes (work over time only).
    pub work: Option<f64>,
    /// Latest minus earliest timestamp (work over time only).
    pub seconds: Option<u64>,
}

impl Network {
    pub fn given_ehs(exahashes_per_second: f64) -> Self {
        Network {
            hashes_per_second: exahashes_per_second * 1e18,
            source: Source::Given,
            basis: "given (--network-ehs)".into(),
            headers: None,
        }
    }

    /// The default: what the most recent embedded header's difficulty implies.
    pub fn latest_embedded() -> Self {
        let mut network = Network::from_header(&catalog::latest_embedded())
            .expect("the embedded headers are verified by the tests");
        network.basis = format!(
            "{} (default: the most recent embedded header)",
            network.basis
        );
        network
    }

    /// `--network-from H`: an embedded height, 160 hex characters, or
    /// `@FILE` holding one header or many consecutive ones.
    pub fn resolve(spec: &str) -> Result<Self> {
        Network::resolve_with(spec, Consensus::Enforced)
    }

    /// [`resolve`](Self::resolve), with the proof-of-work rules enforced
    /// or, for `--unchecked-headers`, only reported.
    pub fn resolve_with(spec: &str, consensus: Consensus) -> Result<Self> {
        if let Some(path) = spec.trim().strip_prefix('@') {
            let headers = catalog::read_headers_file(std::path::Path::new(path))?;
            return match headers.len() {
                0 => Err(Error::input(format!(
                    "--network-from: header file {path} holds no header"
                ))),
                1 => Network::from_header_with(&headers[0], consensus),
                _ => Network::from_headers_with(&headers, consensus)
                    .map_err(|e| Error::input(format!("--network-from {path}: {e}"))),
            };
        }
        Network::from_header_with(&catalog::resolve(spec)?, consensus)
    }

    /// D x 2^32 / 600 s for one header, after checking its proof of work.
    pub fn from_header(known: &KnownHeader) -> Result<Self> {
        Network::from_header_with(known, Consensus::Enforced)
    }

    /// [`from_header`](Self::from_header) under `consensus`.
    pub fn from_header_with(known: &KnownHeader, consensus: Consensus) -> Result<Self> {
        let broken = consensus.apply(check_hash(known, "the header")?)?;
        let height = proven_height(known, "the header", &embedded_heights())?;
        let difficulty = known.header.difficulty();
        let hashes_per_second = difficulty * 2f64.powi(32) / BLOCK_SECONDS;
        let date = date_of(known.header.time().into());
        let block = known.height.map_or_else(
            || format!("block {}", known.label()),
            |h| format!("block {h}"),
        );
        let network = Network {
            hashes_per_second,
            source: Source::Chain,
            basis: format!(
                "difficulty {} of {block} ({date}) x 2^32 / 600 s",
                format_difficulty(difficulty)
            ),
            headers: Some(HeaderSpan {
                method: "difficulty".into(),
                count: 1,
                first_height: height.or(known.height),
                last_height: height.or(known.height),
                last_hash: known.header.block_hash().to_string(),
                first_time: known.header.time(),
                last_time: known.header.time(),
                last_date: date,
                height_proven: height.is_some(),
                difficulty,
                work: None,
                seconds: None,
            }),
        };
        Ok(network.labelled(broken))
    }

    /// A figure from headers that broke a consensus rule (allowed by
    /// `--unchecked-headers`) is given, never chain data, and says why.
    fn labelled(mut self, broken: Option<String>) -> Self {
        if let Some(why) = broken {
            self.source = Source::Given;
            self.basis = format!(
                "{}, from headers that are not chain data ({why}; allowed by --unchecked-headers)",
                self.basis
            );
        }
        self
    }

    /// Total work over elapsed time of consecutive headers, oldest first.
    pub fn from_headers(headers: &[KnownHeader]) -> Result<Self> {
        Network::from_headers_with(headers, Consensus::Enforced)
    }

    /// [`from_headers`](Self::from_headers) under `consensus`.
    pub fn from_headers_with(headers: &[KnownHeader], consensus: Consensus) -> Result<Self> {
        let n = headers.len();
        if n < 2 {
            return Err(Error::input("work over time needs two headers or more"));
        }
        let name = |i: usize| match headers[i].height {
            Some(h) => format!("header {} (height {h})", i + 1),
            None => format!("header {}", i + 1),
        };
        let hashes: Vec<_> = headers.iter().map(|k| k.header.block_hash()).collect();
        for i in 1..n {
            if headers[i].header.prev_block_hash() != hashes[i - 1] {
                if headers[i - 1].header.prev_block_hash() == hashes[i] {
                    return Err(Error::input(format!(
                        "{} comes before {}: the headers must be oldest first",
                        name(i),
                        name(i - 1)
                    )));
                }
                return Err(Error::input(format!(
                    "broken link: the previous-block hash of {} is not the hash of {} ({})",
                    name(i),
                    name(i - 1),
                    hashes[i - 1]
                )));
            }
            if let (Some(a), Some(b)) = (headers[i - 1].height, headers[i].height) {
                if a.checked_add(1) != Some(b) {
                    return Err(Error::input(format!(
                        "{} follows {} by its link, but the heights do not run on by one",
                        name(i),
                        name(i - 1)
                    )));
                }
            }
        }
        let times: Vec<u32> = headers.iter().map(|k| k.header.time()).collect();
        for i in 11..n {
            let mut window = times[i - 11..i].to_vec();
            window.sort_unstable();
            let median = window[5];
            if times[i] <= median {
                return Err(Error::input(format!(
                    "out-of-order time: {} has time {} ({}), not after the median time of the 11 headers before it ({}, {})",
                    name(i),
                    times[i],
                    date_of(times[i].into()),
                    median,
                    date_of(median.into())
                )));
            }
        }
        let earliest = *times.iter().min().expect("two or more");
        let latest = *times.iter().max().expect("two or more");
        if latest == earliest {
            return Err(Error::input(format!(
                "no time elapses across these {n} headers (every timestamp is {earliest}): work over time is undefined"
            )));
        }
        // Proof of work last, so that a tampered time is named as such.
        let mut broken = None;
        for (i, known) in headers.iter().enumerate() {
            if let Some(why) = consensus.apply(check_hash(known, &name(i))?)? {
                broken.get_or_insert(why);
            }
        }
        // The last height, where an embedded header among them proves it:
        // the links checked above carry it along.
        let embedded = embedded_heights();
        let mut proven = None;
        for (i, known) in headers.iter().enumerate() {
            if let Some(height) = proven_height(known, &name(i), &embedded)? {
                let Some(first) = height.checked_sub(i as u64) else {
                    return Err(Error::input(format!(
                        "{} is block {height}, but {i} headers come before it",
                        name(i)
                    )));
                };
                proven = Some(first + (n as u64 - 1));
                break;
            }
        }
        if let Some(last) = proven {
            for (i, known) in headers.iter().enumerate() {
                let height = last - (n as u64 - 1 - i as u64);
                if known.height.is_some_and(|claimed| claimed != height) {
                    return Err(Error::input(format!(
                        "{} is block {height} by its link to an embedded header, not the height the file gives",
                        name(i)
                    )));
                }
            }
        }
        let mut work = 0.0;
        for known in &headers[1..] {
            work += known.header.target()?.expected_hashes();
        }
        let seconds = u64::from(latest - earliest);
        let hashes_per_second = work / seconds as f64;
        let (first, last) = (&headers[0], &headers[n - 1]);
        let heights = match (first.height, last.height) {
            (Some(a), Some(b)) => format!("heights {a} to {b}"),
            _ => format!("{n} headers"),
        };
        let first_height = proven.map(|last| last + 1 - n as u64).or(first.height);
        let last_height = proven.or(last.height);
        let network = Network {
            hashes_per_second,
            source: Source::Chain,
            basis: format!(
                "work of {} blocks over {:.1} days, {heights} ({} to {}), as getnetworkhashps",
                n - 1,
                seconds as f64 / 86_400.0,
                date_of(first.header.time().into()),
                date_of(last.header.time().into())
            ),
            headers: Some(HeaderSpan {
                method: "work over time".into(),
                count: n,
                first_height,
                last_height,
                last_hash: hashes[n - 1].to_string(),
                first_time: first.header.time(),
                last_time: last.header.time(),
                last_date: date_of(last.header.time().into()),
                height_proven: proven.is_some(),
                difficulty: last.header.difficulty(),
                work: Some(work),
                seconds: Some(seconds),
            }),
        };
        Ok(network.labelled(broken))
    }

    /// The network must be a positive, finite hashrate of at least 1 H/s.
    pub fn validate(&self) -> Result<()> {
        let hps = self.hashes_per_second;
        if !(hps >= 1.0 && hps.is_finite()) {
            return Err(Error::input(format!(
                "the network hashrate must be at least 1 H/s and finite, got {} EH/s",
                super::num(hps / 1e18)
            )));
        }
        Ok(())
    }

    /// The block subsidy at the height the figure comes from, where known
    /// (proven or claimed); else today's.
    pub fn subsidy_btc(&self) -> f64 {
        match self.headers.as_ref().and_then(|h| h.last_height) {
            Some(height) => subsidy_btc_at(height),
            None => SUBSIDY_BTC,
        }
    }

    /// Where the subsidy comes from: Bitcoin's rules at a height the chain
    /// proves, else assumed (a claimed height, or today's subsidy).
    pub fn subsidy_source(&self) -> Source {
        match &self.headers {
            Some(span) if span.height_proven => Source::Protocol,
            _ => Source::Assumed,
        }
    }

    pub fn subsidy_basis(&self) -> String {
        let span = self.headers.as_ref();
        match (span.and_then(|h| h.last_height), span.is_some_and(|h| h.height_proven)) {
            (Some(height), true) => format!("protocol: the subsidy at height {height}"),
            (Some(height), false) => format!(
                "assumed: the subsidy at height {height}, which the header file claims and no embedded header proves"
            ),
            (None, _) => "assumed: the subsidy since block 840,000 (no header proves a height)".into(),
        }
    }
}

/// Whether headers that break a proof-of-work rule are refused (the
/// default) or used and labelled given (`--unchecked-headers`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consensus {
    Enforced,
    Unchecked,
}

impl Consensus {
    /// A broken rule: an error when enforced, carried along (to label the
    /// figure) when not.
    fn apply(self, broken: Option<String>) -> Result<Option<String>> {
        match (broken, self) {
            (Some(why), Consensus::Enforced) => Err(Error::input(format!(
                "{why}; give --unchecked-headers to use such headers anyway (the network figure is then labelled given, not chain)"
            ))),
            (broken, _) => Ok(broken),
        }
    }
}

/// The block hash and height of every embedded header with a height.
fn embedded_heights() -> Vec<(BlockHash, u64)> {
    catalog::embedded()
        .into_iter()
        .filter_map(|e| Some((e.header.block_hash(), e.height?)))
        .collect()
}

/// The height the chain proves for `known`: it is a header of the
/// embedded, verified set (by its block hash). A height given beside it
/// that differs is an error.
fn proven_height(
    known: &KnownHeader,
    name: &str,
    embedded: &[(BlockHash, u64)],
) -> Result<Option<u64>> {
    let hash = known.header.block_hash();
    let Some(height) = embedded
        .iter()
        .find(|(embedded, _)| *embedded == hash)
        .map(|(_, height)| *height)
    else {
        return Ok(None);
    };
    if let Some(claimed) = known.height.filter(|&claimed| claimed != height) {
        return Err(Error::input(format!(
            "{name} is block {height} of the embedded set, not height {claimed} as given"
        )));
    }
    Ok(Some(height))
}

/// 50 BTC halved every 210,000 blocks, in whole satoshis as Core does.
pub fn subsidy_btc_at(height: u64) -> f64 {
    let halvings = height / HALVING_INTERVAL;
    if halvings >= 64 {
        return 0.0;
    }
    (5_000_000_000u64 >> halvings) as f64 / 1e8
}

/// A header's hash and proof of work: an error when it does not hash to the
/// hash given beside it or its nBits is no target at all; the proof-of-work
/// rule it breaks, if any (a target easier than the limit, a hash above its
/// target), for [`Consensus::apply`] to judge.
fn check_hash(known: &KnownHeader, name: &str) -> Result<Option<String>> {
    let hash = known.header.block_hash();
    if let Some(expected) = known.expected_hash {
        if expected != hash {
            return Err(Error::input(format!(
                "{name} hashes to {hash}, not to the block hash given beside it ({expected})"
            )));
        }
    }
    let target = known.header.target()?;
    let limit = Target::from_compact(POW_LIMIT_BITS).expect("the proof-of-work limit decodes");
    if target > limit {
        return Ok(Some(format!(
            "{name} has a target easier than Bitcoin's proof-of-work limit (nBits 0x{:08x}, the limit is 0x{POW_LIMIT_BITS:08x}): no mainnet block has one",
            known.header.bits()
        )));
    }
    if !hash.meets(&target) {
        return Ok(Some(format!(
            "{name} is not a mined block: its hash {hash} does not meet its own target"
        )));
    }
    Ok(None)
}

/// 139.8 T, 1.18.
pub fn format_difficulty(difficulty: f64) -> String {
    if difficulty >= 1000.0 {
        crate::units::format_si(difficulty).trim_end().to_string()
    } else {
        format!("{difficulty:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_latest_embedded_difficulty() {
        let known = catalog::latest_embedded();
        let network = Network::latest_embedded();
        let expected = known.header.difficulty() * 4_294_967_296.0 / 600.0;
        assert!(((network.hashes_per_second - expected) / expected).abs() < 1e-9);
        let span = network.headers.unwrap();
        assert_eq!(span.last_height, Some(951_658));
        assert!(network.basis.contains("block 951658"), "{}", network.basis);
    }

    #[test]
    fn subsidies_halve() {
        assert_eq!(subsidy_btc_at(0), 50.0);
        assert_eq!(subsidy_btc_at(209_999), 50.0);
        assert_eq!(subsidy_btc_at(210_000), 25.0);
        assert_eq!(subsidy_btc_at(840_000), 3.125);
        assert_eq!(subsidy_btc_at(951_658), 3.125);
        assert_eq!(subsidy_btc_at(1_050_000), 1.5625);
        assert_eq!(subsidy_btc_at(64 * 210_000), 0.0);
    }

    #[test]
    fn one_header_that_is_not_mined_is_refused() {
        let mut known = catalog::latest_embedded();
        known.header = known.header.with_nonce(known.header.nonce() ^ 1);
        known.expected_hash = None;
        let err = Network::from_header(&known).unwrap_err();
        assert!(err.message.contains("not a mined block"), "{}", err.message);
    }
}
