//! Every hit a device reports is hashed again on the CPU, from scratch with
//! `sha2`, against the header that was actually searched. A hit that does not
//! meet its target, falls outside its batch or comes twice is a hard failure.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::chain::header::BlockHash;
use crate::chain::target::Target;
use crate::error::{Error, Result};
use crate::search::{BatchResult, Searcher};

/// A hit after the CPU has confirmed it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct VerifiedHit {
    pub nonce: u32,
    /// Block hash in display order.
    pub hash: String,
    /// Whether it also meets the header's own nBits target (a valid block).
    pub meets_header_target: bool,
}

/// Confirms each hit of `result` on the CPU. On a mismatch the device is
/// asked for its own digest of that nonce, so the error names both hashes.
pub fn verify(searcher: &mut dyn Searcher, result: &BatchResult) -> Result<Vec<VerifiedHit>> {
    let batch = &result.batch;
    let header_target: Option<Target> = batch.header.target().ok();
    let end = batch.start as u64 + batch.count;
    let mut seen = HashSet::with_capacity(result.hits.len());
    let mut verified = Vec::with_capacity(result.hits.len());
    for &nonce in &result.hits {
        if (nonce as u64) < batch.start as u64 || nonce as u64 >= end {
            return Err(Error::check_failed(format!(
                "{}: reported nonce {nonce}, outside the batch {}..{end} it searched",
                searcher.name(),
                batch.start
            )));
        }
        if !seen.insert(nonce) {
            return Err(Error::check_failed(format!(
                "{}: reported nonce {nonce} twice in one batch",
                searcher.name()
            )));
        }
        let header = batch.header.with_nonce(nonce);
        let hash = header.block_hash();
        if !hash.meets(&batch.target) {
            let device_hash = searcher
                .digests(&[header])
                .ok()
                .and_then(|d| d.first().copied())
                .map_or_else(|| "unavailable".to_string(), |h: BlockHash| h.to_string());
            return Err(Error::check_failed(format!(
                "{}: nonce {nonce} reported as a hit, but sha2 hashes it to {hash}, above the target {}; the device's digest kernel gives {device_hash}",
                searcher.name(),
                batch.target
            )));
        }
        verified.push(VerifiedHit {
            nonce,
            hash: hash.to_string(),
            meets_header_target: header_target.is_some_and(|t| hash.meets(&t)),
        });
    }
    Ok(verified)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::catalog;
    use crate::cpu::CpuSearcher;
    use crate::search::Batch;

    fn result_with(hits: Vec<u32>) -> BatchResult {
        let header = catalog::resolve("genesis").unwrap().header;
        let target = header.target().unwrap();
        BatchResult {
            batch: Batch::new(header, 2083236000, 2000, target),
            hits,
            device_seconds: None,
        }
    }

    #[test]
    fn the_real_nonce_verifies_as_a_block() {
        let hits = verify(&mut CpuSearcher::new(1), &result_with(vec![2083236893])).unwrap();
        assert_eq!(
            hits[0].hash,
            "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
        );
        assert!(hits[0].meets_header_target);
    }

    #[test]
    fn a_false_hit_fails_naming_nonce_and_hashes() {
        let err = verify(&mut CpuSearcher::new(1), &result_with(vec![2083236894])).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::CHECK_FAILED);
        assert!(err.message.contains("nonce 2083236894"), "{}", err.message);
        assert!(
            err.message.contains("digest kernel gives"),
            "{}",
            err.message
        );
    }

    #[test]
    fn out_of_range_and_duplicate_hits_fail() {
        assert!(verify(&mut CpuSearcher::new(1), &result_with(vec![5])).is_err());
        assert!(verify(
            &mut CpuSearcher::new(1),
            &result_with(vec![2083236893, 2083236893])
        )
        .is_err());
    }
}
