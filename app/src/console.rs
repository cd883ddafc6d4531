//! A console pane: a redis-cli look-alike over one engine client. Parsing, running, help,
//! hints, completion, history and colouring live in `emulator::cli`; this component shows the
//! transcript and turns keys into calls.

use emulator::cli::{display_hint, highlight_input, strip_ansi, Completer, History, Mode, Session};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use emulator::Reply;

use crate::engine::{now_ms, Engine};
use crate::lesson::RunRequest;
use crate::transcript::{render_span, Line, SharedTranscript, TranscriptView};

/// Where the history of every pane is kept between visits.
const HISTORY_KEY: &str = "redis-playground.history";

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub engine: Engine,
    /// This pane's name ("A", "B"): runnable blocks name the pane they type into.
    pub pane: String,
    /// The latest request from a Run button, with a counter so repeats are noticed.
    pub feed: Option<(u32, RunRequest)>,
    /// Set for panes the learner added: closes this one.
    #[prop_or_default]
    pub on_close: Option<Callback<String>>,
    /// Told this pane's name and client id when it takes the keyboard or runs a line.
    #[prop_or_default]
    pub on_focus: Option<Callback<(String, u64)>>,
}

/// Ctrl-R: the text searched for and the line found.
struct Search {
    query: String,
    found: Option<(usize, String)>,
    /// The input before searching, given back on cancel.
    before: String,
}

/// Everything a pane keeps between renders.
struct Pane {
    session: Session,
    transcript: SharedTranscript,
    history: History,
    completer: Completer,
    search: Option<Search>,
    /// The input line's text, mirrored for colouring and hints.
    input: String,
    /// The last reply, for the screen-reader announcement.
    announcement: String,
    /// Client id and name shown in the pane's header.
    client: (u64, String),
    /// The server start this pane's client belongs to (see `Engine::epoch`).
    epoch: u64,
    /// Whether the pane has said that the server is stopped.
    told_stopped: bool,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored_history() -> History {
    let text = storage()
        .and_then(|s| s.get_item(HISTORY_KEY).ok().flatten())
        .unwrap_or_default();
    History::from_text(&text)
}

/// Adds a line to the stored history shared by every pane (another pane may have added
/// lines since this one loaded it).
fn store_history_line(line: &str) {
    let mut shared = stored_history();
    if shared.add(line) {
        if let Some(s) = storage() {
            let _ = s.set_item(HISTORY_KEY, &shared.to_text());
        }
    }
}

impl Pane {
    fn new(engine: &Engine) -> Pane {
        let mut session = engine.with(|server| Session::connect(server, now_ms()));
        // Host time in microseconds, for the `(N.NNs)` line after slow commands.
        session
            .repl_mut()
            .set_stopwatch(Box::new(|| (js_sys::Date::now() * 1000.0) as u64));
        let mut pane = Pane {
            session,
            transcript: SharedTranscript::default(),
            history: stored_history(),
            completer: Completer::default(),
            search: None,
            input: String::new(),
            announcement: String::new(),
            client: (0, String::new()),
            epoch: engine.epoch(),
            told_stopped: false,
        };
        pane.refresh_client(engine);
        pane
    }

    /// Follows the server's life: after a restart or crash, shows the server's log and
    /// connects again (the old connection died with the old process); while the server is
    /// stopped (SHUTDOWN), says so once.
    fn follow_server(&mut self, engine: &Engine) -> bool {
        if engine.epoch() != self.epoch {
            self.epoch = engine.epoch();
            self.told_stopped = false;
            for line in engine.start_log() {
                self.transcript.borrow_mut().push(Line::Note(line));
            }
            engine.with(|server| self.session.restart(server, now_ms()));
            let note = "(server restarted: connected again with a new client)";
            self.transcript.borrow_mut().push(Line::Note(note.into()));
            // Status changes are announced like replies.
            self.announcement = note.into();
            self.refresh_client(engine);
            return true;
        }
        if engine.is_stopped() && !self.told_stopped {
            self.told_stopped = true;
            let note =
                "(the server has shut down: Start server in the Persistence panel brings it back)";
            self.transcript.borrow_mut().push(Line::Note(note.into()));
            self.announcement = note.into();
            return true;
        }
        false
    }

    /// Reads the client's id and name; true when they changed.
    fn refresh_client(&mut self, engine: &Engine) -> bool {
        let id = self.session.client_id();
        let name = engine.with(|server| {
            server
                .client(id)
                .and_then(|c| c.name.as_ref())
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default()
        });
        let changed = self.client != (id, name.clone());
        self.client = (id, name);
        changed
    }

    fn output(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        self.announcement = announcement(&text);
        self.transcript.borrow_mut().push(Line::Output(text));
    }

    /// Runs one line as typed: history, the transcript, built-ins the page handles itself.
    fn run(&mut self, engine: &Engine, text: &str) {
        let prompt = self.session.repl().prompt();
        self.transcript.borrow_mut().push(Line::Input {
            prompt,
            text: text.to_string(),
        });
        if self.history.add(text) {
            store_history_line(text);
        }
        if let Some(args) = crate::benchmark_panel::console_builtin(text) {
            let client = self.session.client_id();
            let text = crate::benchmark_panel::start_from_console(engine, &args, client);
            self.output(text);
            return;
        }
        let started = crate::benchmark_panel::precise_ms();
        let outcome = engine.with(|server| self.session.run(server, text, now_ms()));
        let elapsed_ms = crate::benchmark_panel::precise_ms() - started;
        let engine_ms = engine.with(|server| server.now_ms());
        crate::progress::on_console_command(text, &outcome.text, engine_ms, elapsed_ms);
        // The error as the console prints it (with or without --raw's missing "(error) "),
        // not a value that happens to hold the text.
        let printed = outcome.text.strip_prefix("(error) ");
        let out_of_memory = printed.unwrap_or(&outcome.text).starts_with(OOM_ERROR);
        self.output(outcome.text);
        if out_of_memory {
            let (cap, policy) = engine.with(|server| {
                let config = server.config();
                (config.maxmemory, config.maxmemory_policy)
            });
            let policy = emulator::config::MaxmemoryPolicy::from_code(policy).name();
            self.transcript
                .borrow_mut()
                .push(Line::Note(oom_note(cap, policy)));
        }
        if outcome.clear {
            self.transcript.borrow_mut().clear();
        }
        if outcome.quit {
            engine.with(|server| self.session.restart(server, now_ms()));
            self.transcript.borrow_mut().push(Line::Note(
                "(quit: connected again with a new client)".into(),
            ));
        }
        self.refresh_client(engine);
    }

    fn interrupt(&mut self, engine: &Engine) {
        let text = engine.with(|server| self.session.interrupt(server, now_ms()));
        self.transcript.borrow_mut().push(Line::Note(
            "(Ctrl-C: connected again with a new client)".into(),
        ));
        self.output(text);
        self.refresh_client(engine);
    }
}

/// What Redis answers when a write would go past `maxmemory`.
const OOM_ERROR: &str = "OOM command not allowed when used memory > 'maxmemory'";

/// A size as redis.conf writes it: `128mb`, `1gb`, `512kb`, or bytes.
fn config_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    match bytes {
        b if b >= KB * KB * KB && b % (KB * KB * KB) == 0 => format!("{}gb", b / (KB * KB * KB)),
        b if b >= KB * KB && b % (KB * KB) == 0 => format!("{}mb", b / (KB * KB)),
        b if b >= KB && b % KB == 0 => format!("{}kb", b / KB),
        b => b.to_string(),
    }
}

/// The playground's note after an OOM error: where the cap is and the three ways on.
/// Whether the page is used with a mouse or a trackpad (not a touch screen).
fn fine_pointer() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(pointer: fine)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// What a screen reader is told of a reply: all of a short one; the start and the size of a
/// long one (reading half a million lines aloud helps nobody).
fn announcement(text: &str) -> String {
    const SHOWN_LINES: usize = 20;
    let lines = text.trim_end_matches('\n').matches('\n').count() + 1;
    if lines <= SHOWN_LINES {
        return strip_ansi(text);
    }
    let end = text
        .match_indices('\n')
        .nth(SHOWN_LINES - 1)
        .map_or(text.len(), |(at, _)| at);
    format!("{} … ({lines} lines in all)", strip_ansi(&text[..end]))
}

fn oom_note(maxmemory: u64, policy: &str) -> String {
    format!(
        "(memory is at this server's cap, maxmemory {}, and maxmemory-policy {policy} frees \
         nothing for this write: delete keys (DEL, FLUSHDB), let Redis evict with CONFIG SET \
         maxmemory-policy allkeys-lru, or raise the cap with CONFIG SET maxmemory {})",
        config_size(maxmemory),
        config_size(maxmemory.saturating_mul(2)),
    )
}

/// "3 s", "1.5 s", "250 ms"
fn duration(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else if ms > 1000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

fn field(input: &NodeRef) -> Option<HtmlInputElement> {
    input.cast::<HtmlInputElement>()
}

/// Puts text in the input line, cursor at the end.
fn set_input(input: &NodeRef, pane: &mut Pane, text: &str) {
    pane.input = text.to_string();
    if let Some(f) = field(input) {
        f.set_value(text);
        let end = text.encode_utf16().count() as u32;
        let _ = f.set_selection_range(end, end);
    }
}

#[function_component(Console)]
pub fn console(props: &ConsoleProps) -> Html {
    let engine = props.engine.clone();
    let pane = use_mut_ref({
        let engine = engine.clone();
        move || Pane::new(&engine)
    });
    let redraw = use_force_update();
    let input = use_node_ref();
    let mirror = use_node_ref();
    let end = use_node_ref();

    // The coloured copy behind the input scrolls with it on long lines.
    let sync_scroll = {
        let (input, mirror) = (input.clone(), mirror.clone());
        move || {
            if let (Some(f), Some(m)) = (field(&input), mirror.cast::<web_sys::Element>()) {
                m.set_scroll_left(f.scroll_left());
            }
        }
    };
    {
        let sync_scroll = sync_scroll.clone();
        use_effect(move || sync_scroll());
    }
    // A pane the learner just added takes the keyboard, and so does the first pane on a
    // computer (on a phone the on-screen keyboard would cover the lesson).
    {
        let (input, added) = (input.clone(), props.on_close.is_some());
        let first = props.pane == "A";
        use_effect_with((), move |_| {
            if let Some(f) = field(&input).filter(|_| added || (first && fine_pointer())) {
                let _ = f.focus_with_options(&{
                    let options = web_sys::FocusOptions::new();
                    options.set_prevent_scroll(true);
                    options
                });
            }
        });
    }
    let onkeyup = {
        let sync_scroll = sync_scroll.clone();
        Callback::from(move |_: KeyboardEvent| sync_scroll())
    };
    let onscroll = Callback::from(move |_: Event| sync_scroll());

    {
        let end = end.clone();
        let len = pane.borrow().transcript.borrow().version();
        use_effect_with(len, move |_| {
            // The pane scrolls to its last line; the page itself never moves for it.
            let pane = end
                .cast::<web_sys::Element>()
                .and_then(|el| el.closest(".console").ok().flatten());
            if let Some(pane) = pane {
                pane.set_scroll_top(pane.scroll_height());
            }
        });
    }

    // Lines from the lesson's Run buttons.
    {
        let (engine, pane, redraw) = (engine.clone(), pane.clone(), redraw.clone());
        let name = props.pane.clone();
        use_effect_with(props.feed.clone(), move |feed| {
            if let Some((_, request)) = feed.as_ref().filter(|(_, r)| r.pane == name) {
                let mut p = pane.borrow_mut();
                for (advance_ms, text) in request.lines.iter() {
                    if *advance_ms > 0 {
                        engine.with(|server| {
                            server.advance_clock(*advance_ms);
                            server.tick(now_ms());
                        });
                        p.transcript.borrow_mut().push(Line::Note(format!(
                            "(the clock moves forward {})",
                            duration(*advance_ms)
                        )));
                    }
                    p.run(&engine, text);
                }
                redraw.force_update();
            }
        });
    }

    // Messages, monitor lines and late replies arrive between keystrokes.
    {
        let (engine, pane, redraw) = (engine.clone(), pane.clone(), redraw.clone());
        use_effect_with((), move |_| {
            let poll = gloo_timers::callback::Interval::new(100, move || {
                let mut p = pane.borrow_mut();
                let mut arrived = engine.with(|server| p.session.take_arrivals(server));
                arrived.push_str(&crate::benchmark_panel::take_console_output(
                    p.session.client_id(),
                ));
                let changed = p.refresh_client(&engine) | p.follow_server(&engine);
                if !arrived.is_empty() {
                    p.output(arrived.clone());
                }
                if changed || !arrived.is_empty() {
                    drop(p);
                    redraw.force_update();
                }
            });
            move || drop(poll)
        });
    }

    let interrupt = {
        let (engine, pane, redraw) = (engine.clone(), pane.clone(), redraw.clone());
        Callback::from(move |_: ()| {
            pane.borrow_mut().interrupt(&engine);
            redraw.force_update();
        })
    };

    // What another client would type to stop this pane's busy script: SCRIPT KILL, or
    // FUNCTION KILL for a function (SCRIPT KILL then answers BUSY).
    let kill_script = {
        let (engine, pane, redraw) = (engine.clone(), pane.clone(), redraw.clone());
        Callback::from(move |_: MouseEvent| {
            let mut sent = "SCRIPT KILL";
            let mut reply = engine.observe_command(&["SCRIPT", "KILL"]);
            if matches!(&reply, Reply::Error(e) if e.starts_with("BUSY")) {
                sent = "FUNCTION KILL";
                reply = engine.observe_command(&["FUNCTION", "KILL"]);
            }
            let answer = match &reply {
                Reply::Error(e) => format!("(error) {e}"),
                Reply::Simple(s) => s.clone(),
                _ => String::new(),
            };
            pane.borrow()
                .transcript
                .borrow_mut()
                .push(Line::Note(format!("({sent} sent by the page: {answer})")));
            redraw.force_update();
        })
    };

    let oninput = {
        let (pane, redraw) = (pane.clone(), redraw.clone());
        Callback::from(move |e: InputEvent| {
            let Some(target) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let mut p = pane.borrow_mut();
            let value = target.value();
            p.completer.reset();
            p.history.reset_browsing();
            if let Some(search) = p.search.as_mut() {
                search.query = value.clone();
                let found = p
                    .history
                    .search(&value, None)
                    .map(|(i, l)| (i, l.to_string()));
                if let Some(search) = p.search.as_mut() {
                    search.found = found;
                }
            }
            p.input = value;
            drop(p);
            redraw.force_update();
        })
    };

    let onpaste = {
        let (engine, pane, redraw, input) =
            (engine.clone(), pane.clone(), redraw.clone(), input.clone());
        Callback::from(move |e: Event| {
            let Some(e) = e.dyn_ref::<web_sys::ClipboardEvent>() else {
                return;
            };
            let Some(data) = e.clipboard_data() else {
                return;
            };
            let text = data
                .get_data("text/plain")
                .ok()
                .filter(|t| !t.is_empty())
                .or_else(|| data.get_data("text").ok())
                .unwrap_or_default();
            if !text.contains('\n') {
                return;
            }
            e.prevent_default();
            let mut p = pane.borrow_mut();
            if p.session.is_reading_messages() {
                return;
            }
            // The pasted lines run in order, each as if typed and entered; a last line
            // without a newline stays in the input.
            let combined = format!("{}{}", p.input, text.replace("\r\n", "\n"));
            let mut lines: Vec<&str> = combined.split('\n').collect();
            let rest = lines.pop().unwrap_or_default().to_string();
            for line in lines {
                if p.session.is_reading_messages() {
                    break;
                }
                p.run(&engine, line);
            }
            set_input(&input, &mut p, &rest);
            drop(p);
            redraw.force_update();
        })
    };

    let onkeydown = {
        let (engine, pane, redraw, input, interrupt) = (
            engine.clone(),
            pane.clone(),
            redraw.clone(),
            input.clone(),
            interrupt.clone(),
        );
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            let ctrl = e.ctrl_key();
            let mut p = pane.borrow_mut();
            if p.search.is_some() {
                handle_search_key(&e, &mut p, &engine, &input);
                drop(p);
                redraw.force_update();
                return;
            }
            let reading = p.session.is_reading_messages();
            match key.as_str() {
                "c" | "C" if ctrl => {
                    e.prevent_default();
                    if reading {
                        drop(p);
                        interrupt.emit(());
                        return;
                    }
                    set_input(&input, &mut p, "");
                }
                "l" | "L" if ctrl => {
                    e.prevent_default();
                    p.transcript.borrow_mut().clear();
                }
                "r" | "R" if ctrl && !reading => {
                    e.prevent_default();
                    let before = p.input.clone();
                    p.search = Some(Search {
                        query: String::new(),
                        found: None,
                        before,
                    });
                    set_input(&input, &mut p, "");
                }
                "Enter" if !reading => {
                    e.prevent_default();
                    let text = field(&input).map(|f| f.value()).unwrap_or_default();
                    set_input(&input, &mut p, "");
                    p.completer.reset();
                    p.run(&engine, &text);
                }
                // Tab completes what has been typed; with nothing typed, or with Shift, it moves
                // the focus on as everywhere else on the page (keyboard users must get out).
                "Tab" if !reading && !e.shift_key() && !p.input.trim().is_empty() => {
                    let line = p.input.clone();
                    let Pane {
                        session, completer, ..
                    } = &mut *p;
                    let shown = engine.with(|server| {
                        let mut keys = |prefix: &[u8]| session.keys_with_prefix(server, prefix, 50);
                        completer.tab(&line, &mut keys)
                    });
                    if let Some(shown) = shown {
                        e.prevent_default();
                        set_input(&input, &mut p, &shown);
                    }
                }
                "Escape" => {
                    if let Some(original) = p.completer.escape() {
                        set_input(&input, &mut p, &original);
                    }
                }
                "ArrowUp" if !reading => {
                    e.prevent_default();
                    let current = p.input.clone();
                    if let Some(line) = p.history.up(&current) {
                        set_input(&input, &mut p, &line);
                    }
                }
                "ArrowDown" if !reading => {
                    e.prevent_default();
                    if let Some(line) = p.history.down() {
                        set_input(&input, &mut p, &line);
                    }
                }
                _ => return,
            }
            drop(p);
            redraw.force_update();
        })
    };

    let focus_input = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            let selecting = web_sys::window()
                .and_then(|w| w.get_selection().ok().flatten())
                .is_some_and(|s| !s.is_collapsed());
            // Leave a text selection alone so the transcript can be copied.
            if !selecting {
                if let Some(f) = field(&input) {
                    let _ = f.focus();
                }
            }
        })
    };

    let copy = {
        let pane = pane.clone();
        Callback::from(move |()| pane.borrow().transcript.borrow().plain_text())
    };

    // Soft keys for phone keyboards, which have no Tab, arrows or Ctrl.
    let soft_key = |label: &'static str, key: &'static str, ctrl: bool, name: &'static str| {
        let (onkeydown, input) = (onkeydown.clone(), input.clone());
        let onclick = Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            let init = web_sys::KeyboardEventInit::new();
            init.set_key(key);
            init.set_ctrl_key(ctrl);
            if let Ok(event) = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init) {
                onkeydown.emit(event);
            }
            if let Some(f) = field(&input) {
                let _ = f.focus();
            }
        });
        html! { <button type="button" class="soft-key" aria-label={name} {onclick}>{ label }</button> }
    };

    let soft_keys = html! {
        <div class="soft-keys" role="group" aria-label="Keys">
            { soft_key("Tab", "Tab", false, "Tab: complete") }
            { soft_key("↑", "ArrowUp", false, "Previous command") }
            { soft_key("↓", "ArrowDown", false, "Next command") }
            { soft_key("Ctrl-C", "c", true, "Ctrl-C: cancel") }
            { soft_key("Ctrl-L", "l", true, "Ctrl-L: clear the screen") }
        </div>
    };
    let report_focus = {
        let (pane, name, on_focus) = (pane.clone(), props.pane.clone(), props.on_focus.clone());
        Callback::from(move |_: ()| {
            if let (Some(on_focus), Ok(p)) = (&on_focus, pane.try_borrow()) {
                on_focus.emit((name.clone(), p.session.client_id()));
            }
        })
    };
    let p = pane.borrow();
    let mode = p.session.mode();
    let reading = mode != Mode::Prompt;
    let hints = p.session.repl().hints;
    let hint = (hints && !reading && p.search.is_none())
        .then(|| display_hint(&p.input))
        .flatten()
        .or_else(|| {
            // A first visit: say where to type.
            (p.input.is_empty() && p.transcript.borrow().version() == 0 && !reading)
                .then(|| "type a command, such as PING, and press Enter".to_string())
        });
    let (client_id, client_name) = &p.client;
    let busy_here = mode == Mode::Waiting
        && engine.observe(|server| server.busy_script_caller()) == Some(p.session.client_id());
    let status = match mode {
        Mode::Prompt => None,
        Mode::Subscribed => Some("Reading messages"),
        Mode::Monitoring => Some("Monitoring"),
        Mode::Waiting => Some("Waiting for the reply"),
    };
    html! {
        <section class="pane console" aria-label={format!("Redis console {}", props.pane)} data-pane={props.pane.clone()} onclick={focus_input}
            onfocusin={report_focus.reform(|_: FocusEvent| ())} onkeyup={report_focus.reform(|_: KeyboardEvent| ())}>
            <header class="pane-bar">
                <span class="pane-name">{ format!("Pane {}", props.pane) }</span>
                <span class="client-id">{ format!("client id {client_id}") }</span>
                <span class="client-name">{ if client_name.is_empty() { "no name".to_string() } else { format!("name {client_name}") } }</span>
                <crate::clipboard::CopyButton class="pane-action" text={copy} title="Copy the transcript as plain text" />
                if let Some(on_close) = props.on_close.clone() {
                    <button type="button" class="pane-action close-pane" aria-label={format!("Close pane {}", props.pane)}
                        onclick={let name = props.pane.clone(); Callback::from(move |e: MouseEvent| { e.stop_propagation(); on_close.emit(name.clone()) })}>{"×"}</button>
                }
            </header>
            <TranscriptView transcript={p.transcript.clone()} version={p.transcript.borrow().version()} pane={props.pane.clone()} />
            <div class="sr-only" aria-live="polite" aria-atomic="true">{ p.announcement.clone() }</div>
            if let Some(status) = status {
                <button type="button" class="stop-reading" onclick={interrupt.reform(|_: MouseEvent| ())}>{ format!("{status}: stop (Ctrl-C)") }</button>
            }
            if busy_here {
                <button type="button" class="stop-reading kill-script" onclick={kill_script}
                    title="The script is past busy-reply-threshold: other clients get BUSY until it ends or is killed">
                    { "Script still running: send SCRIPT KILL" }
                </button>
            }
            if let Some(search) = &p.search {
                <div class="search-line" role="status">
                    { format!("(reverse-i-search)`{}': ", search.query) }
                    <span class="found">{ search.found.as_ref().map(|(_, l)| l.clone()).unwrap_or_default() }</span>
                </div>
            }
            <label class={classes!("input-line", reading.then_some("reading"), p.search.is_some().then_some("searching"))}>
                <span class="prompt">{ if reading { String::new() } else { format!("{} ", p.session.repl().prompt()) } }</span>
                <span class="editor">
                    <span class="mirror" aria-hidden="true" ref={mirror}>
                        { for highlight_input(&p.input).iter().map(render_span) }
                        if let Some(hint) = &hint {
                            <span class="hint">{ hint.clone() }</span>
                        }
                    </span>
                    <input
                        ref={input}
                        // The skip link's target: the first pane's input.
                        id={(props.pane == "A").then_some("console")}
                        class="command"
                        type="text"
                        aria-label={format!("Command for pane {}", props.pane)}
                        aria-describedby={format!("hint-{}", props.pane)}
                        autocomplete="off"
                        autocapitalize="off"
                        autocorrect="off"
                        spellcheck="false"
                        enterkeyhint="send"
                        readonly={reading}
                        {oninput}
                        {onkeydown}
                        {onkeyup}
                        {onscroll}
                        {onpaste}
                    />
                </span>
            </label>
            <span class="sr-only" id={format!("hint-{}", props.pane)}>{ hint.clone().unwrap_or_default() }</span>
            { soft_keys }
            <div ref={end} />
        </section>
    }
}

/// Keys while searching the history backwards (Ctrl-R).
fn handle_search_key(e: &KeyboardEvent, p: &mut Pane, engine: &Engine, input: &NodeRef) {
    let key = e.key();
    let ctrl = e.ctrl_key();
    let found = p
        .search
        .as_ref()
        .and_then(|s| s.found.as_ref().map(|(_, l)| l.clone()));
    match key.as_str() {
        "r" | "R" if ctrl => {
            e.prevent_default();
            if let Some(search) = p.search.as_mut() {
                let before = search.found.as_ref().map(|(i, _)| *i);
                let older = p
                    .history
                    .search(&search.query, before)
                    .map(|(i, l)| (i, l.to_string()));
                if let (Some(older), Some(search)) = (older, p.search.as_mut()) {
                    search.found = Some(older);
                }
            }
        }
        "Enter" => {
            e.prevent_default();
            p.search = None;
            set_input(input, p, "");
            if let Some(line) = found {
                p.run(engine, &line);
            }
        }
        "Escape" | "ArrowLeft" | "ArrowRight" | "Tab" => {
            e.prevent_default();
            p.search = None;
            set_input(input, p, &found.unwrap_or_default());
        }
        "g" | "G" | "c" | "C" if ctrl => {
            e.prevent_default();
            let before = p.search.take().map(|s| s.before).unwrap_or_default();
            set_input(input, p, &before);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_in_redis_conf() {
        assert_eq!(config_size(128 * 1024 * 1024), "128mb");
        assert_eq!(config_size(1024 * 1024 * 1024), "1gb");
        assert_eq!(config_size(1536 * 1024), "1536kb");
        assert_eq!(config_size(1000), "1000");
    }

    #[test]
    fn the_oom_note_names_the_cap_and_the_ways_on() {
        let note = oom_note(128 * 1024 * 1024, "noeviction");
        assert!(note.contains("maxmemory 128mb"), "{note}");
        assert!(note.contains("maxmemory-policy noeviction"), "{note}");
        assert!(
            note.contains("CONFIG SET maxmemory-policy allkeys-lru"),
            "{note}"
        );
        assert!(note.contains("CONFIG SET maxmemory 256mb"), "{note}");
    }
}
