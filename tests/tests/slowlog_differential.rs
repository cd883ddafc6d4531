//! SLOWLOG against a real redis-server 7.0, entry by entry: ids, arguments (at most 32, the
//! last one then counting the rest; at most 128 bytes each; sensitive ones redacted), client
//! name, which commands are left out, the `slowlog-max-len` boundary, LEN and RESET. Only the
//! timestamp, the duration and the client's port are set aside.

use emulator::resp::Reply;
use integration_tests::compare::{decode_all, escape};
use integration_tests::real_redis::RealRedis;
use integration_tests::twin::Twin;

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

/// The steps: every command is logged (`slowlog-log-slower-than 0`), so the log holds what
/// Redis records of each.
fn steps() -> Vec<Vec<Vec<u8>>> {
    let many: Vec<String> = (0..40).map(|i| format!("item{i}")).collect();
    let mut rpush = vec!["RPUSH".to_string(), "list".to_string()];
    rpush.extend(many);
    let long = "x".repeat(200);
    let mut steps = vec![
        argv(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]),
        argv(&["SET", "k", "v"]),
        argv(&["CLIENT", "SETNAME", "reporter"]),
        argv(&["GET", "k"]),
        rpush.iter().map(|s| s.as_bytes().to_vec()).collect(),
        argv(&["SET", "big", &long]),
        argv(&["CONFIG", "SET", "masterauth", "secret"]),
        argv(&["AUTH", "nopass-user", "pw"]),
        argv(&["MULTI"]),
        argv(&["INCR", "n"]),
        argv(&["EXEC"]),
        argv(&["EVAL", "return redis.call('get', KEYS[1])", "1", "k"]),
        argv(&["NOSUCH", "command"]),
        argv(&["GET"]),
        argv(&["SLOWLOG", "LEN"]),
        argv(&["SLOWLOG", "GET", "-1"]),
        argv(&["SLOWLOG", "GET", "2"]),
        argv(&["CONFIG", "SET", "slowlog-max-len", "3"]),
        argv(&["PING"]),
        argv(&["SLOWLOG", "LEN"]),
        argv(&["SLOWLOG", "GET"]),
        argv(&["SLOWLOG", "RESET"]),
        argv(&["SLOWLOG", "GET"]),
        argv(&["SLOWLOG", "LEN"]),
        argv(&["CONFIG", "SET", "slowlog-max-len", "0"]),
        argv(&["SET", "k", "w"]),
        argv(&["SLOWLOG", "GET"]),
    ];
    steps.push(argv(&["CLIENT", "SETNAME", ""]));
    steps
}

/// An entry is `[id, unix time, microseconds, [args], "ip:port", name]`: the time, the
/// duration and the port are each server's own.
fn normalise(reply: Reply) -> Reply {
    match reply {
        Reply::Array(items) if is_entry(&items) => {
            let mut items = items;
            items[1] = Reply::Integer(0);
            items[2] = Reply::Integer(0);
            if let Reply::Bulk(addr) = &items[4] {
                let addr = String::from_utf8_lossy(addr);
                let host = addr.rsplit_once(':').map_or(addr.as_ref(), |(h, _)| h);
                items[4] = Reply::Bulk(format!("{host}:PORT").into_bytes());
            }
            Reply::Array(items)
        }
        Reply::Array(items) => Reply::Array(items.into_iter().map(normalise).collect()),
        other => other,
    }
}

/// A reply as text, strings quoted, for a readable difference.
fn show(reply: &Reply) -> String {
    match reply {
        Reply::Array(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Reply::Bulk(b) => escape(b),
        other => format!("{other:?}"),
    }
}

fn is_entry(items: &[Reply]) -> bool {
    items.len() == 6
        && matches!(items[0], Reply::Integer(_))
        && matches!(items[3], Reply::Array(_))
        && matches!(items[4], Reply::Bulk(_))
}

#[test]
fn slowlog_entries_are_redis_entries() {
    let Some(redis) = RealRedis::start_for_test("slowlog_differential") else {
        return;
    };
    let mut twin = Twin::new(redis.port()).expect("connect");
    let mut differences = Vec::new();
    for step in steps() {
        let exchange = twin.command(&step).expect("both servers answer");
        let decode = |bytes: &[u8]| -> Vec<Reply> {
            decode_all(bytes)
                .expect("a valid reply")
                .into_iter()
                .map(normalise)
                .collect()
        };
        let (ours, theirs) = (decode(&exchange.ours), decode(&exchange.theirs));
        if ours != theirs {
            differences.push(format!(
                "{}\n  ours:   {}\n  theirs: {}",
                String::from_utf8_lossy(&step.join(&b' ')),
                ours.iter().map(show).collect::<Vec<_>>().join(" "),
                theirs.iter().map(show).collect::<Vec<_>>().join(" "),
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
