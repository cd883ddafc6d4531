//! Real clients against redis-emu: the `redis` crate and `redis-cli` itself.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{implemented, Emu};
use integration_tests::real_redis::require_tool;

#[test]
fn redis_crate_client() {
    let emu = Emu::start();
    let client = redis::Client::open(format!("redis://127.0.0.1:{}/", emu.port)).unwrap();
    let mut conn = client
        .get_connection()
        .expect("connect with the redis crate");

    let pong: String = redis::cmd("PING").query(&mut conn).unwrap();
    assert_eq!(pong, "PONG");
    let () = redis::cmd("SET")
        .arg("greeting")
        .arg("hello")
        .query(&mut conn)
        .unwrap();
    let value: String = redis::cmd("GET").arg("greeting").query(&mut conn).unwrap();
    assert_eq!(value, "hello");
    let missing: Option<String> = redis::cmd("GET").arg("nothing").query(&mut conn).unwrap();
    assert_eq!(missing, None);

    // A pipeline goes out in one write and its replies come back in order.
    let mut pipe = redis::pipe();
    for i in 0..100 {
        pipe.cmd("SET").arg(format!("p{i}")).arg(i).ignore();
    }
    for i in 0..100 {
        pipe.cmd("GET").arg(format!("p{i}"));
    }
    let values: Vec<i64> = pipe.query(&mut conn).unwrap();
    assert_eq!(values, (0..100).collect::<Vec<i64>>());

    let error = redis::cmd("NOSUCHCOMMAND")
        .query::<()>(&mut conn)
        .expect_err("unknown command");
    assert!(error.to_string().contains("unknown command"), "{error}");
    // The connection is still usable after an error reply.
    let echoed: Vec<u8> = redis::cmd("ECHO")
        .arg(&b"bin\x00ary"[..])
        .query(&mut conn)
        .unwrap();
    assert_eq!(echoed, b"bin\x00ary");
}

fn redis_cli(port: u16, args: &[&str], stdin: Option<&[u8]>) -> Option<String> {
    let binary = require_tool("redis-cli", "redis-cli against redis-emu")?;
    let mut child = Command::new(binary)
        .args(["-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run redis-cli");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    let output = child.wait_with_output().expect("redis-cli output");
    assert!(
        output.status.success(),
        "redis-cli {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn redis_cli_commands() {
    let emu = Emu::start();
    let Some(pong) = redis_cli(emu.port, &["PING"], None) else {
        return;
    };
    assert_eq!(pong, "PONG\n");
    assert_eq!(
        redis_cli(emu.port, &["SET", "k", "hello world"], None).unwrap(),
        "OK\n"
    );
    assert_eq!(
        redis_cli(emu.port, &["GET", "k"], None).unwrap(),
        "hello world\n"
    );
    assert_eq!(
        redis_cli(emu.port, &["NOSUCH"], None).unwrap(),
        "ERR unknown command 'NOSUCH', with args beginning with: \n\n"
    );
    // Commands read from standard input, one per line.
    assert_eq!(
        redis_cli(emu.port, &[], Some(b"SET a 1\nGET a\nECHO \"x y\"\n")).unwrap(),
        "OK\n1\nx y\n"
    );
}

#[test]
fn redis_cli_pipe_mode() {
    let emu = Emu::start();
    let mut input = Vec::new();
    for i in 0..1000 {
        input.extend(integration_tests::connection::encode_command(&[
            "SET",
            &format!("key:{i}"),
            &format!("value:{i}"),
        ]));
    }
    let Some(report) = redis_cli(emu.port, &["--pipe"], Some(&input)) else {
        return;
    };
    assert!(
        report.contains("errors: 0, replies: 1000"),
        "redis-cli --pipe said: {report}"
    );
    assert_eq!(
        redis_cli(emu.port, &["GET", "key:999"], None).unwrap(),
        "value:999\n"
    );
}

#[test]
fn redis_cli_resp3() {
    if !implemented(&["hello"]) {
        eprintln!("redis_cli_resp3: skipped, the engine has no HELLO yet");
        return;
    }
    let emu = Emu::start();
    let Some(reply) = redis_cli(emu.port, &["-3", "GET", "missing"], None) else {
        return;
    };
    assert_eq!(reply, "\n");
}
