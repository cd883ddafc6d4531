//! Putting the reference Redis back in its initial state between runs: keys, scripts,
//! functions, statistics, logs, configuration, users and other clients.
//!
//! Each reset uses a connection of its own that is closed (QUIT, then the server's end of the
//! connection seen closing) before the next run starts, so no extra client is ever visible to
//! a script: CLIENT LIST, CLIENT KILL and INFO clients see only the script's own connection.

use std::io;
use std::time::Duration;

use emulator::resp::Reply;

use crate::connection::{RespConnection, CALL_TIMEOUT};

pub struct Admin {
    port: u16,
    initial_config: Vec<(Vec<u8>, Vec<u8>)>,
    initial_acl: Reply,
}

impl Admin {
    /// Records the server's initial configuration and users.
    pub fn new(port: u16) -> io::Result<Admin> {
        let mut conn = RespConnection::connect(port)?;
        let initial_config = config_pairs(&mut conn)?;
        let initial_acl = conn.call(&["ACL", "LIST"])?;
        quit(conn)?;
        Ok(Admin {
            port,
            initial_config,
            initial_acl,
        })
    }

    /// Connects and authenticates. A script may have set a password for the default user:
    /// `passwords` are the candidates to try then.
    fn open(&self, passwords: &[Vec<u8>]) -> io::Result<RespConnection> {
        let mut conn = RespConnection::connect(self.port)?;
        if let Reply::Error(e) = conn.call(&["PING"])? {
            if !e.starts_with("NOAUTH") {
                return Err(io::Error::other(format!("PING: {e}")));
            }
            let mut authenticated = false;
            for password in passwords {
                if conn.call(&[&b"AUTH"[..], password])? == Reply::ok() {
                    authenticated = true;
                    break;
                }
            }
            if !authenticated {
                return Err(io::Error::other(
                    "cannot reset redis-server: a script set a password the harness does not know",
                ));
            }
        }
        Ok(conn)
    }

    /// Deletes every key and drops other clients (enough between runs that touch nothing
    /// else).
    pub fn flush(&mut self) -> io::Result<()> {
        let mut conn = self.open(&[])?;
        for command in [
            &["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"][..],
            &["CLIENT", "KILL", "TYPE", "pubsub", "SKIPME", "yes"],
            &["FLUSHALL"],
        ] {
            call_ok(&mut conn, command)?;
        }
        quit(conn)
    }

    /// Restores everything a script can change.
    pub fn reset(&mut self, passwords: &[Vec<u8>]) -> io::Result<()> {
        let mut conn = self.open(passwords)?;
        for command in [
            &["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"][..],
            &["CLIENT", "KILL", "TYPE", "pubsub", "SKIPME", "yes"],
            &["CLIENT", "UNPAUSE"],
            &["FLUSHALL"],
            &["SCRIPT", "FLUSH"],
            &["FUNCTION", "FLUSH"],
            &["SLOWLOG", "RESET"],
            &["LATENCY", "RESET"],
        ] {
            call_ok(&mut conn, command)?;
        }
        let current = config_pairs(&mut conn)?;
        for (name, value) in &current {
            let initial = self.initial_config.iter().find(|(n, _)| n == name);
            if let Some((_, initial_value)) = initial {
                if initial_value != value {
                    // Immutable parameters refuse; nothing can have changed them anyway.
                    conn.call(&[&b"CONFIG"[..], b"SET", name, initial_value])?;
                }
            }
        }
        if conn.call(&["ACL", "LIST"])? != self.initial_acl {
            if let Reply::Array(users) = conn.call(&["ACL", "USERS"])? {
                for user in users {
                    if let Reply::Bulk(name) = user {
                        if name != b"default" {
                            conn.call(&[&b"ACL"[..], b"DELUSER", &name])?;
                        }
                    }
                }
            }
            call_ok(
                &mut conn,
                &[
                    "ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all",
                ],
            )?;
        }
        // Logs and statistics last, so the reset itself leaves no trace in them.
        call_ok(&mut conn, &["ACL", "LOG", "RESET"])?;
        call_ok(&mut conn, &["CONFIG", "RESETSTAT"])?;
        quit(conn)
    }
}

/// Runs an administrative command that must not fail.
fn call_ok(conn: &mut RespConnection, command: &[&str]) -> io::Result<()> {
    match conn.call(command)? {
        Reply::Error(e) => Err(io::Error::other(format!("{}: {e}", command.join(" ")))),
        _ => Ok(()),
    }
}

/// Closes the connection and waits until the server has dropped it.
fn quit(mut conn: RespConnection) -> io::Result<()> {
    conn.send(&["QUIT"])?;
    conn.wait_closed(CALL_TIMEOUT.max(Duration::from_secs(1)))
}

fn config_pairs(conn: &mut RespConnection) -> io::Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let Reply::Array(items) = conn.call(&["CONFIG", "GET", "*"])? else {
        return Err(io::Error::other("CONFIG GET * did not return an array"));
    };
    let mut pairs = Vec::with_capacity(items.len() / 2);
    for pair in items.chunks(2) {
        if let [Reply::Bulk(name), Reply::Bulk(value)] = pair {
            pairs.push((name.clone(), value.clone()));
        }
    }
    Ok(pairs)
}
