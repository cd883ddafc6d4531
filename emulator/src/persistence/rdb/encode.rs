//! Writing RDB files and values in the encodings Redis 7.0 writes.

use super::write::Writer;
use super::{kind, legacy, listpack, opcode, RDB_VERSION};
use crate::eviction::lfu_decayed;
use crate::persistence::{crc64::crc64, lzf};
use crate::server::Server;
use crate::types::{Entry, SetValue, StringValue, Value};

/// What a save depends on besides the data.
#[derive(Clone, Copy, Debug)]
pub struct EncodeOptions {
    /// `rdbcompression`.
    pub compress: bool,
    /// `rdbchecksum`: without it the file ends with a zero checksum.
    pub checksum: bool,
    /// `list-compress-depth`: inner quicklist nodes are held (and saved) LZF-compressed.
    pub list_compress_depth: usize,
    /// Engine time (for `ctime`, idle times and LFU decay).
    pub now_ms: u64,
    /// Save idle times (an LRU policy) or LFU counters (an LFU policy).
    pub save_lru: bool,
    pub save_lfu: bool,
    pub lfu_decay_time: i64,
    /// The `aof-base` field: 1 for the base file of an AOF.
    pub aof_base: bool,
}

impl EncodeOptions {
    /// The options a server's configuration gives at engine time `now_ms`.
    pub fn for_server(server: &Server, now_ms: u64) -> EncodeOptions {
        let config = &server.config;
        let policy = config.policy();
        EncodeOptions {
            compress: config.rdbcompression,
            checksum: config.rdbchecksum,
            list_compress_depth: usize::try_from(config.list_compress_depth).unwrap_or(0),
            now_ms,
            save_lru: policy.is_lru(),
            save_lfu: policy.is_lfu(),
            lfu_decay_time: config.lfu_decay_time,
            aof_base: false,
        }
    }
}

/// The whole dataset as an RDB file, with the server's configuration at its current time.
pub fn encode(server: &Server) -> Vec<u8> {
    encode_with(
        server,
        &EncodeOptions::for_server(server, server.clock.last_now()),
    )
}

/// The whole dataset as an RDB file.
pub fn encode_with(server: &Server, options: &EncodeOptions) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(format!("REDIS{RDB_VERSION:04}").as_bytes());
    let mut w = Writer {
        out: &mut out,
        compress: options.compress,
    };
    let used_memory = server.used_memory().to_string();
    let ctime = (options.now_ms / 1000).to_string();
    let aof_base = if options.aof_base { "1" } else { "0" };
    for (name, value) in [
        ("redis-ver", super::REDIS_VERSION),
        ("redis-bits", "64"),
        ("ctime", ctime.as_str()),
        ("used-mem", used_memory.as_str()),
        ("aof-base", aof_base),
    ] {
        w.byte(opcode::AUX);
        w.string(name.as_bytes());
        w.string(value.as_bytes());
    }
    for code in server.scripting.function_library_codes() {
        w.byte(opcode::FUNCTION2);
        w.string(&code);
    }
    for (index, db) in server.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        w.byte(opcode::SELECTDB);
        w.len(index as u64);
        w.byte(opcode::RESIZEDB);
        w.len(db.len() as u64);
        w.len(db.volatile_len() as u64);
        for (key, entry) in db.iter() {
            let expire = db.expire_at(key);
            write_key(&mut w, key, entry, expire, options);
        }
    }
    w.byte(opcode::EOF);
    let crc = if options.checksum { crc64(0, &out) } else { 0 };
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn write_key(
    w: &mut Writer<'_>,
    key: &[u8],
    entry: &Entry,
    expire: Option<u64>,
    options: &EncodeOptions,
) {
    if let Some(at) = expire {
        w.byte(opcode::EXPIRETIME_MS);
        w.millis(i64::try_from(at).unwrap_or(i64::MAX));
    }
    if options.save_lru {
        // Redis's LRU clock has a resolution of one second.
        let idle = (options.now_ms / 1000).saturating_sub(entry.last_access_ms / 1000);
        w.byte(opcode::IDLE);
        w.len(idle);
    }
    if options.save_lfu {
        w.byte(opcode::FREQ);
        w.byte(lfu_decayed(entry, options.now_ms, options.lfu_decay_time));
    }
    w.byte(value_kind(&entry.value));
    w.string(key);
    write_value_body(w, &entry.value, options);
}

/// The RDB type a value is saved as, from its encoding.
fn value_kind(value: &Value) -> u8 {
    match value {
        Value::String(_) => kind::STRING,
        Value::List(_) => kind::LIST_QUICKLIST_2,
        Value::Set(s) => match **s {
            SetValue::IntSet(_) => kind::SET_INTSET,
            SetValue::Table(_) => kind::SET,
        },
        Value::ZSet(z) if z.is_listpack() => kind::ZSET_LISTPACK,
        Value::ZSet(_) => kind::ZSET_2,
        Value::Hash(h) if h.is_listpack() => kind::HASH_LISTPACK,
        Value::Hash(_) => kind::HASH,
        Value::Stream(_) => kind::STREAM_LISTPACKS_2,
    }
}

/// A value's type byte and serialization (what DUMP payloads start with).
pub fn encode_value(value: &Value, options: &EncodeOptions, out: &mut Vec<u8>) {
    out.push(value_kind(value));
    let mut w = Writer {
        out,
        compress: options.compress,
    };
    write_value_body(&mut w, value, options);
}

/// Smallest quicklist node Redis compresses, and the least it must save.
const MIN_COMPRESS_BYTES: usize = 48;
const MIN_COMPRESS_IMPROVE: usize = 8;
/// A quicklist node holding a listpack (the other kind, PLAIN, holds one huge element).
const CONTAINER_PACKED: u64 = 2;

fn write_value_body(w: &mut Writer<'_>, value: &Value, options: &EncodeOptions) {
    match value {
        Value::String(StringValue::Int(n)) => w.int_string(*n),
        Value::String(s) => w.string(&s.bytes()),
        Value::List(list) => {
            let count = list.node_count();
            w.len(count as u64);
            let depth = options.list_compress_depth;
            for (i, node) in list.nodes().enumerate() {
                w.len(CONTAINER_PACKED);
                let lp = listpack::encode(node.iter().map(|e| e.as_slice()));
                // Nodes farther than `depth` from both ends are kept compressed when it pays.
                let inner = depth > 0 && i >= depth && i + depth < count;
                let compressed = if inner && lp.len() >= MIN_COMPRESS_BYTES {
                    lzf::compress(&lp, lp.len())
                        .filter(|c| c.len() + MIN_COMPRESS_IMPROVE < lp.len())
                } else {
                    None
                };
                match compressed {
                    Some(c) => w.lzf_blob(&c, lp.len()),
                    None => w.string(&lp),
                }
            }
        }
        Value::Set(set) => match &**set {
            SetValue::IntSet(ints) => w.string(&legacy::encode_intset(ints.values(), ints.width())),
            SetValue::Table(table) => {
                w.len(table.len() as u64);
                for member in table.iter() {
                    w.string(member);
                }
            }
        },
        Value::ZSet(zset) if zset.is_listpack() => {
            let mut lp = listpack::start();
            for (member, score) in zset.iter() {
                listpack::append(&mut lp, member);
                append_score(&mut lp, score);
            }
            w.string(&listpack::finish(lp, zset.len() * 2));
        }
        Value::ZSet(zset) => {
            // Highest score first, so that loading inserts at the head of the skiplist.
            w.len(zset.len() as u64);
            for (member, score) in zset.iter_from_rank(0, true) {
                w.string(member);
                w.binary_double(score);
            }
        }
        Value::Hash(hash) if hash.is_listpack() => {
            let mut lp = listpack::start();
            for (field, value) in hash.iter() {
                listpack::append(&mut lp, field);
                listpack::append(&mut lp, value);
            }
            w.string(&listpack::finish(lp, hash.len() * 2));
        }
        Value::Hash(hash) => {
            w.len(hash.len() as u64);
            for (field, value) in hash.iter() {
                w.string(field);
                w.string(value);
            }
        }
        Value::Stream(stream) => super::stream::write_stream(w, stream),
    }
}

/// A score in a listpack: an integer when it is one (within ±2^62), else its `%.17g` text
/// (Redis's zzlInsertAt).
fn append_score(lp: &mut Vec<u8>, score: f64) {
    const HALF_RANGE: f64 = (i64::MAX / 2) as f64;
    if score.is_finite() && score.fract() == 0.0 && score.abs() <= HALF_RANGE {
        listpack::append_integer(lp, score as i64);
    } else {
        listpack::append(lp, crate::resp::format_double(score).as_bytes());
    }
}
