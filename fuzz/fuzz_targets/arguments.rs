//! Command-line numbers and every message shown: a number parser answers
//! with a finite value or a message, and the sanitizer's output never holds
//! a control or invisible character, whatever the bytes.
#![no_main]

use hashwatt::cli::numbers::parse_number;
use hashwatt::cli::numbers::parse_whole;
use hashwatt::sanitize::sanitize;
use libfuzzer_sys::fuzz_target;

fn visible(text: &str) -> bool {
    !text.chars().any(|c| {
        c.is_control() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}')
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    assert!(visible(&sanitize(&text)));
    match parse_number(&text) {
        Ok(value) => assert!(value.is_finite()),
        Err(message) => assert!(visible(&message)),
    }
    match parse_whole::<u64>(&text) {
        Ok(value) => assert_eq!(Ok(value), text.trim().trim_start_matches('+').parse::<u64>()),
        Err(message) => assert!(visible(&message)),
    }
    if let Err(message) = parse_whole::<u32>(&text) {
        assert!(visible(&message));
    }
});
