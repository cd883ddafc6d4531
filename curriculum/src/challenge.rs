//! Challenges: a goal, hints revealed one at a time, a solution revealed on request, and a
//! check that tells the learner, expectation by expectation, whether their data solves it.
//!
//! A challenge file has the front matter of a step plus `topics:`, and its body is split by
//! `## ` headings: everything before `## Hints` is the goal; `## Hints` is a bullet list, one
//! hint an item; `## Solution` and any later sections are revealed with the solution; `## Check`
//! holds the ` ```check ` block.

use crate::blocks::{self, Block, BlockKind};
use crate::check::{self, Check};
use crate::frontmatter::FrontMatter;
use crate::Level;

#[derive(Clone, Debug)]
pub struct Challenge {
    pub id: String,
    pub title: String,
    pub level: Level,
    /// What it practises (`caching`, `lua`, `sorted-sets`...), for progress and achievements.
    pub topics: Vec<String>,
    pub summary: String,
    pub minutes: u32,
    /// Markdown of the scenario and the goal; may hold `redis setup` blocks.
    pub goal: String,
    pub goal_blocks: Vec<Block>,
    /// Markdown of each hint, in the order they are revealed.
    pub hints: Vec<String>,
    /// Markdown of the worked solution (and anything after it but the check).
    pub solution: String,
    pub solution_blocks: Vec<Block>,
    pub check: Check,
    /// The check block as written.
    pub check_text: String,
    pub path: String,
}

impl Challenge {
    /// The commands of the goal's `redis setup` blocks: the scenario's starting data.
    pub fn setup_lines(&self) -> Vec<(u64, String)> {
        self.goal_blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Redis { setup: true, .. }))
            .flat_map(|b| b.commands.iter())
            .map(|c| (c.advance_ms, c.text.clone()))
            .collect()
    }
}

/// `topics: [caching, ttl]` or `topics: caching, ttl`.
fn topics(text: &str) -> Vec<String> {
    let inner = text
        .trim()
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    inner
        .split(',')
        .map(|t| t.trim().trim_matches('"').to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The body's `## ` sections as (heading, text), fences respected; the text before the
/// first heading has an empty heading.
fn sections(body: &str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), String::new())];
    let mut in_fence = false;
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence {
            if let Some(heading) = line.strip_prefix("## ") {
                out.push((heading.trim().to_string(), String::new()));
                continue;
            }
        }
        if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

/// The items of a Markdown bullet list, continuation lines included.
fn list_items(text: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for line in text.lines() {
        if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
            items.push(item.trim().to_string());
        } else if let Some(last) = items.last_mut().filter(|_| !line.trim().is_empty()) {
            last.push(' ');
            last.push_str(line.trim());
        }
    }
    items
}

pub(crate) fn challenge_from(
    front: &FrontMatter,
    body: &str,
    path: &str,
) -> Result<Challenge, String> {
    let level = front.required("level")?;
    let minutes = front.get("minutes").unwrap_or("20");
    let topics = topics(front.required("topics")?);
    if topics.is_empty() {
        return Err("'topics' lists no topic".into());
    }
    let (mut goal, mut hints, mut solution, mut check_section) =
        (String::new(), None, None::<String>, None);
    for (heading, text) in sections(body) {
        match heading.as_str() {
            "" | "Goal" if hints.is_none() && solution.is_none() => goal.push_str(&text),
            "Hints" => hints = Some(list_items(&text)),
            "Check" => check_section = Some(text),
            _ if solution.is_some() => {
                let s = solution.get_or_insert_with(String::new);
                s.push_str(&format!("## {heading}\n{text}"));
            }
            "Solution" => solution = Some(text),
            other if hints.is_none() => goal.push_str(&format!("## {other}\n{text}")),
            other => {
                return Err(format!(
                    "section '## {other}' between the hints and the solution"
                ))
            }
        }
    }
    let hints = hints.ok_or("no '## Hints' section")?;
    if hints.is_empty() {
        return Err("'## Hints' has no '- ' items".into());
    }
    let solution = solution.ok_or("no '## Solution' section")?;
    let check_section = check_section.ok_or("no '## Check' section")?;
    let goal_blocks = blocks::parse(&goal)?;
    let solution_blocks = blocks::parse(&solution)?;
    if !solution_blocks
        .iter()
        .any(|b| matches!(b.kind, BlockKind::Redis { setup: false, .. }))
    {
        return Err("the solution has no runnable ```redis block".into());
    }
    if goal_blocks
        .iter()
        .chain(&solution_blocks)
        .any(|b| b.kind == BlockKind::Check)
    {
        return Err("a ```check block belongs in '## Check'".into());
    }
    let check_blocks: Vec<Block> = blocks::parse(&check_section)?
        .into_iter()
        .filter(|b| b.kind == BlockKind::Check)
        .collect();
    let [check_block] = check_blocks.as_slice() else {
        return Err(format!(
            "'## Check' needs exactly one ```check block, found {}",
            check_blocks.len()
        ));
    };
    Ok(Challenge {
        id: front.required("id")?.to_string(),
        title: front.required("title")?.to_string(),
        level: Level::parse(level).ok_or_else(|| format!("unknown level '{level}'"))?,
        topics,
        summary: front.required("summary")?.to_string(),
        minutes: minutes
            .parse()
            .map_err(|_| format!("minutes is not a number: '{minutes}'"))?,
        goal,
        goal_blocks,
        hints,
        solution,
        solution_blocks,
        check: check::parse(&check_block.text)?,
        check_text: check_block.text.clone(),
        path: path.to_string(),
    })
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_since_epoch(year: i64, month: u32, day: u32) -> i64 {
    let (year, month) = if month <= 2 {
        (year - 1, i64::from(month) + 9)
    } else {
        (year, i64::from(month) - 3)
    };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Which challenge (by position) is the daily one on a date: the list in order, one a day,
/// starting over when it ends, so every challenge comes up once in as many days as there are.
pub fn daily_index(count: usize, year: i64, month: u32, day: u32) -> Option<usize> {
    let count = i64::try_from(count).ok().filter(|&c| c > 0)?;
    usize::try_from(days_since_epoch(year, month, day).rem_euclid(count)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(days_since_epoch(1970, 1, 1), 0);
        assert_eq!(days_since_epoch(2000, 3, 1), 11_017);
        assert_eq!(days_since_epoch(2024, 2, 29), 19_782);
        assert_eq!(days_since_epoch(1969, 12, 31), -1);
    }

    #[test]
    fn daily_rotation_visits_every_challenge_once_per_cycle() {
        assert_eq!(daily_index(0, 2025, 9, 1), None);
        let start = days_since_epoch(2025, 9, 1);
        let mut seen: Vec<usize> = (0..11)
            .map(|d| usize::try_from((start + d).rem_euclid(11)).unwrap())
            .collect();
        assert_eq!(daily_index(11, 2025, 9, 1), Some(seen[0]));
        assert_eq!(daily_index(11, 2025, 9, 2), Some(seen[1]));
        // Month and year boundaries follow on.
        assert_eq!(
            daily_index(11, 2026, 1, 1),
            daily_index(11, 2025, 12, 31).map(|i| (i + 1) % 11)
        );
        seen.sort_unstable();
        assert_eq!(seen, (0..11).collect::<Vec<_>>());
    }

    #[test]
    fn topics_and_list_items() {
        assert_eq!(topics("[caching, ttl]"), vec!["caching", "ttl"]);
        assert_eq!(topics("lua"), vec!["lua"]);
        assert_eq!(
            list_items("- one\n  more\n- two\n\n"),
            vec!["one more", "two"]
        );
    }
}
