//! Hex encoding and decoding, with errors that say what was wrong and where.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HexError {
    Length { expected: usize, found: usize },
    Character { position: usize, found: char },
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HexError::Length { expected, found } => {
                write!(f, "must be {expected} hex characters, got {found}")
            }
            HexError::Character { position, found } => {
                write!(
                    f,
                    "has a non-hex character {found:?} at position {}",
                    position + 1
                )
            }
        }
    }
}

pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[(byte >> 4) as usize] as char);
        out.push(DIGITS[(byte & 0xf) as usize] as char);
    }
    out
}

/// Decodes exactly `N` bytes from `2 * N` hex characters (either case).
pub fn decode_array<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() != 2 * N {
        return Err(HexError::Length {
            expected: 2 * N,
            found: chars.len(),
        });
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        let digit = |position: usize| {
            chars[position]
                .to_digit(16)
                .map(|d| d as u8)
                .ok_or(HexError::Character {
                    position,
                    found: chars[position],
                })
        };
        *byte = (digit(2 * i)? << 4) | digit(2 * i + 1)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        assert_eq!(decode_array::<2>("aB0f").unwrap(), [0xab, 0x0f]);
        assert_eq!(encode(&[0xab, 0x0f]), "ab0f");
        assert_eq!(
            decode_array::<2>("abc"),
            Err(HexError::Length {
                expected: 4,
                found: 3
            })
        );
        assert_eq!(
            decode_array::<2>("ab0g"),
            Err(HexError::Character {
                position: 3,
                found: 'g'
            })
        );
    }
}
