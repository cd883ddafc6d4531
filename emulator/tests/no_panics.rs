//! Bad input gets an error, never a panic: in the browser a panic kills the page. Every
//! registered command (and subcommand) receives random argument vectors built from its own option
//! tokens, edge-case numbers, binary strings and keys of every type; any panic is reported with
//! the exact command that caused it.

use std::panic::{catch_unwind, AssertUnwindSafe};

use emulator::commands::Registry;
use emulator::{ClientId, Server};

const T0: u64 = 1_700_000_000_000;

/// A deterministic generator, so a failure reproduces.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Keys already holding each type, and one that does not exist.
const KEYS: &[&str] = &[
    "str", "num", "list", "hash", "set", "intset", "zset", "hll", "missing",
];

/// Arguments at the edges of parsing: numbers at and past the i64 limits, floats Redis rejects,
/// range syntax, globs, empty and binary strings. (No huge *valid* offsets: SETBIT/SETRANGE at
/// 512 MB would only test the allocator.)
const VALUES: &[&[u8]] = &[
    b"",
    b"0",
    b"1",
    b"2",
    b"-1",
    b"-2",
    b"10",
    b"100",
    b"-100",
    b"3.5",
    b"-0",
    b"inf",
    b"-inf",
    b"+inf",
    b"nan",
    b"1e400",
    b"0x10",
    b"(1",
    b"[a",
    b"-",
    b"+",
    b"*",
    b"a*",
    b"[",
    b"\\",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"9223372036854775808",
    b"4294967296",
    b"\x00\xff",
    b"hello world",
    b"#",
    b"i8",
    b"u64",
    b"$",
    b">",
    b"{",
    b"}",
];

fn populate(server: &mut Server, client: ClientId) {
    for line in [
        "SET str hello",
        "SET num 42",
        "RPUSH list a b c 1 2 3",
        "HSET hash f1 v1 f2 2",
        "SADD set a b c",
        "SADD intset 1 2 3",
        "ZADD zset 1 a 2 b 3 c",
        "PFADD hll a b c",
    ] {
        let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        server.execute(client, argv, T0);
    }
}

fn random_argument(rng: &mut Lcg, own_tokens: &[&'static str]) -> Vec<u8> {
    match rng.below(10) {
        0..=2 if !own_tokens.is_empty() => {
            own_tokens[rng.below(own_tokens.len())].as_bytes().to_vec()
        }
        0..=3 => KEYS[rng.below(KEYS.len())].as_bytes().to_vec(),
        _ => VALUES[rng.below(VALUES.len())].to_vec(),
    }
}

#[test]
fn random_arguments_never_panic_any_command() {
    // Silence the default hook: panics are caught and reported below with their command.
    std::panic::set_hook(Box::new(|_| {}));
    let registry = Registry::get();
    let mut names: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for top in registry.top_level() {
        for spec in std::iter::once(top).chain(registry.subcommands(top)) {
            // PFSELFTEST takes no arguments and runs Redis's whole HLL self-test each time
            // (seconds in a debug build); tests/hyperloglog.rs covers it.
            if registry.command(spec.name).is_none() || spec.name == "pfselftest" {
                continue;
            }
            names.push((spec.name, spec.option_tokens()));
        }
    }
    let mut rng = Lcg(0x5eed);
    let mut panics = Vec::new();
    let mut sent = 0;
    for (name, own_tokens) in &names {
        let mut server = Server::new();
        let client = server.connect(T0);
        populate(&mut server, client);
        for _ in 0..150 {
            let mut argv: Vec<Vec<u8>> = name.split('|').map(|w| w.as_bytes().to_vec()).collect();
            for _ in 0..rng.below(7) {
                argv.push(random_argument(&mut rng, own_tokens));
            }
            let shown = argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                server.execute(client, argv, T0);
                server.tick(T0 + 1);
            }));
            sent += 1;
            if outcome.is_err() {
                panics.push(shown);
                // The server may be inconsistent after a panic: start the command over fresh.
                break;
            }
        }
    }
    let _ = std::panic::take_hook();
    println!(
        "no-panic run: {} commands, {sent} argument vectors",
        names.len()
    );
    assert!(
        panics.is_empty(),
        "{} commands panicked:\n{}",
        panics.len(),
        panics.join("\n")
    );
}

/// The RESP decoder (used by redis-emu cli against a server, and by tests) and redis-cli's line
/// splitter (every console keystroke) take arbitrary bytes without panicking.
#[test]
fn parsers_take_arbitrary_bytes() {
    let seeds: &[&[u8]] = &[
        b"*3\r\n$3\r\nSET\r\n:1\r\n%1\r\n+a\r\n,1.5\r\n",
        b">2\r\n=7\r\ntxt:abc\r\n_\r\n#t\r\n(123\r\n~1\r\n-ERR x\r\n",
        b"SET k \"a\\x41\\n\" 'it\\'s' \"unterminated",
    ];
    let table = b"*$%~>=_#,(:+-\r\n0123456789\"'\\x ";
    let mut rng = Lcg(0xbad5eed);
    for _ in 0..50_000 {
        let mut input = seeds[rng.below(seeds.len())].to_vec();
        for _ in 0..rng.below(6) {
            let at = rng.below(input.len() + 1);
            let byte = table[rng.below(table.len())];
            match rng.below(3) {
                0 => input.insert(at, byte),
                1 if at < input.len() => {
                    input.remove(at);
                }
                _ if at < input.len() => input[at] = byte,
                _ => {}
            }
        }
        let cut = rng.below(input.len() + 1);
        let _ = emulator::resp::decode(&input[..cut]);
        let _ = emulator::cli::split_args(&input[..cut]);
    }
}
