//! The mistakes that explain a wrong double SHA-256, each computed with
//! sha2: a digest returned in another byte or word order, the nonce's bytes
//! swapped, the nonce off by one, the first hash alone, a word of the first
//! digest fed to the second hash without its bytes swapped. `verify
//! --digest` matches a hash function's output against them, and the search
//! suite's diagnosis matches a kernel's hash of a nonce against them.

use sha2::digest::generic_array::GenericArray;

use crate::chain::header::{BlockHeader, SHA256_IV};
use crate::chain::target::Target;
use crate::cpu::state_to_hash;

/// A known mistake that explains an output: a short code for scripts and a
/// sentence for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub code: String,
    pub text: String,
}

/// One SHA-256 compression of 16 message words (big-endian).
pub fn compress(state: [u32; 8], block: [u32; 16]) -> [u32; 8] {
    let mut bytes = [0u8; 64];
    for (chunk, word) in bytes.chunks_exact_mut(4).zip(block) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    let mut out = state;
    sha2::compress256(&mut out, &[*GenericArray::from_slice(&bytes)]);
    out
}

/// The header's 20 message words (big-endian, the nonce in place).
pub fn header_words(header: &BlockHeader) -> [u32; 20] {
    let mut words = [0u32; 20];
    for (word, bytes) in words.iter_mut().zip(header.as_bytes().chunks_exact(4)) {
        *word = u32::from_be_bytes(bytes.try_into().expect("4 bytes"));
    }
    words
}

/// The header's second block: its last 4 words, padded for 80 bytes.
fn second_block(words: &[u32; 20]) -> [u32; 16] {
    let mut block = [0u32; 16];
    block[..4].copy_from_slice(&words[16..20]);
    block[4] = 0x8000_0000;
    block[15] = 640;
    block
}

/// The second hash's block: a first digest's 8 words, padded (256 bits).
fn digest_block(first: &[u32; 8]) -> [u32; 16] {
    let mut block = [0u32; 16];
    block[..8].copy_from_slice(first);
    block[8] = 0x8000_0000;
    block[15] = 256;
    block
}

/// sha2's states for one header: after its first block (the midstate),
/// after its second (the first hash), and the second hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stages {
    pub midstate: [u32; 8],
    pub first: [u32; 8],
    pub digest: [u32; 8],
}

impl Stages {
    pub fn of(header: &BlockHeader) -> Self {
        let words = header_words(header);
        let midstate = header.midstate();
        let first = compress(midstate, second_block(&words));
        let digest = compress(SHA256_IV, digest_block(&first));
        Stages {
            midstate,
            first,
            digest,
        }
    }
}

/// sha256d of any 80 bytes, as the second hash's state words.
fn sha256d_state(bytes: &[u8; 80]) -> [u32; 8] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(Sha256::digest(bytes));
    std::array::from_fn(|i| {
        u32::from_be_bytes(digest[4 * i..4 * i + 4].try_into().expect("4 bytes"))
    })
}

/// A state's block hash read as Bitcoin's 256-bit number.
pub fn number(state: &[u32; 8]) -> Target {
    state_to_hash(state).to_number()
}

/// Word by word: how the kernel's word `i` relates to sha2's.
pub fn word_status(got: &[u32; 8], want: &[u32; 8]) -> Vec<&'static str> {
    got.iter()
        .zip(want)
        .map(|(g, w)| {
            if g == w {
                "equal"
            } else if g.swap_bytes() == *w {
                "byte-swapped"
            } else {
                "different"
            }
        })
        .collect()
}

/// How a state may be laid out wrongly: (code, sentence, layout).
type Layout = (&'static str, &'static str, fn(&[u32; 8]) -> [u32; 8]);

const LAYOUTS: [Layout; 4] = [
    ("", "", |s| *s),
    (
        "digest-words-byte-swapped",
        "each digest word is byte-swapped (the digest's bytes read as little-endian words; --digest-order le takes that)",
        |s| s.map(u32::swap_bytes),
    ),
    (
        "digest-byte-reversed",
        "the digest is byte-reversed: its 32 bytes in reverse order, Bitcoin's display order (hashwatt takes SHA-256's order, state words H0..H7)",
        |s| std::array::from_fn(|i| s[7 - i].swap_bytes()),
    ),
    (
        "digest-words-reversed",
        "the digest's words are in reversed order (H7..H0)",
        |s| std::array::from_fn(|i| s[7 - i]),
    ),
];

/// The values a mistaken sha256d computes for this header: (code,
/// sentence, state). The first is sha256d itself.
fn sources(header: &BlockHeader) -> Vec<(String, String, [u32; 8])> {
    let nonce = header.nonce();
    let stages = Stages::of(header);
    let mut out = vec![(String::new(), String::new(), stages.digest)];
    if nonce.swap_bytes() != nonce {
        out.push((
            "nonce-byte-order".into(),
            format!(
                "it is sha2's hash of the nonce with its bytes swapped ({:#010x} for {nonce:#010x}): the nonce goes into the header in the wrong byte order",
                nonce.swap_bytes()
            ),
            Stages::of(&header.with_nonce(nonce.swap_bytes())).digest,
        ));
    }
    for (delta, sign) in [(1u32, "+"), (u32::MAX, "-")] {
        out.push((
            "nonce-off-by-one".into(),
            format!(
                "it is sha2's hash for nonce {} (the nonce {sign} 1): the nonce hashed and the nonce reported are off by one",
                nonce.wrapping_add(delta)
            ),
            Stages::of(&header.with_nonce(nonce.wrapping_add(delta))).digest,
        ));
    }
    // The whole header read with each word's bytes the other way round: a
    // function that loads little-endian words given big-endian ones, or
    // the reverse.
    let mut swapped_words = *header.as_bytes();
    for word in swapped_words.chunks_exact_mut(4) {
        word.reverse();
    }
    out.push((
        "message-words-byte-swapped".into(),
        "it is sha2's hash of the header with every 4-byte word's bytes the other way round: the function reads its message words in the other byte order (--word-order le or be says which it takes)".into(),
        sha256d_state(&swapped_words),
    ));
    out.push((
        "first-hash-only".into(),
        "it is the first SHA-256 alone: sha256 of the header, not sha256d".into(),
        stages.first,
    ));
    let mut all_swapped = stages.first;
    for word in &mut all_swapped {
        *word = word.swap_bytes();
    }
    out.push((
        "first-digest-byte-swapped".into(),
        "the first digest goes into the second hash with every word byte-swapped (its bytes read little-endian)".into(),
        compress(SHA256_IV, digest_block(&all_swapped)),
    ));
    for k in 0..8 {
        let mut first = stages.first;
        first[k] = first[k].swap_bytes();
        out.push((
            "first-digest-word-not-swapped".into(),
            format!(
                "word {k} of the first digest goes into the second hash with its bytes the other way round (not byte-swapped like the others)"
            ),
            compress(SHA256_IV, digest_block(&first)),
        ));
    }
    out
}

/// Every known mistake for this header (the nonce in place), as the state
/// it produces; sha2's own value first, with an empty code.
pub fn candidates(header: &BlockHeader) -> Vec<(Explanation, [u32; 8])> {
    let mut out = Vec::new();
    for (code, text, state) in sources(header) {
        for (layout_code, layout_text, layout) in LAYOUTS {
            let (code, text) = match (code.is_empty(), layout_code.is_empty()) {
                (true, true) => (String::new(), String::new()),
                (true, false) => (layout_code.to_string(), layout_text.to_string()),
                (false, true) => (code.clone(), text.clone()),
                (false, false) => (
                    format!("{code}+{layout_code}"),
                    format!("{text}; and {layout_text}"),
                ),
            };
            out.push((Explanation { code, text }, layout(&state)));
        }
    }
    out
}

/// The known mistake that gives `got` for this header, if any: first the
/// candidates, then a digest truncated to one or two of its words.
pub fn explain(header: &BlockHeader, got: &[u32; 8]) -> Option<Explanation> {
    let candidates = candidates(header);
    if let Some((explanation, _)) = candidates.iter().skip(1).find(|(_, state)| state == got) {
        return Some(explanation.clone());
    }
    let want = Stages::of(header).digest;
    let status = word_status(got, &want);
    let swapped: Vec<String> = (0..8)
        .filter(|&i| status[i] == "byte-swapped")
        .map(|i| i.to_string())
        .collect();
    if !swapped.is_empty() && status.iter().all(|s| *s != "different") {
        return Some(Explanation {
            code: "digest-words-partly-swapped".into(),
            text: format!(
                "word(s) {} of the digest are byte-swapped and the others right: those are stored without the byte swap the others get (or with one too many)",
                swapped.join(", ")
            ),
        });
    }
    // Truncated: only the top 32 or 64 bits of the hash number (the last
    // state words), or the first words, kept; the rest 0.
    for (layout_code, layout_text, layout) in LAYOUTS {
        let laid = layout(&want);
        for kept in [&[7usize][..], &[0], &[6, 7], &[0, 1]] {
            let truncated: [u32; 8] =
                std::array::from_fn(|i| if kept.contains(&i) { laid[i] } else { 0 });
            if truncated == [0; 8] || truncated == laid || truncated != *got {
                continue;
            }
            let words: Vec<String> = kept.iter().map(|i| i.to_string()).collect();
            let mut text = format!(
                "it is truncated to {} bits: word(s) {} are sha2's, the rest are 0",
                32 * kept.len(),
                words.join(", ")
            );
            if !layout_code.is_empty() {
                text.push_str(&format!("; and {layout_text}"));
            }
            return Some(Explanation {
                code: format!("truncated-{}-bits", 32 * kept.len()),
                text,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> BlockHeader {
        crate::chain::catalog::latest_embedded().header
    }

    #[test]
    fn stages_agree_with_sha2() {
        let h = header();
        let stages = Stages::of(&h);
        assert_eq!(state_to_hash(&stages.digest), h.block_hash());
        assert_eq!(stages.midstate, h.midstate());
    }

    #[test]
    fn every_mistake_is_named() {
        let h = header().with_nonce(0x0102_0304);
        let right = Stages::of(&h).digest;
        assert_eq!(explain(&h, &right), None, "the right digest is no mistake");
        let reversed: [u32; 8] = std::array::from_fn(|i| right[7 - i].swap_bytes());
        assert_eq!(explain(&h, &reversed).unwrap().code, "digest-byte-reversed");
        let swapped = Stages::of(&h.with_nonce(0x0403_0201)).digest;
        assert_eq!(explain(&h, &swapped).unwrap().code, "nonce-byte-order");
        let mut truncated = [0u32; 8];
        truncated[7] = right[7];
        assert_eq!(explain(&h, &truncated).unwrap().code, "truncated-32-bits");
        truncated[6] = right[6];
        assert_eq!(explain(&h, &truncated).unwrap().code, "truncated-64-bits");
        let first = Stages::of(&h).first;
        assert_eq!(explain(&h, &first).unwrap().code, "first-hash-only");
        let mut first3 = first;
        first3[3] = first3[3].swap_bytes();
        let text = explain(&h, &compress(SHA256_IV, digest_block(&first3))).unwrap();
        assert_eq!(text.code, "first-digest-word-not-swapped");
        assert!(text.text.contains("word 3"), "{}", text.text);
        assert_eq!(explain(&h, &[1; 8]), None);
        let mut bytes = *h.as_bytes();
        for word in bytes.chunks_exact_mut(4) {
            word.reverse();
        }
        assert_eq!(
            explain(&h, &sha256d_state(&bytes)).unwrap().code,
            "message-words-byte-swapped"
        );
        assert_eq!(sha256d_state(h.as_bytes()), right);
        let mut one = right;
        one[5] = one[5].swap_bytes();
        let text = explain(&h, &one).unwrap();
        assert_eq!(text.code, "digest-words-partly-swapped");
        assert!(text.text.contains("word(s) 5 "), "{}", text.text);
    }

    #[test]
    fn word_status_names_swaps() {
        let want = [1u32, 2, 3, 4, 5, 6, 7, 8];
        let mut got = want;
        got[2] = got[2].swap_bytes();
        got[5] = 99;
        assert_eq!(
            word_status(&got, &want),
            [
                "equal",
                "equal",
                "byte-swapped",
                "equal",
                "equal",
                "different",
                "equal",
                "equal"
            ]
        );
    }
}
