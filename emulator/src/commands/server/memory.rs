//! MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE and HELP, over the memory model of
//! `memory.rs`.

use super::info::process_memory;
use super::{help_reply, subcommand_error};
use crate::errors;
use crate::memory::{self, DEFAULT_SAMPLES};
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::{eq_ignore_case, parse_i64};

/// MEMORY USAGE key [SAMPLES count]. Like Redis it looks at the key as stored, without
/// expiring it first.
pub(super) fn usage(srv: &mut Server, call: &mut Call) -> Reply {
    let mut samples = DEFAULT_SAMPLES;
    let mut i = 3;
    while i < call.argc() {
        if eq_ignore_case(call.arg(i), "samples") && i + 1 < call.argc() {
            let Some(n) = parse_i64(call.arg(i + 1)) else {
                return errors::not_integer();
            };
            if n < 0 {
                return errors::syntax();
            }
            samples = if n == 0 {
                usize::MAX
            } else {
                usize::try_from(n).unwrap_or(usize::MAX)
            };
            i += 2;
        } else {
            return errors::syntax();
        }
    }
    match srv.db(call.db).get(call.arg(2)) {
        Some(entry) => Reply::Integer(memory::usage(call.arg(2), &entry.value, samples) as i64),
        None => Reply::Null,
    }
}

pub(super) fn stats(srv: &mut Server, _call: &mut Call) -> Reply {
    srv.settle_memory();
    let mh = srv.memory_overhead();
    let (allocated, active, resident, rss) = process_memory(mh.used, mh.peak);
    let int = |n: u64| Reply::Integer(n as i64);
    let ratio = |a: u64, b: u64| {
        Reply::Double(if b == 0 {
            0.0
        } else {
            (a as f32 / b as f32) as f64
        })
    };
    let mut out = vec![
        ("peak.allocated".to_string(), int(mh.peak)),
        ("total.allocated".into(), int(mh.used)),
        ("startup.allocated".into(), int(mh.startup)),
        ("replication.backlog".into(), int(0)),
        ("clients.slaves".into(), int(0)),
        ("clients.normal".into(), int(mh.clients_normal)),
        ("cluster.links".into(), int(0)),
        ("aof.buffer".into(), int(0)),
        ("lua.caches".into(), int(0)),
        ("functions.caches".into(), int(200)),
    ];
    for (db, main, expires) in &mh.dbs {
        out.push((
            format!("db.{db}"),
            Reply::Map(vec![
                (Reply::bulk("overhead.hashtable.main"), int(*main)),
                (Reply::bulk("overhead.hashtable.expires"), int(*expires)),
                (Reply::bulk("overhead.hashtable.slot-to-keys"), int(0)),
            ]),
        ));
    }
    out.extend([
        ("overhead.total".to_string(), int(mh.total)),
        ("keys.count".into(), int(mh.keys)),
        ("keys.bytes-per-key".into(), int(mh.bytes_per_key)),
        ("dataset.bytes".into(), int(mh.dataset)),
        (
            "dataset.percentage".into(),
            Reply::Double(f64::from(mh.dataset_perc)),
        ),
        (
            "peak.percentage".into(),
            Reply::Double(f64::from(mh.peak_perc)),
        ),
        ("allocator.allocated".into(), int(allocated)),
        ("allocator.active".into(), int(active)),
        ("allocator.resident".into(), int(resident)),
        (
            "allocator-fragmentation.ratio".into(),
            ratio(active, allocated),
        ),
        (
            "allocator-fragmentation.bytes".into(),
            int(active - allocated),
        ),
        ("allocator-rss.ratio".into(), ratio(resident, active)),
        ("allocator-rss.bytes".into(), int(resident - active)),
        ("rss-overhead.ratio".into(), ratio(rss, resident)),
        ("rss-overhead.bytes".into(), int(rss - resident)),
        ("fragmentation".into(), ratio(rss, mh.used)),
        (
            "fragmentation.bytes".into(),
            Reply::Integer(rss as i64 - mh.used as i64),
        ),
    ]);
    Reply::Map(out.into_iter().map(|(k, v)| (Reply::bulk(k), v)).collect())
}

/// MEMORY DOCTOR: Redis's report. With the memory model there is no fragmentation and no
/// replica; what can be diagnosed is an (almost) empty instance, a past peak, big client
/// buffers and a large script cache.
pub(super) fn doctor(srv: &mut Server, _call: &mut Call) -> Reply {
    srv.settle_memory();
    let mh = srv.memory_overhead();
    let text = if mh.used < 5 * 1024 * 1024 {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n".to_string()
    } else if mh.peak as f32 / mh.used as f32 > 1.5 {
        "Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\nI'm here to keep you safe, Sam. I want to help you.\n".to_string()
    } else {
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n".to_string()
    };
    Reply::Verbatim("txt", text.into_bytes())
}

/// The engine's allocator is not jemalloc, so there are no allocator statistics to print:
/// the answer of a Redis built with another allocator.
pub(super) fn malloc_stats(_srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::bulk("Stats not supported for the current allocator")
}

/// Nothing to purge outside jemalloc; Redis answers OK as well.
pub(super) fn purge(_srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::ok()
}

pub(super) fn help(_srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() != 2 {
        return subcommand_error(call);
    }
    help_reply(
        call.arg(0),
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    )
}
