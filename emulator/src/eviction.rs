//! `maxmemory` enforcement with Redis's eight policies and its approximations:
//!
//! * LRU, LFU and TTL policies sample `maxmemory-samples` keys from every database and keep
//!   the best candidates in a 16-entry pool that survives between evictions (Redis's
//!   eviction pool); the best live candidate is evicted, repeatedly, until memory is back
//!   under the limit.
//! * LFU uses Redis's 8-bit logarithmic counter: incremented with probability
//!   `1 / ((counter - 5) * lfu-log-factor + 1)` on access, and decremented by one per
//!   `lfu-decay-time` minutes without access.
//! * Random policies pick a random key, visiting databases in turn.
//!
//! Memory is the model of `memory.rs`; freeing a key lowers it by that key's footprint.

use crate::db::Key;
use crate::memory;
use crate::server::Server;
use crate::types::Entry;

/// Candidates kept between evictions.
const POOL_SIZE: usize = 16;
/// The counter new keys start with, so they are not evicted at once.
pub const LFU_INIT_VAL: u8 = 5;

#[derive(Clone, Debug)]
struct Candidate {
    /// Higher is a better candidate: idle time, inverse frequency, or time to expiry reversed.
    score: u64,
    key: Key,
    db: usize,
}

/// State that eviction keeps across commands.
#[derive(Debug)]
pub struct EvictionState {
    /// Ascending by score; empty slots only at the end.
    pool: [Option<Candidate>; POOL_SIZE],
    rng: u64,
    /// Next database the random policies look at.
    next_db: usize,
    /// Engine time since which memory has been over the limit with nothing left to evict.
    exceeded_since: Option<u64>,
    /// Milliseconds spent over the limit before the current stretch.
    exceeded_total_ms: u64,
}

impl Default for EvictionState {
    fn default() -> Self {
        EvictionState {
            pool: Default::default(),
            rng: 0x853c_49e6_748f_ea9b,
            next_db: 0,
            exceeded_since: None,
            exceeded_total_ms: 0,
        }
    }
}

impl EvictionState {
    /// A pseudo-random 64-bit number (xorshift64*).
    pub fn random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A pseudo-random number in [0, 1].
    fn unit(&mut self) -> f64 {
        (self.random() >> 11) as f64 / ((1u64 << 53) - 1) as f64
    }

    /// INFO's `total_eviction_exceeded_time` and `current_eviction_exceeded_time`, in ms.
    pub fn exceeded_times(&self, now: u64) -> (u64, u64) {
        let current = self
            .exceeded_since
            .map_or(0, |since| now.saturating_sub(since));
        (self.exceeded_total_ms + current, current)
    }

    pub fn reset_stats(&mut self) {
        self.exceeded_total_ms = 0;
        self.exceeded_since = None;
    }

    /// Inserts a candidate, keeping the pool sorted and dropping the worst when full.
    fn offer(&mut self, candidate: Candidate) {
        let pool = &mut self.pool;
        let mut k = 0;
        while k < POOL_SIZE && pool[k].as_ref().is_some_and(|c| c.score < candidate.score) {
            k += 1;
        }
        let full = pool[POOL_SIZE - 1].is_some();
        if k == 0 && full {
            // Worse than everything in a full pool.
            return;
        }
        if k < POOL_SIZE && pool[k].is_none() {
            pool[k] = Some(candidate);
        } else if !full {
            // Room on the right: shift the better ones right.
            pool[k..].rotate_right(1);
            pool[k] = Some(candidate);
        } else {
            // Full: drop the worst (leftmost) and insert just before the first better one.
            k -= 1;
            pool[..=k].rotate_left(1);
            pool[k] = Some(candidate);
        }
    }
}

/// Minutes since the last access, Redis's LFU decay clock.
fn minutes_between(from_ms: u64, to_ms: u64) -> u64 {
    (to_ms / 60_000).saturating_sub(from_ms / 60_000)
}

/// Redis's LFUDecrAndReturn: the key's access counter after decay, without storing it.
pub fn lfu_decayed(entry: &Entry, now: u64, decay_minutes: i64) -> u8 {
    let periods = match u64::try_from(decay_minutes) {
        Ok(decay) if decay > 0 => minutes_between(entry.last_access_ms, now) / decay,
        _ => 0,
    };
    let counter = u64::from(entry.lfu_counter);
    counter.saturating_sub(periods) as u8
}

/// Redis's LFULogIncr with `r` a random number in [0, 1].
fn lfu_log_incr(counter: u8, log_factor: i64, r: f64) -> u8 {
    if counter == u8::MAX {
        return counter;
    }
    let base = f64::from(counter.saturating_sub(LFU_INIT_VAL));
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if r < p {
        counter + 1
    } else {
        counter
    }
}

impl Server {
    /// Updates a key's access data on lookup: its access time, and under an LFU policy its
    /// frequency counter (decayed, then logarithmically incremented).
    pub(crate) fn record_access(&mut self, db: usize, slot: crate::dict::Slot, now: u64) {
        let lfu = self.config.policy().is_lfu();
        let (decay, factor) = (self.config.lfu_decay_time, self.config.lfu_log_factor);
        let r = if lfu { self.eviction.unit() } else { 0.0 };
        let entry = self.dbs[db].entry_at_mut(slot);
        if lfu {
            let counter = lfu_decayed(entry, now, decay);
            entry.lfu_counter = lfu_log_incr(counter, factor, r);
        }
        entry.last_access_ms = now;
    }

    /// Redis's performEvictions: while memory is over `maxmemory`, evicts keys by the policy.
    /// Returns false when memory is still over the limit and nothing more may be evicted
    /// (commands that may grow memory are then refused).
    pub(crate) fn perform_evictions(&mut self) -> bool {
        let now = self.clock.now();
        // Nothing is evicted while clients are paused (the dataset stays constant).
        if self.clients_paused(now) {
            return true;
        }
        let ok = self.evict_until_under_limit(now);
        // Evictions are propagated at once and never as a transaction.
        self.flush_propagation(false);
        self.aof_after_write(now);
        match (ok, self.eviction.exceeded_since) {
            (false, None) => self.eviction.exceeded_since = Some(now),
            (true, Some(since)) => {
                self.eviction.exceeded_total_ms += now.saturating_sub(since);
                self.eviction.exceeded_since = None;
            }
            _ => {}
        }
        ok
    }

    fn evict_until_under_limit(&mut self, now: u64) -> bool {
        let limit = self.config.maxmemory;
        if limit == 0 {
            return true;
        }
        let used = self.used_memory() as u64;
        if used <= limit {
            return true;
        }
        let policy = self.config.policy();
        if policy == crate::config::MaxmemoryPolicy::NoEviction {
            return false;
        }
        let to_free = used - limit;
        let mut freed = 0u64;
        while freed < to_free {
            let Some((db, key)) = self.pick_victim(now) else {
                return false;
            };
            let before = self.used_memory() as u64;
            self.dbs[db].remove(&key);
            self.stats.evicted_keys += 1;
            self.key_removed_by_server(db, &key);
            self.notify_keyspace_event(crate::notify::class::EVICTED, "evicted", &key, db);
            let lazy = self.config.lazyfree_lazy_eviction;
            self.propagate_deletion(db, &key, lazy);
            freed += before.saturating_sub(self.used_memory() as u64);
        }
        true
    }

    /// The next key to evict under the current policy, if any key qualifies.
    fn pick_victim(&mut self, now: u64) -> Option<(usize, Key)> {
        let policy = self.config.policy();
        let allkeys = policy.is_allkeys();
        if !policy.is_lru()
            && !policy.is_lfu()
            && policy != crate::config::MaxmemoryPolicy::VolatileTtl
        {
            return self.random_victim(allkeys);
        }
        loop {
            let mut total = 0;
            for db in 0..self.dbs.len() {
                let size = if allkeys {
                    self.dbs[db].len()
                } else {
                    self.dbs[db].volatile_len()
                };
                if size > 0 {
                    self.populate_pool(db, now);
                    total += size;
                }
            }
            if total == 0 {
                return None;
            }
            // Best candidates are on the right; entries for keys gone since are skipped.
            for k in (0..POOL_SIZE).rev() {
                // Slots right of k are already empty, so taking k keeps the pool packed.
                let Some(candidate) = self.eviction.pool[k].take() else {
                    continue;
                };
                let d = &self.dbs[candidate.db];
                let alive = if allkeys {
                    d.contains(&candidate.key)
                } else {
                    d.expire_at(&candidate.key).is_some()
                };
                if alive {
                    return Some((candidate.db, candidate.key));
                }
            }
        }
    }

    /// Samples keys of one database into the pool, scored by the policy.
    fn populate_pool(&mut self, db: usize, now: u64) {
        let policy = self.config.policy();
        let count = usize::try_from(self.config.maxmemory_samples).unwrap_or(1);
        let seed = self.eviction.random();
        let sample = self.dbs[db].sample_keys(count, !policy.is_allkeys(), seed);
        let decay = self.config.lfu_decay_time;
        for key in sample {
            let d = &self.dbs[db];
            let score = if policy == crate::config::MaxmemoryPolicy::VolatileTtl {
                u64::MAX - d.expire_at(&key).unwrap_or(0)
            } else {
                let Some(entry) = d.get(&key) else { continue };
                if policy.is_lfu() {
                    255 - u64::from(lfu_decayed(entry, now, decay))
                } else {
                    now.saturating_sub(entry.last_access_ms)
                }
            };
            self.eviction.offer(Candidate { score, key, db });
        }
    }

    /// allkeys-random / volatile-random: a random key of the next database that has one.
    fn random_victim(&mut self, allkeys: bool) -> Option<(usize, Key)> {
        let n = self.dbs.len();
        for _ in 0..n {
            self.eviction.next_db = (self.eviction.next_db + 1) % n;
            let db = self.eviction.next_db;
            let seed = self.eviction.random();
            if let Some(key) = self.dbs[db].sample_keys(1, !allkeys, seed).pop() {
                return Some((db, key));
            }
        }
        None
    }

    /// Bytes used, as INFO's `used_memory` reports and `maxmemory` compares (see `memory.rs`).
    pub fn used_memory(&self) -> usize {
        let clients = self.memory.counted_clients;
        debug_assert_eq!(
            clients,
            self.clients.values().filter(|c| !c.internal).count()
        );
        let data: usize = self
            .dbs
            .iter()
            .filter(|d| !d.is_empty() || d.used_bytes() > 0)
            .map(|d| d.used_bytes() + memory::db_overhead(d.len(), d.volatile_len()))
            .sum();
        let histograms = self.monitor.histogram_count() * memory::LATENCY_HISTOGRAM_BYTES;
        memory::STARTUP_BYTES
            + memory::RUNTIME_BYTES
            + clients * memory::CLIENT_BYTES
            + histograms
            + data
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{StringValue, Value};

    const T0: u64 = 1_700_000_000_000;

    /// A server with `n` keys in db 0, the first `volatile` of them expiring, the sooner the
    /// lower their number.
    fn server_with_keys(n: usize, volatile: usize) -> Server {
        let mut srv = Server::new();
        srv.connect(T0);
        for i in 0..n {
            let key = format!("key:{i}").into_bytes();
            let value = Value::String(StringValue::new(vec![b'x'; 50]));
            srv.set_value(0, &key, value, false, T0);
            if i < volatile {
                srv.db(0).set_expire(&key, T0 + 1_000_000 + i as u64 * 1000);
            }
        }
        srv
    }

    fn limit_to_fraction(srv: &mut Server, fraction: f64) {
        let empty = Server::new().used_memory() + memory::CLIENT_BYTES;
        let used = srv.used_memory();
        srv.config.maxmemory = (used - ((used - empty) as f64 * fraction) as usize) as u64;
    }

    fn alive(srv: &mut Server, i: usize) -> bool {
        srv.db(0).contains(format!("key:{i}").as_bytes())
    }

    #[test]
    fn volatile_policies_only_evict_keys_with_a_ttl() {
        for policy in [
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
        ] {
            let mut srv = server_with_keys(400, 200);
            srv.config
                .load("maxmemory-policy", policy.as_bytes())
                .unwrap();
            limit_to_fraction(&mut srv, 0.25);
            assert!(srv.perform_evictions(), "{policy}");
            assert!((200..400).all(|i| alive(&mut srv, i)), "{policy}");
            assert!(srv.stats.evicted_keys >= 90, "{policy}");
            // Asking for more than the volatile keys can give fails once they are gone.
            limit_to_fraction(&mut srv, 0.9);
            assert!(!srv.perform_evictions(), "{policy}");
            assert_eq!(srv.db(0).volatile_len(), 0, "{policy}");
            assert_eq!(srv.db(0).len(), 200, "{policy}");
        }
    }

    #[test]
    fn volatile_ttl_evicts_the_soonest_expiring_first() {
        let mut srv = server_with_keys(300, 300);
        srv.config
            .load("maxmemory-policy", b"volatile-ttl")
            .unwrap();
        srv.config.maxmemory_samples = 10;
        limit_to_fraction(&mut srv, 0.3);
        assert!(srv.perform_evictions());
        let soon = (0..100).filter(|&i| alive(&mut srv, i)).count();
        let late = (200..300).filter(|&i| alive(&mut srv, i)).count();
        // Sampling is approximate: most, not all, of the soonest keys go first.
        assert!(soon < 35 && late > 95, "soon {soon}, late {late}");
    }

    #[test]
    fn eviction_looks_at_every_database() {
        let mut srv = server_with_keys(100, 0);
        for i in 0..100 {
            let key = format!("other:{i}").into_bytes();
            let value = Value::String(StringValue::new(vec![b'y'; 50]));
            srv.set_value(3, &key, value, false, T0);
        }
        srv.config
            .load("maxmemory-policy", b"allkeys-random")
            .unwrap();
        limit_to_fraction(&mut srv, 0.5);
        assert!(srv.perform_evictions());
        assert!(srv.db(0).len() < 100 && srv.db(3).len() < 100);
        assert!(srv.used_memory() as u64 <= srv.config.maxmemory);
    }

    #[test]
    fn overwriting_keeps_the_lfu_counter() {
        let mut srv = server_with_keys(1, 0);
        srv.config.load("maxmemory-policy", b"allkeys-lfu").unwrap();
        srv.db(0).get_mut(b"key:0").unwrap().lfu_counter = 40;
        let value = Value::String(StringValue::new(b"new".to_vec()));
        srv.set_value(0, b"key:0", value, false, T0);
        assert_eq!(srv.db(0).get(b"key:0").unwrap().lfu_counter, 40);
    }

    fn candidate(score: u64) -> Candidate {
        Candidate {
            score,
            key: score.to_string().into_bytes(),
            db: 0,
        }
    }

    fn scores(state: &EvictionState) -> Vec<u64> {
        state.pool.iter().flatten().map(|c| c.score).collect()
    }

    #[test]
    fn pool_keeps_the_best_sixteen_in_order() {
        let mut state = EvictionState::default();
        for s in [5, 1, 9, 3] {
            state.offer(candidate(s));
        }
        assert_eq!(scores(&state), vec![1, 3, 5, 9]);
        for s in 10..30 {
            state.offer(candidate(s));
        }
        let kept = scores(&state);
        assert_eq!(kept.len(), POOL_SIZE);
        assert_eq!(kept.first(), Some(&14));
        assert_eq!(kept.last(), Some(&29));
        state.offer(candidate(0));
        assert_eq!(scores(&state).first(), Some(&14));
    }

    #[test]
    fn lfu_counter_grows_logarithmically() {
        assert_eq!(lfu_log_incr(5, 10, 0.99), 6);
        assert_eq!(lfu_log_incr(255, 10, 0.0), 255);
        // At counter 15 with factor 10 the chance is 1/101.
        assert_eq!(lfu_log_incr(15, 10, 0.5), 15);
        assert_eq!(lfu_log_incr(15, 10, 0.005), 16);
    }

    #[test]
    fn lfu_counter_decays_per_period() {
        let mut e = Entry::new(
            crate::types::Value::String(crate::types::StringValue::new(b"v".to_vec())),
            0,
        );
        e.lfu_counter = 10;
        assert_eq!(lfu_decayed(&e, 59_999, 1), 10);
        assert_eq!(lfu_decayed(&e, 3 * 60_000, 1), 7);
        assert_eq!(lfu_decayed(&e, 3 * 60_000, 2), 9);
        assert_eq!(lfu_decayed(&e, 30 * 60_000, 1), 0);
        assert_eq!(lfu_decayed(&e, 30 * 60_000, 0), 10);
    }
}
