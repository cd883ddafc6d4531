//! What survives a restart and a crash under a configuration, in plain words, for hosts
//! that show it (the browser's persistence panel). The rules are Redis's: a clean shutdown
//! saves a snapshot when save points are configured and fsyncs the AOF; a crash keeps only
//! what the last snapshot and the fsynced part of the AOF hold.

use crate::config::Config;
use crate::server::Server;

/// The two answers: after a clean restart (a page reload) and after a crash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Durability {
    pub restart: String,
    pub crash: String,
}

/// Describes durability under `config`.
pub fn describe(config: &Config) -> Durability {
    let save = String::from_utf8_lossy(&config.get("save").unwrap_or_default()).into_owned();
    let fsync =
        String::from_utf8_lossy(&config.get("appendfsync").unwrap_or_default()).into_owned();
    let snapshots = !save.trim().is_empty();
    let restart = if config.appendonly {
        "Everything: the append-only file is fsynced at shutdown and replayed at start.".to_string()
    } else if snapshots {
        format!(
            "Everything: shutting down saves a snapshot (save points \"{save}\"), loaded at start."
        )
    } else {
        "Only what the last SAVE or BGSAVE wrote: snapshots are off (save \"\") and so is the append-only file.".to_string()
    };
    let crash = if config.appendonly {
        match fsync.as_str() {
            "always" => "Nothing acknowledged: appendfsync always writes every change to disk before its reply.".to_string(),
            "everysec" => "At most the last second of writes: appendfsync everysec writes to disk once a second.".to_string(),
            _ => "Up to the last 30 seconds of writes: with appendfsync no, the operating system writes its buffers when it chooses (every 30 seconds here).".to_string(),
        }
    } else if snapshots {
        format!("Every write since the last snapshot; the next one is taken by the save points \"{save}\" (seconds and changes).")
    } else {
        "Every write since the last SAVE or BGSAVE.".to_string()
    };
    Durability { restart, crash }
}

impl Server {
    /// What survives a restart and a crash with the running configuration.
    pub fn durability(&self) -> Durability {
        describe(&self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        let mut config = Config::default();
        for (name, value) in pairs {
            config.load(name, value.as_bytes()).unwrap();
        }
        config
    }

    #[test]
    fn redis_defaults_keep_everything_on_restart_and_lose_since_the_snapshot_on_crash() {
        let d = describe(&Config::default());
        assert!(
            d.restart
                .starts_with("Everything: shutting down saves a snapshot"),
            "{d:?}"
        );
        assert!(d.restart.contains("3600 1 300 100 60 10000"), "{d:?}");
        assert!(
            d.crash.starts_with("Every write since the last snapshot"),
            "{d:?}"
        );
    }

    #[test]
    fn the_aof_policy_decides_what_a_crash_loses() {
        let aof = |fsync| describe(&config(&[("appendonly", "yes"), ("appendfsync", fsync)]));
        assert!(aof("always").crash.starts_with("Nothing acknowledged"));
        assert!(aof("everysec").crash.starts_with("At most the last second"));
        assert!(aof("no").crash.starts_with("Up to the last 30 seconds"));
        assert!(aof("everysec")
            .restart
            .starts_with("Everything: the append-only file"));
    }

    #[test]
    fn with_nothing_configured_only_explicit_saves_survive() {
        let d = describe(&config(&[("save", "")]));
        assert!(d.restart.starts_with("Only what the last SAVE"), "{d:?}");
        assert_eq!(d.crash, "Every write since the last SAVE or BGSAVE.");
    }
}
