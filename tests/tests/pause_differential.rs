//! CLIENT PAUSE and UNPAUSE against a real redis-server 7.0, with two clients on each side:
//! which commands wait (WRITE holds writes and anything that may replicate, ALL holds every
//! command, CLIENT UNPAUSE included), that a waiting client's later commands queue behind it
//! and all run in order when the pause ends, that expired keys read as missing but stay
//! during a pause, and the errors.
//!
//! Nothing here depends on timing: a pause is ended by CLIENT UNPAUSE, or by its own timeout
//! with the harness waiting past it (the engine's clock is moved by as much); a client that
//! must not be answered is checked for silence, which a correct server always gives.

use std::time::Duration;

use emulator::resp::Reply;
use emulator::{ClientId, Server};
use integration_tests::connection::RespConnection;
use integration_tests::real_redis::{require_tool, RealRedis};
use integration_tests::twin::wall_ms;

/// Long enough for Redis to answer anything that is not held back.
const ANSWER: Duration = Duration::from_secs(10);
/// How long a held-back client is watched for a reply that must not come.
const SILENCE: Duration = Duration::from_millis(200);

/// Client `A` or `B`, on both servers.
#[derive(Clone, Copy, Debug)]
enum Who {
    A,
    B,
}

struct Pair {
    redis: [RespConnection; 2],
    engine: Server,
    clients: [ClientId; 2],
    /// How far the engine's clock has been moved past wall time.
    advanced_ms: u64,
}

impl Pair {
    fn now(&self) -> u64 {
        wall_ms() + self.advanced_ms
    }

    fn index(who: Who) -> usize {
        match who {
            Who::A => 0,
            Who::B => 1,
        }
    }

    /// Sends `line` from `who` on both sides and returns the replies each gave at once
    /// (Redis: within ANSWER when the engine answered, or nothing within SILENCE).
    fn send(&mut self, who: Who, line: &str) -> (Vec<Reply>, Vec<Reply>) {
        self.send_argv(who, &line.split(' ').collect::<Vec<_>>())
    }

    /// `send`, with arguments that may hold spaces.
    fn send_argv(&mut self, who: Who, words: &[&str]) -> (Vec<Reply>, Vec<Reply>) {
        let argv: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        let i = Self::index(who);
        self.redis[i].send(&argv).expect("send");
        let now = self.now();
        let ours = self.engine.execute(self.clients[i], argv, now);
        let theirs = self.read(i, ours.len());
        (ours, theirs)
    }

    /// Replies Redis sent `who` meanwhile, as many as the engine queued for it.
    fn pending(&mut self, who: Who) -> (Vec<Reply>, Vec<Reply>) {
        let i = Self::index(who);
        let ours = self.engine.take_outbound(self.clients[i]);
        let theirs = self.read(i, ours.len());
        (ours, theirs)
    }

    fn read(&mut self, i: usize, count: usize) -> Vec<Reply> {
        let mut theirs = Vec::new();
        for _ in 0..count {
            match self.redis[i].read_reply(ANSWER).expect("read") {
                Some(received) => theirs.push(received.reply),
                None => break,
            }
        }
        if count == 0 {
            if let Some(extra) = self.redis[i].read_reply(SILENCE).expect("read") {
                theirs.push(extra.reply);
            }
        }
        theirs
    }

    /// Lets `ms` pass on both sides: Redis in real time, the engine by its clock.
    fn wait(&mut self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
        let now = self.now();
        self.engine.tick(now);
    }
}

fn same(pair: &mut Pair, who: Who, line: &str) -> Vec<Reply> {
    let (ours, theirs) = pair.send(who, line);
    assert_eq!(ours, theirs, "{who:?}: {line}");
    ours
}

fn same_argv(pair: &mut Pair, who: Who, argv: &[&str]) {
    let (ours, theirs) = pair.send_argv(who, argv);
    assert_eq!(ours, theirs, "{who:?}: {argv:?}");
}

fn silent_argv(pair: &mut Pair, who: Who, argv: &[&str]) {
    let (ours, theirs) = pair.send_argv(who, argv);
    assert_eq!(
        (ours, theirs),
        (vec![], vec![]),
        "{who:?}: {argv:?} must wait"
    );
}

fn silent(pair: &mut Pair, who: Who, line: &str) {
    let (ours, theirs) = pair.send(who, line);
    assert_eq!(
        (ours, theirs),
        (vec![], vec![]),
        "{who:?}: {line} must wait"
    );
}

fn released(pair: &mut Pair, who: Who, expected: &[Reply]) {
    let (ours, theirs) = pair.pending(who);
    assert_eq!(
        ours, expected,
        "{who:?}: the engine's replies after the pause"
    );
    assert_eq!(theirs, expected, "{who:?}: Redis's replies after the pause");
}

fn ok() -> Reply {
    Reply::Simple("OK".into())
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}

/// `field:value` from an INFO reply.
fn info_field(reply: &[Reply], field: &str) -> String {
    let [Reply::Bulk(text) | Reply::Verbatim(_, text)] = reply else {
        panic!("{reply:?}")
    };
    String::from_utf8_lossy(text)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_string))
        .unwrap_or_else(|| panic!("no {field}"))
}

#[test]
fn client_pause_holds_the_commands_redis_holds() {
    let Some(binary) = require_tool("redis-server", "pause_differential") else {
        return;
    };
    let redis =
        RealRedis::start(&binary, &["--enable-debug-command", "yes"]).expect("redis-server starts");
    let connect = || RespConnection::connect(redis.port()).expect("connect");
    let mut engine = Server::new();
    engine
        .configure("enable-debug-command", b"yes")
        .expect("the engine knows the setting");
    let clients = [engine.connect(wall_ms()), engine.connect(wall_ms())];
    let mut pair = Pair {
        redis: [connect(), connect()],
        engine,
        clients,
        advanced_ms: 0,
    };
    use Who::{A, B};

    // Errors.
    same(&mut pair, A, "CLIENT PAUSE abc");
    same(&mut pair, A, "CLIENT PAUSE -1");
    same(&mut pair, A, "CLIENT PAUSE 10 FOO");
    same(&mut pair, A, "CLIENT PAUSE abc FOO");
    same(&mut pair, A, "CLIENT PAUSE 10 WRITE extra");
    same(&mut pair, A, "CLIENT UNPAUSE extra");
    same(&mut pair, A, "CLIENT UNPAUSE");

    // WRITE: reads go on; a write waits, and the client's next commands queue behind it.
    same(&mut pair, A, "CLIENT PAUSE 100000 WRITE");
    same(&mut pair, B, "GET k");
    same(&mut pair, B, "EVAL_RO return 1 0");
    silent(&mut pair, B, "SET k v");
    silent(&mut pair, B, "GET k");
    let (ours, theirs) = pair.send(A, "INFO clients");
    for info in [ours, theirs] {
        assert_eq!(info_field(&info, "blocked_clients"), "1");
    }
    silent(&mut pair, B, "PUBLISH ch hello");
    same(&mut pair, A, "CLIENT UNPAUSE");
    released(&mut pair, B, &[ok(), bulk("v"), Reply::Integer(0)]);

    // Scripts: what a script declares decides (Redis's getCommandFlags). One flagged
    // no-writes runs; one with a shebang and no such flag, like one without a shebang, waits.
    same(&mut pair, A, "CLIENT PAUSE 100000 WRITE");
    same_argv(
        &mut pair,
        B,
        &["EVAL", "#!lua flags=no-writes\nreturn 1", "0"],
    );
    silent_argv(&mut pair, B, &["EVAL", "#!lua\nreturn 2", "0"]);
    same(&mut pair, A, "CLIENT UNPAUSE");
    released(&mut pair, B, &[Reply::Integer(2)]);

    // A transaction: its writes wait as they are sent, before they are queued.
    same(&mut pair, A, "CLIENT PAUSE 100000 WRITE");
    same(&mut pair, B, "MULTI");
    silent(&mut pair, B, "INCR n");
    silent(&mut pair, B, "EXEC");
    same(&mut pair, A, "CLIENT UNPAUSE");
    released(
        &mut pair,
        B,
        &[
            Reply::Simple("QUEUED".into()),
            Reply::Array(vec![Reply::Integer(1)]),
        ],
    );

    // The dataset stays constant: an expired key reads as missing but is still counted.
    // Active expiry is off on both sides, so only the lookups below can delete the key.
    same(&mut pair, A, "DEBUG SET-ACTIVE-EXPIRE 0");
    same(&mut pair, A, "SET e 1 PX 50");
    same(&mut pair, A, "CLIENT PAUSE 100000 WRITE");
    pair.wait(150);
    same(&mut pair, B, "GET e");
    same(&mut pair, B, "EXISTS e");
    same(&mut pair, A, "DBSIZE");
    same(&mut pair, A, "CLIENT UNPAUSE");
    same(&mut pair, B, "GET e");
    same(&mut pair, A, "DBSIZE");

    // ALL holds every command, CLIENT UNPAUSE included; the pause ends at its timeout (long
    // enough that the silence checks below end well before it).
    same(&mut pair, A, "CLIENT PAUSE 5000 ALL");
    silent(&mut pair, A, "PING");
    silent(&mut pair, B, "GET k");
    silent(&mut pair, B, "CLIENT UNPAUSE");
    pair.wait(5100);
    released(&mut pair, A, &[Reply::Simple("PONG".into())]);
    released(&mut pair, B, &[bulk("v"), ok()]);
    same(&mut pair, A, "SET after pause");
    let (ours, theirs) = pair.send(B, "INFO clients");
    for info in [ours, theirs] {
        assert_eq!(info_field(&info, "blocked_clients"), "0");
    }
}
