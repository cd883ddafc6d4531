use super::*;

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

fn array(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

#[test]
fn ttl_counts_down_on_the_engine_clock() {
    assert_eq!(
        Ttl::from_pttl(&Reply::Integer(-1), 1_000),
        Some(Ttl::Persistent)
    );
    assert_eq!(Ttl::from_pttl(&Reply::Integer(-2), 1_000), None);
    let ttl = Ttl::from_pttl(&Reply::Integer(9_500), 1_000).unwrap();
    assert_eq!(ttl, Ttl::At(10_500));
    assert_eq!(ttl.remaining(2_000), Some(8_500));
    assert_eq!(ttl.remaining(20_000), Some(0));
    assert_eq!(Ttl::Persistent.remaining(5), None);
}

#[test]
fn countdowns_and_sizes_read_naturally() {
    assert_eq!(countdown_text(9_870), "9.8 s");
    assert_eq!(countdown_text(245_000), "4 min 05 s");
    assert_eq!(countdown_text(7_380_000), "2 h 03 min");
    assert_eq!(countdown_text(3 * 86_400_000 + 4 * 3_600_000), "3 d 04 h");
    assert_eq!(countdown_text(0), "expired");
    assert_eq!(memory_text(56), "56 B");
    assert_eq!(memory_text(1_229), "1.2 KB");
    assert_eq!(memory_text(3 * 1024 * 1024 + 400_000), "3.4 MB");
}

#[test]
fn bytes_are_escaped_as_redis_cli_shows_them() {
    assert_eq!(escaped(b"plain text"), "plain text");
    assert_eq!(escaped(b"a\"b\\c\n\x00\xff"), "a\\\"b\\\\c\\n\\x00\\xff");
    assert_eq!(escaped("é".as_bytes()), "\\xc3\\xa9");
}

#[test]
fn scan_replies_give_cursor_and_items() {
    let reply = array(vec![bulk("17"), array(vec![bulk("a"), bulk("b")])]);
    assert_eq!(
        scan_page(&reply),
        Some((b"17".to_vec(), vec![b"a".to_vec(), b"b".to_vec()]))
    );
    assert_eq!(next_cursor(b"0".to_vec()), None);
    assert_eq!(next_cursor(b"17".to_vec()), Some(b"17".to_vec()));
    assert_eq!(scan_page(&Reply::error("ERR x")), None);
    assert_eq!(
        pairs_of(vec![b"f".to_vec(), b"v".to_vec(), b"odd".to_vec()]),
        vec![(b"f".to_vec(), b"v".to_vec())]
    );
}

#[test]
fn sorted_set_pages_are_ranked_in_both_protocols() {
    // RESP2: member, score, member, score
    let flat = array(vec![bulk("bob"), bulk("5"), bulk("alice"), bulk("12.5")]);
    let rows = ranked_members(&flat, 10);
    assert_eq!(
        rows,
        vec![
            RankedMember {
                rank: 10,
                member: b"bob".to_vec(),
                score: "5".into()
            },
            RankedMember {
                rank: 11,
                member: b"alice".to_vec(),
                score: "12.5".into()
            },
        ]
    );
    // RESP3: [member, double] pairs
    let pairs = array(vec![
        array(vec![bulk("bob"), Reply::Double(5.0)]),
        array(vec![bulk("alice"), Reply::Double(f64::INFINITY)]),
    ]);
    let rows = ranked_members(&pairs, 0);
    assert_eq!(rows[0].score, "5");
    assert_eq!(rows[1].score, "inf");
    assert_eq!(rows[1].rank, 1);
}

#[test]
fn list_pages_keep_their_indexes() {
    let reply = array(vec![bulk("x"), bulk("y")]);
    assert_eq!(
        indexed_items(&reply, 50),
        vec![(50, b"x".to_vec()), (51, b"y".to_vec())]
    );
}

/// XINFO STREAM as Redis 7.0 returns it (RESP2 flattens the map into an array).
fn xinfo_stream(flat: bool) -> Reply {
    let pairs = vec![
        (bulk("length"), Reply::Integer(2)),
        (bulk("radix-tree-keys"), Reply::Integer(1)),
        (bulk("radix-tree-nodes"), Reply::Integer(2)),
        (bulk("last-generated-id"), bulk("2-0")),
        (bulk("max-deleted-entry-id"), bulk("0-0")),
        (bulk("entries-added"), Reply::Integer(2)),
        (bulk("recorded-first-entry-id"), bulk("1-1")),
        (bulk("groups"), Reply::Integer(2)),
        (
            bulk("first-entry"),
            array(vec![
                bulk("1-1"),
                array(vec![bulk("f"), bulk("v"), bulk("g"), bulk("w")]),
            ]),
        ),
        (
            bulk("last-entry"),
            array(vec![bulk("2-0"), array(vec![bulk("a"), bulk("b")])]),
        ),
    ];
    if flat {
        array(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect())
    } else {
        Reply::Map(pairs)
    }
}

fn xinfo_groups(flat: bool) -> Reply {
    let group = |name: &str, last: &str, read: Reply, lag: Reply| {
        let pairs = vec![
            (bulk("name"), bulk(name)),
            (bulk("consumers"), Reply::Integer(1)),
            (bulk("pending"), Reply::Integer(3)),
            (bulk("last-delivered-id"), bulk(last)),
            (bulk("entries-read"), read),
            (bulk("lag"), lag),
        ];
        if flat {
            array(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect())
        } else {
            Reply::Map(pairs)
        }
    };
    array(vec![
        group("g1", "1-1", Reply::Integer(1), Reply::Integer(1)),
        group("g2", "0-0", Reply::Null, Reply::Integer(2)),
    ])
}

#[test]
fn stream_replies_become_entries_info_and_groups() {
    let xrange = array(vec![
        array(vec![
            bulk("1-1"),
            array(vec![bulk("f"), bulk("v"), bulk("g"), bulk("w")]),
        ]),
        array(vec![bulk("2-0"), array(vec![bulk("a"), bulk("b")])]),
    ]);
    let entries = stream_entries(&xrange);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].id, StreamId { ms: 1, seq: 1 });
    assert_eq!(entries[0].id.to_string(), "1-1");
    assert_eq!(
        entries[0].fields,
        vec![
            (b"f".to_vec(), b"v".to_vec()),
            (b"g".to_vec(), b"w".to_vec())
        ]
    );
    for flat in [true, false] {
        let info = stream_info(&xinfo_stream(flat));
        assert_eq!(
            info,
            StreamInfo {
                length: 2,
                last_generated_id: StreamId::parse("2-0"),
                max_deleted_entry_id: StreamId::parse("0-0"),
                entries_added: Some(2),
                recorded_first_entry_id: StreamId::parse("1-1"),
                groups: 2,
            }
        );
        let groups = stream_groups(&xinfo_groups(flat));
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].name, b"g1");
        assert_eq!(groups[0].pending, 3);
        assert_eq!(groups[0].entries_read, Some(1));
        assert_eq!(groups[1].entries_read, None);
        assert_eq!(groups[1].lag, Some(2));
        // g1 has been delivered the first entry; g2 nothing yet.
        assert_eq!(group_position(&entries, &groups[0]), Some(0));
        assert_eq!(group_position(&entries, &groups[1]), None);
    }
}

#[test]
fn stream_ids_order_numerically() {
    let a = StreamId::parse("9-5").unwrap();
    let b = StreamId::parse("10-0").unwrap();
    assert!(a < b);
    assert_eq!(StreamId::parse("10"), None);
    assert_eq!(StreamId::parse("x-1"), None);
}

#[test]
fn hyperloglogs_are_told_by_their_magic() {
    assert_eq!(hll_representation(b"HYLL\x01"), Some("sparse"));
    assert_eq!(hll_representation(b"HYLL\x00"), Some("dense"));
    assert_eq!(hll_representation(b"HYLL"), None);
    assert_eq!(hll_representation(b"hello"), None);
}

#[test]
fn views_know_whether_more_can_be_loaded() {
    let text = ValueView::Text {
        bytes: b"abc".to_vec(),
        total: 5,
        integer: false,
    };
    assert!(text.has_more());
    assert_eq!(text.loaded(), 3);
    let hash = ValueView::Hash {
        total: 2,
        rows: vec![],
        cursor: None,
    };
    assert!(!hash.has_more());
    let stream = ValueView::Stream {
        info: stream_info(&xinfo_stream(true)),
        entries: vec![],
        groups: vec![],
    };
    assert!(stream.has_more());
}
