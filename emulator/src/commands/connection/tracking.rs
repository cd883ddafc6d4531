//! CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: client-side caching (the tracking
//! state lives in `tracking.rs`).

use super::is_word;
use crate::client::ClientId;
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::tracking::TrackingOptions;
use crate::util::parse_i64;

/// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN] [OPTOUT]
/// [NOLOOP]: options are parsed first (OFF ignores them), as in Redis.
pub(super) fn tracking(srv: &mut Server, call: &mut Call) -> Reply {
    let mut options = TrackingOptions::default();
    let mut j = 3;
    while j < call.argc() {
        let more = j + 1 < call.argc();
        let option = call.arg(j);
        if is_word(option, "redirect") && more {
            j += 1;
            if options.redirect != 0 {
                return Reply::error("ERR A client can only redirect to a single other client");
            }
            let Some(id) = parse_i64(call.arg(j)) else {
                return errors::not_integer();
            };
            // A negative id is read as the unsigned id Redis would look up.
            let id = id as ClientId;
            if !srv.clients.get(&id).is_some_and(|c| !c.internal) {
                return Reply::error("ERR The client ID you want redirect to does not exist");
            }
            options.redirect = id;
        } else if is_word(option, "bcast") {
            options.bcast = true;
        } else if is_word(option, "optin") {
            options.optin = true;
        } else if is_word(option, "optout") {
            options.optout = true;
        } else if is_word(option, "noloop") {
            options.noloop = true;
        } else if is_word(option, "prefix") && more {
            j += 1;
            options.prefixes.push(call.arg(j).to_vec());
        } else {
            return errors::syntax();
        }
        j += 1;
    }
    let mode = call.arg(2);
    if is_word(mode, "on") {
        match srv.enable_tracking(call.client, options) {
            Ok(None) => {}
            // Redis 7.0 reports this overlap and goes on: the error, then +OK.
            Ok(Some(error)) => {
                srv.count_error(&error);
                srv.client_mut(call.client)
                    .outbound
                    .push_back(Reply::Error(error));
            }
            Err(error) => return Reply::Error(error),
        }
    } else if is_word(mode, "off") {
        srv.disable_tracking(call.client);
    } else {
        return errors::syntax();
    }
    Reply::ok()
}

/// CLIENT CACHING YES|NO: whether the next command's keys are tracked, in OPTIN or OPTOUT
/// mode.
pub(super) fn caching(srv: &mut Server, call: &mut Call) -> Reply {
    let t = &mut srv.client_mut(call.client).tracking;
    if !t.on {
        return Reply::error(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode with \
             OPTIN or OPTOUT mode enabled",
        );
    }
    let answer = call.arg(2);
    if is_word(answer, "yes") {
        if !t.optin {
            return Reply::error(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            );
        }
    } else if is_word(answer, "no") {
        if !t.optout {
            return Reply::error(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            );
        }
    } else {
        return errors::syntax();
    }
    t.caching = true;
    Reply::ok()
}

/// The redirection a tracking client reports: its target (0 for none), -1 when not tracking.
fn redirect_of(srv: &mut Server, id: ClientId) -> Reply {
    let t = &srv.client_mut(id).tracking;
    Reply::Integer(if t.on {
        i64::try_from(t.redirect).unwrap_or(i64::MAX)
    } else {
        -1
    })
}

pub(super) fn getredir(srv: &mut Server, call: &mut Call) -> Reply {
    redirect_of(srv, call.client)
}

/// CLIENT TRACKINGINFO: flags (a set), redirect and prefixes.
pub(super) fn trackinginfo(srv: &mut Server, call: &mut Call) -> Reply {
    let t = srv.client_mut(call.client).tracking.clone();
    let mut flags = vec![if t.on { "on" } else { "off" }];
    if t.bcast {
        flags.push("bcast");
    }
    if t.optin {
        flags.push("optin");
        if t.caching {
            flags.push("caching-yes");
        }
    }
    if t.optout {
        flags.push("optout");
        if t.caching {
            flags.push("caching-no");
        }
    }
    if t.noloop {
        flags.push("noloop");
    }
    if t.broken_redirect {
        flags.push("broken_redirect");
    }
    let prefixes = t.prefixes.iter().map(|p| Reply::Bulk(p.clone())).collect();
    Reply::Map(vec![
        (
            Reply::bulk("flags"),
            Reply::Set(flags.into_iter().map(Reply::bulk).collect()),
        ),
        (Reply::bulk("redirect"), redirect_of(srv, call.client)),
        (Reply::bulk("prefixes"), Reply::Array(prefixes)),
    ])
}
