//! Server commands: INFO, CONFIG, DBSIZE, FLUSHDB, FLUSHALL, TIME, DEBUG, MEMORY, SLOWLOG, LOLWUT, WAIT, ...

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[];
