//! Streams in RDB files (types 15 and 19).
//!
//! A stream is saved as its radix tree of listpacks, each under its master ID (16 bytes,
//! big-endian), then its length, last ID, first ID, largest deleted ID and entries-added
//! counter (the last three only in type 19), then its consumer groups: name, last delivered
//! ID, read counter (type 19), the pending entries with delivery time and count, and the
//! consumers with their seen time and the IDs pending for them.
//!
//! Each listpack starts with a master entry (live count, deleted count, field count, the
//! field names, a 0) followed by the entries: flags (1 = deleted, 2 = same fields as the
//! master), the ID as differences from the master ID, the field count and field names unless
//! they are the master's, the values, and the number of listpack elements the entry spans
//! (so that it can be walked backwards).

use std::collections::btree_map;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::listpack::{self, Element};
use super::read::Reader;
use super::write::Writer;
use super::{kind, RdbError};
use crate::types::stream::{ConsumerGroup, Fields, Nack, Node, Stream, StreamId};
use crate::types::Value;

const FLAG_DELETED: i64 = 1;
const FLAG_SAME_FIELDS: i64 = 2;
/// What a group's read counter is saved as when it is unknown (-1 as an unsigned length).
const UNKNOWN_ENTRIES_READ: u64 = u64::MAX;

// ----- writing -----

/// The body of a type-19 stream value.
pub(super) fn write_stream(w: &mut Writer<'_>, stream: &Stream) {
    w.len(stream.node_count() as u64);
    for (master, node, entries) in stream.nodes_with_entries() {
        w.string(&master.to_be_bytes());
        w.string(&node_listpack(master, node, entries));
    }
    w.len(stream.len() as u64);
    write_id(w, stream.last_id);
    write_id(w, stream.first_id);
    write_id(w, stream.max_deleted_entry_id);
    w.len(stream.entries_added);
    w.len(stream.groups.len() as u64);
    for (name, group) in &stream.groups {
        w.string(name);
        write_id(w, group.last_id);
        w.len(
            group
                .entries_read
                .map_or(UNKNOWN_ENTRIES_READ, |n| n as u64),
        );
        w.len(group.pel.len() as u64);
        for (id, nack) in &group.pel {
            w.out.extend_from_slice(&id.to_be_bytes());
            w.millis(nack.delivery_time);
            w.len(nack.delivery_count);
        }
        w.len(group.consumers.len() as u64);
        for (name, consumer) in &group.consumers {
            w.string(name);
            w.millis(consumer.seen_time);
            w.len(consumer.pel.len() as u64);
            for id in &consumer.pel {
                w.out.extend_from_slice(&id.to_be_bytes());
            }
        }
    }
}

fn write_id(w: &mut Writer<'_>, id: StreamId) {
    w.len(id.ms);
    w.len(id.seq);
}

/// The listpack Redis holds for a node, byte for byte.
fn node_listpack<'a>(
    master: StreamId,
    node: &Node,
    entries: impl Iterator<Item = (StreamId, &'a Fields, bool)>,
) -> Vec<u8> {
    let mut lp = listpack::start();
    let mut elements = 0usize;
    let int = listpack::append_integer;
    int(&mut lp, node.live as i64);
    int(&mut lp, node.deleted as i64);
    int(&mut lp, node.master_fields.len() as i64);
    for field in node.master_fields.iter() {
        listpack::append(&mut lp, field);
    }
    int(&mut lp, 0);
    elements += 4 + node.master_fields.len();
    for (id, fields, deleted) in entries {
        let same = node.same_fields(fields);
        let pairs = fields.len() / 2;
        let mut flags = if same { FLAG_SAME_FIELDS } else { 0 };
        if deleted {
            flags |= FLAG_DELETED;
        }
        int(&mut lp, flags);
        // Differences are computed on unsigned numbers and stored as signed ones.
        int(&mut lp, id.ms.wrapping_sub(master.ms) as i64);
        int(&mut lp, id.seq.wrapping_sub(master.seq) as i64);
        let mut span = 3 + pairs;
        if !same {
            int(&mut lp, pairs as i64);
            span += pairs + 1;
        }
        for (i, element) in fields.iter().enumerate() {
            if i % 2 == 1 || !same {
                listpack::append(&mut lp, element);
            }
        }
        int(&mut lp, span as i64);
        elements += span + 1;
    }
    listpack::finish(lp, elements)
}

// ----- reading -----

fn corrupt(msg: &str) -> RdbError {
    RdbError::Corrupt(msg.into())
}

fn read_id(r: &mut Reader<'_>) -> Result<StreamId, RdbError> {
    let ms = r.len()?;
    let seq = r.len()?;
    Ok(StreamId::new(ms, seq))
}

fn raw_id(r: &mut Reader<'_>) -> Result<StreamId, RdbError> {
    id_from_be_bytes(r.bytes(16)?).ok_or(RdbError::UnexpectedEof)
}

fn id_from_be_bytes(bytes: &[u8]) -> Option<StreamId> {
    let ms: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
    let seq: [u8; 8] = bytes.get(8..16)?.try_into().ok()?;
    Some(StreamId::new(
        u64::from_be_bytes(ms),
        u64::from_be_bytes(seq),
    ))
}

/// A stream of type 15 (Redis 5 and 6) or 19 (Redis 7), checked for consistency throughout.
pub(super) fn read_stream(r: &mut Reader<'_>, value_kind: u8) -> Result<Value, RdbError> {
    let version_2 = value_kind == kind::STREAM_LISTPACKS_2;
    let mut stream = Stream::new();
    let node_count = r.count()?;
    // The greatest ID held so far (live or deleted); every node comes after it.
    let mut previous: Option<StreamId> = None;
    let mut live_total = 0u64;
    for _ in 0..node_count {
        let key = r.string()?;
        if key.len() != 16 {
            return Err(corrupt(
                "Stream node key entry is not the size of a stream ID",
            ));
        }
        let master = id_from_be_bytes(&key).ok_or(RdbError::UnexpectedEof)?;
        let blob = r.string()?;
        if previous.is_some_and(|p| master <= p) {
            return Err(corrupt("Listpack re-added with existing key"));
        }
        let (node, live) = read_node(master, &blob)?;
        previous = Some(node.last_id);
        live_total += live.len() as u64;
        stream.push_loaded_node(master, node, live);
    }
    let length = r.len()?;
    stream.last_id = read_id(r)?;
    if version_2 {
        stream.first_id = read_id(r)?;
        stream.max_deleted_entry_id = read_id(r)?;
        stream.entries_added = r.len()?;
    } else {
        stream.first_id = stream.first_entry().map_or(StreamId::MAX, |(id, _)| *id);
        stream.max_deleted_entry_id = StreamId::MIN;
        stream.entries_added = length;
    }
    if length != live_total {
        return Err(corrupt("Stream length inconsistent with rax entries"));
    }
    if previous.is_some_and(|p| p > stream.last_id) {
        return Err(corrupt("Stream entry ID greater than the last ID"));
    }
    let group_count = r.count()?;
    for _ in 0..group_count {
        let name = r.string()?;
        let last_id = read_id(r)?;
        let entries_read = if version_2 {
            match r.len()? {
                UNKNOWN_ENTRIES_READ => None,
                n => Some(n as i64),
            }
        } else {
            stream
                .estimate_entries_read(last_id)
                .map(|n| i64::try_from(n).unwrap_or(i64::MAX))
        };
        let group = read_group(r, last_id, entries_read)?;
        match stream.groups.entry(name) {
            btree_map::Entry::Occupied(e) => {
                let name = String::from_utf8_lossy(e.key()).into_owned();
                return Err(RdbError::Corrupt(format!(
                    "Duplicated consumer group name {name}"
                )));
            }
            btree_map::Entry::Vacant(e) => {
                e.insert(group);
            }
        }
    }
    Ok(Value::Stream(Box::new(stream)))
}

/// A group's pending entries and consumers; every pending entry must belong to exactly one
/// consumer.
fn read_group(
    r: &mut Reader<'_>,
    last_id: StreamId,
    entries_read: Option<i64>,
) -> Result<ConsumerGroup, RdbError> {
    let mut group = ConsumerGroup::new(last_id, entries_read);
    // Delivery time and count of each pending entry, until its consumer is read.
    let mut unowned: BTreeMap<StreamId, (i64, u64)> = BTreeMap::new();
    let pel_size = r.count()?;
    for _ in 0..pel_size {
        let id = raw_id(r)?;
        let delivery_time = r.millis()?;
        let delivery_count = r.len()?;
        if unowned
            .insert(id, (delivery_time, delivery_count))
            .is_some()
        {
            return Err(corrupt(
                "Duplicated global PEL entry loading stream consumer group",
            ));
        }
    }
    let consumer_count = r.count()?;
    for _ in 0..consumer_count {
        let name = r.string()?;
        let seen_time = r.millis()?;
        if !group.create_consumer(&name, seen_time) {
            return Err(corrupt("Duplicate stream consumer detected."));
        }
        let owner: Rc<[u8]> = Rc::from(name.as_slice());
        let mut pel = BTreeSet::new();
        let pending = r.count()?;
        for _ in 0..pending {
            let id = raw_id(r)?;
            let Some((delivery_time, delivery_count)) = unowned.remove(&id) else {
                return Err(if group.pel.contains_key(&id) {
                    corrupt("Duplicated consumer PEL entry  loading a stream consumer group")
                } else {
                    corrupt("Consumer entry not found in group global PEL")
                });
            };
            group.pel.insert(
                id,
                Nack {
                    delivery_time,
                    delivery_count,
                    consumer: owner.clone(),
                },
            );
            pel.insert(id);
        }
        if let Some(consumer) = group.consumers.get_mut(name.as_slice()) {
            consumer.pel = pel;
        }
    }
    if !unowned.is_empty() {
        return Err(corrupt("Stream CG PEL entry without consumer"));
    }
    Ok(group)
}

const NODE_CORRUPT: &str = "Stream listpack integrity check failed.";

/// Integers in a stream listpack (Redis also reads a string that holds one).
fn integer(element: Option<&Element<'_>>) -> Result<i64, RdbError> {
    match element {
        Some(Element::Int(n)) => Ok(*n),
        Some(Element::Str(s)) => crate::util::parse_i64(s).ok_or_else(|| corrupt(NODE_CORRUPT)),
        None => Err(corrupt(NODE_CORRUPT)),
    }
}

fn count_of(element: Option<&Element<'_>>) -> Result<usize, RdbError> {
    usize::try_from(integer(element)?).map_err(|_| corrupt(NODE_CORRUPT))
}

/// A node's listpack: its node model (with its tombstones) and its live entries. Entries must
/// be in increasing ID order, not before the master ID, and agree with the master entry's
/// counts.
fn read_node(master: StreamId, blob: &[u8]) -> Result<(Node, Vec<(StreamId, Fields)>), RdbError> {
    let elements = listpack::decode(blob).map_err(|_| corrupt(NODE_CORRUPT))?;
    if elements.is_empty() {
        return Err(corrupt("Empty listpack inside stream"));
    }
    let mut items = elements.iter();
    let live_count = count_of(items.next())?;
    let deleted_count = count_of(items.next())?;
    let master_field_count = count_of(items.next())?;
    if master_field_count > items.len() {
        return Err(corrupt(NODE_CORRUPT));
    }
    let master_fields: Box<[Vec<u8>]> = items
        .by_ref()
        .take(master_field_count)
        .map(Element::to_vec)
        .collect();
    if integer(items.next())? != 0 {
        return Err(corrupt(NODE_CORRUPT));
    }
    let mut node = Node::new(master_fields, master);
    let mut live = Vec::new();
    let mut previous: Option<StreamId> = None;
    while items.len() > 0 {
        let flags = integer(items.next())?;
        let ms_delta = integer(items.next())?;
        let seq_delta = integer(items.next())?;
        let id = StreamId::new(
            master.ms.wrapping_add(ms_delta as u64),
            master.seq.wrapping_add(seq_delta as u64),
        );
        if id < master || previous.is_some_and(|p| id <= p) {
            return Err(corrupt(NODE_CORRUPT));
        }
        previous = Some(id);
        let same = flags & FLAG_SAME_FIELDS != 0;
        let pairs = if same {
            node.master_fields.len()
        } else {
            count_of(items.next())?
        };
        let needed = if same { pairs } else { pairs.saturating_mul(2) };
        if needed > items.len() {
            return Err(corrupt(NODE_CORRUPT));
        }
        let mut fields = Vec::with_capacity(pairs * 2);
        for i in 0..pairs {
            if same {
                fields.push(node.master_fields.get(i).cloned().unwrap_or_default());
            } else {
                fields.push(items.next().map(Element::to_vec).unwrap_or_default());
            }
            fields.push(items.next().map(Element::to_vec).unwrap_or_default());
        }
        let span = if same { 3 + pairs } else { 4 + 2 * pairs };
        if integer(items.next())? != span as i64 {
            return Err(corrupt(NODE_CORRUPT));
        }
        let fields: Fields = fields.into_boxed_slice();
        if flags & FLAG_DELETED != 0 {
            node.tombstones.insert(id, fields);
        } else {
            live.push((id, fields));
        }
        node.last_id = id;
    }
    if live.len() != live_count || node.tombstones.len() != deleted_count || previous.is_none() {
        return Err(corrupt(NODE_CORRUPT));
    }
    node.live = live_count as u64;
    node.deleted = deleted_count as u64;
    // Loaded listpacks are allocated to their exact size.
    node.closed = true;
    node.body_bytes = blob.len().saturating_sub(node.bytes());
    Ok((node, live))
}
