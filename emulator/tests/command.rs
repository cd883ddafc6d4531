//! COMMAND's listing forms, which only show implemented commands.

use emulator::{ClientId, Reply, Server};

fn one(srv: &mut Server, id: ClientId, line: &str) -> Reply {
    let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
    let mut replies = srv.execute(id, argv, 0);
    assert_eq!(replies.len(), 1, "{line}: {replies:?}");
    replies.remove(0)
}

fn items(reply: Reply) -> Vec<Reply> {
    match reply {
        Reply::Array(items) => items,
        other => panic!("array expected, got {other:?}"),
    }
}

fn names(reply: Reply) -> Vec<String> {
    items(reply)
        .into_iter()
        .map(|r| match r {
            Reply::Bulk(b) => String::from_utf8(b).unwrap(),
            other => panic!("bulk expected, got {other:?}"),
        })
        .collect()
}

fn info_name(entry: &Reply) -> String {
    match entry {
        Reply::Array(fields) => match &fields[0] {
            Reply::Bulk(b) => String::from_utf8(b.clone()).unwrap(),
            other => panic!("name expected, got {other:?}"),
        },
        other => panic!("info entry expected, got {other:?}"),
    }
}

#[test]
fn listings_agree_with_each_other() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    let Reply::Integer(count) = one(&mut srv, c, "COMMAND COUNT") else {
        panic!("integer expected");
    };
    let all = items(one(&mut srv, c, "COMMAND"));
    assert_eq!(all.len() as i64, count);
    let info = items(one(&mut srv, c, "COMMAND INFO"));
    assert_eq!(info, all);
    let Reply::Map(docs) = one(&mut srv, c, "COMMAND DOCS") else {
        panic!("map expected");
    };
    assert_eq!(docs.len() as i64, count);
    let top: Vec<String> = all.iter().map(info_name).collect();
    for name in [
        "get",
        "ping",
        "client",
        "command",
        "subscribe",
        "pubsub",
        "hello",
    ] {
        assert!(top.iter().any(|n| n == name), "{name} listed");
    }
    let list = names(one(&mut srv, c, "COMMAND LIST"));
    assert!(list.contains(&"client|list".to_string()));
    assert!(list.contains(&"command|getkeys".to_string()));
    for name in &top {
        assert!(list.contains(name));
    }
}

#[test]
fn unimplemented_commands_do_not_exist() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    // ACL is part of Redis but not of this engine yet.
    assert_eq!(
        items(one(&mut srv, c, "COMMAND INFO acl acl|whoami client|kill")).len(),
        3
    );
    assert_eq!(
        items(one(&mut srv, c, "COMMAND INFO acl acl|whoami"))[..],
        [Reply::Null, Reply::Null]
    );
    assert_eq!(
        one(&mut srv, c, "COMMAND DOCS acl|whoami"),
        Reply::Map(Vec::new())
    );
    let list = names(one(&mut srv, c, "COMMAND LIST FILTERBY PATTERN *"));
    assert!(list.contains(&"client|kill".to_string()));
    assert!(!list.iter().any(|n| n.starts_with("acl")));
    assert_eq!(
        one(&mut srv, c, "COMMAND GETKEYS acl whoami"),
        Reply::error("ERR Invalid command specified")
    );
}

#[test]
fn containers_show_only_implemented_subcommands() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    let info = items(one(&mut srv, c, "COMMAND INFO client"));
    let Reply::Array(fields) = &info[0] else {
        panic!("entry expected");
    };
    assert_eq!(fields.len(), 10);
    let Reply::Array(subs) = &fields[9] else {
        panic!("subcommands expected");
    };
    let sub_names: Vec<String> = subs.iter().map(info_name).collect();
    assert!(sub_names.contains(&"client|list".to_string()));
    assert!(sub_names.contains(&"client|pause".to_string()));
    assert!(sub_names.contains(&"client|tracking".to_string()));

    let Reply::Map(docs) = one(&mut srv, c, "COMMAND DOCS client") else {
        panic!("map expected");
    };
    let Reply::Map(doc) = &docs[0].1 else {
        panic!("doc map expected");
    };
    let (_, Reply::Map(sub_docs)) = doc
        .iter()
        .find(|(k, _)| *k == Reply::bulk("subcommands"))
        .expect("subcommands field")
    else {
        panic!("subcommand map expected");
    };
    assert_eq!(sub_docs.len(), subs.len());
}

#[test]
fn acl_category_filter() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    let connection = names(one(&mut srv, c, "COMMAND LIST FILTERBY ACLCAT connection"));
    for name in ["ping", "echo", "hello", "client|list", "command"] {
        assert!(connection.contains(&name.to_string()), "{name}");
    }
    assert!(!connection.contains(&"get".to_string()));
    let read = names(one(&mut srv, c, "COMMAND LIST FILTERBY ACLCAT READ"));
    assert!(read.contains(&"get".to_string()));
}

#[test]
fn getkeys_uses_the_registry() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    assert_eq!(
        one(&mut srv, c, "COMMAND GETKEYS get k"),
        Reply::Array(vec![Reply::bulk("k")])
    );
    assert_eq!(
        one(&mut srv, c, "COMMAND GETKEYS client list"),
        Reply::error("ERR The command has no key arguments")
    );
}
