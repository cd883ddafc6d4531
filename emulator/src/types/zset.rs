//! Sorted set values: a member → score map plus a skiplist ordered by (score, member).
//!
//! Redis 7.0 keeps small sorted sets in a `listpack` and larger ones as `skiplist`. Both
//! orders are the same, so we always use the skiplist and only track which encoding Redis
//! would be using, for what depends on it: OBJECT ENCODING, ZSCAN (a listpack is returned
//! whole with cursor 0) and scores (a listpack stores -0 as the integer 0).

use std::collections::HashMap;
use std::rc::Rc;

use super::skiplist::{Iter, RangeSpec, SkipList};

/// `zset-max-listpack-entries` and `zset-max-listpack-value`.
#[derive(Clone, Copy, Debug)]
pub struct ListpackLimits {
    pub max_entries: usize,
    pub max_value: usize,
}

impl ListpackLimits {
    /// Whether a sorted set of `len` members, the longest `max_member_len` bytes, fits.
    pub fn fits(&self, len: usize, max_member_len: usize) -> bool {
        len <= self.max_entries && max_member_len <= self.max_value
    }
}

#[derive(Clone, Debug)]
pub struct SortedSet {
    scores: HashMap<Rc<[u8]>, f64>,
    list: SkipList,
    listpack: bool,
}

impl SortedSet {
    /// An empty sorted set, `listpack` encoded or not.
    pub fn new(listpack: bool) -> SortedSet {
        SortedSet {
            scores: HashMap::new(),
            list: SkipList::new(),
            listpack,
        }
    }

    /// The empty sorted set ZADD creates before adding its first member (`first_len` bytes).
    pub fn for_first_member(first_len: usize, limits: ListpackLimits) -> SortedSet {
        SortedSet::new(limits.max_entries > 0 && first_len <= limits.max_value)
    }

    pub fn encoding(&self) -> &'static str {
        if self.listpack {
            "listpack"
        } else {
            "skiplist"
        }
    }

    /// Redis's zsetConvert to `skiplist` (SORT does it to the set it sorts).
    pub fn convert_to_skiplist(&mut self) {
        self.listpack = false;
    }

    pub fn is_listpack(&self) -> bool {
        self.listpack
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// The score as stored: a listpack keeps zero as the integer 0, losing the sign of -0.
    fn stored(&self, score: f64) -> f64 {
        if self.listpack && score == 0.0 {
            0.0
        } else {
            score
        }
    }

    /// Adds a member that is not in the set, converting a listpack that would outgrow its
    /// limits first (as Redis's zsetAdd does).
    pub fn insert(&mut self, member: &[u8], score: f64, limits: ListpackLimits) {
        if self.listpack && !limits.fits(self.len() + 1, member.len()) {
            self.listpack = false;
        }
        let score = self.stored(score);
        let member: Rc<[u8]> = Rc::from(member);
        self.scores.insert(member.clone(), score);
        self.list.insert(score, member);
    }

    /// Changes the score of a member that is in the set.
    pub fn set_score(&mut self, member: &[u8], score: f64) {
        let score = self.stored(score);
        if let Some(current) = self.scores.get_mut(member) {
            let old = *current;
            *current = score;
            self.list.update_score(old, member, score);
        }
    }

    /// Removes a member and returns its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let score = self.scores.remove(member)?;
        self.list.remove(score, member);
        Some(score)
    }

    /// The 0-based rank of a member, counted from the highest score when `reverse`.
    pub fn rank(&self, member: &[u8], reverse: bool) -> Option<usize> {
        let score = self.score(member)?;
        let rank = self.list.rank(score, member)?;
        Some(if reverse { self.len() - rank } else { rank - 1 })
    }

    /// Members and scores from the 0-based rank `start` on (from the end when `reverse`).
    pub fn iter_from_rank(&self, start: usize, reverse: bool) -> Iter<'_> {
        self.list.iter_from_rank(start, reverse)
    }

    /// Members and scores from the first in range on (the last, going down, when
    /// `reverse`); the iteration does not stop at the end of the range.
    ///
    /// A listpack finds where a range starts by walking it, which only matters for a
    /// lexicographic range over members of different scores (whose result Redis leaves
    /// unspecified, but which is deterministic for a listpack); that is reproduced here.
    pub fn iter_from_range<R: RangeSpec>(&self, range: &R, reverse: bool) -> Iter<'_> {
        self.list.iter_from_range(range, reverse, self.listpack)
    }

    pub fn count_in<R: RangeSpec>(&self, range: &R) -> usize {
        self.list.count_in(range, self.listpack)
    }

    /// Removes the members in range; returns how many.
    pub fn remove_range<R: RangeSpec>(&mut self, range: &R) -> usize {
        let removed = self.list.remove_range(range, self.listpack);
        self.forget(&removed)
    }

    /// Removes the members of 0-based ranks `start..=end`; returns how many.
    pub fn remove_rank_range(&mut self, start: usize, end: usize) -> usize {
        let removed = self.list.remove_rank_range(start + 1, end + 1);
        self.forget(&removed)
    }

    fn forget(&mut self, removed: &[Rc<[u8]>]) -> usize {
        for member in removed {
            self.scores.remove(member);
        }
        removed.len()
    }

    pub fn first(&self) -> Option<(&[u8], f64)> {
        self.list.first()
    }

    pub fn last(&self) -> Option<(&[u8], f64)> {
        self.list.last()
    }

    /// A uniformly chosen member and its score.
    pub fn random(&self) -> Option<(&[u8], f64)> {
        self.list.random()
    }

    /// All members and scores in order.
    pub fn iter(&self) -> Iter<'_> {
        self.list.iter_from_rank(0, false)
    }

    /// Member lengths and skiplist levels of the elements in order (for memory accounting).
    pub fn node_shapes(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.list.node_shapes()
    }

    /// One step of a scan of a skiplist-encoded set (see `SkipList::scan`).
    pub fn scan(&self, cursor: u64, count: usize, visit: impl FnMut(&[u8], f64)) -> u64 {
        self.list.scan(cursor, count, visit)
    }

    /// Redis's zsetConvertToListpackIfNeeded, for sets built by the store commands: becomes a
    /// listpack if it fits the limits.
    pub fn shrink_if_fits(&mut self, limits: ListpackLimits, max_member_len: usize) {
        if self.listpack || !limits.fits(self.len(), max_member_len) {
            return;
        }
        self.listpack = true;
        self.list.normalize_zero_scores();
        for score in self.scores.values_mut() {
            if *score == 0.0 {
                *score = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ListpackLimits = ListpackLimits {
        max_entries: 3,
        max_value: 4,
    };

    #[test]
    fn converts_like_redis_and_keeps_order() {
        let mut z = SortedSet::for_first_member(1, LIMITS);
        z.insert(b"b", 2.0, LIMITS);
        z.insert(b"a", 2.0, LIMITS);
        z.insert(b"c", -0.0, LIMITS);
        assert_eq!(z.encoding(), "listpack");
        assert!(z.score(b"c").is_some_and(|s| s.is_sign_positive()));
        z.insert(b"d", 1.0, LIMITS);
        assert_eq!(z.encoding(), "skiplist");
        let order: Vec<&[u8]> = z.iter().map(|(m, _)| m).collect();
        assert_eq!(order, vec![&b"c"[..], b"d", b"a", b"b"]);
        assert_eq!(z.rank(b"a", false), Some(2));
        assert_eq!(z.rank(b"a", true), Some(1));
        z.set_score(b"c", 5.0);
        assert_eq!(z.rank(b"c", false), Some(3));
        assert_eq!(z.remove(b"c"), Some(5.0));
        assert_eq!(z.len(), 3);
    }
}
