//! Reading RDB files and values: every type and encoding Redis 7.0 loads, converted to the
//! encoding Redis 7.0 would give the value under the loading server's configuration.

use super::read::Reader;
use super::{kind, legacy, listpack, opcode, LoadLimits, LoadedDataset, LoadedKey, RdbError};
use crate::persistence::crc64::crc64;
use crate::types::hash::HashLimits;
use crate::types::set::{IntSet, MemberTable};
use crate::types::zset::ListpackLimits;
use crate::types::{HashValue, ListValue, SetValue, SortedSet, StringValue, Value};

/// Decodes a whole file with Redis's default encoding thresholds.
pub fn decode(bytes: &[u8]) -> Result<LoadedDataset, RdbError> {
    decode_with(bytes, &LoadLimits::default())
}

/// Decodes a whole file: magic and version, records, EOF and (from version 5) the checksum,
/// which is verified unless zero (a file saved with `rdbchecksum no`).
pub fn decode_with(bytes: &[u8], limits: &LoadLimits) -> Result<LoadedDataset, RdbError> {
    let mut r = Reader::new(bytes);
    let magic = r.bytes(9)?;
    if &magic[..5] != b"REDIS" {
        return Err(RdbError::WrongSignature);
    }
    let version = atoi(&magic[5..]);
    if !(1..=i64::from(super::RDB_VERSION)).contains(&version) {
        return Err(RdbError::UnsupportedVersion(
            version.clamp(0, i64::from(u32::MAX)) as u32,
        ));
    }
    let mut data = LoadedDataset {
        version: version as u32,
        bytes: bytes.len(),
        ..LoadedDataset::default()
    };
    let mut db = 0usize;
    let mut expire_at_ms = None;
    let mut idle_seconds = None;
    let mut lfu_freq = None;
    loop {
        let record = r.byte()?;
        match record {
            opcode::EXPIRETIME => {
                expire_at_ms = Some(i64::from(r.seconds()?) * 1000);
            }
            opcode::EXPIRETIME_MS => expire_at_ms = Some(r.millis()?),
            opcode::FREQ => lfu_freq = Some(r.byte()?),
            opcode::IDLE => idle_seconds = Some(r.len()?),
            opcode::EOF => break,
            opcode::SELECTDB => {
                let index = r.len()?;
                db = usize::try_from(index)
                    .ok()
                    .filter(|&i| i < limits.databases)
                    .ok_or(RdbError::TooManyDatabases(limits.databases as u64))?;
            }
            opcode::RESIZEDB => {
                r.len()?;
                r.len()?;
            }
            opcode::AUX => {
                let name = r.string()?;
                let value = r.string()?;
                data.aux.push((name, value));
            }
            opcode::MODULE_AUX => return Err(RdbError::ModuleNotSupported),
            opcode::FUNCTION2 => {
                let code = r
                    .string()
                    .map_err(|_| RdbError::Function("Failed loading library payload".into()))?;
                data.functions.push(code);
            }
            opcode::FUNCTION => data.functions.push(old_format_library(&mut r)?),
            value_kind => {
                let key = r.string()?;
                match decode_body(&mut r, value_kind, limits)? {
                    Some(value) => data.keys.push(LoadedKey {
                        db,
                        key,
                        value,
                        expire_at_ms,
                        idle_seconds,
                        lfu_freq,
                    }),
                    None => data.empty_keys_skipped += 1,
                }
                expire_at_ms = None;
                idle_seconds = None;
                lfu_freq = None;
            }
        }
    }
    if version >= 5 {
        let expected = crc64(0, &bytes[..r.pos]);
        let stored = r.millis()? as u64;
        if stored != 0 && stored != expected {
            return Err(RdbError::WrongChecksum {
                expected,
                found: stored,
            });
        }
    }
    Ok(data)
}

/// C's atoi on the 4 version digits.
fn atoi(digits: &[u8]) -> i64 {
    digits
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'))
}

/// A library record of Redis 7.0's release candidates: name, engine, optional description and
/// code, turned into the code with its shebang line as 7.0 does.
fn old_format_library(r: &mut Reader<'_>) -> Result<Vec<u8>, RdbError> {
    let fail = |what: &str| RdbError::Function(format!("Failed loading {what}"));
    let name = r.string().map_err(|_| fail("library name"))?;
    let engine = r.string().map_err(|_| fail("engine name"))?;
    let has_description = r.len().map_err(|_| fail("library description indicator"))?;
    if has_description != 0 {
        r.string().map_err(|_| fail("library description"))?;
    }
    let blob = r.string().map_err(|_| fail("library blob"))?;
    Ok(crate::scripting::dump::library_code(&engine, &name, &blob))
}

/// Decodes a value from its type byte on (the start of a DUMP payload, whose footer the
/// caller has verified). An empty aggregate is an error here, as RESTORE reports it.
pub fn decode_value(bytes: &[u8], limits: &LoadLimits) -> Result<Value, RdbError> {
    let mut r = Reader::new(bytes);
    let value_kind = r.byte()?;
    decode_body(&mut r, value_kind, limits)?.ok_or_else(|| RdbError::Corrupt("Empty key".into()))
}

fn corrupt(msg: &str) -> RdbError {
    RdbError::Corrupt(msg.into())
}

/// A value of type `value_kind`; None for an empty aggregate (skipped by loading).
fn decode_body(
    r: &mut Reader<'_>,
    value_kind: u8,
    limits: &LoadLimits,
) -> Result<Option<Value>, RdbError> {
    let value = match value_kind {
        kind::STRING => Value::String(match r.string_or_int()? {
            Ok(n) => StringValue::from_int(n),
            Err(bytes) => StringValue::new(bytes),
        }),
        kind::LIST => {
            let count = r.count()?;
            let mut list = ListValue::new(limits.list_max_listpack_size);
            for _ in 0..count {
                list.push(crate::types::list::End::Tail, r.string()?);
            }
            Value::List(Box::new(list))
        }
        kind::LIST_ZIPLIST => {
            let blob = r.string()?;
            let mut list = ListValue::new(limits.list_max_listpack_size);
            for element in legacy::decode_ziplist(&blob, "List ziplist")? {
                list.push(crate::types::list::End::Tail, element);
            }
            Value::List(Box::new(list))
        }
        kind::LIST_QUICKLIST | kind::LIST_QUICKLIST_2 => decode_quicklist(r, value_kind, limits)?,
        kind::SET => decode_set(r, limits)?,
        kind::SET_INTSET => {
            let blob = r.string()?;
            let (values, width) = legacy::decode_intset(&blob)?;
            let mut set = SetValue::IntSet(IntSet::from_sorted(values, width));
            if set.len() > limits.set_max_intset_entries {
                set = to_member_table(&set);
            }
            Value::Set(Box::new(set))
        }
        kind::ZSET | kind::ZSET_2 => decode_zset(r, value_kind == kind::ZSET_2, limits)?,
        kind::ZSET_ZIPLIST | kind::ZSET_LISTPACK => {
            let blob = r.string()?;
            let flat = if value_kind == kind::ZSET_LISTPACK {
                listpack_strings(&blob, "Zset listpack")?
            } else {
                legacy::decode_ziplist(&blob, "Zset ziplist")?
            };
            zset_from_pairs(flat, limits)?
        }
        kind::HASH => decode_hash(r, limits)?,
        kind::HASH_ZIPMAP => {
            let blob = r.string()?;
            let pairs = legacy::decode_zipmap(&blob)?;
            let longest = pairs
                .iter()
                .map(|(f, v)| f.len().max(v.len()))
                .max()
                .unwrap_or(0);
            let flat = pairs.into_iter().flat_map(|(f, v)| [f, v]).collect();
            let mut hash = hash_from_flat(flat, limits, "Hash zipmap")?;
            if longest > limits.hash_max_listpack_value {
                hash.convert_to_table();
            }
            Value::Hash(Box::new(hash))
        }
        kind::HASH_ZIPLIST | kind::HASH_LISTPACK => {
            let blob = r.string()?;
            let flat = if value_kind == kind::HASH_LISTPACK {
                listpack_strings(&blob, "Hash listpack")?
            } else {
                legacy::decode_ziplist(&blob, "Hash ziplist")?
            };
            Value::Hash(Box::new(hash_from_flat(flat, limits, "Hash")?))
        }
        kind::STREAM_LISTPACKS | kind::STREAM_LISTPACKS_2 => {
            super::stream::read_stream(r, value_kind)?
        }
        kind::MODULE | kind::MODULE_2 => return Err(RdbError::ModuleNotSupported),
        other => return Err(RdbError::UnknownType(other)),
    };
    let empty = match &value {
        Value::String(_) => false,
        Value::List(l) => l.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
        // A stream may be empty and is loaded as such.
        Value::Stream(_) => false,
    };
    Ok((!empty).then_some(value))
}

fn listpack_strings(blob: &[u8], what: &str) -> Result<Vec<Vec<u8>>, RdbError> {
    Ok(listpack::decode(blob)
        .map_err(|_| RdbError::Corrupt(format!("{what} integrity check failed.")))?
        .iter()
        .map(|e| e.to_vec())
        .collect())
}

/// A quicklist: nodes of listpacks (version 2, each with its container kind) or of ziplists
/// (version 1). Nodes are appended as saved, as Redis does.
fn decode_quicklist(
    r: &mut Reader<'_>,
    value_kind: u8,
    limits: &LoadLimits,
) -> Result<Value, RdbError> {
    let nodes = r.count()?;
    let mut list = ListValue::new(limits.list_max_listpack_size);
    for _ in 0..nodes {
        let container = if value_kind == kind::LIST_QUICKLIST_2 {
            r.len()?
        } else {
            2
        };
        let blob = r.string()?;
        if blob.is_empty() {
            return Err(corrupt("Empty quicklist node"));
        }
        match container {
            // A plain node holds one element as is.
            1 => list.append_node(vec![blob]),
            2 if value_kind == kind::LIST_QUICKLIST_2 => {
                list.append_node(listpack_strings(&blob, "Listpack")?)
            }
            2 => list.append_node(legacy::decode_ziplist(&blob, "Ziplist")?),
            _ => return Err(corrupt("Quicklist integrity check failed.")),
        }
    }
    Ok(Value::List(Box::new(list)))
}

fn to_member_table(set: &SetValue) -> SetValue {
    let mut table = MemberTable::with_capacity(set.len());
    for member in set.iter() {
        table.insert(&member.to_vec());
    }
    SetValue::Table(table)
}

/// A set saved member by member: an intset while members are integers and few enough.
fn decode_set(r: &mut Reader<'_>, limits: &LoadLimits) -> Result<Value, RdbError> {
    let count = r.count()?;
    let mut set = if count > limits.set_max_intset_entries {
        SetValue::Table(MemberTable::with_capacity(count))
    } else {
        SetValue::empty()
    };
    for _ in 0..count {
        let member = r.string()?;
        // `add` moves to a hash table on the first member that is not an integer.
        if !set.add(&member, usize::MAX) {
            return Err(corrupt("Duplicate set members detected"));
        }
    }
    Ok(Value::Set(Box::new(set)))
}

fn no_limits() -> ListpackLimits {
    ListpackLimits {
        max_entries: usize::MAX,
        max_value: usize::MAX,
    }
}

/// A sorted set saved member by member (binary or, in the first format, textual scores):
/// a listpack if it fits the limits.
fn decode_zset(r: &mut Reader<'_>, binary: bool, limits: &LoadLimits) -> Result<Value, RdbError> {
    let count = r.count()?;
    let mut zset = SortedSet::new(false);
    let mut longest = 0;
    for _ in 0..count {
        let member = r.string()?;
        let score = if binary {
            r.binary_double()?
        } else {
            r.text_double()?
        };
        if score.is_nan() {
            return Err(corrupt("Zset with NAN score detected"));
        }
        if zset.score(&member).is_some() {
            return Err(corrupt("Duplicate zset fields detected"));
        }
        longest = longest.max(member.len());
        zset.insert(&member, score, no_limits());
    }
    let fits = ListpackLimits {
        max_entries: limits.zset_max_listpack_entries,
        max_value: limits.zset_max_listpack_value,
    };
    zset.shrink_if_fits(fits, longest);
    Ok(Value::ZSet(Box::new(zset)))
}

/// A sorted set saved as a listpack or ziplist of member, score pairs; kept compact unless
/// it has more members than `zset-max-listpack-entries`.
fn zset_from_pairs(flat: Vec<Vec<u8>>, limits: &LoadLimits) -> Result<Value, RdbError> {
    let err = || corrupt("Zset listpack integrity check failed.");
    if !flat.len().is_multiple_of(2) {
        return Err(err());
    }
    let mut zset = SortedSet::new(true);
    let mut items = flat.into_iter();
    while let (Some(member), Some(score)) = (items.next(), items.next()) {
        let score = crate::util::parse_f64(&score)
            .filter(|s| !s.is_nan())
            .ok_or_else(err)?;
        if zset.score(&member).is_some() {
            return Err(err());
        }
        zset.insert(&member, score, no_limits());
    }
    if zset.len() > limits.zset_max_listpack_entries {
        zset.convert_to_skiplist();
    }
    Ok(Value::ZSet(Box::new(zset)))
}

/// A hash saved as a listpack, ziplist or zipmap: kept compact unless it has more fields
/// than `hash-max-listpack-entries`.
fn hash_from_flat(
    flat: Vec<Vec<u8>>,
    limits: &LoadLimits,
    what: &str,
) -> Result<HashValue, RdbError> {
    let err = || RdbError::Corrupt(format!("{what} integrity check failed."));
    if !flat.len().is_multiple_of(2) {
        return Err(err());
    }
    let unlimited = HashLimits {
        max_listpack_entries: usize::MAX,
        max_listpack_value: usize::MAX,
    };
    let mut hash = HashValue::new();
    let mut items = flat.into_iter();
    while let (Some(field), Some(value)) = (items.next(), items.next()) {
        if hash.set(&field, value, unlimited) {
            return Err(err());
        }
        if hash.len() == 1 + limits.hash_max_listpack_entries.min(1 << 20) {
            // Large pairs lists are looked up in a table, not scanned.
            hash.convert_to_table();
        }
    }
    if hash.len() > limits.hash_max_listpack_entries {
        hash.convert_to_table();
    }
    Ok(hash)
}

/// A hash saved field by field: a listpack while it fits the limits.
fn decode_hash(r: &mut Reader<'_>, limits: &LoadLimits) -> Result<Value, RdbError> {
    let count = r.count()?;
    let mut hash = HashValue::new();
    if count > limits.hash_max_listpack_entries {
        hash.convert_to_table();
    }
    let listpack_limits = HashLimits {
        max_listpack_entries: limits.hash_max_listpack_entries,
        max_listpack_value: limits.hash_max_listpack_value,
    };
    for _ in 0..count {
        let field = r.string()?;
        let value = r.string()?;
        if hash.set(&field, value, listpack_limits) {
            return Err(corrupt("Duplicate hash fields detected"));
        }
    }
    Ok(Value::Hash(Box::new(hash)))
}
