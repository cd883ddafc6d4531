//! The parameter table: every configuration parameter's name, alias, flags, syntax and the
//! field of [`Config`] it lives in. Order follows Redis's own table.

use super::parse;
use super::{Config, MaxmemoryPolicy};
/// Redis's `stringmatch` on C strings: CONFIG GET's pattern ends at its first NUL byte.
fn string_match(pattern: &[u8], name: &[u8], nocase: bool) -> bool {
    let end = pattern
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(pattern.len());
    crate::glob::matches(&pattern[..end], name, nocase)
}

/// Behaviour flags of a parameter (Redis's *_CONFIG flags that matter here).
pub(crate) type ParamFlags = u8;
pub(crate) const NONE: ParamFlags = 0;
/// Only settable at startup (configuration file, [`Config::load`]).
pub(crate) const IMMUTABLE: ParamFlags = 1 << 0;
/// Not listed by CONFIG GET patterns; an exact name still works.
pub(crate) const HIDDEN: ParamFlags = 1 << 1;
/// The value is hidden from the slow log.
pub(crate) const SENSITIVE: ParamFlags = 1 << 2;
/// Settable only when `enable-protected-configs` allows it.
pub(crate) const PROTECTED: ParamFlags = 1 << 3;
/// The value is split on spaces into several arguments.
pub(crate) const MULTI_ARG: ParamFlags = 1 << 4;

/// How a numeric value is written: plain integer, memory (`1gb`), percentage, octal.
pub(crate) const INTEGER: u8 = 0;
pub(crate) const MEMORY: u8 = 1 << 0;
pub(crate) const PERCENT: u8 = 1 << 1;
pub(crate) const OCTAL: u8 = 1 << 2;

/// The C type behind a numeric parameter, which decides how Redis checks its bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumType {
    Int,
    UInt,
    ULong,
    LongLong,
    ULongLong,
    SizeT,
    SSizeT,
    TimeT,
    OffT,
}

impl NumType {
    /// Types whose bounds Redis compares as unsigned numbers.
    pub fn is_unsigned_checked(self) -> bool {
        matches!(self, NumType::ULongLong | NumType::UInt | NumType::SizeT)
    }
}

pub(crate) type BoolCheck = fn(bool) -> Result<(), &'static str>;
pub(crate) type EnumCheck = fn(i32) -> Result<(), &'static str>;
pub(crate) type StrCheck = fn(&[u8], &Config) -> Result<(), &'static str>;
pub(crate) type SpecialSet = fn(&mut Config, &[&[u8]]) -> Result<(), String>;

pub(crate) enum Kind {
    Bool {
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
        check: Option<BoolCheck>,
    },
    /// A C string: the value stops at its first NUL byte.
    Str {
        get: fn(&Config) -> &[u8],
        set: fn(&mut Config, Vec<u8>),
        check: Option<StrCheck>,
    },
    /// A binary-safe string; empty means unset.
    Sds {
        get: fn(&Config) -> Option<&[u8]>,
        set: fn(&mut Config, Option<Vec<u8>>),
    },
    Enum {
        get: fn(&Config) -> i32,
        set: fn(&mut Config, i32),
        values: &'static [(&'static str, i32)],
        check: Option<EnumCheck>,
    },
    Numeric {
        get: fn(&Config) -> i64,
        set: fn(&mut Config, i64),
        ty: NumType,
        lower: i64,
        upper: i64,
        format: u8,
    },
    Special {
        get: fn(&Config) -> Vec<u8>,
        set: SpecialSet,
    },
}

pub(crate) struct Param {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: ParamFlags,
    pub kind: Kind,
}

impl Param {
    pub fn has(&self, flag: ParamFlags) -> bool {
        self.flags & flag != 0
    }

    /// The value as CONFIG GET prints it.
    pub fn get(&self, config: &Config) -> Vec<u8> {
        parse::format_param(self, config)
    }
}

const INT_MAX: i64 = i32::MAX as i64;
const INT_MIN: i64 = i32::MIN as i64;
const UINT_MAX: i64 = u32::MAX as i64;
/// ULLONG_MAX, as the bit pattern Redis keeps in a `long long`.
const ULLONG_MAX: i64 = -1;

pub(crate) const SUPERVISED_NO: i32 = 0;
pub(crate) const SYSLOG_LOCAL0: i32 = 128;
pub(crate) const LOGLEVEL_NOTICE: i32 = 2;
pub(crate) const APPENDFSYNC_EVERYSEC: i32 = 2;

pub(crate) const MAXMEMORY_POLICIES: &[(&str, i32)] = &[
    ("volatile-lru", MaxmemoryPolicy::VolatileLru.code()),
    ("volatile-lfu", MaxmemoryPolicy::VolatileLfu.code()),
    ("volatile-random", MaxmemoryPolicy::VolatileRandom.code()),
    ("volatile-ttl", MaxmemoryPolicy::VolatileTtl.code()),
    ("allkeys-lru", MaxmemoryPolicy::AllkeysLru.code()),
    ("allkeys-lfu", MaxmemoryPolicy::AllkeysLfu.code()),
    ("allkeys-random", MaxmemoryPolicy::AllkeysRandom.code()),
    ("noeviction", MaxmemoryPolicy::NoEviction.code()),
];
const SYSLOG_FACILITIES: &[(&str, i32)] = &[
    ("user", 8),
    ("local0", 128),
    ("local1", 136),
    ("local2", 144),
    ("local3", 152),
    ("local4", 160),
    ("local5", 168),
    ("local6", 176),
    ("local7", 184),
];
const LOGLEVELS: &[(&str, i32)] = &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
const SUPERVISED_MODES: &[(&str, i32)] = &[
    ("upstart", 3),
    ("systemd", 2),
    ("auto", 1),
    ("no", SUPERVISED_NO),
];
const APPENDFSYNC_MODES: &[(&str, i32)] = &[("everysec", 2), ("always", 1), ("no", 0)];
/// Bit flags: several may be given at once.
pub(crate) const SHUTDOWN_FLAGS: &[(&str, i32)] = &[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
];
const REPL_DISKLESS_LOAD_MODES: &[(&str, i32)] =
    &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
/// `yes` and `relative` are the same mode; CONFIG GET prints `yes`.
const OOM_SCORE_ADJ_MODES: &[(&str, i32)] =
    &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
const ACL_PUBSUB_DEFAULT_MODES: &[(&str, i32)] = &[("allchannels", 1), ("resetchannels", 0)];
const SANITIZE_DUMP_MODES: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
const PROTECTED_ACTIONS: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("local", 2)];
const CLUSTER_ENDPOINT_TYPES: &[(&str, i32)] =
    &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
const PROPAGATION_ERROR_BEHAVIORS: &[(&str, i32)] =
    &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];

/// The name of an enumerated value (single-valued parameters).
pub(crate) fn enum_name(values: &[(&'static str, i32)], code: i32) -> &'static str {
    values
        .iter()
        .find(|(_, v)| *v == code)
        .map(|(n, _)| *n)
        .unwrap_or("unknown")
}

macro_rules! boolean {
    ($name:expr, $alias:expr, $flags:expr, $field:ident, $check:expr) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Bool {
                get: |c| c.$field,
                set: |c, v| c.$field = v,
                check: $check,
            },
        }
    };
}

macro_rules! string {
    ($name:expr, $alias:expr, $flags:expr, $field:ident, $check:expr) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Str {
                get: |c| &c.$field,
                set: |c, v| c.$field = v,
                check: $check,
            },
        }
    };
}

macro_rules! sds {
    ($name:expr, $alias:expr, $flags:expr, $field:ident) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Sds {
                get: |c| c.$field.as_deref(),
                set: |c, v| c.$field = v,
            },
        }
    };
}

macro_rules! enumerated {
    ($name:expr, $alias:expr, $flags:expr, $values:expr, $field:ident, $check:expr) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Enum {
                get: |c| c.$field,
                set: |c, v| c.$field = v,
                values: $values,
                check: $check,
            },
        }
    };
}

/// A numeric parameter stored in an `i64`-compatible field. The long form converts for fields of
/// other types (`maxmemory` is a `u64` whose bits travel through the `i64` interface; `databases`
/// sizes the database vector and is always positive).
macro_rules! numeric {
    ($name:expr, $alias:expr, $flags:expr, $ty:ident, $lower:expr, $upper:expr, $format:expr, $field:ident) => {
        numeric!(
            $name,
            $alias,
            $flags,
            $ty,
            $lower,
            $upper,
            $format,
            $field,
            |x| x,
            |v| v
        )
    };
    ($name:expr, $alias:expr, $flags:expr, $ty:ident, $lower:expr, $upper:expr, $format:expr, $field:ident, $to_i64:expr, $from_i64:expr) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Numeric {
                get: |c| ($to_i64)(c.$field),
                set: |c, v| c.$field = ($from_i64)(v),
                ty: NumType::$ty,
                lower: $lower,
                upper: $upper,
                format: $format,
            },
        }
    };
}

macro_rules! special {
    ($name:expr, $alias:expr, $flags:expr, $get:expr, $set:expr) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Special {
                get: $get,
                set: $set,
            },
        }
    };
}

// One parameter per line, in Redis's order.
#[rustfmt::skip]
pub(crate) static PARAMS: &[Param] = &[
    boolean!("rdbchecksum", None, IMMUTABLE, rdbchecksum, None),
    boolean!("daemonize", None, IMMUTABLE, daemonize, None),
    boolean!("io-threads-do-reads", None, IMMUTABLE, io_threads_do_reads, None),
    boolean!("always-show-logo", None, IMMUTABLE, always_show_logo, None),
    boolean!("protected-mode", None, NONE, protected_mode, None),
    boolean!("rdbcompression", None, NONE, rdbcompression, None),
    boolean!("rdb-del-sync-files", None, NONE, rdb_del_sync_files, None),
    boolean!("activerehashing", None, NONE, activerehashing, None),
    boolean!("stop-writes-on-bgsave-error", None, NONE, stop_writes_on_bgsave_error, None),
    boolean!("set-proc-title", None, IMMUTABLE, set_proc_title, None),
    boolean!("dynamic-hz", None, NONE, dynamic_hz, None),
    boolean!("lazyfree-lazy-eviction", None, NONE, lazyfree_lazy_eviction, None),
    boolean!("lazyfree-lazy-expire", None, NONE, lazyfree_lazy_expire, None),
    boolean!("lazyfree-lazy-server-del", None, NONE, lazyfree_lazy_server_del, None),
    boolean!("lazyfree-lazy-user-del", None, NONE, lazyfree_lazy_user_del, None),
    boolean!("lazyfree-lazy-user-flush", None, NONE, lazyfree_lazy_user_flush, None),
    boolean!("repl-disable-tcp-nodelay", None, NONE, repl_disable_tcp_nodelay, None),
    boolean!("repl-diskless-sync", None, NONE, repl_diskless_sync, None),
    boolean!("aof-rewrite-incremental-fsync", None, NONE, aof_rewrite_incremental_fsync, None),
    boolean!("no-appendfsync-on-rewrite", None, NONE, no_appendfsync_on_rewrite, None),
    boolean!("cluster-require-full-coverage", None, NONE, cluster_require_full_coverage, None),
    boolean!("rdb-save-incremental-fsync", None, NONE, rdb_save_incremental_fsync, None),
    boolean!("aof-load-truncated", None, NONE, aof_load_truncated, None),
    boolean!("aof-use-rdb-preamble", None, NONE, aof_use_rdb_preamble, None),
    boolean!("aof-timestamp-enabled", None, NONE, aof_timestamp_enabled, None),
    boolean!("cluster-replica-no-failover", Some("cluster-slave-no-failover"), NONE, cluster_replica_no_failover, None),
    boolean!("replica-lazy-flush", Some("slave-lazy-flush"), NONE, replica_lazy_flush, None),
    boolean!("replica-serve-stale-data", Some("slave-serve-stale-data"), NONE, replica_serve_stale_data, None),
    boolean!("replica-read-only", Some("slave-read-only"), NONE, replica_read_only, None),
    boolean!("replica-ignore-maxmemory", Some("slave-ignore-maxmemory"), NONE, replica_ignore_maxmemory, None),
    boolean!("jemalloc-bg-thread", None, NONE, jemalloc_bg_thread, None),
    boolean!("activedefrag", None, NONE, activedefrag, Some(parse::active_defrag_check)),
    boolean!("syslog-enabled", None, IMMUTABLE, syslog_enabled, None),
    boolean!("cluster-enabled", None, IMMUTABLE, cluster_enabled, None),
    boolean!("appendonly", None, NONE, appendonly, None),
    boolean!("cluster-allow-reads-when-down", None, NONE, cluster_allow_reads_when_down, None),
    boolean!("cluster-allow-pubsubshard-when-down", None, NONE, cluster_allow_pubsubshard_when_down, None),
    boolean!("crash-log-enabled", None, NONE, crash_log_enabled, None),
    boolean!("crash-memcheck-enabled", None, NONE, crash_memcheck_enabled, None),
    boolean!("use-exit-on-panic", None, HIDDEN, use_exit_on_panic, None),
    boolean!("disable-thp", None, IMMUTABLE, disable_thp, None),
    boolean!("cluster-allow-replica-migration", None, NONE, cluster_allow_replica_migration, None),
    boolean!("replica-announced", None, NONE, replica_announced, None),
    boolean!("latency-tracking", None, NONE, latency_tracking, None),
    boolean!("aof-disable-auto-gc", None, NONE, aof_disable_auto_gc, None),
    boolean!("replica-ignore-disk-write-errors", None, NONE, replica_ignore_disk_write_errors, None),
    string!("aclfile", None, IMMUTABLE, aclfile, None),
    string!("unixsocket", None, IMMUTABLE, unixsocket, None),
    string!("pidfile", None, IMMUTABLE, pidfile, None),
    string!("replica-announce-ip", Some("slave-announce-ip"), NONE, replica_announce_ip, None),
    string!("masteruser", None, SENSITIVE, masteruser, None),
    string!("cluster-announce-ip", None, NONE, cluster_announce_ip, None),
    string!("cluster-config-file", None, IMMUTABLE, cluster_config_file, None),
    string!("cluster-announce-hostname", None, NONE, cluster_announce_hostname, Some(parse::hostname_check)),
    string!("syslog-ident", None, IMMUTABLE, syslog_ident, None),
    string!("dbfilename", None, PROTECTED, dbfilename, Some(parse::dbfilename_check)),
    string!("appendfilename", None, IMMUTABLE, appendfilename, Some(parse::appendfilename_check)),
    string!("appenddirname", None, IMMUTABLE, appenddirname, Some(parse::appenddirname_check)),
    string!("server_cpulist", None, IMMUTABLE, server_cpulist, None),
    string!("bio_cpulist", None, IMMUTABLE, bio_cpulist, None),
    string!("aof_rewrite_cpulist", None, IMMUTABLE, aof_rewrite_cpulist, None),
    string!("bgsave_cpulist", None, IMMUTABLE, bgsave_cpulist, None),
    string!("ignore-warnings", None, NONE, ignore_warnings, None),
    string!("proc-title-template", None, NONE, proc_title_template, Some(parse::proc_title_check)),
    string!("bind-source-addr", None, NONE, bind_source_addr, None),
    string!("logfile", None, IMMUTABLE, logfile, None),
    sds!("masterauth", None, SENSITIVE, masterauth),
    sds!("requirepass", None, SENSITIVE, requirepass),
    enumerated!("supervised", None, IMMUTABLE, SUPERVISED_MODES, supervised, None),
    enumerated!("syslog-facility", None, IMMUTABLE, SYSLOG_FACILITIES, syslog_facility, None),
    enumerated!("repl-diskless-load", None, NONE, REPL_DISKLESS_LOAD_MODES, repl_diskless_load, None),
    enumerated!("loglevel", None, NONE, LOGLEVELS, loglevel, None),
    enumerated!("maxmemory-policy", None, NONE, MAXMEMORY_POLICIES, maxmemory_policy, None),
    enumerated!("appendfsync", None, NONE, APPENDFSYNC_MODES, appendfsync, None),
    enumerated!("oom-score-adj", None, NONE, OOM_SCORE_ADJ_MODES, oom_score_adj, None),
    enumerated!("acl-pubsub-default", None, NONE, ACL_PUBSUB_DEFAULT_MODES, acl_pubsub_default, None),
    enumerated!("sanitize-dump-payload", None, NONE, SANITIZE_DUMP_MODES, sanitize_dump_payload, None),
    enumerated!("enable-protected-configs", None, IMMUTABLE, PROTECTED_ACTIONS, enable_protected_configs, None),
    enumerated!("enable-debug-command", None, IMMUTABLE, PROTECTED_ACTIONS, enable_debug_command, None),
    enumerated!("enable-module-command", None, IMMUTABLE, PROTECTED_ACTIONS, enable_module_command, None),
    enumerated!("cluster-preferred-endpoint-type", None, NONE, CLUSTER_ENDPOINT_TYPES, cluster_preferred_endpoint_type, None),
    enumerated!("propagation-error-behavior", None, NONE, PROPAGATION_ERROR_BEHAVIORS, propagation_error_behavior, None),
    enumerated!("shutdown-on-sigint", None, MULTI_ARG, SHUTDOWN_FLAGS, shutdown_on_sigint, Some(parse::shutdown_flags_check)),
    enumerated!("shutdown-on-sigterm", None, MULTI_ARG, SHUTDOWN_FLAGS, shutdown_on_sigterm, Some(parse::shutdown_flags_check)),
    numeric!("databases", None, IMMUTABLE, Int, 1, INT_MAX, INTEGER, databases, |n: usize| n as i64, |v: i64| usize::try_from(v).unwrap_or(1)),
    numeric!("port", None, NONE, Int, 0, 65535, INTEGER, port),
    numeric!("io-threads", None, IMMUTABLE, Int, 1, 128, INTEGER, io_threads),
    numeric!("auto-aof-rewrite-percentage", None, NONE, Int, 0, INT_MAX, INTEGER, auto_aof_rewrite_percentage),
    numeric!("cluster-replica-validity-factor", Some("cluster-slave-validity-factor"), NONE, Int, 0, INT_MAX, INTEGER, cluster_replica_validity_factor),
    numeric!("list-max-listpack-size", Some("list-max-ziplist-size"), NONE, Int, INT_MIN, INT_MAX, INTEGER, list_max_listpack_size),
    numeric!("tcp-keepalive", None, NONE, Int, 0, INT_MAX, INTEGER, tcp_keepalive),
    numeric!("cluster-migration-barrier", None, NONE, Int, 0, INT_MAX, INTEGER, cluster_migration_barrier),
    numeric!("active-defrag-cycle-min", None, NONE, Int, 1, 99, INTEGER, active_defrag_cycle_min),
    numeric!("active-defrag-cycle-max", None, NONE, Int, 1, 99, INTEGER, active_defrag_cycle_max),
    numeric!("active-defrag-threshold-lower", None, NONE, Int, 0, 1000, INTEGER, active_defrag_threshold_lower),
    numeric!("active-defrag-threshold-upper", None, NONE, Int, 0, 1000, INTEGER, active_defrag_threshold_upper),
    numeric!("lfu-log-factor", None, NONE, Int, 0, INT_MAX, INTEGER, lfu_log_factor),
    numeric!("lfu-decay-time", None, NONE, Int, 0, INT_MAX, INTEGER, lfu_decay_time),
    numeric!("replica-priority", Some("slave-priority"), NONE, Int, 0, INT_MAX, INTEGER, replica_priority),
    numeric!("repl-diskless-sync-delay", None, NONE, Int, 0, INT_MAX, INTEGER, repl_diskless_sync_delay),
    numeric!("maxmemory-samples", None, NONE, Int, 1, INT_MAX, INTEGER, maxmemory_samples),
    numeric!("maxmemory-eviction-tenacity", None, NONE, Int, 0, 100, INTEGER, maxmemory_eviction_tenacity),
    numeric!("timeout", None, NONE, Int, 0, INT_MAX, INTEGER, timeout),
    numeric!("replica-announce-port", Some("slave-announce-port"), NONE, Int, 0, 65535, INTEGER, replica_announce_port),
    numeric!("tcp-backlog", None, IMMUTABLE, Int, 0, INT_MAX, INTEGER, tcp_backlog),
    numeric!("cluster-port", None, IMMUTABLE, Int, 0, 65535, INTEGER, cluster_port),
    numeric!("cluster-announce-bus-port", None, NONE, Int, 0, 65535, INTEGER, cluster_announce_bus_port),
    numeric!("cluster-announce-port", None, NONE, Int, 0, 65535, INTEGER, cluster_announce_port),
    numeric!("cluster-announce-tls-port", None, NONE, Int, 0, 65535, INTEGER, cluster_announce_tls_port),
    numeric!("repl-timeout", None, NONE, Int, 1, INT_MAX, INTEGER, repl_timeout),
    numeric!("repl-ping-replica-period", Some("repl-ping-slave-period"), NONE, Int, 1, INT_MAX, INTEGER, repl_ping_replica_period),
    numeric!("list-compress-depth", None, NONE, Int, 0, INT_MAX, INTEGER, list_compress_depth),
    numeric!("rdb-key-save-delay", None, HIDDEN, Int, INT_MIN, INT_MAX, INTEGER, rdb_key_save_delay),
    numeric!("key-load-delay", None, HIDDEN, Int, INT_MIN, INT_MAX, INTEGER, key_load_delay),
    numeric!("active-expire-effort", None, NONE, Int, 1, 10, INTEGER, active_expire_effort),
    numeric!("hz", None, NONE, Int, 0, INT_MAX, INTEGER, hz),
    numeric!("min-replicas-to-write", Some("min-slaves-to-write"), NONE, Int, 0, INT_MAX, INTEGER, min_replicas_to_write),
    numeric!("min-replicas-max-lag", Some("min-slaves-max-lag"), NONE, Int, 0, INT_MAX, INTEGER, min_replicas_max_lag),
    numeric!("watchdog-period", None, HIDDEN, Int, 0, INT_MAX, INTEGER, watchdog_period),
    numeric!("shutdown-timeout", None, NONE, Int, 0, INT_MAX, INTEGER, shutdown_timeout),
    numeric!("repl-diskless-sync-max-replicas", None, NONE, Int, 0, INT_MAX, INTEGER, repl_diskless_sync_max_replicas),
    numeric!("maxclients", None, NONE, UInt, 1, UINT_MAX, INTEGER, maxclients),
    numeric!("unixsocketperm", None, IMMUTABLE, UInt, 0, 0o777, OCTAL, unixsocketperm),
    numeric!("socket-mark-id", None, IMMUTABLE, UInt, 0, UINT_MAX, INTEGER, socket_mark_id),
    numeric!("active-defrag-max-scan-fields", None, NONE, ULong, 1, i64::MAX, INTEGER, active_defrag_max_scan_fields),
    numeric!("slowlog-max-len", None, NONE, ULong, 0, i64::MAX, INTEGER, slowlog_max_len),
    numeric!("acllog-max-len", None, NONE, ULong, 0, i64::MAX, INTEGER, acllog_max_len),
    numeric!("busy-reply-threshold", Some("lua-time-limit"), NONE, LongLong, 0, i64::MAX, INTEGER, busy_reply_threshold),
    numeric!("cluster-node-timeout", None, NONE, LongLong, 0, i64::MAX, INTEGER, cluster_node_timeout),
    numeric!("slowlog-log-slower-than", None, NONE, LongLong, -1, i64::MAX, INTEGER, slowlog_log_slower_than),
    numeric!("latency-monitor-threshold", None, NONE, LongLong, 0, i64::MAX, INTEGER, latency_monitor_threshold),
    numeric!("proto-max-bulk-len", None, NONE, LongLong, 1024*1024, i64::MAX, MEMORY, proto_max_bulk_len),
    numeric!("stream-node-max-entries", None, NONE, LongLong, 0, i64::MAX, INTEGER, stream_node_max_entries),
    numeric!("repl-backlog-size", None, NONE, LongLong, 1, i64::MAX, MEMORY, repl_backlog_size),
    numeric!("maxmemory", None, NONE, ULongLong, 0, ULLONG_MAX, MEMORY, maxmemory, |n: u64| n as i64, |v: i64| v as u64),
    numeric!("cluster-link-sendbuf-limit", None, NONE, ULongLong, 0, ULLONG_MAX, MEMORY, cluster_link_sendbuf_limit),
    numeric!("hash-max-listpack-entries", Some("hash-max-ziplist-entries"), NONE, SizeT, 0, i64::MAX, INTEGER, hash_max_listpack_entries),
    numeric!("set-max-intset-entries", None, NONE, SizeT, 0, i64::MAX, INTEGER, set_max_intset_entries),
    numeric!("zset-max-listpack-entries", Some("zset-max-ziplist-entries"), NONE, SizeT, 0, i64::MAX, INTEGER, zset_max_listpack_entries),
    numeric!("active-defrag-ignore-bytes", None, NONE, SizeT, 1, i64::MAX, MEMORY, active_defrag_ignore_bytes),
    numeric!("hash-max-listpack-value", Some("hash-max-ziplist-value"), NONE, SizeT, 0, i64::MAX, MEMORY, hash_max_listpack_value),
    numeric!("stream-node-max-bytes", None, NONE, SizeT, 0, i64::MAX, MEMORY, stream_node_max_bytes),
    numeric!("zset-max-listpack-value", Some("zset-max-ziplist-value"), NONE, SizeT, 0, i64::MAX, MEMORY, zset_max_listpack_value),
    numeric!("hll-sparse-max-bytes", None, NONE, SizeT, 0, i64::MAX, MEMORY, hll_sparse_max_bytes),
    numeric!("tracking-table-max-keys", None, NONE, SizeT, 0, i64::MAX, INTEGER, tracking_table_max_keys),
    numeric!("client-query-buffer-limit", None, NONE, SizeT, 1024*1024, i64::MAX, MEMORY, client_query_buffer_limit),
    numeric!("maxmemory-clients", None, NONE, SSizeT, -100, i64::MAX, MEMORY | PERCENT, maxmemory_clients),
    numeric!("repl-backlog-ttl", None, NONE, TimeT, 0, i64::MAX, INTEGER, repl_backlog_ttl),
    numeric!("auto-aof-rewrite-min-size", None, NONE, OffT, 0, i64::MAX, MEMORY, auto_aof_rewrite_min_size),
    numeric!("loading-process-events-interval-bytes", None, HIDDEN, OffT, 1024, INT_MAX, INTEGER, loading_process_events_interval_bytes),
    special!("dir", None, PROTECTED, parse::get_dir, parse::set_dir),
    special!("save", None, MULTI_ARG, parse::get_save, parse::set_save),
    special!("client-output-buffer-limit", None, MULTI_ARG, parse::get_client_output_buffer_limit, parse::set_client_output_buffer_limit),
    special!("oom-score-adj-values", None, MULTI_ARG, parse::get_oom_score_adj_values, parse::set_oom_score_adj_values),
    special!("notify-keyspace-events", None, NONE, parse::get_notify_keyspace_events, parse::set_notify_keyspace_events),
    special!("bind", None, MULTI_ARG, parse::get_bind, parse::set_bind),
    special!("replicaof", Some("slaveof"), IMMUTABLE | MULTI_ARG, parse::get_replicaof, parse::set_replicaof),
    special!("latency-tracking-info-percentiles", None, MULTI_ARG, parse::get_latency_tracking_info_percentiles, parse::set_latency_tracking_info_percentiles),
];

/// Finds a parameter by name or alias, ignoring case.
pub(crate) fn find(name: &[u8]) -> Option<&'static Param> {
    PARAMS.iter().find(|p| {
        p.name.as_bytes().eq_ignore_ascii_case(name)
            || p.alias
                .is_some_and(|a| a.as_bytes().eq_ignore_ascii_case(name))
    })
}

/// Names (parameters and aliases, hidden ones excluded) matching a glob pattern, ignoring
/// case, each with its parameter.
pub(crate) fn matching(
    pattern: &[u8],
) -> impl Iterator<Item = (&'static str, &'static Param)> + '_ {
    PARAMS
        .iter()
        .filter(|p| !p.has(HIDDEN))
        .flat_map(|p| std::iter::once((p.name, p)).chain(p.alias.map(|a| (a, p))))
        .filter(move |(name, _)| string_match(pattern, name.as_bytes(), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_every_non_tls_parameter() {
        let names = PARAMS.len() + PARAMS.iter().filter(|p| p.alias.is_some()).count();
        assert_eq!(PARAMS.len(), 158);
        assert_eq!(names, 177);
        // What CONFIG GET * lists: all but the five hidden ones.
        assert_eq!(matching(b"*").count(), 172);
        assert!(find(b"HASH-MAX-ZIPLIST-ENTRIES").is_some());
        assert!(find(b"tls-port").is_none());
    }

    #[test]
    fn hidden_parameters_need_an_exact_name() {
        assert!(matching(b"*").all(|(n, _)| n != "watchdog-period"));
        assert!(find(b"watchdog-period").is_some());
        assert_eq!(matching(b"maxmemory*").count(), 5);
    }
}
