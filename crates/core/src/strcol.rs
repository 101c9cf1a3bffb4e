//! A column of byte strings stored in one buffer, addressed by compact per-row offsets.

/// Rows per block: offsets inside a block are `u32`, relative to the block's `u64` base, so a
/// column can hold more than 4 GiB of bytes while paying four bytes of offset per row.
const BLOCK_ROWS: usize = 1 << 16;

/// An append-only column of strings: one byte buffer, one `u32` end offset per row (relative to
/// its block of 65 536 rows) and one `u64` base per block.
///
/// A row costs its bytes plus four bytes. Empty strings cost four bytes.
#[derive(Debug, Clone, Default)]
pub struct StrColumn {
    bytes: Vec<u8>,
    ends: Vec<u32>,
    bases: Vec<u64>,
}

impl StrColumn {
    /// An empty column.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends a row. Returns `false` (and appends nothing) only if the row alone is longer
    /// than a block can address (4 GiB).
    pub fn push(&mut self, s: &[u8]) -> bool {
        let row = self.ends.len();
        if row.is_multiple_of(BLOCK_ROWS) {
            self.bases.push(self.bytes.len() as u64);
        }
        let base = *self.bases.last().expect("a block base exists") as usize;
        let end = self.bytes.len() + s.len() - base;
        if end > u32::MAX as usize {
            if row.is_multiple_of(BLOCK_ROWS) {
                self.bases.pop();
            }
            return false;
        }
        self.bytes.extend_from_slice(s);
        self.ends.push(end as u32);
        true
    }

    /// The bytes of row `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    #[inline]
    pub fn get(&self, i: usize) -> &[u8] {
        let block = i / BLOCK_ROWS;
        let base = self.bases[block] as usize;
        let start = if i.is_multiple_of(BLOCK_ROWS) {
            0
        } else {
            self.ends[i - 1] as usize
        };
        let end = self.ends[i] as usize;
        &self.bytes[base + start..base + end]
    }

    /// Row `i` as a `&str`. Rows are pushed from `&str` by every caller in lockstep; a row that
    /// is not UTF-8 comes back lossily as the empty string.
    #[inline]
    pub fn get_str(&self, i: usize) -> &str {
        std::str::from_utf8(self.get(i)).unwrap_or("")
    }

    /// Total bytes of string data.
    pub fn data_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// Heap bytes held (capacity, not length), split into (string data, offsets).
    pub fn heap_bytes(&self) -> (usize, usize) {
        (
            self.bytes.capacity(),
            self.ends.capacity() * 4 + self.bases.capacity() * 8,
        )
    }

    /// Reserves room for `rows` more rows holding `bytes` more bytes in all.
    pub fn reserve(&mut self, rows: usize, bytes: usize) {
        self.ends.reserve(rows);
        self.bytes.reserve(bytes);
        self.bases.reserve(rows / BLOCK_ROWS + 1);
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.bases.shrink_to_fit();
    }

    /// Keeps only the rows whose index satisfies `keep`, in order.
    pub fn retain_rows(&mut self, mut keep: impl FnMut(usize) -> bool) {
        let mut out = StrColumn::new();
        for i in 0..self.len() {
            if keep(i) {
                out.push(self.get(i));
            }
        }
        *self = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_across_blocks() {
        let mut c = StrColumn::new();
        let rows: Vec<String> = (0..(BLOCK_ROWS * 2 + 17))
            .map(|i| format!("r{}", i % 977))
            .collect();
        for r in &rows {
            assert!(c.push(r.as_bytes()));
        }
        assert_eq!(c.len(), rows.len());
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(c.get_str(i), r);
        }
    }

    #[test]
    fn empty_rows() {
        let mut c = StrColumn::new();
        c.push(b"");
        c.push(b"x");
        c.push(b"");
        assert_eq!(c.get(0), b"");
        assert_eq!(c.get(1), b"x");
        assert_eq!(c.get(2), b"");
    }
}
