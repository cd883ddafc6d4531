//! Random commands over a small keyspace that holds every type.

use emulator::commands::Registry;
use emulator::{ClientId, Server};

use crate::{words, T0};

/// The keyspace every run starts from: each type, in its small and its big encoding.
const POPULATE: &[&str] = &[
    "SET str hello",
    "SET num 42",
    "RPUSH list a b c 1 2 3",
    "HSET hash f1 v1 f2 2",
    "SADD set a b c",
    "SADD intset 1 2 3",
    "ZADD zset 1 a 2 b 3 c",
    "PFADD hll a b c",
    "XADD stream 1-1 f v",
    "XADD stream 2-1 g w",
    "XGROUP CREATE stream grp 0",
    "GEOADD geo 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
    "DEBUG POPULATE 50 big 200",
    "CONFIG SET list-max-listpack-size 2",
    "RPUSH biglist a b c d e f g",
    "CONFIG SET list-max-listpack-size -2",
];

const KEYS: &[&[u8]] = &[
    b"str", b"num", b"list", b"hash", b"set", b"intset", b"zset", b"hll", b"stream", b"geo",
    b"biglist", b"big:1", b"missing", b"new",
];

/// Arguments at the edges of parsing (no huge valid offsets: those only test the allocator).
const VALUES: &[&[u8]] = &[
    b"",
    b"0",
    b"1",
    b"2",
    b"-1",
    b"-2",
    b"10",
    b"-100",
    b"3.5",
    b"-0",
    b"inf",
    b"-inf",
    b"nan",
    b"1e400",
    b"(1",
    b"[a",
    b"-",
    b"+",
    b"*",
    b"$",
    b">",
    b"~",
    b"=",
    b"a*",
    b"[",
    b"\\",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"18446744073709551615",
    b"0-0",
    b"1-1",
    b"1-*",
    b"a",
    b"b",
    b"f1",
    b"grp",
    b"Palermo",
    b"\x00\xff",
];

/// Scripts EVAL may run: finite by construction (an arbitrary script could loop forever,
/// which is the busy-script machinery's job, tested elsewhere).
const SCRIPTS: &[&[u8]] = &[
    b"return redis.call('GET', KEYS[1])",
    b"return redis.pcall('INCR', KEYS[1])",
    b"return redis.call(ARGV[1], KEYS[1])",
    b"redis.call('SET', KEYS[1], ARGV[1]); return redis.call('TYPE', KEYS[1])",
    b"return {1, 'a', {2, false}, redis.status_reply('OK'), redis.error_reply('E')}",
    b"return cjson.encode(redis.call('HGETALL', KEYS[1]))",
    b"return cmsgpack.unpack(cmsgpack.pack(redis.call('LRANGE', KEYS[1], 0, -1)))",
    b"error('boom')",
];

/// Commands left out: DEBUG can sleep, crash on purpose or allocate without bound, and the
/// self-test runs for seconds.
fn excluded(name: &str) -> bool {
    name == "debug" || name.starts_with("debug|") || name == "pfselftest"
}

/// Every command and subcommand the engine runs, with its own option tokens.
fn command_table() -> Vec<(&'static str, Vec<&'static str>)> {
    let registry = Registry::get();
    let mut table = Vec::new();
    for top in registry.top_level() {
        for spec in std::iter::once(top).chain(registry.subcommands(top)) {
            if registry.command(spec.name).is_none() || excluded(spec.name) {
                continue;
            }
            table.push((spec.name, spec.option_tokens()));
        }
    }
    table
}

/// Reads the input a byte at a time; zero once it runs out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[usize::from(self.byte()) % from.len()]
    }

    /// Up to 16 raw bytes from the input, as one argument.
    fn raw(&mut self) -> Vec<u8> {
        let n = usize::from(self.byte() % 17).min(self.0.len());
        let (arg, rest) = self.0.split_at(n);
        self.0 = rest;
        arg.to_vec()
    }
}

/// Runs commands chosen by the input on two clients (one may block, run MULTI or subscribe
/// while the other goes on), with the timers ticking between them. Nothing may panic.
pub fn commands(data: &[u8]) {
    let table = command_table();
    let mut server = Server::new();
    let clients: [ClientId; 2] = [server.connect(T0), server.connect(T0)];
    for line in POPULATE {
        server.execute(clients[0], words(line), T0);
    }
    let mut input = Input(data);
    let mut now = T0;
    for _ in 0..64 {
        if input.0.is_empty() {
            break;
        }
        let control = input.byte();
        let client = clients[usize::from(control & 1)];
        let (name, own) = &table[input_index(&mut input, table.len())];
        let mut argv: Vec<Vec<u8>> = name.split('|').map(|w| w.as_bytes().to_vec()).collect();
        let scripted = matches!(*name, "eval" | "eval_ro");
        for i in 0..usize::from(input.byte() % 8) {
            let arg = if scripted && i == 0 {
                input.pick(SCRIPTS).to_vec()
            } else {
                match input.byte() % 8 {
                    0 | 1 if !own.is_empty() => input.pick(own).as_bytes().to_vec(),
                    0..=2 => input.pick(KEYS).to_vec(),
                    3 => input.raw(),
                    _ => input.pick(VALUES).to_vec(),
                }
            };
            argv.push(arg);
        }
        server.execute(client, argv, now);
        // Time passes between commands now and then: expiry, blocking timeouts, save points.
        now += u64::from(control >> 4) * 150;
        server.tick(now);
        for client in clients {
            server.take_outbound(client);
        }
    }
}

/// An index below `len` from two input bytes.
fn input_index(input: &mut Input, len: usize) -> usize {
    (usize::from(input.byte()) << 8 | usize::from(input.byte())) % len
}
