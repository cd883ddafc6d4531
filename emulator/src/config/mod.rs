//! Server configuration: every parameter of Redis 7.0 (CONFIG GET/SET), with Redis's defaults.
//!
//! Each parameter is a typed field of [`Config`]; `params.rs` describes how each one is named,
//! parsed, validated and printed, so CONFIG GET/SET and [`Config::load`] share one table.
//! TLS parameters are absent, as in a Redis build without TLS support.

mod params;
mod parse;

pub(crate) use params::{find, matching, Param, IMMUTABLE, PROTECTED, SENSITIVE};
pub(crate) use parse::{set_param, trim_double};

/// `maxmemory-policy`, with the flag bits Redis encodes in each value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxmemoryPolicy {
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
    AllkeysLru,
    AllkeysLfu,
    AllkeysRandom,
    NoEviction,
}

pub(crate) const POLICY_FLAG_LRU: i32 = 1 << 0;
pub(crate) const POLICY_FLAG_LFU: i32 = 1 << 1;
pub(crate) const POLICY_FLAG_ALLKEYS: i32 = 1 << 2;

impl MaxmemoryPolicy {
    /// The value stored in `Config::maxmemory_policy` (Redis's MAXMEMORY_* constants).
    pub const fn code(self) -> i32 {
        match self {
            MaxmemoryPolicy::VolatileLru => POLICY_FLAG_LRU,
            MaxmemoryPolicy::VolatileLfu => (1 << 8) | POLICY_FLAG_LFU,
            MaxmemoryPolicy::VolatileTtl => 2 << 8,
            MaxmemoryPolicy::VolatileRandom => 3 << 8,
            MaxmemoryPolicy::AllkeysLru => (4 << 8) | POLICY_FLAG_LRU | POLICY_FLAG_ALLKEYS,
            MaxmemoryPolicy::AllkeysLfu => (5 << 8) | POLICY_FLAG_LFU | POLICY_FLAG_ALLKEYS,
            MaxmemoryPolicy::AllkeysRandom => (6 << 8) | POLICY_FLAG_ALLKEYS,
            MaxmemoryPolicy::NoEviction => 7 << 8,
        }
    }

    pub fn from_code(code: i32) -> MaxmemoryPolicy {
        use MaxmemoryPolicy::*;
        [
            VolatileLru,
            VolatileLfu,
            VolatileRandom,
            VolatileTtl,
            AllkeysLru,
            AllkeysLfu,
            AllkeysRandom,
        ]
        .into_iter()
        .find(|p| p.code() == code)
        .unwrap_or(NoEviction)
    }

    /// The name CONFIG GET and INFO print.
    pub fn name(self) -> &'static str {
        params::enum_name(params::MAXMEMORY_POLICIES, self.code())
    }

    pub fn is_lfu(self) -> bool {
        self.code() & POLICY_FLAG_LFU != 0
    }

    pub fn is_lru(self) -> bool {
        self.code() & POLICY_FLAG_LRU != 0
    }

    /// Whether every key may be evicted (otherwise only keys with a TTL).
    pub fn is_allkeys(self) -> bool {
        self.code() & POLICY_FLAG_ALLKEYS != 0
    }
}

/// One `save <seconds> <changes>` rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SaveRule {
    pub seconds: i64,
    pub changes: i32,
}

/// One class of `client-output-buffer-limit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutputBufferLimit {
    pub hard_bytes: u64,
    pub soft_bytes: u64,
    pub soft_seconds: i64,
}

/// `enable-debug-command` / `enable-protected-configs` values.
pub const PROTECTED_ACTION_NO: i32 = 0;
pub const PROTECTED_ACTION_YES: i32 = 1;
pub const PROTECTED_ACTION_LOCAL: i32 = 2;

/// Every configuration parameter. Enumerated parameters hold Redis's numeric codes (see the
/// tables in `params.rs`); numbers are `i64` whatever their C type, with Redis's bounds checked
/// on every set.
#[derive(Clone, Debug)]
pub struct Config {
    // ----- booleans -----
    pub rdbchecksum: bool,
    pub daemonize: bool,
    pub io_threads_do_reads: bool,
    pub always_show_logo: bool,
    pub protected_mode: bool,
    pub rdbcompression: bool,
    pub rdb_del_sync_files: bool,
    pub activerehashing: bool,
    pub stop_writes_on_bgsave_error: bool,
    pub set_proc_title: bool,
    pub dynamic_hz: bool,
    pub lazyfree_lazy_eviction: bool,
    pub lazyfree_lazy_expire: bool,
    pub lazyfree_lazy_server_del: bool,
    pub lazyfree_lazy_user_del: bool,
    pub lazyfree_lazy_user_flush: bool,
    pub repl_disable_tcp_nodelay: bool,
    pub repl_diskless_sync: bool,
    pub aof_rewrite_incremental_fsync: bool,
    pub no_appendfsync_on_rewrite: bool,
    pub cluster_require_full_coverage: bool,
    pub rdb_save_incremental_fsync: bool,
    pub aof_load_truncated: bool,
    pub aof_use_rdb_preamble: bool,
    pub aof_timestamp_enabled: bool,
    pub cluster_replica_no_failover: bool,
    pub replica_lazy_flush: bool,
    pub replica_serve_stale_data: bool,
    pub replica_read_only: bool,
    pub replica_ignore_maxmemory: bool,
    pub jemalloc_bg_thread: bool,
    pub activedefrag: bool,
    pub syslog_enabled: bool,
    pub cluster_enabled: bool,
    pub appendonly: bool,
    pub cluster_allow_reads_when_down: bool,
    pub cluster_allow_pubsubshard_when_down: bool,
    pub crash_log_enabled: bool,
    pub crash_memcheck_enabled: bool,
    pub use_exit_on_panic: bool,
    pub disable_thp: bool,
    pub cluster_allow_replica_migration: bool,
    pub replica_announced: bool,
    pub latency_tracking: bool,
    pub aof_disable_auto_gc: bool,
    pub replica_ignore_disk_write_errors: bool,

    // ----- strings (empty means unset) -----
    pub aclfile: Vec<u8>,
    pub unixsocket: Vec<u8>,
    pub pidfile: Vec<u8>,
    pub replica_announce_ip: Vec<u8>,
    pub masteruser: Vec<u8>,
    pub cluster_announce_ip: Vec<u8>,
    pub cluster_config_file: Vec<u8>,
    pub cluster_announce_hostname: Vec<u8>,
    pub syslog_ident: Vec<u8>,
    pub dbfilename: Vec<u8>,
    pub appendfilename: Vec<u8>,
    pub appenddirname: Vec<u8>,
    pub server_cpulist: Vec<u8>,
    pub bio_cpulist: Vec<u8>,
    pub aof_rewrite_cpulist: Vec<u8>,
    pub bgsave_cpulist: Vec<u8>,
    pub ignore_warnings: Vec<u8>,
    pub proc_title_template: Vec<u8>,
    pub bind_source_addr: Vec<u8>,
    pub logfile: Vec<u8>,
    /// Binary-safe; None when unset.
    pub masterauth: Option<Vec<u8>>,
    /// The default user's password; None when unset (no AUTH needed).
    pub requirepass: Option<Vec<u8>>,

    // ----- enumerations (Redis's codes) -----
    pub supervised: i32,
    pub syslog_facility: i32,
    pub repl_diskless_load: i32,
    pub loglevel: i32,
    /// See [`MaxmemoryPolicy::from_code`] and [`Config::policy`].
    pub maxmemory_policy: i32,
    pub appendfsync: i32,
    pub oom_score_adj: i32,
    pub acl_pubsub_default: i32,
    pub sanitize_dump_payload: i32,
    pub enable_protected_configs: i32,
    pub enable_debug_command: i32,
    pub enable_module_command: i32,
    pub cluster_preferred_endpoint_type: i32,
    pub propagation_error_behavior: i32,
    pub shutdown_on_sigint: i32,
    pub shutdown_on_sigterm: i32,

    // ----- numbers -----
    pub databases: usize,
    pub port: i64,
    pub io_threads: i64,
    pub auto_aof_rewrite_percentage: i64,
    pub cluster_replica_validity_factor: i64,
    pub list_max_listpack_size: i64,
    pub tcp_keepalive: i64,
    pub cluster_migration_barrier: i64,
    pub active_defrag_cycle_min: i64,
    pub active_defrag_cycle_max: i64,
    pub active_defrag_threshold_lower: i64,
    pub active_defrag_threshold_upper: i64,
    pub lfu_log_factor: i64,
    pub lfu_decay_time: i64,
    pub replica_priority: i64,
    pub repl_diskless_sync_delay: i64,
    pub maxmemory_samples: i64,
    pub maxmemory_eviction_tenacity: i64,
    /// Idle seconds after which a client is closed; 0 never.
    pub timeout: i64,
    pub replica_announce_port: i64,
    pub tcp_backlog: i64,
    pub cluster_port: i64,
    pub cluster_announce_bus_port: i64,
    pub cluster_announce_port: i64,
    pub cluster_announce_tls_port: i64,
    pub repl_timeout: i64,
    pub repl_ping_replica_period: i64,
    pub list_compress_depth: i64,
    pub rdb_key_save_delay: i64,
    pub key_load_delay: i64,
    pub active_expire_effort: i64,
    /// Always within 1..=500 (Redis clamps it when set).
    pub hz: i64,
    pub min_replicas_to_write: i64,
    pub min_replicas_max_lag: i64,
    pub watchdog_period: i64,
    pub shutdown_timeout: i64,
    pub repl_diskless_sync_max_replicas: i64,
    pub maxclients: i64,
    pub unixsocketperm: i64,
    pub socket_mark_id: i64,
    pub active_defrag_max_scan_fields: i64,
    pub slowlog_max_len: i64,
    pub acllog_max_len: i64,
    /// Milliseconds (alias `lua-time-limit`).
    pub busy_reply_threshold: i64,
    pub cluster_node_timeout: i64,
    /// Microseconds; -1 disables the slow log.
    pub slowlog_log_slower_than: i64,
    pub latency_monitor_threshold: i64,
    pub proto_max_bulk_len: i64,
    pub stream_node_max_entries: i64,
    pub repl_backlog_size: i64,
    /// Bytes; 0 means no limit.
    pub maxmemory: u64,
    /// Bytes (C `unsigned long long`, kept as its bit pattern).
    pub cluster_link_sendbuf_limit: i64,
    pub hash_max_listpack_entries: i64,
    pub set_max_intset_entries: i64,
    pub zset_max_listpack_entries: i64,
    pub active_defrag_ignore_bytes: i64,
    pub hash_max_listpack_value: i64,
    pub stream_node_max_bytes: i64,
    pub zset_max_listpack_value: i64,
    pub hll_sparse_max_bytes: i64,
    pub tracking_table_max_keys: i64,
    pub client_query_buffer_limit: i64,
    /// Bytes, or a percentage of maxmemory stored negated (as Redis does).
    pub maxmemory_clients: i64,
    pub repl_backlog_ttl: i64,
    pub auto_aof_rewrite_min_size: i64,
    pub loading_process_events_interval_bytes: i64,

    // ----- parameters with their own syntax -----
    pub dir: Vec<u8>,
    pub save: Vec<SaveRule>,
    /// normal, replica, pubsub.
    pub client_output_buffer_limit: [OutputBufferLimit; 3],
    pub oom_score_adj_values: [i32; 3],
    /// Keyspace notification classes, a set of [`crate::notify::class`] flags.
    pub notify_keyspace_events: u32,
    pub bind: Vec<Vec<u8>>,
    pub replicaof: Option<(Vec<u8>, i64)>,
    pub latency_tracking_info_percentiles: Vec<f64>,
}

impl Default for Config {
    /// Redis 7.0's defaults.
    fn default() -> Self {
        const MB: u64 = 1024 * 1024;
        Config {
            rdbchecksum: true,
            daemonize: false,
            io_threads_do_reads: false,
            always_show_logo: false,
            protected_mode: true,
            rdbcompression: true,
            rdb_del_sync_files: false,
            activerehashing: true,
            stop_writes_on_bgsave_error: true,
            set_proc_title: true,
            dynamic_hz: true,
            lazyfree_lazy_eviction: false,
            lazyfree_lazy_expire: false,
            lazyfree_lazy_server_del: false,
            lazyfree_lazy_user_del: false,
            lazyfree_lazy_user_flush: false,
            repl_disable_tcp_nodelay: false,
            repl_diskless_sync: true,
            aof_rewrite_incremental_fsync: true,
            no_appendfsync_on_rewrite: false,
            cluster_require_full_coverage: true,
            rdb_save_incremental_fsync: true,
            aof_load_truncated: true,
            aof_use_rdb_preamble: true,
            aof_timestamp_enabled: false,
            cluster_replica_no_failover: false,
            replica_lazy_flush: false,
            replica_serve_stale_data: true,
            replica_read_only: true,
            replica_ignore_maxmemory: true,
            jemalloc_bg_thread: true,
            activedefrag: false,
            syslog_enabled: false,
            cluster_enabled: false,
            appendonly: false,
            cluster_allow_reads_when_down: false,
            cluster_allow_pubsubshard_when_down: true,
            crash_log_enabled: true,
            crash_memcheck_enabled: true,
            use_exit_on_panic: false,
            disable_thp: true,
            cluster_allow_replica_migration: true,
            replica_announced: true,
            latency_tracking: true,
            aof_disable_auto_gc: false,
            replica_ignore_disk_write_errors: false,

            aclfile: Vec::new(),
            unixsocket: Vec::new(),
            pidfile: Vec::new(),
            replica_announce_ip: Vec::new(),
            masteruser: Vec::new(),
            cluster_announce_ip: Vec::new(),
            cluster_config_file: b"nodes.conf".to_vec(),
            cluster_announce_hostname: Vec::new(),
            syslog_ident: b"redis".to_vec(),
            dbfilename: b"dump.rdb".to_vec(),
            appendfilename: b"appendonly.aof".to_vec(),
            appenddirname: b"appendonlydir".to_vec(),
            server_cpulist: Vec::new(),
            bio_cpulist: Vec::new(),
            aof_rewrite_cpulist: Vec::new(),
            bgsave_cpulist: Vec::new(),
            ignore_warnings: Vec::new(),
            proc_title_template: b"{title} {listen-addr} {server-mode}".to_vec(),
            bind_source_addr: Vec::new(),
            logfile: Vec::new(),
            masterauth: None,
            requirepass: None,

            supervised: params::SUPERVISED_NO,
            syslog_facility: params::SYSLOG_LOCAL0,
            repl_diskless_load: 0,
            loglevel: params::LOGLEVEL_NOTICE,
            maxmemory_policy: MaxmemoryPolicy::NoEviction.code(),
            appendfsync: params::APPENDFSYNC_EVERYSEC,
            oom_score_adj: 0,
            acl_pubsub_default: 0,
            sanitize_dump_payload: 0,
            enable_protected_configs: PROTECTED_ACTION_NO,
            enable_debug_command: PROTECTED_ACTION_NO,
            enable_module_command: PROTECTED_ACTION_NO,
            cluster_preferred_endpoint_type: 0,
            propagation_error_behavior: 0,
            shutdown_on_sigint: 0,
            shutdown_on_sigterm: 0,

            databases: 16,
            port: 6379,
            io_threads: 1,
            auto_aof_rewrite_percentage: 100,
            cluster_replica_validity_factor: 10,
            list_max_listpack_size: -2,
            tcp_keepalive: 300,
            cluster_migration_barrier: 1,
            active_defrag_cycle_min: 1,
            active_defrag_cycle_max: 25,
            active_defrag_threshold_lower: 10,
            active_defrag_threshold_upper: 100,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
            replica_priority: 100,
            repl_diskless_sync_delay: 5,
            maxmemory_samples: 5,
            maxmemory_eviction_tenacity: 10,
            timeout: 0,
            replica_announce_port: 0,
            tcp_backlog: 511,
            cluster_port: 0,
            cluster_announce_bus_port: 0,
            cluster_announce_port: 0,
            cluster_announce_tls_port: 0,
            repl_timeout: 60,
            repl_ping_replica_period: 10,
            list_compress_depth: 0,
            rdb_key_save_delay: 0,
            key_load_delay: 0,
            active_expire_effort: 1,
            hz: 10,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 10,
            watchdog_period: 0,
            shutdown_timeout: 10,
            repl_diskless_sync_max_replicas: 0,
            maxclients: 10000,
            unixsocketperm: 0,
            socket_mark_id: 0,
            active_defrag_max_scan_fields: 1000,
            slowlog_max_len: 128,
            acllog_max_len: 128,
            busy_reply_threshold: 5000,
            cluster_node_timeout: 15000,
            slowlog_log_slower_than: 10000,
            latency_monitor_threshold: 0,
            proto_max_bulk_len: (512 * MB) as i64,
            stream_node_max_entries: 100,
            repl_backlog_size: MB as i64,
            maxmemory: 0,
            cluster_link_sendbuf_limit: 0,
            hash_max_listpack_entries: 512,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            active_defrag_ignore_bytes: (100 * MB) as i64,
            hash_max_listpack_value: 64,
            stream_node_max_bytes: 4096,
            zset_max_listpack_value: 64,
            hll_sparse_max_bytes: 3000,
            tracking_table_max_keys: 1_000_000,
            client_query_buffer_limit: (1024 * MB) as i64,
            maxmemory_clients: 0,
            repl_backlog_ttl: 3600,
            auto_aof_rewrite_min_size: (64 * MB) as i64,
            loading_process_events_interval_bytes: (2 * MB) as i64,

            dir: b"/data".to_vec(),
            save: vec![
                SaveRule {
                    seconds: 3600,
                    changes: 1,
                },
                SaveRule {
                    seconds: 300,
                    changes: 100,
                },
                SaveRule {
                    seconds: 60,
                    changes: 10000,
                },
            ],
            client_output_buffer_limit: [
                OutputBufferLimit::default(),
                OutputBufferLimit {
                    hard_bytes: 256 * MB,
                    soft_bytes: 64 * MB,
                    soft_seconds: 60,
                },
                OutputBufferLimit {
                    hard_bytes: 32 * MB,
                    soft_bytes: 8 * MB,
                    soft_seconds: 60,
                },
            ],
            oom_score_adj_values: [0, 200, 800],
            notify_keyspace_events: 0,
            bind: vec![b"*".to_vec(), b"-::*".to_vec()],
            replicaof: None,
            latency_tracking_info_percentiles: vec![50.0, 99.0, 99.9],
        }
    }
}

impl Config {
    /// The eviction policy (`maxmemory-policy`).
    pub fn policy(&self) -> MaxmemoryPolicy {
        MaxmemoryPolicy::from_code(self.maxmemory_policy)
    }

    /// Sets a parameter the way a configuration file line `name value` does: immutable and
    /// protected parameters are accepted too. Hosts use this before serving clients (to set
    /// `port`, `enable-debug-command`, ...). Returns Redis's error text on a bad value.
    ///
    /// `databases` cannot be changed here once a server exists; use
    /// [`crate::Server::with_config`] for it.
    pub fn load(&mut self, name: &str, value: &[u8]) -> Result<(), String> {
        let param = find(name.as_bytes())
            .ok_or_else(|| format!("Bad directive or wrong number of arguments for '{name}'"))?;
        set_param(self, param, value).map_err(|e| e.to_string())
    }

    /// The current value of a parameter as CONFIG GET prints it.
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        find(name.as_bytes()).map(|p| p.get(self))
    }

    /// The parameters whose value differs from Redis's default, with their values: what
    /// CONFIG REWRITE would add to an empty configuration file. Each pair can be given back
    /// to [`Config::load`].
    pub fn changed_from_default(&self) -> Vec<(&'static str, Vec<u8>)> {
        let defaults = Config::default();
        params::PARAMS
            .iter()
            .filter_map(|p| {
                let value = p.get(self);
                (value != p.get(&defaults)).then_some((p.name, value))
            })
            .collect()
    }
}

impl crate::Server {
    /// A server started with `config`, as from a configuration file (`databases` included).
    pub fn with_config(config: Config) -> crate::Server {
        let mut server = crate::Server::new();
        server.dbs = (0..config.databases)
            .map(|_| crate::db::Db::default())
            .collect();
        server.config = config;
        server
    }

    /// Sets a parameter as a configuration file line does (immutable and protected ones
    /// included, except `databases`, which [`crate::Server::with_config`] sets).
    pub fn configure(&mut self, name: &str, value: &[u8]) -> Result<(), String> {
        if name.eq_ignore_ascii_case("databases") {
            return Err("can't set immutable config".into());
        }
        self.config.load(name, value)
    }

    /// Moves on every successful CONFIG SET: a host that keeps the configuration between
    /// runs (as CONFIG REWRITE would) saves it when this changes.
    pub fn config_generation(&self) -> u64 {
        self.config_generation
    }

    /// The parameters that differ from Redis's defaults (see [`Config::changed_from_default`]).
    pub fn config_changes(&self) -> Vec<(&'static str, Vec<u8>)> {
        self.config.changed_from_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_parameters_load_back_into_the_same_configuration() {
        let mut config = Config::default();
        assert!(config.changed_from_default().is_empty());
        for (name, value) in [
            ("save", ""),
            ("appendonly", "yes"),
            ("appendfsync", "always"),
            ("maxmemory", "128mb"),
            ("maxmemory-policy", "allkeys-lru"),
            ("notify-keyspace-events", "KEA"),
            ("dbfilename", "my dump.rdb"),
        ] {
            config.load(name, value.as_bytes()).unwrap();
        }
        let changed = config.changed_from_default();
        assert_eq!(changed.len(), 7, "{changed:?}");
        let mut reloaded = Config::default();
        for (name, value) in &changed {
            reloaded.load(name, value).unwrap();
        }
        assert_eq!(reloaded.changed_from_default(), changed);
        let mut points = Config::default();
        points.load("save", b"60 5 10 1").unwrap();
        let changed = points.changed_from_default();
        let mut reloaded = Config::default();
        reloaded.load("save", &changed[0].1).unwrap();
        assert_eq!(reloaded.get("save"), points.get("save"));
    }

    #[test]
    fn policy_codes_round_trip() {
        for name in [
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
            "allkeys-lru",
            "allkeys-lfu",
            "allkeys-random",
            "noeviction",
        ] {
            let mut c = Config::default();
            c.load("maxmemory-policy", name.as_bytes()).unwrap();
            assert_eq!(c.policy().name(), name);
            assert_eq!(c.get("maxmemory-policy").unwrap(), name.as_bytes());
        }
    }

    #[test]
    fn defaults_print_like_redis() {
        let c = Config::default();
        let get = |n: &str| String::from_utf8(c.get(n).unwrap()).unwrap();
        assert_eq!(get("save"), "3600 1 300 100 60 10000");
        assert_eq!(
            get("client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        assert_eq!(get("bind"), "* -::*");
        assert_eq!(get("latency-tracking-info-percentiles"), "50 99 99.9");
        assert_eq!(get("proto-max-bulk-len"), "536870912");
        assert_eq!(get("hash-max-ziplist-entries"), "512");
        assert_eq!(get("maxmemory-policy"), "noeviction");
        assert_eq!(get("shutdown-on-sigint"), "default");
        assert_eq!(get("acl-pubsub-default"), "resetchannels");
        assert_eq!(get("unixsocketperm"), "0");
        assert_eq!(get("oom-score-adj-values"), "0 200 800");
    }
}
