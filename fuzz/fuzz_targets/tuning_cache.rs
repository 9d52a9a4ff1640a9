//! The tuning cache is input like any other: whatever the file holds, the
//! parser answers with entries and problems, never a panic, and every entry
//! it accepts is one a kernel can run (at least one nonce per invocation, a
//! workgroup of 1 to 1024, the reference kernel at exactly one nonce per
//! invocation, a batch time of 1 ms to 10 s). Accepted entries written back
//! parse again, the same and without a problem.
#![no_main]

use hashwatt::kernel::{KernelVariant, MAX_WORKGROUP_SIZE};
use hashwatt::tune::{self, MAX_CACHED_BATCH_MS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let contents = tune::parse_cache(&text);
    for entry in &contents.entries {
        let config = entry.kernel_config().expect("an accepted entry has a known variant");
        assert!(config.nonces_per_invocation >= 1);
        assert!((1..=MAX_WORKGROUP_SIZE).contains(&config.workgroup_size));
        if config.variant == KernelVariant::Reference {
            assert_eq!(config.nonces_per_invocation, 1);
        }
        assert!((1..=MAX_CACHED_BATCH_MS).contains(&entry.batch_ms));
        assert!(entry.hashes_per_second > 0.0 && entry.hashes_per_second.is_finite());
    }
    let written = serde_json::json!({
        "schema": tune::CACHE_SCHEMA,
        "entries": contents.entries,
    })
    .to_string();
    let again = tune::parse_cache(&written);
    assert!(again.problems.is_empty(), "{:?}", again.problems);
    assert_eq!(again.entries.len(), contents.entries.len());
    for (a, b) in again.entries.iter().zip(&contents.entries) {
        assert_eq!((&a.device, &a.kernel, a.batch_ms), (&b.device, &b.kernel, b.batch_ms));
        // serde_json parses floats to within an ulp or so, not always exactly.
        let drift = (a.hashes_per_second - b.hashes_per_second).abs();
        assert!(drift <= b.hashes_per_second * 1e-12);
    }
});
