//! What a bench run measured: the outcome over every trial, each trial
//! with its time series, and the shares it verified.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Sample, Spread, Stall, Warmup};
use crate::verify::proof::ProofOfWork;

/// One timed trial.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Trial {
    pub nonces: u64,
    /// Wall-clock seconds, from the first submission to the last completion.
    pub seconds: f64,
    pub hashes_per_second: f64,
    /// The rate per interval, in order of time.
    pub samples: Vec<Sample>,
    /// The spread of the interval rates; null when there was no interval.
    pub spread: Option<Spread>,
    /// Times no batch completed for far longer than batches take (see
    /// `bench::stats`); any stall makes the run unstable.
    #[serde(default)]
    pub stalls: Vec<Stall>,
}

/// The sizes the timed batches took, in nonces.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct BatchSizes {
    pub first: u64,
    pub last: u64,
    pub min: u64,
    pub max: u64,
}

/// What a run measured.
#[derive(Clone, Debug)]
pub struct BenchOutcome {
    /// Null when the run was stopped before the warm-up found a rate.
    pub warmup: Option<Warmup>,
    pub trials: Vec<Trial>,
    /// Totals over every trial.
    pub nonces: u64,
    pub seconds: f64,
    pub share_bits: u32,
    pub shares_found: u64,
    pub shares_verified: u64,
    /// Shares that also met the header's own target: valid blocks.
    pub blocks_found: u64,
    pub header_rolls: u32,
    pub batches: u64,
    pub batch_nonces: BatchSizes,
    /// Sum of the device's own per-batch times, where it measured them.
    pub device_seconds: Option<f64>,
    /// Seconds the CPU spent verifying shares during the timed part.
    pub verify_seconds: f64,
    pub interrupted: bool,
    /// Why the meter gave no reading, when it failed during the run.
    pub energy_error: Option<String>,
    /// The first shares (up to [`MAX_SHARE_RECORDS`]), each with the header
    /// fields it was verified against.
    pub share_records: Vec<ShareRecord>,
}

/// Shares kept in the outcome; the count is always exact.
pub const MAX_SHARE_RECORDS: usize = 256;

/// One verified share and the header it was found on (after any rolling).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct ShareRecord {
    pub nonce: u32,
    pub version: u32,
    pub time: u32,
    /// Block hash in display order.
    pub hash: String,
}

impl BenchOutcome {
    /// Nothing measured yet.
    pub fn empty() -> Self {
        BenchOutcome {
            warmup: None,
            trials: Vec::new(),
            nonces: 0,
            seconds: 0.0,
            share_bits: 0,
            shares_found: 0,
            shares_verified: 0,
            blocks_found: 0,
            header_rolls: 0,
            batches: 0,
            batch_nonces: BatchSizes::default(),
            device_seconds: None,
            verify_seconds: 0.0,
            interrupted: false,
            energy_error: None,
            share_records: Vec::new(),
        }
    }

    /// The headline rate: the median of the trials' rates with `repeat`,
    /// else nonces over seconds.
    pub fn hashes_per_second(&self) -> f64 {
        match self.trial_spread() {
            Some(spread) => spread.median,
            None if self.seconds > 0.0 => self.nonces as f64 / self.seconds,
            None => 0.0,
        }
    }

    /// The spread across trials, when there were several.
    pub fn trial_spread(&self) -> Option<Spread> {
        if self.trials.len() < 2 {
            return None;
        }
        let rates: Vec<f64> = self.trials.iter().map(|t| t.hashes_per_second).collect();
        Spread::of(&rates)
    }

    /// The spread of the interval rates over every trial together.
    pub fn sample_spread(&self) -> Option<Spread> {
        let rates: Vec<f64> = self
            .trials
            .iter()
            .flat_map(|t| t.samples.iter().map(|s| s.hashes_per_second))
            .collect();
        Spread::of(&rates)
    }

    /// The proof of work: the shares verified against those the nonces
    /// imply (see [`crate::verify::proof`]). A run whose proof did not pass is not
    /// a result.
    pub fn proof(&self) -> ProofOfWork {
        ProofOfWork::judge(self.nonces, self.share_bits, self.shares_verified)
    }

    /// The share of the timed part the CPU spent verifying shares.
    pub fn verify_share(&self) -> f64 {
        if self.seconds > 0.0 {
            self.verify_seconds / self.seconds
        } else {
            0.0
        }
    }
}
