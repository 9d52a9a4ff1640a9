//! The one validator of bench documents: every reader (`compare`,
//! `estimate --from`, the fleet, the web page's estimate) gets a document
//! only through [`super::read_bench`] or [`super::parse_bench`], which call
//! [`validate`]; nothing a figure depends on is believed unchecked.
//!
//! Classes of check, each written once here:
//! - **proof of work**: a version 3 document must carry its proof, marked
//!   valid and passed, and the proof is worked out again from the nonces
//!   and shares (a flag alone is never believed). Older documents (bench/1,
//!   bench/2) predate it: their shares are tested the same way, a failure is
//!   refused, and too few expected shares make them *unproven*, read with a
//!   note ([`Standing::Unproven`]).
//! - **rates**: positive, finite, between [`bounds::MIN_HASHES_PER_SECOND`]
//!   and [`bounds::MAX_HASHES_PER_SECOND`], and equal to the nonces over the
//!   seconds (per trial, and the headline: the median of the trials with
//!   `--repeat`).
//! - **spreads**: every figure finite and non-negative, min <= p5 <= median
//!   <= p95 <= max, count at least 1.
//! - **durations and counts**: seconds in (0, a year], at least one nonce
//!   and one batch, the trials adding up to the totals, shares expected as
//!   nonces / 2^bits, every share found verified.
//! - **energy**: hashes per joule between 1e-6 (1 H/s at a megawatt) and
//!   [`bounds::MAX_HASHES_PER_JOULE`], J/TH equal to 1e12 over it, watts
//!   positive and within [`bounds::MAX_DEVICE_WATTS`], joules positive and
//!   the hashes per joule equal to the nonces over them.
//!
//! An error names the field (`energy.joules_per_terahash`,
//! `trials[2].seconds`, ...) and what is wrong with it; the reader adds the
//! file.

use super::{BenchReport, BENCH_SCHEMA};
use crate::bench::stats::percentile;
use crate::bench::Spread;
use crate::site::bounds;
use crate::units::num;
use crate::verify::proof::{ProofOfWork, ProofVerdict};

/// Relative difference within which two figures that must agree do.
const AGREE: f64 = 1e-6;

/// What a valid document proves.
#[derive(Clone, Debug, PartialEq)]
pub enum Standing {
    /// Its proof of work passed.
    Proven,
    /// An older document (before bench/3) whose shares are too few to prove
    /// the work either way: read, with this note.
    Unproven(String),
}

/// Checks every figure of a bench document (see the module documentation).
/// The error is one line: the field, and why it cannot be believed.
pub fn validate(report: &BenchReport) -> Result<Standing, String> {
    counts(report)?;
    let standing = proof(report)?;
    rates(report)?;
    for (field, spread) in [
        ("spread", &report.spread),
        ("trial_spread", &report.trial_spread),
    ] {
        if let Some(spread) = spread {
            check_spread(field, spread)?;
        }
    }
    energy(report)?;
    for (field, value) in [
        ("gpu_seconds", report.gpu_seconds),
        ("gpu_busy_share", report.gpu_busy_share),
    ] {
        if let Some(value) = value {
            non_negative(field, value)?;
        }
    }
    Ok(standing)
}

fn fail<T>(field: &str, why: String) -> Result<T, String> {
    Err(format!("{field} {why}"))
}

fn non_negative(field: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        fail(
            field,
            format!("is {}, not a finite number of 0 or more", num(value)),
        )
    }
}

/// `value` in (0, max] (and at least `min`, where it is above 0).
fn within(field: &str, value: f64, min: f64, max: f64, what: &str) -> Result<(), String> {
    if value.is_finite() && value > 0.0 && value >= min && value <= max {
        Ok(())
    } else {
        fail(
            field,
            format!(
                "is {}, not {what} (a positive, finite number from {} to {})",
                num(value),
                num(min),
                num(max)
            ),
        )
    }
}

fn agree(field: &str, value: f64, implied: f64, because: &str) -> Result<(), String> {
    if (value - implied).abs() <= AGREE * implied.abs().max(value.abs()) {
        Ok(())
    } else {
        fail(
            field,
            format!(
                "is {}, but {because} gives {}: the document contradicts itself",
                num(value),
                num(implied)
            ),
        )
    }
}

fn rate(field: &str, value: f64) -> Result<(), String> {
    within(
        field,
        value,
        bounds::MIN_HASHES_PER_SECOND,
        bounds::MAX_HASHES_PER_SECOND,
        "a hashrate",
    )
}

fn counts(report: &BenchReport) -> Result<(), String> {
    if report.nonces == 0 {
        return fail(
            "nonces",
            "is 0: a run that hashed nothing is no result".into(),
        );
    }
    within(
        "seconds",
        report.seconds,
        0.0,
        bounds::MAX_RUN_SECONDS,
        "a run's length",
    )?;
    if report.batches == 0 {
        return fail("batches", "is 0, but nonces were hashed".into());
    }
    let shares = &report.shares;
    if shares.bits > 255 {
        return fail(
            "shares.bits",
            format!("is {}, more than a hash has (255)", shares.bits),
        );
    }
    if shares.verified != shares.found {
        return fail(
            "shares.verified",
            format!(
                "is {} of {} found: a share sha2 rejected makes no result",
                shares.verified, shares.found
            ),
        );
    }
    agree(
        "shares.expected",
        shares.expected,
        crate::verify::proof::expected_shares(report.nonces, shares.bits),
        "nonces / 2^bits",
    )?;
    if !report.trials.is_empty() {
        let nonces: u64 = report.trials.iter().map(|t| t.nonces).sum();
        if nonces != report.nonces {
            return fail(
                "nonces",
                format!("is {}, but the trials add up to {nonces}", report.nonces),
            );
        }
        let seconds: f64 = report.trials.iter().map(|t| t.seconds).sum();
        agree("seconds", report.seconds, seconds, "the trials' sum")?;
    }
    Ok(())
}

/// The proof of work, worked out again from the document's own counts.
fn proof(report: &BenchReport) -> Result<Standing, String> {
    let shares = &report.shares;
    let judged = ProofOfWork::judge(report.nonces, shares.bits, shares.verified);
    let not_a_result = |field: &str, proof: &ProofOfWork| {
        Err(format!(
            "not a result ({field}): {}",
            proof.failure().unwrap_or_default()
        ))
    };
    if report.schema == BENCH_SCHEMA {
        let Some(recorded) = &report.proof_of_work else {
            return fail(
                "proof_of_work",
                format!("is missing, and every {BENCH_SCHEMA} document has one"),
            );
        };
        if !report.valid {
            return not_a_result("valid is false", recorded);
        }
        if !recorded.passed || recorded.verdict != ProofVerdict::Passed {
            return not_a_result("proof_of_work did not pass", recorded);
        }
        if (recorded.nonces, recorded.share_bits, recorded.found)
            != (report.nonces, shares.bits, shares.verified)
        {
            return fail(
                "proof_of_work",
                format!(
                    "is for {} nonces at {} bits with {} shares, but the run records {} nonces at {} bits with {}",
                    recorded.nonces,
                    recorded.share_bits,
                    recorded.found,
                    report.nonces,
                    shares.bits,
                    shares.verified
                ),
            );
        }
    } else if !report.valid {
        return Err("not a result (valid is false)".into());
    }
    match judged.verdict {
        ProofVerdict::Passed => Ok(Standing::Proven),
        ProofVerdict::Failed => not_a_result("shares.found is too few", &judged),
        ProofVerdict::TooFewShares if report.schema == BENCH_SCHEMA => {
            not_a_result("shares.expected is too few", &judged)
        }
        ProofVerdict::TooFewShares => Ok(Standing::Unproven(format!(
            "written before the proof of work ({}), with {:.1} shares expected where {:.0} would prove the work: its rate is unproven",
            report.schema, judged.expected, judged.min_expected
        ))),
    }
}

fn rates(report: &BenchReport) -> Result<(), String> {
    rate("hashes_per_second", report.hashes_per_second)?;
    let mut trial_rates = Vec::with_capacity(report.trials.len());
    for (i, trial) in report.trials.iter().enumerate() {
        let field = |name: &str| format!("trials[{i}].{name}");
        if trial.nonces == 0 {
            return fail(&field("nonces"), "is 0: an empty trial".into());
        }
        within(
            &field("seconds"),
            trial.seconds,
            0.0,
            bounds::MAX_RUN_SECONDS,
            "a trial's length",
        )?;
        rate(&field("hashes_per_second"), trial.hashes_per_second)?;
        agree(
            &field("hashes_per_second"),
            trial.hashes_per_second,
            trial.nonces as f64 / trial.seconds,
            "its nonces over its seconds",
        )?;
        if let Some(spread) = &trial.spread {
            check_spread(&field("spread"), spread)?;
        }
        for (j, sample) in trial.samples.iter().enumerate() {
            let field = |name: &str| format!("trials[{i}].samples[{j}].{name}");
            within(
                &field("seconds"),
                sample.seconds,
                0.0,
                bounds::MAX_RUN_SECONDS,
                "an interval's length",
            )?;
            non_negative(&field("hashes_per_second"), sample.hashes_per_second)?;
            agree(
                &field("hashes_per_second"),
                sample.hashes_per_second,
                sample.nonces as f64 / sample.seconds,
                "its nonces over its seconds",
            )?;
            if let Some(watts) = sample.watts {
                non_negative(&field("watts"), watts)?;
            }
        }
        trial_rates.push(trial.hashes_per_second);
    }
    let (implied, because) = if trial_rates.len() > 1 {
        trial_rates.sort_by(f64::total_cmp);
        (percentile(&trial_rates, 0.5), "the median of the trials")
    } else {
        (
            report.nonces as f64 / report.seconds,
            "the nonces over the seconds",
        )
    };
    agree(
        "hashes_per_second",
        report.hashes_per_second,
        implied,
        because,
    )
}

fn check_spread(field: &str, spread: &Spread) -> Result<(), String> {
    if spread.count == 0 {
        return fail(
            &format!("{field}.count"),
            "is 0: a spread of nothing".into(),
        );
    }
    for (name, value) in [
        ("median", spread.median),
        ("mean", spread.mean),
        ("min", spread.min),
        ("max", spread.max),
        ("p5", spread.p5),
        ("p95", spread.p95),
        ("cv", spread.cv),
    ] {
        non_negative(&format!("{field}.{name}"), value)?;
    }
    if !spread.drift.is_finite() {
        return fail(
            &format!("{field}.drift"),
            format!("is {}, not a finite number", num(spread.drift)),
        );
    }
    let order = [
        ("min", spread.min),
        ("p5", spread.p5),
        ("median", spread.median),
        ("p95", spread.p95),
        ("max", spread.max),
    ];
    for pair in order.windows(2) {
        let ((low_name, low), (high_name, high)) = (pair[0], pair[1]);
        if low > high * (1.0 + 1e-12) {
            return fail(
                &format!("{field}.{low_name}"),
                format!(
                    "is {}, above {high_name} {}: min <= p5 <= median <= p95 <= max must hold",
                    num(low),
                    num(high)
                ),
            );
        }
    }
    Ok(())
}

fn energy(report: &BenchReport) -> Result<(), String> {
    let Some(energy) = &report.energy else {
        return Ok(());
    };
    within(
        "energy.hashes_per_joule",
        energy.hashes_per_joule,
        bounds::MIN_HASHES_PER_SECOND / bounds::MAX_DEVICE_WATTS,
        bounds::MAX_HASHES_PER_JOULE,
        "an efficiency",
    )?;
    within(
        "energy.joules_per_terahash",
        energy.joules_per_terahash,
        1e12 / bounds::MAX_HASHES_PER_JOULE,
        1e12 * bounds::MAX_DEVICE_WATTS / bounds::MIN_HASHES_PER_SECOND,
        "an efficiency",
    )?;
    agree(
        "energy.joules_per_terahash",
        energy.joules_per_terahash,
        1e12 / energy.hashes_per_joule,
        "1e12 / hashes_per_joule",
    )?;
    within(
        "energy.avg_watts",
        energy.avg_watts,
        0.0,
        bounds::MAX_DEVICE_WATTS,
        "one device's power",
    )?;
    within(
        "energy.joules",
        energy.joules,
        0.0,
        bounds::MAX_DEVICE_WATTS * bounds::MAX_RUN_SECONDS,
        "an energy",
    )?;
    agree(
        "energy.hashes_per_joule",
        energy.hashes_per_joule,
        report.nonces as f64 / energy.joules,
        "the nonces over the joules",
    )?;
    for (field, value) in [
        ("energy.idle_watts", energy.idle_watts),
        ("energy.joules_above_idle", energy.joules_above_idle),
        (
            "energy.hashes_per_joule_above_idle",
            energy.hashes_per_joule_above_idle,
        ),
    ] {
        if let Some(value) = value {
            non_negative(field, value)?;
        }
    }
    if let Some(idle) = energy.idle_watts {
        if idle > bounds::MAX_DEVICE_WATTS {
            return fail(
                "energy.idle_watts",
                format!("is {}, more than one device draws", num(idle)),
            );
        }
    }
    Ok(())
}
