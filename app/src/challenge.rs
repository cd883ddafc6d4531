//! The challenge page (`#/challenge/<id>`, `#/challenge/today` for the daily one): the goal,
//! hints revealed one at a time, the solution on request, and "Check my solution", which runs
//! the challenge's check on a hidden observer client and shows each expectation as ✓ or ✗.
//! Passing is recorded for the progress tracker (see `record_pass`).

use std::rc::Rc;

use curriculum::{all_passed, label, run_check, Challenge, Check, Outcome, TODAY_LINK};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::engine::{now_ms, Engine};
use crate::lesson::{code_block, course, RunRequest};
use crate::markdown;

/// Local storage: the ids of the challenges passed, a JSON array without duplicates.
pub const PASSED_KEY: &str = "redis-playground:challenges-passed";
/// Dispatched on `window` when a challenge passes, with the challenge id as `detail`.
pub const PASSED_EVENT: &str = "redis-playground:challenge-passed";

/// Today's challenge, by the learner's local date.
pub fn daily_challenge() -> Option<&'static Challenge> {
    let today = js_sys::Date::new_0();
    course().daily_challenge(
        i64::from(today.get_full_year()),
        today.get_month() + 1,
        today.get_date(),
    )
}

/// The challenge a route names (`today` is the daily one).
pub fn find(id: &str) -> Option<&'static Challenge> {
    if id == TODAY_LINK {
        daily_challenge()
    } else {
        course().challenge(id)
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The ids stored as passed.
pub fn passed_ids() -> Vec<String> {
    let Some(text) = storage().and_then(|s| s.get_item(PASSED_KEY).ok().flatten()) else {
        return Vec::new();
    };
    match js_sys::JSON::parse(&text) {
        Ok(value) if js_sys::Array::is_array(&value) => js_sys::Array::from(&value)
            .iter()
            .filter_map(|v| v.as_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// Adds `id` to the passed list (once) and tells the rest of the page.
fn record_pass(id: &str) {
    let mut ids = passed_ids();
    if !ids.iter().any(|p| p == id) {
        ids.push(id.to_string());
    }
    let array: js_sys::Array = ids.iter().map(|i| JsValue::from_str(i)).collect();
    if let (Some(storage), Ok(text)) = (storage(), js_sys::JSON::stringify(&array)) {
        let _ = storage.set_item(PASSED_KEY, &String::from(text));
    }
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&JsValue::from_str(id));
    if let (Some(window), Ok(event)) = (
        web_sys::window(),
        web_sys::CustomEvent::new_with_event_init_dict(PASSED_EVENT, &init),
    ) {
        let _ = window.dispatch_event(&event);
    }
}

/// "Load the scenario": empty the database, then run the challenge's setup, in pane A.
fn scenario_request(challenge: &Challenge) -> Option<RunRequest> {
    let setup = challenge.setup_lines();
    if setup.is_empty() {
        return None;
    }
    let mut lines = vec![(0, "FLUSHALL".to_string())];
    lines.extend(setup);
    Some(RunRequest {
        pane: curriculum::DEFAULT_PANE.to_string(),
        lines: Rc::new(lines),
    })
}

#[derive(Properties, PartialEq)]
pub struct ChallengeProps {
    pub challenge_id: String,
    pub engine: Engine,
    pub on_run: Callback<RunRequest>,
}

#[function_component(ChallengeView)]
pub fn challenge_view(props: &ChallengeProps) -> Html {
    let hints_shown = use_state(|| 0usize);
    let solution_shown = use_state(|| false);
    let outcomes = use_state(|| None::<Vec<Outcome>>);
    {
        // A new challenge starts closed.
        let (hints_shown, solution_shown, outcomes) = (
            hints_shown.clone(),
            solution_shown.clone(),
            outcomes.clone(),
        );
        use_effect_with(props.challenge_id.clone(), move |_| {
            hints_shown.set(0);
            solution_shown.set(false);
            outcomes.set(None);
        });
    }
    let Some(challenge) = find(&props.challenge_id) else {
        return html! { <p class="challenge-missing">{"No such challenge."}</p> };
    };
    let on_run = props.on_run.clone();
    let goal_block = {
        let on_run = on_run.clone();
        move |n: usize| match challenge.goal_blocks.get(n) {
            Some(block) => code_block(block, &on_run),
            None => html! {},
        }
    };
    let solution_block = move |n: usize| match challenge.solution_blocks.get(n) {
        Some(block) => code_block(block, &on_run),
        None => html! {},
    };
    let scenario = scenario_request(challenge).map(|request| {
        let on_run = props.on_run.clone();
        html! {
            <button class="scenario" title="Empty the database and create this challenge's starting data"
                onclick={Callback::from(move |_| on_run.emit(request.clone()))}>{"Load the scenario"}</button>
        }
    });
    let show_hint = {
        let hints_shown = hints_shown.clone();
        Callback::from(move |_| hints_shown.set(*hints_shown + 1))
    };
    let show_solution = {
        let solution_shown = solution_shown.clone();
        Callback::from(move |_| solution_shown.set(true))
    };
    let check = {
        let (engine, outcomes) = (props.engine.clone(), outcomes.clone());
        Callback::from(move |_| {
            let results = engine.with(|server| run_check(&challenge.check, server, now_ms()));
            if all_passed(&results) {
                record_pass(&challenge.id);
            }
            outcomes.set(Some(results));
        })
    };
    let is_daily = daily_challenge().is_some_and(|d| d.id == challenge.id);
    let hint_count = challenge.hints.len();
    html! {
        <article class="challenge" id={challenge.id.clone()}>
            <p class="step-meta">
                <span class={classes!("level", challenge.level.name().to_lowercase())}>{ challenge.level.name() }</span>
                <span class="minutes">{ format!("{} min", challenge.minutes) }</span>
                if is_daily { <span class="daily-badge">{"Today's challenge"}</span> }
                { for scenario }
            </p>
            <h2 class="step-title">{ &challenge.title }</h2>
            <p class="summary">{ &challenge.summary }</p>
            <p class="topics">{ for challenge.topics.iter().map(|t| html! { <span class="topic">{ t }</span> }) }</p>
            <section class="goal" aria-label="Goal">
                <h3>{"Goal"}</h3>
                { markdown::render(&challenge.goal, &goal_block) }
            </section>
            <section class="hints" aria-label="Hints">
                <h3>{"Hints"}</h3>
                <ol>
                    { for challenge.hints.iter().take(*hints_shown).map(|hint| html! {
                        <li class="hint">{ markdown::render(hint, &|_| html! {}) }</li>
                    }) }
                </ol>
                if *hints_shown < hint_count {
                    <button class="show-hint" onclick={show_hint}>{ format!("Show hint {} of {hint_count}", *hints_shown + 1) }</button>
                }
            </section>
            <section class="check" aria-label="Check">
                <h3>{"Check"}</h3>
                <button class="check-solution" onclick={check}>{"Check my solution"}</button>
                { check_results(&challenge.check, outcomes.as_deref()) }
            </section>
            <section class="solution" aria-label="Solution">
                if *solution_shown {
                    <h3>{"Solution"}</h3>
                    { markdown::render(&challenge.solution, &solution_block) }
                } else {
                    <button class="show-solution" onclick={show_solution}>{"Show solution"}</button>
                }
            </section>
        </article>
    }
}

/// Before a check: what it looks for. After: each line passed or failed, with what was found
/// and the author's advice.
pub(crate) fn check_results(check: &Check, outcomes: Option<&[Outcome]>) -> Html {
    let Some(outcomes) = outcomes else {
        return html! {
            <ul class="expectations pending">
                { for check.expectations.iter().map(|e| html! { <li>{ label(&e.assertion) }</li> }) }
            </ul>
        };
    };
    let passed = all_passed(outcomes);
    let right = outcomes.iter().filter(|o| o.passed).count();
    html! {
        <div class={classes!("check-results", if passed { "passed" } else { "failed" })} role="status">
            <p class="verdict">{
                if passed {
                    "Passed: every expectation holds.".to_string()
                } else {
                    format!("Not yet: {right} of {} expectations hold.", outcomes.len())
                }
            }</p>
            <ul class="expectations">
                { for outcomes.iter().map(|o| html! {
                    <li class={if o.passed { "ok" } else { "missing" }}>
                        <span class="mark" aria-hidden="true">{ if o.passed { "✓ " } else { "✗ " } }</span>
                        <span class="what">{ &o.label }</span>
                        { for o.found.as_ref().map(|f| html! { <span class="found">{ format!(": {f}") }</span> }) }
                        { for o.fix.as_ref().map(|f| html! { <div class="fix">{ f }</div> }) }
                    </li>
                }) }
            </ul>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ChallengeListProps {
    pub current: Option<String>,
    /// Like steps, challenges above the chosen level are hidden...
    pub level: curriculum::Level,
    /// ...and a search shows those whose title, summary or topics match.
    pub query: String,
}

/// The challenges on the course map, today's marked, passed ones ticked.
#[function_component(ChallengeList)]
pub fn challenge_list(props: &ChallengeListProps) -> Html {
    let course = course();
    let query = props.query.trim().to_lowercase();
    let shown: Vec<&Challenge> = course
        .challenges
        .iter()
        .filter(|c| c.level <= props.level)
        .filter(|c| {
            query.is_empty()
                || c.title.to_lowercase().contains(&query)
                || c.summary.to_lowercase().contains(&query)
                || c.topics.iter().any(|t| t.contains(&query))
        })
        .collect();
    if shown.is_empty() {
        return html! {};
    }
    let title = course
        .challenge_module
        .as_ref()
        .map_or("Challenges", |m| m.title.as_str());
    let daily = daily_challenge().map(|d| d.id.clone());
    let passed = passed_ids();
    let open = props.current.is_some() || !query.is_empty();
    html! {
        <details class="module challenges" {open}>
            <summary class="module-title">{ title }<span class="count">{ format!(" · {}", shown.len()) }</span></summary>
            <ol>
                { for shown.iter().map(|c| {
                    let current = props.current.as_deref() == Some(c.id.as_str());
                    let today = daily.as_deref() == Some(c.id.as_str());
                    let done = passed.iter().any(|p| *p == c.id);
                    html! {
                        <li class={classes!(current.then_some("current"))}>
                            <a href={format!("#/challenge/{}", c.id)} aria-current={current.then_some("page")}>{ &c.title }</a>
                            <span class={classes!("level", c.level.name().to_lowercase())}>{ c.level.name() }</span>
                            if today { <span class="daily-badge">{"today"}</span> }
                            if done { <span class="passed-mark" title="Passed">{" ✓"}</span> }
                        </li>
                    }
                }) }
            </ol>
        </details>
    }
}
