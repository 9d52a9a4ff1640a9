//! Header files for `verify --headers`: any text gives headers or an error
//! naming a line, never a panic.
#![no_main]

use hashwatt::chain::catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match catalog::parse_headers_text(&text) {
        Ok(headers) => {
            for known in headers {
                let _ = known.header.block_hash();
            }
        }
        Err(e) => assert!(e.0.starts_with("line "), "{}", e.0),
    }
});
