//! The page's host of the engine: one `Server` shared by every component, with the browser's
//! clock and a timer that drives active expiry.

use std::cell::RefCell;
use std::rc::Rc;

use emulator::Server;

/// Wall-clock time for the engine, in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Settings that differ from Redis's defaults in the browser (see `Engine::new`).
pub const BROWSER_CONFIG: &[(&str, &str)] =
    &[("maxmemory", "128mb"), ("enable-debug-command", "local")];

/// A shared handle on the engine, and the watchers told after each use of it.
#[derive(Clone)]
pub struct Engine(Rc<RefCell<Server>>, Rc<ChangeFeed>);

impl PartialEq for Engine {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Engine {
    /// A server with Redis's defaults, except two settings that suit a page: a memory cap (a
    /// learner's loop cannot take the tab down; Redis answers with its OOM error instead) and
    /// DEBUG allowed for local clients, which every console here is.
    pub fn new() -> Engine {
        let mut server = Server::new();
        for (name, value) in BROWSER_CONFIG {
            // These values are valid by construction; a failure would only leave Redis's default.
            let _ = server.configure(name, value.as_bytes());
        }
        Engine(Rc::new(RefCell::new(server)), Rc::default())
    }

    /// Runs `f` with the engine borrowed mutably.
    /// Watchers (`watch`) are told afterwards: commands, ticks and clock moves all come
    /// through here.
    pub fn with<R>(&self, f: impl FnOnce(&mut Server) -> R) -> R {
        let result = f(&mut self.0.borrow_mut());
        self.1.notify();
        result
    }

    /// Runs `f` for a host-side reader (the key browser) without telling watchers: reading
    /// through an observer client changes nothing they show.
    pub fn observe<R>(&self, f: impl FnOnce(&mut Server) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }

    /// Calls `changed` after every later `with` until the returned handle is dropped. It runs
    /// with the engine free but must stay cheap (schedule work, do not do it).
    pub fn watch(&self, changed: impl Fn() + 'static) -> Watch {
        let id = self.1.next_id.get();
        self.1.next_id.set(id + 1);
        self.1.watchers.borrow_mut().push((id, Rc::new(changed)));
        Watch {
            feed: self.1.clone(),
            id,
        }
    }

    /// Starts the timer that runs the engine's time-driven work (active expiry, timeouts).
    pub fn start_timer(&self) -> gloo_timers::callback::Interval {
        let engine = self.clone();
        gloo_timers::callback::Interval::new(100, move || {
            engine.with(|server| server.tick(now_ms()));
        })
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
