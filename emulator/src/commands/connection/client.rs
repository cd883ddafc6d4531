//! CLIENT ID, INFO, LIST, KILL, SETNAME, GETNAME, REPLY, NO-EVICT and HELP.

use std::fmt::Write;

use super::{is_word, quoted, DEFAULT_USER};
use crate::blocking::{parse_timeout, TimeoutUnit};
use crate::client::{Client, ClientClass, ClientId, ReplyMode};
use crate::errors;
use crate::pause::PauseKind;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::parse_i64;

pub(super) fn id(_srv: &mut Server, call: &mut Call) -> Reply {
    Reply::Integer(i64::try_from(call.client).unwrap_or(i64::MAX))
}

pub(super) fn info(srv: &mut Server, call: &mut Call) -> Reply {
    let mut text = String::new();
    if let Some(client) = srv.clients.get(&call.client) {
        write_client_line(&mut text, client, call, srv.blocked_argv_len(client.id));
    }
    Reply::Verbatim("txt", text.into_bytes())
}

/// CLIENT LIST [TYPE type | ID id [id ...]]
pub(super) fn list(srv: &mut Server, call: &mut Call) -> Reply {
    let mut class = None;
    let mut ids = None;
    if call.argc() == 4 && is_word(call.arg(2), "type") {
        match ClientClass::parse(super::super::introspection::c_str(call.arg(3))) {
            Some(c) => class = Some(c),
            None => return unknown_type(call.arg(3)),
        }
    } else if call.argc() > 3 && is_word(call.arg(2), "id") {
        let mut wanted = Vec::with_capacity(call.argc() - 3);
        for arg in &call.argv[3..] {
            match parse_i64(arg) {
                Some(n) => wanted.push(n),
                None => return Reply::error("ERR Invalid client ID"),
            }
        }
        ids = Some(wanted);
    } else if call.argc() != 2 {
        return errors::syntax();
    }
    let mut text = String::new();
    match ids {
        // Listed in the order asked, as Redis does.
        Some(wanted) => {
            for id in wanted {
                let client = u64::try_from(id)
                    .ok()
                    .and_then(|id| srv.clients.get(&id))
                    .filter(|c| !c.internal);
                if let Some(client) = client {
                    write_client_line(&mut text, client, call, srv.blocked_argv_len(client.id));
                }
            }
        }
        None => {
            for client in srv.clients.values().filter(|c| !c.internal) {
                if class.is_none_or(|wanted| client.class() == wanted) {
                    write_client_line(&mut text, client, call, srv.blocked_argv_len(client.id));
                }
            }
        }
    }
    Reply::Verbatim("txt", text.into_bytes())
}

fn unknown_type(name: &[u8]) -> Reply {
    Reply::error(format!("ERR Unknown client type '{}'", quoted(name)))
}

/// The size of a command line in the RESP request form, standing in for the query buffer.
fn request_size(argv: &[Vec<u8>]) -> usize {
    let header = |n: usize| n.to_string().len() + 3;
    header(argv.len())
        + argv
            .iter()
            .map(|a| header(a.len()) + a.len() + 2)
            .sum::<usize>()
}

/// One CLIENT LIST line, with Redis 7.0's fields in its order. Buffer and memory figures
/// are modelled on what an idle Redis connection reports; the client running the command
/// shows its own request as its query buffer. `blocked` is the size of the arguments of the
/// command a blocked client waits in.
fn write_client_line(out: &mut String, client: &Client, call: &Call, blocked: Option<usize>) {
    let mut flags = String::new();
    if client.in_pubsub_context() {
        flags.push('P');
    }
    if client.multi.is_some() {
        flags.push('x');
    }
    if blocked.is_some() {
        flags.push('b');
    }
    if client.tracking.on {
        flags.push('t');
    }
    if client.tracking.broken_redirect {
        flags.push('R');
    }
    if client.tracking.bcast {
        flags.push('B');
    }
    if client.dirty_cas {
        flags.push('d');
    }
    if client.closing {
        flags.push('c');
    }
    if client.no_evict {
        flags.push('e');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let current = client.id == call.client;
    let (qbuf, argv_mem) = if current {
        (
            request_size(&call.argv),
            call.argv.iter().map(Vec::len).sum::<usize>(),
        )
    } else {
        (0, blocked.unwrap_or(0))
    };
    let (multi, multi_mem) = match &client.multi {
        Some(m) => (
            m.queued.len() as i64,
            m.queued.iter().flatten().map(Vec::len).sum::<usize>(),
        ),
        None => (-1, 0),
    };
    let omem: usize = client
        .outbound
        .iter()
        .map(|r| r.encode(client.protocol).len())
        .sum();
    let seconds = |ms: u64| ms / 1000;
    let now = seconds(call.now);
    let name = client
        .name
        .as_deref()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "id={id} addr={addr} laddr={laddr} fd={fd} name={name} age={age} idle={idle} \
         flags={flags} db={db} sub={sub} psub={psub} ssub={ssub} multi={multi} qbuf={qbuf} \
         qbuf-free={qbuf_free} argv-mem={argv_mem} multi-mem={multi_mem} rbs=1024 rbp=0 \
         obl=0 oll={oll} omem={omem} tot-mem={tot_mem} events=r cmd={cmd} user={user} \
         redir={redir} resp={resp}",
        id = client.id,
        addr = client.addr,
        laddr = client.laddr,
        fd = client.id.saturating_add(7),
        age = now.saturating_sub(seconds(client.created_ms)),
        idle = now.saturating_sub(seconds(client.last_interaction_ms)),
        db = client.db,
        sub = client.channels.len(),
        psub = client.patterns.len(),
        ssub = client.shard_channels.len(),
        qbuf_free = 20474usize.saturating_sub(qbuf),
        oll = client.outbound.len(),
        tot_mem = 22272 + qbuf + argv_mem + multi_mem + omem,
        cmd = client.last_command,
        user = client.user,
        redir = if client.tracking.on {
            i64::try_from(client.tracking.redirect).unwrap_or(i64::MAX)
        } else {
            -1
        },
        resp = client.protocol.version(),
    );
}

/// CLIENT KILL addr, or CLIENT KILL with filters (ID, TYPE, ADDR, LADDR, USER, SKIPME).
/// Other matching clients are disconnected at once, as Redis frees them; the calling client
/// is closed after its reply.
pub(super) fn kill(srv: &mut Server, call: &mut Call) -> Reply {
    let old_form = call.argc() == 3;
    let mut filter = KillFilter {
        skip_me: !old_form,
        ..KillFilter::default()
    };
    if old_form {
        filter.addr = Some(call.arg(2));
    } else {
        let mut i = 2;
        while i < call.argc() {
            let option = call.arg(i);
            let Some(value) = call.argv.get(i + 1).map(Vec::as_slice) else {
                return errors::syntax();
            };
            if is_word(option, "id") {
                match parse_i64(value).filter(|id| *id >= 1) {
                    Some(id) => filter.id = Some(id as u64),
                    None => return Reply::error("ERR client-id should be greater than 0"),
                }
            } else if is_word(option, "type") {
                match ClientClass::parse(super::super::introspection::c_str(value)) {
                    Some(class) => filter.class = Some(class),
                    None => return unknown_type(value),
                }
            } else if is_word(option, "addr") {
                filter.addr = Some(value);
            } else if is_word(option, "laddr") {
                filter.laddr = Some(value);
            } else if is_word(option, "user") {
                if value != DEFAULT_USER.as_bytes() {
                    return Reply::error(format!("ERR No such user '{}'", quoted(value)));
                }
                filter.user = Some(value);
            } else if is_word(option, "skipme") {
                if is_word(value, "yes") {
                    filter.skip_me = true;
                } else if is_word(value, "no") {
                    filter.skip_me = false;
                } else {
                    return errors::syntax();
                }
            } else {
                return errors::syntax();
            }
            i += 2;
        }
    }
    let victims: Vec<ClientId> = srv
        .clients
        .values()
        .filter(|c| !c.internal && filter.matches(c, call.client))
        .map(|c| c.id)
        .collect();
    for &victim in &victims {
        if victim == call.client {
            srv.client_mut(victim).closing = true;
        } else {
            srv.disconnect(victim);
        }
    }
    if old_form {
        if victims.is_empty() {
            Reply::error("ERR No such client")
        } else {
            Reply::ok()
        }
    } else {
        Reply::Integer(victims.len() as i64)
    }
}

#[derive(Default)]
struct KillFilter<'a> {
    id: Option<u64>,
    class: Option<ClientClass>,
    addr: Option<&'a [u8]>,
    laddr: Option<&'a [u8]>,
    user: Option<&'a [u8]>,
    skip_me: bool,
}

impl KillFilter<'_> {
    fn matches(&self, client: &Client, me: ClientId) -> bool {
        // Addresses compare as C strings.
        let same = |wanted: Option<&[u8]>, actual: &str| {
            wanted.is_none_or(|w| super::super::introspection::c_str(w) == actual.as_bytes())
        };
        same(self.addr, &client.addr)
            && same(self.laddr, &client.laddr)
            && self.class.is_none_or(|c| client.class() == c)
            && self.id.is_none_or(|id| client.id == id)
            && self.user.is_none_or(|u| client.user.as_bytes() == u)
            && !(self.skip_me && client.id == me)
    }
}

/// Sets (or, with an empty name, clears) a client's name; names are printable ASCII without
/// spaces so that CLIENT LIST stays parseable.
pub(super) fn set_name(srv: &mut Server, id: ClientId, name: &[u8]) -> Result<(), Reply> {
    if name.iter().any(|b| !(b'!'..=b'~').contains(b)) {
        return Err(Reply::error(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    srv.client_mut(id).name = (!name.is_empty()).then(|| name.to_vec());
    Ok(())
}

pub(super) fn setname(srv: &mut Server, call: &mut Call) -> Reply {
    match set_name(srv, call.client, call.arg(2)) {
        Ok(()) => Reply::ok(),
        Err(e) => e,
    }
}

pub(super) fn getname(srv: &mut Server, call: &mut Call) -> Reply {
    match &srv.client_mut(call.client).name {
        Some(name) => Reply::bulk(name),
        None => Reply::Null,
    }
}

/// CLIENT REPLY ON|OFF|SKIP. OFF and SKIP send no reply: what this returns for them is
/// silenced by the mode just set (see `Server::finish_reply`).
pub(super) fn reply(srv: &mut Server, call: &mut Call) -> Reply {
    let client = srv.client_mut(call.client);
    let mode = call.arg(2);
    if is_word(mode, "on") {
        client.reply_mode = ReplyMode::On;
        Reply::ok()
    } else if is_word(mode, "off") {
        client.reply_mode = ReplyMode::Off;
        Reply::ok()
    } else if is_word(mode, "skip") {
        if client.reply_mode != ReplyMode::Off {
            client.reply_mode = ReplyMode::SkipNext;
        }
        Reply::ok()
    } else {
        errors::syntax()
    }
}

pub(super) fn no_evict(srv: &mut Server, call: &mut Call) -> Reply {
    let client = srv.client_mut(call.client);
    let mode = call.arg(2);
    if is_word(mode, "on") {
        client.no_evict = true;
    } else if is_word(mode, "off") {
        client.no_evict = false;
    } else {
        return errors::syntax();
    }
    Reply::ok()
}

/// CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout, as in Redis;
/// a timeout of 0 ends the pause at the next check.
pub(super) fn pause(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() > 4 {
        return Reply::Error(super::super::introspection::subcommand_syntax_error(call));
    }
    let kind = match call.argv.get(3) {
        None => PauseKind::All,
        Some(mode) if is_word(mode, "write") => PauseKind::Write,
        Some(mode) if is_word(mode, "all") => PauseKind::All,
        Some(_) => return Reply::error("ERR CLIENT PAUSE mode must be WRITE or ALL"),
    };
    let millis = match parse_timeout(call.arg(2), TimeoutUnit::Milliseconds) {
        Ok(millis) => millis,
        Err(reply) => return reply,
    };
    let end = if millis == 0 {
        0
    } else {
        call.now.saturating_add(millis)
    };
    srv.pause_clients(kind, end);
    Reply::ok()
}

pub(super) fn unpause(srv: &mut Server, _call: &mut Call) -> Reply {
    srv.unpause_clients();
    Reply::ok()
}

pub(super) fn help(_srv: &mut Server, call: &mut Call) -> Reply {
    super::super::introspection::help_reply(
        call,
        &[
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ],
    )
}
