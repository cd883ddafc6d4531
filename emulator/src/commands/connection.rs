//! Connection commands: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH, and CLIENT (in its own
//! modules).

mod client;
mod tracking;

use super::Handler;
use crate::client::{ClientId, ReplyMode};
use crate::errors;
use crate::resp::{Protocol, Reply};
use crate::server::{Call, Server};
use crate::util::parse_i64;

/// The Redis version this engine behaves as, reported by HELLO.
pub(crate) const REDIS_VERSION: &str = "7.0.15";

/// The only user: Redis's default user, whose password is `requirepass`.
pub(crate) const DEFAULT_USER: &str = "default";

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("ping", ping),
    ("echo", echo),
    ("select", select),
    ("quit", quit),
    ("reset", reset),
    ("hello", hello),
    ("auth", auth),
    ("client|id", client::id),
    ("client|info", client::info),
    ("client|list", client::list),
    ("client|kill", client::kill),
    ("client|setname", client::setname),
    ("client|getname", client::getname),
    ("client|reply", client::reply),
    ("client|no-evict", client::no_evict),
    ("client|pause", client::pause),
    ("client|unpause", client::unpause),
    ("client|help", client::help),
    ("client|tracking", tracking::tracking),
    ("client|caching", tracking::caching),
    ("client|getredir", tracking::getredir),
    ("client|trackinginfo", tracking::trackinginfo),
];

/// Whether an argument is `word`, ignoring case, compared as C's `strcasecmp` does (up to
/// the first NUL byte).
fn is_word(arg: &[u8], word: &str) -> bool {
    super::introspection::c_str(arg).eq_ignore_ascii_case(word.as_bytes())
}

/// An argument quoted in an error message: C's `%s` (stops at NUL), no line breaks.
fn quoted(arg: &[u8]) -> String {
    String::from_utf8_lossy(super::introspection::c_str(arg)).replace(['\r', '\n'], " ")
}

fn ping(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() > 2 {
        return Reply::error(errors::wrong_arity("ping"));
    }
    let client = srv.client_mut(call.client);
    // A RESP2 subscriber can only receive arrays, so PING answers in the message shape.
    if client.protocol == Protocol::Resp2 && client.in_pubsub_context() {
        let payload = call.argv.get(1).cloned().unwrap_or_default();
        return Reply::Array(vec![Reply::bulk("pong"), Reply::Bulk(payload)]);
    }
    match call.argc() {
        1 => Reply::simple("PONG"),
        _ => Reply::bulk(call.arg(1)),
    }
}

fn echo(_srv: &mut Server, call: &mut Call) -> Reply {
    Reply::bulk(call.arg(1))
}

fn select(srv: &mut Server, call: &mut Call) -> Reply {
    let Some(index) = parse_i64(call.arg(1)) else {
        return errors::not_integer();
    };
    if i32::try_from(index).is_err() {
        return Reply::error(
            "ERR value is out of range, value must between -2147483648 and 2147483647",
        );
    }
    let Some(index) = usize::try_from(index)
        .ok()
        .filter(|i| *i < srv.config.databases)
    else {
        return Reply::error(errors::DB_INDEX);
    };
    srv.client_mut(call.client).db = index;
    Reply::ok()
}

fn quit(srv: &mut Server, call: &mut Call) -> Reply {
    srv.client_mut(call.client).closing = true;
    Reply::ok()
}

/// RESET: the connection goes back to the state of a new one, except for CLIENT NO-EVICT,
/// which Redis 7.0 keeps.
fn reset(srv: &mut Server, call: &mut Call) -> Reply {
    let id = call.client;
    srv.drop_subscriptions(id);
    srv.unwatch_all(id);
    srv.stop_monitoring(id);
    srv.disable_tracking(id);
    let authenticated = !srv.default_user_has_password();
    let client = srv.client_mut(id);
    client.db = 0;
    client.protocol = Protocol::Resp2;
    client.multi = None;
    client.name = None;
    client.user = DEFAULT_USER.into();
    client.authenticated = authenticated;
    // A pending CLIENT REPLY SKIP still silences this very reply, as in Redis.
    if client.reply_mode != ReplyMode::Skip {
        client.reply_mode = ReplyMode::On;
    }
    Reply::simple("RESET")
}

impl Server {
    /// Whether the default user needs a password (`requirepass` is set).
    pub(crate) fn default_user_has_password(&self) -> bool {
        self.config
            .requirepass
            .as_ref()
            .is_some_and(|p| !p.is_empty())
    }

    /// Checks a user name and password, and on success logs the client in as that user.
    /// Failed attempts leave the client as it was.
    pub(crate) fn authenticate(&mut self, id: ClientId, user: &[u8], password: &[u8]) -> bool {
        let valid = user == DEFAULT_USER.as_bytes()
            && match &self.config.requirepass {
                Some(required) if !required.is_empty() => required.as_slice() == password,
                _ => true,
            };
        if valid {
            if let Some(client) = self.clients.get_mut(&id) {
                client.authenticated = true;
                client.user = DEFAULT_USER.into();
            }
        }
        valid
    }
}

const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

fn auth(srv: &mut Server, call: &mut Call) -> Reply {
    let (user, password) = match call.argc() {
        2 => {
            if !srv.default_user_has_password() {
                return Reply::error(
                    "ERR AUTH <password> called without any password configured for the \
                     default user. Are you sure your configuration is correct?",
                );
            }
            (DEFAULT_USER.as_bytes().to_vec(), call.arg(1).to_vec())
        }
        3 => (call.arg(1).to_vec(), call.arg(2).to_vec()),
        _ => return errors::syntax(),
    };
    if srv.authenticate(call.client, &user, &password) {
        Reply::ok()
    } else {
        Reply::error(WRONGPASS)
    }
}

/// HELLO [protover [AUTH user pass] [SETNAME name]]: options apply in order, then the
/// protocol switches and the reply (encoded in the new protocol) describes the server.
fn hello(srv: &mut Server, call: &mut Call) -> Reply {
    let mut version = None;
    let mut next = 1;
    if call.argc() >= 2 {
        let Some(requested) = parse_i64(call.arg(1)) else {
            return Reply::error("ERR Protocol version is not an integer or out of range");
        };
        version = match requested {
            2 => Some(Protocol::Resp2),
            3 => Some(Protocol::Resp3),
            _ => return Reply::error("NOPROTO unsupported protocol version"),
        };
        next = 2;
    }
    let mut j = next;
    while j < call.argc() {
        let remaining = call.argc() - 1 - j;
        let option = call.arg(j);
        if is_word(option, "auth") && remaining >= 2 {
            let (user, password) = (call.arg(j + 1).to_vec(), call.arg(j + 2).to_vec());
            if !srv.authenticate(call.client, &user, &password) {
                return Reply::error(WRONGPASS);
            }
            j += 2;
        } else if is_word(option, "setname") && remaining >= 1 {
            if let Err(e) = client::set_name(srv, call.client, call.arg(j + 1)) {
                return e;
            }
            j += 1;
        } else {
            return Reply::error(format!(
                "ERR Syntax error in HELLO option '{}'",
                quoted(option)
            ));
        }
        j += 1;
    }
    let client = srv.client_mut(call.client);
    if !client.authenticated {
        return Reply::error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
             HELLO AUTH <user> <pass> option can be used to authenticate the client and select \
             the RESP protocol version at the same time",
        );
    }
    if let Some(protocol) = version {
        client.protocol = protocol;
    }
    let field = |name: &str, value: Reply| (Reply::bulk(name), value);
    Reply::Map(vec![
        field("server", Reply::bulk("redis")),
        field("version", Reply::bulk(REDIS_VERSION)),
        field("proto", Reply::Integer(client.protocol.version())),
        field(
            "id",
            Reply::Integer(i64::try_from(client.id).unwrap_or(i64::MAX)),
        ),
        field("mode", Reply::bulk("standalone")),
        field("role", Reply::bulk("master")),
        field("modules", Reply::Array(Vec::new())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(srv: &mut Server, id: ClientId, line: &str) -> Reply {
        let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        let mut replies = srv.execute(id, argv, 0);
        assert_eq!(replies.len(), 1, "{line}");
        replies.remove(0)
    }

    const HELLO_NOAUTH: &str = "NOAUTH HELLO must be called with the client already \
        authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to \
        authenticate the client and select the RESP protocol version at the same time";

    /// Recorded from Redis 7.0.15 with `requirepass secret`.
    #[test]
    fn requirepass_gates_commands_until_auth() {
        let mut srv = Server::new();
        srv.config.requirepass = Some(b"secret".to_vec());
        let c = srv.connect(0);
        assert_eq!(run(&mut srv, c, "PING"), Reply::error(errors::NOAUTH));
        assert_eq!(run(&mut srv, c, "CLIENT ID"), Reply::error(errors::NOAUTH));
        assert_eq!(run(&mut srv, c, "HELLO 3"), Reply::error(HELLO_NOAUTH));
        assert_eq!(run(&mut srv, c, "HELLO"), Reply::error(HELLO_NOAUTH));
        assert_eq!(
            run(&mut srv, c, "HELLO 3 SETNAME x AUTH default wrong"),
            Reply::error(WRONGPASS)
        );
        assert_eq!(run(&mut srv, c, "AUTH wrong"), Reply::error(WRONGPASS));
        assert_eq!(
            run(&mut srv, c, "AUTH default wrong"),
            Reply::error(WRONGPASS)
        );
        assert_eq!(
            run(&mut srv, c, "AUTH other secret"),
            Reply::error(WRONGPASS)
        );
        assert_eq!(run(&mut srv, c, "AUTH secret"), Reply::ok());
        // SETNAME took effect before the failed AUTH, as in Redis.
        assert_eq!(run(&mut srv, c, "CLIENT GETNAME"), Reply::bulk("x"));
        assert_eq!(run(&mut srv, c, "PING"), Reply::simple("PONG"));
        // A failed attempt does not log an authenticated client out.
        assert_eq!(run(&mut srv, c, "AUTH nope"), Reply::error(WRONGPASS));
        assert_eq!(run(&mut srv, c, "PING"), Reply::simple("PONG"));
        // RESET logs out.
        assert_eq!(run(&mut srv, c, "RESET"), Reply::simple("RESET"));
        assert_eq!(run(&mut srv, c, "PING"), Reply::error(errors::NOAUTH));
        let Reply::Map(fields) = run(&mut srv, c, "HELLO 3 AUTH default secret") else {
            panic!("HELLO answers a map");
        };
        assert_eq!(fields[2], (Reply::bulk("proto"), Reply::Integer(3)));
        assert_eq!(srv.protocol(c), Protocol::Resp3);
        assert_eq!(run(&mut srv, c, "PING"), Reply::simple("PONG"));
    }

    #[test]
    fn auth_without_password_configured() {
        let mut srv = Server::new();
        let c = srv.connect(0);
        assert_eq!(
            run(&mut srv, c, "AUTH pass"),
            Reply::error(
                "ERR AUTH <password> called without any password configured for the default \
                 user. Are you sure your configuration is correct?"
            )
        );
        assert_eq!(run(&mut srv, c, "AUTH default whatever"), Reply::ok());
        assert_eq!(
            run(&mut srv, c, "AUTH someone whatever"),
            Reply::error(WRONGPASS)
        );
        // An empty requirepass means no password, as CONFIG SET requirepass "" does.
        srv.config.requirepass = Some(Vec::new());
        assert_eq!(run(&mut srv, c, "AUTH default x"), Reply::ok());
    }

    #[test]
    fn select_respects_the_databases_setting() {
        let mut srv = Server::new();
        srv.config.databases = 4;
        let c = srv.connect(0);
        assert_eq!(run(&mut srv, c, "SELECT 3"), Reply::ok());
        assert_eq!(run(&mut srv, c, "SELECT 4"), Reply::error(errors::DB_INDEX));
    }
}
