//! A small, fast hash for short keys (unit and indicator codes) looked up once per record; the
//! keys come from the office's own files, so resistance to crafted collisions is not needed.

use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ (rest.len() as u64) << 56);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The multiplication mixes upwards; hash tables index by the low bits: bring the well
        // mixed high bits down (as rustc-hash does).
        self.0.rotate_left(26)
    }
}

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(SEED);
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;
pub type FxMap<K, V> = std::collections::HashMap<K, V, FxBuild>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_work_with_it() {
        let mut m: FxMap<String, u32> = FxMap::default();
        for (i, k) in ["U1", "U01", "迎春社区", "a-much-longer-unit-code-0001"]
            .iter()
            .enumerate()
        {
            m.insert(k.to_string(), i as u32);
        }
        assert_eq!(m.get("U01"), Some(&1));
        assert_eq!(m.get("迎春社区"), Some(&2));
        assert_eq!(m.get("U001"), None);
    }
}

/// A short string stored inline (no pointer to follow when a hash table compares keys): unit
/// and indicator codes are almost always short.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ShortKey {
    len: u8,
    bytes: [u8; 23],
}

impl std::hash::Hash for ShortKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The used bytes in one call (word at a time), not 23 single bytes.
        state.write(&self.bytes[..self.len as usize]);
    }
}

impl ShortKey {
    pub fn new(s: &str) -> Option<ShortKey> {
        let b = s.as_bytes();
        if b.len() > 23 {
            return None;
        }
        let mut bytes = [0u8; 23];
        bytes[..b.len()].copy_from_slice(b);
        Some(ShortKey {
            len: b.len() as u8,
            bytes,
        })
    }
}

/// A map from strings that keeps short keys inline.
#[derive(Clone, Default)]
pub struct StrMap<V> {
    short: FxMap<ShortKey, V>,
    long: FxMap<String, V>,
}

impl<V: Copy> StrMap<V> {
    pub fn get(&self, k: &str) -> Option<V> {
        match ShortKey::new(k) {
            Some(s) => self.short.get(&s).copied(),
            None => self.long.get(k).copied(),
        }
    }

    pub fn insert(&mut self, k: &str, v: V) {
        match ShortKey::new(k) {
            Some(s) => {
                self.short.insert(s, v);
            }
            None => {
                self.long.insert(k.to_owned(), v);
            }
        }
    }
}

impl<V> std::fmt::Debug for StrMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StrMap({} keys)", self.short.len() + self.long.len())
    }
}
