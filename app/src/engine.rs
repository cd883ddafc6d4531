//! The page's host of the engine: one `Server` shared by every component, with the browser's
//! clock, a timer that drives the engine's time-based work, and the disk the engine persists
//! to, mirrored into IndexedDB (see `storage.rs`).
//!
//! Like a Redis process, the engine starts by loading what its disk holds, with the
//! configuration it ran with last (kept in `redis.conf` on the disk, as if CONFIG REWRITE had
//! saved it). Closing or reloading the page is a clean shutdown: SHUTDOWN's disk effects are
//! carried out when the page is hidden for good. Restart and Crash act on the same engine;
//! every start bumps an epoch so consoles know to connect again.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use emulator::cli::{quote_bytes, split_args};
use emulator::persistence::{Disk, SharedMirror};
use emulator::{ClientId, Reply, Server};

use crate::storage::{StorageState, StorageSync};

/// Wall-clock time for the engine, in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    wall_clock_ms() as u64
}

/// The browser's clock; natively (the app's unit tests) the system's.
fn wall_clock_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

/// Settings that differ from Redis's defaults in the browser (see `Engine::new`).
pub const BROWSER_CONFIG: &[(&str, &str)] =
    &[("maxmemory", "128mb"), ("enable-debug-command", "local")];

/// The file on the disk that holds the configuration between page loads.
const CONFIG_FILE: &str = "redis.conf";

/// The snapshot a clean shutdown would save, kept current while the page runs (see
/// `Engine::keep_shutdown_image`) and put in place of `dump.rdb` by the next page load.
const SHUTDOWN_IMAGE: &str = "shutdown-image.rdb";

/// How often at most the shutdown image is rewritten while changes keep coming: every 250 ms,
/// or less often for a dataset whose encoding is slow, so that keeping the image costs at
/// most a tenth of the page's time.
const SHUTDOWN_IMAGE_INTERVAL_MS: f64 = 250.0;
const SHUTDOWN_IMAGE_MAX_SHARE: f64 = 0.1;

/// What the page found in its storage before the engine starts.
pub struct Preloaded {
    pub disk: SharedMirror,
    /// Why storage is unavailable, if it is (the page then keeps data in memory only).
    pub storage_error: Option<String>,
}

thread_local! {
    static PRELOADED: RefCell<Option<Preloaded>> = const { RefCell::new(None) };
}

/// Hands the storage read at start to the engine the app creates next.
pub fn set_preloaded(preloaded: Preloaded) {
    PRELOADED.with(|p| *p.borrow_mut() = Some(preloaded));
}

/// The IndexedDB database of this page: `?instance=<name>` gives embedded playgrounds on one
/// site separate stores.
pub fn instance_name() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|query| {
            query
                .trim_start_matches('?')
                .split('&')
                .find_map(|pair| pair.strip_prefix("instance=").map(str::to_string))
        })
        .filter(|name| !name.is_empty() && name.len() <= 64)
        .unwrap_or_else(|| "default".into())
}

/// The host's state beside the server.
struct Host {
    storage: Option<StorageSync>,
    storage_error: Option<String>,
    /// Counts starts of the server; consoles reconnect when it moves.
    epoch: Cell<u64>,
    /// The server's log lines of the last start (and the shutdown before it).
    start_log: RefCell<Vec<String>>,
    /// The server's config generation when the configuration was last saved.
    config_generation: Cell<u64>,
    /// The page's own client for reading server state (connected per epoch).
    observer: Cell<Option<(u64, ClientId)>>,
    /// The change count the shutdown image was last written for, and when (page time).
    image_written: Cell<(u64, f64)>,
    /// The least time between two rewrites of the image (see `SHUTDOWN_IMAGE_MAX_SHARE`).
    image_interval: Cell<f64>,
    /// Whether the next slice of a busy script is scheduled.
    busy_slice_scheduled: Cell<bool>,
}

/// A shared handle on the engine, and the watchers told after each use of it.
#[derive(Clone)]
pub struct Engine {
    server: Rc<RefCell<Server>>,
    host: Rc<Host>,
    feed: Rc<ChangeFeed>,
}

impl PartialEq for Engine {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.server, &other.server)
    }
}

impl Engine {
    /// A server with Redis's defaults, except two settings that suit a page: a memory cap (a
    /// learner's loop cannot take the tab down; Redis answers with its OOM error instead) and
    /// DEBUG allowed for local clients, which every console here is. It starts on the disk
    /// read from the page's storage.
    pub fn new() -> Engine {
        let preloaded = PRELOADED.with(|p| p.borrow_mut().take());
        // Without a page's storage (the app's unit tests) the disk lives in memory only.
        let (disk, storage_error, in_page) = match preloaded {
            Some(p) => (p.disk, p.storage_error, true),
            None => (SharedMirror::default(), None, false),
        };
        let mut server = Server::new();
        for (name, value) in BROWSER_CONFIG {
            // These values are valid by construction; a failure would only leave Redis's default.
            let _ = server.configure(name, value.as_bytes());
        }
        let mut log = apply_saved_config(&mut server, &disk);
        apply_shutdown_image(&server, &disk);
        server.set_disk(Box::new(disk.clone()));
        log.extend(server.start(now_ms()));
        let storage = (in_page && storage_error.is_none())
            .then(|| StorageSync::new(&instance_name(), disk, StorageState::Saved));
        let engine = Engine {
            server: Rc::new(RefCell::new(server)),
            host: Rc::new(Host {
                storage,
                storage_error,
                epoch: Cell::new(1),
                start_log: RefCell::new(log),
                config_generation: Cell::new(0),
                observer: Cell::new(None),
                image_written: Cell::new((0, 0.0)),
                image_interval: Cell::new(SHUTDOWN_IMAGE_INTERVAL_MS),
                busy_slice_scheduled: Cell::new(false),
            }),
            feed: Rc::default(),
        };
        engine.after_use();
        engine
    }

    /// Runs `f` with the engine borrowed mutably, then copies what reached the disk into
    /// the page's storage. Watchers (`watch`) are told afterwards: commands, ticks and clock
    /// moves all come through here.
    pub fn with<R>(&self, f: impl FnOnce(&mut Server) -> R) -> R {
        let result = f(&mut self.server.borrow_mut());
        self.after_use();
        self.feed.notify();
        result
    }

    /// Runs `f` for a host-side reader (the key browser) without telling watchers: reading
    /// through an observer client changes nothing they show.
    pub fn observe<R>(&self, f: impl FnOnce(&mut Server) -> R) -> R {
        f(&mut self.server.borrow_mut())
    }

    /// Calls `changed` after every later `with` until the returned handle is dropped. It runs
    /// with the engine free but must stay cheap (schedule work, do not do it).
    pub fn watch(&self, changed: impl Fn() + 'static) -> Watch {
        let id = self.feed.next_id.get();
        self.feed.next_id.set(id + 1);
        self.feed.watchers.borrow_mut().push((id, Rc::new(changed)));
        Watch {
            feed: self.feed.clone(),
            id,
        }
    }

    fn after_use(&self) {
        {
            let mut server = self.server.borrow_mut();
            // Each use is one turn of the page's event loop.
            server.before_sleep();
            self.keep_shutdown_image(&mut server);
            let generation = server.config_generation();
            if generation != self.host.config_generation.get() {
                self.host.config_generation.set(generation);
                save_config(&mut server);
            }
        }
        if let Some(storage) = &self.host.storage {
            storage.flush();
        }
        self.schedule_busy_slice();
    }

    /// While a script is busy, runs it slice by slice from the page's event loop, so that
    /// the page (and every console) stays responsive, as Redis serves clients meanwhile.
    fn schedule_busy_slice(&self) {
        if self.host.busy_slice_scheduled.get() || !self.server.borrow().script_busy() {
            return;
        }
        self.host.busy_slice_scheduled.set(true);
        let engine = self.clone();
        gloo_timers::callback::Timeout::new(0, move || {
            engine.host.busy_slice_scheduled.set(false);
            engine.with(|server| server.run_busy_script(now_ms()));
        })
        .forget();
    }

    /// Keeps on the disk the snapshot a clean shutdown would save now. A page's last writes
    /// (those `persist_on_page_hide` starts) may never reach storage, so the result of the
    /// shutdown a reload stands for is prepared while the page runs: rewritten at most every
    /// 250 ms while changes come (less often for big datasets), dropped when a save makes it stale or when nothing would be
    /// saved (no save points, or the AOF, which is fsynced as configured, is on).
    fn keep_shutdown_image(&self, server: &mut Server) {
        let changes = server.changes_since_save();
        let wanted = changes > 0 && server.saves_on_shutdown() && !server.config().appendonly;
        let (written_for, written_at) = self.host.image_written.get();
        if !wanted {
            if written_for != 0 {
                let _ = server.disk_mut().remove(SHUTDOWN_IMAGE);
                self.host.image_written.set((0, 0.0));
            }
            return;
        }
        let now = wall_clock_ms();
        if changes == written_for || now - written_at < self.host.image_interval.get() {
            return;
        }
        let engine_now = server.now_ms();
        let image = server.rdb_bytes(engine_now);
        let _ = server.disk_mut().write(SHUTDOWN_IMAGE, &image);
        let cost = wall_clock_ms() - now;
        let interval = SHUTDOWN_IMAGE_INTERVAL_MS.max(cost / SHUTDOWN_IMAGE_MAX_SHARE);
        self.host.image_interval.set(interval);
        self.host.image_written.set((changes, now));
    }

    /// Starts the timer that runs the engine's time-driven work (active expiry, timeouts,
    /// save points, AOF fsyncs).
    pub fn start_timer(&self) -> gloo_timers::callback::Interval {
        let engine = self.clone();
        gloo_timers::callback::Interval::new(100, move || {
            engine.with(|server| server.tick(now_ms()));
        })
    }

    /// Carries out SHUTDOWN's effects on the disk when the page goes away (reload, close,
    /// navigation), so the next page load finds what Redis would have kept.
    pub fn persist_on_page_hide(&self) -> Option<gloo_events::EventListener> {
        let engine = self.clone();
        let window = web_sys::window()?;
        Some(gloo_events::EventListener::new(
            &window,
            "pagehide",
            move |_| {
                engine.with(|server| server.persist_before_exit(now_ms()));
            },
        ))
    }

    // ----- the server's life -----

    /// Counts starts; consoles compare it with the one they connected in.
    pub fn epoch(&self) -> u64 {
        self.host.epoch.get()
    }

    /// The log lines of the last start (and of the shutdown or crash before it).
    pub fn start_log(&self) -> Vec<String> {
        self.host.start_log.borrow().clone()
    }

    fn started(&self, log: Vec<String>) {
        *self.host.start_log.borrow_mut() = log;
        self.host.epoch.set(self.host.epoch.get() + 1);
    }

    /// A clean restart: SHUTDOWN (saving as configured), then a start from the disk.
    pub fn restart(&self) {
        self.drop_shutdown_image();
        let log = self.with(|server| server.restart(now_ms()));
        self.started(log);
    }

    /// A crash: everything the disk does not hold is lost, then a start from the disk.
    pub fn crash(&self) {
        // What a clean shutdown would have saved is not saved.
        self.drop_shutdown_image();
        let log = self.with(|server| server.crash(now_ms()));
        self.started(log);
    }

    /// Starts a server that SHUTDOWN stopped.
    pub fn start(&self) {
        let log = self.with(|server| server.start(now_ms()));
        self.started(log);
    }

    fn drop_shutdown_image(&self) {
        let _ = self.server.borrow_mut().disk_mut().remove(SHUTDOWN_IMAGE);
        self.host.image_written.set((0, 0.0));
    }

    pub fn is_stopped(&self) -> bool {
        self.server.borrow().is_stopped()
    }

    /// Runs a command on the page's observer client (no trace in the learner's statistics,
    /// CLIENT LIST or MONITOR); reconnects it after a restart.
    pub fn observe_command(&self, args: &[&str]) -> Reply {
        let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        self.with(|server| {
            let epoch = self.host.epoch.get();
            let id = match self.host.observer.get() {
                Some((e, id)) if e == epoch && server.client(id).is_some() => id,
                _ => {
                    let id = server.connect_observer(now_ms());
                    self.host.observer.set(Some((epoch, id)));
                    id
                }
            };
            server
                .execute(id, argv, now_ms())
                .into_iter()
                .next()
                .unwrap_or(Reply::NullArray)
        })
    }

    // ----- storage -----

    pub fn storage(&self) -> Option<&StorageSync> {
        self.host.storage.as_ref()
    }

    /// Why the page cannot persist anything, if it cannot.
    pub fn storage_error(&self) -> Option<String> {
        self.host.storage_error.clone()
    }

    /// A file on the engine's disk.
    pub fn disk_file(&self, name: &str) -> Option<Vec<u8>> {
        self.server.borrow().disk().read(name).ok().flatten()
    }

    /// The files on the engine's disk that Redis would have in its `dir` (not the page's
    /// own bookkeeping: the saved configuration and the shutdown image).
    pub fn disk_files(&self) -> Vec<String> {
        let mut files = self.server.borrow().disk().list().unwrap_or_default();
        files.retain(|name| name != CONFIG_FILE && name != SHUTDOWN_IMAGE);
        files
    }
}

/// Applies `redis.conf` from the disk: the configuration the server ran with before the
/// page was reloaded. Returns log lines for lines it could not apply.
fn apply_saved_config(server: &mut Server, disk: &SharedMirror) -> Vec<String> {
    let Ok(Some(text)) = disk.read(CONFIG_FILE) else {
        return Vec::new();
    };
    let mut log = Vec::new();
    for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let applied = split_args(line)
            .ok()
            .and_then(|args| match args.as_slice() {
                [name, value] => {
                    let name = String::from_utf8_lossy(name).into_owned();
                    server.configure(&name, value).ok()
                }
                _ => None,
            });
        if applied.is_none() {
            log.push(format!(
                "# Skipped a line of {CONFIG_FILE}: {}",
                String::from_utf8_lossy(line)
            ));
        }
    }
    log
}

/// The previous page's shutdown image becomes `dump.rdb`, as if its clean shutdown had
/// saved it, unless that page's own final save reached storage (which drops the image).
fn apply_shutdown_image(server: &Server, disk: &SharedMirror) {
    let mut disk = disk.clone();
    let Ok(Some(image)) = disk.read(SHUTDOWN_IMAGE) else {
        return;
    };
    let name = String::from_utf8_lossy(&server.config().get("dbfilename").unwrap_or_default())
        .into_owned();
    let _ = disk.write(&name, &image);
    let _ = disk.remove(SHUTDOWN_IMAGE);
}

/// Writes the parameters that differ from Redis's defaults to `redis.conf` on the disk.
fn save_config(server: &mut Server) {
    let mut text = String::new();
    for (name, value) in server.config_changes() {
        text.push_str(name);
        text.push(' ');
        text.push_str(&quote_bytes(&value));
        text.push('\n');
    }
    let unchanged =
        server.disk().read(CONFIG_FILE).ok().flatten().as_deref() == Some(text.as_bytes());
    if !unchanged {
        let _ = server.disk_mut().write(CONFIG_FILE, text.as_bytes());
    }
}

/// A function told that the engine has been used.
type Watcher = Rc<dyn Fn()>;

/// Who to tell when the engine has been used.
#[derive(Default)]
pub struct ChangeFeed {
    watchers: RefCell<Vec<(u64, Watcher)>>,
    next_id: std::cell::Cell<u64>,
}

impl ChangeFeed {
    fn notify(&self) {
        if self.watchers.borrow().is_empty() {
            return;
        }
        // A copy, so that a watcher may add or drop watches while being told.
        let watchers: Vec<Watcher> = self
            .watchers
            .borrow()
            .iter()
            .map(|(_, w)| w.clone())
            .collect();
        for watcher in watchers {
            watcher();
        }
    }
}

/// A registration made by `Engine::watch`; dropping it ends it.
pub struct Watch {
    feed: Rc<ChangeFeed>,
    id: u64,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.feed
            .watchers
            .borrow_mut()
            .retain(|(id, _)| *id != self.id);
    }
}
