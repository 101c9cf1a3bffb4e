//! An indexed binary min-heap of node ids keyed by a slice of priorities, with decrease-key
//! in place.

/// A min-heap of ids `0..n` ordered by `(key[id], id)`, with each id's position kept so a key
/// decrease is a sift-up where the node sits (usually a no-op for heavy nodes, which live
/// near the leaves) rather than a new entry.
#[derive(Debug)]
pub(crate) struct IndexedHeap {
    heap: Vec<u32>,
    pos: Vec<u32>,
}

const ABSENT: u32 = u32::MAX;

impl IndexedHeap {
    /// A heap holding the ids for which `member` is true.
    pub(crate) fn new(keys: &[u64], member: impl Fn(usize) -> bool) -> Self {
        let mut h = Self {
            heap: Vec::new(),
            pos: vec![ABSENT; keys.len()],
        };
        for v in (0..keys.len()).filter(|&v| member(v)) {
            h.heap.push(v as u32);
            h.pos[v] = (h.heap.len() - 1) as u32;
        }
        for i in (0..h.heap.len() / 2).rev() {
            h.sift_down(keys, i);
        }
        h
    }

    #[inline]
    fn set(&mut self, i: usize, v: u32) {
        self.heap[i] = v;
        self.pos[v as usize] = i as u32;
    }

    fn sift_up(&mut self, keys: &[u64], mut i: usize) {
        let v = self.heap[i];
        let k = (keys[v as usize], v);
        while i > 0 {
            let parent = (i - 1) / 2;
            let p = self.heap[parent];
            if (keys[p as usize], p) <= k {
                break;
            }
            self.set(i, p);
            i = parent;
        }
        self.set(i, v);
    }

    fn sift_down(&mut self, keys: &[u64], mut i: usize) {
        let n = self.heap.len();
        let v = self.heap[i];
        let k = (keys[v as usize], v);
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let (a, b) = (self.heap[l], self.heap.get(l + 1).copied());
            let c = match b {
                Some(b) if (keys[b as usize], b) < (keys[a as usize], a) => b,
                _ => a,
            };
            if (keys[c as usize], c) >= k {
                break;
            }
            let ci = self.pos[c as usize] as usize;
            self.set(i, c);
            i = ci;
        }
        self.set(i, v);
    }

    /// Removes and returns the id with the smallest `(key, id)`.
    pub(crate) fn pop(&mut self, keys: &[u64]) -> Option<u32> {
        let top = *self.heap.first()?;
        let last = self.heap.pop().expect("non-empty");
        self.pos[top as usize] = ABSENT;
        if !self.heap.is_empty() {
            self.set(0, last);
            self.sift_down(keys, 0);
        }
        Some(top)
    }

    /// Restores the order after `keys[v]` decreased.
    #[inline]
    pub(crate) fn decreased(&mut self, keys: &[u64], v: u32) {
        let i = self.pos[v as usize];
        if i != ABSENT {
            self.sift_up(keys, i as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_key_then_id_order_with_decreases() {
        let mut keys = vec![5u64, 3, 9, 3, 7, 0];
        let mut h = IndexedHeap::new(&keys, |v| v != 5);
        assert_eq!(h.pop(&keys), Some(1));
        keys[2] = 1;
        h.decreased(&keys, 2);
        keys[4] = 3;
        h.decreased(&keys, 4);
        let mut out = Vec::new();
        while let Some(v) = h.pop(&keys) {
            out.push(v);
        }
        assert_eq!(out, vec![2, 3, 4, 0]);
    }
}
