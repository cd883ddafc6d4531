//! The learner's progress in this browser: steps done (all their runnable blocks run, or
//! ticked by hand), challenges passed, achievements earned from what the consoles and the
//! benchmark observe, and the best benchmark figure. Kept in local storage as the same
//! `progress.yaml` text the export button downloads.
//!
//! Components learn about changes through window events: `redis-playground:progress-changed`
//! after any change, `redis-playground:achievement` (detail: the title) when one is earned.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use curriculum::achievements::{
    self, Answer, CacheWatch, FIRST_CACHE, LUA_MASTER, PERFORMANCE_GURU, SPEED_DEMON,
};
use curriculum::progress::{iso_date, BenchmarkBest, Progress};
use curriculum::BlockKind;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::engine::now_ms;
use crate::lesson::course;

const PROGRESS_KEY: &str = "redis-playground:progress";
const BLOCKS_KEY: &str = "redis-playground:blocks-run";
/// Written by the challenge pages: a JSON array of passed challenge ids.
pub const CHALLENGES_KEY: &str = "redis-playground:challenges-passed";
/// Fired by the challenge pages on a pass (detail: the id).
pub const CHALLENGE_PASSED_EVENT: &str = "redis-playground:challenge-passed";
pub const CHANGED_EVENT: &str = "redis-playground:progress-changed";
pub const ACHIEVEMENT_EVENT: &str = "redis-playground:achievement";

#[derive(Default)]
struct Store {
    progress: Progress,
    /// Step id → indices of its blocks that were run.
    blocks_run: BTreeMap<String, BTreeSet<usize>>,
    cache_watch: CacheWatch,
}

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(load());
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load() -> Store {
    let stored = storage();
    let get = |key: &str| stored.as_ref().and_then(|s| s.get_item(key).ok().flatten());
    let mut progress = get(PROGRESS_KEY)
        .and_then(|text| Progress::from_yaml(&text).ok())
        .unwrap_or_default();
    progress.challenges_passed.extend(stored_challenges());
    let blocks_run = get(BLOCKS_KEY)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let step = words.next()?.to_string();
            Some((step, words.filter_map(|w| w.parse().ok()).collect()))
        })
        .collect();
    Store {
        progress,
        blocks_run,
        cache_watch: CacheWatch::default(),
    }
}

/// The ids the challenge pages recorded as passed.
fn stored_challenges() -> Vec<String> {
    let Some(text) = storage().and_then(|s| s.get_item(CHALLENGES_KEY).ok().flatten()) else {
        return Vec::new();
    };
    let Ok(value) = js_sys::JSON::parse(&text) else {
        return Vec::new();
    };
    js_sys::Array::from(&value)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

fn save(store: &Store) {
    if let Some(s) = storage() {
        let _ = s.set_item(PROGRESS_KEY, &store.progress.to_yaml());
        let blocks: String = store
            .blocks_run
            .iter()
            .map(|(step, run)| {
                let list: Vec<String> = run.iter().map(usize::to_string).collect();
                format!("{step} {}\n", list.join(" "))
            })
            .collect();
        let _ = s.set_item(BLOCKS_KEY, &blocks);
    }
}

/// Fires a window CustomEvent (what `use_window_event` listens for).
pub fn dispatch(name: &str, detail: &str) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&JsValue::from_str(detail));
    if let (Some(window), Ok(event)) = (
        web_sys::window(),
        web_sys::CustomEvent::new_with_event_init_dict(name, &init),
    ) {
        let _ = window.dispatch_event(&event);
    }
}

/// Changes the store, saves it, tells the page, and announces new achievements.
fn update(change: impl FnOnce(&mut Store) -> Vec<String>) {
    let earned = STORE.with(|s| {
        let mut store = s.borrow_mut();
        let earned = change(&mut store);
        save(&store);
        earned
    });
    dispatch(CHANGED_EVENT, "");
    for title in earned {
        dispatch(ACHIEVEMENT_EVENT, &title);
    }
}

/// Earns `id` now unless already earned; returns its title when new.
fn earn(store: &mut Store, id: &str, detail: &str) -> Option<String> {
    let new = store.progress.earn(id, &iso_date(now_ms()), detail);
    new.then(|| achievements::find(id).map_or(id, |a| a.title).to_string())
}

pub fn with_progress<R>(f: impl FnOnce(&Progress) -> R) -> R {
    STORE.with(|s| f(&s.borrow().progress))
}

fn module_of(step_id: &str) -> Option<String> {
    course().step(step_id).map(|s| s.module.clone())
}

/// Indices of the blocks that count for a step: its shown, runnable `redis` blocks.
pub fn runnable_blocks(step: &curriculum::Step) -> Vec<usize> {
    step.blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b.kind, BlockKind::Redis { setup: false, .. }))
        .map(|(i, _)| i)
        .collect()
}

/// A Run button was pressed: the step is done once every runnable block has been run.
pub fn record_block_run(step_id: &str, block: usize) {
    let Some(step) = course().step(step_id) else {
        return;
    };
    update(|store| {
        let run = store.blocks_run.entry(step_id.to_string()).or_default();
        run.insert(block);
        let all = runnable_blocks(step).iter().all(|i| run.contains(i));
        if all {
            store.progress.set_done(&step.module, step_id, true);
        }
        Vec::new()
    });
}

/// The step's checkbox.
pub fn set_step_done(step_id: &str, done: bool) {
    if let Some(module) = module_of(step_id) {
        update(|store| {
            store.progress.set_done(&module, step_id, done);
            Vec::new()
        });
    }
}

pub fn is_step_done(step_id: &str) -> bool {
    module_of(step_id).is_some_and(|m| with_progress(|p| p.is_done(&m, step_id)))
}

/// (done, total) steps of a module, counting only the course's steps.
pub fn module_counts(module: &curriculum::Module) -> (usize, usize) {
    with_progress(|p| {
        let done = module
            .steps
            .iter()
            .filter(|s| p.is_done(&module.id, &s.id))
            .count();
        (done, module.steps.len())
    })
}

pub fn overall_counts() -> (usize, usize) {
    course()
        .modules
        .iter()
        .map(module_counts)
        .fold((0, 0), |(d, t), (md, mt)| (d + md, t + mt))
}

pub fn percent((done, total): (usize, usize)) -> u32 {
    (done * 100).checked_div(total).map_or(0, |p| p as u32)
}

/// A console ran `line` and printed `output`, taking `elapsed_ms` around the engine call,
/// at engine time `engine_ms`. Feeds First Cache and Speed Demon.
pub fn on_console_command(line: &str, output: &str, engine_ms: u64, elapsed_ms: f64) {
    let Ok(mut argv) = emulator::cli::split_args(line.as_bytes()) else {
        return;
    };
    // A redis-cli repeat count ("3 GET k") is not part of the command.
    if argv.len() > 1 && argv[0].iter().all(u8::is_ascii_digit) {
        argv.remove(0);
    }
    let Some(name) = argv
        .first()
        .map(|n| String::from_utf8_lossy(n).into_owned())
    else {
        return;
    };
    let answer = Answer::from_cli_output(output);
    update(|store| {
        let mut earned = Vec::new();
        if let Some(detail) = store.cache_watch.observe(&argv, &answer, engine_ms) {
            earned.extend(earn(store, FIRST_CACHE, &detail));
        }
        if let Some(detail) = achievements::speed_demon(&name, elapsed_ms, &answer) {
            earned.extend(earn(store, SPEED_DEMON, &detail));
        }
        earned
    });
}

/// A benchmark test finished. Feeds the best figure and Performance Guru.
pub fn on_benchmark_result(test: &str, requests: u64, pipeline: u32, ops_per_sec: f64) {
    update(|store| {
        store.progress.offer_benchmark(BenchmarkBest {
            ops_per_sec,
            test: test.to_string(),
            requests,
            pipeline,
            date: iso_date(now_ms()),
        });
        let mut earned = Vec::new();
        if achievements::performance_guru(requests, ops_per_sec) {
            let detail = format!(
                "{test}: {ops_per_sec:.0} requests per second over {requests} requests (pipeline {pipeline})"
            );
            earned.extend(earn(store, PERFORMANCE_GURU, &detail));
        }
        earned
    });
}

/// The challenges and their topics, for Lua Master.
pub fn challenge_catalogue() -> Vec<(String, Vec<String>)> {
    crate::lesson::course()
        .challenges
        .iter()
        .map(|c| (c.id.clone(), c.topics.clone()))
        .collect()
}

/// Reads the passed challenges again (after a pass) and checks Lua Master.
pub fn refresh_challenges() {
    let passed = stored_challenges();
    update(|store| {
        store.progress.challenges_passed.extend(passed);
        let mut earned = Vec::new();
        if achievements::lua_master(&store.progress.challenges_passed, &challenge_catalogue()) {
            earned.extend(earn(store, LUA_MASTER, "Every Lua challenge passed"));
        }
        earned
    });
}

pub fn export_yaml() -> String {
    with_progress(Progress::to_yaml)
}

/// Replaces this browser's progress with a file's (the challenge pages learn its passes).
pub fn import_yaml(text: &str) -> Result<(), String> {
    let imported = Progress::from_yaml(text)?;
    let ids: Vec<String> = imported.challenges_passed.iter().cloned().collect();
    let mut all: BTreeSet<String> = stored_challenges().into_iter().collect();
    all.extend(ids);
    let array: js_sys::Array = all.iter().map(|id| JsValue::from_str(id)).collect();
    if let (Some(s), Ok(json)) = (storage(), js_sys::JSON::stringify(&array)) {
        let _ = s.set_item(CHALLENGES_KEY, &String::from(json));
    }
    update(|store| {
        store.progress = imported;
        Vec::new()
    });
    Ok(())
}

/// Re-renders the calling component whenever a window event of that name fires.
#[hook]
pub fn use_window_event(name: &'static str, on_event: Callback<web_sys::CustomEvent>) {
    use_effect_with(name, move |_| {
        let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
            if let Ok(custom) = e.dyn_into::<web_sys::CustomEvent>() {
                on_event.emit(custom);
            }
        });
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ =
                    w.remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
            }
        }
    });
}

/// Re-renders the calling component after every progress change.
#[hook]
pub fn use_progress() {
    let redraw = use_force_update();
    use_window_event(
        CHANGED_EVENT,
        Callback::from(move |_| redraw.force_update()),
    );
}
