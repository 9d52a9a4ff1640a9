//! Bench files for `estimate --from`: any bytes give an efficiency whose
//! numbers are positive and finite, or a one-line error, never a panic; an
//! estimate built on an accepted file is either finite throughout or
//! refused by the final check.
#![no_main]

use hashwatt::site::{self, fleet, model, Site};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match fleet::parse_bench(data) {
        Ok(efficiency) => {
            assert!(efficiency.hashes_per_joule > 0.0 && efficiency.hashes_per_joule.is_finite());
            assert!(
                efficiency.joules_per_terahash > 0.0 && efficiency.joules_per_terahash.is_finite()
            );
            let estimate = site::estimate(&Site::default(), efficiency);
            if model::check(&estimate).is_ok() {
                let s = &estimate.scenarios[0];
                assert!(s.site_hashes_per_second.is_finite() && s.btc_per_day.is_finite());
                assert!((0.0..=1.0).contains(&s.network_share));
            }
        }
        Err(e) => assert!(
            !e.message.contains('\n') && !e.message.is_empty(),
            "{}",
            e.message
        ),
    }
});
