//! The key browser: a live view of the focused console's database beside the consoles. It
//! reads through an observer client (`reader`), turns replies into view models (`model`) and
//! draws them (`views`). It refreshes shortly after the engine is used (a command in any
//! pane, a tick, a clock move) when something may have changed; once closed it is unmounted,
//! which ends its client, its engine watch and its timers.

pub mod model;
pub mod reader;
mod views;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use emulator::Server;
use gloo_timers::callback::{Interval, Timeout};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::engine::{now_ms, Engine};
use model::{KeySummary, ValueView};
use reader::{KeyFilter, KeyListing, Reader};

/// How long after the engine was used the browser looks for changes.
const DEBOUNCE_MS: u32 = 150;
/// Keys listed at first, and added by "more keys".
const KEYS_PAGE: usize = 50;
/// How often TTL countdowns are redrawn while one is shown.
const COUNTDOWN_MS: u32 = 200;

#[derive(Properties, PartialEq)]
pub struct KeyBrowserProps {
    pub engine: Engine,
    /// The console pane that last had the keyboard: its name and client id. Its database is
    /// the one shown (database 0 until a pane is focused).
    pub focus: Option<(String, u64)>,
}

/// What tells the browser that keys may have changed: the learner's commands, expired and
/// evicted keys, and the database being looked at.
#[derive(Clone, Copy, PartialEq)]
struct Fingerprint {
    commands: u64,
    expired: u64,
    evicted: u64,
    db: usize,
}

struct State {
    reader: Option<Reader>,
    focus: Option<(String, u64)>,
    filter: KeyFilter,
    want: usize,
    listing: KeyListing,
    selected: Option<Vec<u8>>,
    detail: Option<(KeySummary, ValueView)>,
    seen: Option<Fingerprint>,
}

impl State {
    fn new() -> State {
        State {
            reader: None,
            focus: None,
            filter: KeyFilter::default(),
            want: KEYS_PAGE,
            listing: KeyListing::default(),
            selected: None,
            detail: None,
            seen: None,
        }
    }

    fn db(&self, server: &Server) -> usize {
        self.focus
            .as_ref()
            .and_then(|(_, id)| server.client(*id))
            .map_or(0, |c| c.db)
    }

    fn fingerprint(&self, server: &Server) -> Fingerprint {
        let stats = server.stats();
        Fingerprint {
            commands: stats.total_commands,
            expired: stats.expired_keys,
            evicted: stats.evicted_keys,
            db: self.db(server),
        }
    }

    /// Reads the keys and the selected value again if something may have changed (always
    /// with `force`). True when it read.
    fn refresh(&mut self, server: &mut Server, now: u64, force: bool) -> bool {
        let fingerprint = self.fingerprint(server);
        if !force && self.seen == Some(fingerprint) {
            return false;
        }
        self.seen = Some(fingerprint);
        let Some(reader) = self.reader.as_mut() else {
            return false;
        };
        if reader.db() != fingerprint.db {
            reader.use_db(server, now, fingerprint.db);
            self.selected = None;
            self.detail = None;
        }
        let want = self.want.max(self.listing.keys.len()).max(KEYS_PAGE);
        self.listing = reader.list_keys(server, now, &self.filter, want, KeyListing::default());
        self.detail = match (&self.selected, self.detail.take()) {
            (Some(name), previous) => reader.summary(server, now, name).and_then(|summary| {
                let view = match &previous {
                    Some((_, old)) => reader.reload(server, now, &summary, old),
                    None => reader.first_page(server, now, &summary),
                };
                view.map(|v| (summary, v))
            }),
            (None, _) => None,
        };
        true
    }

    fn select(&mut self, server: &mut Server, now: u64, name: Vec<u8>) {
        let Some(reader) = self.reader.as_ref() else {
            return;
        };
        self.detail = reader
            .summary(server, now, &name)
            .and_then(|s| reader.first_page(server, now, &s).map(|v| (s, v)));
        self.selected = Some(name);
    }

    fn more_keys(&mut self, server: &mut Server, now: u64) {
        if let Some(reader) = self.reader.as_ref() {
            self.want = self.listing.keys.len() + KEYS_PAGE;
            let listing = std::mem::take(&mut self.listing);
            self.listing = reader.list_keys(server, now, &self.filter, self.want, listing);
        }
    }

    fn more_value(&mut self, server: &mut Server, now: u64) {
        if let (Some(reader), Some((summary, view))) = (self.reader.as_ref(), self.detail.as_mut())
        {
            reader.next_page(server, now, &summary.name, view);
        }
    }

    fn shows_ttl(&self) -> bool {
        let has = |k: &KeySummary| k.ttl != model::Ttl::Persistent;
        self.listing.keys.iter().any(has) || self.detail.as_ref().is_some_and(|(s, _)| has(s))
    }
}

#[function_component(KeyBrowser)]
pub fn key_browser(props: &KeyBrowserProps) -> Html {
    let engine = props.engine.clone();
    let state = use_mut_ref(State::new);
    let redraw = use_force_update();

    // Mounted: an observer client, a first read, and a watch on the engine that looks for
    // changes a little after each use (many uses in a row make one read).
    {
        let (engine, state, redraw) = (engine.clone(), state.clone(), redraw.clone());
        use_effect_with((), move |_| {
            engine.observe(|server| {
                let mut s = state.borrow_mut();
                s.reader = Some(Reader::connect(server, now_ms()));
                s.refresh(server, now_ms(), true);
            });
            redraw.force_update();
            let armed = Rc::new(Cell::new(false));
            let pending: Rc<RefCell<Option<Timeout>>> = Rc::default();
            let watch = {
                let (engine, state, pending) = (engine.clone(), state.clone(), pending.clone());
                engine.clone().watch(move || {
                    if armed.replace(true) {
                        return;
                    }
                    let (engine, state, redraw, armed) =
                        (engine.clone(), state.clone(), redraw.clone(), armed.clone());
                    // Replacing a timeout that already fired; it is not running now.
                    *pending.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, move || {
                        let changed = engine.observe(|server| match state.try_borrow_mut() {
                            Ok(mut s) => s.refresh(server, now_ms(), false),
                            Err(_) => false,
                        });
                        if changed {
                            redraw.force_update();
                        }
                        armed.set(false);
                    }));
                })
            };
            move || {
                drop(watch);
                drop(pending.borrow_mut().take());
                if let Some(reader) = state.borrow_mut().reader.take() {
                    engine.observe(|server| reader.disconnect(server));
                }
            }
        });
    }

    // Another pane took the keyboard: show its database.
    {
        let (engine, state, redraw) = (engine.clone(), state.clone(), redraw.clone());
        use_effect_with(props.focus.clone(), move |focus| {
            let mut s = state.borrow_mut();
            if s.focus != *focus {
                s.focus = focus.clone();
                if s.reader.is_some() {
                    engine.observe(|server| s.refresh(server, now_ms(), false));
                    drop(s);
                    redraw.force_update();
                }
            }
        });
    }

    // Countdowns move while a TTL is on screen, and only then.
    let counting = state.borrow().shows_ttl();
    {
        let redraw = redraw.clone();
        use_effect_with(counting, move |counting| {
            let ticker =
                counting.then(|| Interval::new(COUNTDOWN_MS, move || redraw.force_update()));
            move || drop(ticker)
        });
    }

    let act = |f: fn(&mut State, &mut Server, u64)| {
        let (engine, state, redraw) = (engine.clone(), state.clone(), redraw.clone());
        Callback::from(move |_: MouseEvent| {
            engine.observe(|server| f(&mut state.borrow_mut(), server, now_ms()));
            redraw.force_update();
        })
    };
    let more_keys = act(State::more_keys);
    let more_value = act(State::more_value);

    let select = {
        let (engine, state, redraw) = (engine.clone(), state.clone(), redraw.clone());
        Callback::from(move |name: Vec<u8>| {
            engine.observe(|server| state.borrow_mut().select(server, now_ms(), name));
            redraw.force_update();
        })
    };

    let set_filter = {
        let (engine, state, redraw) = (engine.clone(), state.clone(), redraw.clone());
        Callback::from(move |change: Box<dyn FnOnce(&mut KeyFilter)>| {
            let mut s = state.borrow_mut();
            change(&mut s.filter);
            s.want = KEYS_PAGE;
            engine.observe(|server| s.refresh(server, now_ms(), true));
            drop(s);
            redraw.force_update();
        })
    };
    let on_pattern = set_filter.reform(|e: InputEvent| -> Box<dyn FnOnce(&mut KeyFilter)> {
        let value = e
            .target_dyn_into::<HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default();
        Box::new(move |f| f.pattern = if value.is_empty() { "*".into() } else { value })
    });
    let on_kind = set_filter.reform(|e: Event| -> Box<dyn FnOnce(&mut KeyFilter)> {
        let value = e
            .target_dyn_into::<HtmlSelectElement>()
            .map(|s| s.value())
            .unwrap_or_default();
        Box::new(move |f| f.kind = value)
    });
    let on_count = set_filter.reform(|e: Event| -> Box<dyn FnOnce(&mut KeyFilter)> {
        let value = e
            .target_dyn_into::<HtmlInputElement>()
            .and_then(|i| i.value().parse::<u32>().ok())
            .unwrap_or(100);
        Box::new(move |f| f.count = value.clamp(1, 1_000))
    });

    let s = state.borrow();
    let now = engine.observe(|server| server.now_ms());
    let names: Vec<Vec<u8>> = s.listing.keys.iter().map(|k| k.name.clone()).collect();
    let position = s
        .selected
        .as_ref()
        .and_then(|sel| names.iter().position(|n| n == sel));

    // Arrow keys move the selection through the list (the list keeps the focus).
    let onkeydown = {
        let (select, names) = (select.clone(), names.clone());
        Callback::from(move |e: KeyboardEvent| {
            let last = names.len().saturating_sub(1);
            let target = match (e.key().as_str(), position) {
                (_, _) if names.is_empty() => return,
                ("ArrowDown", None) | ("Home", _) => 0,
                ("ArrowDown", Some(i)) => (i + 1).min(last),
                ("ArrowUp", None) | ("End", _) => last,
                ("ArrowUp", Some(i)) => i.saturating_sub(1),
                _ => return,
            };
            e.prevent_default();
            if let Some(name) = names.get(target) {
                select.emit(name.clone());
            }
        })
    };
    {
        // Keep the selected key in view as the arrows move it.
        use_effect_with(position, move |position| {
            let element = position.and_then(|i| {
                web_sys::window()?
                    .document()?
                    .get_element_by_id(&views::option_id(i))
            });
            if let Some(element) = element {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                element.scroll_into_view_with_scroll_into_view_options(&options);
            }
        });
    }

    let db = engine.observe(|server| s.db(server));
    let pane = s
        .focus
        .as_ref()
        .map_or(String::new(), |(name, _)| format!(" · pane {name}"));
    let listed = s.listing.keys.len();
    let summary_line = format!(
        "{listed} key{}{}",
        if listed == 1 { "" } else { "s" },
        if s.listing.cursor.is_some() {
            " so far"
        } else {
            ""
        }
    );
    html! {
        <aside id="key-browser" class="pane key-browser" aria-label="Key browser">
            <header class="kb-bar">
                <h2 class="kb-title">{"Keys"}</h2>
                <span class="kb-where">{ format!("db {db}{pane}") }</span>
                <span class="kb-summary" role="status" aria-live="polite">{ summary_line }</span>
            </header>
            <div class="kb-filters" role="search" aria-label="Filter keys">
                <input class="kb-pattern" type="search" placeholder="MATCH pattern, e.g. user:*" aria-label="Key pattern (SCAN MATCH)"
                    autocomplete="off" spellcheck="false" oninput={on_pattern} />
                <select class="kb-kind" aria-label="Key type (SCAN TYPE)" onchange={on_kind}>
                    { for ["", "string", "list", "hash", "set", "zset", "stream"].iter().map(|k| html! {
                        <option value={*k} selected={s.filter.kind == *k}>{ if k.is_empty() { "all types" } else { k } }</option>
                    }) }
                </select>
                <label class="kb-count">{"COUNT "}
                    <input type="number" min="1" max="1000" value={s.filter.count.to_string()} aria-label="Keys per SCAN call (COUNT)" onchange={on_count} />
                </label>
            </div>
            <div class="kb-body">
                <div class="kb-list-column">
                    <ul class="kb-keys" role="listbox" aria-label="Keys in the database" tabindex="0"
                        aria-activedescendant={position.map(views::option_id)} {onkeydown}>
                        { for s.listing.keys.iter().enumerate().map(|(i, key)| {
                            let name = key.name.clone();
                            let onclick = select.reform(move |_: MouseEvent| name.clone());
                            views::key_option(i, key, Some(i) == position, now, onclick)
                        }) }
                    </ul>
                    if s.listing.keys.is_empty() {
                        <p class="kb-empty">{ if s.listing.cursor.is_some() { "No match yet." } else { "No keys match." } }</p>
                    }
                    if s.listing.cursor.is_some() {
                        <button type="button" class="kb-more" onclick={more_keys}>{"Scan more keys"}</button>
                    }
                </div>
                <section class="kb-value" aria-label="Selected key's value">
                    if let Some((summary, view)) = &s.detail {
                        <header class="kb-value-bar">
                            <h3 class="kb-value-name">{ model::escaped(&summary.name) }</h3>
                            <span class={classes!("kb-type", format!("kb-type-{}", summary.kind))}>{ summary.kind.clone() }</span>
                            <span class="kb-encoding">{ summary.encoding.clone() }</span>
                            { views::ttl_badge(summary, now) }
                        </header>
                        { views::value_view(view) }
                        if view.has_more() {
                            <button type="button" class="kb-more" onclick={more_value}>{"Load more"}</button>
                        }
                    } else {
                        <p class="kb-hint">{ if s.selected.is_some() { "This key no longer exists." } else { "Select a key to see its value." } }</p>
                    }
                </section>
            </div>
        </aside>
    }
}

#[cfg(test)]
mod tests;
