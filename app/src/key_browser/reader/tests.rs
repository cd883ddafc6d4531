use emulator::commands::{flags, spec};

use super::super::model::group_position;
use super::*;

/// A server, a learner's client and the browser's reader.
fn setup(commands: &[&str]) -> (Server, Reader) {
    let mut server = Server::new();
    let learner = server.connect(1_000);
    for line in commands {
        let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        server.execute(learner, argv, 1_000);
    }
    let reader = Reader::connect(&mut server, 1_000);
    (server, reader)
}

fn summary_of(server: &mut Server, reader: &Reader, key: &str) -> KeySummary {
    reader.summary(server, 1_000, key.as_bytes()).unwrap()
}

#[test]
fn only_reads_are_permitted() {
    let argv = |s: &str| -> Vec<Vec<u8>> { s.split(' ').map(|w| w.as_bytes().to_vec()).collect() };
    assert!(permitted(&argv("SCAN 0 MATCH * COUNT 10")));
    assert!(permitted(&argv("object ENCODING k")));
    assert!(permitted(&argv("PFCOUNT k k")));
    assert!(!permitted(&argv("PFCOUNT k")));
    assert!(!permitted(&argv("OBJECT FREQ k")));
    assert!(!permitted(&argv("MEMORY PURGE")));
    assert!(!permitted(&argv("XINFO CONSUMERS k g")));
    assert!(!permitted(&argv("SET k v")));
    assert!(!permitted(&argv("DEL k")));
    assert!(!permitted(&[]));
    // No command on the list is a write in Redis's own table.
    for name in READS {
        let spec = spec::find(name.as_bytes()).unwrap();
        assert!(!spec.has_flag(flags::WRITE), "{name}");
    }
}

#[test]
fn keys_are_listed_with_type_encoding_memory_and_ttl() {
    let (mut server, reader) = setup(&[
        "ZADD board 10 alice 5 bob",
        "SET counter 42",
        "SET session abc EX 100",
        "RPUSH queue a b",
    ]);
    let listing = reader.list_keys(
        &mut server,
        1_000,
        &KeyFilter::default(),
        50,
        KeyListing::default(),
    );
    let names: Vec<&[u8]> = listing.keys.iter().map(|k| k.name.as_slice()).collect();
    assert_eq!(names, [&b"board"[..], b"counter", b"queue", b"session"]);
    assert_eq!(listing.cursor, None);
    let counter = &listing.keys[1];
    assert_eq!(
        (counter.kind.as_str(), counter.encoding.as_str()),
        ("string", "int")
    );
    assert!(counter.memory.is_some_and(|m| m > 0));
    assert_eq!(counter.ttl, Ttl::Persistent);
    let now = server.now_ms();
    let left = listing.keys[3].ttl.remaining(now).unwrap();
    assert!((99_000..=100_000).contains(&left), "{left}");
    assert_eq!(listing.keys[0].encoding, "listpack");
}

#[test]
fn listing_filters_by_pattern_and_type() {
    let (mut server, reader) = setup(&[
        "SET user:1 a",
        "SET user:2 b",
        "RPUSH user:list x",
        "SET other c",
    ]);
    let filter = KeyFilter {
        pattern: "user:*".into(),
        kind: "string".into(),
        count: 10,
    };
    let listing = reader.list_keys(&mut server, 1_000, &filter, 50, KeyListing::default());
    let names: Vec<&[u8]> = listing.keys.iter().map(|k| k.name.as_slice()).collect();
    assert_eq!(names, [&b"user:1"[..], b"user:2"]);
}

#[test]
fn listing_stops_at_what_was_asked_and_continues() {
    let commands: Vec<String> = (0..300).map(|i| format!("SET key:{i:03} v")).collect();
    let commands: Vec<&str> = commands.iter().map(String::as_str).collect();
    let (mut server, reader) = setup(&commands);
    let filter = KeyFilter {
        count: 10,
        ..KeyFilter::default()
    };
    let first = reader.list_keys(&mut server, 1_000, &filter, 50, KeyListing::default());
    assert!(
        first.keys.len() >= 50 && first.keys.len() < 300,
        "{}",
        first.keys.len()
    );
    assert!(first.cursor.is_some());
    let mut listing = first;
    while listing.cursor.is_some() {
        listing = reader.list_keys(
            &mut server,
            1_000,
            &filter,
            listing.keys.len() + 50,
            listing,
        );
    }
    assert_eq!(listing.keys.len(), 300);
}

#[test]
fn the_reader_leaves_no_trace() {
    let (mut server, reader) = setup(&["SET k v", "ZADD z 1 a", "PFADD h a b c"]);
    let learner = server.connect(1_000);
    let run = |server: &mut Server, line: &str| {
        let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        server.execute(learner, argv, 1_000)
    };
    run(&mut server, "WATCH h");
    let stats = |server: &Server| {
        let s = server.stats();
        (s.keyspace_hits, s.keyspace_misses, s.total_commands)
    };
    let before = stats(&server);
    let listing = reader.list_keys(
        &mut server,
        1_000,
        &KeyFilter::default(),
        50,
        KeyListing::default(),
    );
    for key in &listing.keys {
        reader.first_page(&mut server, 1_000, key).unwrap();
    }
    assert_eq!(stats(&server), before);
    // Counting the sketch did not write its cached count: the learner's WATCH still holds.
    run(&mut server, "MULTI");
    run(&mut server, "PING");
    assert_ne!(run(&mut server, "EXEC"), vec![Reply::NullArray]);
}

#[test]
fn a_sorted_set_is_read_as_a_ranked_table() {
    let (mut server, reader) = setup(&["ZADD board 10 alice 5 bob 7.5 carol"]);
    let summary = summary_of(&mut server, &reader, "board");
    let view = reader.first_page(&mut server, 1_000, &summary).unwrap();
    let ValueView::SortedSet { total, rows } = view else {
        panic!("{view:?}")
    };
    assert_eq!(total, 3);
    let table: Vec<(u64, &[u8], &str)> = rows
        .iter()
        .map(|r| (r.rank, r.member.as_slice(), r.score.as_str()))
        .collect();
    assert_eq!(
        table,
        [
            (0, &b"bob"[..], "5"),
            (1, b"carol", "7.5"),
            (2, b"alice", "10")
        ]
    );
}

#[test]
fn big_values_are_read_page_by_page() {
    let items: Vec<String> = (0..120).map(|i| i.to_string()).collect();
    let push = format!("RPUSH big {}", items.join(" "));
    let (mut server, reader) = setup(&[&push]);
    let summary = summary_of(&mut server, &reader, "big");
    let mut view = reader.first_page(&mut server, 1_000, &summary).unwrap();
    assert_eq!(view.loaded(), PAGE);
    assert!(view.has_more());
    reader.next_page(&mut server, 1_000, b"big", &mut view);
    reader.next_page(&mut server, 1_000, b"big", &mut view);
    assert_eq!(view.loaded(), 120);
    assert!(!view.has_more());
    let ValueView::List { items, .. } = &view else {
        panic!("{view:?}")
    };
    assert_eq!(items[119], (119, b"119".to_vec()));
    // A reload after a change reads as far as before.
    let reloaded = reader.reload(&mut server, 1_000, &summary, &view).unwrap();
    assert_eq!(reloaded.loaded(), 120);
}

#[test]
fn hashes_and_sets_are_scanned_in_pages() {
    // Past hash-max-listpack-entries (512): a listpack is returned whole whatever COUNT says.
    let fields: Vec<String> = (0..600).map(|i| format!("f{i} {i}")).collect();
    let hset = format!("HSET h {}", fields.join(" "));
    let members: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
    let sadd = format!("SADD s {}", members.join(" "));
    let (mut server, reader) = setup(&[&hset, &sadd, "SADD small x y"]);
    for (key, size) in [("h", 600), ("s", 200)] {
        let summary = summary_of(&mut server, &reader, key);
        let mut view = reader.first_page(&mut server, 1_000, &summary).unwrap();
        assert!(
            view.loaded() < size && view.has_more(),
            "{key}: {}",
            view.loaded()
        );
        while view.has_more() {
            reader.next_page(&mut server, 1_000, key.as_bytes(), &mut view);
        }
        assert_eq!(view.loaded(), size, "{key}");
    }
    let summary = summary_of(&mut server, &reader, "small");
    let view = reader.first_page(&mut server, 1_000, &summary).unwrap();
    let ValueView::Set {
        mut members,
        total,
        cursor,
    } = view
    else {
        panic!()
    };
    members.sort();
    assert_eq!(
        (members, total, cursor),
        (vec![b"x".to_vec(), b"y".to_vec()], 2, None)
    );
}

#[test]
fn strings_show_integers_binary_bytes_and_sketches() {
    let (mut server, reader) = setup(&["SET n 12345", "SET t hello", "PFADD visitors a b c d"]);
    let summary = summary_of(&mut server, &reader, "n");
    assert_eq!(
        reader.first_page(&mut server, 1_000, &summary),
        Some(ValueView::Text {
            bytes: b"12345".to_vec(),
            total: 5,
            integer: true
        })
    );
    let summary = summary_of(&mut server, &reader, "visitors");
    let view = reader.first_page(&mut server, 1_000, &summary);
    let Some(ValueView::HyperLogLog {
        estimate,
        representation,
        bytes,
    }) = view
    else {
        panic!("{view:?}")
    };
    assert_eq!((estimate, representation), (4, "sparse"));
    assert!(bytes > 16, "{bytes}");
    // A long string is read TEXT_PAGE bytes at a time.
    let learner = server.connect(1_000);
    let long = vec![b'x'; TEXT_PAGE * 2 + 10];
    server.execute(
        learner,
        vec![b"SET".to_vec(), b"long".to_vec(), long],
        1_000,
    );
    let summary = summary_of(&mut server, &reader, "long");
    let mut view = reader.first_page(&mut server, 1_000, &summary).unwrap();
    assert_eq!(view.loaded(), TEXT_PAGE);
    while view.has_more() {
        reader.next_page(&mut server, 1_000, b"long", &mut view);
    }
    assert_eq!(view.loaded(), TEXT_PAGE * 2 + 10);
}

#[test]
fn the_reader_follows_the_learner_to_another_database() {
    let (mut server, mut reader) = setup(&["SELECT 3", "SET only-in-3 v"]);
    let empty = reader.list_keys(
        &mut server,
        1_000,
        &KeyFilter::default(),
        50,
        KeyListing::default(),
    );
    assert!(empty.keys.is_empty());
    reader.use_db(&mut server, 1_000, 3);
    assert_eq!(reader.db(), 3);
    let listing = reader.list_keys(
        &mut server,
        1_000,
        &KeyFilter::default(),
        50,
        KeyListing::default(),
    );
    assert_eq!(listing.keys.len(), 1);
}

#[test]
fn a_stream_is_read_with_its_groups_positions() {
    let mut commands = vec![
        "XADD events 1-1 kind login user ada".to_string(),
        "XADD events 2-0 kind logout user ada".to_string(),
        "XGROUP CREATE events mailer 1-1".to_string(),
        "XGROUP CREATE events audit 0".to_string(),
    ];
    commands.extend((3..=60).map(|i| format!("XADD events {i}-0 n {i}")));
    let commands: Vec<&str> = commands.iter().map(String::as_str).collect();
    let (mut server, reader) = setup(&commands);
    let summary = summary_of(&mut server, &reader, "events");
    assert_eq!(summary.kind, "stream");
    let mut view = reader.first_page(&mut server, 1_000, &summary).unwrap();
    {
        let ValueView::Stream {
            info,
            entries,
            groups,
        } = &view
        else {
            panic!("{view:?}")
        };
        assert_eq!(info.length, 60);
        assert_eq!(info.groups, 2);
        assert_eq!(
            info.last_generated_id.map(|id| id.to_string()),
            Some("60-0".into())
        );
        assert_eq!(entries.len(), PAGE);
        assert_eq!(
            entries[0].fields,
            vec![
                (b"kind".to_vec(), b"login".to_vec()),
                (b"user".to_vec(), b"ada".to_vec())
            ]
        );
        let names: Vec<&[u8]> = groups.iter().map(|g| g.name.as_slice()).collect();
        assert_eq!(names, [&b"audit"[..], b"mailer"]);
        assert_eq!(group_position(entries, &groups[1]), Some(0));
        assert_eq!(group_position(entries, &groups[0]), None);
    }
    // The next page starts after the last entry read.
    reader.next_page(&mut server, 1_000, b"events", &mut view);
    assert_eq!(view.loaded(), 60);
    assert!(!view.has_more());
}
