//! The bundled libraries (cjson, cmsgpack, bit, struct), pcall, script errors and the two
//! limits, through EVAL. These run natively and, via wasm-bindgen-test, in headless browsers,
//! where Lua errors cross the engine's Rust code as wasm exceptions.

mod scripting_support;

use emulator::scripting::ScriptLimits;
use emulator::Reply;
use scripting_support::*;
#[cfg(not(target_arch = "wasm32"))]
use std::prelude::rust_2021::test as wasm_bindgen_test;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const HEX: &str = "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', string.byte(c)) end)) end ";

#[wasm_bindgen_test]
fn cjson_encodes_and_decodes_like_redis() {
    let mut r = Redis::new();
    assert_eq!(r.eval0("return cjson.encode({})"), bulk("{}"));
    assert_eq!(
        r.eval0("return cjson.encode({1, 'two', true})"),
        bulk("[1,\"two\",true]")
    );
    assert_eq!(r.eval0("return cjson.encode({a = {}})"), bulk("{\"a\":{}}"));
    assert_eq!(
        r.eval0("return cjson.encode('a/b\"')"),
        bulk("\"a\\/b\\\"\"")
    );
    assert_eq!(
        r.eval0("return cjson.encode(1/3)"),
        bulk("0.33333333333333")
    );
    assert_eq!(
        r.eval0("return table.concat(cjson.decode('[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]'), ' ')"),
        bulk("0 -5000 -1 0.0003 1023.2 0")
    );
    assert_eq!(
        r.eval0("return cjson.decode('[true, null, \"x\"]')[3]"),
        bulk("x")
    );
    assert_eq!(r.eval0("return cjson.decode('null') == cjson.null"), int(1));
    let e = error_text(&r.eval0("return cjson.encode({1, 2, [10] = 3, [20] = 4})"));
    assert!(
        e.starts_with(
            "ERR user_script:1: Cannot serialise table: excessively sparse array script:"
        ),
        "{e}"
    );
    let e = error_text(&r.eval0("return cjson.decode('[1, 2')"));
    assert!(
        e.starts_with(
            "ERR user_script:1: Expected comma or array end but found T_END at character 6"
        ),
        "{e}"
    );
    let e = error_text(&r.eval0("local t = {} t[1] = t return cjson.encode(t)"));
    assert!(
        e.contains("Cannot serialise, excessive nesting (1001)"),
        "{e}"
    );
    let e =
        error_text(&r.eval0("return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))"));
    assert!(
        e.contains("Found too many nested data structures (1001) at character 1001"),
        "{e}"
    );
    // Settings persist in the interpreter until SCRIPT FLUSH, as in Redis.
    r.eval0("cjson.encode_number_precision(3)");
    assert_eq!(r.eval0("return cjson.encode(1/3)"), bulk("0.333"));
    r.line("SCRIPT FLUSH");
    assert_eq!(
        r.eval0("return cjson.encode(1/3)"),
        bulk("0.33333333333333")
    );
}

#[wasm_bindgen_test]
fn cmsgpack_packs_and_unpacks_like_redis() {
    let mut r = Redis::new();
    assert_eq!(
        r.eval0(&format!("{HEX}return hex(cmsgpack.pack(0.1))")),
        bulk("cb3fb999999999999a")
    );
    assert_eq!(
        r.eval0(&format!("{HEX}return hex(cmsgpack.pack(-1099511627776))")),
        bulk("d3ffffff0000000000")
    );
    // A circular table is cut at 16 levels.
    assert_eq!(
        r.eval0(&format!(
            "{HEX}local a = {{}} a.x = a return hex(cmsgpack.pack(a))"
        )),
        bulk(&format!("{}c0", "81a178".repeat(16)))
    );
    assert_eq!(
        r.eval0("return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4}, true))}"),
        arr(vec![int(1), bulk("two"), arr(vec![int(3), int(4)]), int(1)])
    );
    assert_eq!(
        r.eval0(
            "local s = cmsgpack.pack('a', 'b') local o1, v1 = cmsgpack.unpack_one(s, 0) local o2, v2 = cmsgpack.unpack_one(s, o1) return {o1, v1, o2, v2}"
        ),
        arr(vec![int(2), bulk("a"), int(-1), bulk("b")])
    );
    let e = error_text(&r.eval0("return cmsgpack.unpack(string.char(0x92, 1))"));
    assert!(
        e.starts_with("ERR user_script:1: Missing bytes in input. script:"),
        "{e}"
    );
    let e = error_text(&r.eval0("return cmsgpack.pack()"));
    assert!(
        e.contains("bad argument #0 to 'pack' (MessagePack pack needs input.)"),
        "{e}"
    );
}

#[wasm_bindgen_test]
fn bit_operations_are_32_bit() {
    let mut r = Redis::new();
    assert_eq!(
        r.eval0("return {bit.tobit(2^32 + 1), bit.bnot(0), bit.band(0xff, 0x0f), bit.bor(1, 2, 4), bit.bxor(1, 2)}"),
        arr(vec![int(1), int(-1), int(15), int(7), int(3)])
    );
    assert_eq!(
        r.eval0("return {bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-1, 28), bit.rol(0x12345678, 8), bit.bswap(0x12345678)}"),
        arr(vec![int(-2147483648), int(15), int(-1), int(878082066), int(2018915346)])
    );
    assert_eq!(
        r.eval0("return {bit.tohex(255), bit.tohex(-1), bit.tohex(255, -4)}"),
        arr(vec![bulk("000000ff"), bulk("ffffffff"), bulk("00FF")])
    );
    let e = error_text(&r.eval0("return bit.band()"));
    assert!(
        e.starts_with(
            "ERR user_script:1: bad argument #1 to 'band' (number expected, got no value) script:"
        ),
        "{e}"
    );
}

#[wasm_bindgen_test]
fn struct_packs_and_unpacks() {
    let mut r = Redis::new();
    assert_eq!(
        r.eval0(&format!("{HEX}return {{hex(struct.pack('>i2', 1)), hex(struct.pack('<I4', 3735928559)), hex(struct.pack('!4 b i', 1, 2))}}")),
        arr(vec![bulk("0001"), bulk("efbeadde"), bulk("0100000002000000")])
    );
    assert_eq!(
        r.eval0("return {struct.unpack('>i2 s', string.char(0, 1) .. 'ab' .. string.char(0))}"),
        arr(vec![int(1), bulk("ab"), int(6)])
    );
    assert_eq!(r.eval0("return struct.size('i4 h')"), int(6));
    let e = error_text(&r.eval0("return struct.pack('q')"));
    assert!(
        e.contains("bad argument #1 to 'pack' (invalid format option 'q')"),
        "{e}"
    );
    let e = error_text(&r.eval0("return struct.unpack('i', 'ab')"));
    assert!(
        e.contains("bad argument #2 to 'unpack' (data string too short)"),
        "{e}"
    );
}

#[wasm_bindgen_test]
fn pcall_and_errors() {
    let mut r = Redis::new();
    assert_eq!(
        r.eval0("local ok, e = pcall(error, {err = 'table message'}) return {tostring(ok), e}"),
        arr(vec![bulk("false"), bulk("table message")])
    );
    assert_eq!(
        r.eval0("local ok, e = pcall(cjson.decode, 'x') return e"),
        bulk("Expected value but found invalid token at character 1")
    );
    assert_eq!(
        r.eval0("error('boom')"),
        err("ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on @user_script:1.")
    );
    assert_eq!(
        r.eval0("return redis.call('nosuch')"),
        err("ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.")
    );
    assert_eq!(
        r.eval0("x = 1"),
        err("ERR user_script:1: Attempt to modify a readonly table script: 34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.")
    );
    assert_eq!(
        r.eval0("return redis.error_reply('MY error')"),
        err("MY error")
    );
}

#[wasm_bindgen_test]
fn memory_cap_and_runaway_scripts() {
    let mut r = Redis::new();
    r.server.set_script_limits(ScriptLimits {
        memory_bytes: 8 << 20,
        ..ScriptLimits::default()
    });
    assert_eq!(r.line("CONFIG SET lua-time-limit 20"), Reply::ok());
    let e = error_text(
        &r.eval0("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1024) .. i end"),
    );
    assert!(e.ends_with("not enough memory"), "{e}");
    assert_eq!(r.eval0("return 'still ' .. 'alive'"), bulk("still alive"));
    let e = error_text(&r.killed(
        "EVAL \"while true do pcall(function() while true do end end) end\" 0",
        "SCRIPT KILL",
    ));
    assert!(
        e.starts_with("ERR Script killed by user with SCRIPT KILL..."),
        "{e}"
    );
    assert_eq!(r.eval0("return 1 + 1"), int(2));
    assert_eq!(r.line("PING"), Reply::simple("PONG"));
}
