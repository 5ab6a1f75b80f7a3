//! Hashing: the digests repodata and package files are checked with, and the fast hasher of
//! the in-memory indexes. A leaf: it knows no other module of the crate.

use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::HashMap;

/// A checksum as repodata states it (`sha256`, `sha1`, `sha512`, …) in lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Checksum {
    pub kind: String,
    pub value: String,
}

/// Hash `data` with the named algorithm, lowercase hex.
pub fn digest_hex(kind: &str, data: &[u8]) -> Option<String> {
    Some(match kind {
        "sha256" => hex::encode(Sha256::digest(data)),
        "sha" | "sha1" => hex::encode(Sha1::digest(data)),
        "sha384" => hex::encode(Sha384::digest(data)),
        "sha512" => hex::encode(Sha512::digest(data)),
        _ => return None,
    })
}

/// A fast hasher for the pool's string indexes (FxHash, as rustc uses): the keys are package
/// and capability names, not attacker-chosen in a way that matters here, and SipHash was a
/// visible part of building a 60,000-package pool.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with `FxHasher`.
pub type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests() {
        assert_eq!(
            digest_hex("sha256", b"abc").unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digest_hex("sha1", b"abc").unwrap(),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert!(digest_hex("md5", b"abc").is_none());
    }
}
