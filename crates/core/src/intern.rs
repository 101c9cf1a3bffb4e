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

/// `a == b`, inline for the short strings ids usually are (a call to `memcmp` costs more than
/// the comparison itself).
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 16 {
        return a == b;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}

/// Maps strings to dense ids `0..len` and back. Each string is stored once.
#[derive(Clone)]
pub struct Interner {
    strings: StrColumn,
    table: HashTable<Id>,
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
        let h = hash_bytes(&self.hasher, s.as_bytes());
        let strings = &self.strings;
        if let Some(&id) = self
            .table
            .find(h, |&id| bytes_eq(strings.get(id as usize), s.as_bytes()))
        {
            return Ok(id);
        }
        let id = self.strings.len();
        if id >= NONE as usize || !self.strings.push(s.as_bytes()) {
            return Err(Error::ResourcesExhausted(format!(
                "more than {} distinct strings in one id space",
                NONE - 1
            )));
        }
        let (strings, hasher) = (&self.strings, &self.hasher);
        self.table.insert_unique(h, id as Id, |&id| {
            hash_bytes(hasher, strings.get(id as usize))
        });
        Ok(id as Id)
    }

    /// The id of `s`, if interned.
    pub fn get(&self, s: &str) -> Option<Id> {
        let h = hash_bytes(&self.hasher, s.as_bytes());
        self.table
            .find(h, |&id| self.strings.get(id as usize) == s.as_bytes())
            .copied()
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
        d + o + self.table.capacity() * (std::mem::size_of::<Id>() + 1)
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.strings.shrink_to_fit();
        let (strings, hasher) = (&self.strings, &self.hasher);
        self.table
            .shrink_to_fit(|&id| hash_bytes(hasher, strings.get(id as usize)));
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
