//! MODULE when `enable-module-command` lets a local client load modules: redis-server 7.0
//! and the engine must answer every attempt alike (nothing can be loaded into the engine; a
//! missing library fails the same way on Redis). The default setting is covered by
//! `tests/differential/server.redis`.

use integration_tests::compare::{agree, escape, Mode};
use integration_tests::real_redis::{require_tool, RealRedis};
use integration_tests::twin::Twin;

#[test]
fn module_commands_answer_like_redis_when_loading_is_allowed() {
    let Some(binary) = require_tool("redis-server", "module_differential") else {
        return;
    };
    let redis = RealRedis::start(&binary, &["--enable-module-command", "local"])
        .expect("redis-server starts");
    let mut twin = Twin::new(redis.port()).expect("connect");
    twin.engine()
        .configure("enable-module-command", b"local")
        .expect("the engine knows the setting");
    let cases: &[&[&str]] = &[
        &["MODULE", "LIST"],
        &["MODULE", "LOAD", "/nonexistent/module.so"],
        &["MODULE", "LOAD", "/nonexistent/module.so", "arg1", "arg2"],
        &["MODULE", "LOADEX", "/nonexistent/module.so"],
        &[
            "MODULE",
            "LOADEX",
            "/nonexistent/module.so",
            "CONFIG",
            "a",
            "b",
            "ARGS",
            "x",
        ],
        &["MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "a"],
        &["MODULE", "LOADEX", "/nonexistent/module.so", "BOGUS"],
        &["MODULE", "UNLOAD", "search"],
        &["MODULE", "UNLOAD"],
        &["MODULE", "LIST"],
    ];
    let mut differences = Vec::new();
    for case in cases {
        let argv: Vec<Vec<u8>> = case.iter().map(|a| a.as_bytes().to_vec()).collect();
        let exchange = twin.command(&argv).expect("both servers answer");
        if !agree(Mode::Exact, &exchange.ours, &exchange.theirs) {
            differences.push(format!(
                "{}\n  ours:   {}\n  theirs: {}",
                case.join(" "),
                escape(&exchange.ours),
                escape(&exchange.theirs)
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
