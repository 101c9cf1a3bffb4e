//! Sets of action codes, used to restrict an index to some verbs.

use lockstep_core::action::{self, Action};

/// A set of action codes (a 256-bit bitmap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActionSet([u64; 4]);

impl Default for ActionSet {
    /// Every action.
    fn default() -> Self {
        Self::all()
    }
}

impl ActionSet {
    /// No action.
    pub const fn empty() -> Self {
        Self([0; 4])
    }

    /// Every action code.
    pub const fn all() -> Self {
        Self([u64::MAX; 4])
    }

    /// The given codes.
    pub fn of(codes: &[Action]) -> Self {
        let mut s = Self::empty();
        for &c in codes {
            s.insert(c);
        }
        s
    }

    /// The engagement verbs a vendor sells: `like`, `follow`, `comment`, `share`, `review`
    /// (everything but `view`, which is the harvesting detectors' input).
    pub fn engagement() -> Self {
        Self::of(&[
            action::LIKE,
            action::FOLLOW,
            action::COMMENT,
            action::SHARE,
            action::REVIEW,
        ])
    }

    /// Adds `code`.
    pub fn insert(&mut self, code: Action) {
        self.0[(code >> 6) as usize] |= 1 << (code & 63);
    }

    /// Whether `code` is in the set.
    #[inline]
    pub fn contains(&self, code: Action) -> bool {
        self.0[(code >> 6) as usize] & (1 << (code & 63)) != 0
    }

    /// Whether every code is in the set.
    pub fn is_all(&self) -> bool {
        self.0 == [u64::MAX; 4]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership() {
        let s = ActionSet::of(&[0, 63, 64, 255]);
        for c in [0, 63, 64, 255] {
            assert!(s.contains(c));
        }
        for c in [1, 62, 65, 128, 254] {
            assert!(!s.contains(c));
        }
        assert!(ActionSet::all().is_all());
        assert!(!ActionSet::engagement().contains(action::VIEW));
        assert!(ActionSet::engagement().contains(action::LIKE));
    }
}
