//! What survives a page reload or a crash in the browser: the engine's disk is copied into
//! the page's storage as segments (see `persistence::mirror`), and a new engine starts from
//! what that storage holds. Runs natively and, via wasm-bindgen-test, in headless browsers;
//! the end-to-end tests repeat it with IndexedDB and a real reload.

use emulator::persistence::{segment_key, MirrorOp, MirroredDisk, SharedMirror};
use emulator::{ClientId, Reply, Server};
#[cfg(not(target_arch = "wasm32"))]
use std::prelude::rust_2021::test as wasm_bindgen_test;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const T0: u64 = 1_700_000_000_000;

/// The page's storage: segment keys and their bytes, as IndexedDB holds them.
#[derive(Default)]
struct PageStorage(Vec<(String, Vec<u8>)>);

impl PageStorage {
    fn apply(&mut self, ops: Vec<MirrorOp>) {
        for op in ops {
            let (name, keep_old) = match &op {
                MirrorOp::Append { name, .. } => (name.clone(), true),
                MirrorOp::Replace { name, .. } | MirrorOp::Remove { name } => (name.clone(), false),
            };
            if !keep_old {
                let prefix = segment_key(&name, 0);
                let prefix = &prefix[..prefix.len() - 10];
                self.0.retain(|(key, _)| !key.starts_with(prefix));
            }
            match op {
                MirrorOp::Append { name, seq, bytes } | MirrorOp::Replace { name, seq, bytes } => {
                    self.0.push((segment_key(&name, seq), bytes))
                }
                MirrorOp::Remove { .. } => {}
            }
        }
    }
}

/// One page: an engine on a mirrored disk, and a console client.
struct Page {
    server: Server,
    disk: SharedMirror,
    client: ClientId,
    now: u64,
    startup_log: Vec<String>,
}

impl Page {
    /// Opens the page on what the storage holds, with the configuration lines given.
    fn open(storage: &PageStorage, config: &[(&str, &str)], now: u64) -> Page {
        let disk = SharedMirror::new(MirroredDisk::from_segments(storage.0.clone()));
        let mut server = Server::new();
        for (name, value) in config {
            server.configure(name, value.as_bytes()).unwrap();
        }
        server.set_disk(Box::new(disk.clone()));
        let startup_log = server.start(now);
        let client = server.connect(now);
        Page {
            server,
            disk,
            client,
            now,
            startup_log,
        }
    }

    fn run(&mut self, line: &str) -> Reply {
        let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        self.server.execute(self.client, argv, self.now).remove(0)
    }

    /// Time passes; the page's timer drives the engine.
    fn wait(&mut self, ms: u64) {
        for _ in 0..ms / 100 {
            self.now += 100;
            self.server.tick(self.now);
        }
    }

    /// Copies the disk's changes into the storage, as the page does after each command.
    fn sync(&mut self, storage: &mut PageStorage) {
        storage.apply(self.disk.take_journal());
    }

    /// The page is closed or reloaded: SHUTDOWN's disk effects, then a last copy.
    fn unload(mut self, storage: &mut PageStorage) -> u64 {
        self.server.persist_before_exit(self.now);
        self.sync(storage);
        self.now
    }

    /// The crash button: whatever the disk does not hold is lost.
    fn crash(&mut self, storage: &mut PageStorage) -> Vec<String> {
        let log = self.server.crash(self.now);
        self.client = self.server.connect(self.now);
        self.sync(storage);
        log
    }
}

#[wasm_bindgen_test]
fn with_redis_defaults_a_reload_keeps_everything() {
    let mut storage = PageStorage::default();
    let mut page = Page::open(&storage, &[], T0);
    page.run("SET greeting hello");
    page.run("RPUSH jobs a b c");
    page.run("SET session:1 alice EX 600");
    page.sync(&mut storage);
    let now = page.unload(&mut storage);
    let mut page = Page::open(&storage, &[], now + 1000);
    assert!(
        page.startup_log
            .iter()
            .any(|l| l.contains("Done loading RDB, keys loaded: 3")),
        "{:?}",
        page.startup_log
    );
    assert_eq!(page.run("GET greeting"), Reply::bulk("hello"));
    assert_eq!(page.run("LLEN jobs"), Reply::Integer(3));
    assert_eq!(page.run("TTL session:1"), Reply::Integer(599));
}

#[wasm_bindgen_test]
fn without_save_points_or_aof_only_an_explicit_save_survives() {
    let config = [("save", "")];
    let mut storage = PageStorage::default();
    let mut page = Page::open(&storage, &config, T0);
    page.run("SET kept 1");
    page.run("SAVE");
    page.run("SET lost 1");
    page.sync(&mut storage);
    let now = page.unload(&mut storage);
    let mut page = Page::open(&storage, &config, now);
    assert_eq!(page.run("GET kept"), Reply::bulk("1"));
    assert_eq!(page.run("EXISTS lost"), Reply::Integer(0));
}

#[wasm_bindgen_test]
fn a_crash_under_everysec_loses_at_most_the_last_second() {
    let config = [("appendonly", "yes"), ("appendfsync", "everysec")];
    let mut storage = PageStorage::default();
    let mut page = Page::open(&storage, &config, T0);
    page.run("SET early 1");
    page.wait(1500);
    page.run("SET late 1");
    page.sync(&mut storage);
    page.crash(&mut storage);
    assert_eq!(page.run("GET early"), Reply::bulk("1"));
    assert_eq!(page.run("EXISTS late"), Reply::Integer(0));
    // The storage holds the same: a reload after the crash finds the same data.
    let now = page.unload(&mut storage);
    let mut page = Page::open(&storage, &config, now);
    assert_eq!(page.run("GET early"), Reply::bulk("1"));
    assert_eq!(page.run("EXISTS late"), Reply::Integer(0));
}

#[wasm_bindgen_test]
fn a_crash_under_always_loses_nothing_acknowledged() {
    let config = [("appendonly", "yes"), ("appendfsync", "always")];
    let mut storage = PageStorage::default();
    let mut page = Page::open(&storage, &config, T0);
    page.run("SET a 1");
    page.run("INCR a");
    page.sync(&mut storage);
    let log = page.crash(&mut storage);
    assert!(log.iter().any(|l| l.contains("DB loaded from")), "{log:?}");
    assert_eq!(page.run("GET a"), Reply::bulk("2"));
}

#[wasm_bindgen_test]
fn a_crash_with_snapshots_only_loses_everything_since_the_last_one() {
    let mut storage = PageStorage::default();
    let mut page = Page::open(&storage, &[], T0);
    page.run("SET before 1");
    page.run("BGSAVE");
    page.run("SET after 1");
    page.sync(&mut storage);
    page.crash(&mut storage);
    assert_eq!(page.run("GET before"), Reply::bulk("1"));
    assert_eq!(page.run("EXISTS after"), Reply::Integer(0));
}
