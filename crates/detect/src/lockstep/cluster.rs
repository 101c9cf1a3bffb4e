//! The sequential core of the lockstep detector: k-core of the strong-pair graph, then
//! connected components by union-find.

use lockstep_core::Id;

/// Union-find with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

/// The groups of the strong-pair graph: its `k`-core split into connected components of at
/// least `min_size` accounts.
///
/// # Returns
/// The groups, each sorted, ordered by size (largest first) then first member; and the
/// number of accounts left in the k-core.
///
/// # Complexity
/// O(P log P) for P strong pairs (the node relabelling is a sort, not a hash).
pub(crate) fn clusters(strong: &[(Id, Id)], k: usize, min_size: usize) -> (Vec<Vec<Id>>, usize) {
    let mut nodes: Vec<Id> = strong.iter().flat_map(|&(a, b)| [a, b]).collect();
    nodes.sort_unstable();
    nodes.dedup();
    let n = nodes.len();
    let local = |x: Id| nodes.binary_search(&x).expect("endpoint is a node") as u32;
    let edges: Vec<(u32, u32)> = strong.iter().map(|&(a, b)| (local(a), local(b))).collect();

    let mut off = vec![0u32; n + 1];
    for &(a, b) in &edges {
        off[a as usize + 1] += 1;
        off[b as usize + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let mut fill = off.clone();
    let mut adj = vec![0u32; 2 * edges.len()];
    for &(a, b) in &edges {
        adj[fill[a as usize] as usize] = b;
        fill[a as usize] += 1;
        adj[fill[b as usize] as usize] = a;
        fill[b as usize] += 1;
    }

    // k-core: peel nodes of degree < k.
    let mut deg: Vec<usize> = (0..n).map(|v| (off[v + 1] - off[v]) as usize).collect();
    let mut alive = vec![true; n];
    let mut stack: Vec<u32> = (0..n as u32).filter(|&v| deg[v as usize] < k).collect();
    for &v in &stack {
        alive[v as usize] = false;
    }
    while let Some(v) = stack.pop() {
        for &u in &adj[off[v as usize] as usize..off[v as usize + 1] as usize] {
            let u = u as usize;
            if alive[u] {
                deg[u] -= 1;
                if deg[u] < k {
                    alive[u] = false;
                    stack.push(u as u32);
                }
            }
        }
    }
    let core = alive.iter().filter(|&&a| a).count();

    let mut uf = UnionFind::new(n);
    for &(a, b) in &edges {
        if alive[a as usize] && alive[b as usize] {
            uf.union(a, b);
        }
    }
    let mut by_root: Vec<(u32, Id)> = (0..n as u32)
        .filter(|&v| alive[v as usize])
        .map(|v| (uf.find(v), nodes[v as usize]))
        .collect();
    by_root.sort_unstable();
    let mut groups: Vec<Vec<Id>> = by_root
        .chunk_by(|x, y| x.0 == y.0)
        .filter(|c| c.len() >= min_size)
        .map(|c| c.iter().map(|&(_, id)| id).collect())
        .collect();
    groups.sort_by(|x, y| y.len().cmp(&x.len()).then(x[0].cmp(&y[0])));
    (groups, core)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_then_components() {
        // Two 4-cliques {1,2,3,4} and {10,11,12,13}, a tail 4-5 and a lone pair 20-21.
        let mut strong = Vec::new();
        for base in [1, 10] {
            for a in base..base + 4 {
                for b in a + 1..base + 4 {
                    strong.push((a, b));
                }
            }
        }
        strong.extend([(4, 5), (20, 21)]);
        let (groups, core) = clusters(&strong, 3, 4);
        assert_eq!(groups, vec![vec![1, 2, 3, 4], vec![10, 11, 12, 13]]);
        assert_eq!(core, 8);
        let (groups, _) = clusters(&strong, 1, 2);
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0], vec![1, 2, 3, 4, 5]);
    }
}
