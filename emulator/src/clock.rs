//! The engine's notion of time.
//!
//! The engine never reads a clock: hosts pass the wall-clock time (milliseconds since the Unix
//! epoch) into every entry point. On top of it the clock keeps an offset that a learner can move
//! forward ("+10 s") or hold still ("pause"), so keys can be watched expiring without waiting.

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// The last host time seen.
    host_ms: u64,
    /// Added to host time: grows with fast-forwards, shrinks by the length of a pause.
    offset_ms: i64,
    /// While paused, engine time stays at this value.
    paused_at: Option<u64>,
    /// The highest engine time handed out, so time stays monotonic even if the host clock steps back.
    high_water_ms: u64,
}

impl Clock {
    /// Records the host's current time and returns the engine time.
    pub fn update(&mut self, host_ms: u64) -> u64 {
        self.host_ms = host_ms;
        self.now()
    }

    /// Engine time in milliseconds since the Unix epoch.
    pub fn now(&mut self) -> u64 {
        let t = match self.paused_at {
            Some(t) => t,
            None => (self.host_ms as i64).saturating_add(self.offset_ms).max(0) as u64,
        };
        self.high_water_ms = self.high_water_ms.max(t);
        self.high_water_ms
    }

    /// The latest engine time handed out by `now` (for readers without mutable access).
    pub fn last_now(&self) -> u64 {
        self.high_water_ms
    }

    /// Moves engine time forward by `ms`.
    pub fn advance(&mut self, ms: u64) {
        match &mut self.paused_at {
            Some(t) => *t = t.saturating_add(ms),
            None => self.offset_ms = self.offset_ms.saturating_add(ms as i64),
        }
    }

    /// Freezes engine time at its current value.
    pub fn pause(&mut self) {
        if self.paused_at.is_none() {
            self.paused_at = Some(self.now());
        }
    }

    /// Lets engine time run again from where it was paused.
    pub fn resume(&mut self) {
        if let Some(t) = self.paused_at.take() {
            self.offset_ms = t as i64 - self.host_ms as i64;
        }
    }

    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    /// Converts an engine deadline into the host time at which it falls due.
    pub fn to_host_time(&self, engine_ms: u64) -> Option<u64> {
        if self.paused_at.is_some() {
            return None;
        }
        Some((engine_ms as i64 - self.offset_ms).max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_pause_resume() {
        let mut c = Clock::default();
        assert_eq!(c.update(1000), 1000);
        c.advance(500);
        assert_eq!(c.update(1100), 1600);
        c.pause();
        assert_eq!(c.update(5000), 1600);
        c.advance(100);
        assert_eq!(c.now(), 1700);
        c.resume();
        assert_eq!(c.update(5010), 1710);
        // A host clock that steps backwards does not move engine time back.
        assert_eq!(c.update(10), 1710);
    }
}
