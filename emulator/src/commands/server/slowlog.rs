//! The slow log: commands that took at least `slowlog-log-slower-than` microseconds, newest
//! first, at most `slowlog-max-len` of them.

use std::collections::VecDeque;

use super::{help_reply, subcommand_error};
use crate::resp::Reply;
use crate::server::{Call, Server};

/// Arguments kept per entry; the last slot then says how many were left out.
const MAX_ARGC: usize = 32;
/// Bytes kept per argument.
const MAX_STRING: usize = 128;

#[derive(Debug, Clone)]
struct Entry {
    id: u64,
    /// Unix time in seconds.
    time: u64,
    duration_us: u64,
    argv: Vec<Vec<u8>>,
    peer: String,
    client_name: Vec<u8>,
}

#[derive(Debug, Default)]
pub(crate) struct SlowLog {
    /// Newest first.
    entries: VecDeque<Entry>,
    next_id: u64,
}

/// The arguments as the slow log keeps them: redacted, trimmed, at most 32.
fn logged_args(argv: &[Vec<u8>], redacted: &[usize]) -> Vec<Vec<u8>> {
    let argc = argv.len();
    let kept = argc.min(MAX_ARGC);
    let mut out = Vec::with_capacity(kept);
    for (i, arg) in argv.iter().take(kept).enumerate() {
        if kept != argc && i == kept - 1 {
            out.push(format!("... ({} more arguments)", argc - kept + 1).into_bytes());
        } else if redacted.contains(&i) {
            out.push(b"(redacted)".to_vec());
        } else if arg.len() > MAX_STRING {
            let mut s = arg[..MAX_STRING].to_vec();
            s.extend_from_slice(format!("... ({} more bytes)", arg.len() - MAX_STRING).as_bytes());
            out.push(s);
        } else {
            out.push(arg.clone());
        }
    }
    out
}

impl Server {
    /// Records the command if it was slow enough, and trims the log to its maximum length.
    /// `asked`: the argument positions the command asked to hide; AUTH's and HELLO's
    /// passwords are hidden as in MONITOR (worked out only for an entry that is kept).
    pub(crate) fn slowlog_push(&mut self, call: &Call, duration_us: u64, asked: &[usize]) {
        let threshold = self.config.slowlog_log_slower_than;
        if threshold < 0 {
            return;
        }
        if duration_us >= threshold as u64 {
            let redacted = super::monitor_feed::redacted_arguments(call.spec, &call.argv, asked);
            let redacted = redacted.as_slice();
            let (peer, client_name) = match self.client(call.client) {
                Some(c) => (c.addr.clone(), c.name.clone().unwrap_or_default()),
                None => (String::new(), Vec::new()),
            };
            let log = &mut self.monitor.slowlog;
            let entry = Entry {
                id: log.next_id,
                time: call.now / 1000,
                duration_us,
                argv: logged_args(&call.argv, redacted),
                peer,
                client_name,
            };
            log.next_id += 1;
            log.entries.push_front(entry);
        }
        let max = usize::try_from(self.config.slowlog_max_len).unwrap_or(usize::MAX);
        self.monitor.slowlog.entries.truncate(max);
    }
}

pub(super) fn get(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() > 3 {
        return subcommand_error(call);
    }
    let entries = &srv.monitor.slowlog.entries;
    let mut count = 10usize;
    if call.argc() == 3 {
        match crate::util::parse_i64(call.arg(2)) {
            Some(-1) => count = entries.len(),
            Some(n) if n >= 0 => count = usize::try_from(n).unwrap_or(usize::MAX),
            _ => return Reply::error("ERR count should be greater than or equal to -1"),
        }
    }
    Reply::Array(
        entries
            .iter()
            .take(count)
            .map(|e| {
                Reply::Array(vec![
                    Reply::Integer(e.id as i64),
                    Reply::Integer(e.time as i64),
                    Reply::Integer(e.duration_us as i64),
                    Reply::Array(e.argv.iter().map(Reply::bulk).collect()),
                    Reply::bulk(&e.peer),
                    Reply::bulk(&e.client_name),
                ])
            })
            .collect(),
    )
}

pub(super) fn len(srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::Integer(srv.monitor.slowlog.entries.len() as i64)
}

pub(super) fn reset(srv: &mut Server, _call: &mut Call) -> Reply {
    srv.monitor.slowlog.entries.clear();
    Reply::ok()
}

pub(super) fn help(_srv: &mut Server, call: &mut Call) -> Reply {
    help_reply(
        call.arg(0),
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::logged_args;

    #[test]
    fn long_commands_are_trimmed() {
        let argv: Vec<Vec<u8>> = (0..40).map(|i| i.to_string().into_bytes()).collect();
        let logged = logged_args(&argv, &[]);
        assert_eq!(logged.len(), 32);
        assert_eq!(logged[31], b"... (9 more arguments)".to_vec());
        let argv = vec![b"SET".to_vec(), b"k".to_vec(), vec![b'x'; 130]];
        let logged = logged_args(&argv, &[1]);
        assert_eq!(logged[1], b"(redacted)".to_vec());
        assert!(logged[2].ends_with(b"x... (2 more bytes)"));
    }
}
