//! CONFIG GET, SET, RESETSTAT, REWRITE and HELP.

use super::help_reply;
use crate::config::{self, Param, IMMUTABLE, PROTECTED, SENSITIVE};
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};

/// CONFIG GET parameter [parameter ...]: exact names (or aliases) and glob patterns, each
/// matching name reported once, in the spelling it matched.
pub(super) fn get(srv: &mut Server, call: &mut Call) -> Reply {
    let mut matches: Vec<(String, &'static Param)> = Vec::new();
    let seen = |matches: &Vec<(String, &Param)>, name: &str| {
        matches.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    for arg in &call.argv[2..] {
        // Redis reads the pattern as a C string.
        let text = super::c_str(arg);
        if !text.iter().any(|b| matches!(b, b'[' | b'*' | b'?')) {
            let name = String::from_utf8_lossy(arg).into_owned();
            if let Some(param) = config::find(arg).filter(|_| !seen(&matches, &name)) {
                matches.push((name, param));
            }
            continue;
        }
        for (name, param) in config::matching(arg) {
            if !seen(&matches, name) {
                matches.push((name.to_string(), param));
            }
        }
    }
    Reply::Map(
        matches
            .into_iter()
            .map(|(name, param)| (Reply::bulk(name), Reply::Bulk(param.get(&srv.config))))
            .collect(),
    )
}

/// The name a parameter was found under: the alias if that is what was given.
fn registered_name(param: &Param, given: &[u8]) -> &'static str {
    match param.alias {
        Some(alias) if alias.as_bytes().eq_ignore_ascii_case(given) => alias,
        _ => param.name,
    }
}

/// CONFIG SET parameter value [parameter value ...]: all or nothing. Unknown names win over
/// other errors; then immutable, protected and repeated parameters; then bad values, in order.
pub(super) fn set(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() % 2 == 1 {
        return errors::syntax();
    }
    let pairs: Vec<(&[u8], &[u8])> = call.argv[2..]
        .chunks(2)
        .map(|p| (p[0].as_slice(), p[1].as_slice()))
        .collect();
    let mut unknown: Option<&[u8]> = None;
    let mut refused: Option<(String, &str)> = None;
    let mut chosen: Vec<(&'static Param, &'static str, &[u8])> = Vec::new();
    let mut to_redact = Vec::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        let Some(param) = config::find(name) else {
            if unknown.is_none() && refused.is_none() {
                unknown = Some(name);
            }
            continue;
        };
        if param.has(SENSITIVE) {
            to_redact.push(3 + 2 * i);
        }
        if unknown.is_some() || refused.is_some() {
            continue;
        }
        let given = String::from_utf8_lossy(name).into_owned();
        let registered = registered_name(param, name);
        let protected_refused = param.has(PROTECTED)
            && !srv.protected_action_allowed(srv.config.enable_protected_configs, call.client);
        if param.has(IMMUTABLE) {
            refused = Some((given, "can't set immutable config"));
        } else if protected_refused {
            refused = Some((given, "can't set protected config"));
        } else if chosen
            .iter()
            .any(|(p, n, _)| std::ptr::eq(*p, param) && *n == registered)
        {
            refused = Some((given, "duplicate parameter"));
        } else {
            chosen.push((param, registered, value));
        }
    }
    for index in to_redact {
        srv.redact_argument(index);
    }
    if let Some(name) = unknown {
        return Reply::Error(format!(
            "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
            String::from_utf8_lossy(super::c_str(name))
        ));
    }
    if let Some((name, why)) = refused {
        return set_failed(&name, why);
    }
    let mut updated = srv.config.clone();
    for (param, registered, value) in &chosen {
        if let Err(why) = config::set_param(&mut updated, param, value) {
            return set_failed(registered, &why);
        }
    }
    let memory_changed = updated.maxmemory != srv.config.maxmemory;
    let appendonly_changed = updated.appendonly != srv.config.appendonly;
    // As in Redis, CONFIG SET is all or nothing: when a setting fails to take effect, every
    // parameter of the command goes back to its previous value.
    let previous = std::mem::replace(&mut srv.config, updated);
    srv.config_generation += 1;
    if appendonly_changed {
        if let Err(reply) = srv.apply_appendonly(call.now) {
            srv.config = previous;
            return reply;
        }
    }
    if memory_changed && srv.config.maxmemory != 0 {
        // Redis starts evicting right after the limit changes.
        srv.perform_evictions();
    }
    Reply::ok()
}

fn set_failed(name: &str, why: &str) -> Reply {
    Reply::Error(format!(
        "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
    ))
}

pub(super) fn resetstat(srv: &mut Server, _call: &mut Call) -> Reply {
    srv.reset_stats();
    Reply::ok()
}

impl Server {
    /// CONFIG RESETSTAT: zeroes the counters INFO reports.
    pub(crate) fn reset_stats(&mut self) {
        let st = &mut self.stats;
        st.total_connections = 0;
        st.total_commands = 0;
        st.expired_keys = 0;
        st.expired_stale_perc = 0.0;
        st.expired_time_cap_reached_count = 0;
        st.expire_cycle_time_used_us = 0;
        st.evicted_keys = 0;
        st.keyspace_hits = 0;
        st.keyspace_misses = 0;
        st.rejected_connections = 0;
        st.commands.clear();
        st.errors.clear();
        st.total_error_replies = 0;
        self.monitor.reset_stats();
        self.eviction.reset_stats();
    }
}

/// There is no configuration file to rewrite, as for a Redis started without one.
pub(super) fn rewrite(_srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::error("ERR The server is running without a config file")
}

pub(super) fn help(_srv: &mut Server, call: &mut Call) -> Reply {
    help_reply(
        call.arg(0),
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    )
}
