//! Interners: strings (and IP addresses) to dense `u32` ids and back.

use std::net::{IpAddr, Ipv6Addr};

use hashbrown::HashTable;

use crate::strcol::StrColumn;
use crate::{Error, Result};

/// A dense id in one id space (accounts, targets, IPs, devices or clients).
pub type Id = u32;

/// The id that stands for "no value" in every id column.
pub const NONE: Id = u32::MAX;

fn hash_bytes(state: &foldhash::fast::RandomState, s: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    state.hash_one(s)
}

/// Bytes of a string kept in its table slot.
const INLINE: usize = 11;

/// A slot of the interner's table: the id, and the string itself when it is short (ids usually
/// are), so that looking up a known string reads its slot and nothing else. A longer string
/// keeps its first [`INLINE`] bytes here and is compared in full in the interner's column only
/// when they match.
#[derive(Clone, Copy)]
struct Slot {
    id: Id,
    /// The string's length, or [`Slot::LONG`] when it is longer than [`INLINE`].
    len: u8,
    /// The string (or its first [`INLINE`] bytes), zero-padded.
    head: [u8; INLINE],
}

impl Slot {
    const LONG: u8 = u8::MAX;

    /// The slot `s` would have, but for its id.
    #[inline]
    fn key(s: &[u8]) -> (u8, [u8; INLINE]) {
        let mut head = [0u8; INLINE];
        let n = s.len().min(INLINE);
        head[..n].copy_from_slice(&s[..n]);
        let len = if s.len() <= INLINE {
            s.len() as u8
        } else {
            Self::LONG
        };
        (len, head)
    }

    /// Whether the slot holds `s`, whose [`Slot::key`] is `key`.
    #[inline]
    fn holds(&self, key: &(u8, [u8; INLINE]), s: &[u8], strings: &StrColumn) -> bool {
        self.len == key.0
            && self.head == key.1
            && (self.len != Self::LONG || strings.get(self.id as usize) == s)
    }

    /// The hash of the slot's string.
    #[inline]
    fn hash(&self, hasher: &foldhash::fast::RandomState, strings: &StrColumn) -> u64 {
        if self.len == Self::LONG {
            hash_bytes(hasher, strings.get(self.id as usize))
        } else {
            hash_bytes(hasher, &self.head[..self.len as usize])
        }
    }
}

/// Maps strings to dense ids `0..len` and back. Each string is stored once.
#[derive(Clone)]
pub struct Interner {
    strings: StrColumn,
    table: HashTable<Slot>,
    hasher: foldhash::fast::RandomState,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("len", &self.len())
            .finish()
    }
}

impl Default for Interner {
    fn default() -> Self {
        Self::new()
    }
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self {
            strings: StrColumn::new(),
            table: HashTable::new(),
            // Ids are given in first-seen order, so a random seed changes no output; it keeps
            // crafted input from degrading the table.
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// The number of distinct strings.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Whether nothing has been interned.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// The id of `s`, adding it if new.
    ///
    /// # Errors
    /// [`Error::ResourcesExhausted`] past `u32::MAX - 1` distinct strings.
    #[inline]
    pub fn intern(&mut self, s: &str) -> Result<Id> {
        let b = s.as_bytes();
        let h = hash_bytes(&self.hasher, b);
        let key = Slot::key(b);
        let strings = &self.strings;
        if let Some(slot) = self.table.find(h, |x| x.holds(&key, b, strings)) {
            return Ok(slot.id);
        }
        let id = self.strings.len();
        if id >= NONE as usize || !self.strings.push(b) {
            return Err(Error::ResourcesExhausted(format!(
                "more than {} distinct strings in one id space",
                NONE - 1
            )));
        }
        let (strings, hasher) = (&self.strings, &self.hasher);
        let slot = Slot {
            id: id as Id,
            len: key.0,
            head: key.1,
        };
        self.table
            .insert_unique(h, slot, |x| x.hash(hasher, strings));
        Ok(id as Id)
    }

    /// The id of `s`, if interned.
    pub fn get(&self, s: &str) -> Option<Id> {
        let b = s.as_bytes();
        let h = hash_bytes(&self.hasher, b);
        let key = Slot::key(b);
        self.table
            .find(h, |x| x.holds(&key, b, &self.strings))
            .map(|x| x.id)
    }

    /// The string of `id`.
    ///
    /// # Panics
    /// If `id` was not returned by this interner.
    #[inline]
    pub fn resolve(&self, id: Id) -> &str {
        self.strings.get_str(id as usize)
    }

    /// The string of `id`, or `None` for [`NONE`].
    pub fn resolve_opt(&self, id: Id) -> Option<&str> {
        (id != NONE).then(|| self.resolve(id))
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        let (d, o) = self.strings.heap_bytes();
        d + o + self.table.capacity() * (std::mem::size_of::<Slot>() + 1)
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.strings.shrink_to_fit();
        let (strings, hasher) = (&self.strings, &self.hasher);
        self.table.shrink_to_fit(|x| x.hash(hasher, strings));
    }
}

/// Maps IP addresses to dense ids. Addresses are normalised: IPv4 and IPv4-mapped IPv6
/// (`::ffff:a.b.c.d`) are one address, stored as the mapped IPv6 `u128`.
#[derive(Debug, Clone, Default)]
pub struct IpInterner {
    addrs: Vec<u128>,
    table: hashbrown::HashMap<u128, Id, foldhash::fast::FixedState>,
}

/// Normalises an address to its `u128` key (IPv4 as IPv4-mapped IPv6).
pub fn ip_key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// The address behind a `u128` key, as IPv4 when it is IPv4-mapped.
pub fn ip_from_key(key: u128) -> IpAddr {
    let v6 = Ipv6Addr::from(key);
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

impl IpInterner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of distinct addresses.
    pub fn len(&self) -> usize {
        self.addrs.len()
    }

    /// Whether nothing has been interned.
    pub fn is_empty(&self) -> bool {
        self.addrs.is_empty()
    }

    /// The id of `ip`, adding it if new.
    ///
    /// # Errors
    /// [`Error::ResourcesExhausted`] past `u32::MAX - 1` distinct addresses.
    #[inline]
    pub fn intern(&mut self, ip: IpAddr) -> Result<Id> {
        let key = ip_key(ip);
        if let Some(&id) = self.table.get(&key) {
            return Ok(id);
        }
        let id = self.addrs.len();
        if id >= NONE as usize {
            return Err(Error::ResourcesExhausted(
                "too many distinct IP addresses".into(),
            ));
        }
        self.addrs.push(key);
        self.table.insert(key, id as Id);
        Ok(id as Id)
    }

    /// The id of `ip`, if interned.
    pub fn get(&self, ip: IpAddr) -> Option<Id> {
        self.table.get(&ip_key(ip)).copied()
    }

    /// The normalised `u128` key of `id`.
    #[inline]
    pub fn key(&self, id: Id) -> u128 {
        self.addrs[id as usize]
    }

    /// The address of `id`.
    pub fn resolve(&self, id: Id) -> IpAddr {
        ip_from_key(self.key(id))
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.addrs.capacity() * 16 + self.table.capacity() * (16 + 4 + 1)
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.addrs.shrink_to_fit();
        self.table.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn intern_matches_a_map(
            words in proptest::collection::vec((0usize..4, 0usize..30, 0u8..3), 0..400),
        ) {
            // Short and long strings, many sharing their first bytes, some with NULs.
            let text = |(p, n, c): (usize, usize, u8)| -> String {
                let stem = ["", "user_0000", "abcdefghijk", "\0\0"][p];
                let tail: String = (0..n).map(|k| (b'a' + ((k as u8 + c) % 3)) as char).collect();
                format!("{stem}{tail}")
            };
            let mut i = Interner::new();
            let mut want: std::collections::HashMap<String, Id> = Default::default();
            for &w in &words {
                let s = text(w);
                let next = want.len() as Id;
                let id = *want.entry(s.clone()).or_insert(next);
                proptest::prop_assert_eq!(i.intern(&s).unwrap(), id);
            }
            proptest::prop_assert_eq!(i.len(), want.len());
            i.shrink_to_fit();
            for (s, &id) in &want {
                proptest::prop_assert_eq!(i.get(s), Some(id));
                proptest::prop_assert_eq!(i.resolve(id), s.as_str());
            }
            proptest::prop_assert_eq!(i.get("not interned, and long enough to be long"), None);
        }
    }

    #[test]
    fn intern_round_trips_and_dedups() {
        let mut i = Interner::new();
        let a = i.intern("alice").unwrap();
        let b = i.intern("bob").unwrap();
        assert_eq!(i.intern("alice").unwrap(), a);
        assert_ne!(a, b);
        assert_eq!(i.resolve(b), "bob");
        assert_eq!(i.get("carol"), None);
        assert_eq!(i.len(), 2);
    }

    #[test]
    fn ipv4_and_mapped_ipv6_are_one_address() {
        let mut t = IpInterner::new();
        let a = t.intern("10.1.2.3".parse().unwrap()).unwrap();
        let b = t.intern("::ffff:10.1.2.3".parse().unwrap()).unwrap();
        let c = t.intern("2001:db8::1".parse().unwrap()).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(t.resolve(a).to_string(), "10.1.2.3");
        assert_eq!(t.resolve(c).to_string(), "2001:db8::1");
    }

    proptest::proptest! {
        #[test]
        fn interner_is_a_bijection(words in proptest::collection::vec("[a-z0-9]{0,6}", 0..200)) {
            let mut i = Interner::new();
            let ids: Vec<Id> = words.iter().map(|w| i.intern(w).unwrap()).collect();
            for (w, id) in words.iter().zip(&ids) {
                proptest::prop_assert_eq!(i.resolve(*id), w.as_str());
                proptest::prop_assert_eq!(i.get(w), Some(*id));
            }
            let distinct: std::collections::HashSet<_> = words.iter().collect();
            proptest::prop_assert_eq!(i.len(), distinct.len());
        }
    }
}
