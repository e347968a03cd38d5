//! Fast hash tables for short keys (unit and indicator codes) looked up once per record. The
//! keys come from input files, which may be crafted to collide: every table is keyed by a seed
//! drawn at random for each run, so that colliding keys cannot be computed in advance. No
//! table's order reaches the output (none is iterated to write anything).

use std::hash::BuildHasher;
use std::sync::OnceLock;

/// A keyed hash (foldhash, seeded at random per process and per map).
pub type FxBuild = foldhash::fast::RandomState;
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
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
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

/// A map from byte strings to `u32` for the streaming reader's hot path: keys of up to 16 bytes
/// (unit and indicator codes, almost always) sit inline as two words, so a lookup is one hash and
/// one or two word compares, with no UTF-8 check and no copy; longer keys go to a `HashMap`.
#[derive(Clone)]
pub struct ByteMap {
    slots: Vec<Slot>,
    len: usize,
    long: FxMap<Vec<u8>, u32>,
    /// This run's random key of the slot hash.
    seed: [u64; 2],
}

/// Two random words, drawn once per run (from the standard library's randomly keyed hasher).
fn run_seed() -> [u64; 2] {
    static SEED: OnceLock<[u64; 2]> = OnceLock::new();
    *SEED.get_or_init(|| {
        let s = std::collections::hash_map::RandomState::new();
        [s.hash_one(0x5eed_u64), s.hash_one(0xfeed_u64)]
    })
}

/// The 128-bit product of two words, its halves folded together: every bit of either operand
/// moves the high bits, and with secret operands the product cannot be steered.
#[inline]
fn folded_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ (p >> 64) as u64
}

/// `len` is the key's length plus one; 0 marks an empty slot.
#[derive(Clone, Copy, Default)]
struct Slot {
    a: u64,
    b: u64,
    len: u32,
    value: u32,
}

/// A key of up to 16 bytes as two words, from two loads that may overlap (one encoding per
/// length: with the length compared too, equal words mean equal keys).
#[inline]
pub fn words(k: &[u8]) -> (u64, u64) {
    let n = k.len();
    let at8 = |i: usize| u64::from_le_bytes(k[i..i + 8].try_into().unwrap_or_default());
    let at4 = |i: usize| {
        u64::from(u32::from_le_bytes(
            k[i..i + 4].try_into().unwrap_or_default(),
        ))
    };
    let at2 = |i: usize| {
        u64::from(u16::from_le_bytes(
            k[i..i + 2].try_into().unwrap_or_default(),
        ))
    };
    match n {
        8..=16 => (at8(0), at8(n - 8)),
        4..=7 => (at4(0) | at4(n - 4) << 32, 0),
        2..=3 => (at2(0) | at2(n - 2) << 16, 0),
        1 => (u64::from(k[0]), 0),
        _ => (0, 0),
    }
}

/// What to add to the [`words`] of a key of `n` bytes (1 to 16) so that they are the words of
/// the same key with its last byte one up (the byte below 255): the last byte sits at fixed
/// places for each length, in both words where the loads overlap it.
#[inline]
pub fn last_byte_up(n: usize) -> (u64, u64) {
    match n {
        9..=16 => (0, 1 << 56),
        8 => (1 << 56, 1 << 56),
        5..=7 => (1 << 56, 0),
        4 => (1 << 24 | 1 << 56, 0),
        3 => (1 << 24, 0),
        2 => (1 << 8 | 1 << 24, 0),
        _ => (1, 0),
    }
}

/// A few keys (sources, severities) found by position, compared as words rather than by a
/// `memcmp` call each; `None` keys match nothing.
#[derive(Clone, Default)]
pub struct ByteKeys {
    /// Short keys as two words and a length (`u64::MAX` for a long or `None` key: no cell of up
    /// to 16 bytes has it).
    keys: Vec<(u64, u64, u64)>,
    long: Vec<Option<Vec<u8>>>,
    /// A perfect hash of the short keys when one was found: bucket → first position + 1 (0 for
    /// none), so that a lookup is one multiplication and one compare.
    table: Vec<u8>,
    seed: u64,
    shift: u32,
}

/// A key's bucket: its words and length mixed, then multiplied by the seed (the top bits index).
#[inline]
fn bucket(a: u64, b: u64, n: u64, seed: u64, shift: u32) -> usize {
    ((a ^ b.rotate_left(29) ^ n).wrapping_mul(seed) >> shift) as usize
}

impl ByteKeys {
    pub fn new<'k>(keys: impl Iterator<Item = Option<&'k [u8]>>) -> ByteKeys {
        let mut out = ByteKeys::default();
        for k in keys {
            out.keys.push(match k.filter(|k| k.len() <= 16) {
                Some(k) => {
                    let (a, b) = words(k);
                    (a, b, k.len() as u64)
                }
                None => (0, 0, u64::MAX),
            });
            out.long
                .push(k.filter(|k| k.len() > 16).map(<[u8]>::to_vec));
        }
        out.perfect();
        out
    }

    /// Looks for a seed that puts every distinct short key in a bucket of its own, among about
    /// keys² buckets (few tries are needed then); without one, lookups compare every key.
    fn perfect(&mut self) {
        let n = self.keys.len();
        if n == 0 || n > 64 {
            return;
        }
        let bits = (n * n).next_power_of_two().trailing_zeros().max(4);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..64 {
            // splitmix64: seeds that differ in every bit.
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            let seed = (z ^ (z >> 31)) | 1;
            let mut table = vec![0u8; 1 << bits];
            let fits = self.keys.iter().enumerate().all(|(i, &(a, b, len))| {
                if len == u64::MAX {
                    return true;
                }
                let slot = &mut table[bucket(a, b, len, seed, 64 - bits)];
                match *slot {
                    0 => {
                        *slot = i as u8 + 1;
                        true
                    }
                    // The same key again keeps its first position.
                    j => self.keys[usize::from(j) - 1] == (a, b, len),
                }
            });
            if fits {
                (self.table, self.seed, self.shift) = (table, seed, 64 - bits);
                return;
            }
        }
    }

    #[inline]
    pub fn position(&self, cell: &[u8]) -> Option<usize> {
        if cell.len() > 16 {
            return self.position_long(cell);
        }
        let (a, b) = words(cell);
        let n = cell.len() as u64;
        if !self.table.is_empty() {
            let i = usize::from(self.table[bucket(a, b, n, self.seed, self.shift)]);
            return (i > 0 && self.keys.get(i - 1) == Some(&(a, b, n))).then(|| i - 1);
        }
        self.scan(a, b, n)
    }

    /// Every key compared (no perfect hash was found).
    #[inline(never)]
    fn scan(&self, a: u64, b: u64, n: u64) -> Option<usize> {
        if self.keys.len() <= 64 {
            // Without stopping at the first match: the cells of a column take turns among the
            // keys, and a loop that stops would guess wrong time and again.
            let hits = self.keys.iter().enumerate().fold(0u64, |m, (i, k)| {
                m | u64::from((k.0 == a) & (k.1 == b) & (k.2 == n)) << i
            });
            return (hits != 0).then(|| hits.trailing_zeros() as usize);
        }
        self.keys.iter().position(|k| *k == (a, b, n))
    }

    /// A cell over 16 bytes, against the long keys (out of the way of the usual lookup).
    #[cold]
    #[inline(never)]
    fn position_long(&self, cell: &[u8]) -> Option<usize> {
        self.long.iter().position(|k| k.as_deref() == Some(cell))
    }
}

impl Default for ByteMap {
    fn default() -> Self {
        ByteMap {
            slots: vec![Slot::default(); 64],
            len: 0,
            long: FxMap::default(),
            seed: run_seed(),
        }
    }
}

impl ByteMap {
    fn home(&self, a: u64, b: u64, len: u32) -> usize {
        // One keyed multiplication of the key's two words; the top bits index.
        let x = folded_mul(a ^ self.seed[0], b ^ self.seed[1] ^ u64::from(len));
        (x >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    pub fn get(&self, k: &[u8]) -> Option<u32> {
        if k.len() > 16 {
            return self.get_long(k);
        }
        let (a, b) = words(k);
        let len = k.len() as u32 + 1;
        let mask = self.slots.len() - 1;
        let mut i = self.home(a, b, len);
        loop {
            let s = &self.slots[i];
            if s.len == 0 {
                return None;
            }
            if s.a == a && s.b == b && s.len == len {
                return Some(s.value);
            }
            i = (i + 1) & mask;
        }
    }

    /// A key over 16 bytes (out of the way: the usual lookup then needs no stack frame).
    #[cold]
    #[inline(never)]
    fn get_long(&self, k: &[u8]) -> Option<u32> {
        self.long.get(k).copied()
    }

    /// Adds or replaces a key.
    pub fn insert(&mut self, k: &[u8], value: u32) {
        if k.len() > 16 {
            self.long.insert(k.to_vec(), value);
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            let bigger = vec![Slot::default(); self.slots.len() * 2];
            let old = std::mem::replace(&mut self.slots, bigger);
            self.len = 0;
            for s in old.into_iter().filter(|s| s.len != 0) {
                self.put(s);
            }
        }
        let (a, b) = words(k);
        self.put(Slot {
            a,
            b,
            len: k.len() as u32 + 1,
            value,
        });
    }

    fn put(&mut self, slot: Slot) {
        let mask = self.slots.len() - 1;
        let mut i = self.home(slot.a, slot.b, slot.len);
        loop {
            let s = &mut self.slots[i];
            if s.len == 0 {
                *s = slot;
                self.len += 1;
                return;
            }
            if s.a == slot.a && s.b == slot.b && s.len == slot.len {
                s.value = slot.value;
                return;
            }
            i = (i + 1) & mask;
        }
    }
}

/// Keys written as one prefix and a fixed number of digits (`U00001` … `U03000`), as unit codes
/// usually are, found by their number in a short table: no hashing, and a table small enough to
/// stay in the nearest caches (a hash table of thousands of units does not). The prefix and the
/// width are those of the first such key inserted; other keys are not kept here.
#[derive(Clone, Default)]
pub struct Numbered {
    /// The prefix as two words (see [`words`]), its length, and the number of digits.
    family: Option<(u64, u64, usize, usize)>,
    /// Number → value + 1 (0: none).
    values: Vec<u32>,
}

/// Numbers past this are not kept (the table stays under 4 MB).
const NUMBERED: usize = 1 << 20;

/// A key split into its prefix and the number its trailing digits spell, with how many digits
/// there are: `R000123` is (`R`, 6, 123). `None` without digits or with more than `max` (at most
/// 19, so that the number fits).
pub fn split_number(key: &[u8], max: usize) -> Option<(&[u8], usize, u64)> {
    let digits = key.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=max.min(19)).contains(&digits) {
        return None;
    }
    let (prefix, number) = key.split_at(key.len() - digits);
    let n = number
        .iter()
        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    Some((prefix, digits, n))
}

impl Numbered {
    /// Remembers `key` → `value` when the key is of the family (sets the family when none yet).
    pub fn insert(&mut self, key: &[u8], value: u32) {
        let Some((prefix, digits, n)) = split_number(key, 9).filter(|(p, _, _)| p.len() <= 16)
        else {
            return;
        };
        let (a, b) = words(prefix);
        let family = (a, b, prefix.len(), digits);
        if *self.family.get_or_insert(family) != family {
            return;
        }
        let n = n as usize;
        let Some(v) = value.checked_add(1).filter(|_| n < NUMBERED) else {
            return;
        };
        if self.values.len() <= n {
            self.values.resize(n + 1, 0);
        }
        self.values[n] = v;
    }

    /// The value of `key` when it is of the family and was inserted. Always inlined: as a call
    /// it cost 72 more instructions a row (callgrind) and 6 % more CPU.
    #[inline(always)]
    pub fn get(&self, key: &[u8]) -> Option<u32> {
        let (a, b, len, width) = self.family?;
        if key.len() != len + width {
            return None;
        }
        let (prefix, number) = key.split_at(len);
        if words(prefix) != (a, b) {
            return None;
        }
        let mut n = 0usize;
        for &d in number {
            let x = d.wrapping_sub(b'0');
            if x > 9 {
                return None;
            }
            n = n * 10 + usize::from(x);
        }
        self.values.get(n)?.checked_sub(1)
    }
}

#[cfg(test)]
mod byte_map_tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted_and_nothing_else() {
        let mut m = ByteMap::default();
        let keys: Vec<String> = (0..5000).map(|i| format!("U{i:05}")).collect();
        for (i, k) in keys.iter().enumerate() {
            m.insert(k.as_bytes(), i as u32);
        }
        let long = "a-unit-code-longer-than-sixteen-bytes";
        m.insert(long.as_bytes(), 7);
        // Keys that differ only in length or in zero padding stay apart.
        m.insert(b"", 1);
        m.insert(b"\0", 2);
        m.insert("迎春社区".as_bytes(), 3);
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(m.get(k.as_bytes()), Some(i as u32), "{k}");
        }
        assert_eq!(m.get(long.as_bytes()), Some(7));
        assert_eq!(m.get(b""), Some(1));
        assert_eq!(m.get(b"\0"), Some(2));
        assert_eq!(m.get(b"\0\0"), None);
        assert_eq!(m.get("迎春社区".as_bytes()), Some(3));
        assert_eq!(m.get(b"U05000"), None);
        assert_eq!(m.get(b"U0000"), None);
        m.insert(b"U00001", 99);
        assert_eq!(m.get(b"U00001"), Some(99));
    }

    /// Sequential codes (`U00001` …) spread over the table: a weak hash piles them into long
    /// runs, and every lookup walks them (this once cost a sixth of the streaming reader's time).
    #[test]
    fn sequential_codes_need_few_probes() {
        for n in [3_000u32, 100_000] {
            let mut m = ByteMap::default();
            let keys: Vec<String> = (0..n).map(|i| format!("U{i:05}")).collect();
            for (i, k) in keys.iter().enumerate() {
                m.insert(k.as_bytes(), i as u32);
            }
            let mask = m.slots.len() - 1;
            let mut probes = 0;
            for k in &keys {
                let (a, b) = words(k.as_bytes());
                let len = k.len() as u32 + 1;
                let mut i = m.home(a, b, len);
                probes += 1;
                while (m.slots[i].a, m.slots[i].b, m.slots[i].len) != (a, b, len) {
                    i = (i + 1) & mask;
                    probes += 1;
                }
            }
            let mean = f64::from(probes) / f64::from(n);
            assert!(mean < 1.6, "{n} keys: {mean} probes a lookup");
        }
    }

    #[test]
    fn numbered_keys_are_found_exactly() {
        let mut m = Numbered::default();
        assert_eq!(m.get(b"U00001"), None);
        m.insert(b"U00001", 7);
        m.insert(b"U02999", 8);
        // Not of the family: another prefix, another width, no digits, too many digits.
        m.insert(b"V00002", 9);
        m.insert(b"U0003", 9);
        m.insert("迎春社区".as_bytes(), 9);
        m.insert(b"U0000000000001", 9);
        assert_eq!(m.get(b"U00001"), Some(7));
        assert_eq!(m.get(b"U02999"), Some(8));
        for miss in [
            &b"U00002"[..],
            b"V00002",
            b"U0003",
            b"U00003",
            b"u00001",
            b"U0000a",
            b"U 0001",
            b"U000001",
            b"U0001",
            b"",
        ] {
            assert_eq!(m.get(miss), None, "{}", String::from_utf8_lossy(miss));
        }
        // Replaced like a map entry; an empty prefix is a family too.
        m.insert(b"U00001", 3);
        assert_eq!(m.get(b"U00001"), Some(3));
        let mut digits = Numbered::default();
        digits.insert(b"0042", 1);
        assert_eq!(digits.get(b"0042"), Some(1));
        assert_eq!(digits.get(b"042"), None);
        assert_eq!(digits.get(b"x042"), None);
    }

    #[test]
    fn byte_keys_find_positions() {
        let long = "a-source-name-longer-than-sixteen";
        let keys = ["暗访", "现场考核", long, "x"];
        let k = ByteKeys::new(keys.iter().map(|s| Some(s.as_bytes())).chain([None]));
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(k.position(key.as_bytes()), Some(i));
        }
        assert_eq!(k.position(b""), None);
        assert_eq!(k.position("暗".as_bytes()), None);
        assert_eq!(k.position(b"x\0"), None);
        assert_eq!(k.position(&long.as_bytes()[1..]), None);
    }

    #[test]
    fn last_byte_up_is_the_next_key() {
        // Every length, with the last byte at each place the loads put it.
        for n in 1..=16 {
            let key: Vec<u8> = (0..n).map(|i| b'a' + i as u8).collect();
            let mut next = key.clone();
            next[n - 1] += 1;
            let ((a, b), (da, db)) = (words(&key), last_byte_up(n));
            assert_eq!((a + da, b + db), words(&next), "{n} bytes");
        }
    }

    use proptest::prelude::*;

    proptest! {
        /// Whatever the keys (repeated, long, missing, many), a cell is found at the first
        /// position of an equal key, and nothing else is found.
        #[test]
        fn byte_keys_find_what_a_scan_finds(
            keys in prop::collection::vec(
                prop::option::weighted(0.9, prop::collection::vec(b'a'..b'e', 0..20)),
                0..80,
            ),
            cells in prop::collection::vec(
                prop::collection::vec(b'a'..b'e', 0..20),
                1..40,
            ),
        ) {
            let k = ByteKeys::new(keys.iter().map(|k| k.as_deref()));
            for cell in keys.iter().flatten().chain(&cells) {
                let want = keys.iter().position(|k| k.as_deref() == Some(cell.as_slice()));
                prop_assert_eq!(k.position(cell), want);
            }
        }
    }
    #[test]
    fn keys_colliding_under_one_seed_spread_under_another() {
        let mut m = ByteMap {
            seed: [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344],
            ..ByteMap::default()
        };
        let key = |i: u64| {
            let mut k = [7u8; 16];
            k[..8].copy_from_slice(&i.to_le_bytes());
            words(&k)
        };
        // 40 keys of 16 bytes that share their home slot under one seed...
        let crafted: Vec<(u64, u64)> = (0u64..)
            .map(key)
            .filter(|&(a, b)| m.home(a, b, 17) == 0)
            .take(40)
            .collect();
        // ...are spread over the slots under another seed (this run's is random).
        m.seed = [0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89];
        let homes: std::collections::HashSet<usize> =
            crafted.iter().map(|&(a, b)| m.home(a, b, 17)).collect();
        assert!(homes.len() > 20, "{}", homes.len());
        assert_eq!(ByteMap::default().seed, run_seed());
    }
}
