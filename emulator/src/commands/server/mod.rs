//! Server commands: INFO, CONFIG, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, DEBUG, MEMORY,
//! SLOWLOG, LATENCY, LOLWUT, WAIT, MODULE; and the bookkeeping behind them that runs around every command
//! (slow log, latency histograms, network counters).

mod aof;
mod config;
mod debug;
mod info;
mod latency;
mod latency_monitor;
mod latency_report;
mod lolwut;
mod memory;
mod module;
mod monitor;
mod monitor_feed;
mod persistence;
mod slowlog;

pub(crate) use monitor::{request_len, Monitor};
pub(crate) use monitor_feed::Monitoring;

use super::Handler;
use crate::errors;
use crate::resp::Reply;
use crate::server::{BlockRequest, Call, Server};
use crate::util::{eq_ignore_case, parse_i64};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("info", info::info),
    ("config|get", config::get),
    ("config|set", config::set),
    ("config|resetstat", config::resetstat),
    ("config|rewrite", config::rewrite),
    ("config|help", config::help),
    ("dbsize", dbsize),
    ("flushdb", flushdb),
    ("flushall", flushall),
    ("swapdb", swapdb),
    ("time", time),
    ("debug", debug::debug),
    ("memory|usage", memory::usage),
    ("memory|stats", memory::stats),
    ("memory|doctor", memory::doctor),
    ("memory|malloc-stats", memory::malloc_stats),
    ("memory|purge", memory::purge),
    ("memory|help", memory::help),
    ("slowlog|get", slowlog::get),
    ("slowlog|len", slowlog::len),
    ("slowlog|reset", slowlog::reset),
    ("slowlog|help", slowlog::help),
    ("lolwut", lolwut::lolwut),
    ("latency|latest", latency_monitor::latest),
    ("latency|history", latency_monitor::history),
    ("latency|reset", latency_monitor::reset),
    ("latency|histogram", latency_monitor::histogram),
    ("latency|help", latency_monitor::help),
    ("latency|graph", latency_monitor::graph),
    ("latency|doctor", latency_monitor::doctor),
    ("module|help", module::help),
    ("module|list", module::list),
    ("module|load", module::load),
    ("module|loadex", module::loadex),
    ("module|unload", module::unload),
    ("wait", wait),
    ("monitor", monitor_feed::monitor),
    ("bgrewriteaof", aof::bgrewriteaof),
    ("shutdown", aof::shutdown),
    ("save", persistence::save),
    ("bgsave", persistence::bgsave),
    ("lastsave", persistence::lastsave),
];

/// Redis's `addReplyHelp`: a usage line, the command's help lines, then HELP itself.
fn help_reply(command: &[u8], lines: &[&str]) -> Reply {
    let name = String::from_utf8_lossy(c_str(command)).to_uppercase();
    let mut out = vec![Reply::Simple(format!(
        "{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    ))];
    out.extend(lines.iter().map(|l| Reply::simple(l)));
    out.push(Reply::simple("HELP"));
    out.push(Reply::simple("    Prints this help."));
    Reply::Array(out)
}

/// Redis's `addReplySubcommandSyntaxError`.
fn subcommand_error(call: &Call) -> Reply {
    let sub = c_str(call.arg(1));
    let sub = &sub[..sub.len().min(128)];
    Reply::Error(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        String::from_utf8_lossy(sub),
        String::from_utf8_lossy(c_str(call.arg(0))).to_uppercase()
    ))
}

/// The part of an argument a C `%s` would print.
fn c_str(arg: &[u8]) -> &[u8] {
    match arg.iter().position(|&b| b == 0) {
        Some(i) => &arg[..i],
        None => arg,
    }
}

fn dbsize(srv: &mut Server, call: &mut Call) -> Reply {
    Reply::Integer(srv.db(call.db).len() as i64)
}

/// FLUSHDB/FLUSHALL's optional SYNC or ASYNC (both free memory at once here).
fn flush_mode_ok(call: &Call) -> bool {
    match call.argc() {
        1 => true,
        2 => eq_ignore_case(call.arg(1), "sync") || eq_ignore_case(call.arg(1), "async"),
        _ => false,
    }
}

fn flushdb(srv: &mut Server, call: &mut Call) -> Reply {
    if !flush_mode_ok(call) {
        return errors::syntax();
    }
    srv.empty_db(call.db);
    srv.invalidate_all_tracked_keys();
    srv.force_propagation();
    Reply::ok()
}

fn flushall(srv: &mut Server, call: &mut Call) -> Reply {
    if !flush_mode_ok(call) {
        return errors::syntax();
    }
    for db in 0..srv.dbs.len() {
        srv.empty_db(db);
    }
    srv.invalidate_all_tracked_keys();
    srv.force_propagation();
    // With `save` rules, Redis saves the now empty dataset at once.
    if !srv.config.save.is_empty() {
        let _ = srv.save_snapshot(call.now);
    }
    Reply::ok()
}

impl Server {
    /// Deletes every key of a database, counting them as changes and failing the
    /// transactions of clients watching any of them.
    pub(crate) fn empty_db(&mut self, db: usize) {
        self.signal_deleted_streams(db, None);
        let old = std::mem::take(&mut self.dbs[db]);
        self.touch_watched_in_db(db, |key| old.contains(key));
        self.add_dirty(old.len() as u64);
    }
}

/// Parses a C `int` argument with a custom error message.
fn parse_int_arg(arg: &[u8], msg: &str) -> Result<i64, Reply> {
    parse_i64(arg)
        .filter(|v| i32::try_from(*v).is_ok())
        .ok_or_else(|| Reply::error(format!("ERR {msg}")))
}

fn swapdb(srv: &mut Server, call: &mut Call) -> Reply {
    let first = match parse_int_arg(call.arg(1), "invalid first DB index") {
        Ok(v) => v,
        Err(e) => return e,
    };
    let second = match parse_int_arg(call.arg(2), "invalid second DB index") {
        Ok(v) => v,
        Err(e) => return e,
    };
    let n = srv.dbs.len() as i64;
    if !(0..n).contains(&first) || !(0..n).contains(&second) {
        return Reply::error(errors::DB_INDEX);
    }
    let (a, b) = (first as usize, second as usize);
    if a != b {
        srv.signal_deleted_streams(a, Some(b));
        srv.signal_deleted_streams(b, Some(a));
        // Watchers of a key that exists on either side see their transaction fail.
        let first = std::mem::take(&mut srv.dbs[a]);
        let second = std::mem::take(&mut srv.dbs[b]);
        let existed = |key: &[u8]| first.contains(key) || second.contains(key);
        srv.touch_watched_in_db(a, existed);
        srv.touch_watched_in_db(b, existed);
        srv.dbs[a] = second;
        srv.dbs[b] = first;
        // Clients blocked in either db may now find their keys.
        srv.signal_ready_keys_in_db(a);
        srv.signal_ready_keys_in_db(b);
    }
    srv.add_dirty(1);
    Reply::ok()
}

fn time(_srv: &mut Server, call: &mut Call) -> Reply {
    let seconds = call.now / 1000;
    let micros = (call.now % 1000) * 1000;
    Reply::Array(vec![
        Reply::bulk(seconds.to_string()),
        Reply::bulk(micros.to_string()),
    ])
}

/// WAIT numreplicas timeout: this server never has replicas, so no write is ever
/// acknowledged. Asking for none answers 0 at once; otherwise the client blocks until the
/// timeout (forever with 0), as a lone Redis master does, and is then answered 0.
fn wait(_srv: &mut Server, call: &mut Call) -> Reply {
    let Some(replicas) = parse_i64(call.arg(1)) else {
        return errors::not_integer();
    };
    let Some(timeout) = parse_i64(call.arg(2)) else {
        return Reply::error("ERR timeout is not an integer or out of range");
    };
    if timeout < 0 {
        return Reply::error("ERR timeout is negative");
    }
    const ACKNOWLEDGED: i64 = 0;
    if ACKNOWLEDGED >= replicas || call.nested {
        return Reply::Integer(ACKNOWLEDGED);
    }
    call.block = Some(BlockRequest {
        keys: Vec::new(),
        deadline: (timeout > 0).then(|| call.now.saturating_add(timeout as u64)),
        serve: None,
    });
    Reply::Integer(ACKNOWLEDGED)
}
