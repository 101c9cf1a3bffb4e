//! Actions: the verb table mapping action names to `u8` codes.

use crate::{Error, Result};

/// An action code. The six verbs of CONTRACT §1 have fixed codes; any other verb gets the
/// next free code the first time it is seen.
pub type Action = u8;

/// `like`.
pub const LIKE: Action = 0;
/// `follow`.
pub const FOLLOW: Action = 1;
/// `comment`.
pub const COMMENT: Action = 2;
/// `share`.
pub const SHARE: Action = 3;
/// `review`.
pub const REVIEW: Action = 4;
/// `view`: a read of a profile, friend list or post.
pub const VIEW: Action = 5;

/// The verbs with fixed codes, in code order.
pub const KNOWN_VERBS: [&str; 6] = ["like", "follow", "comment", "share", "review", "view"];

/// The verb table: code ↔ name, at most 256 verbs.
#[derive(Debug, Clone)]
pub struct Verbs {
    names: Vec<String>,
}

impl Default for Verbs {
    fn default() -> Self {
        Self {
            names: KNOWN_VERBS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl Verbs {
    /// The table with the six known verbs.
    pub fn new() -> Self {
        Self::default()
    }

    /// The code of `verb`, adding it if new. Verbs are kept as written (case-sensitive), as the
    /// contract says.
    ///
    /// # Errors
    /// [`Error::ResourcesExhausted`] when a 257th distinct verb appears.
    #[inline]
    pub fn code(&mut self, verb: &str) -> Result<Action> {
        if let Some(c) = self.get(verb) {
            return Ok(c);
        }
        if self.names.len() > Action::MAX as usize {
            return Err(Error::ResourcesExhausted(format!(
                "more than 256 distinct actions; `{}` is one too many",
                verb.chars().take(40).collect::<String>()
            )));
        }
        self.names.push(verb.to_string());
        Ok((self.names.len() - 1) as Action)
    }

    /// The code of `verb`, if known.
    #[inline]
    pub fn get(&self, verb: &str) -> Option<Action> {
        match verb {
            "like" => Some(LIKE),
            "follow" => Some(FOLLOW),
            "comment" => Some(COMMENT),
            "share" => Some(SHARE),
            "review" => Some(REVIEW),
            "view" => Some(VIEW),
            _ => self.names[KNOWN_VERBS.len()..]
                .iter()
                .position(|n| n == verb)
                .map(|p| (p + KNOWN_VERBS.len()) as Action),
        }
    }

    /// The name of `code`.
    ///
    /// # Panics
    /// If `code` was not returned by this table.
    pub fn name(&self, code: Action) -> &str {
        &self.names[code as usize]
    }

    /// The number of verbs (at least the six known ones).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Always false: the known verbs are always present.
    pub fn is_empty(&self) -> bool {
        false
    }
}
