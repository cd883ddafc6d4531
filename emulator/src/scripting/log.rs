//! Where `redis.log` writes: Redis's server log, kept here as the most recent lines.

use std::collections::VecDeque;

/// Log levels, as `redis.LOG_*` numbers them.
pub const LOG_DEBUG: u8 = 0;
pub const LOG_VERBOSE: u8 = 1;
pub const LOG_NOTICE: u8 = 2;
pub const LOG_WARNING: u8 = 3;

/// Lines below this level are dropped, as with Redis's default `loglevel notice`.
pub const DEFAULT_VERBOSITY: u8 = LOG_NOTICE;

/// At most this many lines are kept.
const CAPACITY: usize = 1000;

/// One line written by a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub level: u8,
    pub text: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct ScriptLog {
    lines: VecDeque<LogLine>,
}

impl ScriptLog {
    pub fn push(&mut self, level: u8, text: Vec<u8>) {
        if self.lines.len() == CAPACITY {
            self.lines.pop_front();
        }
        self.lines.push_back(LogLine { level, text });
    }

    /// Removes and returns the lines written so far.
    pub fn take(&mut self) -> Vec<LogLine> {
        self.lines.drain(..).collect()
    }
}
