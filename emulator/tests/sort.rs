//! SORT and SORT_RO through the public engine API: what the differential scripts cannot pin
//! down (a set's own order, other clients, keyspace events, large inputs).

use emulator::{ClientId, Reply, Server};

const T0: u64 = 1_700_000_000_000;

struct Host {
    server: Server,
}

impl Host {
    fn new() -> Host {
        Host {
            server: Server::new(),
        }
    }

    fn client(&mut self) -> ClientId {
        self.server.connect(T0)
    }

    fn send(&mut self, id: ClientId, line: &str) -> Vec<Reply> {
        let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        self.server.execute(id, argv, T0)
    }

    fn run(&mut self, id: ClientId, line: &str) -> Reply {
        let mut replies = self.send(id, line);
        assert_eq!(replies.len(), 1, "{line}: {replies:?}");
        replies.remove(0)
    }
}

fn strings(reply: Reply) -> Vec<String> {
    match reply {
        Reply::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Reply::Bulk(b) => String::from_utf8(b).unwrap(),
                other => panic!("not a bulk string: {other:?}"),
            })
            .collect(),
        other => panic!("not an array: {other:?}"),
    }
}

#[test]
fn a_set_in_its_own_order_is_sorted_when_stored_or_in_a_script() {
    let mut h = Host::new();
    let c = h.client();
    h.run(c, "SADD s b10 a c b2 B");
    let mut own = strings(h.run(c, "SORT s BY nosort"));
    own.sort();
    assert_eq!(own, ["B", "a", "b10", "b2", "c"]);
    assert_eq!(h.run(c, "SORT s BY nosort STORE d"), Reply::Integer(5));
    assert_eq!(
        strings(h.run(c, "LRANGE d 0 -1")),
        ["B", "a", "b10", "b2", "c"]
    );
    let script = "EVAL return(redis.call('sort',KEYS[1],'BY','nosort','DESC')) 1 s";
    // DESC still applies to the forced ALPHA sort.
    assert_eq!(strings(h.run(c, script)), ["c", "b2", "b10", "a", "B"]);
}

#[test]
fn store_serves_clients_waiting_on_the_destination() {
    let mut h = Host::new();
    let (waiter, sorter) = (h.client(), h.client());
    assert!(h.send(waiter, "BLPOP dst 0").is_empty());
    h.run(sorter, "RPUSH src 3 1 2");
    assert_eq!(h.run(sorter, "SORT src STORE dst"), Reply::Integer(3));
    assert_eq!(
        h.server.take_outbound(waiter),
        vec![Reply::Array(vec![Reply::bulk("dst"), Reply::bulk("1")])]
    );
    assert_eq!(strings(h.run(sorter, "LRANGE dst 0 -1")), ["2", "3"]);
}

#[test]
fn store_publishes_sortstore_or_del() {
    let mut h = Host::new();
    let (listener, sorter) = (h.client(), h.client());
    h.run(sorter, "CONFIG SET notify-keyspace-events Egl");
    h.send(listener, "PSUBSCRIBE __keyevent@0__:*");
    h.run(sorter, "SADD src 1");
    h.run(sorter, "SORT src STORE dst");
    h.run(sorter, "SORT nokey STORE dst");
    h.run(sorter, "SORT nokey STORE dst");
    let events: Vec<String> = h
        .server
        .take_outbound(listener)
        .into_iter()
        .filter_map(|r| match r {
            Reply::Array(items) | Reply::Push(items) => match items.get(2) {
                Some(Reply::Bulk(channel)) => Some(
                    String::from_utf8_lossy(channel)
                        .rsplit(':')
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                ),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(events, ["sortstore", "del"]);
}

#[test]
fn large_inputs_sort_numerically_with_ties_broken_by_the_element() {
    let mut h = Host::new();
    let c = h.client();
    let members: Vec<String> = (0..2000)
        .map(|i| format!("{}", (i * 7919) % 2000))
        .collect();
    h.run(c, &format!("SADD big {}", members.join(" ")));
    let sorted = strings(h.run(c, "SORT big LIMIT 1990 20"));
    let expected: Vec<String> = (1990..2000).map(|i| i.to_string()).collect();
    assert_eq!(sorted, expected);
    // All weights missing: every element weighs 0, so the elements' bytes decide.
    h.run(c, "RPUSH l 10 9 100 1");
    assert_eq!(
        strings(h.run(c, "SORT l BY none_*")),
        ["1", "10", "100", "9"]
    );
}
