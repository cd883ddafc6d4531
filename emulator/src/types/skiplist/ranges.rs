//! Range queries on the skiplist: where a score or lexicographic range starts and ends,
//! iterating, counting and removing it. Ranges are found by descending the levels, except on
//! request by walking level 0, as Redis does on a listpack (see `SortedSet`).

use std::rc::Rc;

use super::{Iter, SkipList, HEAD, MAX_LEVEL};

/// A set of bounds on the ordering (a score range or a lexicographic range). Since nodes are
/// sorted, "above the minimum" holds from some node on, and "below the maximum" up to some
/// node.
pub trait RangeSpec {
    /// True when no element can satisfy both bounds.
    fn is_empty(&self) -> bool;
    fn above_min(&self, score: f64, member: &[u8]) -> bool;
    fn below_max(&self, score: f64, member: &[u8]) -> bool;
    fn contains(&self, score: f64, member: &[u8]) -> bool {
        self.above_min(score, member) && self.below_max(score, member)
    }
}

impl SkipList {
    /// The first element in range, found by descending the levels; HEAD if none.
    fn first_in<R: RangeSpec>(&self, range: &R) -> usize {
        if !self.intersects(range) {
            return HEAD;
        }
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let next = self.forward(x, i);
                if next != HEAD
                    && !range.above_min(self.nodes[next].score, &self.nodes[next].member)
                {
                    x = next;
                } else {
                    break;
                }
            }
        }
        let first = self.forward(x, 0);
        if first == HEAD || !range.below_max(self.nodes[first].score, &self.nodes[first].member) {
            return HEAD;
        }
        first
    }

    /// The last element in range, found by descending the levels; HEAD if none.
    fn last_in<R: RangeSpec>(&self, range: &R) -> usize {
        if !self.intersects(range) {
            return HEAD;
        }
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let next = self.forward(x, i);
                if next != HEAD && range.below_max(self.nodes[next].score, &self.nodes[next].member)
                {
                    x = next;
                } else {
                    break;
                }
            }
        }
        if x == HEAD || !range.above_min(self.nodes[x].score, &self.nodes[x].member) {
            return HEAD;
        }
        x
    }

    /// The first element in range found by walking from the start, as Redis does on a
    /// listpack. It differs from `first_in` only when the range's order is not the list's
    /// (a lexicographic range over members of different scores).
    fn first_in_linear<R: RangeSpec>(&self, range: &R) -> usize {
        if !self.intersects(range) {
            return HEAD;
        }
        let mut at = self.forward(HEAD, 0);
        while at != HEAD {
            let node = &self.nodes[at];
            if range.above_min(node.score, &node.member) {
                return if range.below_max(node.score, &node.member) {
                    at
                } else {
                    HEAD
                };
            }
            at = self.forward(at, 0);
        }
        HEAD
    }

    /// The last element in range found by walking back from the end (see `first_in_linear`).
    fn last_in_linear<R: RangeSpec>(&self, range: &R) -> usize {
        if !self.intersects(range) {
            return HEAD;
        }
        let mut at = self.tail;
        while at != HEAD {
            let node = &self.nodes[at];
            if range.below_max(node.score, &node.member) {
                return if range.above_min(node.score, &node.member) {
                    at
                } else {
                    HEAD
                };
            }
            at = node.backward;
        }
        HEAD
    }

    /// Whether some part of the list may be in range (Redis's zslIsInRange): the range is
    /// not empty, the last node is above its minimum and the first below its maximum.
    fn intersects<R: RangeSpec>(&self, range: &R) -> bool {
        if range.is_empty() || self.len == 0 {
            return false;
        }
        let last = &self.nodes[self.tail];
        let first_slot = self.forward(HEAD, 0);
        let first = &self.nodes[first_slot];
        range.above_min(last.score, &last.member) && range.below_max(first.score, &first.member)
    }

    /// Iterates from the first element in range (the last one when `reverse`), without
    /// stopping at the range's end: callers stop at the first element out of range. `linear`
    /// finds the start by walking, as on a listpack.
    pub fn iter_from_range<R: RangeSpec>(
        &self,
        range: &R,
        reverse: bool,
        linear: bool,
    ) -> Iter<'_> {
        let at = match (reverse, linear) {
            (true, false) => self.last_in(range),
            (false, false) => self.first_in(range),
            (true, true) => self.last_in_linear(range),
            (false, true) => self.first_in_linear(range),
        };
        Iter {
            list: self,
            at,
            reverse,
        }
    }

    /// The number of elements in range: from the ranks of its first and last elements, or
    /// when `linear` by walking from the first, as on a listpack.
    pub fn count_in<R: RangeSpec>(&self, range: &R, linear: bool) -> usize {
        if linear {
            return self
                .iter_from_range(range, false, true)
                .take_while(|&(member, score)| range.below_max(score, member))
                .count();
        }
        let first = self.first_in(range);
        if first == HEAD {
            return 0;
        }
        let last = self.last_in(range);
        let rank_of = |slot: usize| {
            let node = &self.nodes[slot];
            self.rank(node.score, &node.member).unwrap_or(0)
        };
        if last == HEAD {
            return 0;
        }
        (rank_of(last) + 1).saturating_sub(rank_of(first))
    }

    /// Removes every element in range and returns the removed members. With `linear`, the
    /// range starts where a walk from the start finds it, as on a listpack.
    pub fn remove_range<R: RangeSpec>(&mut self, range: &R, linear: bool) -> Vec<Rc<[u8]>> {
        if linear {
            let doomed: Vec<(f64, Rc<[u8]>)> = {
                let mut at = self.first_in_linear(range);
                let mut doomed = Vec::new();
                while at != HEAD {
                    let node = &self.nodes[at];
                    if !range.below_max(node.score, &node.member) {
                        break;
                    }
                    doomed.push((node.score, node.member.clone()));
                    at = self.forward(at, 0);
                }
                doomed
            };
            for (score, member) in &doomed {
                self.remove(*score, member);
            }
            return doomed.into_iter().map(|(_, m)| m).collect();
        }
        let mut update = [HEAD; MAX_LEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let next = self.forward(x, i);
                if next != HEAD
                    && !range.above_min(self.nodes[next].score, &self.nodes[next].member)
                {
                    x = next;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let mut removed = Vec::new();
        let mut slot = self.forward(x, 0);
        while slot != HEAD && range.below_max(self.nodes[slot].score, &self.nodes[slot].member) {
            let next = self.forward(slot, 0);
            self.unlink(slot, &update);
            removed.push(self.release(slot));
            slot = next;
        }
        self.compact_if_sparse();
        removed
    }
}
