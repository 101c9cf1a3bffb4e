//! Side tables joined to the log by id: accounts and devices (CONTRACT §1).

use crate::intern::{Id, Interner, NONE};
use crate::strcol::StrColumn;

/// The value of a time column when the side file did not give one.
pub const NO_TIME: i64 = i64::MIN;

/// Extra attributes of side-table rows: one column per attribute name, empty string = absent.
#[derive(Debug, Clone, Default)]
pub struct Attrs {
    names: Vec<String>,
    values: Vec<StrColumn>,
    rows: usize,
}

impl Attrs {
    /// The attribute names, in first-seen order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The value of attribute `name` at `row`, if present and non-empty.
    pub fn get(&self, row: usize, name: &str) -> Option<&str> {
        let k = self.names.iter().position(|n| n == name)?;
        let col = &self.values[k];
        (row < col.len())
            .then(|| col.get_str(row))
            .filter(|s| !s.is_empty())
    }

    fn push_row<'a>(&mut self, attrs: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (name, value) in attrs {
            let k = match self.names.iter().position(|n| n == name) {
                Some(k) => k,
                None => {
                    self.names.push(name.to_string());
                    let mut col = StrColumn::new();
                    for _ in 0..self.rows {
                        col.push(b"");
                    }
                    self.values.push(col);
                    self.names.len() - 1
                }
            };
            let col = &mut self.values[k];
            while col.len() < self.rows {
                col.push(b"");
            }
            if col.len() == self.rows {
                col.push(value.as_bytes());
            }
        }
        self.rows += 1;
        for col in &mut self.values {
            while col.len() < self.rows {
                col.push(b"");
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        self.values
            .iter()
            .map(|c| {
                let (a, b) = c.heap_bytes();
                a + b
            })
            .sum::<usize>()
            + self.names.iter().map(|n| n.capacity()).sum::<usize>()
    }
}

/// The accounts side table: creation time and profile fields per account.
#[derive(Debug, Clone, Default)]
pub struct AccountTable {
    account: Vec<Id>,
    created_at: Vec<i64>,
    /// Every field other than `id` and `created_at`, kept as text.
    pub attrs: Attrs,
    row_of: Vec<u32>,
}

impl AccountTable {
    /// Adds a row for `account`. Returns `false` (and adds nothing) when the account already
    /// has a row: the first row is kept.
    pub fn push<'a>(
        &mut self,
        account: Id,
        created_at: Option<i64>,
        attrs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> bool {
        if self.has_row(account) {
            return false;
        }
        self.mark(account);
        self.account.push(account);
        self.created_at.push(created_at.unwrap_or(NO_TIME));
        self.attrs.push_row(attrs);
        true
    }

    fn has_row(&self, account: Id) -> bool {
        self.row_of
            .get(account as usize)
            .is_some_and(|&r| r != NONE)
    }

    fn mark(&mut self, account: Id) {
        let a = account as usize;
        if self.row_of.len() <= a {
            self.row_of.resize(a + 1, NONE);
        }
        self.row_of[a] = self.account.len() as u32;
    }

    pub(crate) fn index(&mut self, n_accounts: usize) {
        self.row_of.resize(n_accounts.max(self.row_of.len()), NONE);
        self.row_of.shrink_to_fit();
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.account.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.account.is_empty()
    }

    /// The row of `account`, if it has one.
    pub fn row(&self, account: Id) -> Option<usize> {
        self.row_of
            .get(account as usize)
            .filter(|&&r| r != NONE)
            .map(|&r| r as usize)
    }

    /// The account of each row.
    pub fn accounts(&self) -> &[Id] {
        &self.account
    }

    /// When `account` was created, if known.
    pub fn created_at(&self, account: Id) -> Option<i64> {
        self.row(account)
            .map(|r| self.created_at[r])
            .filter(|&t| t != NO_TIME)
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.account.capacity() * 4
            + self.created_at.capacity() * 8
            + self.row_of.capacity() * 4
            + self.attrs.heap_bytes()
    }
}

/// What the platform's attestation said about a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attestation {
    /// The device passed.
    Pass,
    /// The device failed.
    Fail,
    /// The client sent no attestation.
    None,
    /// The side file did not say.
    Unknown,
}

impl Attestation {
    /// Parses `pass`, `fail`, `none` (case-insensitive); anything else is `None` of this
    /// function.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "pass" => Some(Self::Pass),
            "fail" => Some(Self::Fail),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::None => "none",
            Self::Unknown => "unknown",
        }
    }
}

/// One row of the devices side file, borrowed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawDevice<'a> {
    /// Device model.
    pub model: Option<&'a str>,
    /// Operating system and version.
    pub os: Option<&'a str>,
    /// Build fingerprint.
    pub build: Option<&'a str>,
    /// Screen size in pixels, parsed from `WxH`.
    pub screen: Option<(u16, u16)>,
    /// Attestation result.
    pub attestation: Option<Attestation>,
}

/// The devices side table.
#[derive(Debug, Clone, Default)]
pub struct DeviceTable {
    device: Vec<Id>,
    model: Vec<Id>,
    os: Vec<Id>,
    build: Vec<Id>,
    screen: Vec<(u16, u16)>,
    attestation: Vec<Attestation>,
    /// Distinct model, OS and build strings.
    pub strings: Interner,
    /// Every field other than the named ones, kept as text.
    pub attrs: Attrs,
    row_of: Vec<u32>,
}

impl DeviceTable {
    /// Adds a row for `device`. Returns `Ok(false)` (and adds nothing) when the device already
    /// has a row: the first is kept.
    ///
    /// # Errors
    /// When the string interner is full.
    pub fn push<'a>(
        &mut self,
        device: Id,
        raw: &RawDevice<'_>,
        attrs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> crate::Result<bool> {
        if self.row_of.get(device as usize).is_some_and(|&r| r != NONE) {
            return Ok(false);
        }
        let mut s = |v: Option<&str>| match v {
            Some(v) if !v.is_empty() => self.strings.intern(v),
            _ => Ok(NONE),
        };
        let (model, os, build) = (s(raw.model)?, s(raw.os)?, s(raw.build)?);
        let d = device as usize;
        if self.row_of.len() <= d {
            self.row_of.resize(d + 1, NONE);
        }
        self.row_of[d] = self.device.len() as u32;
        self.device.push(device);
        self.model.push(model);
        self.os.push(os);
        self.build.push(build);
        self.screen.push(raw.screen.unwrap_or((0, 0)));
        self.attestation
            .push(raw.attestation.unwrap_or(Attestation::Unknown));
        self.attrs.push_row(attrs);
        Ok(true)
    }

    pub(crate) fn index(&mut self, n_devices: usize) {
        self.row_of.resize(n_devices.max(self.row_of.len()), NONE);
        self.row_of.shrink_to_fit();
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.device.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.device.is_empty()
    }

    /// The row of `device`, if it has one.
    pub fn row(&self, device: Id) -> Option<usize> {
        self.row_of
            .get(device as usize)
            .filter(|&&r| r != NONE)
            .map(|&r| r as usize)
    }

    /// The device of each row.
    pub fn devices(&self) -> &[Id] {
        &self.device
    }

    /// The model at `row`.
    pub fn model(&self, row: usize) -> Option<&str> {
        self.strings.resolve_opt(self.model[row])
    }
    /// The OS at `row`.
    pub fn os(&self, row: usize) -> Option<&str> {
        self.strings.resolve_opt(self.os[row])
    }
    /// The build fingerprint at `row`.
    pub fn build(&self, row: usize) -> Option<&str> {
        self.strings.resolve_opt(self.build[row])
    }
    /// The screen at `row`, if known.
    pub fn screen(&self, row: usize) -> Option<(u16, u16)> {
        Some(self.screen[row]).filter(|&s| s != (0, 0))
    }
    /// The attestation at `row`.
    pub fn attestation(&self, row: usize) -> Attestation {
        self.attestation[row]
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.device.capacity() * 16
            + self.screen.capacity() * 4
            + self.attestation.capacity()
            + self.row_of.capacity() * 4
            + self.strings.heap_bytes()
            + self.attrs.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_keep_first_row_and_attrs() {
        let mut t = AccountTable::default();
        assert!(t.push(3, Some(100), [("name", "a"), ("bio", "x")]));
        assert!(!t.push(3, Some(200), []));
        assert!(t.push(1, None, [("bio", "y"), ("lang", "en")]));
        t.index(5);
        assert_eq!(t.created_at(3), Some(100));
        assert_eq!(t.created_at(1), None);
        assert_eq!(t.created_at(4), None);
        assert_eq!(t.attrs.get(0, "name"), Some("a"));
        assert_eq!(t.attrs.get(1, "name"), None);
        assert_eq!(t.attrs.get(1, "lang"), Some("en"));
        assert_eq!(t.attrs.get(0, "lang"), None);
    }

    #[test]
    fn devices_store_fields() {
        let mut t = DeviceTable::default();
        let raw = RawDevice {
            model: Some("Pixel 7"),
            os: Some("android 14"),
            build: None,
            screen: Some((1080, 2400)),
            attestation: Some(Attestation::Pass),
        };
        assert!(t.push(0, &raw, []).unwrap());
        assert!(!t.push(0, &raw, []).unwrap());
        let r = t.row(0).unwrap();
        assert_eq!(t.model(r), Some("Pixel 7"));
        assert_eq!(t.build(r), None);
        assert_eq!(t.screen(r), Some((1080, 2400)));
        assert_eq!(t.attestation(r), Attestation::Pass);
    }
}
