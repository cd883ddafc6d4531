//! SORT and SORT_RO, as Redis 7.0's sort.c: sort the elements of a list, set or sorted set
//! numerically or lexicographically, by themselves or by weights found through a key
//! pattern (`BY weight_*`, `BY h_*->field`), take a LIMIT window, fetch values through
//! patterns (`GET`), and reply or STORE the result as a list.
//!
//! Keyspace events: `sortstore` on the destination (or `del` when an empty result deletes
//! it).

mod number;

use std::cmp::Ordering;

use super::string::{is_keyword, reply_of};
use super::Handler;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::list::End;
use crate::types::{ListValue, Value};
use crate::util::parse_i64;

pub(super) const HANDLERS: &[(&str, Handler)] = &[("sort", sort), ("sort_ro", sort_ro)];

fn sort(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(sort_generic(srv, call, false))
}

fn sort_ro(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(sort_generic(srv, call, true))
}

/// The options of one SORT call.
struct SortOptions<'a> {
    desc: bool,
    alpha: bool,
    limit_start: i64,
    limit_count: i64,
    store: Option<&'a [u8]>,
    by: Option<&'a [u8]>,
    /// BY with a pattern without `*`: the elements keep their own order.
    dont_sort: bool,
    gets: Vec<&'a [u8]>,
}

/// Parses the options after the key, as Redis does: later options override earlier ones,
/// except that a constant BY pattern cannot be undone.
fn parse_options(argv: &[Vec<u8>], readonly: bool) -> Result<SortOptions<'_>, Reply> {
    let mut options = SortOptions {
        desc: false,
        alpha: false,
        limit_start: 0,
        limit_count: -1,
        store: None,
        by: None,
        dont_sort: false,
        gets: Vec::new(),
    };
    let mut j = 2;
    while j < argv.len() {
        let option = &argv[j];
        let left = argv.len() - j - 1;
        if is_keyword(option, "asc") {
            options.desc = false;
        } else if is_keyword(option, "desc") {
            options.desc = true;
        } else if is_keyword(option, "alpha") {
            options.alpha = true;
        } else if is_keyword(option, "limit") && left >= 2 {
            options.limit_start = parse_i64(&argv[j + 1]).ok_or_else(errors::not_integer)?;
            options.limit_count = parse_i64(&argv[j + 2]).ok_or_else(errors::not_integer)?;
            j += 2;
        } else if !readonly && is_keyword(option, "store") && left >= 1 {
            options.store = Some(&argv[j + 1]);
            j += 1;
        } else if is_keyword(option, "by") && left >= 1 {
            let pattern = &argv[j + 1];
            options.by = Some(pattern);
            // Redis looks for the `*` in a C string: bytes after a NUL do not count.
            if !c_string(pattern).contains(&b'*') {
                options.dont_sort = true;
            }
            j += 1;
        } else if is_keyword(option, "get") && left >= 1 {
            options.gets.push(&argv[j + 1]);
            j += 1;
        } else {
            return Err(errors::syntax());
        }
        j += 1;
    }
    Ok(options)
}

/// The bytes C's string functions see: up to the first NUL.
fn c_string(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or_default()
}

/// What one element is sorted by.
#[derive(Clone)]
enum Weight {
    /// Numeric sorting (a missing BY key weighs 0).
    Score(f64),
    /// ALPHA with BY: the value found, None if the key or field is missing.
    Text(Option<Vec<u8>>),
    /// ALPHA without BY: the element itself.
    Element,
}

struct Item {
    element: Vec<u8>,
    weight: Weight,
}

fn sort_generic(srv: &mut Server, call: &mut Call, readonly: bool) -> Result<Reply, Reply> {
    let argv = std::mem::take(&mut call.argv);
    let result = sort_with(srv, call, &argv, readonly);
    call.argv = argv;
    result
}

fn sort_with(
    srv: &mut Server,
    call: &Call,
    argv: &[Vec<u8>],
    readonly: bool,
) -> Result<Reply, Reply> {
    let mut options = parse_options(argv, readonly)?;
    let key = &argv[1];
    let (db, now) = (call.db, call.now);
    let kind = match srv.lookup_read(db, key, now).map(|e| &e.value) {
        None => Kind::Missing,
        Some(Value::List(_)) => Kind::List,
        Some(Value::Set(_)) => Kind::Set,
        Some(Value::ZSet(_)) => Kind::ZSet,
        Some(_) => return Err(errors::wrongtype()),
    };
    // A set has no order of its own: when the result is stored or goes to a script, it is
    // sorted anyway so that it does not depend on the set's layout.
    let from_script = call.client == crate::scripting::SCRIPT_CLIENT_ID;
    if options.dont_sort && kind == Kind::Set && (options.store.is_some() || from_script) {
        options.dont_sort = false;
        options.alpha = true;
        options.by = None;
    }
    let entry = srv.db(db).get_mut(key);
    let value = entry.map(|e| &mut e.value);
    if let Some(Value::ZSet(zset)) = value {
        // Redis converts a listpack sorted set for good before sorting it.
        zset.convert_to_skiplist();
    }
    let value = srv.db(db).get(key).map(|e| &e.value);
    let length = match value {
        Some(Value::List(list)) => list.len(),
        Some(Value::Set(set)) => set.len(),
        Some(Value::ZSet(zset)) => zset.len(),
        _ => 0,
    };
    let (mut start, mut end) = limit_window(length, options.limit_start, options.limit_count);
    // A list or sorted set left in its own order only loads the window it outputs.
    let window_only = options.dont_sort && matches!(kind, Kind::List | Kind::ZSet);
    let elements: Vec<Vec<u8>> = match value {
        Some(Value::List(list)) if window_only => {
            let count = usize::try_from(end - start + 1).unwrap_or(0);
            let from = usize::try_from(start).unwrap_or(0);
            let position = if options.desc {
                length.saturating_sub(from + 1)
            } else {
                from
            };
            list.range(position, count, options.desc)
                .map(<[u8]>::to_vec)
                .collect()
        }
        Some(Value::List(list)) => list.iter().map(<[u8]>::to_vec).collect(),
        Some(Value::Set(set)) => set.iter().map(|m| m.to_vec()).collect(),
        Some(Value::ZSet(zset)) if window_only => {
            let count = usize::try_from(end - start + 1).unwrap_or(0);
            let from = usize::try_from(start).unwrap_or(0);
            zset.iter_from_rank(from, options.desc)
                .take(count)
                .map(|(member, _)| member.to_vec())
                .collect()
        }
        Some(Value::ZSet(zset)) => zset.iter().map(|(member, _)| member.to_vec()).collect(),
        _ => Vec::new(),
    };
    if window_only {
        end -= start;
        start = 0;
    }
    let mut items: Vec<Item> = elements
        .into_iter()
        .map(|element| Item {
            element,
            weight: Weight::Score(0.0),
        })
        .collect();
    let mut conversion_error = false;
    if !options.dont_sort {
        for item in &mut items {
            let by_value = match options.by {
                Some(pattern) => match lookup_by_pattern(srv, db, now, pattern, &item.element) {
                    Some(found) => Some(found),
                    None => {
                        if options.alpha {
                            item.weight = Weight::Text(None);
                        }
                        continue;
                    }
                },
                None => None,
            };
            item.weight = if options.alpha {
                match by_value {
                    Some(found) => Weight::Text(Some(found)),
                    None => Weight::Element,
                }
            } else {
                let text = by_value.as_deref().unwrap_or(&item.element);
                match number::sort_score(text) {
                    Some(score) => Weight::Score(score),
                    None => {
                        conversion_error = true;
                        Weight::Score(0.0)
                    }
                }
            };
        }
        if !conversion_error {
            let binary = options.store.is_some();
            let desc = options.desc;
            items.sort_by(|a, b| {
                let order = compare(a, b, binary);
                if desc {
                    order.reverse()
                } else {
                    order
                }
            });
        }
    }
    if conversion_error {
        return Err(Reply::error(
            "ERR One or more scores can't be converted into double",
        ));
    }
    let window = usize::try_from(start).unwrap_or(0)..usize::try_from(end + 1).unwrap_or(0);
    let selected = items.get(window).unwrap_or_default();
    match options.store {
        None => {
            let mut replies = Vec::new();
            for item in selected {
                if options.gets.is_empty() {
                    replies.push(Reply::bulk(&item.element));
                }
                for pattern in &options.gets {
                    replies.push(
                        lookup_by_pattern(srv, db, now, pattern, &item.element)
                            .map_or(Reply::Null, Reply::Bulk),
                    );
                }
            }
            Ok(Reply::Array(replies))
        }
        Some(destination) => {
            let mut list = ListValue::new(srv.config.list_max_listpack_size);
            for item in selected {
                if options.gets.is_empty() {
                    list.push(End::Tail, item.element.clone());
                }
                for pattern in &options.gets {
                    let found = lookup_by_pattern(srv, db, now, pattern, &item.element);
                    list.push(End::Tail, found.unwrap_or_default());
                }
            }
            let stored = list.len();
            if stored > 0 {
                srv.set_value(db, destination, Value::List(Box::new(list)), false, now);
                srv.notify_keyspace_event(class::LIST, "sortstore", destination, db);
                srv.add_dirty(stored as u64);
            } else if srv.delete_key(db, destination) {
                srv.notify_keyspace_event(class::GENERIC, "del", destination, db);
                srv.add_dirty(1);
            }
            Ok(Reply::Integer(stored as i64))
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Missing,
    List,
    Set,
    ZSet,
}

/// Redis's LIMIT arithmetic: the first and last positions output (`end < start` outputs
/// nothing), for `length` elements.
fn limit_window(length: usize, limit_start: i64, limit_count: i64) -> (i64, i64) {
    let length = i64::try_from(length).unwrap_or(i64::MAX);
    let mut start = limit_start.clamp(0, length);
    let count = limit_count.clamp(-1, length);
    let mut end = if count < 0 {
        length - 1
    } else {
        start + count - 1
    };
    if start >= length {
        start = length - 1;
        end = length - 2;
    }
    if end >= length {
        end = length - 1;
    }
    (start, end)
}

/// Redis's sortCompare (before DESC reverses it). Numeric ties are broken by the elements'
/// bytes. Text is compared as C strings (strcoll in a byte-ordered locale, stopping at a
/// NUL byte) unless the result is stored, where whole byte strings are compared.
fn compare(a: &Item, b: &Item, binary: bool) -> Ordering {
    let text = |x: &[u8], y: &[u8]| {
        if binary {
            x.cmp(y)
        } else {
            c_string(x).cmp(c_string(y))
        }
    };
    match (&a.weight, &b.weight) {
        (Weight::Score(x), Weight::Score(y)) => x
            .partial_cmp(y)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.element.cmp(&b.element)),
        (Weight::Text(x), Weight::Text(y)) => match (x, y) {
            (Some(x), Some(y)) => text(x, y),
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
        },
        _ => text(&a.element, &b.element),
    }
}

/// Redis's lookupKeyByPattern: `#` is the element itself; otherwise the first `*` of the
/// pattern is replaced by the element to name a key, whose string value is returned, or,
/// with `->field` after the `*`, that field of the hash there. None when there is no `*`,
/// no such key or field, or the key holds another type.
fn lookup_by_pattern(
    srv: &mut Server,
    db: usize,
    now: u64,
    pattern: &[u8],
    element: &[u8],
) -> Option<Vec<u8>> {
    if pattern.first() == Some(&b'#') && pattern.get(1).is_none_or(|&b| b == 0) {
        return Some(element.to_vec());
    }
    let searchable = c_string(pattern);
    let star = searchable.iter().position(|&b| b == b'*')?;
    let arrow = searchable[star + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|offset| star + 1 + offset)
        .filter(|&arrow| arrow + 2 < searchable.len());
    let (postfix_end, field) = match arrow {
        Some(arrow) => (arrow, Some(&pattern[arrow + 2..])),
        None => (pattern.len(), None),
    };
    let mut key = Vec::with_capacity(pattern.len() + element.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(element);
    key.extend_from_slice(&pattern[star + 1..postfix_end]);
    let entry = srv.lookup_read(db, &key, now)?;
    match (&entry.value, field) {
        (Value::Hash(hash), Some(field)) => hash.get(field).map(<[u8]>::to_vec),
        (Value::String(string), None) => Some(string.to_bytes()),
        _ => None,
    }
}
