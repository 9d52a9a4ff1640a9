//! The winning setting is proven before it is cached: with its shape
//! compiled, the device searches a window around the header's real nonce
//! at the header's own target (it must find that nonce), and a range at an
//! easy share target, whose hit set must equal, nonce for nonce, the set
//! `sha2` finds hashing every nonce on the CPU. The range starts off any
//! batch or workgroup boundary, so a shape that skips or repeats nonces
//! (a partial last invocation, a row stride) is caught.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::checks::{self, HitSetCheck, WindowCheck};
use crate::chain::catalog::KnownHeader;
use crate::chain::target::Target;
use crate::cpu;
use crate::error::Result;
use crate::search::{search_range, Searcher, NONCE_SPACE};

/// Nonces in each of the two checks.
pub const VERIFY_NONCES: u64 = 1 << 16;
/// Share difficulty of the hit-set check: about 256 hits in 2^16 nonces.
pub const VERIFY_SHARE_BITS: u32 = 8;
/// The batch size the checks search in: not a multiple of 32 x 1024, so
/// the last invocation of a batch is a partial one.
const VERIFY_BATCH: u64 = 12_345;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
pub struct Verification {
    /// The window around the header's real nonce; null when the header
    /// does not meet its own target (a made-up header has no real nonce).
    pub window: Option<WindowCheck>,
    pub hit_set: HitSetCheck,
    /// Both checks held.
    pub passed: bool,
}

/// Runs both checks with whatever kernel `searcher` has compiled.
pub fn verify(searcher: &mut dyn Searcher, known: &KnownHeader) -> Result<Verification> {
    let header = known.header;
    let real = header.nonce();
    let window = match checks::real_block_target(&header) {
        Some(target) => {
            let (start, nonces) = checks::window_around(real, VERIFY_NONCES);
            let hits = search_range(searcher, &header, start, nonces, &target, VERIFY_BATCH)?;
            Some(WindowCheck::judge(&header, start, nonces, &hits))
        }
        None => None,
    };
    let target = Target::from_leading_zero_bits(VERIFY_SHARE_BITS)?;
    // Away from the window, and odd, so no boundary lines up.
    let start = ((real as u64 ^ 0x5bd1_e995) % (NONCE_SPACE - VERIFY_NONCES)) as u32 | 1;
    let device = search_range(
        searcher,
        &header,
        start,
        VERIFY_NONCES,
        &target,
        VERIFY_BATCH,
    )?;
    // The sha2 reference on one thread: ascending, as the device's hits are.
    let sha2 = cpu::search_serial(&header, start, VERIFY_NONCES, &target);
    let hit_set = HitSetCheck::judge(start, VERIFY_NONCES, VERIFY_SHARE_BITS, &device, &sha2);
    Ok(Verification {
        passed: hit_set.passed() && window.as_ref().is_none_or(|w| w.found),
        window,
        hit_set,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::catalog;
    use crate::cpu::CpuSearcher;

    #[test]
    fn the_cpu_searcher_passes_on_a_real_header() {
        let known = catalog::latest_embedded();
        let report = verify(&mut CpuSearcher::new(2), &known).unwrap();
        assert!(report.passed, "{report:?}");
        assert!(report.window.as_ref().unwrap().found);
        // About 256 expected at 8 bits over 2^16 nonces.
        assert!(report.hit_set.sha2_hits > 150, "{report:?}");
    }
}
