//! MULTI/EXEC/DISCARD/WATCH/UNWATCH, including the cases that need two clients.

use emulator::{Reply, Server};

const T0: u64 = 1_700_000_000_000;

struct Harness {
    server: Server,
}

impl Harness {
    fn new() -> Harness {
        Harness {
            server: Server::new(),
        }
    }

    fn client(&mut self) -> u64 {
        self.server.connect(T0)
    }

    fn run(&mut self, client: u64, line: &str) -> Reply {
        self.run_at(client, line, T0)
    }

    fn run_at(&mut self, client: u64, line: &str, now: u64) -> Reply {
        let argv = emulator::cli::split_args(line.as_bytes()).unwrap();
        let mut replies = self.server.execute(client, argv, now);
        assert_eq!(replies.len(), 1, "{line}");
        replies.remove(0)
    }
}

fn ok() -> Reply {
    Reply::ok()
}

fn queued() -> Reply {
    Reply::simple("QUEUED")
}

#[test]
fn exec_runs_queued_commands_in_order() {
    let mut h = Harness::new();
    let c = h.client();
    assert_eq!(h.run(c, "MULTI"), ok());
    assert_eq!(h.run(c, "SET a 1"), queued());
    assert_eq!(h.run(c, "GET a"), queued());
    assert_eq!(h.run(c, "EXEC"), Reply::Array(vec![ok(), Reply::bulk("1")]));
    assert_eq!(h.run(c, "EXEC"), Reply::error("ERR EXEC without MULTI"));
}

#[test]
fn queueing_errors_abort_exec_and_runtime_errors_do_not_roll_back() {
    let mut h = Harness::new();
    let c = h.client();
    h.run(c, "MULTI");
    assert_eq!(
        h.run(c, "NOSUCH"),
        Reply::error("ERR unknown command 'NOSUCH', with args beginning with: ")
    );
    assert_eq!(
        h.run(c, "GET"),
        Reply::error("ERR wrong number of arguments for 'get' command")
    );
    assert_eq!(h.run(c, "SET a 1"), queued());
    assert_eq!(
        h.run(c, "EXEC"),
        Reply::error("EXECABORT Transaction discarded because of previous errors.")
    );
    assert_eq!(h.run(c, "GET a"), Reply::Null);

    h.run(c, "MULTI");
    h.run(c, "SET a 1");
    h.run(c, "SET b 2 EX 0");
    h.run(c, "SET c 3");
    let Reply::Array(replies) = h.run(c, "EXEC") else {
        panic!()
    };
    assert_eq!(replies[0], ok());
    assert!(replies[1].is_error());
    assert_eq!(replies[2], ok());
    assert_eq!(h.run(c, "GET c"), Reply::bulk("3"));
}

#[test]
fn nesting_and_discard() {
    let mut h = Harness::new();
    let c = h.client();
    assert_eq!(
        h.run(c, "DISCARD"),
        Reply::error("ERR DISCARD without MULTI")
    );
    h.run(c, "MULTI");
    assert_eq!(
        h.run(c, "MULTI"),
        Reply::error("ERR MULTI calls can not be nested")
    );
    assert_eq!(
        h.run(c, "WATCH x"),
        Reply::error("ERR WATCH inside MULTI is not allowed")
    );
    h.run(c, "SET a 1");
    assert_eq!(h.run(c, "DISCARD"), ok());
    assert_eq!(h.run(c, "GET a"), Reply::Null);
}

#[test]
fn watch_trips_when_another_client_writes() {
    let mut h = Harness::new();
    let (a, b) = (h.client(), h.client());
    h.run(a, "SET balance 100");
    assert_eq!(h.run(a, "WATCH balance"), ok());
    h.run(b, "SET balance 50");
    h.run(a, "MULTI");
    h.run(a, "SET balance 0");
    assert_eq!(h.run(a, "EXEC"), Reply::NullArray);
    assert_eq!(h.run(a, "GET balance"), Reply::bulk("50"));
    // The watch is gone after EXEC: the next transaction goes through.
    h.run(a, "MULTI");
    h.run(a, "SET balance 0");
    assert_eq!(h.run(a, "EXEC"), Reply::Array(vec![ok()]));
}

#[test]
fn watch_untouched_key_lets_exec_through_and_unwatch_forgets() {
    let mut h = Harness::new();
    let (a, b) = (h.client(), h.client());
    h.run(a, "WATCH k");
    h.run(b, "SET other 1");
    h.run(a, "MULTI");
    h.run(a, "SET k 1");
    assert_eq!(h.run(a, "EXEC"), Reply::Array(vec![ok()]));

    h.run(a, "WATCH k");
    h.run(a, "UNWATCH");
    h.run(b, "SET k 5");
    h.run(a, "MULTI");
    h.run(a, "GET k");
    assert_eq!(h.run(a, "EXEC"), Reply::Array(vec![Reply::bulk("5")]));
}

#[test]
fn watch_trips_on_delete_then_recreate() {
    let mut h = Harness::new();
    let (a, b) = (h.client(), h.client());
    h.run(a, "SET k v");
    h.run(a, "WATCH k");
    h.run(b, "DEL k");
    h.run(b, "SET k v");
    h.run(a, "MULTI");
    h.run(a, "GET k");
    assert_eq!(h.run(a, "EXEC"), Reply::NullArray);
}

#[test]
fn resp3_exec_null_is_resp3_null() {
    let mut h = Harness::new();
    let (a, b) = (h.client(), h.client());
    h.run(a, "WATCH k");
    h.run(b, "SET k 1");
    h.run(a, "MULTI");
    let reply = h.run(a, "EXEC");
    assert_eq!(reply.encode(emulator::Protocol::Resp2), b"*-1\r\n");
    assert_eq!(reply.encode(emulator::Protocol::Resp3), b"_\r\n");
}

#[test]
fn watch_trips_when_a_watched_key_expires() {
    let mut h = Harness::new();
    let a = h.client();
    h.run(a, "SET t v PX 100");
    h.run(a, "WATCH t");
    h.run_at(a, "MULTI", T0 + 200);
    h.run_at(a, "PING", T0 + 200);
    assert_eq!(h.run_at(a, "EXEC", T0 + 200), Reply::NullArray);
    // A key already expired when watched does not trip EXEC.
    h.run_at(a, "SET u v PX 100", T0 + 1000);
    h.run_at(a, "WATCH u", T0 + 1150);
    h.run_at(a, "MULTI", T0 + 1300);
    assert_eq!(h.run_at(a, "EXEC", T0 + 1300), Reply::Array(vec![]));
}

#[test]
fn blocking_and_incr_inside_exec() {
    let mut h = Harness::new();
    let a = h.client();
    h.run(a, "MULTI");
    h.run(a, "INCR n");
    h.run(a, "INCRBY n 10");
    assert_eq!(
        h.run(a, "EXEC"),
        Reply::Array(vec![Reply::Integer(1), Reply::Integer(11)])
    );
}
