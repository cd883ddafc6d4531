//! Lua inside the engine: these run natively and, via wasm-bindgen-test, in headless browsers,
//! proving that Lua's C code, its error handling (setjmp/longjmp over wasm exceptions) and the
//! engine's limits all work in the page.

use emulator::scripting::{LuaVm, VmLimits, BUDGET_EXCEEDED};
#[cfg(not(target_arch = "wasm32"))]
use std::prelude::rust_2021::test as wasm_bindgen_test;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn vm() -> LuaVm {
    LuaVm::new(VmLimits {
        memory_bytes: 8 << 20,
        instruction_budget: 5_000_000,
        ..VmLimits::default()
    })
    .unwrap()
}

#[wasm_bindgen_test]
fn runs_a_chunk_and_formats_numbers_like_c() {
    let vm = vm();
    let s: String = vm
        .run(
            "chunk",
            "return string.format('%d %5.2f %g %e %q', 42, 3.14159, 1e20, 0.5, 'a\\nb')",
        )
        .unwrap();
    assert_eq!(s, "42  3.14 1e+20 5.000000e-01 \"a\\\nb\"");
    let n: i64 = vm
        .run(
            "chunk",
            "local t = {} for i = 1, 100 do t[i] = i end return #t",
        )
        .unwrap();
    assert_eq!(n, 100);
    let x: f64 = vm
        .run("chunk", "return tonumber('  0x10  ') + tonumber('1.5e3')")
        .unwrap();
    assert_eq!(x, 1516.0);
}

#[wasm_bindgen_test]
fn pcall_catches_lua_errors() {
    let vm = vm();
    let (ok, msg): (bool, String) = vm
        .run("chunk", "return pcall(function() error('boom') end)")
        .unwrap();
    assert!(!ok);
    assert!(msg.ends_with("boom"), "{msg}");
    let (ok, kind): (bool, String) = vm
        .run(
            "chunk",
            "local ok, e = pcall(function() error({code = 7}) end) return ok, type(e)",
        )
        .unwrap();
    assert!(!ok);
    assert_eq!(kind, "table");
}

#[wasm_bindgen_test]
fn uncaught_lua_error_surfaces_as_an_error_and_the_vm_lives_on() {
    let vm = vm();
    let err = vm
        .run::<()>("@user_script", "local x = nil; return x.field")
        .unwrap_err();
    assert!(
        err.to_string().contains("attempt to index a nil value"),
        "{err}"
    );
    let n: i64 = vm.run("chunk", "return 1 + 1").unwrap();
    assert_eq!(n, 2);
}

#[wasm_bindgen_test]
fn errors_from_rust_callbacks_reach_lua_and_rust() {
    let vm = vm();
    let lua = vm.lua();
    let fail = lua
        .create_function(|_, what: String| -> mlua::Result<()> {
            Err(mlua::Error::runtime(format!("rust says no to {what}")))
        })
        .unwrap();
    lua.globals().set("fail", fail).unwrap();
    // Caught inside Lua with pcall...
    let (ok, msg): (bool, String) = vm
        .run(
            "chunk",
            "local ok, e = pcall(fail, 'pcall') return ok, tostring(e)",
        )
        .unwrap();
    assert!(!ok);
    assert!(msg.contains("rust says no to pcall"), "{msg}");
    // ...and, uncaught, returned to Rust as an error.
    let err = vm.run::<()>("chunk", "fail('rust')").unwrap_err();
    assert!(err.to_string().contains("rust says no to rust"), "{err}");
    let n: i64 = vm.run("chunk", "return 40 + 2").unwrap();
    assert_eq!(n, 42);
}

#[wasm_bindgen_test]
fn memory_limit_stops_allocation_cleanly() {
    let vm = vm();
    let err = vm
        .run::<()>(
            "chunk",
            "local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1024) .. i end",
        )
        .unwrap_err();
    assert!(matches!(err, mlua::Error::MemoryError(_)), "{err:?}");
    let s: String = vm.run("chunk", "return 'still ' .. 'alive'").unwrap();
    assert_eq!(s, "still alive");
}

#[wasm_bindgen_test]
fn instruction_budget_stops_runaway_loops() {
    let vm = vm();
    let err = vm.run::<()>("chunk", "while true do end").unwrap_err();
    assert!(err.to_string().contains(BUDGET_EXCEEDED), "{err}");
    // The budget is per run: the next script gets a full one.
    let n: i64 = vm
        .run(
            "chunk",
            "local s = 0 for i = 1, 1000 do s = s + i end return s",
        )
        .unwrap();
    assert_eq!(n, 500500);
}

#[wasm_bindgen_test]
fn coroutines_work() {
    let vm = vm();
    let s: String = vm
        .run(
            "chunk",
            "local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) error('in co ' .. b) end)
             local first = co(1)
             local ok, err = pcall(co, 'x')
             return first .. ' ' .. tostring(ok) .. ' ' .. err",
        )
        .unwrap();
    assert!(s.starts_with("2 false") && s.ends_with("in co x"), "{s}");
}
