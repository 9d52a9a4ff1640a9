//! 256-bit proof-of-work targets: Bitcoin's compact `nBits` encoding, share
//! targets given as a number of leading zero bits, and the `hash <= target`
//! test that decides whether a nonce is a hit.

use std::fmt;

/// A 256-bit unsigned number, as eight 32-bit limbs, most significant first.
///
/// Most-significant-first is also the order in which the GPU kernel compares
/// a digest against the target, so the limbs go to the shader unchanged.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Target {
    limbs: [u32; 8],
}

/// Why an `nBits` value or a target string was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetError {
    Negative(u32),
    Overflow(u32),
    Zero(u32),
    BadHex(String),
    ShareBits(u32),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::Negative(bits) => {
                write!(
                    f,
                    "nBits 0x{bits:08x} decodes to a negative target (sign bit 0x00800000 set)"
                )
            }
            TargetError::Overflow(bits) => {
                write!(
                    f,
                    "nBits 0x{bits:08x} decodes to a target that overflows 256 bits"
                )
            }
            TargetError::Zero(bits) => write!(f, "nBits 0x{bits:08x} decodes to a zero target"),
            TargetError::BadHex(why) => write!(f, "bad target: {why}"),
            TargetError::ShareBits(bits) => {
                write!(f, "share bits must be between 0 and 255, got {bits}")
            }
        }
    }
}

impl std::error::Error for TargetError {}

impl Target {
    /// The largest target, 2^256 - 1: every hash meets it.
    pub const MAX: Target = Target {
        limbs: [u32::MAX; 8],
    };

    pub const fn from_limbs(limbs: [u32; 8]) -> Self {
        Target { limbs }
    }

    /// Limbs, most significant first.
    pub fn limbs(&self) -> [u32; 8] {
        self.limbs
    }

    /// From 32 big-endian bytes (the order block hashes are displayed in).
    pub fn from_be_bytes(bytes: [u8; 32]) -> Self {
        let mut limbs = [0u32; 8];
        for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(4)) {
            *limb = u32::from_be_bytes(chunk.try_into().expect("chunks of 4"));
        }
        Target { limbs }
    }

    pub fn to_be_bytes(&self) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        for (chunk, limb) in bytes.chunks_exact_mut(4).zip(self.limbs) {
            chunk.copy_from_slice(&limb.to_be_bytes());
        }
        bytes
    }

    /// Decodes a compact `nBits` field with Bitcoin Core's rules
    /// (`arith_uint256::SetCompact`): a 3-byte mantissa with a sign bit and a
    /// 1-byte base-256 exponent. Negative, overflowing and zero targets are
    /// errors, as they are for a block in Core's `CheckProofOfWork`.
    pub fn from_compact(bits: u32) -> Result<Self, TargetError> {
        let size = (bits >> 24) as usize;
        let mut word = bits & 0x007f_ffff;
        if size <= 3 {
            word >>= 8 * (3 - size);
        }
        if word != 0 && bits & 0x0080_0000 != 0 {
            return Err(TargetError::Negative(bits));
        }
        if word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32)) {
            return Err(TargetError::Overflow(bits));
        }
        if word == 0 {
            return Err(TargetError::Zero(bits));
        }
        let mut bytes = [0u8; 32];
        if size <= 3 {
            bytes[29..32].copy_from_slice(&word.to_be_bytes()[1..4]);
        } else {
            // The mantissa's most significant byte lands at byte 32 - size
            // (big-endian); bytes that would fall off the top are zero, which
            // the overflow test above guarantees.
            for (i, byte) in word.to_be_bytes()[1..4].iter().enumerate() {
                let pos = 32 + i as isize - size as isize;
                if (0..32).contains(&pos) {
                    bytes[pos as usize] = *byte;
                }
            }
        }
        Ok(Target::from_be_bytes(bytes))
    }

    /// The target that a hash meets when it has at least `bits` leading zero
    /// bits: 2^(256 - bits) - 1. Pool shares are counted this way; each share
    /// stands for 2^bits hashes on average.
    pub fn from_leading_zero_bits(bits: u32) -> Result<Self, TargetError> {
        if bits > 255 {
            return Err(TargetError::ShareBits(bits));
        }
        let mut limbs = [u32::MAX; 8];
        for (i, limb) in limbs.iter_mut().enumerate() {
            let limb_start = 32 * i as u32;
            if bits >= limb_start + 32 {
                *limb = 0;
            } else if bits > limb_start {
                *limb = u32::MAX >> (bits - limb_start);
            }
        }
        Ok(Target { limbs })
    }

    /// Parses 64 hex characters, most significant first (display order).
    pub fn from_hex(hex: &str) -> Result<Self, TargetError> {
        let hex = hex.trim();
        let hex = hex.strip_prefix("0x").unwrap_or(hex);
        let bytes = crate::chain::hex::decode_array::<32>(hex)
            .map_err(|e| TargetError::BadHex(format!("target {e}")))?;
        Ok(Target::from_be_bytes(bytes))
    }

    /// Approximate value as a float, for difficulties and expectations.
    pub fn to_f64(&self) -> f64 {
        self.limbs
            .iter()
            .fold(0.0, |acc, &limb| acc * 4_294_967_296.0 + limb as f64)
    }

    /// The expected number of hashes to find one hash at or below this target.
    pub fn expected_hashes(&self) -> f64 {
        2f64.powi(256) / (self.to_f64() + 1.0)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::chain::hex::encode(&self.to_be_bytes()))
    }
}

/// Bitcoin Core's `GetDifficulty`: how many times harder than the minimum
/// (nBits 0x1d00ffff) this target is, computed from the compact form.
pub fn difficulty_from_compact(bits: u32) -> f64 {
    let mut shift = (bits >> 24) & 0xff;
    let mantissa = (bits & 0x00ff_ffff) as f64;
    if mantissa == 0.0 {
        return f64::INFINITY;
    }
    let mut difficulty = 65535.0 / mantissa;
    while shift < 29 {
        difficulty *= 256.0;
        shift += 1;
    }
    while shift > 29 {
        difficulty /= 256.0;
        shift -= 1;
    }
    difficulty
}

impl From<TargetError> for crate::error::Error {
    fn from(e: TargetError) -> Self {
        crate::error::Error::input(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genesis_bits_decode_to_the_difficulty_one_target() {
        let target = Target::from_compact(0x1d00ffff).unwrap();
        assert_eq!(
            target.to_string(),
            "00000000ffff0000000000000000000000000000000000000000000000000000"
        );
        assert_eq!(difficulty_from_compact(0x1d00ffff), 1.0);
    }

    #[test]
    fn modern_bits_decode_like_bitcoin_core() {
        // Block 840000 (the fourth halving): nBits 0x17034219.
        let target = Target::from_compact(0x17034219).unwrap();
        assert_eq!(
            target.to_string(),
            "0000000000000000000342190000000000000000000000000000000000000000"
        );
        let difficulty = difficulty_from_compact(0x17034219);
        assert!((difficulty - 86_388_558_925_171.02).abs() / difficulty < 1e-9);
    }

    #[test]
    fn compact_edge_cases_follow_set_compact() {
        // Small exponents shift the mantissa right.
        assert_eq!(Target::from_compact(0x01123456).unwrap().limbs()[7], 0x12);
        assert_eq!(Target::from_compact(0x02123456).unwrap().limbs()[7], 0x1234);
        assert_eq!(
            Target::from_compact(0x03123456).unwrap().limbs()[7],
            0x123456
        );
        assert_eq!(
            Target::from_compact(0x04123456).unwrap().limbs()[7],
            0x12345600
        );
        assert_eq!(
            Target::from_compact(0x04923456),
            Err(TargetError::Negative(0x04923456))
        );
        assert_eq!(
            Target::from_compact(0xff123456),
            Err(TargetError::Overflow(0xff123456))
        );
        assert_eq!(
            Target::from_compact(0x21010000),
            Err(TargetError::Overflow(0x21010000))
        );
        assert_eq!(Target::from_compact(0x00000000), Err(TargetError::Zero(0)));
        assert_eq!(
            Target::from_compact(0x01003456),
            Err(TargetError::Zero(0x01003456))
        );
        // A sign bit on a zero mantissa is zero, not negative (Core agrees).
        assert_eq!(
            Target::from_compact(0x01803456),
            Err(TargetError::Zero(0x01803456))
        );
        // The largest legal exponent with a one-byte mantissa.
        let top = Target::from_compact(0x22000001).unwrap();
        assert_eq!(top.limbs()[0], 0x0100_0000);
    }

    #[test]
    fn leading_zero_bits_targets() {
        assert_eq!(Target::from_leading_zero_bits(0).unwrap(), Target::MAX);
        let t = Target::from_leading_zero_bits(32).unwrap();
        assert_eq!(t.limbs()[0], 0);
        assert_eq!(t.limbs()[1], u32::MAX);
        let t = Target::from_leading_zero_bits(40).unwrap();
        assert_eq!(t.limbs()[1], 0x00ff_ffff);
        assert!(Target::from_leading_zero_bits(256).is_err());
        let expected = Target::from_leading_zero_bits(20)
            .unwrap()
            .expected_hashes();
        assert!((expected - 1_048_576.0).abs() < 1.0);
    }

    #[test]
    fn hex_targets_round_trip() {
        let text = "00000000ffff0000000000000000000000000000000000000000000000000000";
        assert_eq!(Target::from_hex(text).unwrap().to_string(), text);
        assert!(Target::from_hex("00ff").is_err());
        assert!(Target::from_hex(&"zz".repeat(32)).is_err());
    }
}
