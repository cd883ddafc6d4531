//! The key browser's reads: an observer client of the engine (invisible to the learner) that
//! only ever sends the read commands listed in `READS`, in pages so a big value is never
//! fetched whole.

use emulator::{ClientId, Reply, Server};

use super::model::{
    bytes_of, hll_representation, indexed_items, integer_of, next_cursor, pairs_of, ranked_members,
    scan_page, stream_entries, stream_groups, stream_info, text_of, KeySummary, Ttl, ValueView,
};

/// Every command the browser may send. All read; none changes a key, its access time or a
/// statistic (the client is an observer).
const READS: &[&str] = &[
    "select", "scan", "type", "object", "memory", "pttl", "strlen", "getrange", "llen", "lrange",
    "hlen", "hscan", "scard", "sscan", "zcard", "zrange", "xlen", "xrange", "xinfo", "pfcount",
];

/// Whether the browser may send `argv`. Besides the list above: OBJECT and MEMORY only with
/// their read subcommands, and PFCOUNT only over two keys or more: with a single key it
/// refreshes the sketch's cached count, which is a write (WATCH would see it). The union of a
/// key with itself is the same estimate, computed without touching the key.
pub fn permitted(argv: &[Vec<u8>]) -> bool {
    let Some(name) = argv.first().map(|n| n.to_ascii_lowercase()) else {
        return false;
    };
    let sub = argv.get(1).map(|s| s.to_ascii_lowercase());
    let sub = sub.as_deref();
    match name.as_slice() {
        b"object" => sub == Some(b"encoding"),
        b"memory" => sub == Some(b"usage"),
        b"xinfo" => sub == Some(b"stream") || sub == Some(b"groups"),
        b"pfcount" => argv.len() >= 3,
        other => READS.iter().any(|r| r.as_bytes() == other),
    }
}

/// Items per page of a value (list items, hash fields, members, entries).
pub const PAGE: usize = 50;
/// Bytes per page of a string.
pub const TEXT_PAGE: usize = 1024;
/// SCAN calls per listing at most, so a selective pattern over a big database stays cheap;
/// "more" continues from where the listing stopped.
const MAX_SCAN_CALLS: usize = 20;

/// What to list: SCAN's MATCH, TYPE and COUNT.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyFilter {
    pub pattern: String,
    /// Empty for every type.
    pub kind: String,
    pub count: u32,
}

impl Default for KeyFilter {
    fn default() -> Self {
        KeyFilter {
            pattern: "*".into(),
            kind: String::new(),
            count: 100,
        }
    }
}

/// The keys found, sorted by name, and where SCAN stopped if it did not finish.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyListing {
    pub keys: Vec<KeySummary>,
    pub cursor: Option<Vec<u8>>,
}

/// The observer client and the database it has selected.
pub struct Reader {
    /// Replaced when a server restart has dropped it.
    client: std::cell::Cell<ClientId>,
    db: usize,
}

fn args(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

impl Reader {
    pub fn connect(server: &mut Server, now: u64) -> Reader {
        Reader {
            client: std::cell::Cell::new(server.connect_observer(now)),
            db: 0,
        }
    }

    pub fn disconnect(self, server: &mut Server) {
        server.disconnect(self.client.get());
    }

    /// Sends one permitted command and returns its reply.
    fn call(&self, server: &mut Server, now: u64, argv: Vec<Vec<u8>>) -> Reply {
        if !permitted(&argv) {
            return Reply::error("ERR the key browser only reads");
        }
        if server.client(self.client.get()).is_none() {
            // The server restarted (or crashed): connect again, in the same database.
            let client = server.connect_observer(now);
            let select = args(&[b"SELECT", self.db.to_string().as_bytes()]);
            server.execute(client, select, now);
            self.client.set(client);
        }
        server
            .execute(self.client.get(), argv, now)
            .pop()
            .unwrap_or(Reply::Null)
    }

    fn read(&self, server: &mut Server, now: u64, parts: &[&[u8]]) -> Reply {
        self.call(server, now, args(parts))
    }

    /// Switches to database `db` if not there already.
    pub fn use_db(&mut self, server: &mut Server, now: u64, db: usize) {
        if self.db != db {
            let reply = self.read(server, now, &[b"SELECT", db.to_string().as_bytes()]);
            if !reply.is_error() {
                self.db = db;
            }
        }
    }

    pub fn db(&self) -> usize {
        self.db
    }

    /// Lists keys from `cursor` ("0" to start) until `want` are found, SCAN is done, or it
    /// has been called `MAX_SCAN_CALLS` times. `known` (what earlier pages found) is kept.
    pub fn list_keys(
        &self,
        server: &mut Server,
        now: u64,
        filter: &KeyFilter,
        want: usize,
        mut listing: KeyListing,
    ) -> KeyListing {
        let mut cursor = listing.cursor.take().unwrap_or_else(|| b"0".to_vec());
        let mut names: Vec<Vec<u8>> = Vec::new();
        let count = filter.count.max(1).to_string();
        for _ in 0..MAX_SCAN_CALLS {
            let mut argv = args(&[b"SCAN", &cursor, b"MATCH", filter.pattern.as_bytes()]);
            argv.extend(args(&[b"COUNT", count.as_bytes()]));
            if !filter.kind.is_empty() {
                argv.extend(args(&[b"TYPE", filter.kind.as_bytes()]));
            }
            let Some((next, page)) = scan_page(&self.call(server, now, argv)) else {
                listing.cursor = None;
                break;
            };
            names.extend(page);
            listing.cursor = next_cursor(next.clone());
            cursor = next;
            if listing.cursor.is_none() || listing.keys.len() + names.len() >= want {
                break;
            }
        }
        names.sort();
        names.dedup();
        for name in names {
            // SCAN may return a key twice across pages (after a rehash).
            if listing.keys.iter().any(|k| k.name == name) {
                continue;
            }
            if let Some(summary) = self.summary(server, now, &name) {
                listing.keys.push(summary);
            }
        }
        listing.keys.sort_by(|a, b| a.name.cmp(&b.name));
        listing
    }

    /// TYPE, OBJECT ENCODING, MEMORY USAGE and PTTL of a key; None if it does not exist.
    pub fn summary(&self, server: &mut Server, now: u64, key: &[u8]) -> Option<KeySummary> {
        let kind = text_of(&self.read(server, now, &[b"TYPE", key]))?;
        if kind == "none" {
            return None;
        }
        let encoding =
            text_of(&self.read(server, now, &[b"OBJECT", b"ENCODING", key])).unwrap_or_default();
        let memory = integer_of(&self.read(server, now, &[b"MEMORY", b"USAGE", key]))
            .and_then(|n| u64::try_from(n).ok());
        let pttl = self.read(server, now, &[b"PTTL", key]);
        let ttl = Ttl::from_pttl(&pttl, server.now_ms())?;
        Some(KeySummary {
            name: key.to_vec(),
            kind,
            encoding,
            memory,
            ttl,
        })
    }

    /// The first page of a key's value, or None if the key is gone.
    pub fn first_page(
        &self,
        server: &mut Server,
        now: u64,
        summary: &KeySummary,
    ) -> Option<ValueView> {
        let key = summary.name.as_slice();
        let count = |reply: Reply| integer_of(&reply).and_then(|n| u64::try_from(n).ok());
        let mut view = match summary.kind.as_str() {
            "string" => {
                let total = count(self.read(server, now, &[b"STRLEN", key]))?;
                let head = self.read(server, now, &[b"GETRANGE", key, b"0", b"4"]);
                let representation = bytes_of(&head).and_then(|h| hll_representation(&h));
                if let Some(representation) = representation {
                    let reply = self.read(server, now, &[b"PFCOUNT", key, key]);
                    return Some(match integer_of(&reply) {
                        Some(estimate) => ValueView::HyperLogLog {
                            estimate,
                            representation,
                            bytes: total,
                        },
                        None => unavailable(&reply),
                    });
                }
                ValueView::Text {
                    bytes: Vec::new(),
                    total,
                    integer: summary.encoding == "int",
                }
            }
            "list" => ValueView::List {
                total: count(self.read(server, now, &[b"LLEN", key]))?,
                items: Vec::new(),
            },
            "hash" => ValueView::Hash {
                total: count(self.read(server, now, &[b"HLEN", key]))?,
                rows: Vec::new(),
                cursor: Some(b"0".to_vec()),
            },
            "set" => ValueView::Set {
                total: count(self.read(server, now, &[b"SCARD", key]))?,
                members: Vec::new(),
                cursor: Some(b"0".to_vec()),
            },
            "zset" => ValueView::SortedSet {
                total: count(self.read(server, now, &[b"ZCARD", key]))?,
                rows: Vec::new(),
            },
            "stream" => {
                let info = self.read(server, now, &[b"XINFO", b"STREAM", key]);
                if info.is_error() {
                    return Some(unavailable(&info));
                }
                let groups = self.read(server, now, &[b"XINFO", b"GROUPS", key]);
                ValueView::Stream {
                    info: stream_info(&info),
                    entries: Vec::new(),
                    groups: stream_groups(&groups),
                }
            }
            other => ValueView::Unavailable(format!("no view for type {other}")),
        };
        self.next_page(server, now, key, &mut view);
        Some(view)
    }

    /// Reads the next page of `view` into it (nothing if it is complete).
    pub fn next_page(&self, server: &mut Server, now: u64, key: &[u8], view: &mut ValueView) {
        if !view.has_more() {
            return;
        }
        let failed = match view {
            ValueView::Text { bytes, .. } => {
                let (start, end) = (bytes.len(), bytes.len() + TEXT_PAGE - 1);
                let reply = self.range(server, now, b"GETRANGE", key, start, end);
                bytes.extend(bytes_of(&reply).unwrap_or_default());
                reply
            }
            ValueView::List { items, .. } => {
                let start = items.len();
                let reply = self.range(server, now, b"LRANGE", key, start, start + PAGE - 1);
                items.extend(indexed_items(&reply, start as u64));
                reply
            }
            ValueView::SortedSet { rows, .. } => {
                let start = rows.len();
                let (from, to) = (start.to_string(), (start + PAGE - 1).to_string());
                let reply = self.read(
                    server,
                    now,
                    &[
                        b"ZRANGE",
                        key,
                        from.as_bytes(),
                        to.as_bytes(),
                        b"WITHSCORES",
                    ],
                );
                rows.extend(ranked_members(&reply, start as u64));
                reply
            }
            ValueView::Hash { rows, cursor, .. } => {
                let reply = self.scan_value(server, now, b"HSCAN", key, cursor);
                for (field, value) in pairs_of(scanned(&reply)) {
                    // HSCAN may repeat a field across pages.
                    if !rows.iter().any(|(f, _)| *f == field) {
                        rows.push((field, value));
                    }
                }
                reply
            }
            ValueView::Set {
                members, cursor, ..
            } => {
                let reply = self.scan_value(server, now, b"SSCAN", key, cursor);
                for member in scanned(&reply) {
                    if !members.contains(&member) {
                        members.push(member);
                    }
                }
                reply
            }
            ValueView::Stream { info, entries, .. } => {
                // After the last entry read: an exclusive range start.
                let start = entries
                    .last()
                    .map_or("-".to_string(), |e| format!("({}", e.id));
                let page = PAGE.to_string();
                let reply = self.read(
                    server,
                    now,
                    &[
                        b"XRANGE",
                        key,
                        start.as_bytes(),
                        b"+",
                        b"COUNT",
                        page.as_bytes(),
                    ],
                );
                let read = stream_entries(&reply);
                if read.is_empty() && !reply.is_error() {
                    // Entries were deleted since XINFO counted them: stop offering more.
                    info.length = entries.len() as u64;
                }
                entries.extend(read);
                reply
            }
            ValueView::HyperLogLog { .. } | ValueView::Unavailable(_) => return,
        };
        if failed.is_error() {
            *view = unavailable(&failed);
        }
    }

    fn range(
        &self,
        server: &mut Server,
        now: u64,
        command: &[u8],
        key: &[u8],
        start: usize,
        end: usize,
    ) -> Reply {
        let (start, end) = (start.to_string(), end.to_string());
        self.read(
            server,
            now,
            &[command, key, start.as_bytes(), end.as_bytes()],
        )
    }

    /// One HSCAN/SSCAN call from `cursor`, which it moves on (None once done).
    fn scan_value(
        &self,
        server: &mut Server,
        now: u64,
        command: &[u8],
        key: &[u8],
        cursor: &mut Option<Vec<u8>>,
    ) -> Reply {
        let from = cursor.take().unwrap_or_else(|| b"0".to_vec());
        let page = PAGE.to_string();
        let reply = self.read(
            server,
            now,
            &[command, key, &from, b"COUNT", page.as_bytes()],
        );
        *cursor = scan_page(&reply).and_then(|(next, _)| next_cursor(next));
        reply
    }

    /// The key's value read again after a change, as far as `previous` had been read.
    pub fn reload(
        &self,
        server: &mut Server,
        now: u64,
        summary: &KeySummary,
        previous: &ValueView,
    ) -> Option<ValueView> {
        let mut view = self.first_page(server, now, summary)?;
        while view.loaded() < previous.loaded() && view.has_more() {
            let before = view.loaded();
            self.next_page(server, now, &summary.name, &mut view);
            if view.loaded() == before
                && !matches!(view, ValueView::Hash { .. } | ValueView::Set { .. })
            {
                break;
            }
        }
        Some(view)
    }
}

/// The items of a SCAN-family reply (empty on error).
fn scanned(reply: &Reply) -> Vec<Vec<u8>> {
    scan_page(reply).map(|(_, items)| items).unwrap_or_default()
}

fn unavailable(reply: &Reply) -> ValueView {
    ValueView::Unavailable(match reply {
        Reply::Error(e) => e.clone(),
        _ => "unexpected reply".to_string(),
    })
}

#[cfg(test)]
mod tests;
