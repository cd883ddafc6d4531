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

/// A shared handle on the engine.
#[derive(Clone)]
pub struct Engine(Rc<RefCell<Server>>);

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
        Engine(Rc::new(RefCell::new(server)))
    }

    /// Runs `f` with the engine borrowed mutably.
    pub fn with<R>(&self, f: impl FnOnce(&mut Server) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }

    /// Starts the timer that runs the engine's time-driven work (active expiry, timeouts).
    pub fn start_timer(&self) -> gloo_timers::callback::Interval {
        let engine = self.clone();
        gloo_timers::callback::Interval::new(100, move || {
            engine.with(|server| server.tick(now_ms()));
        })
    }
}
