//! DUMP and RESTORE: a key's value in the RDB value format, with the RDB version and a
//! CRC-64 (byte for byte what Redis 7.0 produces and accepts).

use crate::errors;
use crate::notify::class;
use crate::persistence::rdb::{self, EncodeOptions, LoadLimits};
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::Entry;
use crate::util::{eq_ignore_case, parse_i64};

pub(super) fn dump(srv: &mut Server, call: &mut Call) -> Reply {
    let now = call.now;
    let options = EncodeOptions::for_server(srv, now);
    match srv.lookup_read(call.db, call.arg(1), now) {
        Some(entry) => Reply::Bulk(rdb::dump_payload(&entry.value, &options)),
        None => Reply::Null,
    }
}

/// RESTORE's options.
struct RestoreOptions {
    replace: bool,
    absolute_ttl: bool,
    idle_seconds: Option<i64>,
    frequency: Option<i64>,
}

fn parse_options(call: &Call) -> Result<RestoreOptions, Reply> {
    let mut o = RestoreOptions {
        replace: false,
        absolute_ttl: false,
        idle_seconds: None,
        frequency: None,
    };
    let mut j = 4;
    while j < call.argc() {
        let arg = call.arg(j);
        let has_value = j + 1 < call.argc();
        if eq_ignore_case(arg, "replace") {
            o.replace = true;
        } else if eq_ignore_case(arg, "absttl") {
            o.absolute_ttl = true;
        } else if eq_ignore_case(arg, "idletime") && has_value && o.frequency.is_none() {
            let idle = parse_i64(call.arg(j + 1)).ok_or_else(errors::not_integer)?;
            if idle < 0 {
                return Err(Reply::error("ERR Invalid IDLETIME value, must be >= 0"));
            }
            o.idle_seconds = Some(idle);
            j += 1;
        } else if eq_ignore_case(arg, "freq") && has_value && o.idle_seconds.is_none() {
            let freq = parse_i64(call.arg(j + 1)).ok_or_else(errors::not_integer)?;
            if !(0..=255).contains(&freq) {
                return Err(Reply::error(
                    "ERR Invalid FREQ value, must be >= 0 and <= 255",
                ));
            }
            o.frequency = Some(freq);
            j += 1;
        } else {
            return Err(errors::syntax());
        }
        j += 1;
    }
    Ok(o)
}

pub(super) fn restore(srv: &mut Server, call: &mut Call) -> Reply {
    let options = match parse_options(call) {
        Ok(o) => o,
        Err(reply) => return reply,
    };
    let (db, now) = (call.db, call.now);
    let key = call.arg(1).to_vec();
    if !options.replace && srv.lookup_write(db, &key, now).is_some() {
        return Reply::error("BUSYKEY Target key name already exists.");
    }
    let Some(mut ttl) = parse_i64(call.arg(2)) else {
        return errors::not_integer();
    };
    if ttl < 0 {
        return Reply::error("ERR Invalid TTL value, must be >= 0");
    }
    let payload = call.arg(3);
    if !rdb::verify_payload(payload) {
        return Reply::error("ERR DUMP payload version or checksum are wrong");
    }
    let limits = LoadLimits::from_config(&srv.config);
    // Redis reads the value from the whole payload: a value running into the footer loads.
    let Ok(value) = rdb::decode_value(payload, &limits) else {
        return Reply::error("ERR Bad data format");
    };
    let deleted = options.replace && srv.delete_key(db, &key);
    if ttl != 0 && !options.absolute_ttl {
        ttl = ttl.wrapping_add(now as i64);
    }
    if ttl != 0 && ttl <= now as i64 {
        // Already expired: the key is gone (replaced by nothing).
        if deleted {
            srv.notify_keyspace_event(class::GENERIC, "del", &key, db);
            srv.add_dirty(1);
        }
        return Reply::ok();
    }
    let mut entry = Entry::new(value, now);
    if srv.config.policy().is_lfu() {
        if let Some(freq) = options.frequency {
            entry.lfu_counter = freq as u8;
        }
    } else if let Some(idle) = options.idle_seconds {
        let idle_ms = (idle as u64).saturating_mul(1000);
        entry.last_access_ms = now.saturating_sub(idle_ms);
    }
    let expire = (ttl != 0).then_some(ttl as u64);
    srv.add_key(db, &key, entry, expire);
    srv.key_modified(db, &key);
    srv.notify_keyspace_event(class::GENERIC, "restore", &key, db);
    srv.add_dirty(1);
    Reply::ok()
}
