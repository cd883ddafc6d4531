//! Streams between several clients: blocking XREAD and XREADGROUP served by XADD, timeouts,
//! CLIENT UNBLOCK, MULTI, and idle times that follow the engine clock. The blocking test at the
//! end also runs in headless browsers via wasm-bindgen-test.

use emulator::{Reply, Server};
#[cfg(not(target_arch = "wasm32"))]
use std::prelude::rust_2021::test as wasm_bindgen_test;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg(not(target_arch = "wasm32"))]
mod common;
#[cfg(not(target_arch = "wasm32"))]
use common::Host;

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

/// `[id, [field, value, ...]]`.
fn entry(id: &str, fields: &[&str]) -> Reply {
    Reply::Array(vec![
        bulk(id),
        Reply::Array(fields.iter().map(|f| bulk(f)).collect()),
    ])
}

/// A RESP2 XREAD reply for one stream.
fn read_reply(key: &str, entries: Vec<Reply>) -> Reply {
    Reply::Array(vec![Reply::Array(vec![bulk(key), Reply::Array(entries)])])
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn xread_block_is_served_by_xadd_to_an_existing_stream() {
    let mut h = Host::new();
    let (reader, writer) = (h.client(), h.client());
    h.run(writer, "XADD s 1-1 f old");
    h.block(reader, "XREAD BLOCK 0 STREAMS s $");
    h.run(writer, "XADD s 2-1 f new");
    assert_eq!(
        h.received(reader),
        vec![read_reply("s", vec![entry("2-1", &["f", "new"])])]
    );
    assert!(!h.server.is_blocked(reader));
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn xread_block_waits_for_entries_past_the_id_it_was_given() {
    let mut h = Host::new();
    let (reader, writer) = (h.client(), h.client());
    h.block(reader, "XREAD COUNT 1 BLOCK 0 STREAMS other s 0 5-0");
    // Entries at or before the ID do not serve it.
    h.run(writer, "XADD s 3-0 f v");
    assert!(h.received(reader).is_empty());
    h.run(writer, "XADD s 6-0 f v");
    h.run(writer, "XADD s 7-0 f v");
    assert_eq!(
        h.received(reader),
        vec![read_reply("s", vec![entry("6-0", &["f", "v"])])]
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn xread_block_times_out_and_can_be_unblocked() {
    let mut h = Host::new();
    let (reader, admin) = (h.client(), h.client());
    h.block(reader, "XREAD BLOCK 100 STREAMS s $");
    h.wait(50);
    assert!(h.received(reader).is_empty());
    h.wait(60);
    assert_eq!(h.received(reader), vec![Reply::NullArray]);
    h.block(reader, "XREAD BLOCK 0 STREAMS s $");
    let unblock = format!("CLIENT UNBLOCK {reader} ERROR");
    assert_eq!(h.run(admin, &unblock), Reply::Integer(1));
    assert_eq!(
        h.received(reader),
        vec![Reply::error(
            "UNBLOCKED client unblocked via CLIENT UNBLOCK"
        )]
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn waiters_are_served_after_exec() {
    let mut h = Host::new();
    let (reader, writer) = (h.client(), h.client());
    h.block(reader, "XREAD BLOCK 0 STREAMS s 0");
    h.run(writer, "MULTI");
    h.run(writer, "XADD s 1-0 a 1");
    h.run(writer, "XADD s 2-0 b 2");
    assert!(h.received(reader).is_empty());
    h.run(writer, "EXEC");
    assert_eq!(
        h.received(reader),
        vec![read_reply(
            "s",
            vec![entry("1-0", &["a", "1"]), entry("2-0", &["b", "2"])]
        )]
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn xreadgroup_block_delivers_to_one_consumer_each() {
    let mut h = Host::new();
    let (a, b, writer) = (h.client(), h.client(), h.client());
    h.run(writer, "XGROUP CREATE s g $ MKSTREAM");
    h.block(a, "XREADGROUP GROUP g alice BLOCK 0 STREAMS s >");
    h.block(b, "XREADGROUP GROUP g bob BLOCK 0 STREAMS s >");
    h.run(writer, "XADD s 1-0 f v");
    assert_eq!(
        h.received(a),
        vec![read_reply("s", vec![entry("1-0", &["f", "v"])])]
    );
    // The group's last ID moved past the entry: bob keeps waiting.
    assert!(h.received(b).is_empty());
    assert!(h.server.is_blocked(b));
    h.run(writer, "XADD s 2-0 f w");
    assert_eq!(
        h.received(b),
        vec![read_reply("s", vec![entry("2-0", &["f", "w"])])]
    );
    let pending = h.run(writer, "XPENDING s g");
    assert_eq!(
        pending,
        Reply::Array(vec![
            Reply::Integer(2),
            bulk("1-0"),
            bulk("2-0"),
            Reply::Array(vec![
                Reply::Array(vec![bulk("alice"), bulk("1")]),
                Reply::Array(vec![bulk("bob"), bulk("1")]),
            ]),
        ])
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn xreadgroup_waiters_learn_their_group_is_gone() {
    let mut h = Host::new();
    let (a, writer) = (h.client(), h.client());
    h.run(writer, "XGROUP CREATE s g $ MKSTREAM");
    h.block(a, "XREADGROUP GROUP g alice BLOCK 0 STREAMS s >");
    h.run(writer, "XGROUP DESTROY s g");
    assert_eq!(
        h.received(a),
        vec![Reply::error(
            "NOGROUP the consumer group this client was blocked on no longer exists"
        )]
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn xreadgroup_waiters_learn_their_stream_is_gone() {
    // Each way a stream can disappear under a blocked XREADGROUP, as Redis's
    // stream-cgroups tests exercise them.
    let ways: &[&[&str]] = &[
        &["DEL s"],
        &["SET s v"],
        &["MULTI", "DEL s", "SADD s e", "EXEC"],
        &["FLUSHALL"],
        &["FLUSHDB"],
        &["SWAPDB 0 4"],
    ];
    for way in ways {
        let mut h = Host::new();
        let (a, writer) = (h.client(), h.client());
        h.run(writer, "XGROUP CREATE s g $ MKSTREAM");
        h.block(a, "XREADGROUP GROUP g alice BLOCK 0 STREAMS s >");
        for line in *way {
            h.run(writer, line);
        }
        assert_eq!(
            h.received(a),
            vec![Reply::error("UNBLOCKED the stream key no longer exists")],
            "{way:?}"
        );
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn idle_times_follow_the_engine_clock() {
    let mut h = Host::new();
    let c = h.client();
    h.run(c, "XADD s 1-0 f v");
    h.run(c, "XADD s 2-0 f v");
    h.run(c, "XGROUP CREATE s g 0");
    h.run(c, "XREADGROUP GROUP g alice STREAMS s >");
    // Nothing has been idle for a minute yet.
    let none = h.run(c, "XAUTOCLAIM s g bob 60000 0");
    assert_eq!(
        none,
        Reply::Array(vec![
            bulk("0-0"),
            Reply::Array(vec![]),
            Reply::Array(vec![])
        ])
    );
    h.server.advance_clock(61_000);
    h.wait(0);
    let claimed = h.run(c, "XAUTOCLAIM s g bob 60000 0 JUSTID");
    assert_eq!(
        claimed,
        Reply::Array(vec![
            bulk("0-0"),
            Reply::Array(vec![bulk("1-0"), bulk("2-0")]),
            Reply::Array(vec![])
        ])
    );
    let pending = h.run(c, "XPENDING s g - + 10 bob");
    let Reply::Array(rows) = pending else {
        panic!("{pending:?}")
    };
    assert_eq!(rows.len(), 2);
    let consumers = h.run(c, "XINFO CONSUMERS s g");
    let Reply::Array(consumers) = consumers else {
        panic!()
    };
    let Reply::Map(alice) = &consumers[0] else {
        panic!()
    };
    assert_eq!(alice[2].1, Reply::Integer(61_000));
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn auto_ids_stay_monotonic_when_the_clock_goes_back() {
    let mut h = Host::new();
    let c = h.client();
    let first = h.run(c, "XADD s * f v");
    assert_eq!(first, bulk(&format!("{}-0", common::T0)));
    h.now -= 5_000;
    let second = h.run(c, "XADD s * f v");
    assert_eq!(second, bulk(&format!("{}-1", common::T0)));
    assert_eq!(h.run(c, "TYPE s"), Reply::simple("stream"));
    assert_eq!(h.run(c, "OBJECT ENCODING s"), bulk("stream"));
    assert_eq!(
        h.run(c, "LPUSH s x"),
        Reply::error("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn watch_sees_stream_writes() {
    let mut h = Host::new();
    let (a, b) = (h.client(), h.client());
    h.run(a, "XADD s 1-0 f v");
    h.run(a, "WATCH s");
    h.run(b, "XADD s 2-0 f v");
    h.run(a, "MULTI");
    h.run(a, "XLEN s");
    assert_eq!(h.run(a, "EXEC"), Reply::NullArray);
}

fn argv(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

/// The browser build blocks and serves clients like the native one.
#[wasm_bindgen_test]
fn blocking_xread_across_two_clients() {
    const T0: u64 = 1_700_000_000_000;
    let mut server = Server::new();
    let reader = server.connect(T0);
    let writer = server.connect(T0);
    assert!(server
        .execute(reader, argv("XREAD BLOCK 0 STREAMS s $"), T0)
        .is_empty());
    assert!(server.is_blocked(reader));
    assert_eq!(
        server.execute(writer, argv("XADD s 5-1 f v"), T0),
        vec![bulk("5-1")]
    );
    assert_eq!(
        server.take_outbound(reader),
        vec![read_reply("s", vec![entry("5-1", &["f", "v"])])]
    );
    assert!(!server.is_blocked(reader));
}
