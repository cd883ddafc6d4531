//! The Mastery Lab's achievements and the rule that earns each one, as pure functions of what
//! the playground observed (console commands and the engine's answers, measured times,
//! benchmark figures, challenges passed).

use std::collections::{BTreeSet, HashMap};

/// One achievement as the panel lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Achievement {
    pub id: &'static str,
    pub title: &'static str,
    /// How it is earned, in the words the panel and docs/progress.md show.
    pub rule: &'static str,
    /// False for achievements no part of the playground can award yet.
    pub available: bool,
}

pub const FIRST_CACHE: &str = "first-cache";
pub const SPEED_DEMON: &str = "speed-demon";
pub const LUA_MASTER: &str = "lua-master";
pub const PERFORMANCE_GURU: &str = "performance-guru";
pub const CLUSTER_KING: &str = "cluster-king";

pub const ACHIEVEMENTS: [Achievement; 5] = [
    Achievement {
        id: FIRST_CACHE,
        title: "First Cache",
        rule: "In a console, set a key with an expiry (SET … EX/PX/EXAT/PXAT, SETEX, PSETEX, or EXPIRE on a key) and read it back with GET before it expires.",
        available: true,
    },
    Achievement {
        id: SPEED_DEMON,
        title: "Speed Demon",
        rule: "Run a command in a console that the engine answers in under a millisecond, timed in the browser around the engine call (the measured figure is kept).",
        available: true,
    },
    Achievement {
        id: LUA_MASTER,
        title: "Lua Master",
        rule: "Pass every challenge tagged lua.",
        available: true,
    },
    Achievement {
        id: PERFORMANCE_GURU,
        title: "Performance Guru",
        rule: "Run a benchmark test of at least 10,000 requests that sustains 100,000 requests per second or more.",
        available: true,
    },
    Achievement {
        id: CLUSTER_KING,
        title: "Cluster King",
        rule: "Reserved for the clustering lab: deploy a 6-node cluster there. The playground cannot award it yet.",
        available: false,
    },
];

pub fn find(id: &str) -> Option<&'static Achievement> {
    ACHIEVEMENTS.iter().find(|a| a.id == id)
}

/// What a console printed for a command, reduced to what the rules need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Ok,
    Nil,
    Error,
    Integer(i64),
    /// A string or any other value.
    Value,
}

impl Answer {
    /// Reads redis-cli's output for one command (its first line).
    pub fn from_cli_output(text: &str) -> Answer {
        let first = text.lines().next().unwrap_or_default();
        if first == "OK" {
            Answer::Ok
        } else if first == "(nil)" || first.is_empty() {
            Answer::Nil
        } else if first.starts_with("(error)") {
            Answer::Error
        } else if let Some(n) = first.strip_prefix("(integer) ") {
            n.parse().map_or(Answer::Value, Answer::Integer)
        } else {
            Answer::Value
        }
    }
}

/// First Cache: follows keys given an expiry in a console until one is read back alive.
#[derive(Debug, Default)]
pub struct CacheWatch {
    /// Key → engine time (ms) it expires at.
    expiring: HashMap<Vec<u8>, u64>,
}

fn upper(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).to_ascii_uppercase()
}

fn number(arg: Option<&Vec<u8>>) -> Option<u64> {
    std::str::from_utf8(arg?).ok()?.parse().ok()
}

/// The expiry time that SET's or GETEX's options give, if any.
fn expiry_option(options: &[Vec<u8>], now_ms: u64) -> Option<u64> {
    let mut i = 0;
    while let Some(option) = options.get(i) {
        let value = number(options.get(i + 1));
        let at = match upper(option).as_str() {
            "EX" => value.map(|s| now_ms.saturating_add(s.saturating_mul(1000))),
            "PX" => value.map(|ms| now_ms.saturating_add(ms)),
            "EXAT" => value.map(|s| s.saturating_mul(1000)),
            "PXAT" => value,
            _ => None,
        };
        if at.is_some() {
            return at;
        }
        i += 1;
    }
    None
}

impl CacheWatch {
    /// Feeds one console command, its answer, and the engine time it ran at. Returns what
    /// earned First Cache when this command did.
    pub fn observe(&mut self, argv: &[Vec<u8>], answer: &Answer, now_ms: u64) -> Option<String> {
        let (name, key) = (upper(argv.first()?), argv.get(1)?.clone());
        match (name.as_str(), answer) {
            ("SET", Answer::Ok) => match expiry_option(&argv[2..], now_ms) {
                Some(at) => {
                    self.expiring.insert(key, at);
                }
                None if argv.iter().any(|a| upper(a) == "KEEPTTL") => {}
                None => {
                    self.expiring.remove(&key);
                }
            },
            ("SETEX", Answer::Ok) => {
                if let Some(s) = number(argv.get(2)) {
                    self.expiring
                        .insert(key, now_ms.saturating_add(s.saturating_mul(1000)));
                }
            }
            ("PSETEX", Answer::Ok) => {
                if let Some(ms) = number(argv.get(2)) {
                    self.expiring.insert(key, now_ms.saturating_add(ms));
                }
            }
            ("EXPIRE" | "PEXPIRE" | "EXPIREAT" | "PEXPIREAT", Answer::Integer(1)) => {
                if let Some(n) = number(argv.get(2)) {
                    let at = match name.as_str() {
                        "EXPIRE" => now_ms.saturating_add(n.saturating_mul(1000)),
                        "PEXPIRE" => now_ms.saturating_add(n),
                        "EXPIREAT" => n.saturating_mul(1000),
                        _ => n,
                    };
                    self.expiring.insert(key, at);
                }
            }
            ("GETEX", Answer::Value) => {
                if let Some(at) = expiry_option(&argv[2..], now_ms) {
                    self.expiring.insert(key, at);
                } else if argv.iter().any(|a| upper(a) == "PERSIST") {
                    self.expiring.remove(&key);
                }
            }
            ("PERSIST" | "DEL" | "UNLINK" | "GETDEL", _) => {
                self.expiring.remove(&key);
            }
            ("GET", Answer::Value) => {
                let at = *self.expiring.get(&key)?;
                if now_ms < at {
                    let left = at - now_ms;
                    return Some(format!(
                        "GET {} read the value back {} before it expired",
                        String::from_utf8_lossy(&key),
                        if left >= 1000 {
                            format!("{:.1} s", left as f64 / 1000.0)
                        } else {
                            format!("{left} ms")
                        }
                    ));
                }
            }
            _ => {}
        }
        None
    }
}

/// Speed Demon: a command answered (not with an error) in under a millisecond.
pub fn speed_demon(command: &str, elapsed_ms: f64, answer: &Answer) -> Option<String> {
    let fast = elapsed_ms.is_finite() && (0.0..1.0).contains(&elapsed_ms);
    (fast && *answer != Answer::Error && !command.is_empty()).then(|| {
        format!(
            "{} answered in {elapsed_ms:.3} ms (measured in the browser)",
            command.to_ascii_uppercase()
        )
    })
}

/// Lua Master: every challenge whose topics include `lua` is passed (and there is one).
pub fn lua_master(passed: &BTreeSet<String>, challenges: &[(String, Vec<String>)]) -> bool {
    let mut lua = challenges
        .iter()
        .filter(|(_, topics)| topics.iter().any(|t| t == "lua"))
        .peekable();
    lua.peek().is_some() && lua.all(|(id, _)| passed.contains(id))
}

/// Requests a benchmark test needs before its throughput counts for Performance Guru.
pub const GURU_MIN_REQUESTS: u64 = 10_000;
/// The throughput Performance Guru asks for.
pub const GURU_OPS_PER_SEC: f64 = 100_000.0;

/// Performance Guru: a benchmark test long enough to count that reached 100K requests/s.
pub fn performance_guru(requests: u64, ops_per_sec: f64) -> bool {
    requests >= GURU_MIN_REQUESTS && ops_per_sec >= GURU_OPS_PER_SEC
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split_whitespace()
            .map(|w| w.as_bytes().to_vec())
            .collect()
    }

    #[test]
    fn answers_from_cli_output() {
        assert_eq!(Answer::from_cli_output("OK\n"), Answer::Ok);
        assert_eq!(Answer::from_cli_output("(nil)\n"), Answer::Nil);
        assert_eq!(Answer::from_cli_output("(integer) 1\n"), Answer::Integer(1));
        assert_eq!(Answer::from_cli_output("\"alice\"\n"), Answer::Value);
        assert_eq!(
            Answer::from_cli_output("(error) WRONGTYPE Operation\n"),
            Answer::Error
        );
    }

    #[test]
    fn first_cache_needs_an_expiry_and_a_live_read() {
        let mut w = CacheWatch::default();
        assert_eq!(w.observe(&argv("SET k v"), &Answer::Ok, 0), None);
        assert_eq!(w.observe(&argv("GET k"), &Answer::Value, 1), None);
        assert_eq!(w.observe(&argv("SET k v EX 60"), &Answer::Ok, 1_000), None);
        // Read back once it expired: no.
        assert_eq!(w.observe(&argv("GET k"), &Answer::Value, 61_000), None);
        // A miss does not count.
        assert_eq!(w.observe(&argv("GET k"), &Answer::Nil, 2_000), None);
        assert_eq!(
            w.observe(&argv("get k"), &Answer::Value, 2_000).as_deref(),
            Some("GET k read the value back 59.0 s before it expired")
        );
    }

    #[test]
    fn first_cache_follows_ttl_changes() {
        let mut w = CacheWatch::default();
        w.observe(&argv("SET a 1 PX 500"), &Answer::Ok, 0);
        w.observe(&argv("SET a 2"), &Answer::Ok, 10);
        assert_eq!(w.observe(&argv("GET a"), &Answer::Value, 20), None);
        w.observe(&argv("EXPIRE a 10"), &Answer::Integer(1), 30);
        w.observe(&argv("PERSIST a"), &Answer::Integer(1), 40);
        assert_eq!(w.observe(&argv("GET a"), &Answer::Value, 50), None);
        // A failed EXPIRE (no such key) sets nothing.
        w.observe(&argv("EXPIRE b 10"), &Answer::Integer(0), 60);
        assert_eq!(w.observe(&argv("GET b"), &Answer::Value, 70), None);
        w.observe(&argv("SETEX c 5 v"), &Answer::Ok, 0);
        assert!(w.observe(&argv("GET c"), &Answer::Value, 4_999).is_some());
        w.observe(&argv("SET d v PXAT 1000"), &Answer::Ok, 0);
        assert!(w
            .observe(&argv("GET d"), &Answer::Value, 900)
            .is_some_and(|d| d.ends_with("100 ms before it expired")));
        w.observe(&argv("SET e v EX 5"), &Answer::Ok, 0);
        w.observe(&argv("SET e w KEEPTTL"), &Answer::Ok, 0);
        assert!(w.observe(&argv("GET e"), &Answer::Value, 10).is_some());
        // Bad input is ignored, never a panic.
        assert_eq!(w.observe(&[], &Answer::Ok, 0), None);
        assert_eq!(w.observe(&argv("SET"), &Answer::Error, 0), None);
        assert_eq!(w.observe(&argv("SET x y EX"), &Answer::Error, 0), None);
    }

    #[test]
    fn speed_demon_needs_a_sub_millisecond_answer() {
        assert_eq!(
            speed_demon("get", 0.1, &Answer::Value).as_deref(),
            Some("GET answered in 0.100 ms (measured in the browser)")
        );
        assert_eq!(speed_demon("get", 1.0, &Answer::Value), None);
        assert_eq!(speed_demon("nosuch", 0.0, &Answer::Error), None);
        assert_eq!(speed_demon("get", f64::NAN, &Answer::Value), None);
    }

    #[test]
    fn lua_master_needs_every_lua_challenge() {
        let challenges = vec![
            ("strings-1".to_string(), vec!["strings".to_string()]),
            (
                "lua-1".to_string(),
                vec!["lua".to_string(), "scripting".to_string()],
            ),
            ("lua-2".to_string(), vec!["lua".to_string()]),
        ];
        let mut passed: BTreeSet<String> = ["lua-1".to_string()].into();
        assert!(!lua_master(&passed, &challenges));
        passed.insert("lua-2".into());
        assert!(lua_master(&passed, &challenges));
        // No Lua challenge at all: nothing to master yet.
        assert!(!lua_master(&passed, &challenges[..1]));
    }

    #[test]
    fn performance_guru_needs_100k_over_enough_requests() {
        assert!(performance_guru(100_000, 100_000.0));
        assert!(!performance_guru(100_000, 99_999.9));
        assert!(!performance_guru(1_000, 1_000_000.0));
    }

    #[test]
    fn catalogue() {
        assert_eq!(ACHIEVEMENTS.len(), 5);
        assert!(find(CLUSTER_KING).is_some_and(|a| !a.available));
        assert!(find("nope").is_none());
    }
}
