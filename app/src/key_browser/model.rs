//! What the key browser shows, as plain data, and the conversions from the engine's replies
//! to it. Nothing here touches the page, so all of it is tested natively.

use emulator::cli::quote_bytes;
use emulator::resp::format_double;
use emulator::Reply;

/// One key of the listing: its name and what Redis says about it.
#[derive(Clone, Debug, PartialEq)]
pub struct KeySummary {
    pub name: Vec<u8>,
    /// TYPE's answer: string, list, hash, set, zset, stream.
    pub kind: String,
    /// OBJECT ENCODING's answer: int, embstr, listpack, hashtable...
    pub encoding: String,
    /// MEMORY USAGE in bytes, when the engine answered one.
    pub memory: Option<u64>,
    pub ttl: Ttl,
}

/// When a key expires, on the engine clock (which the learner can pause or move forward).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ttl {
    Persistent,
    /// Engine time in milliseconds at which the key expires.
    At(u64),
}

impl Ttl {
    /// From PTTL's reply, read at engine time `now`. None when the key is gone (-2).
    pub fn from_pttl(reply: &Reply, now: u64) -> Option<Ttl> {
        match reply {
            Reply::Integer(-1) => Some(Ttl::Persistent),
            Reply::Integer(ms) if *ms >= 0 => Some(Ttl::At(now.saturating_add(*ms as u64))),
            _ => None,
        }
    }

    /// Milliseconds left at engine time `now` (0 once due); None for a persistent key.
    pub fn remaining(self, now: u64) -> Option<u64> {
        match self {
            Ttl::Persistent => None,
            Ttl::At(at) => Some(at.saturating_sub(now)),
        }
    }
}

/// A countdown as people read it: "9.8 s", "4 min 05 s", "2 h 03 min", "3 d 04 h".
pub fn countdown_text(ms: u64) -> String {
    if ms == 0 {
        return "expired".into();
    }
    let seconds = ms / 1000;
    if seconds < 60 {
        format!("{}.{} s", seconds, (ms % 1000) / 100)
    } else if seconds < 3600 {
        format!("{} min {:02} s", seconds / 60, seconds % 60)
    } else if seconds < 86_400 {
        format!("{} h {:02} min", seconds / 3600, (seconds / 60) % 60)
    } else {
        format!("{} d {:02} h", seconds / 86_400, (seconds / 3600) % 24)
    }
}

/// "56 B", "1.2 KB", "3.4 MB" (binary units, as Redis's INFO uses).
pub fn memory_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Bytes as redis-cli shows them, without the surrounding quotes: printable ASCII as is,
/// `\n`, `\"`, `\xHH` and the like for the rest.
pub fn escaped(bytes: &[u8]) -> String {
    let quoted = quote_bytes(bytes);
    quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .map(str::to_string)
        .unwrap_or(quoted)
}

/// The bytes of a scalar reply (bulk, simple, integer, double); None for anything else.
pub fn bytes_of(reply: &Reply) -> Option<Vec<u8>> {
    match reply {
        Reply::Bulk(b) => Some(b.clone()),
        Reply::Simple(s) => Some(s.as_bytes().to_vec()),
        Reply::Verbatim(_, b) => Some(b.clone()),
        Reply::Integer(n) => Some(n.to_string().into_bytes()),
        Reply::Double(d) => Some(format_double(*d).into_bytes()),
        Reply::BigNumber(n) => Some(n.as_bytes().to_vec()),
        _ => None,
    }
}

/// A scalar reply as text (lossy for non-UTF-8 bytes).
pub fn text_of(reply: &Reply) -> Option<String> {
    bytes_of(reply).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// An integer reply, or a bulk string holding one.
pub fn integer_of(reply: &Reply) -> Option<i64> {
    match reply {
        Reply::Integer(n) => Some(*n),
        other => text_of(other)?.parse().ok(),
    }
}

/// The elements of an aggregate reply (array, set, push); empty for anything else.
fn elements(reply: &Reply) -> &[Reply] {
    match reply {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => items,
        _ => &[],
    }
}

/// The pairs of a map reply: a RESP3 map, or the flat array RESP2 sends in its place.
pub fn map_pairs(reply: &Reply) -> Vec<(String, &Reply)> {
    match reply {
        Reply::Map(pairs) => pairs
            .iter()
            .filter_map(|(k, v)| Some((text_of(k)?, v)))
            .collect(),
        other => elements(other)
            .chunks_exact(2)
            .filter_map(|pair| Some((text_of(&pair[0])?, &pair[1])))
            .collect(),
    }
}

fn field<'a>(pairs: &[(String, &'a Reply)], name: &str) -> Option<&'a Reply> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
}

/// A SCAN-family reply: the next cursor and the page of items.
pub fn scan_page(reply: &Reply) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    match elements(reply) {
        [cursor, items] => {
            let items = elements(items).iter().filter_map(bytes_of).collect();
            Some((bytes_of(cursor)?, items))
        }
        _ => None,
    }
}

/// Flat `[a, b, a, b...]` items (HSCAN's field/value pairs) as pairs.
pub fn pairs_of(items: Vec<Vec<u8>>) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut pairs = Vec::with_capacity(items.len() / 2);
    let mut items = items.into_iter();
    while let (Some(a), Some(b)) = (items.next(), items.next()) {
        pairs.push((a, b));
    }
    pairs
}

/// One member of a sorted set with its rank (0-based, by ascending score).
#[derive(Clone, Debug, PartialEq)]
pub struct RankedMember {
    pub rank: u64,
    pub member: Vec<u8>,
    /// The score as Redis prints it ("1.5", "inf").
    pub score: String,
}

/// ZRANGE ... WITHSCORES starting at rank `first`: RESP2's flat member/score list, or
/// RESP3's pairs.
pub fn ranked_members(reply: &Reply, first: u64) -> Vec<RankedMember> {
    let items = elements(reply);
    let pairs: Vec<(&Reply, &Reply)> = if items.iter().all(|i| matches!(i, Reply::Array(_))) {
        items
            .iter()
            .filter_map(|pair| match elements(pair) {
                [member, score] => Some((member, score)),
                _ => None,
            })
            .collect()
    } else {
        items.chunks_exact(2).map(|p| (&p[0], &p[1])).collect()
    };
    pairs
        .into_iter()
        .zip(first..)
        .filter_map(|((member, score), rank)| {
            Some(RankedMember {
                rank,
                member: bytes_of(member)?,
                score: text_of(score)?,
            })
        })
        .collect()
}

/// LRANGE's items, numbered from index `first`.
pub fn indexed_items(reply: &Reply, first: u64) -> Vec<(u64, Vec<u8>)> {
    (first..)
        .zip(elements(reply).iter().filter_map(bytes_of))
        .collect()
}

/// A stream entry id, ordered as Redis orders them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub fn parse(text: &str) -> Option<StreamId> {
        let (ms, seq) = text.split_once('-')?;
        Some(StreamId {
            ms: ms.parse().ok()?,
            seq: seq.parse().ok()?,
        })
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StreamEntry {
    pub id: StreamId,
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// XRANGE's reply: `[[id, [field, value, ...]], ...]`.
pub fn stream_entries(reply: &Reply) -> Vec<StreamEntry> {
    elements(reply)
        .iter()
        .filter_map(|entry| match elements(entry) {
            [id, fields] => Some(StreamEntry {
                id: StreamId::parse(&text_of(id)?)?,
                fields: pairs_of(elements(fields).iter().filter_map(bytes_of).collect()),
            }),
            _ => None,
        })
        .collect()
}

/// What XINFO STREAM says about a stream (Redis 7.0's fields).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamInfo {
    pub length: u64,
    pub last_generated_id: Option<StreamId>,
    pub max_deleted_entry_id: Option<StreamId>,
    pub entries_added: Option<u64>,
    pub recorded_first_entry_id: Option<StreamId>,
    pub groups: u64,
}

pub fn stream_info(reply: &Reply) -> StreamInfo {
    let pairs = map_pairs(reply);
    let id = |name| {
        field(&pairs, name)
            .and_then(text_of)
            .and_then(|t| StreamId::parse(&t))
    };
    let count = |name| {
        field(&pairs, name)
            .and_then(integer_of)
            .and_then(|n| u64::try_from(n).ok())
    };
    StreamInfo {
        length: count("length").unwrap_or(0),
        last_generated_id: id("last-generated-id"),
        max_deleted_entry_id: id("max-deleted-entry-id"),
        entries_added: count("entries-added"),
        recorded_first_entry_id: id("recorded-first-entry-id"),
        groups: count("groups").unwrap_or(0),
    }
}

/// One consumer group from XINFO GROUPS.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupInfo {
    pub name: Vec<u8>,
    pub consumers: i64,
    pub pending: i64,
    pub last_delivered_id: StreamId,
    /// None when Redis cannot tell (it replies nil).
    pub entries_read: Option<i64>,
    pub lag: Option<i64>,
}

pub fn stream_groups(reply: &Reply) -> Vec<GroupInfo> {
    elements(reply)
        .iter()
        .filter_map(|group| {
            let pairs = map_pairs(group);
            Some(GroupInfo {
                name: field(&pairs, "name").and_then(bytes_of)?,
                consumers: field(&pairs, "consumers").and_then(integer_of)?,
                pending: field(&pairs, "pending").and_then(integer_of)?,
                last_delivered_id: StreamId::parse(&text_of(field(&pairs, "last-delivered-id")?)?)?,
                entries_read: field(&pairs, "entries-read").and_then(integer_of),
                lag: field(&pairs, "lag").and_then(integer_of),
            })
        })
        .collect()
}

/// Where a group stands among the loaded entries: the index of the last entry it was
/// delivered (its last-delivered-id or the last entry before it), None if before them all.
pub fn group_position(entries: &[StreamEntry], group: &GroupInfo) -> Option<usize> {
    entries
        .iter()
        .rposition(|entry| entry.id <= group.last_delivered_id)
}

/// A HyperLogLog is a string starting with this magic.
pub const HLL_MAGIC: &[u8] = b"HYLL";

/// The representation byte after the magic: "dense" or "sparse".
pub fn hll_representation(prefix: &[u8]) -> Option<&'static str> {
    if !prefix.starts_with(HLL_MAGIC) {
        return None;
    }
    match prefix.get(4) {
        Some(0) => Some("dense"),
        Some(1) => Some("sparse"),
        _ => None,
    }
}

/// A key's value, as much of it as has been read.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueView {
    Text {
        bytes: Vec<u8>,
        /// STRLEN: the value may be longer than what was read.
        total: u64,
        /// Stored as an integer (`int` encoding).
        integer: bool,
    },
    HyperLogLog {
        estimate: i64,
        representation: &'static str,
        bytes: u64,
    },
    List {
        total: u64,
        items: Vec<(u64, Vec<u8>)>,
    },
    Hash {
        total: u64,
        rows: Vec<(Vec<u8>, Vec<u8>)>,
        /// HSCAN's next cursor; None once the scan is complete.
        cursor: Option<Vec<u8>>,
    },
    Set {
        total: u64,
        members: Vec<Vec<u8>>,
        cursor: Option<Vec<u8>>,
    },
    SortedSet {
        total: u64,
        rows: Vec<RankedMember>,
    },
    Stream {
        info: StreamInfo,
        entries: Vec<StreamEntry>,
        groups: Vec<GroupInfo>,
    },
    /// The engine refused a read (a type whose commands it does not know yet).
    Unavailable(String),
}

impl ValueView {
    /// Whether the "more" button has something to load.
    pub fn has_more(&self) -> bool {
        match self {
            ValueView::Text { bytes, total, .. } => (bytes.len() as u64) < *total,
            ValueView::List { total, items } => (items.len() as u64) < *total,
            ValueView::Hash { cursor, .. } | ValueView::Set { cursor, .. } => cursor.is_some(),
            ValueView::SortedSet { total, rows } => (rows.len() as u64) < *total,
            ValueView::Stream { info, entries, .. } => (entries.len() as u64) < info.length,
            ValueView::HyperLogLog { .. } | ValueView::Unavailable(_) => false,
        }
    }

    /// How many items (or bytes, for strings) are loaded, to reload as many after a change.
    pub fn loaded(&self) -> usize {
        match self {
            ValueView::Text { bytes, .. } => bytes.len(),
            ValueView::List { items, .. } => items.len(),
            ValueView::Hash { rows, .. } => rows.len(),
            ValueView::Set { members, .. } => members.len(),
            ValueView::SortedSet { rows, .. } => rows.len(),
            ValueView::Stream { entries, .. } => entries.len(),
            ValueView::HyperLogLog { .. } | ValueView::Unavailable(_) => 0,
        }
    }
}

/// A SCAN cursor as the next call wants it: None once the iteration is complete ("0").
pub fn next_cursor(cursor: Vec<u8>) -> Option<Vec<u8>> {
    (cursor != b"0").then_some(cursor)
}

#[cfg(test)]
mod tests;
