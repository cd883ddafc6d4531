//! The ordered index of a sorted set: a skiplist whose links carry spans (how many nodes
//! each link jumps over), as in Redis, so that insertion, deletion, rank lookup and finding
//! the start of a rank, score or lexicographic range are all O(log n) expected.
//!
//! Nodes are ordered by score, then by member bytes. They live in an arena (`nodes`, with the
//! head at index 0) and link to each other by index, 0 meaning "none". Freed slots are
//! reused; when more than half the slots are free the arena is compacted in one O(n) pass,
//! which keeps random picks O(1) expected (ZRANDMEMBER picks a random live slot) at an
//! amortized O(1) cost per deletion.
//!
//! ZSCAN walks slots from the highest down. Nodes only ever move to lower slots (compaction
//! keeps their relative order), so a member present for a whole scan cannot slip past the
//! cursor.

use std::rc::Rc;

use super::random;

mod ranges;

pub use ranges::RangeSpec;

/// Enough levels for 2^64 elements at p = 1/4.
pub const MAX_LEVEL: usize = 32;

/// Slot of the head node; as a link target it means "none".
const HEAD: usize = 0;

#[derive(Clone, Copy, Debug, Default)]
struct Link {
    forward: usize,
    /// Nodes between the owner and `forward`, counting `forward`; for a link to nowhere, the
    /// nodes after the owner.
    span: usize,
}

#[derive(Clone, Debug)]
struct Node {
    member: Rc<[u8]>,
    score: f64,
    /// The previous node on level 0, HEAD for the first node.
    backward: usize,
    /// Empty for a free slot.
    links: Box<[Link]>,
}

impl Node {
    fn is_live(&self) -> bool {
        !self.links.is_empty()
    }

    /// Whether this node sorts strictly before (score, member).
    fn precedes(&self, score: f64, member: &[u8]) -> bool {
        self.score < score || (self.score == score && &*self.member < member)
    }
}

#[derive(Clone, Debug)]
pub struct SkipList {
    nodes: Vec<Node>,
    free: Vec<usize>,
    level: usize,
    len: usize,
    tail: usize,
    empty_member: Rc<[u8]>,
}

impl Default for SkipList {
    fn default() -> Self {
        SkipList::new()
    }
}

impl SkipList {
    pub fn new() -> SkipList {
        let empty_member: Rc<[u8]> = Rc::from(&[][..]);
        let head = Node {
            member: empty_member.clone(),
            score: 0.0,
            backward: HEAD,
            links: vec![Link::default(); MAX_LEVEL].into_boxed_slice(),
        };
        SkipList {
            nodes: vec![head],
            free: Vec::new(),
            level: 1,
            len: 0,
            tail: HEAD,
            empty_member,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn forward(&self, at: usize, level: usize) -> usize {
        self.nodes[at].links[level].forward
    }

    fn span(&self, at: usize, level: usize) -> usize {
        self.nodes[at].links[level].span
    }

    fn link_mut(&mut self, at: usize, level: usize) -> &mut Link {
        &mut self.nodes[at].links[level]
    }

    /// A level for a new node: 1 plus one per success of a 1-in-4 draw.
    fn random_level() -> usize {
        let mut level = 1;
        let mut bits = random::next_u64();
        while level < MAX_LEVEL && bits & 3 == 0 {
            level += 1;
            bits >>= 2;
            if bits == 0 {
                bits = random::next_u64();
            }
        }
        level
    }

    /// For each level, the last node strictly before (score, member), and its rank.
    fn path_to(&self, score: f64, member: &[u8]) -> ([usize; MAX_LEVEL], [usize; MAX_LEVEL]) {
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0; MAX_LEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            rank[i] = if i + 1 == self.level { 0 } else { rank[i + 1] };
            loop {
                let next = self.forward(x, i);
                if next != HEAD && self.nodes[next].precedes(score, member) {
                    rank[i] += self.span(x, i);
                    x = next;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        (update, rank)
    }

    /// Inserts a member that is not in the list yet.
    pub fn insert(&mut self, score: f64, member: Rc<[u8]>) {
        let links = vec![Link::default(); Self::random_level()].into_boxed_slice();
        let node = Node {
            member,
            score,
            backward: HEAD,
            links,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.nodes[slot] = node;
                slot
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        };
        self.link(slot);
    }

    /// Links the allocated, unlinked node at `slot` into its place.
    fn link(&mut self, slot: usize) {
        let score = self.nodes[slot].score;
        let member = self.nodes[slot].member.clone();
        let level = self.nodes[slot].links.len();
        let (mut update, mut rank) = self.path_to(score, &member);
        if level > self.level {
            for i in self.level..level {
                rank[i] = 0;
                update[i] = HEAD;
                self.link_mut(HEAD, i).span = self.len;
            }
            self.level = level;
        }
        for i in 0..level {
            let prev = update[i];
            let skipped = rank[0] - rank[i];
            let prev_link = self.nodes[prev].links[i];
            self.nodes[slot].links[i] = Link {
                forward: prev_link.forward,
                span: prev_link.span - skipped,
            };
            *self.link_mut(prev, i) = Link {
                forward: slot,
                span: skipped + 1,
            };
        }
        for (i, &prev) in update.iter().enumerate().take(self.level).skip(level) {
            self.link_mut(prev, i).span += 1;
        }
        self.nodes[slot].backward = update[0];
        let next = self.forward(slot, 0);
        if next == HEAD {
            self.tail = slot;
        } else {
            self.nodes[next].backward = slot;
        }
        self.len += 1;
    }

    /// Takes the node at `slot` out of the links; `update` is its path.
    fn unlink(&mut self, slot: usize, update: &[usize; MAX_LEVEL]) {
        for (i, &prev) in update.iter().enumerate().take(self.level) {
            if self.forward(prev, i) == slot {
                let gone = self.nodes[slot].links[i];
                let link = self.link_mut(prev, i);
                link.span = link.span + gone.span - 1;
                link.forward = gone.forward;
            } else {
                self.link_mut(prev, i).span -= 1;
            }
        }
        let next = self.forward(slot, 0);
        let backward = self.nodes[slot].backward;
        if next == HEAD {
            self.tail = backward;
        } else {
            self.nodes[next].backward = backward;
        }
        while self.level > 1 && self.forward(HEAD, self.level - 1) == HEAD {
            self.level -= 1;
        }
        self.len -= 1;
    }

    fn release(&mut self, slot: usize) -> Rc<[u8]> {
        let node = &mut self.nodes[slot];
        node.links = Box::new([]);
        let member = std::mem::replace(&mut node.member, self.empty_member.clone());
        self.free.push(slot);
        member
    }

    /// Removes (score, member); false if it is not in the list.
    pub fn remove(&mut self, score: f64, member: &[u8]) -> bool {
        let (update, _) = self.path_to(score, member);
        let slot = self.forward(update[0], 0);
        if slot == HEAD || self.nodes[slot].score != score || *self.nodes[slot].member != *member {
            return false;
        }
        self.unlink(slot, &update);
        self.release(slot);
        self.compact_if_sparse();
        true
    }

    /// Changes the score of (score, member), which must be in the list, keeping its slot.
    pub fn update_score(&mut self, score: f64, member: &[u8], new_score: f64) {
        let (update, _) = self.path_to(score, member);
        let slot = self.forward(update[0], 0);
        if slot == HEAD || *self.nodes[slot].member != *member {
            return;
        }
        // If the node stays between its neighbours, only the score changes.
        let backward = self.nodes[slot].backward;
        let next = self.forward(slot, 0);
        if (backward == HEAD || self.nodes[backward].score < new_score)
            && (next == HEAD || self.nodes[next].score > new_score)
        {
            self.nodes[slot].score = new_score;
            return;
        }
        self.unlink(slot, &update);
        self.nodes[slot].score = new_score;
        self.link(slot);
    }

    /// The 1-based rank of (score, member), None if it is not in the list.
    pub fn rank(&self, score: f64, member: &[u8]) -> Option<usize> {
        let mut rank = 0;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let next = self.forward(x, i);
                if next == HEAD {
                    break;
                }
                let node = &self.nodes[next];
                if node.score < score || (node.score == score && &*node.member <= member) {
                    rank += self.span(x, i);
                    x = next;
                } else {
                    break;
                }
            }
            if x != HEAD && self.nodes[x].score == score && &*self.nodes[x].member == member {
                return Some(rank);
            }
        }
        None
    }

    /// The slot of the node at 1-based `rank`, HEAD if out of range.
    fn slot_at_rank(&self, rank: usize) -> usize {
        let mut traversed = 0;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let next = self.forward(x, i);
                if next != HEAD && traversed + self.span(x, i) <= rank {
                    traversed += self.span(x, i);
                    x = next;
                } else {
                    break;
                }
            }
            if traversed == rank {
                return x;
            }
        }
        HEAD
    }

    /// Iterates from the 0-based rank `start` (counted from the end when `reverse`).
    pub fn iter_from_rank(&self, start: usize, reverse: bool) -> Iter<'_> {
        let at = if start >= self.len {
            HEAD
        } else if reverse {
            self.slot_at_rank(self.len - start)
        } else {
            self.slot_at_rank(start + 1)
        };
        Iter {
            list: self,
            at,
            reverse,
        }
    }

    /// Removes the elements of 1-based ranks `start..=end` and returns the removed members.
    pub fn remove_rank_range(&mut self, start: usize, end: usize) -> Vec<Rc<[u8]>> {
        let mut update = [HEAD; MAX_LEVEL];
        let mut traversed = 0;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let next = self.forward(x, i);
                if next != HEAD && traversed + self.span(x, i) < start {
                    traversed += self.span(x, i);
                    x = next;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let mut removed = Vec::new();
        let mut rank = traversed + 1;
        let mut slot = self.forward(x, 0);
        while slot != HEAD && rank <= end {
            let next = self.forward(slot, 0);
            self.unlink(slot, &update);
            removed.push(self.release(slot));
            rank += 1;
            slot = next;
        }
        self.compact_if_sparse();
        removed
    }

    pub fn first(&self) -> Option<(&[u8], f64)> {
        self.entry(self.forward(HEAD, 0))
    }

    pub fn last(&self) -> Option<(&[u8], f64)> {
        self.entry(self.tail)
    }

    fn entry(&self, slot: usize) -> Option<(&[u8], f64)> {
        if slot == HEAD {
            return None;
        }
        self.nodes.get(slot).map(|n| (&n.member[..], n.score))
    }

    /// A uniformly chosen element.
    pub fn random(&self) -> Option<(&[u8], f64)> {
        if self.len == 0 {
            return None;
        }
        // At least half the slots are live (see compact_if_sparse), so this takes two tries
        // on average.
        loop {
            let slot = 1 + random::below(self.nodes.len() - 1);
            if self.nodes[slot].is_live() {
                return self.entry(slot);
            }
        }
    }

    /// One step of a scan over slots (see the module comment): visits up to `count` elements
    /// and returns the cursor to continue from, 0 when done.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&[u8], f64)) -> u64 {
        let slots = self.nodes.len() - 1;
        let mut remaining = if cursor == 0 {
            slots
        } else {
            usize::try_from(cursor).map_or(slots, |c| c.min(slots))
        };
        let mut visited = 0;
        while remaining > 0 && visited < count {
            let node = &self.nodes[remaining];
            remaining -= 1;
            if node.is_live() {
                visit(&node.member, node.score);
                visited += 1;
            }
        }
        remaining as u64
    }

    /// Member lengths and levels of the nodes in order (for memory accounting).
    pub fn node_shapes(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut at = self.forward(HEAD, 0);
        std::iter::from_fn(move || {
            let node = self.nodes.get(at).filter(|_| at != HEAD)?;
            at = node.links.first().map_or(HEAD, |l| l.forward);
            Some((node.member.len(), node.links.len()))
        })
    }

    /// Replaces every score equal to zero by +0 (a listpack stores -0 as the integer 0).
    pub fn normalize_zero_scores(&mut self) {
        for node in self.nodes.iter_mut().skip(1) {
            if node.score == 0.0 {
                node.score = 0.0;
            }
        }
    }

    /// Compacts the arena when more than half of its slots are free, moving live nodes down
    /// in slot order.
    fn compact_if_sparse(&mut self) {
        if self.free.len() <= self.len {
            return;
        }
        let mut new_slot = vec![HEAD; self.nodes.len()];
        let mut next = 1;
        for (old, node) in self.nodes.iter().enumerate().skip(1) {
            if node.is_live() {
                new_slot[old] = next;
                next += 1;
            }
        }
        for node in self.nodes.iter_mut() {
            node.backward = new_slot[node.backward];
            for link in node.links.iter_mut() {
                link.forward = new_slot[link.forward];
            }
        }
        self.tail = new_slot[self.tail];
        let mut index = 0;
        self.nodes.retain(|node| {
            index += 1;
            index == 1 || node.is_live()
        });
        self.free.clear();
    }
}

/// Elements in order (or reverse order) from a starting node.
pub struct Iter<'a> {
    list: &'a SkipList,
    at: usize,
    reverse: bool,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], f64);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at == HEAD {
            return None;
        }
        let node = self.list.nodes.get(self.at)?;
        self.at = if self.reverse {
            node.backward
        } else {
            node.links.first().map_or(HEAD, |l| l.forward)
        };
        Some((&node.member[..], node.score))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Scores {
        min: f64,
        max: f64,
    }

    impl RangeSpec for Scores {
        fn is_empty(&self) -> bool {
            self.min > self.max
        }
        fn above_min(&self, score: f64, _: &[u8]) -> bool {
            score >= self.min
        }
        fn below_max(&self, score: f64, _: &[u8]) -> bool {
            score <= self.max
        }
    }

    fn check(list: &SkipList, model: &[(f64, Vec<u8>)]) {
        assert_eq!(list.len(), model.len());
        let got: Vec<(f64, Vec<u8>)> = list
            .iter_from_rank(0, false)
            .map(|(m, s)| (s, m.to_vec()))
            .collect();
        assert_eq!(got, model);
        let back: Vec<(f64, Vec<u8>)> = list
            .iter_from_rank(0, true)
            .map(|(m, s)| (s, m.to_vec()))
            .collect();
        assert!(back.iter().rev().eq(model.iter()));
        for (i, (score, member)) in model.iter().enumerate() {
            assert_eq!(list.rank(*score, member), Some(i + 1));
            let at: Vec<&[u8]> = list
                .iter_from_rank(i, false)
                .map(|(m, _)| m)
                .take(1)
                .collect();
            assert_eq!(at, vec![&member[..]]);
        }
    }

    #[test]
    fn matches_a_sorted_model_through_churn() {
        let mut list = SkipList::new();
        let mut model: Vec<(f64, Vec<u8>)> = Vec::new();
        for step in 0..3000u64 {
            let r = random::next_u64();
            let member = format!("m{}", r % 400).into_bytes();
            let score = ((r >> 20) % 50) as f64;
            match model.iter().position(|(_, m)| *m == member) {
                Some(i) if step % 3 == 0 => {
                    let old = model.remove(i).0;
                    assert!(list.remove(old, &member));
                }
                Some(i) => {
                    let old = model[i].0;
                    model[i].0 = score;
                    list.update_score(old, &member, score);
                }
                None => {
                    model.push((score, member.clone()));
                    list.insert(score, Rc::from(&member[..]));
                }
            }
            model.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
            if step % 100 == 0 {
                check(&list, &model);
            }
        }
        check(&list, &model);
        let range = Scores {
            min: 10.0,
            max: 20.0,
        };
        let expected = model
            .iter()
            .filter(|(s, _)| (10.0..=20.0).contains(s))
            .count();
        assert_eq!(list.count_in(&range, false), expected);
        assert_eq!(list.count_in(&range, true), expected);
        let removed = list.remove_range(&range, false);
        assert_eq!(removed.len(), expected);
        model.retain(|(s, _)| !(10.0..=20.0).contains(s));
        check(&list, &model);
        let removed = list.remove_rank_range(2, 5);
        assert_eq!(removed.len(), 4.min(model.len().saturating_sub(1)));
        model.drain(1..5.min(model.len()));
        check(&list, &model);
    }
}
