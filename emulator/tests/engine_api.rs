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
