//! The "blocks" graph: tasks as indices in natural key order, adjacency in compressed arrays,
//! a topological order (Kahn), one named cycle when there is none, and each task's critical-path
//! length (its estimate plus the longest chain of work it blocks). All O(V + E).

use std::cmp::Ordering;
use std::collections::VecDeque;

/// Orders keys as a person expects: `PROJ-2` before `PROJ-10`. Keys are split into runs of
/// digits and of other characters; runs compare pairwise, digit runs as numbers (before a text
/// run at the same place), text runs byte by byte; then fewer runs first; byte order breaks the
/// remaining ties (`PROJ-02` before `PROJ-2`), so the order is total.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    NaturalKey::new(a).cmp(&NaturalKey::new(b))
}

/// A key split once into runs of digits and runs of other characters, for sorting many keys:
/// runs compare pairwise, digit runs as numbers (before any text run at the same place), text
/// runs byte by byte; then the shorter list of runs first; byte order breaks the remaining ties
/// (`PROJ-02` before `PROJ-2`), so the order is total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NaturalKey<'a> {
    runs: Vec<Run<'a>>,
    raw: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Run<'a> {
    /// Digits without leading zeros.
    Number(Digits<'a>),
    Text(&'a [u8]),
}

/// Digits compare by count (no leading zeros), then lexicographically: numeric order of any
/// length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Digits<'a>(&'a [u8]);

impl Ord for Digits<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(other.0))
    }
}

impl PartialOrd for Digits<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<'a> NaturalKey<'a> {
    pub(crate) fn new(raw: &'a str) -> Self {
        let mut runs = Vec::with_capacity(2);
        let mut rest = raw.as_bytes();
        while let Some(first) = rest.first() {
            let digits = first.is_ascii_digit();
            let end = rest
                .iter()
                .position(|c| c.is_ascii_digit() != digits)
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(end);
            runs.push(if digits {
                let start = run.iter().position(|&c| c != b'0').unwrap_or(run.len());
                Run::Number(Digits(run.get(start..).unwrap_or_default()))
            } else {
                Run::Text(run)
            });
            rest = tail;
        }
        Self { runs, raw }
    }
}

impl Ord for NaturalKey<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.runs
            .cmp(&other.runs)
            .then_with(|| self.raw.cmp(other.raw))
    }
}

impl PartialOrd for NaturalKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Adjacency of a directed graph over `0..n` in compressed rows: for node `v`, its successors
/// (the tasks it blocks) and its predecessors (its blockers).
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    succ_start: Vec<usize>,
    succ: Vec<usize>,
    pred_start: Vec<usize>,
    pred: Vec<usize>,
}

impl Graph {
    /// `edges` are `(blocker, blocked)`; duplicates are kept once.
    pub(crate) fn new(n: usize, mut edges: Vec<(usize, usize)>) -> Self {
        edges.sort_unstable();
        edges.dedup();
        let (succ_start, succ) = compress(n, edges.iter().copied());
        let (pred_start, pred) = compress(n, edges.iter().map(|&(a, b)| (b, a)));
        Self {
            succ_start,
            succ,
            pred_start,
            pred,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.succ_start.len().saturating_sub(1)
    }

    /// The tasks `v` blocks, ascending.
    pub(crate) fn successors(&self, v: usize) -> &[usize] {
        row(&self.succ_start, &self.succ, v)
    }

    /// The tasks blocking `v`, ascending.
    pub(crate) fn predecessors(&self, v: usize) -> &[usize] {
        row(&self.pred_start, &self.pred, v)
    }

    /// A topological order (every blocker before what it blocks), or one cycle in blocking
    /// order starting at its smallest node.
    pub(crate) fn topological_order(&self) -> Result<Vec<usize>, Vec<usize>> {
        let n = self.len();
        let mut indegree: Vec<usize> = (0..n).map(|v| self.predecessors(v).len()).collect();
        let mut queue: VecDeque<usize> = (0..n)
            .filter(|&v| indegree.get(v).is_some_and(|&d| d == 0))
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(v) = queue.pop_front() {
            order.push(v);
            for &w in self.successors(v) {
                if let Some(d) = indegree.get_mut(w) {
                    *d -= 1;
                    if *d == 0 {
                        queue.push_back(w);
                    }
                }
            }
        }
        if order.len() == n {
            Ok(order)
        } else {
            Err(self.find_cycle(&indegree))
        }
    }

    /// After Kahn's algorithm, every node with a remaining in-degree has a remaining blocker;
    /// walking blockers from the smallest such node must revisit a node, and the walk between
    /// the two visits is a cycle.
    fn find_cycle(&self, indegree: &[usize]) -> Vec<usize> {
        let remaining = |v: usize| indegree.get(v).is_some_and(|&d| d > 0);
        let Some(start) = (0..self.len()).find(|&v| remaining(v)) else {
            return Vec::new();
        };
        let mut seen_at: Vec<Option<usize>> = vec![None; self.len()];
        let mut path = Vec::new();
        let mut v = start;
        loop {
            if let Some(Some(at)) = seen_at.get(v) {
                let mut cycle: Vec<usize> = path.get(*at..).unwrap_or_default().to_vec();
                // The walk followed blockers; reversed, each node blocks the next.
                cycle.reverse();
                if let Some(min_at) = cycle
                    .iter()
                    .enumerate()
                    .min_by_key(|&(_, &node)| node)
                    .map(|(i, _)| i)
                {
                    cycle.rotate_left(min_at);
                }
                return cycle;
            }
            if let Some(slot) = seen_at.get_mut(v) {
                *slot = Some(path.len());
            }
            path.push(v);
            match self.predecessors(v).iter().find(|&&p| remaining(p)) {
                Some(&p) => v = p,
                None => return path, // unreachable for a graph Kahn could not finish
            }
        }
    }

    /// Each node's weight plus the heaviest chain of nodes it (transitively) blocks: the
    /// critical-path length from the node to the end of the work.
    pub(crate) fn tail_lengths(&self, order: &[usize], weight: &[f64]) -> Vec<f64> {
        let mut tail = vec![0.0; self.len()];
        for &v in order.iter().rev() {
            let longest = self
                .successors(v)
                .iter()
                .filter_map(|&w| tail.get(w).copied())
                .fold(0.0_f64, f64::max);
            if let Some(slot) = tail.get_mut(v) {
                *slot = weight.get(v).copied().unwrap_or(0.0) + longest;
            }
        }
        tail
    }
}

fn compress(
    n: usize,
    edges: impl Iterator<Item = (usize, usize)> + Clone,
) -> (Vec<usize>, Vec<usize>) {
    let mut start = vec![0usize; n + 1];
    for (from, _) in edges.clone() {
        if let Some(s) = start.get_mut(from + 1) {
            *s += 1;
        }
    }
    for i in 0..n {
        let before = start.get(i).copied().unwrap_or(0);
        if let Some(s) = start.get_mut(i + 1) {
            *s += before;
        }
    }
    let mut next = start.clone();
    let mut targets = vec![0usize; start.get(n).copied().unwrap_or(0)];
    for (from, to) in edges {
        if let Some(at) = next.get_mut(from) {
            if let Some(slot) = targets.get_mut(*at) {
                *slot = to;
            }
            *at += 1;
        }
    }
    // The edges arrive sorted by (blocker, blocked), so each row comes out ascending both ways.
    (start, targets)
}

fn row<'a>(start: &[usize], targets: &'a [usize], v: usize) -> &'a [usize] {
    match (start.get(v), start.get(v + 1)) {
        (Some(&a), Some(&b)) => targets.get(a..b).unwrap_or_default(),
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_numbers_as_numbers() {
        let mut keys = vec!["PROJ-10", "PROJ-2", "ABC-1", "PROJ-02", "PROJ-1"];
        keys.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(keys, ["ABC-1", "PROJ-1", "PROJ-02", "PROJ-2", "PROJ-10"]);
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
        assert_eq!(natural_cmp("a", "ab"), Ordering::Less);
        assert_eq!(natural_cmp("a9b", "a10"), Ordering::Less);
        assert_eq!(natural_cmp("10", "9"), Ordering::Greater);
        assert_eq!(natural_cmp("", "0"), Ordering::Less);
        assert_eq!(natural_cmp("x-1", "x1"), Ordering::Greater);
    }

    #[test]
    fn cycle_is_one_cycle_in_blocking_order() {
        // 0 → 1 → 2 → 3 → 1, and 4 → 0 leads into it.
        let g = Graph::new(5, vec![(0, 1), (1, 2), (2, 3), (3, 1), (4, 0)]);
        assert_eq!(g.topological_order(), Err(vec![1, 2, 3]));
        let g = Graph::new(2, vec![(1, 1), (0, 1)]);
        assert_eq!(g.topological_order(), Err(vec![1]));
    }

    #[test]
    fn tails_are_critical_path_lengths() {
        let g = Graph::new(4, vec![(0, 1), (1, 3), (0, 2), (2, 3)]);
        let order = g.topological_order().unwrap();
        assert_eq!(order, vec![0, 1, 2, 3]);
        let tail = g.tail_lengths(&order, &[1.0, 5.0, 2.0, 1.0]);
        assert_eq!(tail, vec![7.0, 6.0, 3.0, 1.0]);
    }
}
