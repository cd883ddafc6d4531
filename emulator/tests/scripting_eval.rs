//! EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT: replies, conversions, errors, the sandbox,
//! the limits that replace Redis's BUSY/SCRIPT KILL, and the places where Lua 5.4 necessarily
//! differs from Redis's Lua 5.1 (each stated next to the 5.1 result).

mod scripting_support;

use emulator::scripting::ScriptLimits;
use emulator::Reply;
use scripting_support::*;

const SHA_GET: &str = "fd758d1589d044dd850a6f05d52f2eefd27f033f";

#[test]
fn lua_values_become_replies() {
    let mut r = Redis::new();
    assert_eq!(r.eval0("return 'hello'"), bulk("hello"));
    assert_eq!(r.eval0("return 100.5"), int(100));
    assert_eq!(r.eval0("return -3.99"), int(-3));
    assert_eq!(r.eval0("return 1e30"), int(i64::MIN));
    assert_eq!(r.eval0("return 0/0"), int(i64::MIN));
    assert_eq!(r.eval0("return true"), int(1));
    assert_eq!(r.eval0("return false"), Reply::Null);
    assert_eq!(r.eval0("return nil"), Reply::Null);
    assert_eq!(
        r.eval0("return {1, 2, 3, 'ciao', {1, 2}}"),
        arr(vec![
            int(1),
            int(2),
            int(3),
            bulk("ciao"),
            arr(vec![int(1), int(2)])
        ])
    );
    // Arrays stop at the first nil; false is a null element.
    assert_eq!(r.eval0("return {1, nil, 3}"), arr(vec![int(1)]));
    assert_eq!(
        r.eval0("return {1, false, 3}"),
        arr(vec![int(1), Reply::Null, int(3)])
    );
    assert_eq!(r.eval0("return {ok = 'fine'}"), Reply::simple("fine"));
    assert_eq!(r.eval0("return {ok = 'a\\r\\nb'}"), Reply::simple("a  b"));
    assert_eq!(
        r.eval0("return {err = 'ERR this is an error'}"),
        err("ERR this is an error")
    );
    assert_eq!(r.eval0("return {err = 'no code'}"), err("no code"));
    assert_eq!(r.eval0("return {double = 3.5}"), Reply::Double(3.5));
    assert_eq!(
        r.eval0("return {big_number = '123'}"),
        Reply::BigNumber("123".into())
    );
    assert_eq!(
        r.eval0("return {verbatim_string = {format = 'txt', string = 'hi'}}"),
        Reply::Verbatim("txt", b"hi".to_vec())
    );
    assert_eq!(
        r.eval0("return {map = {a = 1}}"),
        Reply::Map(vec![(bulk("a"), int(1))])
    );
    assert_eq!(
        r.eval0("return {set = {a = true}}"),
        Reply::Set(vec![bulk("a")])
    );
    // Fields are read raw: metatables play no part.
    assert_eq!(
        r.eval0("local a = {} setmetatable(a, {__index = function() error('no') end}) return a"),
        arr(vec![])
    );
    assert_eq!(r.eval0("return _G"), arr(vec![]));
}

#[test]
fn resp3_scripts_return_resp3_types() {
    let mut r = Redis::new();
    assert_eq!(
        r.eval0("redis.setresp(3) return {true, false}"),
        arr(vec![Reply::Boolean(true), Reply::Boolean(false)])
    );
    assert_eq!(
        r.eval0("redis.setresp(3) return {type(redis.call('get', 'nokey'))}"),
        arr(vec![bulk("nil")])
    );
    assert_eq!(
        r.eval0("redis.setresp(2) return {type(redis.call('get', 'nokey'))}"),
        arr(vec![bulk("boolean")])
    );
    let e = error_text(&r.eval0("return redis.setresp(4)"));
    assert!(
        e.starts_with("ERR RESP version must be 2 or 3. script: "),
        "{e}"
    );
}

#[test]
fn keys_and_argv_are_passed() {
    let mut r = Redis::new();
    assert_eq!(
        r.eval(
            "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}",
            &["a{t}", "b{t}"],
            &["c{t}", "d{t}"]
        ),
        arr(vec![bulk("a{t}"), bulk("b{t}"), bulk("c{t}"), bulk("d{t}")])
    );
    assert_eq!(
        r.line("EVAL \"return 1\" -12"),
        err("ERR Number of keys can't be negative")
    );
    assert_eq!(
        r.line("EVAL \"return 1\" 2 a"),
        err("ERR Number of keys can't be greater than number of args")
    );
    assert_eq!(
        r.line("EVAL \"return 1\" x"),
        err("ERR value is not an integer or out of range")
    );
}

#[test]
fn redis_call_converts_replies_and_errors() {
    let mut r = Redis::new();
    r.line("SET mykey myval");
    assert_eq!(
        r.eval("return redis.call('get', KEYS[1])", &["mykey"], &[]),
        bulk("myval")
    );
    assert_eq!(
        r.eval0("local foo = redis.pcall('get', 'nokey') return {type(foo), foo == false}"),
        arr(vec![bulk("boolean"), int(1)])
    );
    assert_eq!(
        r.eval0("local foo = redis.pcall('set', 'k', 'v') return {type(foo), foo['ok']}"),
        arr(vec![bulk("table"), bulk("OK")])
    );
    let e = error_text(&r.eval0("return redis.call('set', 'k', 'v', 'bad')"));
    assert!(e.starts_with("ERR syntax error script: "), "{e}");
    assert!(e.ends_with(", on @user_script:1."), "{e}");
    assert_eq!(
        r.eval0("return redis.pcall('nosuchcommand')"),
        err("ERR Unknown Redis command called from script")
    );
    assert_eq!(
        r.eval0("return redis.pcall('get', 'a', 'b')"),
        err("ERR Wrong number of args calling Redis command from script")
    );
    assert_eq!(
        r.eval0("return redis.pcall('eval', 'return 1', 0)"),
        err("ERR This Redis command is not allowed from script")
    );
    assert_eq!(
        r.eval0("return redis.pcall('get', {})"),
        err("ERR Lua redis lib command arguments must be strings or integers")
    );
    assert_eq!(
        r.eval0("return redis.pcall()"),
        err("ERR Please specify at least one argument for this redis lib call")
    );
    // Numbers are sent with %.17g, as Lua 5.1's doubles.
    assert_eq!(
        r.eval0("redis.call('set', 'n', 3.14) return redis.call('get', 'n')"),
        bulk("3.1400000000000001")
    );
    assert_eq!(
        r.eval0("redis.call('set', 'n', 9007199254740993) return redis.call('get', 'n')"),
        bulk("9007199254740992")
    );
}

#[test]
fn read_only_scripts_refuse_writes() {
    let mut r = Redis::new();
    r.line("SET foo bar");
    assert_eq!(
        r.line("EVAL_RO \"return redis.call('get', KEYS[1])\" 1 foo"),
        bulk("bar")
    );
    let e = error_text(&r.line("EVAL_RO \"redis.call('set', KEYS[1], 'x')\" 1 foo"));
    assert!(
        e.starts_with("ERR Write commands are not allowed from read-only scripts."),
        "{e}"
    );
    assert_eq!(
        r.eval0("#!lua flags=no-writes\nreturn redis.pcall('set', 'x', 'y')"),
        err("ERR Write commands are not allowed from read-only scripts.")
    );
    assert_eq!(
        r.line("EVAL_RO \"#!lua\nreturn 1\" 0"),
        err("ERR Can not execute a script with write flag using *_ro command.")
    );
    assert_eq!(
        r.line("EVAL_RO \"#!lua flags=no-writes\nreturn 1\" 0"),
        int(1)
    );
}

#[test]
fn shebang_errors() {
    let mut r = Redis::new();
    assert_eq!(r.eval0("#!lua"), err("ERR Invalid script shebang"));
    assert_eq!(
        r.eval0("#!python\nreturn 1"),
        err("ERR Unexpected engine in script shebang: #!python")
    );
    assert_eq!(
        r.eval0("#!lua flags=nope\nreturn 1"),
        err("ERR Unexpected flag in script shebang: nope")
    );
    assert_eq!(
        r.eval0("#!lua name=x\nreturn 1"),
        err("ERR Unknown lua shebang option: name=x")
    );
    assert_eq!(
        r.eval0("#!lua \"x\nreturn 1"),
        err("ERR Invalid engine in script shebang")
    );
    // The shebang's newline stays, so line numbers are the script's.
    let e = error_text(&r.eval0("#!lua\n\nerror('here')"));
    assert!(e.starts_with("ERR user_script:3: here script: "), "{e}");
}

#[test]
fn script_cache_commands() {
    let mut r = Redis::new();
    r.line("SET mykey myval");
    assert_eq!(
        r.line(&format!("EVALSHA {SHA_GET} 1 mykey")),
        err("NOSCRIPT No matching script. Please use EVAL.")
    );
    assert_eq!(
        r.line("SCRIPT LOAD \"return redis.call('get',KEYS[1])\""),
        bulk(SHA_GET)
    );
    assert_eq!(r.line(&format!("EVALSHA {SHA_GET} 1 mykey")), bulk("myval"));
    assert_eq!(
        r.line(&format!("EVALSHA {} 1 mykey", SHA_GET.to_uppercase())),
        bulk("myval")
    );
    assert_eq!(
        r.line("EVALSHA NotValidShaSUM 0"),
        err("NOSCRIPT No matching script. Please use EVAL.")
    );
    assert_eq!(
        r.line(&format!(
            "SCRIPT EXISTS {SHA_GET} {} ffff",
            SHA_GET.to_uppercase()
        )),
        arr(vec![int(1), int(1), int(0)])
    );
    assert_eq!(r.line("SCRIPT FLUSH ASYNC"), Reply::ok());
    assert_eq!(
        r.line(&format!("SCRIPT EXISTS {SHA_GET}")),
        arr(vec![int(0)])
    );
    assert_eq!(
        r.line("SCRIPT FLUSH now"),
        err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    );
    assert_eq!(
        r.line("SCRIPT LOAD \"return 1 +\""),
        err("ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'")
    );
    assert_eq!(
        r.line("SCRIPT KILL"),
        err("NOTBUSY No scripts in execution right now.")
    );
    let Reply::Array(help) = r.line("SCRIPT HELP") else {
        panic!("help is an array")
    };
    assert_eq!(
        help[0],
        Reply::simple("SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
    );
    assert_eq!(help.len(), 17);
    assert_eq!(r.server.scripting_stats().cached_scripts, 0);
    r.eval0("return 1");
    assert_eq!(r.server.scripting_stats().cached_scripts, 1);
}

#[test]
fn errors_name_the_script_and_line() {
    let mut r = Redis::new();
    assert_eq!(
        r.eval0("return x"),
        err("ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1.")
    );
    assert_eq!(
        r.eval0("error({err='MY code'})"),
        err("MY code script: 179186c986fb9fbacf8009365285538a7c73a5a7, on @user_script:1.")
    );
    assert_eq!(
        r.eval0("error(nil)"),
        err("ERR nil script: c402aa49952c86c38f35fb311d54977d08f3bf01, on @user_script:1.")
    );
    // A redis.call error in a tail call still reports the calling line.
    let e = error_text(&r.eval0("local x = 1\nreturn redis.call('nosuch')"));
    assert!(e.ends_with(", on @user_script:2."), "{e}");
    // Redis 7.0.15 crashes on an error table without a message; the engine answers instead.
    let e = error_text(&r.eval0("error({})"));
    assert!(e.starts_with("ERR Error running script "), "{e}");
    assert_eq!(r.eval0("return 1"), int(1));
}

#[test]
fn the_sandbox_is_read_only() {
    let mut r = Redis::new();
    for script in [
        "a = 10",
        "string.x = 1",
        "redis.call = nil",
        "cjson.encode = nil",
        "local g = getmetatable(_G) g.__index = {}",
        "getmetatable('').__index = {}",
    ] {
        let e = error_text(&r.eval0(script));
        assert!(
            e.contains("Attempt to modify a readonly table"),
            "{script}: {e}"
        );
    }
    for script in [
        "rawset(_G, 'a', 1)",
        "setmetatable(_G, {})",
        "rawset(string, 'x', 1)",
    ] {
        let e = error_text(&r.eval0(script));
        assert!(
            e.starts_with("ERR Attempt to modify a readonly table script:"),
            "{script}: {e}"
        );
    }
    for name in [
        "print", "os", "io", "debug", "require", "package", "loadfile", "dofile",
    ] {
        let e = error_text(&r.eval0(&format!("return {name}")));
        assert!(
            e.contains(&format!("nonexistent global variable '{name}'")),
            "{name}: {e}"
        );
    }
    // The real library tables cannot be reached through the string metatable either.
    assert_eq!(
        r.eval0("return rawequal(getmetatable('').__index, string)"),
        int(1)
    );
    // KEYS and ARGV are plain tables, as in Redis.
    assert_eq!(
        r.eval("KEYS[1] = 'changed' return KEYS[1]", &["k"], &[]),
        bulk("changed")
    );
}

#[test]
fn lua51_compatibility() {
    let mut r = Redis::new();
    assert_eq!(r.eval0("return _VERSION"), bulk("Lua 5.1"));
    assert_eq!(
        r.eval0("return {unpack({1, 2, 3})}"),
        arr(vec![int(1), int(2), int(3)])
    );
    assert_eq!(r.eval0("return loadstring('return 1 + 1')()"), int(2));
    assert_eq!(r.eval0("return tostring(10/2)"), bulk("5"));
    assert_eq!(r.eval0("return tostring(2^53)"), bulk("9.007199254741e+15"));
    assert_eq!(r.eval0("return table.getn({1, 2})"), int(2));
    assert_eq!(r.eval0("return math.pow(2, 10) .. ''"), bulk("1024"));
    assert_eq!(r.eval0("return string.format('%d', 3.7)"), bulk("3"));
    assert_eq!(r.eval0("return string.format('%s', 2.0)"), bulk("2"));
    assert_eq!(
        r.eval0("return math.floor(2^62) .. ''"),
        bulk("4.6116860184274e+18")
    );
    assert_eq!(r.eval0("return tonumber('1e1') .. ''"), bulk("10"));
    assert_eq!(r.eval0("return type(coroutine.running())"), bulk("nil"));
    let e = error_text(&r.eval0("return load('return 5')"));
    assert!(
        e.starts_with(
            "ERR user_script:1: bad argument #1 to 'load' (function expected, got string)"
        ),
        "{e}"
    );
    let e = error_text(&r.eval0("error(5)"));
    assert!(e.starts_with("ERR user_script:1: 5 script:"), "{e}");
    let e = error_text(&r.eval0("assert(nil, {})"));
    assert!(
        e.contains("bad argument #2 to 'assert' (string expected, got table)"),
        "{e}"
    );
    // 5.1's binary chunks fail as text.
    assert_eq!(
        r.eval0("local f, e = loadstring(string.dump(function() end)) return type(e)"),
        bulk("string")
    );
}

/// Where Lua 5.4 cannot behave like 5.1 (see docs/lua-differences.md). Each assertion shows
/// the engine's result; the comment gives Redis's.
#[test]
fn lua54_differences() {
    let mut r = Redis::new();
    // Redis: "x5" (5.1 numbers are doubles printed with %.14g).
    assert_eq!(r.eval0("return 'x' .. 10/2"), bulk("x5.0"));
    // Redis: "8".
    assert_eq!(r.eval0("return 2^3 .. ''"), bulk("8.0"));
    // Redis: a compile error ("unexpected symbol near '/'"); 5.4 has integer division.
    assert_eq!(r.eval0("return 7 // 2"), int(3));
    // Redis: a compile error; 5.4 has bitwise operators.
    assert_eq!(r.eval0("return 5 & 3"), int(1));
    // Redis: "x41" (5.1 has no \x escapes).
    assert_eq!(r.eval0("return '\\x41'"), bulk("A"));
    // Redis: -9223372036854775808 (1e20 as a double); 5.4 integers wrap around.
    assert_eq!(
        r.eval0("return 10000000000 * 10000000000"),
        int(7766279631452241920)
    );
    // Runtime errors that name a variable take 5.1's word order, as Redis prints them.
    let e = error_text(&r.eval0("local a = nil; return a.b"));
    assert!(
        e.contains("attempt to index local 'a' (a nil value)"),
        "{e}"
    );
    // Redis: "'=' expected near 'script'".
    let e = error_text(&r.eval0("bad script"));
    assert_eq!(
        e,
        "ERR Error compiling script (new function): user_script:1: syntax error near 'script'"
    );
    // Redis: "abc" (5.1 truncates 1.5).
    let e = error_text(&r.eval0("return string.sub('abc', 1.5)"));
    assert!(e.contains("number has no integer representation"), "{e}");
}

#[test]
fn pcall_returns_error_messages() {
    let mut r = Redis::new();
    assert_eq!(
        r.eval0("local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e}"),
        arr(vec![
            bulk("false"),
            bulk("ERR Unknown Redis command called from script")
        ])
    );
    assert_eq!(
        r.eval0("local ok, e = pcall(function() error('y') end) return e"),
        bulk("user_script:1: y")
    );
    assert_eq!(
        r.eval0("local ok, e = pcall(cjson.decode, '{') return e"),
        bulk("Expected object key string but found T_END at character 2")
    );
}

#[test]
fn math_random_is_seeded_and_shared() {
    let mut r = Redis::new();
    let first = r.eval0("math.randomseed(10) return tostring(math.random())");
    let again = r.eval0("math.randomseed(10) return tostring(math.random())");
    let other = r.eval0("math.randomseed(20) return tostring(math.random())");
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert_eq!(
        r.eval0("math.randomseed(0) return math.random(2147483647)"),
        int(366850415)
    );
    // Without seeding, every call continues the same sequence (Redis 7 does not reseed).
    assert_ne!(
        r.eval0("return math.random(1000000)"),
        r.eval0("return math.random(1000000)")
    );
}

#[test]
fn redis_log_writes_to_the_script_log() {
    let mut r = Redis::new();
    r.eval0("redis.log(redis.LOG_WARNING, 'something', 'happened', 42)");
    r.eval0("redis.log(redis.LOG_DEBUG, 'below the log level')");
    let log = r.server.take_script_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].level, 3);
    assert_eq!(log[0].text, b"something happened 42");
    assert!(r.server.take_script_log().is_empty());
}

#[test]
fn busy_scripts_are_paused_and_killed_by_script_kill() {
    let mut r = Redis::new();
    assert_eq!(r.line("CONFIG SET busy-reply-threshold 10"), Reply::ok());
    assert_eq!(
        r.killed("EVAL \"while true do end\" 0", "SCRIPT KILL"),
        err("ERR Script killed by user with SCRIPT KILL... script: 694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.")
    );
    // pcall cannot catch the kill, not even in a loop.
    let e = error_text(&r.killed(
        "EVAL \"local n = 0 while true do pcall(function() while true do n = n + 1 end end) end\" 0",
        "SCRIPT KILL",
    ));
    assert!(
        e.starts_with("ERR Script killed by user with SCRIPT KILL..."),
        "{e}"
    );
    // A loop inside the script's own coroutine cannot be paused: it is stopped once it has
    // run the unpausable limit, and says so.
    r.server.set_script_limits(ScriptLimits {
        unpausable_instructions: 2_000_000,
        ..ScriptLimits::default()
    });
    r.line("SCRIPT FLUSH");
    let e = error_text(&r.eval0("coroutine.wrap(function() while true do end end)()"));
    assert!(e.contains("Script stopped: it ran too long"), "{e}");
    r.server.set_script_limits(ScriptLimits::default());
    r.line("SCRIPT FLUSH");
    // Writes made before the script turned busy stay; such a script cannot be killed.
    let replies = r.server.execute(
        r.client,
        vec![
            b"EVAL".to_vec(),
            b"redis.call('set', 'partial', 'written') local i = 0 while i < 3000000 do i = i + 1 end return i".to_vec(),
            b"0".to_vec(),
        ],
        r.now,
    );
    assert!(replies.is_empty());
    let other = r.server.connect(r.now);
    let refused = r
        .server
        .execute(other, vec![b"SCRIPT".to_vec(), b"KILL".to_vec()], r.now);
    assert!(matches!(&refused[..], [Reply::Error(e)] if e.starts_with("UNKILLABLE")));
    while r.server.script_busy() {
        r.server.run_busy_script(r.now);
    }
    assert_eq!(r.server.take_outbound(r.client), vec![int(3_000_000)]);
    assert_eq!(r.line("GET partial"), bulk("written"));
    // The next script runs normally.
    assert_eq!(
        r.eval0("local s = 0 for i = 1, 1000 do s = s + i end return s"),
        int(500500)
    );
}

#[test]
fn the_memory_cap_fails_the_script_not_the_engine() {
    let mut r = Redis::new();
    r.server.set_script_limits(ScriptLimits {
        memory_bytes: 8 << 20,
        ..ScriptLimits::default()
    });
    let e = error_text(
        &r.eval0("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1024) .. i end"),
    );
    assert!(e.starts_with("ERR Error running script "), "{e}");
    assert!(e.ends_with("not enough memory"), "{e}");
    assert_eq!(r.eval0("return 'still ' .. 'alive'"), bulk("still alive"));
    // Inside pcall a memory error is an ordinary error, as in Lua 5.1.
    assert_eq!(
        r.eval0("local ok, e = pcall(string.rep, 'x', 1e8) return e"),
        bulk("not enough memory")
    );
}

#[test]
fn deep_tables_do_not_exhaust_the_stack() {
    let mut r = Redis::new();
    let mut depth = 0;
    let mut reply = r.eval0("local t = {} t[1] = t return t");
    while let Reply::Array(mut items) = reply {
        depth += 1;
        reply = items.remove(0);
    }
    assert_eq!(reply, err("ERR reached lua stack limit"));
    assert_eq!(depth, 1000);
    assert_eq!(r.line("PING"), Reply::simple("PONG"));
}

#[test]
fn select_inside_a_script_does_not_affect_the_caller() {
    let mut r = Redis::new();
    r.line("SELECT 10");
    r.line("SET mykey original");
    assert_eq!(
        r.eval("return redis.call('get', KEYS[1])", &["mykey"], &[]),
        bulk("original")
    );
    assert_eq!(
        r.eval0("redis.call('select', 9) redis.call('set', 'mykey', 'nine') return redis.call('get', 'mykey')"),
        bulk("nine")
    );
    assert_eq!(r.line("GET mykey"), bulk("original"));
    r.line("SELECT 9");
    assert_eq!(r.line("GET mykey"), bulk("nine"));
}

#[test]
fn scripts_run_inside_transactions_and_touch_watched_keys() {
    let mut r = Redis::new();
    assert_eq!(r.line("MULTI"), Reply::ok());
    assert_eq!(
        r.eval0("return redis.call('set', 'k', 'v')"),
        Reply::simple("QUEUED")
    );
    assert_eq!(r.line("EXEC"), arr(vec![Reply::ok()]));
    // A script's write invalidates another client's WATCH.
    let other = r.server.connect(T0);
    r.server
        .execute(other, vec![b"WATCH".to_vec(), b"k".to_vec()], T0);
    r.eval0("redis.call('set', 'k', 'changed')");
    r.server.execute(other, vec![b"MULTI".to_vec()], T0);
    let replies = r.server.execute(other, vec![b"EXEC".to_vec()], T0);
    assert_eq!(replies, vec![Reply::NullArray]);
}

#[test]
fn command_statistics_count_rejected_script_commands() {
    let mut r = Redis::new();
    r.eval0("redis.pcall('get', 'a', 'b')");
    let stats = r.server.stats();
    assert_eq!(stats.commands.get("get").map(|s| s.rejected_calls), Some(1));
    assert!(stats.commands.get("eval").is_some_and(|s| s.calls == 1));
}

const RATE_LIMITER: &str = "local current = redis.call('INCR', KEYS[1])
if current == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
if current > tonumber(ARGV[1]) then
  return 0
end
return 1";

/// The fixed-window rate limiter: 100 requests per 60 s per key, loaded once and called by SHA.
#[test]
fn rate_limiter_with_evalsha() {
    let mut r = Redis::new();
    let Reply::Bulk(sha) = r.cmd(&["SCRIPT", "LOAD", RATE_LIMITER]) else {
        panic!("SCRIPT LOAD returns the SHA-1")
    };
    let sha = String::from_utf8(sha).unwrap();
    let hit = |r: &mut Redis| r.cmd(&["EVALSHA", &sha, "1", "rate:1.2.3.4", "100", "60"]);
    for _ in 0..100 {
        assert_eq!(hit(&mut r), int(1));
    }
    assert_eq!(hit(&mut r), int(0));
    assert_eq!(hit(&mut r), int(0));
    assert_eq!(r.line("GET rate:1.2.3.4"), bulk("102"));
    assert_eq!(r.line("TTL rate:1.2.3.4"), int(60));
    // A new window starts once the key expires.
    r.server.advance_clock(61_000);
    r.server.tick(r.now);
    assert_eq!(hit(&mut r), int(1));
    assert_eq!(r.line("GET rate:1.2.3.4"), bulk("1"));
    // Within a window the clock moving does not reset the count.
    r.server.advance_clock(30_000);
    for _ in 0..99 {
        assert_eq!(hit(&mut r), int(1));
    }
    assert_eq!(hit(&mut r), int(0));
}
