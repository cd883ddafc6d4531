//! FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL/HELP and FCALL/FCALL_RO.

mod scripting_support;

use emulator::Reply;
use scripting_support::*;

fn code(library: &str, function: &str, body: &str) -> String {
    format!(
        "#!lua name={library}\nredis.register_function('{function}', function(KEYS, ARGV)\n {body} \nend)"
    )
}

fn load(r: &mut Redis, code: &str) -> Reply {
    r.cmd(&["FUNCTION", "LOAD", code])
}

#[test]
fn load_call_replace_delete() {
    let mut r = Redis::new();
    assert_eq!(
        load(&mut r, &code("test", "test", "return 'hello'")),
        bulk("test")
    );
    assert_eq!(r.line("FCALL test 0"), bulk("hello"));
    assert_eq!(r.line("FCALL TEST 0"), bulk("hello"));
    assert_eq!(
        load(&mut r, &code("test", "test", "return 'again'")),
        err("ERR Library 'test' already exists")
    );
    assert_eq!(
        r.cmd(&[
            "FUNCTION",
            "LOAD",
            "REPLACE",
            &code("test", "test", "return 'hello1'")
        ]),
        bulk("test")
    );
    assert_eq!(r.line("FCALL test 0"), bulk("hello1"));
    // A failing replacement keeps the old library.
    let e = error_text(&r.cmd(&["FUNCTION", "LOAD", "REPLACE", "#!lua name=test\nerror('x')"]));
    // Library code sees only the `redis` load API: even `error` is out of reach.
    assert_eq!(e, "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'error'");
    assert_eq!(r.line("FCALL test 0"), bulk("hello1"));
    assert_eq!(r.line("FUNCTION DELETE test"), Reply::ok());
    assert_eq!(r.line("FCALL test 0"), err("ERR Function not found"));
    assert_eq!(r.line("FUNCTION DELETE test"), err("ERR Library not found"));
}

#[test]
fn fcall_arguments_and_flags() {
    let mut r = Redis::new();
    load(
        &mut r,
        "#!lua name=kv\n\
         redis.register_function('setkv', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n\
         redis.register_function{function_name='getkv', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}\n\
         redis.register_function{function_name='badwrite', callback=function() return redis.call('set', 'x', 1) end, flags={'no-writes'}}",
    );
    assert_eq!(r.line("FCALL setkv 1 x foo"), Reply::ok());
    assert_eq!(r.line("FCALL_RO getkv 1 x"), bulk("foo"));
    assert_eq!(
        r.line("FCALL_RO setkv 1 x bar"),
        err("ERR Can not execute a script with write flag using *_ro command.")
    );
    assert_eq!(
        r.line("FCALL badwrite 0"),
        err("ERR Write commands are not allowed from read-only scripts. script: badwrite, on @user_function:4.")
    );
    assert_eq!(
        r.line("FCALL setkv x"),
        err("ERR Bad number of keys provided")
    );
    assert_eq!(
        r.line("FCALL setkv 10 key1"),
        err("ERR Number of keys can't be greater than number of args")
    );
    assert_eq!(
        r.line("FCALL setkv -1 key1"),
        err("ERR Number of keys can't be negative")
    );
    assert_eq!(r.line("FCALL nosuch x"), err("ERR Function not found"));
}

#[test]
fn library_code_sees_only_the_load_api() {
    let mut r = Redis::new();
    for (body, expected) in [
        ("return math.random()", "nonexistent global variable 'math'"),
        (
            "return redis.call('ping')",
            "nonexistent global variable 'call'",
        ),
        (
            "return redis.setresp(3)",
            "nonexistent global variable 'setresp'",
        ),
        ("a = 1", "Attempt to modify a readonly table"),
    ] {
        let e = error_text(&load(&mut r, &format!("#!lua name=lib2\n{body}")));
        assert!(e.contains(expected), "{body}: {e}");
    }
    // At run time the full API is there, and the load API is not.
    load(
        &mut r,
        "#!lua name=lib\nredis.register_function('f1', function()\n  redis.register_function('f2', function() return 2 end)\n  return 1\nend)",
    );
    let e = error_text(&r.line("FCALL f1 0"));
    // As Redis (Lua 5.1) words it.
    assert!(
        e.contains("attempt to call field 'register_function' (a nil value)"),
        "{e}"
    );
    // The load API table kept by the library cannot register outside FUNCTION LOAD.
    load(
        &mut r,
        "#!lua name=malicious\nlocal lib = redis\nlib.register_function('m2', function()\n  lib.register_function('m1', function() return 1 end)\nend)",
    );
    let e = error_text(&r.line("FCALL m2 0"));
    assert!(
        e.starts_with("ERR redis.register_function can only be called on FUNCTION LOAD command"),
        "{e}"
    );
}

#[test]
fn registration_errors() {
    let mut r = Redis::new();
    for (body, expected) in [
        ("redis.register_function()", "wrong number of arguments to redis.register_function"),
        ("redis.register_function('f1')", "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."),
        ("redis.register_function(nil, function() end)", "first argument to redis.register_function must be a string"),
        ("redis.register_function('f', 'x')", "second argument to redis.register_function must be a function"),
        ("redis.register_function('a-b', function() end)", "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"),
        ("redis.register_function('f', function() end) redis.register_function('f', function() end)", "Function already exists in the library"),
        ("redis.register_function{function_name='f', callback=function() end, flags={'nope'}}", "unknown flag given"),
        ("redis.register_function{function_name='f', callback=function() end, x=1}", "unknown argument given to redis.register_function"),
        ("return 1", "No functions registered"),
    ] {
        let e = error_text(&load(&mut r, &format!("#!lua name=lib\n{body}")));
        assert!(e.ends_with(expected), "{body}: {e}");
    }
    assert_eq!(
        load(&mut r, "#!lua name=lib\nlocal = 1"),
        err("ERR Error compiling function: user_function:2: '<name>' expected near '='")
    );
    assert_eq!(
        load(&mut r, "#!lua\nreturn 1"),
        err("ERR Library name was not given")
    );
    assert_eq!(
        load(&mut r, "return 1"),
        err("ERR Missing library metadata")
    );
    assert_eq!(
        load(&mut r, "#!js name=x\n"),
        err("ERR Engine 'js' not found")
    );
}

#[test]
fn list_stats_and_help() {
    let mut r = Redis::new();
    assert_eq!(r.line("FUNCTION LIST"), arr(vec![]));
    load(
        &mut r,
        "#!lua name=library1\nredis.register_function{function_name='f6', callback=function() return 7 end, description='seven', flags={'no-writes', 'allow-oom'}}",
    );
    let listed = r.line("FUNCTION LIST WITHCODE");
    let Reply::Array(libraries) = listed else {
        panic!("an array")
    };
    let Reply::Map(fields) = &libraries[0] else {
        panic!("a map")
    };
    assert_eq!(fields[0], (bulk("library_name"), bulk("library1")));
    assert_eq!(fields[1], (bulk("engine"), bulk("LUA")));
    assert_eq!(
        fields[2].1,
        arr(vec![Reply::Map(vec![
            (bulk("name"), bulk("f6")),
            (bulk("description"), bulk("seven")),
            (
                bulk("flags"),
                Reply::Set(vec![Reply::simple("no-writes"), Reply::simple("allow-oom")])
            ),
        ])])
    );
    assert_eq!(fields[3].0, bulk("library_code"));
    assert_eq!(r.line("FUNCTION LIST LIBRARYNAME nomatch*"), arr(vec![]));
    assert_eq!(
        r.line("FUNCTION LIST LIBRARYNAME"),
        err("ERR library name argument was not given")
    );
    assert_eq!(
        r.line("FUNCTION STATS"),
        Reply::Map(vec![
            (bulk("running_script"), Reply::Null),
            (
                bulk("engines"),
                Reply::Map(vec![(
                    bulk("LUA"),
                    Reply::Map(vec![
                        (bulk("libraries_count"), int(1)),
                        (bulk("functions_count"), int(1)),
                    ])
                )])
            ),
        ])
    );
    assert_eq!(
        r.line("FUNCTION KILL"),
        err("NOTBUSY No scripts in execution right now.")
    );
    let Reply::Array(help) = r.line("FUNCTION HELP") else {
        panic!("help is an array")
    };
    assert_eq!(help.len(), 40);
    assert_eq!(
        r.line("FUNCTION FLUSH sync extra"),
        err("ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.")
    );
}

#[test]
fn dump_matches_redis_and_restores() {
    let mut r = Redis::new();
    load(&mut r, &code("test", "test", "return 'hello'"));
    // The payload Redis 7.0.15 produces for this library (stored without compression).
    let expected: &[u8] = b"\xf5@Z#!lua name=test\nredis.register_function('test', function(KEYS, ARGV)\n return 'hello' \nend)\n\x00\xdcGy\xb5CD\xe52";
    assert_eq!(r.line("FUNCTION DUMP"), Reply::bulk(expected));
    assert_eq!(r.line("FUNCTION FLUSH"), Reply::ok());
    assert_eq!(
        r.cmd(&[&b"FUNCTION"[..], b"RESTORE", expected]),
        Reply::ok()
    );
    assert_eq!(r.line("FCALL test 0"), bulk("hello"));
    assert_eq!(
        r.cmd(&[&b"FUNCTION"[..], b"RESTORE", expected]),
        err("ERR Library test already exists")
    );
    assert_eq!(
        r.cmd(&[&b"FUNCTION"[..], b"RESTORE", expected, b"REPLACE"]),
        Reply::ok()
    );
    assert_eq!(
        r.line("FUNCTION RESTORE bad_payload"),
        err("ERR DUMP payload version or checksum are wrong")
    );
    assert_eq!(
        r.cmd(&[&b"FUNCTION"[..], b"RESTORE", expected, b"MAYBE"]),
        err("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
    );

    // Several libraries, one compressed, round-trip; a function clash rolls back.
    let long = "x".repeat(200);
    load(&mut r, &code("big", "big", &format!("return '{long}'")));
    let Reply::Bulk(payload) = r.line("FUNCTION DUMP") else {
        panic!("a bulk payload")
    };
    assert!(payload.len() < 200, "the long library is compressed");
    r.line("FUNCTION FLUSH");
    load(&mut r, &code("other", "big", "return 'clash'"));
    assert_eq!(
        r.cmd(&[&b"FUNCTION"[..], b"RESTORE", &payload]),
        err("ERR Function big already exists")
    );
    assert_eq!(r.line("FCALL big 0"), bulk("clash"));
    assert_eq!(
        r.cmd(&[&b"FUNCTION"[..], b"RESTORE", &payload, b"FLUSH"]),
        Reply::ok()
    );
    assert_eq!(r.line("FCALL big 0"), bulk(&long));
    assert_eq!(r.line("FCALL test 0"), bulk("hello"));
}

#[test]
fn function_errors_name_the_function() {
    let mut r = Redis::new();
    load(
        &mut r,
        "#!lua name=errs\nredis.register_function('boom', function()\n  error('boom')\nend)\nredis.register_function('spin', function() while true do end end)",
    );
    assert_eq!(
        r.line("FCALL boom 0"),
        err("ERR user_function:3: boom script: boom, on @user_function:3.")
    );
    assert_eq!(r.line("CONFIG SET busy-reply-threshold 10"), Reply::ok());
    assert_eq!(
        r.killed("FCALL spin 0", "FUNCTION KILL"),
        err("ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:5.")
    );
    assert!(r.line("FCALL boom 0").is_error());
}

#[test]
fn long_library_code_is_stopped_like_the_load_timeout() {
    let mut r = Redis::new();
    assert_eq!(
        load(
            &mut r,
            "#!lua name=lib\nlocal a = 1\nwhile 1 do a = a + 1 end"
        ),
        err("ERR Error registering functions: ERR FUNCTION LOAD timeout")
    );
    assert_eq!(load(&mut r, &code("lib", "f", "return 1")), bulk("lib"));
}
