//! Bitcoin block headers: the 80 serialized bytes, their fields, the block
//! hash (double SHA-256), the target that `nBits` encodes and the SHA-256
//! midstate that every nonce search starts from.
//!
//! Layout (all integers little-endian), as `bitcoin-cli getblockheader HASH false`
//! prints it:
//!
//! | bytes  | field       |
//! |--------|-------------|
//! | 0..4   | version     |
//! | 4..36  | prev block  |
//! | 36..68 | merkle root |
//! | 68..72 | time        |
//! | 72..76 | nBits       |
//! | 76..80 | nonce       |

use std::fmt;

use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256};

use crate::chain::hex::{self, HexError};
use crate::chain::target::{difficulty_from_compact, Target, TargetError};

pub const HEADER_LEN: usize = 80;

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
pub const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// An 80-byte block header, kept in its serialized form so that what is
/// hashed is exactly what was given.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockHeader {
    bytes: [u8; HEADER_LEN],
}

/// A double-SHA-256 digest, in the byte order SHA-256 produces it ("internal"
/// order). Bitcoin reads it as a little-endian 256-bit number and displays it
/// reversed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockHash {
    bytes: [u8; 32],
}

impl BlockHeader {
    pub fn from_bytes(bytes: [u8; HEADER_LEN]) -> Self {
        BlockHeader { bytes }
    }

    /// Parses the 160 hex characters of a serialized header.
    pub fn from_hex(text: &str) -> Result<Self, HexError> {
        Ok(BlockHeader {
            bytes: hex::decode_array::<HEADER_LEN>(text.trim())?,
        })
    }

    pub fn as_bytes(&self) -> &[u8; HEADER_LEN] {
        &self.bytes
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.bytes)
    }

    fn u32_at(&self, offset: usize) -> u32 {
        u32::from_le_bytes(self.bytes[offset..offset + 4].try_into().expect("4 bytes"))
    }

    fn set_u32_at(&mut self, offset: usize, value: u32) {
        self.bytes[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
    }

    /// The version field. BIP9 and BIP320 use it as a bit field, so it is
    /// returned unsigned.
    pub fn version(&self) -> u32 {
        self.u32_at(0)
    }

    /// The previous block's hash.
    pub fn prev_block_hash(&self) -> BlockHash {
        BlockHash {
            bytes: self.bytes[4..36].try_into().expect("32 bytes"),
        }
    }

    /// The merkle root, in internal byte order like a block hash.
    pub fn merkle_root(&self) -> BlockHash {
        BlockHash {
            bytes: self.bytes[36..68].try_into().expect("32 bytes"),
        }
    }

    pub fn time(&self) -> u32 {
        self.u32_at(68)
    }

    pub fn bits(&self) -> u32 {
        self.u32_at(72)
    }

    pub fn nonce(&self) -> u32 {
        self.u32_at(76)
    }

    pub fn with_nonce(mut self, nonce: u32) -> Self {
        self.set_u32_at(76, nonce);
        self
    }

    pub fn with_time(mut self, time: u32) -> Self {
        self.set_u32_at(68, time);
        self
    }

    pub fn with_version(mut self, version: u32) -> Self {
        self.set_u32_at(0, version);
        self
    }

    /// The target `nBits` encodes, under Bitcoin Core's rules.
    pub fn target(&self) -> Result<Target, TargetError> {
        Target::from_compact(self.bits())
    }

    /// The difficulty of `nBits`, as Bitcoin Core's `getblockheader` reports it.
    pub fn difficulty(&self) -> f64 {
        difficulty_from_compact(self.bits())
    }

    /// sha256(sha256(header)), computed from scratch with the `sha2` crate.
    /// This is the independent check every GPU hit goes through.
    pub fn block_hash(&self) -> BlockHash {
        let first = Sha256::digest(self.bytes);
        BlockHash {
            bytes: Sha256::digest(first).into(),
        }
    }

    /// The SHA-256 state after the first 64-byte block. It does not depend
    /// on the nonce, so a search computes it once per header.
    pub fn midstate(&self) -> [u32; 8] {
        let mut state = SHA256_IV;
        sha2::compress256(&mut state, &[*GenericArray::from_slice(&self.bytes[0..64])]);
        state
    }

    /// Bytes 64..76 (the merkle root's last 4 bytes, time and nBits) as the
    /// first three big-endian message words of SHA-256's second block; the
    /// nonce is the fourth.
    pub fn tail_words(&self) -> [u32; 3] {
        let word = |i: usize| {
            u32::from_be_bytes(
                self.bytes[64 + 4 * i..68 + 4 * i]
                    .try_into()
                    .expect("4 bytes"),
            )
        };
        [word(0), word(1), word(2)]
    }

    /// True where the version field allows BIP320 version rolling: the top
    /// three bits are 001 (BIP9 versions), so bits 13..28 are free for miners.
    pub fn allows_version_rolling(&self) -> bool {
        self.version() >> 29 == 0b001
    }
}

impl fmt::Debug for BlockHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlockHeader({})", self.to_hex())
    }
}

impl BlockHash {
    pub fn from_internal_bytes(bytes: [u8; 32]) -> Self {
        BlockHash { bytes }
    }

    /// From the display-order hex that explorers and `bitcoin-cli` print.
    pub fn from_display_hex(text: &str) -> Result<Self, HexError> {
        let mut bytes = hex::decode_array::<32>(text.trim())?;
        bytes.reverse();
        Ok(BlockHash { bytes })
    }

    pub fn internal_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The hash as the 256-bit number Bitcoin compares with the target.
    pub fn to_number(&self) -> Target {
        let mut be = self.bytes;
        be.reverse();
        Target::from_be_bytes(be)
    }

    /// Proof-of-work test: the hash, read as a number, is at most the target.
    pub fn meets(&self, target: &Target) -> bool {
        self.to_number() <= *target
    }

    /// Leading zero bits of the number, the usual measure of a share.
    pub fn leading_zero_bits(&self) -> u32 {
        let mut zeros = 0;
        for limb in self.to_number().limbs() {
            zeros += limb.leading_zeros();
            if limb != 0 {
                break;
            }
        }
        zeros
    }
}

impl fmt::Display for BlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut display = self.bytes;
        display.reverse();
        f.write_str(&hex::encode(&display))
    }
}

impl fmt::Debug for BlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlockHash({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENESIS: &str = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";

    #[test]
    fn genesis_fields_and_hash() {
        let header = BlockHeader::from_hex(GENESIS).unwrap();
        assert_eq!(header.version(), 1);
        assert_eq!(header.time(), 1231006505);
        assert_eq!(header.bits(), 0x1d00ffff);
        assert_eq!(header.nonce(), 2083236893);
        assert_eq!(
            header.merkle_root().to_string(),
            "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
        );
        let hash = header.block_hash();
        assert_eq!(
            hash.to_string(),
            "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
        );
        assert!(hash.meets(&header.target().unwrap()));
        assert_eq!(hash.leading_zero_bits(), 43);
        assert_eq!(header.to_hex(), GENESIS);
    }

    #[test]
    fn midstate_continues_to_the_full_hash() {
        let header = BlockHeader::from_hex(GENESIS).unwrap();
        let mut state = header.midstate();
        let mut block = [0u8; 64];
        block[..16].copy_from_slice(&header.as_bytes()[64..80]);
        block[16] = 0x80;
        block[56..64].copy_from_slice(&(640u64).to_be_bytes());
        sha2::compress256(&mut state, &[*GenericArray::from_slice(&block)]);
        let first: Vec<u8> = state.iter().flat_map(|w| w.to_be_bytes()).collect();
        assert_eq!(
            first.as_slice(),
            Sha256::digest(header.as_bytes()).as_slice()
        );
        assert_eq!(header.tail_words()[1], header.time().swap_bytes());
    }

    #[test]
    fn bad_hex_is_an_error() {
        assert!(BlockHeader::from_hex(&GENESIS[..158]).is_err());
        let mut bad = GENESIS.to_string();
        bad.replace_range(10..11, "x");
        assert!(BlockHeader::from_hex(&bad).is_err());
    }
}
