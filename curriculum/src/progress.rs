//! A learner's progress, and the `progress.yaml` file it is exported to and imported from
//! (schema in docs/progress.md): completed steps by module, challenges passed, achievements
//! with the date each was earned, and the best benchmark figure.

use std::collections::{BTreeMap, BTreeSet};

use crate::achievements::ACHIEVEMENTS;
use crate::yaml::{self, quote, Node};

/// The schema version this code writes and reads.
pub const VERSION: u32 = 1;

/// When and how an achievement was earned.
#[derive(Clone, Debug, PartialEq)]
pub struct Earned {
    /// ISO 8601 UTC, e.g. `2026-11-22T10:31:05Z`.
    pub date: String,
    /// What earned it, in words (the measured figure for Speed Demon).
    pub detail: String,
}

/// The best benchmark result seen.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchmarkBest {
    pub ops_per_sec: f64,
    pub test: String,
    pub requests: u64,
    pub pipeline: u32,
    pub date: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Module id → ids of its completed steps.
    pub completed: BTreeMap<String, BTreeSet<String>>,
    pub challenges_passed: BTreeSet<String>,
    /// Achievement id → when it was earned.
    pub achievements: BTreeMap<String, Earned>,
    pub benchmark_best: Option<BenchmarkBest>,
}

impl Progress {
    pub fn is_done(&self, module: &str, step: &str) -> bool {
        self.completed.get(module).is_some_and(|s| s.contains(step))
    }

    /// Marks a step done (true) or not done (false).
    pub fn set_done(&mut self, module: &str, step: &str, done: bool) {
        if done {
            self.completed
                .entry(module.to_string())
                .or_default()
                .insert(step.to_string());
        } else if let Some(steps) = self.completed.get_mut(module) {
            steps.remove(step);
            if steps.is_empty() {
                self.completed.remove(module);
            }
        }
    }

    /// Records an achievement unless it was already earned; true when it is new.
    pub fn earn(&mut self, id: &str, date: &str, detail: &str) -> bool {
        if self.achievements.contains_key(id) {
            return false;
        }
        self.achievements.insert(
            id.to_string(),
            Earned {
                date: date.to_string(),
                detail: detail.to_string(),
            },
        );
        true
    }

    /// Keeps `best` if it beats the stored benchmark figure; true when it does.
    pub fn offer_benchmark(&mut self, best: BenchmarkBest) -> bool {
        let better = self
            .benchmark_best
            .as_ref()
            .is_none_or(|b| best.ops_per_sec > b.ops_per_sec);
        if better {
            self.benchmark_best = Some(best);
        }
        better
    }

    /// The file's text.
    pub fn to_yaml(&self) -> String {
        let mut out = String::from(
            "# Redis Playground progress. Import it from the course map to continue elsewhere.\n",
        );
        out.push_str(&format!("version: {VERSION}\n"));
        if self.completed.is_empty() {
            out.push_str("completed_steps: {}\n");
        } else {
            out.push_str("completed_steps:\n");
            for (module, steps) in &self.completed {
                out.push_str(&format!("  {}:\n", quote(module)));
                for step in steps {
                    out.push_str(&format!("    - {}\n", quote(step)));
                }
            }
        }
        if self.challenges_passed.is_empty() {
            out.push_str("challenges_passed: []\n");
        } else {
            out.push_str("challenges_passed:\n");
            for id in &self.challenges_passed {
                out.push_str(&format!("  - {}\n", quote(id)));
            }
        }
        if self.achievements.is_empty() {
            out.push_str("achievements: {}\n");
        } else {
            out.push_str("achievements:\n");
            for (id, earned) in &self.achievements {
                out.push_str(&format!("  {}:\n", quote(id)));
                out.push_str(&format!("    date: {}\n", quote(&earned.date)));
                if !earned.detail.is_empty() {
                    out.push_str(&format!("    detail: {}\n", quote(&earned.detail)));
                }
            }
        }
        if let Some(best) = &self.benchmark_best {
            out.push_str("benchmark_best:\n");
            out.push_str(&format!("  ops_per_sec: {:.2}\n", best.ops_per_sec));
            out.push_str(&format!("  test: {}\n", quote(&best.test)));
            out.push_str(&format!("  requests: {}\n", best.requests));
            out.push_str(&format!("  pipeline: {}\n", best.pipeline));
            out.push_str(&format!("  date: {}\n", quote(&best.date)));
        }
        out
    }

    /// Reads a `progress.yaml`; the error names the line and field at fault.
    pub fn from_yaml(text: &str) -> Result<Progress, String> {
        let root = yaml::parse(text)?;
        let Node::Map(fields, _) = root else {
            return Err("line 1: progress.yaml must be a map of fields (version: 1, ...)".into());
        };
        let mut progress = Progress::default();
        let mut version = None;
        for (name, value, line) in fields {
            match name.as_str() {
                "version" => {
                    let text = expect_scalar(&value, "version")?;
                    match text.parse::<u32>() {
                        Ok(VERSION) => version = Some(VERSION),
                        _ => {
                            return Err(format!(
                                "line {line}: version {text} is not supported (this playground reads version {VERSION})"
                            ))
                        }
                    }
                }
                "completed_steps" => {
                    for (module, steps, _) in expect_map(&value, "completed_steps")? {
                        let field = format!("completed_steps.{module}");
                        let steps = expect_list(&steps, &field)?;
                        for (step, _) in steps {
                            progress.set_done(&module, &step, true);
                        }
                    }
                }
                "challenges_passed" => {
                    for (id, _) in expect_list(&value, "challenges_passed")? {
                        progress.challenges_passed.insert(id);
                    }
                }
                "achievements" => {
                    for (id, entry, line) in expect_map(&value, "achievements")? {
                        if !ACHIEVEMENTS.iter().any(|a| a.id == id) {
                            return Err(format!(
                                "line {line}: achievements: unknown achievement '{id}' (known: {})",
                                ACHIEVEMENTS
                                    .iter()
                                    .map(|a| a.id)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ));
                        }
                        let field = format!("achievements.{id}");
                        let fields = expect_map(&entry, &field)?;
                        let mut earned = Earned {
                            date: String::new(),
                            detail: String::new(),
                        };
                        for (name, value, line) in fields {
                            let text = expect_scalar(&value, &format!("{field}.{name}"))?;
                            match name.as_str() {
                                "date" => earned.date = checked_date(&text, line, &field)?,
                                "detail" => earned.detail = text,
                                _ => return Err(unknown(line, &field, &name, "date, detail")),
                            }
                        }
                        if earned.date.is_empty() {
                            return Err(format!("line {line}: {field}: missing field 'date'"));
                        }
                        progress.achievements.insert(id, earned);
                    }
                }
                "benchmark_best" => progress.benchmark_best = Some(benchmark_best(&value)?),
                _ => {
                    return Err(unknown(
                        line,
                        "progress.yaml",
                        &name,
                        "version, completed_steps, challenges_passed, achievements, benchmark_best",
                    ))
                }
            }
        }
        if version.is_none() {
            return Err("progress.yaml: missing field 'version' (write version: 1)".into());
        }
        Ok(progress)
    }
}

fn unknown(line: usize, place: &str, name: &str, known: &str) -> String {
    format!("line {line}: {place}: unknown field '{name}' (expected {known})")
}

fn expect_scalar(node: &Node, field: &str) -> Result<String, String> {
    match node {
        Node::Scalar(text, _) => Ok(text.clone()),
        other => Err(format!(
            "line {}: {field} must be a single value",
            other.line()
        )),
    }
}

fn expect_list(node: &Node, field: &str) -> Result<Vec<(String, usize)>, String> {
    match node {
        Node::List(items, _) => Ok(items.clone()),
        Node::Empty(_) => Ok(Vec::new()),
        other => Err(format!(
            "line {}: {field} must be a list (\"- id\" lines)",
            other.line()
        )),
    }
}

fn expect_map(node: &Node, field: &str) -> Result<Vec<(String, Node, usize)>, String> {
    match node {
        Node::Map(entries, _) => Ok(entries.clone()),
        Node::Empty(_) => Ok(Vec::new()),
        other => Err(format!(
            "line {}: {field} must be a map (\"name:\" lines)",
            other.line()
        )),
    }
}

/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`.
fn checked_date(text: &str, line: usize, field: &str) -> Result<String, String> {
    let digits_at = |positions: &[usize]| {
        positions
            .iter()
            .all(|&i| text.as_bytes().get(i).is_some_and(u8::is_ascii_digit))
    };
    let date_ok = text.len() >= 10
        && digits_at(&[0, 1, 2, 3, 5, 6, 8, 9])
        && text.as_bytes()[4] == b'-'
        && text.as_bytes()[7] == b'-';
    let time_ok = text.len() == 10
        || (text.len() == 20
            && &text[10..11] == "T"
            && digits_at(&[11, 12, 14, 15, 17, 18])
            && &text[13..14] == ":"
            && &text[16..17] == ":"
            && text.ends_with('Z'));
    if date_ok && time_ok {
        Ok(text.to_string())
    } else {
        Err(format!(
            "line {line}: {field}.date: '{text}' is not a date (write 2026-01-31 or 2026-01-31T09:30:00Z)"
        ))
    }
}

fn benchmark_best(node: &Node) -> Result<BenchmarkBest, String> {
    let field = "benchmark_best";
    let mut best = BenchmarkBest {
        ops_per_sec: -1.0,
        test: String::new(),
        requests: 0,
        pipeline: 1,
        date: String::new(),
    };
    for (name, value, line) in expect_map(node, field)? {
        let text = expect_scalar(&value, &format!("{field}.{name}"))?;
        let number_error =
            |what: &str| format!("line {line}: {field}.{name}: '{text}' is not {what}");
        match name.as_str() {
            "ops_per_sec" => {
                best.ops_per_sec = text
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| number_error("a number of operations per second"))?
            }
            "test" => best.test = text,
            "requests" => best.requests = text.parse().map_err(|_| number_error("a count"))?,
            "pipeline" => best.pipeline = text.parse().map_err(|_| number_error("a count"))?,
            "date" => best.date = checked_date(&text, line, field)?,
            _ => {
                return Err(unknown(
                    line,
                    field,
                    &name,
                    "ops_per_sec, test, requests, pipeline, date",
                ))
            }
        }
    }
    if best.ops_per_sec < 0.0 {
        return Err(format!(
            "line {}: {field}: missing field 'ops_per_sec'",
            node.line()
        ));
    }
    Ok(best)
}

/// `2026-11-22T10:31:05Z` for a time in milliseconds since the Unix epoch.
pub fn iso_date(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Progress {
        let mut p = Progress::default();
        p.set_done("redis-track", "run-redis", true);
        p.set_done("redis-track", "strings-and-expiry", true);
        p.set_done("lab-caching", "cache-aside", true);
        p.challenges_passed.insert("lua-rate-limit".into());
        p.earn(
            "speed-demon",
            "2026-11-22T10:31:05Z",
            "GET answered in 0.100 ms: \"fast\" # really",
        );
        p.earn("first-cache", "2026-11-22", "");
        p.offer_benchmark(BenchmarkBest {
            ops_per_sec: 812_345.67,
            test: "SET".into(),
            requests: 100_000,
            pipeline: 16,
            date: "2026-11-22T10:40:00Z".into(),
        });
        p
    }

    #[test]
    fn round_trip() {
        let p = sample();
        let text = p.to_yaml();
        assert_eq!(Progress::from_yaml(&text), Ok(p));
        let empty = Progress::default();
        assert_eq!(Progress::from_yaml(&empty.to_yaml()), Ok(empty));
    }

    #[test]
    fn written_layout() {
        let text = sample().to_yaml();
        assert!(text.contains("version: 1\ncompleted_steps:\n  lab-caching:\n    - cache-aside\n  redis-track:\n    - run-redis\n    - strings-and-expiry\n"), "{text}");
        assert!(text.contains("achievements:\n  first-cache:\n    date: 2026-11-22\n  speed-demon:\n    date: \"2026-11-22T10:31:05Z\"\n"), "{text}");
        assert!(
            text.contains("benchmark_best:\n  ops_per_sec: 812345.67\n  test: SET\n"),
            "{text}"
        );
    }

    #[test]
    fn hand_written_files_are_read() {
        let text = "version: 1\ncompleted_steps:\n  redis-track: [] # none yet\nchallenges_passed:\n  - 'a'\n";
        let p = Progress::from_yaml(text).unwrap();
        assert!(p.completed.is_empty());
        assert!(p.challenges_passed.contains("a"));
    }

    #[test]
    fn bad_files_are_rejected_with_line_and_field() {
        let cases = [
            ("completed_steps: {}\n", "progress.yaml: missing field 'version' (write version: 1)"),
            ("version: 2\n", "line 1: version 2 is not supported (this playground reads version 1)"),
            ("version: 1\nlevel: 3\n", "line 2: progress.yaml: unknown field 'level' (expected version, completed_steps, challenges_passed, achievements, benchmark_best)"),
            ("version: 1\ncompleted_steps:\n  m: x\n", "line 3: completed_steps.m must be a list (\"- id\" lines)"),
            ("version: 1\nchallenges_passed: abc\n", "line 2: challenges_passed must be a list (\"- id\" lines)"),
            ("version: 1\nachievements:\n  king:\n    date: 2026-01-01\n", "line 3: achievements: unknown achievement 'king' (known: first-cache, speed-demon, lua-master, performance-guru, cluster-king)"),
            ("version: 1\nachievements:\n  first-cache:\n    date: yesterday\n", "line 4: achievements.first-cache.date: 'yesterday' is not a date (write 2026-01-31 or 2026-01-31T09:30:00Z)"),
            ("version: 1\nachievements:\n  first-cache:\n    detail: x\n", "line 3: achievements.first-cache: missing field 'date'"),
            ("version: 1\nbenchmark_best:\n  ops_per_sec: fast\n", "line 3: benchmark_best.ops_per_sec: 'fast' is not a number of operations per second"),
            ("version: 1\nbenchmark_best:\n  test: SET\n", "line 3: benchmark_best: missing field 'ops_per_sec'"),
            ("- a\n- b\n", "line 1: progress.yaml must be a map of fields (version: 1, ...)"),
            ("version: 1\n  extra: 2\n", "line 2: unexpected indentation"),
        ];
        for (text, message) in cases {
            assert_eq!(
                Progress::from_yaml(text),
                Err(message.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn dates() {
        assert_eq!(iso_date(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_date(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso_date(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn benchmark_best_keeps_the_highest() {
        let mut p = sample();
        let slower = BenchmarkBest {
            ops_per_sec: 10.0,
            test: "GET".into(),
            requests: 10,
            pipeline: 1,
            date: "2026-01-01".into(),
        };
        assert!(!p.offer_benchmark(slower));
        assert_eq!(p.benchmark_best.map(|b| b.test), Some("SET".to_string()));
    }
}
