//! Client-side caching (CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO) against a real
//! redis-server 7.0, with several clients on each side, compared byte for byte: what each
//! client is told and when (RESP3 `invalidate` pushes, RESP2 messages through a redirection,
//! BCAST batches, the null of a flush, `tracking-redir-broken`), and every error.
//!
//! Nothing here depends on timing. After each command, every client runs a barrier command
//! (CLIENT GETNAME, which also leaves CLIENT CACHING alone) and everything Redis sent it
//! before the barrier's reply is compared with what the engine queued for it. A command's
//! own replies are read before its barrier is sent, so that Redis has run its before-sleep
//! work (BCAST messages) for that command alone, as the engine's `before_sleep` does.

use std::time::Duration;

use emulator::resp::Reply;
use emulator::{ClientId, Server};
use integration_tests::connection::RespConnection;
use integration_tests::real_redis::{require_tool, RealRedis};
use integration_tests::twin::wall_ms;

/// Long enough for Redis to answer anything.
const ANSWER: Duration = Duration::from_secs(10);

/// The clients of a test, on both servers, with the same ids on both sides.
struct Sides {
    redis: Vec<RespConnection>,
    engine: Server,
    clients: Vec<ClientId>,
    names: Vec<String>,
}

impl Sides {
    /// Connects `count` clients to both servers so that each has the same id on both (ids
    /// appear in replies: CLIENT GETREDIR, TRACKINGINFO, `tracking-redir-broken`).
    fn connect(redis: &RealRedis, count: usize) -> Sides {
        let mut engine = Server::new();
        engine
            .configure("enable-debug-command", b"yes")
            .expect("the engine knows the setting");
        let mut sides = Sides {
            redis: Vec::new(),
            engine,
            clients: Vec::new(),
            names: Vec::new(),
        };
        for i in 0..count {
            let (conn, id) = loop {
                let mut conn = redis.connect().expect("connect");
                let Reply::Integer(theirs) = conn.call(&["CLIENT", "ID"]).expect("CLIENT ID")
                else {
                    panic!("CLIENT ID answers an integer");
                };
                let theirs = theirs as ClientId;
                let mut ours = sides.engine.connect(wall_ms());
                while ours < theirs {
                    sides.engine.disconnect(ours);
                    ours = sides.engine.connect(wall_ms());
                }
                if ours == theirs {
                    break (conn, ours);
                }
                // The engine is ahead: Redis hands out the next id to the next connection.
                sides.engine.disconnect(ours);
            };
            sides.redis.push(conn);
            sides.clients.push(id);
            sides.names.push(format!("barrier-{i}"));
            sides.name(i);
        }
        sides
    }

    fn now(&self) -> u64 {
        wall_ms()
    }

    /// Gives client `i` the name its barrier answers with (again after RESET).
    fn name(&mut self, i: usize) {
        let name = self.names[i].clone();
        let argv = ["CLIENT", "SETNAME", name.as_str()];
        self.redis[i].call(&argv).expect("SETNAME");
        let argv = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
        let now = self.now();
        self.engine.execute(self.clients[i], argv, now);
    }

    /// Replaces `{0}`, `{1}`... by the ids of those clients.
    fn words(&self, line: &str) -> Vec<Vec<u8>> {
        line.split(' ')
            .map(|w| {
                let mut w = w.to_string();
                for (i, id) in self.clients.iter().enumerate() {
                    w = w.replace(&format!("{{{i}}}"), &id.to_string());
                }
                w.into_bytes()
            })
            .collect()
    }

    /// Sends a command from client `i` on both sides and returns everything each client
    /// received up to its barrier, engine and Redis, as bytes.
    fn run(&mut self, i: usize, argv: Vec<Vec<u8>>) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.redis[i].send(&argv).expect("send");
        let now = self.now();
        let replies = self.engine.execute(self.clients[i], argv, now);
        self.engine.before_sleep();
        let protocol = self.engine.protocol(self.clients[i]);
        let mut ours: Vec<u8> = replies.iter().flat_map(|r| r.encode(protocol)).collect();
        let mut theirs = Vec::new();
        for _ in 0..replies.len() {
            let received = self.redis[i]
                .read_reply(ANSWER)
                .expect("read")
                .expect("Redis answers as many replies as the engine");
            theirs.extend(received.raw);
        }
        let mut seen = Vec::new();
        for j in 0..self.clients.len() {
            let (o, t) = self.barrier(j);
            if j == i {
                ours.extend(o);
                theirs.extend(t);
                seen.push((std::mem::take(&mut ours), std::mem::take(&mut theirs)));
            } else {
                seen.push((o, t));
            }
        }
        seen
    }

    /// What client `j` was sent and has not read, then its barrier's reply, on both sides.
    fn barrier(&mut self, j: usize) -> (Vec<u8>, Vec<u8>) {
        let id = self.clients[j];
        let Some(client) = self.engine.client(id) else {
            return (Vec::new(), Vec::new());
        };
        // After QUIT both servers close the connection: nothing more to read.
        if client.closing {
            self.engine.disconnect(id);
            return (Vec::new(), Vec::new());
        }
        let protocol = client.protocol;
        let mut ours: Vec<u8> = self
            .engine
            .take_outbound(id)
            .iter()
            .flat_map(|r| r.encode(protocol))
            .collect();
        let argv = vec![b"CLIENT".to_vec(), b"GETNAME".to_vec()];
        self.redis[j].send(&argv).expect("send");
        let now = self.now();
        // The barrier may be preceded by pushes it caused itself (a trim of the tracking
        // table before it runs); its own reply is the last.
        let replies = self.engine.execute(id, argv, now);
        let encoded: Vec<Vec<u8>> = replies.iter().map(|r| r.encode(protocol)).collect();
        let barrier = encoded.last().cloned().unwrap_or_default();
        ours.extend(encoded.concat());
        let mut theirs = Vec::new();
        loop {
            let received = self.redis[j]
                .read_reply(ANSWER)
                .expect("read")
                .unwrap_or_else(|| panic!("client {j}: no barrier reply from Redis"));
            let done = received.raw == barrier;
            theirs.extend(received.raw);
            if done {
                break;
            }
        }
        (ours, theirs)
    }

    /// Runs `line` from client `i` and checks every client got the same bytes on both sides.
    fn same(&mut self, i: usize, line: &str) -> Vec<u8> {
        let argv = self.words(line);
        self.same_argv(i, argv, line)
    }

    /// `same` with arguments that may hold spaces.
    fn same_words(&mut self, i: usize, words: &[&str]) -> Vec<u8> {
        let argv = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        self.same_argv(i, argv, &words.join(" "))
    }

    fn same_argv(&mut self, i: usize, argv: Vec<Vec<u8>>, label: &str) -> Vec<u8> {
        let seen = self.run(i, argv);
        for (j, (ours, theirs)) in seen.iter().enumerate() {
            assert_eq!(
                String::from_utf8_lossy(ours),
                String::from_utf8_lossy(theirs),
                "after client {i} ran `{label}`: what client {j} received"
            );
        }
        seen[i].0.clone()
    }

    /// The value of `field=` in client `i`'s CLIENT INFO line, on both sides.
    fn client_info_field(&mut self, i: usize, field: &str) -> (String, String) {
        let argv = vec![b"CLIENT".to_vec(), b"INFO".to_vec()];
        let seen = self.run(i, argv);
        let pick = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            text.split([' ', '\n'])
                .find_map(|w| w.strip_prefix(&format!("{field}=")).map(str::to_string))
                .unwrap_or_else(|| panic!("no {field}= in {text}"))
        };
        (pick(&seen[i].0), pick(&seen[i].1))
    }

    /// `name:value` lines of an INFO section, on both sides.
    fn info_fields(&mut self, i: usize, section: &str, names: &[&str]) -> (String, String) {
        let argv = vec![b"INFO".to_vec(), section.as_bytes().to_vec()];
        let seen = self.run(i, argv);
        let pick = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            names
                .iter()
                .map(|name| {
                    text.lines()
                        .find(|l| l.starts_with(&format!("{name}:")))
                        .unwrap_or_else(|| panic!("no {name} in INFO"))
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        (pick(&seen[i].0), pick(&seen[i].1))
    }

    /// Lets `ms` pass on both sides (the engine's clock is the wall clock here).
    fn wait(&mut self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }
}

fn start() -> Option<RealRedis> {
    let binary = require_tool("redis-server", "tracking_differential")?;
    Some(
        RealRedis::start(&binary, &["--enable-debug-command", "yes"]).expect("redis-server starts"),
    )
}

#[test]
fn tracking_errors_and_introspection() {
    let Some(redis) = start() else {
        return;
    };
    let mut s = Sides::connect(&redis, 3);
    for line in [
        "CLIENT TRACKING",
        "CLIENT TRACKING maybe",
        "CLIENT TRACKING on foo",
        "CLIENT TRACKING on REDIRECT",
        "CLIENT TRACKING on PREFIX",
        "CLIENT TRACKING on REDIRECT abc",
        "CLIENT TRACKING on REDIRECT 99999",
        "CLIENT TRACKING on REDIRECT -1",
        "CLIENT TRACKING on REDIRECT 0",
        "CLIENT TRACKING on REDIRECT {1} REDIRECT {2}",
        "CLIENT TRACKING on PREFIX a",
        "CLIENT TRACKING on BCAST OPTIN",
        "CLIENT TRACKING on OPTIN OPTOUT",
        "CLIENT TRACKING on BCAST PREFIX a PREFIX ab",
        "CLIENT TRACKING on BCAST PREFIX ab PREFIX a",
        "CLIENT TRACKING maybe BCAST",
        "CLIENT CACHING yes",
        "CLIENT CACHING",
        "CLIENT GETREDIR",
        "CLIENT GETREDIR x",
        "CLIENT TRACKINGINFO",
        "CLIENT TRACKINGINFO x",
    ] {
        s.same(0, line);
    }
    // Options of OFF are parsed, then ignored.
    s.same(0, "CLIENT TRACKING off BCAST PREFIX a OPTIN");
    s.same(0, "CLIENT TRACKING on OPTIN");
    s.same(0, "CLIENT CACHING no");
    s.same(0, "CLIENT CACHING maybe");
    s.same(0, "CLIENT CACHING yes");
    s.same(0, "CLIENT TRACKINGINFO");
    s.same(0, "CLIENT TRACKING on OPTOUT");
    s.same(0, "CLIENT TRACKING on BCAST");
    s.same(0, "CLIENT TRACKING on NOLOOP REDIRECT {1}");
    s.same(0, "CLIENT GETREDIR");
    s.same(0, "CLIENT TRACKINGINFO");
    let (ours, theirs) = s.client_info_field(0, "flags");
    assert_eq!(ours, theirs);
    let (ours, theirs) = s.client_info_field(0, "redir");
    assert_eq!(ours, theirs);
    s.same(0, "HELLO 3");
    s.same(0, "CLIENT TRACKINGINFO");
    s.same(0, "CLIENT TRACKING off");
    s.same(0, "CLIENT TRACKINGINFO");

    // BCAST prefixes: overlaps with the client's own prefixes are refused; an overlap
    // between two new prefixes other than the first is reported and tracking still goes on
    // (Redis 7.0 sends the error, then +OK).
    s.same(1, "HELLO 3");
    s.same(1, "CLIENT TRACKING on BCAST PREFIX user: PREFIX order:");
    s.same(1, "CLIENT TRACKING on BCAST PREFIX us");
    s.same(1, "CLIENT TRACKING on BCAST PREFIX user:1");
    s.same(
        1,
        "CLIENT TRACKING on BCAST PREFIX item: PREFIX b PREFIX bc",
    );
    s.same(1, "CLIENT TRACKINGINFO");
    s.same(1, "CLIENT TRACKING on OPTIN");
    s.same(1, "CLIENT TRACKING on BCAST PREFIX zz");
    s.same(1, "CLIENT TRACKINGINFO");
    let (ours, theirs) = s.client_info_field(1, "flags");
    assert_eq!(ours, theirs);
    s.same(2, "HELLO 3");
    s.same(2, "CLIENT TRACKING on");
    let (ours, theirs) = s.info_fields(
        2,
        "all",
        &[
            "tracking_clients",
            "tracking_total_keys",
            "tracking_total_items",
            "tracking_total_prefixes",
        ],
    );
    assert_eq!(ours, theirs);
    s.same(1, "RESET");
    s.name(1);
    s.same(1, "CLIENT TRACKINGINFO");
    let (ours, theirs) = s.info_fields(2, "all", &["tracking_clients", "tracking_total_prefixes"]);
    assert_eq!(ours, theirs);
}

#[test]
fn default_mode_invalidates_keys_read() {
    let Some(redis) = start() else {
        return;
    };
    let mut s = Sides::connect(&redis, 3);
    s.same(0, "HELLO 3");
    s.same(0, "CLIENT TRACKING on");
    s.same(1, "MSET k1 a k2 b k3 c h:1 x");
    s.same(0, "GET k1");
    s.same(0, "MGET k2 k3 nokey");
    s.same(0, "STRLEN h:1");
    // Each change tells the reader once, then the key is forgotten until read again.
    let seen = s.run(1, s.words("SET k1 changed"));
    let told = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk1\r\n$9\r\nbarrier-0\r\n";
    assert_eq!(String::from_utf8_lossy(&seen[0].0), told);
    assert_eq!(String::from_utf8_lossy(&seen[0].1), told);
    s.same(1, "SET k1 again");
    s.same(1, "DEL k2 k3 nokey");
    s.same(1, "APPEND h:1 y");
    // The reader's own change: the invalidation follows its reply.
    s.same(0, "GET k1");
    s.same(0, "SET k1 mine");
    s.same(0, "GET k1");
    s.same(0, "INCR k1");
    // Writes of every kind, and commands that read several keys.
    s.same(0, "EXISTS l s z");
    s.same(1, "RPUSH l a b");
    s.same(1, "SADD s m");
    s.same(1, "ZADD z 1 m");
    s.same(0, "LRANGE l 0 -1");
    s.same(0, "SUNION s nos");
    s.same(1, "LPOP l");
    s.same(1, "SUNIONSTORE s nos");
    s.same(0, "ZSCORE z m");
    s.same(1, "RENAME z z2");
    s.same(0, "GET k1");
    s.same(1, "EXPIRE k1 1000");
    // Inside a transaction the invalidations of the client's own writes follow EXEC's reply.
    s.same(0, "GET k1");
    s.same(0, "MULTI");
    s.same(0, "SET k1 in-multi");
    s.same(0, "GET k1");
    s.same(0, "EXEC");
    // Script commands are tracked for the script's caller.
    s.same_words(0, &["EVAL", "return redis.call('get',KEYS[1])", "1", "sk"]);
    s.same(1, "SET sk 1");
    s.same_words(
        0,
        &["EVAL_RO", "return redis.call('get',KEYS[1])", "1", "sk"],
    );
    s.same(1, "SET sk 2");
    s.same_words(0, &["EVAL", "return redis.call('get',KEYS[1])", "1", "sk"]);
    s.same_words(
        0,
        &["EVAL", "return redis.call('set',KEYS[1],'x')", "1", "sk"],
    );
    // NOLOOP: the client's own changes are not reported back.
    s.same(0, "CLIENT TRACKING on NOLOOP");
    s.same(0, "GET k1");
    s.same(0, "SET k1 quiet");
    s.same(0, "GET k1");
    s.same(1, "SET k1 loud");
    // A flush tells every tracking client that all keys are gone: a null.
    s.same(2, "HELLO 3");
    s.same(2, "CLIENT TRACKING on");
    s.same(0, "GET k1");
    s.same(1, "FLUSHALL");
    s.same(0, "GET k1");
    s.same(0, "FLUSHDB");
    // DEBUG RELOAD empties the dataset first: a null too. SWAPDB tells nobody in Redis 7.0.
    s.same(1, "SET k1 v");
    s.same(0, "GET k1");
    s.same(1, "DEBUG RELOAD");
    s.same(0, "GET k1");
    s.same(1, "SWAPDB 0 1");
    s.same(1, "SWAPDB 0 1");
    let (ours, theirs) = s.info_fields(
        1,
        "all",
        &[
            "tracking_clients",
            "tracking_total_keys",
            "tracking_total_items",
        ],
    );
    assert_eq!(ours, theirs);
    // RESP2 with no redirection: tracked, never told.
    s.same(1, "CLIENT TRACKING on");
    s.same(1, "GET r2");
    s.same(2, "SET r2 x");
    s.same(1, "GET r2");
}

#[test]
fn optin_optout_and_caching() {
    let Some(redis) = start() else {
        return;
    };
    let mut s = Sides::connect(&redis, 2);
    s.same(0, "HELLO 3");
    s.same(0, "CLIENT TRACKING on OPTIN");
    s.same(0, "GET a");
    s.same(0, "CLIENT CACHING yes");
    s.same(0, "GET b");
    s.same(0, "GET c");
    s.same(1, "MSET a 1 b 1 c 1");
    // CLIENT commands in between keep CACHING for the next command.
    s.same(0, "CLIENT CACHING yes");
    s.same(0, "CLIENT TRACKINGINFO");
    s.same(0, "GET a");
    s.same(0, "GET b");
    s.same(1, "MSET a 2 b 2");
    // The whole transaction after CACHING yes is tracked.
    s.same(0, "CLIENT CACHING yes");
    s.same(0, "MULTI");
    s.same(0, "GET a");
    s.same(0, "GET b");
    s.same(0, "EXEC");
    s.same(0, "GET c");
    s.same(1, "MSET a 3 b 3 c 3");
    // A failed command still uses up CACHING.
    s.same(0, "CLIENT CACHING yes");
    s.same(0, "NOSUCHCOMMAND");
    s.same(0, "GET a");
    s.same(1, "SET a 4");
    s.same(0, "CLIENT TRACKING off");
    s.same(0, "CLIENT TRACKING on OPTOUT");
    s.same(0, "GET a");
    s.same(0, "CLIENT CACHING no");
    s.same(0, "GET b");
    s.same(0, "GET c");
    s.same(1, "MSET a 5 b 5 c 5");
}

#[test]
fn redirection_to_a_resp2_subscriber_and_broken_redirection() {
    let Some(redis) = start() else {
        return;
    };
    let mut s = Sides::connect(&redis, 4);
    // Client 1 receives client 0's invalidations as messages of __redis__:invalidate.
    s.same(1, "SUBSCRIBE __redis__:invalidate");
    s.same(0, "CLIENT TRACKING on REDIRECT {1}");
    s.same(0, "GET foo");
    s.same(0, "MGET bar baz");
    s.same(2, "MSET foo 1 bar 2");
    s.same(0, "GET foo");
    s.same(0, "SET foo mine");
    s.same(0, "GET foo");
    s.same(2, "FLUSHDB");
    // A RESP2 target that is not subscribed cannot receive anything.
    s.same(0, "CLIENT TRACKING on REDIRECT {2}");
    s.same(0, "GET foo");
    s.same(3, "SET foo x");
    // A RESP3 target gets pushes whatever mode it is in.
    s.same(2, "HELLO 3");
    s.same(0, "GET foo");
    s.same(3, "SET foo y");
    // When the target goes away, a RESP3 tracking client is told, and its flags say so.
    s.same(3, "HELLO 3");
    s.same(3, "CLIENT TRACKING on REDIRECT {2}");
    s.same(3, "GET gone");
    s.same(2, "QUIT");
    s.same(0, "SET gone 1");
    s.same(3, "CLIENT TRACKINGINFO");
    let (ours, theirs) = s.client_info_field(3, "flags");
    assert_eq!(ours, theirs);
    s.same(3, "GET gone");
    s.same(0, "SET gone 2");
    s.same(3, "CLIENT TRACKING on");
    s.same(3, "CLIENT TRACKINGINFO");
    // A RESP2 client may redirect to itself, and hear once it is subscribed.
    s.same(0, "CLIENT TRACKING on REDIRECT {0}");
    s.same(0, "GET selfk");
    s.same(0, "SUBSCRIBE __redis__:invalidate");
    s.same(3, "SET selfk 1");
}

#[test]
fn broadcast_mode_sends_one_batch_per_prefix() {
    let Some(redis) = start() else {
        return;
    };
    let mut s = Sides::connect(&redis, 3);
    s.same(0, "HELLO 3");
    s.same(0, "CLIENT TRACKING on BCAST PREFIX user: PREFIX order:");
    s.same(1, "SET user:1 a");
    s.same(1, "SET other x");
    s.same(1, "MSET user:2 a order:9 b user:3 c");
    s.same(1, "DEL user:1 user:2 nothing");
    // The writer's own changes come back unless NOLOOP.
    s.same(0, "SET user:7 me");
    s.same(2, "HELLO 3");
    s.same(2, "CLIENT TRACKING on BCAST NOLOOP");
    s.same(2, "MSET user:8 x free y");
    s.same(1, "SET free z");
    // A transaction's changes are one batch.
    s.same(1, "MULTI");
    s.same(1, "SET order:1 a");
    s.same(1, "SET order:2 b");
    s.same(1, "SET user:1 c");
    s.same(1, "EXEC");
    // RESP2 BCAST with redirection to a subscriber.
    s.same(1, "SUBSCRIBE __redis__:invalidate");
    s.same(2, "CLIENT TRACKING off");
    // (A RESP3 tracking client's flush null reaches a RESP2 target as `_` on Redis, which a
    // RESP2 client cannot read; the engine sends `$-1`. Not compared.)
    s.same(2, "HELLO 2");
    s.same(2, "CLIENT TRACKING on BCAST PREFIX k REDIRECT {1}");
    s.same(0, "MSET k1 a k2 b");
    s.same(0, "FLUSHALL");
    let (ours, theirs) = s.info_fields(0, "all", &["tracking_clients", "tracking_total_prefixes"]);
    assert_eq!(ours, theirs);
}

#[test]
fn expired_keys_are_invalidated() {
    let Some(redis) = start() else {
        return;
    };
    let mut s = Sides::connect(&redis, 2);
    // Only lazy expiry, which happens at a point both sides agree on.
    s.same(1, "DEBUG SET-ACTIVE-EXPIRE 0");
    s.same(0, "HELLO 3");
    s.same(0, "CLIENT TRACKING on");
    s.same(1, "SET t v PX 100");
    s.same(1, "SET u v PX 100");
    s.same(0, "GET t");
    s.same(0, "GET u");
    s.wait(250);
    // The reader expires the key itself: the invalidation follows its reply.
    s.same(0, "GET t");
    // Another client expires it: the reader is told at once.
    s.same(1, "EXISTS u");
    s.same(1, "DEBUG SET-ACTIVE-EXPIRE 1");
}

#[test]
fn the_tracking_table_stays_within_its_limit() {
    let Some(redis) = start() else {
        return;
    };
    let mut s = Sides::connect(&redis, 2);
    s.same(0, "HELLO 3");
    s.same(0, "CLIENT TRACKING on");
    s.same(1, "CONFIG SET tracking-table-max-keys 2");
    s.same(0, "MGET a b");
    // The command after this read (here the reader's barrier) trims the table back to two
    // keys: one of the three, chosen at random, is invalidated for the reader first.
    let seen = s.run(0, vec![b"GET".to_vec(), b"c".to_vec()]);
    for (side, bytes) in [("engine", &seen[0].0), ("Redis", &seen[0].1)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            ["a", "b", "c"].iter().any(|k| text
                == format!(
                    "_\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\n{k}\r\n$9\r\nbarrier-0\r\n"
                )),
            "{side}: {text:?}"
        );
    }
    let (ours, theirs) = s.info_fields(1, "all", &["tracking_total_keys", "tracking_total_items"]);
    assert_eq!(ours, theirs);
}
