//! Busy scripts against a real redis-server 7.0, with two clients on each side: a script that
//! runs past `busy-reply-threshold` keeps running while the other client gets Redis's BUSY
//! errors (or runs SCRIPT KILL, FUNCTION KILL, FUNCTION STATS, MULTI, SHUTDOWN...), and its
//! caller gets its reply when it ends or is killed, then the commands it sent meanwhile.
//!
//! Nothing here depends on timing: every script either never ends (until killed) or runs far
//! longer than the threshold on both sides, so the other client's commands always meet a busy
//! server. The engine's busy script is run slice by slice (`run_busy_script`) until it ends,
//! and Redis's late replies are read with a generous timeout.

use std::time::Duration;

use emulator::resp::Reply;
use emulator::{ClientId, Server};
use integration_tests::connection::RespConnection;
use integration_tests::real_redis::{require_tool, RealRedis};
use integration_tests::twin::wall_ms;

/// Long enough for Redis to answer anything, a script of a few seconds included.
const ANSWER: Duration = Duration::from_secs(30);

const A: usize = 0;
const B: usize = 1;

struct Pair {
    redis: [RespConnection; 2],
    engine: Server,
    clients: [ClientId; 2],
}

impl Pair {
    fn start(redis: &RealRedis) -> Pair {
        let connect = || redis.connect().expect("connect");
        let mut engine = Server::new();
        let clients = [engine.connect(wall_ms()), engine.connect(wall_ms())];
        Pair {
            redis: [connect(), connect()],
            engine,
            clients,
        }
    }

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    /// Sends commands from `who` in one write on both sides; returns what each side answered
    /// at once (the engine's replies, and as many of Redis's).
    fn send(&mut self, who: usize, commands: &[&[&str]]) -> (String, String) {
        let mut request = Vec::new();
        for words in commands {
            request.extend(integration_tests::connection::encode_command(&Self::argv(
                words,
            )));
        }
        self.redis[who].send_raw(&request).expect("send");
        let mut ours = Vec::new();
        let mut count = 0;
        for words in commands {
            let replies = self
                .engine
                .execute(self.clients[who], Self::argv(words), wall_ms());
            count += replies.len();
            for reply in replies {
                reply.encode_into(self.engine.protocol(self.clients[who]), &mut ours);
            }
        }
        let theirs = self.read(who, count);
        (text(&ours), theirs)
    }

    fn read(&mut self, who: usize, count: usize) -> String {
        let mut theirs = Vec::new();
        for _ in 0..count {
            let received = self.redis[who]
                .read_reply(ANSWER)
                .expect("read")
                .expect("Redis answers as many replies as the engine");
            theirs.extend(received.raw);
        }
        text(&theirs)
    }

    /// Lets the busy script run to its end on the engine, then compares what `who` received
    /// meanwhile on both sides.
    fn finish(&mut self, who: usize) -> (String, String) {
        for _ in 0..100_000 {
            if !self.engine.script_busy() {
                break;
            }
            self.engine.run_busy_script(wall_ms());
        }
        assert!(!self.engine.script_busy(), "the engine's script ends");
        let replies = self.engine.take_outbound(self.clients[who]);
        let mut ours = Vec::new();
        for reply in &replies {
            reply.encode_into(self.engine.protocol(self.clients[who]), &mut ours);
        }
        let theirs = self.read(who, replies.len());
        (text(&ours), theirs)
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn same(pair: &mut Pair, who: usize, words: &[&str]) -> String {
    let (ours, theirs) = pair.send(who, &[words]);
    assert_eq!(ours, theirs, "client {who}: {words:?}");
    ours
}

/// A redis-server and an engine, two clients on each, with `busy-reply-threshold` at 100 ms.
fn busy_pair() -> Option<(RealRedis, Pair)> {
    let binary = require_tool("redis-server", "busy_script_differential")?;
    let redis = RealRedis::start(&binary, &[]).expect("redis-server starts");
    let mut pair = Pair::start(&redis);
    same(
        &mut pair,
        A,
        &["CONFIG", "SET", "busy-reply-threshold", "100"],
    );
    Some((redis, pair))
}

const FOREVER: &str = "while true do end";

#[test]
fn a_busy_eval_answers_busy_and_can_be_killed() {
    let Some((_redis, mut pair)) = busy_pair() else {
        return;
    };
    same(&mut pair, A, &["SCRIPT", "KILL"]);
    same(&mut pair, A, &["FUNCTION", "KILL"]);
    // The caller gets nothing until the script ends; its next command waits behind it.
    let (ours, theirs) = pair.send(A, &[&["EVAL", FOREVER, "0"], &["PING"]]);
    assert_eq!((ours.as_str(), theirs.as_str()), ("", ""));
    for words in [
        &["PING"][..],
        &["GET", "k"],
        &["SET", "k", "v"],
        &["EVAL", "return 1", "0"],
        &["SHUTDOWN"],
        &["FUNCTION", "STATS"],
        &["FUNCTION", "KILL"],
        &["WATCH", "k"],
        &["MULTI"],
        &["INCR", "k"],
        &["EXEC"],
        &["UNWATCH"],
    ] {
        let reply = same(&mut pair, B, words);
        assert!(
            !reply.is_empty(),
            "{words:?} is answered during the busy script"
        );
    }
    same(&mut pair, B, &["SCRIPT", "KILL"]);
    let (ours, theirs) = pair.finish(A);
    assert_eq!(ours, theirs, "the caller's replies after SCRIPT KILL");
    assert!(
        ours.contains("Script killed by user with SCRIPT KILL"),
        "{ours}"
    );
    assert!(ours.ends_with("+PONG\r\n"), "{ours}");
    same(&mut pair, B, &["SCRIPT", "KILL"]);
    same(&mut pair, B, &["GET", "k"]);
}

#[test]
fn a_busy_script_that_wrote_cannot_be_killed_and_one_that_ends_answers() {
    let Some((_redis, mut pair)) = busy_pair() else {
        return;
    };
    // Far longer than the threshold on both sides, and then it ends by itself.
    let counting = "local i = 0 while i < 30000000 do i = i + 1 end \
                    redis.call('set', KEYS[1], i) return i";
    let (ours, theirs) = pair.send(A, &[&["EVAL", counting, "1", "counted"]]);
    assert_eq!((ours.as_str(), theirs.as_str()), ("", ""));
    same(&mut pair, B, &["GET", "counted"]);
    let (ours, theirs) = pair.finish(A);
    assert_eq!(ours, theirs);
    assert_eq!(ours, ":30000000\r\n");
    same(&mut pair, B, &["GET", "counted"]);

    // A script that wrote is not killed.
    let writer = "redis.call('incr', KEYS[1]) while true do end";
    let (ours, theirs) = pair.send(A, &[&["EVAL", writer, "1", "w"]]);
    assert_eq!((ours.as_str(), theirs.as_str()), ("", ""));
    same(&mut pair, B, &["SCRIPT", "KILL"]);
    same(&mut pair, B, &["FUNCTION", "KILL"]);
    same(&mut pair, B, &["SHUTDOWN", "ABORT"]);
    // SHUTDOWN NOSAVE stops both servers; the caller never gets a reply.
    pair.redis[B]
        .send(&Pair::argv(&["SHUTDOWN", "NOSAVE"]))
        .expect("send");
    let replies = pair.engine.execute(
        pair.clients[B],
        Pair::argv(&["SHUTDOWN", "NOSAVE"]),
        wall_ms(),
    );
    assert!(replies.is_empty(), "{replies:?}");
    assert!(pair.engine.is_stopped());
    assert!(!pair.engine.script_busy());
    for conn in &mut pair.redis {
        conn.wait_closed(ANSWER)
            .expect("Redis closes every connection");
    }
}

#[test]
fn a_busy_function_is_killed_by_function_kill_only() {
    let Some((_redis, mut pair)) = busy_pair() else {
        return;
    };
    let library = "#!lua name=spin\n\
                   redis.register_function('spin', function() while true do end end)";
    same(&mut pair, A, &["FUNCTION", "LOAD", library]);
    let (ours, theirs) = pair.send(A, &[&["FCALL", "spin", "0"], &["PING", "after"]]);
    assert_eq!((ours.as_str(), theirs.as_str()), ("", ""));
    same(&mut pair, B, &["PING"]);
    same(&mut pair, B, &["SCRIPT", "KILL"]);
    same(&mut pair, B, &["SHUTDOWN"]);
    // FUNCTION STATS names the running function (its duration differs between the sides).
    let (ours, theirs) = pair.send(B, &[&["FUNCTION", "STATS"]]);
    for stats in [&ours, &theirs] {
        assert!(
            stats.contains("$4\r\nname\r\n$4\r\nspin\r\n$7\r\ncommand\r\n*3\r\n$5\r\nFCALL\r\n"),
            "{stats}"
        );
    }
    same(&mut pair, B, &["FUNCTION", "KILL"]);
    let (ours, theirs) = pair.finish(A);
    assert_eq!(ours, theirs, "the caller's replies after FUNCTION KILL");
    assert!(ours.ends_with("$5\r\nafter\r\n"), "{ours}");
    same(&mut pair, B, &["FUNCTION", "STATS"]);
}

#[test]
fn scripts_that_do_not_pass_the_threshold_are_not_busy() {
    let Some((_redis, mut pair)) = busy_pair() else {
        return;
    };
    // Top-level coroutine.yield is Lua 5.1's error in Redis.
    same(&mut pair, A, &["EVAL", "coroutine.yield(1)", "0"]);
    same(&mut pair, A, &["EVAL", "return coroutine.running()", "0"]);
    same(
        &mut pair,
        A,
        &[
            "EVAL",
            "local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end) \
             local _, x = coroutine.resume(co, 1) local _, y = coroutine.resume(co, 10) \
             return {x, y, coroutine.status(co)}",
            "0",
        ],
    );
    same(
        &mut pair,
        A,
        &[
            "EVAL",
            "local i = 0 while i < 1000 do i = i + 1 end return i",
            "0",
        ],
    );
    // Library code that runs too long is not a busy script: FUNCTION LOAD times out.
    same(
        &mut pair,
        A,
        &["FUNCTION", "LOAD", "#!lua name=slow\nwhile true do end"],
    );
    same(&mut pair, B, &["PING"]);
    assert!(!pair.engine.script_busy());
}

#[test]
fn a_busy_script_inside_a_transaction_holds_the_rest_of_it() {
    let Some((_redis, mut pair)) = busy_pair() else {
        return;
    };
    same(&mut pair, A, &["MULTI"]);
    same(&mut pair, A, &["SET", "before", "1"]);
    same(&mut pair, A, &["EVAL", FOREVER, "0"]);
    same(&mut pair, A, &["SET", "after", "1"]);
    same(
        &mut pair,
        A,
        &["EVAL", "return redis.call('get', 'before')", "0"],
    );
    let (ours, theirs) = pair.send(A, &[&["EXEC"], &["GET", "after"]]);
    assert_eq!((ours.as_str(), theirs.as_str()), ("", ""));
    same(&mut pair, B, &["GET", "before"]);
    same(&mut pair, B, &["SCRIPT", "KILL"]);
    let (ours, theirs) = pair.finish(A);
    assert_eq!(ours, theirs, "EXEC's reply, then GET's");
    assert!(
        ours.starts_with("*4\r\n+OK\r\n-ERR Script killed"),
        "{ours}"
    );
    assert!(ours.ends_with("$1\r\n1\r\n$1\r\n1\r\n"), "{ours}");
    same(&mut pair, B, &["GET", "after"]);
}

#[test]
fn keys_a_busy_script_reads_late_are_tracked_for_its_caller() {
    let Some((_redis, mut pair)) = busy_pair() else {
        return;
    };
    // (HELLO's reply names the client id, which differs between the sides.)
    pair.send(A, &[&["HELLO", "3"]]);
    same(&mut pair, A, &["CLIENT", "TRACKING", "on"]);
    same(&mut pair, B, &["SET", "late", "1"]);
    // The read comes long after the script turned busy.
    let reads_late = "local i = 0 while i < 30000000 do i = i + 1 end \
                      return redis.call('get', KEYS[1])";
    let (ours, theirs) = pair.send(A, &[&["EVAL", reads_late, "1", "late"]]);
    assert_eq!((ours.as_str(), theirs.as_str()), ("", ""));
    let (ours, theirs) = pair.finish(A);
    assert_eq!(ours, theirs);
    same(&mut pair, B, &["SET", "late", "2"]);
    let (ours, theirs) = pair.finish(A);
    assert_eq!(ours, theirs, "the invalidation of the key the script read");
    assert!(ours.contains("invalidate"), "{ours}");
}
