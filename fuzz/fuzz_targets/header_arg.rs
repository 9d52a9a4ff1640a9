//! `--header` and `--target` text: whatever arrives, an answer or an error,
//! never a panic. Parsed headers must also hash, decode their nBits and
//! round-trip through hex.
#![no_main]

use hashwatt::chain::catalog;
use hashwatt::chain::header::BlockHeader;
use hashwatt::chain::target::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // `@FILE` reads a file: not what this target is about.
    if !text.trim_start().starts_with('@') {
        if let Ok(known) = catalog::resolve(&text) {
            let _ = known.header.target();
            let _ = known.header.difficulty();
        }
    }
    if let Ok(header) = BlockHeader::from_hex(&text) {
        assert_eq!(BlockHeader::from_hex(&header.to_hex()), Ok(header));
        let _ = header.block_hash();
        let _ = header.midstate();
        let _ = header.target();
    }
    if data.len() >= 4 {
        let bits = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
        if let Ok(target) = Target::from_compact(bits) {
            assert!(target > Target::from_limbs([0; 8]));
        }
    }
    let _ = Target::from_hex(&text);
});
