//! Builds Lua 5.4 from the sources shipped by the `lua-src` crate, for every target.
//!
//! mlua's own `vendored` feature cannot build for `wasm32-unknown-unknown` today (its pinned
//! lua-src predates wasm support), so mlua-sys is used with `external` and Lua is built here.
//! For wasm32 the C code is compiled by clang against wasi-libc's headers, with LLVM's wasm
//! exception handling doing the work of setjmp/longjmp; `wasm-support/` provides the small
//! pieces wasi-libc lacks.
//!
//! It also generates the command table from `commands/redis-7.0.json`.

use std::env;
use std::path::PathBuf;

#[path = "build/command_table.rs"]
mod command_table;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-changed=commands/redis-7.0.json");
    let json = std::fs::read_to_string("commands/redis-7.0.json").expect("command table");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("command_table.rs");
    std::fs::write(out, command_table::generate(&json)).expect("write command table");

    println!("cargo:rerun-if-changed=wasm-support");
    let target = env::var("TARGET").expect("cargo sets TARGET");
    if target == "wasm32-unknown-unknown" {
        build_wasm_support();
    }
    let artifacts = lua_src::Build::new().build(lua_src::Lua54);
    artifacts.print_cargo_metadata();
}

/// Compiles the setjmp/longjmp runtime that Lua's error handling needs on wasm, and points the
/// linker at wasi-libc (string formatting, strtod, math) and its emulated-signal library.
fn build_wasm_support() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let support = manifest.join("wasm-support");
    let wasi_lib = env::var("WASI_LIBC_LIB").unwrap_or_else(|_| "/usr/lib/wasm32-wasi".into());
    cc::Build::new()
        .file(support.join("sjlj_runtime.c"))
        .include(support.join("include"))
        .flag("-mllvm")
        .flag("-wasm-enable-eh")
        .flag("-mllvm")
        .flag("-wasm-enable-sjlj")
        .flag("-mexception-handling")
        .warnings(false)
        // lua-src itself asks to link "setjmp"; only tell the linker where the archive is.
        .cargo_metadata(false)
        .compile("setjmp");
    println!(
        "cargo:rustc-link-search=native={}",
        env::var("OUT_DIR").unwrap()
    );
    println!("cargo:rustc-link-search=native={wasi_lib}");
    println!("cargo:rustc-link-lib=static=c");
}
