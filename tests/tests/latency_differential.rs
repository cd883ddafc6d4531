//! LATENCY against a real redis-server 7.0. Durations are each server's own, so replies are
//! compared by what does not depend on them: event names, sample counts, RESET counts, the
//! help text and errors exactly; call counts exactly; every histogram bucket label one of
//! Redis's (1024 ns × 2^k, shown as its sub-bucket's highest microsecond) with counts
//! growing to the number of calls; latencies at least the DEBUG SLEEP that caused them.

use emulator::resp::Reply;
use integration_tests::compare::{decode_all, escape};
use integration_tests::real_redis::{require_tool, RealRedis};
use integration_tests::twin::Twin;

fn argv(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

/// Both sides' replies to one command, decoded.
fn both(twin: &mut Twin, line: &str) -> (Reply, Reply) {
    let exchange = twin.command(&argv(line)).expect("both servers answer");
    let decode = |bytes: &[u8]| {
        let mut replies = decode_all(bytes).expect("a valid reply");
        assert_eq!(replies.len(), 1, "{line}: {}", escape(bytes));
        replies.remove(0)
    };
    (decode(&exchange.ours), decode(&exchange.theirs))
}

fn same(twin: &mut Twin, line: &str) -> Reply {
    let (ours, theirs) = both(twin, line);
    assert_eq!(ours, theirs, "{line}");
    ours
}

/// The labels LATENCY HISTOGRAM can show: the highest value, in µs, of the HDR sub-bucket that
/// starts at 1024 ns × 2^k (two significant digits: 128 sub-buckets per doubling).
fn possible_labels() -> Vec<i64> {
    (0..21)
        .map(|k| {
            let level: i64 = 1024 << k;
            let width = level / 128;
            (level + width - 1) / 1000
        })
        .collect()
}

/// `{command: {calls: n, histogram_usec: {label: cumulative}}}` as (calls, labels, counts).
fn histogram_of(reply: &Reply, command: &str) -> (i64, Vec<i64>, Vec<i64>) {
    let Reply::Map(commands) = reply else {
        panic!("not a map: {reply:?}")
    };
    let (_, body) = commands
        .iter()
        .find(|(name, _)| *name == Reply::Bulk(command.as_bytes().to_vec()))
        .unwrap_or_else(|| panic!("no {command} in {reply:?}"));
    let Reply::Map(fields) = body else {
        panic!("{body:?}")
    };
    let calls = match &fields[0] {
        (Reply::Bulk(k), Reply::Integer(n)) if k == b"calls" => *n,
        other => panic!("{other:?}"),
    };
    let Reply::Map(buckets) = &fields[1].1 else {
        panic!("{fields:?}")
    };
    let (labels, counts) = buckets
        .iter()
        .map(|(k, v)| match (k, v) {
            (Reply::Integer(k), Reply::Integer(v)) => (*k, *v),
            other => panic!("{other:?}"),
        })
        .unzip();
    (calls, labels, counts)
}

/// A text reply with every run of digits replaced by `N`.
fn without_numbers(reply: &Reply) -> String {
    let (Reply::Bulk(text) | Reply::Verbatim(_, text)) = reply else {
        panic!("not text: {reply:?}")
    };
    let mut out = String::new();
    for c in String::from_utf8_lossy(text).chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('N') {
                out.push('N');
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn latency_monitor_and_histograms_answer_like_redis() {
    let Some(binary) = require_tool("redis-server", "latency_differential") else {
        return;
    };
    let redis =
        RealRedis::start(&binary, &["--enable-debug-command", "yes"]).expect("redis-server starts");
    let mut twin = Twin::new(redis.port()).expect("connect");
    twin.engine()
        .configure("enable-debug-command", b"yes")
        .expect("the engine knows the setting");
    twin.command(&argv("HELLO 3")).expect("RESP3 for maps");

    same(&mut twin, "LATENCY HELP");
    same(&mut twin, "LATENCY DOCTOR");
    same(&mut twin, "LATENCY GRAPH command");
    same(&mut twin, "LATENCY LATEST");
    same(&mut twin, "LATENCY HISTORY command");
    same(&mut twin, "LATENCY RESET");
    same(&mut twin, "LATENCY BOGUS");
    same(&mut twin, "LATENCY LATEST extra");
    same(&mut twin, "LATENCY HISTOGRAM nosuchcommand");

    // Per-command histograms: the same calls, labels from Redis's set, counts growing to it.
    for _ in 0..25 {
        same(&mut twin, "SET k v");
    }
    same(&mut twin, "CONFIG GET maxmemory");
    let labels = possible_labels();
    for (command, query) in [
        ("set", "LATENCY HISTOGRAM set"),
        ("config|get", "LATENCY HISTOGRAM config"),
    ] {
        let (ours, theirs) = both(&mut twin, query);
        for reply in [&ours, &theirs] {
            let (calls, seen, counts) = histogram_of(reply, command);
            let expected_calls = if command == "set" { 25 } else { 1 };
            assert_eq!(calls, expected_calls, "{query}: {reply:?}");
            assert!(seen.iter().all(|l| labels.contains(l)), "{query}: {seen:?}");
            assert!(
                counts.windows(2).all(|w| w[0] < w[1]),
                "{query}: {counts:?}"
            );
            assert_eq!(counts.last(), Some(&calls), "{query}: {reply:?}");
        }
    }

    // Events: a command slower than the threshold is one `command` sample. The threshold is
    // high enough that no other command reaches it, however busy the machine.
    same(&mut twin, "CONFIG SET latency-monitor-threshold 1000");
    same(&mut twin, "DEBUG SLEEP 1.05");
    let (ours, theirs) = both(&mut twin, "LATENCY LATEST");
    for reply in [&ours, &theirs] {
        let Reply::Array(events) = reply else {
            panic!("{reply:?}")
        };
        assert_eq!(events.len(), 1, "{reply:?}");
        let Reply::Array(fields) = &events[0] else {
            panic!("{reply:?}")
        };
        assert_eq!(fields[0], Reply::Bulk(b"command".to_vec()));
        for latency in [&fields[2], &fields[3]] {
            assert!(
                matches!(latency, Reply::Integer(ms) if (1050..60_000).contains(ms)),
                "{reply:?}"
            );
        }
    }
    // The report and the graph, numbers aside (latencies and ages are each server's own).
    for query in ["LATENCY DOCTOR", "LATENCY GRAPH command"] {
        let (ours, theirs) = both(&mut twin, query);
        assert_eq!(without_numbers(&ours), without_numbers(&theirs), "{query}");
    }
    let (ours, theirs) = both(&mut twin, "LATENCY HISTORY command");
    for reply in [&ours, &theirs] {
        assert!(
            matches!(reply, Reply::Array(samples) if samples.len() == 1),
            "{reply:?}"
        );
    }
    same(&mut twin, "LATENCY HISTORY fast-command");
    same(&mut twin, "LATENCY RESET fast-command nosuch");
    same(&mut twin, "LATENCY RESET COMMAND");
    same(&mut twin, "LATENCY LATEST");
    same(&mut twin, "LATENCY DOCTOR");
    same(&mut twin, "CONFIG SET latency-monitor-threshold 0");
    same(&mut twin, "DEBUG SLEEP 0.05");
    same(&mut twin, "LATENCY LATEST");
}
