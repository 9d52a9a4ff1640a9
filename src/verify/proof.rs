//! Proof of work: the shares a run found must be as many as the nonces it
//! claims to have hashed imply.
//!
//! A share is a hash with at least `b` leading zero bits: each hash is one
//! with probability 2^-b, so `n` hashed nonces give a count of shares that
//! is Poisson with mean `n / 2^b` (binomial, to within 2^-b). Each share is
//! verified with sha2 one by one ([`crate::verify::hits`]), so a device cannot claim
//! shares it did not find; what it can do is claim nonces it did not hash: a
//! kernel that returns before hashing, or one that skips every other nonce,
//! reports a rate two or a thousand times its work. Only the count of
//! shares tells.
//!
//! The test is one-sided: the run fails when finding as few shares as it
//! did is less likely than [`P_THRESHOLD`] (one in a million) for a device
//! that hashed every nonce, i.e. when P(X <= found) < 1e-6 for X Poisson
//! with the expected mean. More shares than expected cannot be forged (each
//! one is checked), so only a shortfall counts. A shortfall that unlikely
//! fails however few shares were expected (0 found of 69 expected has
//! p = 1e-30).
//!
//! The test has power only when enough shares are expected:
//!
//! | expected | fails below | a half-rate kernel escapes with probability |
//! |---------:|------------:|--------------------------------------------:|
//! |       64 |          30 | 0.66                                        |
//! |      128 |          78 | 0.049                                       |
//! |      256 |         184 | 1.9e-6                                      |
//! |      512 |         408 | 1.4e-18                                     |
//! |     1024 |         876 | 1.9e-48                                     |
//!
//! So a run needs at least [`MIN_EXPECTED_SHARES`] (256) expected shares to
//! count as proven, and the bench picks its share difficulty for
//! [`PLANNED_SHARES`] (1024 to 2048) in the planned run, lowering the share
//! bits (down to 0: every hash a share) for short runs rather than weakening
//! the test. A run with fewer expected shares, or none at all (a timed part
//! that hashed nothing), is not a result.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A run fails when so few shares are this unlikely for honest work.
pub const P_THRESHOLD: f64 = 1e-6;
/// Fewest expected shares for the test to have power: at 256 a kernel that
/// hashes half its nonces fails with probability 1 - 1.9e-6.
pub const MIN_EXPECTED_SHARES: f64 = 256.0;
/// What the default share difficulty aims for in a planned run (between
/// this and twice this), so a run up to four times shorter than planned
/// still has the power.
pub const PLANNED_SHARES: f64 = 1024.0;
/// The test's name in reports.
pub const TEST_NAME: &str = "poisson-lower-tail";

/// The share bits that give between [`PLANNED_SHARES`] and twice as many
/// shares in `planned_nonces` (0 for runs too short for that; at most 64).
pub fn share_bits_for(planned_nonces: f64) -> u32 {
    let bits = (planned_nonces / PLANNED_SHARES).max(1.0).log2().floor();
    bits.clamp(0.0, 64.0) as u32
}

/// The most share bits that still give [`MIN_EXPECTED_SHARES`] in `nonces`;
/// `None` when even every hash being a share would not (fewer than 256
/// nonces).
pub fn max_share_bits(nonces: f64) -> Option<u32> {
    if nonces.is_nan() || nonces < MIN_EXPECTED_SHARES {
        return None;
    }
    Some(((nonces / MIN_EXPECTED_SHARES).log2().floor()).clamp(0.0, 255.0) as u32)
}

/// Shares expected from `nonces` at `share_bits`.
pub fn expected_shares(nonces: u64, share_bits: u32) -> f64 {
    nonces as f64 / 2f64.powi(share_bits as i32)
}

/// What the test said.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProofVerdict {
    /// Enough shares expected and not too few found.
    Passed,
    /// Fewer shares than honest work gives with probability 1e-6.
    Failed,
    /// Fewer than 256 shares expected (none, when nothing was hashed) and
    /// no shortfall below 1e-6: the run proves nothing either way.
    TooFewShares,
}

/// The proof of work of a run: the shares it found against those its
/// nonces imply.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct ProofOfWork {
    /// `poisson-lower-tail`.
    pub test: String,
    /// Nonces the run claims to have hashed.
    pub nonces: u64,
    pub share_bits: u32,
    /// nonces / 2^share_bits.
    pub expected: f64,
    /// Shares found and verified by sha2.
    pub found: u64,
    /// P(X <= found) for X Poisson with mean `expected`: how likely so few
    /// shares are from honest work (0 when below what a double holds).
    pub p_value: f64,
    /// log10 of `p_value`, which stays finite where `p_value` underflows.
    pub log10_p_value: f64,
    /// The run fails below this p-value (1e-6).
    pub threshold: f64,
    /// Fewest expected shares for the test to have power (256).
    pub min_expected: f64,
    pub verdict: ProofVerdict,
    /// True only for `passed`.
    pub passed: bool,
}

impl ProofOfWork {
    /// The test for `found` verified shares from `nonces` at `share_bits`.
    pub fn judge(nonces: u64, share_bits: u32, found: u64) -> Self {
        let expected = expected_shares(nonces, share_bits);
        let ln_p = ln_poisson_cdf(found, expected);
        // A shortfall this unlikely fails whatever was expected; passing
        // takes enough expected shares for the test to have had power.
        let verdict = if ln_p < P_THRESHOLD.ln() {
            ProofVerdict::Failed
        } else if expected.is_nan() || expected < MIN_EXPECTED_SHARES {
            ProofVerdict::TooFewShares
        } else {
            ProofVerdict::Passed
        };
        ProofOfWork {
            test: TEST_NAME.into(),
            nonces,
            share_bits,
            expected,
            found,
            p_value: ln_p.exp(),
            log10_p_value: ln_p / std::f64::consts::LN_10,
            threshold: P_THRESHOLD,
            min_expected: MIN_EXPECTED_SHARES,
            verdict,
            passed: verdict == ProofVerdict::Passed,
        }
    }

    /// The p-value as people read it: "3.3e-7", or "10^-434.3" where a
    /// double cannot hold it.
    pub fn p_text(&self) -> String {
        if self.p_value > 0.0 {
            format!("{:.2e}", self.p_value)
        } else {
            format!("10^{:.1}", self.log10_p_value)
        }
    }

    /// One line on why the run is not a result; `None` when it passed.
    pub fn failure(&self) -> Option<String> {
        match self.verdict {
            ProofVerdict::Passed => None,
            ProofVerdict::Failed => Some(format!(
                "proof of work failed: found {} shares where {:.1} were expected for {} nonces at {} bits (p = {} < {:e}): the device did not hash the nonces it claims",
                self.found,
                self.expected,
                self.nonces,
                self.share_bits,
                self.p_text(),
                self.threshold
            )),
            ProofVerdict::TooFewShares if self.nonces == 0 => Some(
                "the timed part hashed nothing (0 nonces): no rate, no proof of work; run longer".into(),
            ),
            ProofVerdict::TooFewShares => Some(format!(
                "too little work to prove: {} nonces at {} bits give {:.1} expected shares (found {}), and the proof of work needs {:.0}; run longer or lower --share-bits",
                self.nonces, self.share_bits, self.expected, self.found, self.min_expected
            )),
        }
    }
}

/// ln P(X <= k) for X Poisson with mean `lambda`, accurate where it
/// matters (the lower tail, down to far below what a double holds).
///
/// For `lambda` up to 1e8 the terms e^-λ λ^i / i! are summed from the
/// largest one outward, in log space; beyond that (share bits chosen far
/// too low), the normal approximation with continuity correction, whose
/// error at 1e8 and beyond is far smaller than any margin the test uses.
pub fn ln_poisson_cdf(k: u64, lambda: f64) -> f64 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0.0; // nothing expected: any count is likely
    }
    if !lambda.is_finite() {
        return f64::NEG_INFINITY;
    }
    let kf = k as f64;
    if lambda > 1e8 {
        let z = (kf + 0.5 - lambda) / lambda.sqrt();
        return ln_normal_cdf(z);
    }
    if kf < lambda {
        // Terms grow toward i = k: sum downward from there.
        let ln_top = ln_term(kf, lambda);
        let mut sum = 1.0;
        let mut term = 1.0;
        let mut i = kf;
        while i > 0.0 {
            term *= i / lambda;
            sum += term;
            if term < 1e-17 * sum {
                break;
            }
            i -= 1.0;
        }
        ln_top + sum.ln()
    } else {
        // The upper tail P(X > k), its terms shrinking from i = k + 1.
        let ln_top = ln_term(kf + 1.0, lambda);
        let mut sum = 1.0;
        let mut term = 1.0;
        let mut i = kf + 1.0;
        loop {
            i += 1.0;
            term *= lambda / i;
            sum += term;
            if term < 1e-17 * sum {
                break;
            }
        }
        let upper = (ln_top + sum.ln()).exp();
        (1.0 - upper).max(0.0).ln()
    }
}

/// ln(e^-λ λ^i / i!).
fn ln_term(i: f64, lambda: f64) -> f64 {
    -lambda + i * lambda.ln() - ln_factorial(i)
}

/// ln(n!), exact below 20 and by Stirling's series above (error < 1e-15).
fn ln_factorial(n: f64) -> f64 {
    if n < 20.0 {
        return (2..=n as u64).map(|i| (i as f64).ln()).sum();
    }
    let inv = 1.0 / n;
    let inv2 = inv * inv;
    n * n.ln() - n
        + 0.5 * (2.0 * std::f64::consts::PI * n).ln()
        + inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 / 1260.0))
}

/// ln Φ(z), the standard normal's lower tail, also far out where Φ
/// underflows.
fn ln_normal_cdf(z: f64) -> f64 {
    if z > -5.0 {
        return (0.5 * erfc(-z / std::f64::consts::SQRT_2)).ln();
    }
    // Φ(z) = φ(z)/|z| (1 - 1/z² + 3/z⁴ - 15/z⁶ ...) for z far below 0.
    let z2 = z * z;
    let series = 1.0 - 1.0 / z2 + 3.0 / (z2 * z2) - 15.0 / (z2 * z2 * z2);
    -0.5 * z2 - (-z).ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() + series.ln()
}

/// The complementary error function (W. J. Cody's rational approximations
/// as in Numerical Recipes' erfcc: relative error below 1.2e-7, enough for
/// a decision at 1e-6 made with margins of orders of magnitude).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, relative: f64) -> bool {
        ((a - b) / b).abs() < relative
    }

    /// Values from mpmath (50 digits): gammainc(k + 1, λ, inf, regularized=True).
    #[test]
    fn the_lower_tail_at_known_values() {
        for (k, lambda, expected) in [
            (0, 100.0, 3.720_075_976_020_836e-44),
            (128, 256.0, 6.122_341_319_822_7e-19),
            (180, 256.0, 3.280_346_453_569_2e-7),
            (181, 256.0, 4.697_432_933_465_639_5e-7),
            (256, 256.0, 0.516_614_301_047_216),
            (60, 128.0, 1.556_362_022_912_652_3e-11),
            (1000, 1024.0, 0.232_089_772_430_221_88),
            (10, 5.0, 0.986_304_731_401_617),
            (999_000, 1e6, 0.158_776_299_811_726),
        ] {
            let p = ln_poisson_cdf(k, lambda).exp();
            assert!(
                close(p, expected, 1e-7),
                "P(X <= {k} | {lambda}) = {p}, not {expected}"
            );
        }
        // Far below a double: ln P(X <= 0 | 1000) = -1000; mpmath gives
        // P(X <= 500000 | 1e6) = 6.4466558e-66636.
        assert!((ln_poisson_cdf(0, 1000.0) + 1000.0).abs() < 1e-9);
        let log10 = ln_poisson_cdf(500_000, 1e6) / std::f64::consts::LN_10;
        assert!(
            (log10 - (-66_636.0 + 6.446_655_8_f64.log10())).abs() < 1e-3,
            "{log10}"
        );
        assert_eq!(ln_poisson_cdf(3, 0.0), 0.0);
    }

    #[test]
    fn the_bound_at_256_expected_shares() {
        // The critical count at 256 is 183 (P = 9.48e-7); 184 passes.
        assert_eq!(
            ProofOfWork::judge(256, 0, 183).verdict,
            ProofVerdict::Failed
        );
        assert_eq!(
            ProofOfWork::judge(256, 0, 184).verdict,
            ProofVerdict::Passed
        );
        // Half the work: 128 of 256 fails, 0 of anything fails.
        let half = ProofOfWork::judge(256 << 10, 10, 128);
        assert!(!half.passed && half.p_value < 1e-18, "{half:?}");
        let none = ProofOfWork::judge(1 << 40, 30, 0);
        assert_eq!(none.verdict, ProofVerdict::Failed);
        assert_eq!(none.p_value, 0.0);
        assert!((none.log10_p_value + 1024.0 / std::f64::consts::LN_10).abs() < 1e-6);
        assert!(none
            .failure()
            .unwrap()
            .contains("found 0 shares where 1024.0 were expected"));
        assert!(none.p_text().starts_with("10^-444.7"), "{}", none.p_text());
        // Too few expected: neither passed nor failed, and no result; but a
        // shortfall that unlikely fails whatever was expected.
        let short = ProofOfWork::judge(255, 0, 255);
        assert_eq!(short.verdict, ProofVerdict::TooFewShares);
        assert!(!short.passed);
        assert_eq!(
            ProofOfWork::judge(5, 0, 0).verdict,
            ProofVerdict::TooFewShares
        );
        assert_eq!(ProofOfWork::judge(69, 0, 0).verdict, ProofVerdict::Failed);
        assert!(ProofOfWork::judge(0, 0, 0)
            .failure()
            .unwrap()
            .contains("hashed nothing"));
        // Giant expectations take the normal approximation, and still decide.
        assert!(ProofOfWork::judge(u64::MAX, 0, u64::MAX / 2).verdict == ProofVerdict::Failed);
        assert!(ProofOfWork::judge(1 << 40, 0, (1 << 40) - 1000).passed);
    }

    #[test]
    fn share_bits_plan_for_the_test() {
        assert_eq!(share_bits_for(1000.0), 0);
        assert_eq!(share_bits_for(2048.0), 1);
        assert_eq!(share_bits_for(2.5e9), 21);
        assert_eq!(share_bits_for(1e30), 64);
        for planned in [3e3, 1e5, 2.5e9, 7.7e12] {
            let expected = planned / 2f64.powi(share_bits_for(planned) as i32);
            assert!(
                (PLANNED_SHARES..2.0 * PLANNED_SHARES).contains(&expected),
                "{planned}"
            );
        }
        assert_eq!(max_share_bits(255.0), None);
        assert_eq!(max_share_bits(256.0), Some(0));
        assert_eq!(max_share_bits(100_000.0), Some(8));
    }
}
