//! The page: the curriculum pane beside one or two console panes, with hash routing
//! (`#/step/<id>`) so docs sites can deep-link to a step.

use curriculum::{BlockKind, Level};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::clock::ClockBar;
use crate::console::Console;
use crate::engine::Engine;
use crate::key_browser::KeyBrowser;
use crate::lesson::{course, Lesson, RunRequest};

const LEVEL_KEY: &str = "redis-playground.level";
/// Whether the key browser is open ("open" or "closed").
const KEY_BROWSER_KEY: &str = "redis-playground.key-browser";

/// Gives the keyboard to the first console's input (the skip link).
fn focus_console() {
    let input = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".console input.command").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(input) = input {
        let _ = input.focus();
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn saved_level() -> Level {
    storage()
        .and_then(|s| s.get_item(LEVEL_KEY).ok().flatten())
        .and_then(|name| Level::parse(&name))
        .unwrap_or(Level::Advanced)
}

/// The challenge id in the location hash (`#/challenge/<id>`), if any.
fn challenge_from_hash() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#/challenge/").map(str::to_string)
}

/// The step id in the location hash (`#/step/<id>`), if any.
fn step_from_hash() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#/step/").map(str::to_string)
}

#[function_component(App)]
pub fn app() -> Html {
    let engine = use_memo((), |_| Engine::new());
    let step_id = use_state(step_from_hash);
    let challenge_id = use_state(challenge_from_hash);
    let level = use_state(saved_level);
    let feed = use_state(|| None::<(u32, RunRequest)>);
    // Panes the learner added with "+ pane", each its own client.
    let added = use_state(Vec::<String>::new);
    let keys_open = use_state(|| {
        storage().and_then(|s| s.get_item(KEY_BROWSER_KEY).ok().flatten()) == Some("open".into())
    });
    // The console pane that last had the keyboard (name, client id), for the key browser.
    let focused = use_state_eq(|| None::<(String, u64)>);
    let toggle_keys = {
        let keys_open = keys_open.clone();
        Callback::from(move |_: MouseEvent| {
            let open = !*keys_open;
            if let Some(s) = storage() {
                let _ = s.set_item(KEY_BROWSER_KEY, if open { "open" } else { "closed" });
            }
            keys_open.set(open);
        })
    };
    let on_focus = {
        let focused = focused.clone();
        Callback::from(move |pane: (String, u64)| focused.set(Some(pane)))
    };

    {
        let engine = (*engine).clone();
        use_effect_with((), move |_| {
            let timer = engine.start_timer();
            // A reload or close is a clean shutdown: save as configured before the page goes.
            let on_hide = engine.persist_on_page_hide();
            move || {
                drop(timer);
                drop(on_hide);
            }
        });
    }
    {
        let (step_id, challenge_id) = (step_id.clone(), challenge_id.clone());
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                step_id.set(step_from_hash());
                challenge_id.set(challenge_from_hash());
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "hashchange",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    let on_level = {
        let level = level.clone();
        Callback::from(move |l: Level| {
            if let Some(s) = storage() {
                let _ = s.set_item(LEVEL_KEY, l.name());
            }
            level.set(l);
        })
    };
    let on_run = {
        let feed = feed.clone();
        Callback::from(move |request: RunRequest| {
            let seq = feed.as_ref().map_or(0, |(n, _)| n + 1);
            feed.set(Some((seq, request)));
        })
    };

    // A second console appears when the step has blocks for pane B.
    let current_step = step_id.as_deref().and_then(|id| course().step(id));
    let mut panes = vec!["A".to_string()];
    for block in current_step.iter().flat_map(|s| s.blocks.iter()) {
        if let BlockKind::Redis { pane, .. } = &block.kind {
            if !panes.contains(pane) {
                panes.push(pane.clone());
            }
        }
    }
    let step_panes = panes.len();
    for pane in added.iter() {
        if !panes.contains(pane) {
            panes.push(pane.clone());
        }
    }
    let add_pane = {
        let (added, taken) = (added.clone(), panes.clone());
        Callback::from(move |_: MouseEvent| {
            // The next free letter: A, B, C...
            let next = (b'A'..=b'Z')
                .map(|c| (c as char).to_string())
                .find(|name| !taken.contains(name));
            if let Some(name) = next {
                let mut list = (*added).clone();
                list.push(name);
                added.set(list);
            }
        })
    };
    let close_pane = {
        let added = added.clone();
        Callback::from(move |name: String| {
            added.set(added.iter().filter(|p| **p != name).cloned().collect());
        })
    };

    html! {
        <div class="app">
            <a class="skip-link" href="#console" onclick={Callback::from(|e: MouseEvent| { e.prevent_default(); focus_console(); })}>{"Skip to the console"}</a>
            <header class="topbar">
                <span class="logo" aria-hidden="true">{"◆"}</span>
                <h1>{"Redis Playground"}</h1>
                <span class="tagline">{"Redis 7, running in this page"}</span>
                <ClockBar engine={(*engine).clone()} />
                <crate::progress_ui::ProgressToolbar engine={(*engine).clone()} />
                <crate::theme::ThemeToggle />
                <button type="button" class="toggle-keys" onclick={toggle_keys} aria-pressed={keys_open.to_string()} aria-controls={(*keys_open).then_some("key-browser")} title="Show or hide the key browser">{"Keys"}</button>
                <button type="button" class="add-pane" onclick={add_pane} aria-label="Add a console pane with its own client">{"+ pane"}</button>
            </header>
            <main class="panes">
                <Lesson step_id={(*step_id).clone()} challenge_id={(*challenge_id).clone()} engine={(*engine).clone()} level={*level} {on_level} {on_run} />
                <div class={classes!("consoles", (panes.len() > 1).then_some("split"))} style={format!("--pane-count: {}", panes.len())}>
                    { for panes.iter().enumerate().map(|(i, pane)| {
                        let on_close = (i >= step_panes).then(|| close_pane.clone());
                        html! {
                            <Console key={pane.clone()} engine={(*engine).clone()} pane={pane.clone()} feed={(*feed).clone()} {on_close} on_focus={on_focus.clone()} />
                        }
                    }) }
                </div>
                if *keys_open {
                    <KeyBrowser engine={(*engine).clone()} focus={(*focused).clone()} />
                }
            </main>
        </div>
    }
}
