//! The dataset written as commands: the `.base.aof` of a rewrite with
//! `aof-use-rdb-preamble no` (Redis's rewriteAppendOnlyFileRio).

use super::encode_command;
use crate::server::Server;
use crate::types::stream::{Stream, StreamId};
use crate::types::Value;
use crate::util::format_g;

/// Elements per RPUSH/SADD/ZADD/HMSET command, as Redis batches them.
const ITEMS_PER_COMMAND: usize = 64;

/// Writes `command key items...` in batches of `ITEMS_PER_COMMAND` items, each item being
/// `width` arguments.
fn write_batched(
    out: &mut Vec<u8>,
    command: &[u8],
    key: &[u8],
    items: impl Iterator<Item = Vec<Vec<u8>>>,
) {
    let mut argv: Vec<Vec<u8>> = Vec::new();
    let mut in_batch = 0;
    for item in items {
        if in_batch == 0 {
            argv.clear();
            argv.push(command.to_vec());
            argv.push(key.to_vec());
        }
        argv.extend(item);
        in_batch += 1;
        if in_batch == ITEMS_PER_COMMAND {
            encode_command(out, &argv);
            in_batch = 0;
        }
    }
    if in_batch > 0 {
        encode_command(out, &argv);
    }
}

impl Server {
    /// Every function library and key as the commands that recreate them; keys already
    /// expired at `now` are left out.
    pub(crate) fn dataset_as_commands(&self, now: u64) -> Vec<u8> {
        let mut out = Vec::new();
        for code in self.scripting.library_codes() {
            encode_command(&mut out, &[b"FUNCTION".to_vec(), b"LOAD".to_vec(), code]);
        }
        for (index, db) in self.dbs.iter().enumerate() {
            if db.is_empty() {
                continue;
            }
            encode_command(
                &mut out,
                &[b"SELECT".to_vec(), index.to_string().into_bytes()],
            );
            for (key, entry) in db.iter() {
                let expire = db.expire_at(key);
                if expire.is_some_and(|at| at < now) {
                    continue;
                }
                write_value(&mut out, key, &entry.value);
                if let Some(at) = expire {
                    encode_command(
                        &mut out,
                        &[
                            b"PEXPIREAT".to_vec(),
                            key.to_vec(),
                            at.to_string().into_bytes(),
                        ],
                    );
                }
            }
        }
        out
    }
}

fn write_value(out: &mut Vec<u8>, key: &[u8], value: &Value) {
    match value {
        Value::String(s) => {
            encode_command(out, &[b"SET".to_vec(), key.to_vec(), s.to_bytes()]);
        }
        Value::List(list) => {
            write_batched(out, b"RPUSH", key, list.iter().map(|e| vec![e.to_vec()]));
        }
        Value::Set(set) => {
            write_batched(out, b"SADD", key, set.iter().map(|m| vec![m.to_vec()]));
        }
        Value::ZSet(zset) => {
            let items = zset
                .iter()
                .map(|(member, score)| vec![format_g(score, 17).into_bytes(), member.to_vec()]);
            write_batched(out, b"ZADD", key, items);
        }
        Value::Hash(hash) => {
            let items = hash
                .iter()
                .map(|(field, value)| vec![field.to_vec(), value.to_vec()]);
            write_batched(out, b"HMSET", key, items);
        }
        Value::Stream(stream) => write_stream(out, key, stream),
    }
}

/// A stream as Redis's AOF rewrite recreates it: one XADD per entry (or, for an empty
/// stream, an XADD MAXLEN 0 that leaves it empty), XSETID for the last id and counters, then
/// each group with XGROUP CREATE, and each consumer with an XCLAIM per pending entry (keeping
/// its delivery time and count) or XGROUP CREATECONSUMER when it has none.
fn write_stream(out: &mut Vec<u8>, key: &[u8], stream: &Stream) {
    let word = |w: &str| w.as_bytes().to_vec();
    let number = |n: i64| n.to_string().into_bytes();
    if stream.is_empty() {
        let argv = [
            word("XADD"),
            key.to_vec(),
            word("MAXLEN"),
            word("0"),
            word("0-1"),
            word("x"),
            word("y"),
        ];
        encode_command(out, &argv);
    }
    for (id, fields) in stream.range(StreamId::MIN, StreamId::MAX) {
        let mut argv = vec![word("XADD"), key.to_vec(), id.to_bytes()];
        argv.extend(fields.iter().cloned());
        encode_command(out, &argv);
    }
    let entries_added = i64::try_from(stream.entries_added).unwrap_or(i64::MAX);
    encode_command(
        out,
        &[
            word("XSETID"),
            key.to_vec(),
            stream.last_id.to_bytes(),
            word("ENTRIESADDED"),
            number(entries_added),
            word("MAXDELETEDID"),
            stream.max_deleted_entry_id.to_bytes(),
        ],
    );
    for (name, group) in &stream.groups {
        encode_command(
            out,
            &[
                word("XGROUP"),
                word("CREATE"),
                key.to_vec(),
                name.clone(),
                group.last_id.to_bytes(),
                word("ENTRIESREAD"),
                // Redis stores an unknown count as -1 and writes it as such.
                number(group.entries_read.unwrap_or(-1)),
            ],
        );
        for consumer in group.consumers.values() {
            if consumer.pel.is_empty() {
                let argv = [
                    word("XGROUP"),
                    word("CREATECONSUMER"),
                    key.to_vec(),
                    name.clone(),
                    consumer.name.to_vec(),
                ];
                encode_command(out, &argv);
                continue;
            }
            for id in &consumer.pel {
                let Some(nack) = group.pel.get(id) else {
                    continue;
                };
                let count = i64::try_from(nack.delivery_count).unwrap_or(i64::MAX);
                encode_command(
                    out,
                    &[
                        word("XCLAIM"),
                        key.to_vec(),
                        name.clone(),
                        consumer.name.to_vec(),
                        word("0"),
                        id.to_bytes(),
                        word("TIME"),
                        number(nack.delivery_time),
                        word("RETRYCOUNT"),
                        number(count),
                        word("JUSTID"),
                        word("FORCE"),
                    ],
                );
            }
        }
    }
}
