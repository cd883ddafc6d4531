//! The page's host of the engine: one `Server` shared by every component, with the browser's
//! clock and a timer that drives active expiry.

use std::cell::RefCell;
use std::rc::Rc;

use emulator::Server;

/// Wall-clock time for the engine, in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// A shared handle on the engine.
#[derive(Clone)]
pub struct Engine(Rc<RefCell<Server>>);

impl PartialEq for Engine {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Engine {
    pub fn new() -> Engine {
        Engine(Rc::new(RefCell::new(Server::new())))
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
