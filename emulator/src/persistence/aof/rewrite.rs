//! The dataset written as commands: the `.base.aof` of a rewrite with
//! `aof-use-rdb-preamble no` (Redis's rewriteAppendOnlyFileRio).

use super::encode_command;
use crate::server::Server;
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
    }
}
