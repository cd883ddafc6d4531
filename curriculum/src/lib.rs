//! The curriculum: modules of steps written in Markdown under `content/`, each with a small
//! front-matter block and fenced code blocks, some of them runnable Redis commands with their
//! expected redis-cli output.
//!
//! Layout: `content/<NN>-<module>/_module.md` declares a module; every other `.md` file in that
//! folder is a step. File-name prefixes order modules and steps, so adding a step is adding a file.
//! See `content/README.md` for the authoring format.

pub mod achievements;
mod blocks;
mod challenge;
mod check;
mod checker;
mod expect;
mod frontmatter;
pub mod progress;
mod runner;
mod yaml;

pub use blocks::{parse as parse_blocks, Block, BlockKind, CommandLine, DEFAULT_PANE};
pub use challenge::{daily_index, days_since_epoch, Challenge};
pub use check::{Alternative, Assertion, Check, Expectation, Probe, ProbeStep, Range};
pub use checker::{all_passed, label, run_check, Outcome};
pub use expect::matches;
pub use runner::{check_challenge, check_step, Failure};

use frontmatter::FrontMatter;

/// How deep a step goes; learners choose how far to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
    Expert,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "Beginner" => Some(Level::Beginner),
            "Intermediate" => Some(Level::Intermediate),
            "Advanced" => Some(Level::Advanced),
            "Expert" => Some(Level::Expert),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Beginner => "Beginner",
            Level::Intermediate => "Intermediate",
            Level::Advanced => "Advanced",
            Level::Expert => "Expert",
        }
    }
}

/// One step (or lab) of a module.
#[derive(Clone, Debug)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub module: String,
    pub level: Level,
    pub summary: String,
    pub minutes: u32,
    /// The Markdown body after the front matter.
    pub body: String,
    pub blocks: Vec<Block>,
    /// The step's own ` ```check ` block, if it has one ("Check my work"): what the learner's
    /// data should look like after the step.
    pub check: Option<Check>,
    /// Where it came from, for error messages.
    pub path: String,
}

/// A group of steps, such as the Redis track or one module of the Mastery Lab.
#[derive(Clone, Debug)]
pub struct Module {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub steps: Vec<Step>,
}

/// The whole curriculum, in order.
#[derive(Clone, Debug, Default)]
pub struct Course {
    pub modules: Vec<Module>,
    /// The folder of challenges (its `_module.md` says `kind: challenges`): its title and
    /// introduction. Challenges are not steps, so it is not among `modules`.
    pub challenge_module: Option<Module>,
    pub challenges: Vec<Challenge>,
}

/// The link that always opens the daily challenge.
pub const TODAY_LINK: &str = "today";

/// A problem with a content file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for ContentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl Course {
    /// Builds the course from `(path, text)` pairs, paths relative to `content/`
    /// (`01-redis-track/02-strings.md`). Files outside a module folder and non-Markdown files
    /// are ignored.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Course, Vec<ContentError>> {
        let mut files: Vec<_> = files
            .iter()
            .filter(|(p, _)| p.ends_with(".md") && p.contains('/'))
            .collect();
        // Each folder's _module.md first, then its steps by file name.
        files.sort_by_key(|(p, _)| {
            (
                p.split('/').next().unwrap_or_default(),
                !p.ends_with("/_module.md"),
                *p,
            )
        });
        let mut errors = Vec::new();
        let mut course = Course::default();
        let mut module_folder = "";
        let mut challenge_folder = None;
        for (path, text) in &files {
            let folder = path.split('/').next().unwrap_or_default();
            let err = |message: String| ContentError {
                path: path.to_string(),
                message,
            };
            let (front, body) = match FrontMatter::split(text) {
                Ok(parts) => parts,
                Err(e) => {
                    errors.push(err(e));
                    continue;
                }
            };
            if path.ends_with("/_module.md") && front.get("kind") == Some("challenges") {
                match module_from(&front, body) {
                    Ok(m) => {
                        challenge_folder = Some(folder);
                        course.challenge_module = Some(m);
                    }
                    Err(e) => errors.push(err(e)),
                }
                continue;
            }
            if challenge_folder == Some(folder) {
                match challenge::challenge_from(&front, body, path) {
                    Ok(c) => course.challenges.push(c),
                    Err(e) => errors.push(err(e)),
                }
                continue;
            }
            if path.ends_with("/_module.md") {
                match module_from(&front, body) {
                    Ok(m) => {
                        course.modules.push(m);
                        module_folder = folder;
                    }
                    Err(e) => errors.push(err(e)),
                }
                continue;
            }
            let Some(module) = course
                .modules
                .last_mut()
                .filter(|_| module_folder == folder)
            else {
                errors.push(err(format!("no _module.md in {folder}/")));
                continue;
            };
            match step_from(&front, body, path) {
                Ok(step) if step.module != module.id => errors.push(err(format!(
                    "step says module '{}' but sits in module '{}'",
                    step.module, module.id
                ))),
                Ok(step) => module.steps.push(step),
                Err(e) => errors.push(err(e)),
            }
        }
        errors.extend(course.check_links());
        if errors.is_empty() {
            Ok(course)
        } else {
            Err(errors)
        }
    }

    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.modules.iter().flat_map(|m| m.steps.iter())
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps().find(|s| s.id == id)
    }

    /// A challenge by id; `today` is the daily challenge of `today`'s date.
    pub fn challenge(&self, id: &str) -> Option<&Challenge> {
        self.challenges.iter().find(|c| c.id == id)
    }

    /// The daily challenge of a date (year, month 1-12, day 1-31): the challenges in order,
    /// one a day, over and over.
    pub fn daily_challenge(&self, year: i64, month: u32, day: u32) -> Option<&Challenge> {
        daily_index(self.challenges.len(), year, month, day).and_then(|i| self.challenges.get(i))
    }

    /// Every `#/step/<id>` link must name a step; ids must be unique.
    fn check_links(&self) -> Vec<ContentError> {
        let mut errors = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for step in self.steps() {
            if !seen.insert(step.id.as_str()) {
                errors.push(ContentError {
                    path: step.path.clone(),
                    message: format!("duplicate step id '{}'", step.id),
                });
            }
        }
        for challenge in &self.challenges {
            if !seen.insert(challenge.id.as_str()) || challenge.id == TODAY_LINK {
                errors.push(ContentError {
                    path: challenge.path.clone(),
                    message: format!("duplicate or reserved challenge id '{}'", challenge.id),
                });
            }
        }
        let bodies = self
            .steps()
            .map(|s| (s.path.as_str(), s.body.clone()))
            .chain(self.challenges.iter().map(|c| {
                let hints = c.hints.join("\n");
                (c.path.as_str(), format!("{}{hints}{}", c.goal, c.solution))
            }));
        for (path, body) in bodies {
            for target in step_links(&body) {
                if self.step(target).is_none() {
                    errors.push(ContentError {
                        path: path.to_string(),
                        message: format!("link to unknown step '{target}'"),
                    });
                }
            }
            for target in challenge_links(&body) {
                if target != TODAY_LINK && self.challenge(target).is_none() {
                    errors.push(ContentError {
                        path: path.to_string(),
                        message: format!("link to unknown challenge '{target}'"),
                    });
                }
            }
        }
        errors
    }
}

/// The challenge ids that `#/challenge/<id>` links in Markdown point at.
pub fn challenge_links(markdown: &str) -> Vec<&str> {
    links(markdown, "(#/challenge/")
}

/// The step ids that `#/step/<id>` links in Markdown point at.
pub fn step_links(markdown: &str) -> Vec<&str> {
    links(markdown, "(#/step/")
}

fn links<'a>(markdown: &'a str, prefix: &str) -> Vec<&'a str> {
    markdown
        .match_indices(prefix)
        .filter_map(|(i, m)| {
            let rest = &markdown[i + m.len()..];
            rest.find(')').map(|end| &rest[..end])
        })
        .collect()
}

fn module_from(front: &FrontMatter, body: &str) -> Result<Module, String> {
    Ok(Module {
        id: front.required("id")?.to_string(),
        title: front.required("title")?.to_string(),
        summary: front.get("summary").unwrap_or_default().to_string(),
        body: body.to_string(),
        steps: Vec::new(),
    })
}

fn step_from(front: &FrontMatter, body: &str, path: &str) -> Result<Step, String> {
    let level = front.required("level")?;
    let blocks = blocks::parse(body)?;
    let mut checks = blocks.iter().filter(|b| b.kind == BlockKind::Check);
    let check = checks.next().map(|b| check::parse(&b.text)).transpose()?;
    if checks.next().is_some() {
        return Err("a step has at most one ```check block".into());
    }
    let minutes = front.get("minutes").unwrap_or("5");
    Ok(Step {
        id: front.required("id")?.to_string(),
        title: front.required("title")?.to_string(),
        module: front.required("module")?.to_string(),
        level: Level::parse(level).ok_or_else(|| format!("unknown level '{level}'"))?,
        summary: front.required("summary")?.to_string(),
        minutes: minutes
            .parse()
            .map_err(|_| format!("minutes is not a number: '{minutes}'"))?,
        blocks,
        check,
        body: body.to_string(),
        path: path.to_string(),
    })
}
