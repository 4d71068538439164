//! A fast hasher for maps keyed by names and ids that the engine builds over whole
//! snapshots (100,000 pods, 50,000 policies): the standard SipHash was a few percent of
//! loading and comparing them. This is the multiply-rotate hash of rustc's `FxHasher`;
//! it does not resist chosen collisions, which only the author of the input could craft
//! against their own run.

use std::collections::HashMap;
#[cfg(not(target_arch = "wasm32"))]
use std::hash::BuildHasherDefault;
use std::hash::Hasher;

/// A `HashMap` with [`FastHasher`].
#[cfg(not(target_arch = "wasm32"))]
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// In the browser, the standard map: its code is in the download already, a second
/// hasher would instantiate the maps again (bytes), and the playground's inputs are small.
#[cfg(target_arch = "wasm32")]
pub type FastMap<K, V> = HashMap<K, V>;

#[cfg_attr(
    target_arch = "wasm32",
    allow(dead_code, reason = "the browser uses the standard map")
)]
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The hasher of [`FastMap`].
#[cfg_attr(
    target_arch = "wasm32",
    allow(dead_code, reason = "the browser uses the standard map")
)]
#[derive(Clone, Copy, Default)]
pub struct FastHasher {
    hash: u64,
}

#[cfg_attr(
    target_arch = "wasm32",
    allow(dead_code, reason = "the browser uses the standard map")
)]
impl FastHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            if let Some(head) = word.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_differ_in_their_last_bytes_or_length_hash_apart() {
        let hash = |s: &str| {
            let mut h = FastHasher::default();
            std::hash::Hash::hash(s, &mut h);
            h.finish()
        };
        assert_ne!(hash("team-one/pod-1"), hash("team-one/pod-2"));
        assert_ne!(hash("abcdefgh"), hash("abcdefgh\0"));
        let mut m: FastMap<(&str, &str), usize> = FastMap::default();
        m.insert(("ns", "a"), 1);
        m.insert(("n", "sa"), 2);
        assert_eq!(m.get(&("ns", "a")), Some(&1));
        assert_eq!(m.get(&("n", "sa")), Some(&2));
    }
}
