//! How the suite gathers its evidence: one range compared with sha2, the
//! hit list's protocol read from one dispatch, and the kernel's own hash of
//! a nonce found by bisection of the target.

use super::Counterexample;
use crate::chain::catalog::KnownHeader;
use crate::chain::header::BlockHeader;
use crate::chain::target::Target;
use crate::cpu;
use crate::error::Result;
use crate::gpu::GpuSearcher;
use crate::search::{search_range, Batch, Searcher};
use crate::verify::checks;

/// Nonces whose bytes catch a kernel that reads or writes the nonce in the
/// wrong byte order: one set byte in each position, the ends of each byte,
/// and sequences that differ from their reverse.
pub fn byte_order_traps() -> Vec<u32> {
    let mut traps = Vec::new();
    for shift in [0, 8, 16, 24] {
        traps.extend([0x01u32 << shift, 0x80 << shift, 0xff << shift]);
    }
    traps.extend([
        0x0102_0304,
        0x0403_0201,
        0x00ff_00ff,
        0xff00_ff00,
        0x7fff_ffff,
        // Not 0xffff_fffe: a pin searches the nonce and the one after it,
        // and a range ending at 2^32 is the top-of-nonce-space check's.
        0xffff_fffd,
    ]);
    traps
}

/// Compares the kernel's hits on one range with sha2's, as multisets (a
/// nonce reported twice is wrong). The counterexample is the smallest nonce
/// they disagree on.
pub(super) fn compare(
    searcher: &mut GpuSearcher,
    known: &KnownHeader,
    start: u32,
    count: u64,
    target: &Target,
) -> Result<Option<Counterexample>> {
    let header = known.header;
    let mut expected = cpu::search_serial(&header, start, count, target);
    expected.sort_unstable();
    let reported = match search_range(searcher, &header, start, count, target, count.min(1 << 22)) {
        Ok(reported) => reported,
        // The searcher refuses a hit list no right kernel leaves (more hits
        // counted than nonces searched): a failed case, not the end of the suite.
        Err(e) if e.exit_code() == crate::error::exit::CHECK_FAILED => {
            while searcher.in_flight() > 0 {
                let _ = searcher.wait_oldest();
            }
            let expected_hit = expected.first() == Some(&start);
            return Ok(Some(counterexample(
                known,
                start,
                start,
                count,
                target,
                expected_hit,
                true,
                e.message,
            )));
        }
        Err(e) => return Err(e),
    };
    let Some(nonce) = checks::first_difference(&reported, &expected) else {
        return Ok(None);
    };
    let times = reported.iter().filter(|n| **n == nonce).count();
    let in_range = (nonce as u64) >= start as u64 && (nonce as u64) < start as u64 + count;
    let expected_hit = expected.binary_search(&nonce).is_ok();
    let detail = match (expected_hit, times) {
        (true, 0) => "a hit sha2 finds was not reported".to_string(),
        (_, n) if n > 1 => format!("reported {n} times"),
        (false, _) if !in_range => "reported, but outside the range searched".to_string(),
        _ => "reported, but sha2's hash is above the target".to_string(),
    };
    Ok(Some(counterexample(
        known,
        nonce,
        start,
        count,
        target,
        expected_hit,
        times > 0,
        detail,
    )))
}

#[allow(clippy::too_many_arguments)]
fn counterexample(
    known: &KnownHeader,
    nonce: u32,
    start: u32,
    count: u64,
    target: &Target,
    expected_hit: bool,
    reported_hit: bool,
    detail: String,
) -> Counterexample {
    let header = known.header.with_nonce(nonce);
    Counterexample {
        height: known.height,
        header: header.to_hex(),
        nonce,
        start,
        count,
        target: target.to_string(),
        expected_hit,
        reported_hit,
        sha2_hash: header.block_hash().to_string(),
        kernel_hash: None,
        detail,
    }
}

/// One nonce pinned: a search of the two nonces from `nonce` (the one
/// before it at the top of the nonce space), judged on that nonce alone,
/// which must be reported exactly once if and only if sha2's hash meets
/// the target. A kernel that mishandles the ends of a range still gets the
/// pinned nonce right; this is a check of the hash and the comparison.
pub(super) fn pin(
    searcher: &mut GpuSearcher,
    known: &KnownHeader,
    nonce: u32,
    target: &Target,
) -> Result<Option<Counterexample>> {
    let start = nonce.min(u32::MAX - 1);
    let batch = Batch::new(known.header, start, 2, *target);
    let raw = searcher.dispatch_once(&batch, 16)?;
    let times = raw.nonces.iter().filter(|n| **n == nonce).count();
    let expected = known.header.with_nonce(nonce).block_hash().meets(target);
    if times == usize::from(expected) {
        return Ok(None);
    }
    let detail = match (expected, times) {
        (true, 0) => "a hit sha2 finds was not reported".to_string(),
        (_, n) if n > 1 => format!("reported {n} times"),
        _ => "reported, but sha2's hash is above the target".to_string(),
    };
    Ok(Some(counterexample(
        known,
        nonce,
        start,
        2,
        target,
        expected,
        times > 0,
        detail,
    )))
}

/// One dispatch of `overflow_nonces` hits into room for far fewer: the
/// counter must reach the exact number, the stored nonces be distinct and
/// in range.
pub(super) fn check_overflow(
    searcher: &mut GpuSearcher,
    known: &KnownHeader,
    nonces: u64,
    capacity: u32,
) -> Result<Option<Counterexample>> {
    let (start, count) = (5000u32, nonces);
    let batch = Batch::new(known.header, start, count, Target::MAX);
    let raw = searcher.dispatch_once(&batch, capacity)?;
    let mut stored = raw.nonces.clone();
    stored.sort_unstable();
    let distinct = stored.windows(2).all(|w| w[0] != w[1]);
    let in_range = stored
        .iter()
        .all(|&n| n >= start && (n as u64) < start as u64 + count);
    let room = capacity.min(count as u32) as usize;
    if raw.count as u64 == count && stored.len() == room && distinct && in_range {
        return Ok(None);
    }
    // The smallest nonce that is missing, doubled or outside.
    let mut seen = std::collections::BTreeMap::new();
    for &n in &stored {
        *seen.entry(n).or_insert(0u32) += 1;
    }
    let bad = seen
        .iter()
        .find(|(n, times)| **times > 1 || **n < start || **n as u64 >= start as u64 + count);
    let (nonce, reported) = match bad {
        Some((n, _)) => (*n, true),
        None => (
            (start..).find(|n| !seen.contains_key(n)).unwrap_or(start),
            false,
        ),
    };
    let detail = format!(
        "one dispatch of {count} nonces, all hits, into room for {}: the counter reached {} (expected {count}); {} nonces stored{}",
        capacity,
        raw.count,
        raw.nonces.len(),
        if distinct { "" } else { ", some twice" }
    );
    Ok(Some(counterexample(
        known,
        nonce,
        start,
        count,
        &Target::MAX,
        nonce >= start && (nonce as u64) < start as u64 + count,
        reported,
        detail,
    )))
}

/// The kernel's hash of one nonce as its search reveals it: the least
/// target at which it reports the nonce, by bisection bit by bit. None when
/// it does not report the nonce even at the largest target.
pub fn kernel_hash(
    searcher: &mut GpuSearcher,
    header: &BlockHeader,
    nonce: u32,
) -> Result<Option<String>> {
    let mut reports = |limbs: [u32; 8]| -> Result<bool> {
        let batch = Batch::new(*header, nonce, 1, Target::from_limbs(limbs));
        Ok(searcher.dispatch_once(&batch, 8)?.nonces.contains(&nonce))
    };
    if !reports([u32::MAX; 8])? {
        return Ok(None);
    }
    // Decide the bits from the top: keep a bit 0 when the target with it 0
    // and every lower bit 1 is still reported.
    let mut value = [0u32; 8];
    for bit in (0..256).rev() {
        let (limb, shift) = (7 - bit / 32, bit % 32);
        let mut candidate = value;
        candidate[limb] |= (1u32 << shift) - 1;
        for lower in candidate.iter_mut().skip(limb + 1) {
            *lower = u32::MAX;
        }
        if !reports(candidate)? {
            value[limb] |= 1 << shift;
        }
    }
    Ok(Some(Target::from_limbs(value).to_string()))
}

/// The number one below `target` (zero stays zero).
pub(super) fn minus_one(target: &Target) -> Target {
    let mut limbs = target.limbs();
    for limb in limbs.iter_mut().rev() {
        let (value, borrow) = limb.overflowing_sub(1);
        *limb = value;
        if !borrow {
            return Target::from_limbs(limbs);
        }
    }
    *target
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minus_one_borrows_across_limbs() {
        let t = Target::from_limbs([0, 0, 0, 0, 0, 0, 1, 0]);
        assert_eq!(minus_one(&t).limbs(), [0, 0, 0, 0, 0, 0, 0, u32::MAX]);
        assert_eq!(minus_one(&Target::from_limbs([0; 8])).limbs(), [0; 8]);
    }

    #[test]
    fn byte_order_traps_all_differ_from_their_byte_swap() {
        for nonce in byte_order_traps() {
            assert_ne!(nonce, nonce.swap_bytes(), "{nonce:#x}");
        }
    }
}
