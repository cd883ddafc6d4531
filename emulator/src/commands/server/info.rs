//! INFO: Redis 7.0's sections and fields, in its order, filled from the engine's state.
//!
//! Figures the engine cannot observe the way a Redis process does (resident memory, CPU time,
//! the allocator) come from the memory model of `memory.rs` and from command timings.

use std::fmt::Write;

use super::Monitor;
use crate::config::trim_double;
use crate::memory::{self, human_bytes};
use crate::resp::Reply;
use crate::server::{Call, Server};

const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Which sections were asked for.
struct Selection {
    names: Vec<String>,
    all: bool,
}

impl Selection {
    fn from_args(args: &[Vec<u8>]) -> Selection {
        let mut sel = Selection {
            names: Vec::new(),
            all: false,
        };
        if args.is_empty() {
            sel.add_defaults();
        }
        for arg in args {
            // Section names are read as C strings.
            let name = String::from_utf8_lossy(super::c_str(arg)).to_ascii_lowercase();
            match name.as_str() {
                "default" => sel.add_defaults(),
                "all" | "everything" => sel.all = true,
                _ => sel.add(&name),
            }
        }
        sel
    }

    fn add(&mut self, name: &str) {
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
    }

    fn add_defaults(&mut self) {
        for name in DEFAULT_SECTIONS {
            self.add(name);
        }
    }

    fn wants(&self, name: &str) -> bool {
        self.all || self.names.iter().any(|n| n == name)
    }
}

pub(super) fn info(srv: &mut Server, call: &mut Call) -> Reply {
    let selection = Selection::from_args(&call.argv[1..]);
    let text = srv.info_text(&selection, call.now);
    Reply::Verbatim("txt", text.into_bytes())
}

/// Accumulates sections, separated by blank lines.
#[derive(Default)]
struct Sections {
    out: String,
    count: usize,
}

impl Sections {
    fn start(&mut self, title: &str) {
        if self.count > 0 {
            self.out.push_str("\r\n");
        }
        self.count += 1;
        let _ = write!(self.out, "# {title}\r\n");
    }

    fn field(&mut self, name: &str, value: impl std::fmt::Display) {
        let _ = write!(self.out, "{name}:{value}\r\n");
    }
}

/// INFO replaces characters that would break its format in names (`#`, `:`, CR, LF).
fn safe_name(name: &str) -> String {
    name.replace(['#', ':', '\n', '\r'], "_")
}

/// Seconds and microseconds as `%ld.%06ld`.
fn seconds_text(us: u64) -> String {
    format!("{}.{:06}", us / 1_000_000, us % 1_000_000)
}

/// Redis's `%.2f` of a C float ratio.
fn ratio(a: u64, b: u64) -> String {
    let r = if b == 0 { 0.0 } else { a as f32 / b as f32 };
    format!("{:.2}", r as f64)
}

/// The allocator and process figures the memory model implies: pages round allocations up,
/// and the process holds a fixed amount beyond the allocator (code, stacks, Lua).
struct ProcessMemory {
    allocated: u64,
    active: u64,
    resident: u64,
    rss: u64,
}

impl ProcessMemory {
    fn model(used: u64, peak: u64) -> ProcessMemory {
        const PAGE: u64 = 4096;
        let allocated = used;
        let active = allocated.div_ceil(PAGE) * PAGE;
        let resident = peak.max(active).div_ceil(PAGE) * PAGE + 2 * 1024 * 1024;
        let rss = resident + 5 * 1024 * 1024 / 2;
        ProcessMemory {
            allocated,
            active,
            resident,
            rss,
        }
    }
}

impl Server {
    fn info_text(&mut self, sel: &Selection, now: u64) -> String {
        let mut s = Sections::default();
        let seed = self.started_ms ^ 0xa076_1d64_78bd_642f;
        self.monitor.ensure_ids(seed);
        if sel.wants("server") {
            self.info_server(&mut s, now);
        }
        if sel.wants("clients") {
            self.info_clients(&mut s);
        }
        if sel.wants("memory") {
            self.info_memory(&mut s);
        }
        if sel.wants("persistence") {
            self.info_persistence(&mut s);
        }
        if sel.wants("stats") {
            self.info_stats(&mut s, now);
        }
        if sel.wants("replication") {
            self.info_replication(&mut s);
        }
        if sel.wants("cpu") {
            info_cpu(&mut s, &self.monitor);
        }
        if sel.wants("module_list") || sel.wants("modules") {
            s.start("Modules");
        }
        if sel.wants("commandstats") {
            self.info_commandstats(&mut s);
        }
        if sel.wants("errorstats") {
            s.start("Errorstats");
            for (code, count) in &self.stats.errors {
                s.field(
                    &format!("errorstat_{}", safe_name(code)),
                    format!("count={count}"),
                );
            }
        }
        if sel.wants("latencystats") {
            self.info_latencystats(&mut s);
        }
        if sel.wants("cluster") {
            s.start("Cluster");
            s.field("cluster_enabled", 0);
        }
        if sel.wants("keyspace") {
            self.info_keyspace(&mut s);
        }
        s.out
    }

    fn info_server(&self, s: &mut Sections, now: u64) {
        let uptime = now.saturating_sub(self.started_ms) / 1000;
        s.start("Server");
        s.field("redis_version", "7.0.15");
        s.field("redis_git_sha1", "00000000");
        s.field("redis_git_dirty", 0);
        s.field("redis_build_id", "5e1f3ab2c0d84a77");
        s.field("redis_mode", "standalone");
        s.field("os", os_name());
        s.field("arch_bits", 64);
        s.field("monotonic_clock", "host clock");
        s.field("multiplexing_api", "host");
        s.field("atomicvar_api", "none");
        s.field("gcc_version", "0.0.0");
        s.field("process_id", process_id());
        s.field("process_supervised", "no");
        s.field("run_id", &self.monitor.run_id);
        s.field("tcp_port", self.config.port);
        s.field("server_time_usec", now.saturating_mul(1000));
        s.field("uptime_in_seconds", uptime);
        s.field("uptime_in_days", uptime / 86_400);
        s.field("hz", self.config.hz);
        s.field("configured_hz", self.config.hz);
        s.field("lru_clock", (now / 1000) & 0xff_ffff);
        s.field("executable", "");
        s.field("config_file", "");
        s.field("io_threads_active", 0);
    }

    fn info_clients(&self, s: &mut Sections) {
        let connected = self.clients.values().filter(|c| !c.internal).count();
        s.start("Clients");
        s.field("connected_clients", connected);
        s.field("cluster_connections", 0);
        s.field("maxclients", self.config.maxclients);
        s.field("client_recent_max_input_buffer", 0);
        s.field("client_recent_max_output_buffer", 0);
        s.field("blocked_clients", self.blocked_client_count());
        s.field("tracking_clients", self.tracking.clients);
        s.field("clients_in_timeout_table", self.clients_in_timeout_table());
    }

    /// Redis's getMemoryOverheadData: startup memory, clients and hash table overheads.
    pub(super) fn memory_overhead(&self) -> MemoryOverhead {
        let clients = self.clients.values().filter(|c| !c.internal).count();
        let clients_normal = (clients * memory::CLIENT_BYTES) as u64;
        let mut dbs = Vec::new();
        let mut total = memory::STARTUP_BYTES as u64 + clients_normal + FUNCTIONS_CACHES;
        let mut keys = 0u64;
        for (i, db) in self.dbs.iter().enumerate() {
            let n = db.len();
            if n == 0 {
                continue;
            }
            keys += n as u64;
            let main =
                n * (memory::DICT_ENTRY + memory::OBJECT_HEADER) + memory::table_slots(n) * 8;
            let v = db.volatile_len();
            let expires = v * memory::DICT_ENTRY + memory::table_slots(v) * 8;
            total += (main + expires) as u64;
            dbs.push((i, main as u64, expires as u64));
        }
        let used = self.used_memory() as u64;
        let peak = (self.memory.peak as u64).max(used);
        let startup = memory::STARTUP_BYTES as u64;
        let net = if used > startup { used - startup } else { 1 };
        let dataset = used.saturating_sub(total);
        MemoryOverhead {
            used,
            peak,
            startup,
            clients_normal,
            dbs,
            total,
            keys,
            dataset,
            dataset_perc: dataset as f32 * 100.0 / net as f32,
            peak_perc: used as f32 * 100.0 / peak.max(1) as f32,
            bytes_per_key: net.checked_div(keys).unwrap_or(0),
        }
    }

    fn info_memory(&mut self, s: &mut Sections) {
        self.settle_memory();
        let mh = self.memory_overhead();
        let process = ProcessMemory::model(mh.used, mh.peak);
        let max = self.config.maxmemory;
        s.start("Memory");
        s.field("used_memory", mh.used);
        s.field("used_memory_human", human_bytes(mh.used));
        s.field("used_memory_rss", process.rss);
        s.field("used_memory_rss_human", human_bytes(process.rss));
        s.field("used_memory_peak", mh.peak);
        s.field("used_memory_peak_human", human_bytes(mh.peak));
        s.field("used_memory_peak_perc", format!("{:.2}%", mh.peak_perc));
        s.field("used_memory_overhead", mh.total);
        s.field("used_memory_startup", mh.startup);
        s.field("used_memory_dataset", mh.dataset);
        s.field(
            "used_memory_dataset_perc",
            format!("{:.2}%", mh.dataset_perc),
        );
        s.field("allocator_allocated", process.allocated);
        s.field("allocator_active", process.active);
        s.field("allocator_resident", process.resident);
        s.field("total_system_memory", 0);
        s.field("total_system_memory_human", human_bytes(0));
        s.field("used_memory_lua", LUA_VM_BYTES);
        s.field("used_memory_vm_eval", LUA_VM_BYTES);
        s.field("used_memory_lua_human", human_bytes(LUA_VM_BYTES));
        s.field("used_memory_scripts_eval", 0);
        s.field("number_of_cached_scripts", 0);
        s.field("number_of_functions", 0);
        s.field("number_of_libraries", 0);
        s.field("used_memory_vm_functions", FUNCTIONS_VM_BYTES);
        s.field("used_memory_vm_total", LUA_VM_BYTES + FUNCTIONS_VM_BYTES);
        s.field(
            "used_memory_vm_total_human",
            human_bytes(LUA_VM_BYTES + FUNCTIONS_VM_BYTES),
        );
        s.field("used_memory_functions", FUNCTIONS_CACHES);
        s.field("used_memory_scripts", FUNCTIONS_CACHES);
        s.field("used_memory_scripts_human", human_bytes(FUNCTIONS_CACHES));
        s.field("maxmemory", max);
        s.field("maxmemory_human", human_bytes(max));
        s.field("maxmemory_policy", self.config.policy().name());
        s.field(
            "allocator_frag_ratio",
            ratio(process.active, process.allocated),
        );
        s.field("allocator_frag_bytes", process.active - process.allocated);
        s.field(
            "allocator_rss_ratio",
            ratio(process.resident, process.active),
        );
        s.field("allocator_rss_bytes", process.resident - process.active);
        s.field("rss_overhead_ratio", ratio(process.rss, process.resident));
        s.field("rss_overhead_bytes", process.rss - process.resident);
        s.field("mem_fragmentation_ratio", ratio(process.rss, mh.used));
        s.field(
            "mem_fragmentation_bytes",
            process.rss as i64 - mh.used as i64,
        );
        s.field("mem_not_counted_for_evict", 0);
        s.field("mem_replication_backlog", 0);
        s.field("mem_total_replication_buffers", 0);
        s.field("mem_clients_slaves", 0);
        s.field("mem_clients_normal", mh.clients_normal);
        s.field("mem_cluster_links", 0);
        s.field("mem_aof_buffer", 0);
        s.field("mem_allocator", "libc");
        s.field("active_defrag_running", 0);
        s.field("lazyfree_pending_objects", 0);
        s.field("lazyfreed_objects", 0);
    }

    fn info_persistence(&self, s: &mut Sections) {
        s.start("Persistence");
        for (name, value) in [
            ("loading", "0"),
            ("async_loading", "0"),
            ("current_cow_peak", "0"),
            ("current_cow_size", "0"),
            ("current_cow_size_age", "0"),
            ("current_fork_perc", "0.00"),
            ("current_save_keys_processed", "0"),
            ("current_save_keys_total", "0"),
        ] {
            s.field(name, value);
        }
        let snapshot = &self.snapshot;
        s.field("rdb_changes_since_last_save", self.dirty);
        s.field(
            "rdb_bgsave_in_progress",
            u8::from(snapshot.bgsave_in_progress()),
        );
        s.field("rdb_last_save_time", self.last_save_seconds());
        let status = if snapshot.last_bgsave_ok() {
            "ok"
        } else {
            "err"
        };
        s.field("rdb_last_bgsave_status", status);
        s.field("rdb_last_bgsave_time_sec", snapshot.last_bgsave_seconds());
        // A background save finishes with the command that started it.
        let current = if snapshot.bgsave_in_progress() { 0 } else { -1 };
        s.field("rdb_current_bgsave_time_sec", current);
        s.field("rdb_saves", snapshot.saves);
        s.field("rdb_last_cow_size", 0);
        s.field(
            "rdb_last_load_keys_expired",
            snapshot.last_load_keys_expired(),
        );
        s.field(
            "rdb_last_load_keys_loaded",
            snapshot.last_load_keys_loaded(),
        );
        for (name, value) in self.info_aof_fields() {
            s.field(name, value);
        }
    }

    fn info_stats(&self, s: &mut Sections, now: u64) {
        let st = &self.stats;
        let m = &self.monitor;
        let (exceeded_total, exceeded_current) = self.eviction.exceeded_times(now);
        let (channels, patterns, shard_channels) = self.pubsub_counts();
        s.start("Stats");
        s.field("total_connections_received", st.total_connections);
        s.field("total_commands_processed", st.total_commands);
        s.field(
            "instantaneous_ops_per_sec",
            m.ops_per_sec(now, st.total_commands),
        );
        s.field("total_net_input_bytes", m.net_input_bytes);
        s.field("total_net_output_bytes", m.net_output_bytes);
        s.field("total_net_repl_input_bytes", 0);
        s.field("total_net_repl_output_bytes", 0);
        s.field("instantaneous_input_kbps", "0.00");
        s.field("instantaneous_output_kbps", "0.00");
        s.field("instantaneous_input_repl_kbps", "0.00");
        s.field("instantaneous_output_repl_kbps", "0.00");
        s.field("rejected_connections", st.rejected_connections);
        s.field("sync_full", 0);
        s.field("sync_partial_ok", 0);
        s.field("sync_partial_err", 0);
        s.field("expired_keys", st.expired_keys);
        s.field(
            "expired_stale_perc",
            format!("{:.2}", st.expired_stale_perc * 100.0),
        );
        s.field(
            "expired_time_cap_reached_count",
            st.expired_time_cap_reached_count,
        );
        s.field(
            "expire_cycle_cpu_milliseconds",
            st.expire_cycle_time_used_us / 1000,
        );
        s.field("evicted_keys", st.evicted_keys);
        s.field("evicted_clients", 0);
        s.field("total_eviction_exceeded_time", exceeded_total);
        s.field("current_eviction_exceeded_time", exceeded_current);
        s.field("keyspace_hits", st.keyspace_hits);
        s.field("keyspace_misses", st.keyspace_misses);
        s.field("pubsub_channels", channels);
        s.field("pubsub_patterns", patterns);
        s.field("pubsubshard_channels", shard_channels);
        for name in [
            "latest_fork_usec",
            "total_forks",
            "migrate_cached_sockets",
            "slave_expires_tracked_keys",
            "active_defrag_hits",
            "active_defrag_misses",
            "active_defrag_key_hits",
            "active_defrag_key_misses",
            "total_active_defrag_time",
            "current_active_defrag_time",
        ] {
            s.field(name, 0);
        }
        s.field("tracking_total_keys", self.tracking.total_keys());
        s.field("tracking_total_items", self.tracking.total_items());
        s.field("tracking_total_prefixes", self.tracking.total_prefixes());
        s.field("unexpected_error_replies", 0);
        s.field("total_error_replies", st.total_error_replies);
        s.field("dump_payload_sanitizations", 0);
        s.field("total_reads_processed", m.reads_processed);
        s.field("total_writes_processed", m.writes_processed);
        s.field("io_threaded_reads_processed", 0);
        s.field("io_threaded_writes_processed", 0);
        s.field("reply_buffer_shrinks", 0);
        s.field("reply_buffer_expands", 0);
    }

    /// Distinct channels, patterns and shard channels subscribed to by any client.
    fn pubsub_counts(&self) -> (usize, usize, usize) {
        use std::collections::BTreeSet;
        let mut channels = BTreeSet::new();
        let mut patterns = BTreeSet::new();
        let mut shard = BTreeSet::new();
        for c in self.clients.values() {
            channels.extend(c.channels.iter());
            patterns.extend(c.patterns.iter());
            shard.extend(c.shard_channels.iter());
        }
        (channels.len(), patterns.len(), shard.len())
    }

    fn info_replication(&self, s: &mut Sections) {
        s.start("Replication");
        s.field("role", "master");
        s.field("connected_slaves", 0);
        if self.config.min_replicas_to_write != 0 && self.config.min_replicas_max_lag != 0 {
            s.field("min_slaves_good_slaves", 0);
        }
        s.field("master_failover_state", "no-failover");
        s.field("master_replid", &self.monitor.replication_id);
        s.field("master_replid2", "0".repeat(40));
        s.field("master_repl_offset", 0);
        s.field("second_repl_offset", -1);
        s.field("repl_backlog_active", 0);
        s.field("repl_backlog_size", self.config.repl_backlog_size);
        s.field("repl_backlog_first_byte_offset", 0);
        s.field("repl_backlog_histlen", 0);
    }

    fn info_commandstats(&self, s: &mut Sections) {
        s.start("Commandstats");
        let mut names: Vec<&&str> = self.stats.commands.keys().collect();
        names.sort();
        for name in names {
            let c = &self.stats.commands[*name];
            if c.calls == 0 && c.failed_calls == 0 && c.rejected_calls == 0 {
                continue;
            }
            let per_call = if c.calls == 0 {
                0.0
            } else {
                (c.usec as f32 / c.calls as f32) as f64
            };
            s.field(
                &format!("cmdstat_{}", safe_name(name)),
                format!(
                    "calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}",
                    c.calls, c.usec, per_call, c.rejected_calls, c.failed_calls
                ),
            );
        }
    }

    fn info_latencystats(&self, s: &mut Sections) {
        s.start("Latencystats");
        if !self.config.latency_tracking {
            return;
        }
        let mut names: Vec<&&str> = self.monitor.latency.keys().collect();
        names.sort();
        for name in names {
            let h = &self.monitor.latency[*name];
            let values: Vec<String> = self
                .config
                .latency_tracking_info_percentiles
                .iter()
                .map(|p| {
                    format!(
                        "p{}={:.3}",
                        trim_double(&format!("{p:.6}")),
                        h.value_at_percentile(*p) as f64 / 1000.0
                    )
                })
                .collect();
            s.field(
                &format!("latency_percentiles_usec_{}", safe_name(name)),
                values.join(","),
            );
        }
    }

    fn info_keyspace(&self, s: &mut Sections) {
        s.start("Keyspace");
        for (i, db) in self.dbs.iter().enumerate() {
            if db.is_empty() && db.volatile_len() == 0 {
                continue;
            }
            s.field(
                &format!("db{i}"),
                format!(
                    "keys={},expires={},avg_ttl={}",
                    db.len(),
                    db.volatile_len(),
                    db.avg_ttl()
                ),
            );
        }
    }
}

fn info_cpu(s: &mut Sections, m: &Monitor) {
    // Time spent executing commands, split the way a busy Redis process roughly spends it.
    let user = m.busy_total_us;
    let sys = m.busy_total_us / 4;
    s.start("CPU");
    s.field("used_cpu_sys", seconds_text(sys));
    s.field("used_cpu_user", seconds_text(user));
    s.field("used_cpu_sys_children", seconds_text(0));
    s.field("used_cpu_user_children", seconds_text(0));
    s.field("used_cpu_sys_main_thread", seconds_text(sys));
    s.field("used_cpu_user_main_thread", seconds_text(user));
}

/// The Lua interpreters' baseline memory (an empty Lua state), as INFO reports it.
const LUA_VM_BYTES: u64 = 32_768;
const FUNCTIONS_VM_BYTES: u64 = 32_768;
/// Bookkeeping of the (empty) function library registry.
const FUNCTIONS_CACHES: u64 = 200;

/// The figures MEMORY STATS and INFO memory share.
pub(super) struct MemoryOverhead {
    pub used: u64,
    pub peak: u64,
    pub startup: u64,
    pub clients_normal: u64,
    /// (db index, main table overhead, expires table overhead) for non-empty databases.
    pub dbs: Vec<(usize, u64, u64)>,
    pub total: u64,
    pub keys: u64,
    pub dataset: u64,
    pub dataset_perc: f32,
    pub peak_perc: f32,
    pub bytes_per_key: u64,
}

pub(super) fn process_memory(used: u64, peak: u64) -> (u64, u64, u64, u64) {
    let p = ProcessMemory::model(used, peak);
    (p.allocated, p.active, p.resident, p.rss)
}

fn os_name() -> String {
    let machine = std::env::consts::ARCH;
    let system = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "Darwin",
        "windows" => "Windows",
        "" | "unknown" => "WebAssembly",
        other => other,
    };
    format!("{system} {machine}")
}

fn process_id() -> u32 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::process::id()
    }
    #[cfg(target_arch = "wasm32")]
    {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_selection_follows_redis() {
        let sel = Selection::from_args(&[]);
        assert!(sel.wants("keyspace") && !sel.wants("commandstats"));
        let sel = Selection::from_args(&[b"CommandStats".to_vec()]);
        assert!(sel.wants("commandstats") && !sel.wants("server"));
        let sel = Selection::from_args(&[b"everything".to_vec()]);
        assert!(sel.wants("latencystats"));
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_name("a:b#c\r\n"), "a_b_c__");
    }
}
