//! List values, laid out as Redis 7.0 lays them out: a quicklist, that is a sequence of nodes
//! each holding a listpack of elements. Pushes and pops at either end are O(1); reaching an
//! index walks the nodes from the nearer end, as in Redis.
//!
//! The node layout is kept exactly as Redis's (when a push opens a new node, when an insert
//! splits a node and merges neighbours, when deletions drop emptied nodes), because it
//! decides what MEMORY USAGE and DEBUG OBJECT report. Redis 7.0 always reports the
//! `quicklist` encoding for lists; the compact `listpack` list encoding came with 7.2.

use std::collections::VecDeque;

use super::listpack::{entry_bytes, EMPTY_BYTES};

/// Which end of a list an operation works on (Redis's LIST_HEAD / LIST_TAIL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The left end, where index 0 is.
    Head,
    /// The right end, where index -1 is.
    Tail,
}

/// Node size limits for negative `list-max-listpack-size` values -1 to -5.
const SIZE_LIMITS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// With a positive fill (an element count), nodes still never grow past this many bytes.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// Redis's estimate of an entry's overhead when deciding whether it fits in a node.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// The largest fill a quicklist accepts (it keeps the fill in a 16-bit field).
const FILL_MAX: i64 = (1 << 15) - 1;
/// The smallest: -5, the 64 kB size limit.
const FILL_MIN: i64 = -5;
/// `sizeof(quicklist)` and `sizeof(quicklistNode)` in Redis 7.0.
const QUICKLIST_STRUCT: usize = 40;
const NODE_STRUCT: usize = 40;

#[derive(Clone, Debug, Default)]
struct Node {
    items: VecDeque<Vec<u8>>,
    /// Bytes of the listpack Redis would hold for these items.
    bytes: usize,
}

impl Node {
    fn new() -> Node {
        Node {
            items: VecDeque::new(),
            bytes: EMPTY_BYTES,
        }
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn push(&mut self, end: End, element: Vec<u8>) {
        self.bytes += entry_bytes(&element);
        match end {
            End::Head => self.items.push_front(element),
            End::Tail => self.items.push_back(element),
        }
    }

    fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        let element = match end {
            End::Head => self.items.pop_front(),
            End::Tail => self.items.pop_back(),
        }?;
        self.bytes -= entry_bytes(&element);
        Some(element)
    }

    fn insert(&mut self, offset: usize, element: Vec<u8>) {
        self.bytes += entry_bytes(&element);
        self.items.insert(offset, element);
    }

    fn remove(&mut self, offset: usize) -> Option<Vec<u8>> {
        let element = self.items.remove(offset)?;
        self.bytes -= entry_bytes(&element);
        Some(element)
    }

    fn replace(&mut self, offset: usize, element: Vec<u8>) -> bool {
        let Some(slot) = self.items.get_mut(offset) else {
            return false;
        };
        self.bytes = self.bytes - entry_bytes(slot) + entry_bytes(&element);
        *slot = element;
        true
    }

    /// Removes `count` items from `offset` on.
    fn drain(&mut self, offset: usize, count: usize) {
        let end = offset.saturating_add(count).min(self.items.len());
        for element in self.items.drain(offset.min(end)..end) {
            self.bytes -= entry_bytes(&element);
        }
    }

    /// Splits off the items from `offset` on into a new node.
    fn split_off(&mut self, offset: usize) -> Node {
        let items = self.items.split_off(offset.min(self.items.len()));
        let moved: usize = items.iter().map(|e| entry_bytes(e)).sum();
        self.bytes -= moved;
        Node {
            items,
            bytes: EMPTY_BYTES + moved,
        }
    }

    /// Appends another node's items (Redis merges two listpacks into one).
    fn absorb(&mut self, other: Node) {
        self.bytes += other.bytes - EMPTY_BYTES;
        self.items.extend(other.items);
    }
}

/// A list value: a quicklist of listpack nodes.
#[derive(Clone, Debug)]
pub struct ListValue {
    nodes: VecDeque<Node>,
    len: usize,
    /// `list-max-listpack-size` when the list was created: a negative node size class or a
    /// positive element count per node.
    fill: i64,
}

impl ListValue {
    /// An empty list whose nodes follow `list-max-listpack-size` = `fill`.
    pub fn new(fill: i64) -> ListValue {
        ListValue {
            nodes: VecDeque::new(),
            len: 0,
            fill: fill.clamp(FILL_MIN, FILL_MAX),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// OBJECT ENCODING's answer in Redis 7.0.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Whether a node of `bytes` bytes is within the size class a negative fill selects.
    fn within_size_class(&self, bytes: usize) -> bool {
        if self.fill >= 0 {
            return false;
        }
        let class = (-self.fill - 1) as usize;
        SIZE_LIMITS.get(class).is_some_and(|&limit| bytes <= limit)
    }

    /// Redis's _quicklistNodeAllowInsert: whether `node` can take one more element of
    /// `element_len` bytes.
    fn allows_insert(&self, node: Option<&Node>, element_len: usize) -> bool {
        let Some(node) = node else {
            return false;
        };
        let new_bytes = node
            .bytes
            .saturating_add(element_len)
            .saturating_add(SIZE_ESTIMATE_OVERHEAD);
        if self.within_size_class(new_bytes) {
            true
        } else if new_bytes > SIZE_SAFETY_LIMIT {
            false
        } else {
            (node.len() as i64) < self.fill
        }
    }

    /// Redis's _quicklistNodeAllowMerge for the nodes at `a` and `b`.
    fn allows_merge(&self, a: usize, b: usize) -> bool {
        let (Some(a), Some(b)) = (self.nodes.get(a), self.nodes.get(b)) else {
            return false;
        };
        // Redis's estimate of the merged size, less one listpack header and end marker.
        let merged = (a.bytes + b.bytes).saturating_sub(11);
        if self.within_size_class(merged) {
            true
        } else if merged > SIZE_SAFETY_LIMIT {
            false
        } else {
            ((a.len() + b.len()) as i64) <= self.fill
        }
    }

    // ----- ends -----

    /// Adds an element at one end (LPUSH / RPUSH).
    pub fn push(&mut self, end: End, element: Vec<u8>) {
        let edge = match end {
            End::Head => self.nodes.front(),
            End::Tail => self.nodes.back(),
        };
        if !self.allows_insert(edge, element.len()) {
            match end {
                End::Head => self.nodes.push_front(Node::new()),
                End::Tail => self.nodes.push_back(Node::new()),
            }
        }
        let node = match end {
            End::Head => self.nodes.front_mut(),
            End::Tail => self.nodes.back_mut(),
        };
        if let Some(node) = node {
            node.push(end, element);
            self.len += 1;
        }
    }

    /// Removes and returns the element at one end; the node it emptied goes away.
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        let node = match end {
            End::Head => self.nodes.front_mut(),
            End::Tail => self.nodes.back_mut(),
        }?;
        let element = node.pop(end)?;
        if node.items.is_empty() {
            match end {
                End::Head => self.nodes.pop_front(),
                End::Tail => self.nodes.pop_back(),
            };
        }
        self.len -= 1;
        Some(element)
    }

    // ----- positions -----

    /// Converts a Redis index (negative counts from the tail) to a position, if in range.
    pub fn position(&self, index: i64) -> Option<usize> {
        let len = self.len as i64;
        let position = if index < 0 { len + index } else { index };
        (0..len).contains(&position).then_some(position as usize)
    }

    /// The node and offset of the element at `position`, walking from the nearer end as
    /// Redis does.
    fn locate(&self, position: usize) -> Option<(usize, usize)> {
        if position >= self.len {
            return None;
        }
        if position <= (self.len - 1) / 2 {
            let mut skipped = 0;
            for (i, node) in self.nodes.iter().enumerate() {
                if position < skipped + node.len() {
                    return Some((i, position - skipped));
                }
                skipped += node.len();
            }
        } else {
            let mut from_tail = self.len - 1 - position;
            for (i, node) in self.nodes.iter().enumerate().rev() {
                if from_tail < node.len() {
                    return Some((i, node.len() - 1 - from_tail));
                }
                from_tail -= node.len();
            }
        }
        None
    }

    /// The element at a Redis index (LINDEX).
    pub fn get(&self, index: i64) -> Option<&[u8]> {
        let (node, offset) = self.locate(self.position(index)?)?;
        self.nodes.get(node)?.items.get(offset).map(|e| &e[..])
    }

    /// Replaces the element at a Redis index (LSET); false if out of range. As in Redis 7.0,
    /// the node is rewritten in place however large it grows.
    pub fn set(&mut self, index: i64, element: Vec<u8>) -> bool {
        let Some((node, offset)) = self.position(index).and_then(|p| self.locate(p)) else {
            return false;
        };
        self.nodes
            .get_mut(node)
            .is_some_and(|n| n.replace(offset, element))
    }

    /// All elements from head to tail (iterate with `.rev()` for tail to head).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &[u8]> + '_ {
        self.nodes
            .iter()
            .flat_map(|node| node.items.iter())
            .map(|e| &e[..])
    }

    /// `count` elements starting at `position` towards the tail, or towards the head when
    /// `reverse` (what LRANGE and the popping commands reply with).
    pub fn range(
        &self,
        position: usize,
        count: usize,
        reverse: bool,
    ) -> Box<dyn Iterator<Item = &[u8]> + '_> {
        let Some((node, offset)) = self.locate(position) else {
            return Box::new(std::iter::empty());
        };
        if reverse {
            let node_len = self.nodes.get(node).map_or(0, Node::len);
            Box::new(
                self.nodes
                    .range(..=node)
                    .rev()
                    .flat_map(|n| n.items.iter().rev())
                    .skip(node_len - 1 - offset)
                    .take(count)
                    .map(|e| &e[..]),
            )
        } else {
            Box::new(
                self.nodes
                    .range(node..)
                    .flat_map(|n| n.items.iter())
                    .skip(offset)
                    .take(count)
                    .map(|e| &e[..]),
            )
        }
    }

    // ----- removals -----

    /// Removes `count` elements from `position` on (Redis's quicklistDelRange), dropping the
    /// nodes this empties.
    pub fn delete_range(&mut self, position: usize, count: usize) {
        let count = count.min(self.len.saturating_sub(position));
        let Some((mut node, mut offset)) = self.locate(position) else {
            return;
        };
        let mut left = count;
        while left > 0 {
            let Some(n) = self.nodes.get_mut(node) else {
                break;
            };
            let take = left.min(n.len() - offset);
            n.drain(offset, take);
            left -= take;
            self.len -= take;
            if n.items.is_empty() {
                self.nodes.remove(node);
            } else {
                node += 1;
            }
            offset = 0;
        }
    }

    /// Removes up to `limit` elements equal to `element` (all when `limit` is 0), scanning
    /// from the head or from the tail (LREM). Returns how many were removed.
    pub fn remove_matching(&mut self, element: &[u8], limit: usize, from_tail: bool) -> usize {
        let mut removed = 0;
        let node_count = self.nodes.len();
        for step in 0..node_count {
            let node = if from_tail {
                node_count - 1 - step
            } else {
                step
            };
            // Removals in nodes visited earlier shift nothing here: emptied nodes are dropped
            // only after the walk (from the back, so indexes stay valid).
            let Some(n) = self.nodes.get_mut(node) else {
                continue;
            };
            let mut offsets: Vec<usize> = (0..n.len()).collect();
            if from_tail {
                offsets.reverse();
            }
            let mut matches = Vec::new();
            for offset in offsets {
                if n.items.get(offset).is_some_and(|e| e[..] == *element) {
                    matches.push(offset);
                    removed += 1;
                    if limit != 0 && removed == limit {
                        break;
                    }
                }
            }
            // Remove from the highest offset down so the others stay valid.
            matches.sort_unstable_by(|a, b| b.cmp(a));
            for offset in matches {
                n.remove(offset);
                self.len -= 1;
            }
            if limit != 0 && removed == limit {
                break;
            }
        }
        for node in (0..self.nodes.len()).rev() {
            if self.nodes.get(node).is_some_and(|n| n.items.is_empty()) {
                self.nodes.remove(node);
            }
        }
        removed
    }

    // ----- insertion -----

    /// Inserts `element` before or after the element at `position` (LINSERT), placing it
    /// as Redis's _quicklistInsert does: in the node if it has room, else at the edge of a
    /// neighbour with room, else in a new node, else by splitting the node (and then
    /// merging neighbours that fit together).
    pub fn insert(&mut self, position: usize, element: Vec<u8>, after: bool) {
        let Some((node, offset)) = self.locate(position) else {
            return;
        };
        let Some(current) = self.nodes.get(node) else {
            return;
        };
        let size = element.len();
        let full = !self.allows_insert(Some(current), size);
        let at_tail = after && offset + 1 == current.len();
        let at_head = !after && offset == 0;
        let next_has_room = at_tail && self.allows_insert(self.nodes.get(node + 1), size);
        let prev_has_room = at_head
            && node
                .checked_sub(1)
                .is_some_and(|p| self.allows_insert(self.nodes.get(p), size));
        self.len += 1;
        if !full {
            let at = if after { offset + 1 } else { offset };
            if let Some(n) = self.nodes.get_mut(node) {
                n.insert(at, element);
            }
        } else if at_tail && next_has_room {
            if let Some(next) = self.nodes.get_mut(node + 1) {
                next.push(End::Head, element);
            }
        } else if at_head && prev_has_room {
            if let Some(prev) = self.nodes.get_mut(node - 1) {
                prev.push(End::Tail, element);
            }
        } else if at_tail || at_head {
            let mut fresh = Node::new();
            fresh.push(End::Head, element);
            self.nodes
                .insert(if after { node + 1 } else { node }, fresh);
        } else {
            self.split_and_insert(node, offset, element, after);
        }
    }

    /// The last resort of an insert into a full node: the node is split around the
    /// insertion point, the element joins the split-off part, then neighbours are merged.
    fn split_and_insert(&mut self, node: usize, offset: usize, element: Vec<u8>, after: bool) {
        let Some(n) = self.nodes.get_mut(node) else {
            return;
        };
        let center = if after {
            // The node keeps [0, offset]; the new node takes the rest, element first.
            let mut rest = n.split_off(offset + 1);
            rest.push(End::Head, element);
            self.nodes.insert(node + 1, rest);
            node
        } else {
            // The new node takes [0, offset), element last; the node keeps the rest.
            let tail = n.split_off(offset);
            let mut head = std::mem::replace(n, tail);
            head.push(End::Tail, element);
            self.nodes.insert(node, head);
            node + 1
        };
        self.merge_around(center);
    }

    /// Redis's _quicklistMergeNodes: tries to merge the two nodes before `center`, the two
    /// after it, `center` with its previous node, and the result with its next node.
    fn merge_around(&mut self, mut center: usize) {
        if center >= 2 && self.allows_merge(center - 1, center - 2) {
            self.merge_with_next(center - 2);
            center -= 1;
        }
        if self.allows_merge(center + 1, center + 2) {
            self.merge_with_next(center + 1);
        }
        let target = if center >= 1 && self.allows_merge(center, center - 1) {
            self.merge_with_next(center - 1);
            center - 1
        } else {
            center
        };
        if self.allows_merge(target, target + 1) {
            self.merge_with_next(target);
        }
    }

    fn merge_with_next(&mut self, node: usize) {
        let Some(next) = self.nodes.remove(node + 1) else {
            return;
        };
        if let Some(n) = self.nodes.get_mut(node) {
            n.absorb(next);
        }
    }

    // ----- layout -----

    /// The quicklist's fill (`list-max-listpack-size` when created, clamped as Redis does).
    pub fn fill(&self) -> i64 {
        self.fill
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Each node's elements, head to tail (RDB files save a list node by node).
    pub fn nodes(&self) -> impl Iterator<Item = &VecDeque<Vec<u8>>> + '_ {
        self.nodes.iter().map(|n| &n.items)
    }

    /// Appends a whole node at the tail, as loaded from an RDB file (Redis's
    /// quicklistAppendListpack: the node is kept as it was saved, never merged). Empty nodes
    /// are dropped.
    pub fn append_node(&mut self, items: Vec<Vec<u8>>) {
        if items.is_empty() {
            return;
        }
        let bytes = EMPTY_BYTES + items.iter().map(|e| entry_bytes(e)).sum::<usize>();
        self.len += items.len();
        self.nodes.push_back(Node {
            items: items.into(),
            bytes,
        });
    }

    /// Each node's listpack size in bytes, head to tail.
    pub fn node_bytes(&self) -> impl Iterator<Item = usize> + '_ {
        self.nodes.iter().map(|n| n.bytes)
    }

    /// Redis's objectComputeSize for a quicklist: the object and quicklist headers plus the
    /// average of the first `samples` nodes (all when 0) times the number of nodes.
    pub fn memory_size(&self, samples: usize) -> usize {
        use crate::memory::{alloc_size, OBJECT_HEADER};
        let limit = if samples == 0 { usize::MAX } else { samples };
        let (mut sampled, mut total) = (0usize, 0usize);
        for bytes in self.node_bytes().take(limit) {
            total += NODE_STRUCT + alloc_size(bytes);
            sampled += 1;
        }
        let header = OBJECT_HEADER + QUICKLIST_STRUCT;
        if sampled == 0 {
            return header;
        }
        // Redis adds the estimate to the size as a double, then truncates the sum.
        (header as f64 + total as f64 / sampled as f64 * self.nodes.len() as f64) as usize
    }

    /// The fields DEBUG OBJECT adds for a quicklist (compression is not modelled).
    pub fn debug_fields(&self) -> String {
        let nodes = self.nodes.len();
        let average = if nodes == 0 {
            0.0
        } else {
            self.len as f64 / nodes as f64
        };
        let uncompressed: usize = self.node_bytes().sum();
        format!(
            " ql_nodes:{nodes} ql_avg_node:{average:.2} ql_listpack_max:{} ql_compressed:0 ql_uncompressed_size:{uncompressed}",
            self.fill
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list_of(fill: i64, elements: &[&str]) -> ListValue {
        let mut list = ListValue::new(fill);
        for e in elements {
            list.push(End::Tail, e.as_bytes().to_vec());
        }
        list
    }

    fn contents(list: &ListValue) -> Vec<String> {
        list.iter()
            .map(|e| String::from_utf8_lossy(e).into_owned())
            .collect()
    }

    fn shape(list: &ListValue) -> Vec<usize> {
        list.nodes.iter().map(Node::len).collect()
    }

    #[test]
    fn pushes_fill_nodes_up_to_the_fill() {
        let list = list_of(3, &["a", "b", "c", "d", "e", "f", "g"]);
        assert_eq!(shape(&list), vec![3, 3, 1]);
        let mut list = ListValue::new(3);
        for e in ["a", "b", "c", "d"] {
            list.push(End::Head, e.as_bytes().to_vec());
        }
        assert_eq!(contents(&list), ["d", "c", "b", "a"]);
        assert_eq!(shape(&list), vec![1, 3]);
    }

    #[test]
    fn size_classes_bound_node_bytes() {
        // 100-byte strings take 103 listpack bytes; -2 allows 8 kB nodes.
        let element = "x".repeat(100);
        let list = list_of(-2, &vec![element.as_str(); 100]);
        assert!(list.node_bytes().all(|b| b <= 8192));
        assert_eq!(shape(&list), vec![79, 21]);
    }

    #[test]
    fn indexes_and_ranges() {
        let list = list_of(2, &["a", "b", "c", "d", "e"]);
        assert_eq!(list.get(0), Some(&b"a"[..]));
        assert_eq!(list.get(-1), Some(&b"e"[..]));
        assert_eq!(list.get(3), Some(&b"d"[..]));
        assert_eq!(list.get(5), None);
        assert_eq!(list.get(-6), None);
        let forward: Vec<&[u8]> = list.range(1, 3, false).collect();
        assert_eq!(forward, vec![&b"b"[..], b"c", b"d"]);
        let backward: Vec<&[u8]> = list.range(3, 10, true).collect();
        assert_eq!(backward, vec![&b"d"[..], b"c", b"b", b"a"]);
    }

    #[test]
    fn deletions_drop_emptied_nodes() {
        let mut list = list_of(2, &["a", "b", "c", "d", "e"]);
        list.delete_range(1, 3);
        assert_eq!(contents(&list), ["a", "e"]);
        assert_eq!(shape(&list), vec![1, 1]);
        let mut list = list_of(2, &["a", "b", "a", "c", "a"]);
        assert_eq!(list.remove_matching(b"a", 2, true), 2);
        assert_eq!(contents(&list), ["a", "b", "c"]);
        assert_eq!(shape(&list), vec![2, 1]);
        assert_eq!(list.remove_matching(b"a", 0, false), 1);
        assert_eq!(list.pop(End::Head), Some(b"b".to_vec()));
        assert_eq!(shape(&list), vec![1]);
    }

    #[test]
    fn inserts_split_full_nodes_and_merge() {
        let mut list = list_of(3, &["a", "b", "c", "d", "e", "f"]);
        // Middle of a full node: split, then merges where they fit.
        list.insert(1, b"x".to_vec(), true);
        assert_eq!(contents(&list), ["a", "b", "x", "c", "d", "e", "f"]);
        assert_eq!(shape(&list), vec![2, 2, 3]);
        // A node with room takes the element in place.
        list.insert(3, b"y".to_vec(), true);
        assert_eq!(contents(&list), ["a", "b", "x", "c", "y", "d", "e", "f"]);
        assert_eq!(shape(&list), vec![2, 3, 3]);
        // Not full: in place.
        list.insert(0, b"z".to_vec(), false);
        assert_eq!(shape(&list), vec![3, 3, 3]);
        // At the head of a full node with no room before: a new node.
        list.insert(0, b"w".to_vec(), false);
        assert_eq!(contents(&list)[..2], ["w", "z"]);
        assert_eq!(shape(&list), vec![1, 3, 3, 3]);
        assert_eq!(list.len(), 10);
        // After the last element of a full node whose next node has room.
        let mut list = list_of(3, &["a", "b", "c", "d", "e"]);
        list.insert(2, b"x".to_vec(), true);
        assert_eq!(contents(&list), ["a", "b", "c", "x", "d", "e"]);
        assert_eq!(shape(&list), vec![3, 3]);
    }
}
