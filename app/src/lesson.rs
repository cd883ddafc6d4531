//! The curriculum pane: the course map with its level filter, and the current step with runnable
//! blocks whose Run buttons type their commands into a console pane.

use std::rc::Rc;
use std::sync::OnceLock;

use curriculum::{Block, BlockKind, Course, Level, Step};
use yew::prelude::*;

use crate::challenge::{ChallengeList, ChallengeView};
use crate::engine::{now_ms, Engine};
use crate::markdown;

include!(concat!(env!("OUT_DIR"), "/content_files.rs"));

/// The course compiled into the app (checked by the content test, so it always loads).
pub fn course() -> &'static Course {
    static COURSE: OnceLock<Course> = OnceLock::new();
    COURSE.get_or_init(|| Course::from_files(CONTENT_FILES).unwrap_or_default())
}

/// Commands for a console pane to run, as if typed, each after moving the playground clock
/// forward by its `advance_ms` (the block's `#! advance` directives).
#[derive(Clone, PartialEq)]
pub struct RunRequest {
    pub pane: String,
    pub lines: Rc<Vec<(u64, String)>>,
}

/// Steps visible at a chosen depth: everything up to and including that level.
pub fn visible_steps(level: Level) -> Vec<&'static Step> {
    course().steps().filter(|s| s.level <= level).collect()
}

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub step_id: Option<String>,
    pub level: Level,
    pub on_level: Callback<Level>,
    pub on_run: Callback<RunRequest>,
    /// Set on a challenge route (`#/challenge/<id>`): the challenge replaces the step.
    #[prop_or_default]
    pub challenge_id: Option<String>,
    pub engine: Engine,
}

#[function_component(Lesson)]
pub fn lesson(props: &LessonProps) -> Html {
    let steps = visible_steps(props.level);
    let current = props
        .step_id
        .as_deref()
        .and_then(|id| course().step(id))
        .or_else(|| steps.first().copied());
    let position = current.and_then(|c| steps.iter().position(|s| s.id == c.id));
    let prev = position
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| steps.get(i));
    let next = position.and_then(|i| steps.get(i + 1));
    if let Some(id) = &props.challenge_id {
        let resolved = crate::challenge::find(id).map(|c| c.id.clone());
        return html! {
            <section class="pane curriculum" aria-label="Challenge">
                <LevelPicker level={props.level} on_level={props.on_level.clone()} />
                <MapPanel>
                    <CourseMap level={props.level} current={None::<String>} challenge={resolved} />
                </MapPanel>
                <ChallengeView challenge_id={id.clone()} engine={props.engine.clone()} on_run={props.on_run.clone()} />
            </section>
        };
    }
    html! {
        <section class="pane curriculum" aria-label="Lesson">
            <LevelPicker level={props.level} on_level={props.on_level.clone()} />
            <MapPanel>
                <CourseMap level={props.level} current={current.map(|s| s.id.clone())} challenge={None::<String>} />
            </MapPanel>
            {
                match current {
                    Some(step) => html! { <StepView step_id={step.id.clone()} on_run={props.on_run.clone()} engine={props.engine.clone()} /> },
                    None => html! { <p>{"No steps at this level yet."}</p> },
                }
            }
            <nav class="step-nav" aria-label="Previous and next step">
                { for prev.map(|s| html! { <a class="prev" href={format!("#/step/{}", s.id)}>{ format!("← {}", s.title) }</a> }) }
                { for next.map(|s| html! { <a class="next" href={format!("#/step/{}", s.id)}>{ format!("{} →", s.title) }</a> }) }
            </nav>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct MapPanelProps {
    children: Html,
}

/// The course map, folded by default so that the lesson starts at the top of its pane.
#[function_component(MapPanel)]
fn map_panel(props: &MapPanelProps) -> Html {
    let steps = course().steps().count();
    let modules = course().modules.len();
    html! {
        <details class="course-map-panel">
            <summary>{ format!("Course map: {steps} steps in {modules} modules") }</summary>
            { props.children.clone() }
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct LevelPickerProps {
    level: Level,
    on_level: Callback<Level>,
}

#[function_component(LevelPicker)]
fn level_picker(props: &LevelPickerProps) -> Html {
    let levels = [
        Level::Beginner,
        Level::Intermediate,
        Level::Advanced,
        Level::Expert,
    ];
    html! {
        <div class="level-picker" role="radiogroup" aria-label="Read up to level">
            <span class="label">{"Read up to"}</span>
            { for levels.iter().map(|&level| {
                let on_level = props.on_level.clone();
                let checked = level == props.level;
                html! {
                    <button
                        class={classes!("level-choice", checked.then_some("chosen"))}
                        role="radio"
                        aria-checked={checked.to_string()}
                        onclick={Callback::from(move |_| on_level.emit(level))}
                    >{ level.name() }</button>
                }
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CourseMapProps {
    level: Level,
    current: Option<String>,
    /// The open challenge, if any.
    challenge: Option<String>,
}

#[function_component(CourseMap)]
fn course_map(props: &CourseMapProps) -> Html {
    let query = use_state(String::new);
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                query.set(input.value());
            }
        })
    };
    let searching = !query.trim().is_empty();
    html! {
        <nav class="course-map" aria-label="Course map">
            <crate::progress_ui::OverallProgress />
            <input class="search" type="search" placeholder="Search steps and commands" aria-label="Search steps and commands" {oninput} />
            { for course().modules.iter().map(|module| {
                let steps: Vec<&Step> = module
                    .steps
                    .iter()
                    .filter(|s| s.level <= props.level && matches_search(s, &query))
                    .collect();
                let holds_current = module.steps.iter().any(|s| props.current.as_deref() == Some(s.id.as_str()));
                if steps.is_empty() {
                    // Say that a module is there, above the chosen level, rather than skip it.
                    let above = module.steps.iter().filter(|s| s.level > props.level).count();
                    if above == 0 || searching {
                        return html! {};
                    }
                    return html! {
                        <p class="module above-level">
                            { &module.title }
                            <span class="count">{ format!(" · {above} steps above the chosen level") }</span>
                        </p>
                    };
                }
                html! {
                    <details class="module" open={holds_current || searching}>
                        <summary class="module-title">{ &module.title }<span class="count">{ format!(" · {}", steps.len()) }</span><crate::progress_ui::ModuleProgress module_id={module.id.clone()} /></summary>
                        <ol>
                            { for steps.iter().map(|step| {
                                let current = props.current.as_deref() == Some(step.id.as_str());
                                html! {
                                    <li class={classes!(current.then_some("current"))}>
                                        <a href={format!("#/step/{}", step.id)} aria-current={current.then_some("page")}>{ &step.title }</a>
                                        <crate::progress_ui::StepTick step_id={step.id.clone()} />
                                        <span class={classes!("level", step.level.name().to_lowercase())}>{ step.level.name() }</span>
                                    </li>
                                }
                            }) }
                        </ol>
                    </details>
                }
            }) }
            <ChallengeList current={props.challenge.clone()} level={props.level} query={(*query).clone()} />
        </nav>
    }
}

#[derive(Properties, PartialEq)]
struct StepViewProps {
    step_id: String,
    on_run: Callback<RunRequest>,
    engine: Engine,
}

#[function_component(StepView)]
fn step_view(props: &StepViewProps) -> Html {
    // A new step starts at the top of the lesson pane, however it was chosen (a link, the
    // previous/next links at the bottom, a deep link, the search).
    use_effect_with(props.step_id.clone(), |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        window.scroll_to_with_x_and_y(0.0, 0.0);
        let Some(document) = window.document() else {
            return;
        };
        // A step picked in the course map folds it away again.
        if let Ok(Some(map)) = document.query_selector(".course-map-panel") {
            let _ = map.remove_attribute("open");
        }
        if let Ok(Some(pane)) = document.query_selector(".pane.curriculum") {
            pane.set_scroll_top(0);
        }
    });
    let Some(step) = course().step(&props.step_id) else {
        return html! {};
    };
    let on_run = props.on_run.clone();
    let engine = props.engine.clone();
    let render_block = move |n: usize| match step.blocks.get(n) {
        Some(block) if block.kind == BlockKind::Check => html! {
            <StepCheck step_id={step.id.clone()} engine={engine.clone()} />
        },
        Some(block) => code_block(block, &recording_run(&on_run, &step.id, n)),
        None => html! {},
    };
    // A module's introduction opens its first step.
    let intro = course().modules.iter().find(|m| {
        m.steps.first().is_some_and(|first| first.id == step.id) && !m.body.trim().is_empty()
    });
    let no_blocks = |_: usize| html! {};
    let reset = reset_request(step).map(|request| {
        let on_run = props.on_run.clone();
        html! {
            <button class="reset" title="Empty the database and run this step's setup again"
                onclick={Callback::from(move |_| on_run.emit(request.clone()))}>{"Reset data"}</button>
        }
    });
    html! {
        <article class="step" id={step.id.clone()}>
            // The title comes first, so that a chosen step shows it at the top of the pane.
            <h2 class="step-title">{ &step.title }</h2>
            <p class="step-meta">
                <span class={classes!("level", step.level.name().to_lowercase())}>{ step.level.name() }</span>
                <span class="minutes">{ format!("{} min", step.minutes) }</span>
                { for reset }
                <crate::progress_ui::StepDone step_id={step.id.clone()} />
            </p>
            if let Some(module) = intro {
                <section class="module-intro" aria-label={module.title.clone()}>
                    <p class="module-name">{ &module.title }</p>
                    { markdown::render(&module.body, &no_blocks) }
                </section>
            }
            <p class="summary">{ &step.summary }</p>
            { markdown::render_with_checklist(&step.body, &render_block, &step.id) }
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct StepCheckProps {
    step_id: String,
    engine: Engine,
}

/// A step's "Check my work": runs the step's check on the learner's data (on the hidden
/// observer client, leaving no trace) and shows each expectation as met or not.
#[function_component(StepCheck)]
fn step_check(props: &StepCheckProps) -> Html {
    let outcomes = use_state(|| None::<Vec<curriculum::Outcome>>);
    let Some(check) = course().step(&props.step_id).and_then(|s| s.check.as_ref()) else {
        return html! {};
    };
    let run = {
        let (engine, outcomes) = (props.engine.clone(), outcomes.clone());
        Callback::from(move |_| {
            let results = engine.with(|server| curriculum::run_check(check, server, now_ms()));
            outcomes.set(Some(results));
        })
    };
    html! {
        <section class="check" aria-label="Check my work">
            <button class="check-solution" onclick={run}>{"Check my work"}</button>
            { crate::challenge::check_results(check, outcomes.as_deref()) }
        </section>
    }
}

/// A Run button's callback that also counts the block as run for the step's progress.
fn recording_run(
    on_run: &Callback<RunRequest>,
    step_id: &str,
    block: usize,
) -> Callback<RunRequest> {
    let (on_run, step_id) = (on_run.clone(), step_id.to_string());
    Callback::from(move |request: RunRequest| {
        on_run.emit(request);
        crate::progress::record_block_run(&step_id, block);
    })
}

/// "Reset data": empty the database, then run the step's setup blocks, in pane A.
fn reset_request(step: &Step) -> Option<RunRequest> {
    let mut lines = vec![(0, "FLUSHALL".to_string())];
    for block in &step.blocks {
        if let BlockKind::Redis { setup: true, .. } = block.kind {
            lines.extend(
                block
                    .commands
                    .iter()
                    .map(|c| (c.advance_ms, c.text.clone())),
            );
        }
    }
    (lines.len() > 1).then(|| RunRequest {
        pane: curriculum::DEFAULT_PANE.to_string(),
        lines: Rc::new(lines),
    })
}

/// Whether a step matches a search: its title, summary or any of its runnable commands.
fn matches_search(step: &Step, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    query.is_empty()
        || step.title.to_lowercase().contains(&query)
        || step.summary.to_lowercase().contains(&query)
        || step
            .blocks
            .iter()
            .flat_map(|b| b.commands.iter())
            .any(|c| c.text.to_lowercase().contains(&query))
}

pub(crate) fn code_block(block: &Block, on_run: &Callback<RunRequest>) -> Html {
    match &block.kind {
        BlockKind::Redis { setup: true, .. } => html! {},
        BlockKind::Redis { pane, .. } => {
            let request = RunRequest {
                pane: pane.clone(),
                lines: Rc::new(
                    block
                        .commands
                        .iter()
                        .map(|c| (c.advance_ms, c.text.clone()))
                        .collect(),
                ),
            };
            let on_run = on_run.clone();
            let pane_label = (pane != curriculum::DEFAULT_PANE).then(|| format!("pane {pane}"));
            html! {
                <div class="code redis">
                    <div class="code-bar">
                        <span class="lang">{"redis"}</span>
                        { for pane_label.map(|l| html! { <span class="pane-label">{ l }</span> }) }
                        <button class="run" onclick={Callback::from(move |_| on_run.emit(request.clone()))}>{"Run"}</button>
                    </div>
                    <pre>{ block.text.clone() }</pre>
                </div>
            }
        }
        BlockKind::Code { language } => html! {
            <div class={classes!("code", language.clone())}>
                <div class="code-bar"><span class="lang">{ language.clone() }</span>{ copy_button(&block.text) }</div>
                <pre>{ block.text.clone() }</pre>
            </div>
        },
        BlockKind::Transcript { .. } => html! {
            <div class="code transcript">
                <div class="code-bar">
                    <span class="lang">{"redis-server 7.0 output"}</span>
                    { copy_button(&block.text) }
                </div>
                <pre>{ block.text.clone() }</pre>
            </div>
        },
        BlockKind::CommandTable => command_table(),
        // A challenge's check is run by its page, never shown as code.
        BlockKind::Check => html! {},
        BlockKind::Prompt { chat } => html! {
            <div class="prompt-card">
                <div class="code-bar">
                    <span class="lang">{ if *chat { "Chat prompt — paste into a chat" } else { "Agent prompt — paste into a coding agent" } }</span>
                    { copy_button(&block.text) }
                </div>
                // Shown reflowed to the card's width; copied as written.
                <div class="prompt-text">
                    { for reflow_prompt(&block.text).into_iter().map(|line| match line {
                        Some(text) => html! { <p>{ text }</p> },
                        None => html! { <p class="gap" aria-hidden="true"></p> },
                    }) }
                </div>
            </div>
        },
    }
}

/// A prompt's text as paragraphs for display: lines wrapped by hand are joined again; a new
/// paragraph starts at a list item (`- `, `* `, `1. `), a label (`Task:`), or after a blank
/// line (None).
fn reflow_prompt(text: &str) -> Vec<Option<String>> {
    let starts_paragraph = |line: &str| {
        let label = line.split_once(':').is_some_and(|(head, _)| {
            head.len() <= 24
                && head.starts_with(|c: char| c.is_ascii_uppercase())
                && head
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        });
        let numbered = line
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        line.starts_with("- ") || line.starts_with("* ") || numbered || label
    };
    let mut out: Vec<Option<String>> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            if out.last().is_some_and(Option::is_some) {
                out.push(None);
            }
            continue;
        }
        match out.last_mut() {
            Some(Some(paragraph)) if !starts_paragraph(line) => {
                paragraph.push(' ');
                paragraph.push_str(line);
            }
            _ => out.push(Some(line.to_string())),
        }
    }
    if out.last() == Some(&None) {
        out.pop();
    }
    out
}

fn copy_button(text: &str) -> Html {
    let text = text.to_string();
    html! { <crate::clipboard::CopyButton class="copy" text={Callback::from(move |()| text.clone())} /> }
}

/// The full command cheatsheet, generated from the engine's command table: every implemented
/// command, grouped as Redis groups them, with the syntax line redis-cli's `help` shows.
fn command_table() -> Html {
    use emulator::cli::{help_entries, EntryKind};
    let mut groups: Vec<&str> = help_entries()
        .iter()
        .filter_map(|e| {
            e.spec
                .filter(|_| e.kind == EntryKind::Command)
                .map(|s| s.group)
        })
        .collect();
    groups.sort_unstable();
    groups.dedup();
    html! {
        <div class="command-table">
            { for groups.into_iter().map(|group| html! {
                <section class="command-group">
                    <h4>{ group }</h4>
                    <dl>
                        { for help_entries().iter().filter(|e| e.kind == EntryKind::Command && e.spec.is_some_and(|s| s.group == group)).map(|e| html! {
                            <>
                                <dt><code>{ format!("{} {}", e.full, e.params).trim_end().to_string() }</code></dt>
                                <dd>{ e.spec.map(|s| s.summary).unwrap_or_default() }</dd>
                            </>
                        }) }
                    </dl>
                </section>
            }) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_reflowed_for_display() {
        let text = "Role: Backend engineer adding a checker\nto this repository.\nRequirements:\n- Walk keys with scan_iter, never KEYS, and stop\n  after a sample size.\n- Skip markers.\n\nOutput: a diff.\n";
        assert_eq!(
            reflow_prompt(text),
            vec![
                Some("Role: Backend engineer adding a checker to this repository.".into()),
                Some("Requirements:".into()),
                Some(
                    "- Walk keys with scan_iter, never KEYS, and stop after a sample size.".into()
                ),
                Some("- Skip markers.".into()),
                None,
                Some("Output: a diff.".into()),
            ]
        );
    }
}
