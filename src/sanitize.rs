//! The one sanitizer: every name from outside (a device name read from a
//! file, a path, a kernel's name) and every error message passes through
//! [`sanitize`] before it reaches a terminal. The output macros
//! ([`crate::output`]) call it on every line they write, and
//! [`crate::error::Error`] on its message.

/// `text` with every control or invisible character written as a `\u{..}`
/// escape: safe to print on a terminal, and always one line.
pub fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Control characters, and the format characters that change how text
/// around them looks without being seen: soft hyphen, zero-width and
/// direction marks, bidirectional embeddings, overrides and isolates, word
/// joiners, the byte-order mark, interlinear annotation marks.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}
