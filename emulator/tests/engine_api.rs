//! The engine's host API, exercised the way the browser app and redis-emu use it. Runs natively
//! and, via wasm-bindgen-test, in headless browsers.

use emulator::cli::Session;
use emulator::{Protocol, Reply, Server};
#[cfg(not(target_arch = "wasm32"))]
use std::prelude::rust_2021::test as wasm_bindgen_test;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

const T0: u64 = 1_700_000_000_000;

#[wasm_bindgen_test]
fn clients_send_argument_vectors_and_get_replies() {
    let mut server = Server::new();
    let a = server.connect(T0);
    let b = server.connect(T0);
    assert_ne!(a, b);
    assert_eq!(
        server.execute(a, argv(&["PING"]), T0),
        vec![Reply::simple("PONG")]
    );
    assert_eq!(
        server.execute(a, argv(&["SET", "k", "v"]), T0),
        vec![Reply::ok()]
    );
    assert_eq!(
        server.execute(b, argv(&["GET", "k"]), T0),
        vec![Reply::bulk("v")]
    );
    let raw = server.execute(b, argv(&["GET", "missing"]), T0)[0].encode(server.protocol(b));
    assert_eq!(raw, b"$-1\r\n");
    assert_eq!(server.protocol(a), Protocol::Resp2);
}

#[wasm_bindgen_test]
fn unknown_commands_and_bad_arity_get_redis_errors() {
    let mut server = Server::new();
    let c = server.connect(T0);
    assert_eq!(
        server.execute(c, argv(&["NOPE", "x"]), T0),
        vec![Reply::error(
            "ERR unknown command 'NOPE', with args beginning with: 'x' "
        )]
    );
    assert_eq!(
        server.execute(c, argv(&["GET"]), T0),
        vec![Reply::error(
            "ERR wrong number of arguments for 'get' command"
        )]
    );
}

#[wasm_bindgen_test]
fn console_session_prints_like_redis_cli() {
    let mut server = Server::new();
    let mut console = Session::connect(&mut server, T0);
    assert_eq!(console.prompt(&server), "127.0.0.1:6379>");
    let mut run = |line: &str| console.run_line(&mut server, line, T0);
    assert_eq!(run("PING"), "PONG\n");
    assert_eq!(run("SET k v"), "OK\n");
    assert_eq!(run("GET k"), "\"v\"\n");
    assert_eq!(run("ECHO \"a b\""), "\"a b\"\n");
    assert_eq!(run("ECHO \"unbalanced"), "Invalid argument(s)\n");
    assert_eq!(run("   "), "");
}

#[wasm_bindgen_test]
fn the_clock_is_injected_and_can_be_fast_forwarded() {
    let mut server = Server::new();
    server.connect(T0);
    assert_eq!(server.now_ms(), T0);
    server.advance_clock(60_000);
    server.tick(T0 + 1);
    assert_eq!(server.now_ms(), T0 + 60_001);
    server.pause_clock();
    server.tick(T0 + 10_000);
    assert_eq!(server.now_ms(), T0 + 60_001);
    server.resume_clock();
    server.tick(T0 + 10_005);
    assert_eq!(server.now_ms(), T0 + 60_006);
}

#[wasm_bindgen_test]
fn observers_read_and_write_without_leaving_traces() {
    let mut server = Server::new();
    let learner = server.connect(T0);
    let monitor = server.connect(T0);
    server.execute(learner, argv(&["SET", "k", "v"]), T0);
    server.execute(monitor, argv(&["MONITOR"]), T0);
    let observer = server.connect_observer(T0);
    let later = T0 + 10_000;
    assert_eq!(
        server.execute(observer, argv(&["GET", "k"]), later),
        vec![Reply::bulk("v")]
    );
    server.execute(observer, argv(&["GET", "missing"]), later);
    // Nothing reached the monitor, and the key's idle time was not reset.
    assert!(server.take_outbound(monitor).is_empty());
    let idle = server.execute(learner, argv(&["OBJECT", "IDLETIME", "k"]), later);
    assert_eq!(idle, vec![Reply::Integer(10)]);
    let info = server.execute(learner, argv(&["INFO", "stats"]), later);
    let text = String::from_utf8_lossy(&info[0].encode(Protocol::Resp2)).into_owned();
    // One hit: the learner's OBJECT IDLETIME.
    assert!(text.contains("keyspace_hits:1\r\n"), "{text}");
    assert!(text.contains("total_commands_processed:3\r\n"), "{text}");
    assert!(text.contains("keyspace_misses:0\r\n"), "{text}");
    // The observer is absent from CLIENT LIST and does not shift the learner's client ids.
    let list = server.execute(learner, argv(&["CLIENT", "LIST"]), later);
    let list = String::from_utf8_lossy(&list[0].encode(Protocol::Resp2)).into_owned();
    assert_eq!(list.matches("id=").count(), 2, "{list}");
    let next = server.connect(later);
    assert_eq!(next, monitor + 1);
    // Its writes are real.
    server.execute(observer, argv(&["SET", "k2", "w"]), later);
    assert_eq!(
        server.execute(learner, argv(&["GET", "k2"]), later),
        vec![Reply::bulk("w")]
    );
}
