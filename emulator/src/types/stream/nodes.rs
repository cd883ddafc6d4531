//! How Redis lays a stream out in memory: entries are packed, in ID order, into listpacks
//! ("nodes") of at most `stream-node-max-entries` entries and `stream-node-max-bytes` bytes,
//! held in a radix tree keyed by each node's first ("master") ID. Deleted entries stay in
//! their node as tombstones until the whole node goes.
//!
//! The engine keeps the entries themselves in an ordered map; this module keeps, per node,
//! what decides Redis's observable behaviour: where new nodes start, which nodes approximate
//! trimming (`~`) can drop whole, and the sizes XINFO and MEMORY USAGE report.

use std::collections::BTreeMap;

use super::{Fields, StreamId};
use crate::types::listpack;

/// Bytes of a listpack entry holding integer `n` (Redis's lpAppendInteger).
pub fn int_bytes(n: i64) -> usize {
    listpack::integer_entry_bytes(n)
}

/// One listpack of the stream.
#[derive(Clone, Debug)]
pub struct Node {
    /// The fields of the entry that created the node; entries with the same fields store
    /// only their values.
    pub master_fields: Box<[Vec<u8>]>,
    /// Live entries.
    pub live: u64,
    /// Entries marked deleted (tombstones).
    pub deleted: u64,
    /// Bytes of the entries (live and deleted) after the master entry.
    pub body_bytes: usize,
    /// ID of the last entry appended (it may be a tombstone).
    pub last_id: StreamId,
    /// Whether the node was closed when a later node started (Redis then shrinks its
    /// allocation to fit).
    pub closed: bool,
    /// The entries marked deleted: Redis keeps their bytes in the listpack, and saves them.
    pub tombstones: BTreeMap<StreamId, Fields>,
}

impl Node {
    pub fn new(master_fields: Box<[Vec<u8>]>, id: StreamId) -> Node {
        Node {
            master_fields,
            live: 0,
            deleted: 0,
            body_bytes: 0,
            last_id: id,
            closed: false,
            tombstones: BTreeMap::new(),
        }
    }

    /// Total bytes of the listpack: header and end marker, the master entry (live count,
    /// deleted count, field count, fields, terminator) and the entries.
    pub fn bytes(&self) -> usize {
        listpack::EMPTY_BYTES
            + int_bytes(self.live as i64)
            + int_bytes(self.deleted as i64)
            + int_bytes(self.master_fields.len() as i64)
            + self
                .master_fields
                .iter()
                .map(|f| listpack::entry_bytes(f))
                .sum::<usize>()
            + int_bytes(0)
            + self.body_bytes
    }

    /// Whether an entry with these fields is stored with the master entry's field names.
    pub fn same_fields(&self, fields_and_values: &[Vec<u8>]) -> bool {
        let count = fields_and_values.len() / 2;
        count == self.master_fields.len()
            && fields_and_values
                .iter()
                .step_by(2)
                .zip(self.master_fields.iter())
                .all(|(a, b)| a == b)
    }

    /// Bytes an entry takes in this node (flags, ID deltas from the master ID, fields unless
    /// they are the master's, values, and the element count used to walk backwards).
    pub fn entry_bytes(
        master: StreamId,
        id: StreamId,
        fields_and_values: &[Vec<u8>],
        same_fields: bool,
    ) -> usize {
        let pairs = fields_and_values.len() / 2;
        let mut bytes = int_bytes(0)
            + int_bytes(id.ms.wrapping_sub(master.ms) as i64)
            + int_bytes(id.seq.wrapping_sub(master.seq) as i64);
        let mut elements = pairs + 3;
        for (i, element) in fields_and_values.iter().enumerate() {
            if i % 2 == 1 || !same_fields {
                bytes += listpack::entry_bytes(element);
            }
        }
        if !same_fields {
            bytes += int_bytes(pairs as i64);
            elements += pairs + 1;
        }
        bytes + int_bytes(elements as i64)
    }

    /// The allocation Redis holds for this listpack: nodes start preallocated (up to 4 KB),
    /// grow by reallocation and are shrunk to fit when closed.
    pub fn allocation(&self, node_max_bytes: i64) -> usize {
        use crate::memory::alloc_size;
        let bytes = self.bytes();
        if self.closed {
            return alloc_size(bytes);
        }
        let prealloc = match usize::try_from(node_max_bytes) {
            Ok(max) if max > 0 && max < PREALLOCATE => max,
            _ => PREALLOCATE,
        };
        alloc_size(bytes.max(prealloc))
    }
}

/// Bytes Redis preallocates for a new node.
pub const PREALLOCATE: usize = 4096;

/// Largest listpack Redis builds (1 GB).
pub const LISTPACK_MAX_SIZE: usize = 1 << 30;

/// Nodes Redis's radix tree has for these 16-byte keys, in sorted order: each run of bytes
/// without branching is one (compressed) node, each branching point one node, each key
/// ends in an empty leaf node, plus the root.
pub fn radix_tree_nodes(keys: &[[u8; 16]]) -> usize {
    if keys.is_empty() {
        return 1;
    }
    subtree_nodes(keys, 0)
}

/// Nodes under a position `depth` bytes into `keys` (which share their first `depth` bytes).
fn subtree_nodes(keys: &[[u8; 16]], depth: usize) -> usize {
    if depth >= 16 || keys.len() <= 1 {
        // A single key: one compressed node for the rest (if any) and its leaf.
        return if depth >= 16 { 1 } else { 2 };
    }
    let (first, last) = (&keys[0], &keys[keys.len() - 1]);
    // Keys are sorted, so the first and last share the prefix all of them share.
    let mut common = depth;
    while common < 16 && first[common] == last[common] {
        common += 1;
    }
    if common > depth {
        // A compressed node for the shared bytes, then the branching below it.
        return 1 + branch_nodes(keys, common);
    }
    branch_nodes(keys, depth)
}

/// A branching node at `depth` and its children.
fn branch_nodes(keys: &[[u8; 16]], depth: usize) -> usize {
    let mut total = 1;
    let mut start = 0;
    while start < keys.len() {
        let byte = keys[start][depth];
        let mut end = start + 1;
        while end < keys.len() && keys[end][depth] == byte {
            end += 1;
        }
        total += subtree_nodes(&keys[start..end], depth + 1);
        start = end;
    }
    total
}

/// An estimate of the radix tree nodes for `n` keys, used where computing the exact number
/// would cost more than Redis's constant-time counter (memory accounting of big streams).
pub fn estimated_radix_tree_nodes(n: usize) -> usize {
    1 + n.saturating_mul(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ms: u64, seq: u64) -> [u8; 16] {
        StreamId::new(ms, seq).to_be_bytes()
    }

    #[test]
    fn radix_tree_node_counts() {
        assert_eq!(radix_tree_nodes(&[]), 1);
        assert_eq!(radix_tree_nodes(&[key(1, 0)]), 2);
        // Shared 15 bytes, a branch, two leaves.
        assert_eq!(radix_tree_nodes(&[key(1, 0), key(1, 1)]), 4);
    }
}
