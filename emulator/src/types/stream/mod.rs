//! Stream values (Redis 7.0's `stream` type): entries with increasing IDs, each a list of
//! field-value pairs, plus consumer groups.
//!
//! Entries live in an ordered map keyed by ID (lookups in O(log n), ranges in time
//! proportional to what they return). Alongside, `nodes` models how Redis packs the same
//! entries into listpacks (see `nodes.rs`), which approximate trimming and XINFO expose.

mod groups;
mod id;
pub mod nodes;

use std::collections::BTreeMap;
use std::ops::Bound;

pub use groups::{Consumer, ConsumerGroup, Nack};
pub use id::{parse_full_id, parse_id, parse_u64, ParsedId, StreamId};
pub use nodes::Node;

/// An entry's fields and values, alternating.
pub type Fields = Box<[Vec<u8>]>;

/// `stream-node-max-entries` and `stream-node-max-bytes`.
#[derive(Clone, Copy, Debug)]
pub struct NodeLimits {
    pub max_entries: i64,
    pub max_bytes: i64,
}

/// Why an entry could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendError {
    /// The ID is not greater than the stream's last ID.
    IdTooSmall,
    /// The fields and values exceed what one listpack holds.
    TooLarge,
}

/// How to trim a stream (XADD and XTRIM's MAXLEN / MINID).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrimStrategy {
    MaxLen(u64),
    MinId(StreamId),
}

#[derive(Clone, Copy, Debug)]
pub struct Trim {
    pub strategy: TrimStrategy,
    /// `~`: only whole nodes are removed.
    pub approx: bool,
    /// Most entries to remove (0: no limit).
    pub limit: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Stream {
    entries: BTreeMap<StreamId, Fields>,
    /// Listpack nodes by master ID.
    nodes: BTreeMap<StreamId, Node>,
    pub last_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted_entry_id: StreamId,
    pub entries_added: u64,
    pub groups: BTreeMap<Vec<u8>, ConsumerGroup>,
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    pub fn encoding(&self) -> &'static str {
        "stream"
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, id: StreamId) -> Option<&Fields> {
        self.entries.get(&id)
    }

    pub fn contains(&self, id: StreamId) -> bool {
        self.entries.contains_key(&id)
    }

    /// The last live entry's ID.
    pub fn last_entry_id(&self) -> Option<StreamId> {
        self.entries.keys().next_back().copied()
    }

    pub fn first_entry(&self) -> Option<(&StreamId, &Fields)> {
        self.entries.iter().next()
    }

    pub fn last_entry(&self) -> Option<(&StreamId, &Fields)> {
        self.entries.iter().next_back()
    }

    /// The first ID the nodes still hold, deleted entries included (Redis's streamGetEdgeID
    /// without skipping tombstones): the first node's master ID, since a node keeps every
    /// entry added to it, flagged when deleted, until the whole node goes.
    pub fn first_held_id(&self) -> Option<StreamId> {
        self.nodes.keys().next().copied()
    }

    /// Live entries with IDs in `start..=end`, in order.
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
    ) -> impl DoubleEndedIterator<Item = (&StreamId, &Fields)> {
        let (low, high) = if start <= end {
            (Bound::Included(start), Bound::Included(end))
        } else {
            // An empty range (the one form of it BTreeMap accepts).
            (Bound::Included(start), Bound::Excluded(start))
        };
        self.entries.range((low, high))
    }

    /// The ID XADD with `*` generates at time `now_ms`: the time if it is past the last ID's,
    /// else the last ID plus one (None when that overflows).
    pub fn next_auto_id(&self, now_ms: u64) -> Option<StreamId> {
        if now_ms > self.last_id.ms {
            Some(StreamId::new(now_ms, 0))
        } else {
            self.last_id.next()
        }
    }

    /// Appends an entry with ID `id` (which the caller generated or checked to be greater
    /// than the last ID), packing it like Redis.
    pub fn append(
        &mut self,
        id: StreamId,
        fields: Fields,
        limits: NodeLimits,
    ) -> Result<(), AppendError> {
        if id <= self.last_id {
            return Err(AppendError::IdTooSmall);
        }
        let raw_len: usize = fields.iter().map(Vec::len).sum();
        if raw_len > nodes::LISTPACK_MAX_SIZE {
            return Err(AppendError::TooLarge);
        }
        let max_bytes = match usize::try_from(limits.max_bytes) {
            Ok(b) if b > 0 && b <= nodes::LISTPACK_MAX_SIZE => b,
            _ => nodes::LISTPACK_MAX_SIZE,
        };
        let room_in_tail = self.nodes.last_key_value().is_some_and(|(_, tail)| {
            let full_bytes = tail.bytes() + raw_len >= max_bytes;
            let total = tail.live + tail.deleted;
            let full_entries =
                limits.max_entries != 0 && total as i128 >= limits.max_entries as i128;
            !full_bytes && !full_entries
        });
        if !room_in_tail {
            if let Some(mut tail) = self.nodes.last_entry() {
                tail.get_mut().closed = true;
            }
            let master: Box<[Vec<u8>]> = fields.iter().step_by(2).cloned().collect();
            self.nodes.insert(id, Node::new(master, id));
        }
        if let Some(mut tail) = self.nodes.last_entry() {
            let master = *tail.key();
            let node = tail.get_mut();
            let same = node.same_fields(&fields);
            node.body_bytes += Node::entry_bytes(master, id, &fields, same);
            node.live += 1;
            node.last_id = id;
        }
        self.entries.insert(id, fields);
        self.entries_added += 1;
        self.last_id = id;
        if self.entries.len() == 1 {
            self.first_id = id;
        }
        Ok(())
    }

    /// The node holding entry `id`.
    fn node_key_of(&self, id: StreamId) -> Option<StreamId> {
        self.nodes.range(..=id).next_back().map(|(k, _)| *k)
    }

    /// XDEL of one entry: marks it deleted in its node (dropping the node when it was the
    /// node's last live entry). Returns whether it existed.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some(fields) = self.entries.remove(&id) else {
            return false;
        };
        if let Some(key) = self.node_key_of(id) {
            let drop_node = match self.nodes.get_mut(&key) {
                Some(node) if node.live <= 1 => true,
                Some(node) => {
                    node.live -= 1;
                    node.deleted += 1;
                    node.tombstones.insert(id, fields);
                    false
                }
                None => false,
            };
            if drop_node {
                self.nodes.remove(&key);
            }
        }
        true
    }

    /// Resets `first_id` after deletions: the first live entry, 0-0 when empty.
    pub fn refresh_first_id(&mut self) {
        self.first_id = self.first_entry().map_or(StreamId::MIN, |(id, _)| *id);
    }

    /// Redis's streamTrim: removes entries from the head, whole nodes first; returns how many
    /// were removed.
    pub fn trim(&mut self, trim: Trim) -> u64 {
        let mut deleted: u64 = 0;
        loop {
            if let TrimStrategy::MaxLen(max) = trim.strategy {
                if self.entries.len() as u64 <= max {
                    break;
                }
            }
            let Some((&master, node)) = self.nodes.first_key_value() else {
                break;
            };
            let live = node.live;
            if trim.limit != 0 && deleted.saturating_add(live) > trim.limit {
                break;
            }
            let remove_node = match trim.strategy {
                TrimStrategy::MaxLen(max) => self.entries.len() as u64 - live >= max,
                TrimStrategy::MinId(min) => node.last_id < min,
            };
            let last = node.last_id;
            if remove_node {
                self.nodes.remove(&master);
                let doomed: Vec<StreamId> = self
                    .entries
                    .range(master..=last)
                    .map(|(id, _)| *id)
                    .collect();
                for id in doomed {
                    self.entries.remove(&id);
                }
                deleted += live;
                continue;
            }
            if trim.approx {
                break;
            }
            // Mark entries of this node deleted until the target is met.
            let mut marked = Vec::new();
            while let Some((&id, _)) = self.entries.range(master..=last).next() {
                let stop = match trim.strategy {
                    TrimStrategy::MaxLen(max) => self.entries.len() as u64 <= max,
                    TrimStrategy::MinId(min) => id >= min,
                };
                if stop {
                    break;
                }
                if let Some(fields) = self.entries.remove(&id) {
                    marked.push((id, fields));
                }
            }
            let marked_count = marked.len() as u64;
            if let Some(node) = self.nodes.get_mut(&master) {
                node.live -= marked_count;
                node.deleted += marked_count;
                node.tombstones.extend(marked);
            }
            deleted += marked_count;
            break;
        }
        if self.entries.is_empty() {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.refresh_first_id();
        }
        deleted
    }

    /// Whether a tombstone may lie at or after `start` (Redis's streamRangeHasTombstones
    /// for an open end).
    pub fn has_tombstones_from(&self, start: StreamId) -> bool {
        if self.entries.is_empty() || self.max_deleted_entry_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_entry_id {
            return false;
        }
        start <= self.max_deleted_entry_id
    }

    /// Redis's streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`,
    /// when it can be known.
    pub fn estimate_entries_read(&self, id: StreamId) -> Option<u64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if self.entries.is_empty() && id <= self.last_id {
            return Some(self.entries_added);
        }
        if id == self.last_id {
            return Some(self.entries_added);
        }
        if id > self.last_id {
            return None;
        }
        let len = self.entries.len() as u64;
        if self.max_deleted_entry_id.is_zero() || self.max_deleted_entry_id < self.first_id {
            if id < self.first_id {
                return Some(self.entries_added.wrapping_sub(len));
            } else if id == self.first_id {
                return Some(self.entries_added.wrapping_sub(len).wrapping_add(1));
            }
        }
        None
    }

    /// A group's lag (entries not yet delivered to it), None when it cannot be known.
    pub fn group_lag(&self, group: &ConsumerGroup) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if let Some(read) = group.entries_read {
            if !self.has_tombstones_from(group.last_id) {
                return Some((self.entries_added as i64).wrapping_sub(read));
            }
        }
        self.estimate_entries_read(group.last_id)
            .map(|read| (self.entries_added as i64).wrapping_sub(read as i64))
    }

    // ----- layout -----

    /// Number of listpack nodes (XINFO's radix-tree-keys).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Nodes of the radix tree holding the listpacks (XINFO's radix-tree-nodes).
    pub fn radix_tree_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|k| k.to_be_bytes()).collect();
        nodes::radix_tree_nodes(&keys)
    }

    /// The listpack nodes in order: master ID, node, and every entry the listpack holds
    /// (live ones and tombstones, the latter flagged `true`) in ID order.
    pub fn nodes_with_entries(
        &self,
    ) -> impl Iterator<Item = (StreamId, &Node, NodeEntries<'_>)> + '_ {
        self.nodes.iter().map(move |(&master, node)| {
            let live = self.entries.range(master..=node.last_id).peekable();
            let dead = node.tombstones.iter().peekable();
            (master, node, NodeEntries { live, dead })
        })
    }

    /// Adds a node read from a saved listpack (after the caller checked that its entries
    /// come after every entry already present): its live entries join the stream.
    pub fn push_loaded_node(
        &mut self,
        master: StreamId,
        node: Node,
        live_entries: Vec<(StreamId, Fields)>,
    ) {
        self.entries.extend(live_entries);
        self.nodes.insert(master, node);
    }

    /// Bytes of each listpack, in order (DEBUG OBJECT's serialized length).
    pub fn node_byte_sizes(&self) -> impl Iterator<Item = usize> + '_ {
        self.nodes.values().map(Node::bytes)
    }

    /// Redis's objectComputeSize for a stream, sampling `samples` listpacks (0: all).
    pub fn memory_size(&self, samples: usize, node_max_bytes: i64) -> usize {
        use crate::memory::OBJECT_HEADER;
        const STREAM_STRUCT: usize = 80;
        const GROUP_STRUCT: usize = 40;
        const CONSUMER_STRUCT: usize = 24;
        const NACK_STRUCT: usize = 24;
        let mut size = OBJECT_HEADER + STREAM_STRUCT;
        size += rax_usage(self.nodes.len(), || self.radix_tree_nodes());
        let limit = if samples == 0 { usize::MAX } else { samples };
        let (mut sampled, mut total) = (0usize, 0usize);
        for node in self.nodes.values().take(limit) {
            total += node.allocation(node_max_bytes);
            sampled += 1;
        }
        if self.nodes.len() <= sampled {
            size += total;
        } else {
            let average = total / sampled.max(1);
            size += average * (self.nodes.len() - 1);
            if let Some((_, last)) = self.nodes.last_key_value() {
                size += last.allocation(node_max_bytes);
            }
        }
        for group in self.groups.values() {
            size += GROUP_STRUCT;
            size += rax_usage(group.pel.len(), || pel_nodes(group.pel.keys()));
            size += NACK_STRUCT * group.pel.len();
            for (name, consumer) in &group.consumers {
                size += CONSUMER_STRUCT + name.len();
                size += rax_usage(consumer.pel.len(), || pel_nodes(consumer.pel.iter()));
            }
        }
        size
    }
}

/// The entries of one node, live and deleted, merged in ID order.
pub struct NodeEntries<'a> {
    live: std::iter::Peekable<std::collections::btree_map::Range<'a, StreamId, Fields>>,
    dead: std::iter::Peekable<std::collections::btree_map::Iter<'a, StreamId, Fields>>,
}

impl<'a> Iterator for NodeEntries<'a> {
    /// ID, fields and values, and whether the entry is deleted.
    type Item = (StreamId, &'a Fields, bool);

    fn next(&mut self) -> Option<Self::Item> {
        let take_dead = match (self.live.peek(), self.dead.peek()) {
            (Some((live, _)), Some((dead, _))) => dead < live,
            (None, Some(_)) => true,
            (_, None) => false,
        };
        if take_dead {
            self.dead.next().map(|(id, f)| (*id, f, true))
        } else {
            self.live.next().map(|(id, f)| (*id, f, false))
        }
    }
}

/// Redis's streamRadixTreeMemoryUsage: 16 bytes per key and 244 per node. The node count
/// is computed exactly for small trees, estimated for big ones.
fn rax_usage(keys: usize, exact_nodes: impl FnOnce() -> usize) -> usize {
    const EXACT_UP_TO: usize = 32;
    let nodes = if keys <= EXACT_UP_TO {
        exact_nodes()
    } else {
        nodes::estimated_radix_tree_nodes(keys)
    };
    keys * 16 + nodes * (4 + 8 * 30)
}

fn pel_nodes<'a>(ids: impl Iterator<Item = &'a StreamId>) -> usize {
    let keys: Vec<[u8; 16]> = ids.map(|id| id.to_be_bytes()).collect();
    nodes::radix_tree_nodes(&keys)
}
