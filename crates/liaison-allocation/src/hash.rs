//! A fast hash for interning short ids. Not DoS-resistant, which is fine here: the input is a
//! file the office itself prepares, and the worst case is a slower run, not a wrong result.

use std::hash::Hasher;

/// Word-at-a-time multiply–rotate hashing (in the style of FxHash) with a final avalanche, so that
/// ids differing only in their last characters still spread over the table's low bits.
#[derive(Clone, Copy)]
pub(crate) struct IdHasher {
    hash: u64,
}

impl Default for IdHasher {
    fn default() -> IdHasher {
        IdHasher {
            hash: 0x2545_f491_4f6c_dd1d,
        }
    }
}

const K: u64 = 0x517c_c1b7_2722_0a95;

impl IdHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            // The unused top byte carries the tail's length, so "a" and "a\0" differ.
            word[7] = rest.len() as u8;
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The 64-bit finaliser of MurmurHash3.
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::hash::{BuildHasher, BuildHasherDefault};

    use super::*;

    type IdBuildHasher = BuildHasherDefault<IdHasher>;

    #[test]
    fn similar_ids_spread_over_the_low_bits() {
        let build = IdBuildHasher::default();
        let buckets: HashSet<u64> = (0..4096)
            .map(|i| build.hash_one(format!("s{i}")) & 0xfff)
            .collect();
        assert!(
            buckets.len() > 2400,
            "only {} of 4096 buckets used",
            buckets.len()
        );
        assert_ne!(build.hash_one("ab"), build.hash_one("ba"));
        assert_ne!(build.hash_one(""), build.hash_one("\0"));
        assert_ne!(build.hash_one("a"), build.hash_one("a\0"));
    }
}
