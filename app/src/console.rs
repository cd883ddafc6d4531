//! A console pane: a redis-cli look-alike over one engine client. Parsing, running and
//! formatting live in `emulator::cli`; this component only shows lines and reads the keyboard.

use emulator::cli::Session;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::{now_ms, Engine};
use crate::lesson::RunRequest;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub engine: Engine,
    /// This pane's name ("A", "B"): runnable blocks name the pane they type into.
    pub pane: String,
    /// The latest request from a Run button, with a counter so repeats are noticed.
    pub feed: Option<(u32, RunRequest)>,
}

/// One entry of the transcript.
#[derive(Clone, PartialEq)]
enum Line {
    /// A command as typed, after the prompt that was showing.
    Input { prompt: String, text: String },
    /// What redis-cli would print for it.
    Output(String),
    /// A note from the playground itself (the clock moved), not part of redis-cli's output.
    Note(String),
}

/// Runs typed lines in the engine and appends them with their output to the transcript.
fn run_lines(
    engine: &Engine,
    session: &std::cell::RefCell<Session>,
    lines: &[(u64, String)],
    transcript: &UseStateHandle<Vec<Line>>,
    prompt: &UseStateHandle<String>,
) {
    let mut entries = (**transcript).clone();
    let mut current_prompt = (**prompt).clone();
    engine.with(|server| {
        let mut session = session.borrow_mut();
        for (advance_ms, text) in lines {
            if *advance_ms > 0 {
                server.advance_clock(*advance_ms);
                server.tick(now_ms());
                entries.push(Line::Note(format!(
                    "(the clock moves forward {})",
                    duration(*advance_ms)
                )));
            }
            let output = session.run_line(server, text, now_ms());
            entries.push(Line::Input {
                prompt: current_prompt.clone(),
                text: text.clone(),
            });
            if !output.is_empty() {
                entries.push(Line::Output(output));
            }
            current_prompt = session.prompt(server);
        }
    });
    transcript.set(entries);
    prompt.set(current_prompt);
}

#[function_component(Console)]
pub fn console(props: &ConsoleProps) -> Html {
    let engine = props.engine.clone();
    let session = use_mut_ref({
        let engine = engine.clone();
        move || engine.with(|server| Session::connect(server, now_ms()))
    });
    let transcript = use_state(Vec::<Line>::new);
    let prompt = use_state({
        let engine = engine.clone();
        let session = session.clone();
        move || engine.with(|server| session.borrow().prompt(server))
    });
    let input = use_node_ref();
    let end = use_node_ref();
    let reading_state = use_state(|| false);

    {
        let end = end.clone();
        use_effect_with(transcript.len(), move |_| {
            if let Some(el) = end.cast::<web_sys::Element>() {
                el.scroll_into_view();
            }
        });
    }

    {
        let (engine, session, transcript, prompt) = (
            engine.clone(),
            session.clone(),
            transcript.clone(),
            prompt.clone(),
        );
        let pane = props.pane.clone();
        let reading = reading_state.clone();
        use_effect_with(props.feed.clone(), move |feed| {
            if let Some((_, request)) = feed.as_ref().filter(|(_, r)| r.pane == pane) {
                run_lines(&engine, &session, &request.lines, &transcript, &prompt);
                reading.set(session.borrow().is_reading_messages());
            }
        });
    }

    // Messages and late replies (pub/sub, unblocked pops) arrive between keystrokes.
    let reading = reading_state.clone();
    {
        let (engine, session, transcript) = (engine.clone(), session.clone(), transcript.clone());
        use_effect_with((), move |_| {
            let poll = gloo_timers::callback::Interval::new(100, move || {
                let arrived = engine.with(|server| session.borrow_mut().take_arrivals(server));
                if !arrived.is_empty() {
                    let mut entries = (*transcript).clone();
                    entries.push(Line::Output(arrived));
                    transcript.set(entries);
                }
            });
            move || drop(poll)
        });
    }

    let interrupt = {
        let (engine, session, transcript, prompt, reading) = (
            engine.clone(),
            session.clone(),
            transcript.clone(),
            prompt.clone(),
            reading.clone(),
        );
        Callback::from(move |_: ()| {
            engine.with(|server| session.borrow_mut().interrupt(server, now_ms()));
            let mut entries = (*transcript).clone();
            entries.push(Line::Note(
                "(interrupted: reconnected with a new client)".into(),
            ));
            transcript.set(entries);
            prompt.set(engine.with(|server| session.borrow().prompt(server)));
            reading.set(false);
        })
    };

    let onkeydown = {
        let (transcript, prompt, input, reading, interrupt) = (
            transcript.clone(),
            prompt.clone(),
            input.clone(),
            reading.clone(),
            interrupt.clone(),
        );
        let session = session.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.ctrl_key() && e.key().eq_ignore_ascii_case("c") {
                e.prevent_default();
                if *reading {
                    interrupt.emit(());
                } else if let Some(field) = input.cast::<HtmlInputElement>() {
                    field.set_value("");
                }
                return;
            }
            if e.key() != "Enter" || *reading {
                return;
            }
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let text = field.value();
            field.set_value("");
            run_lines(&engine, &session, &[(0, text)], &transcript, &prompt);
            reading.set(session.borrow().is_reading_messages());
        })
    };

    let focus_input = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(field) = input.cast::<HtmlInputElement>() {
                let _ = field.focus();
            }
        })
    };

    html! {
        <section class="pane console" aria-label={format!("Redis console {}", props.pane)} data-pane={props.pane.clone()} onclick={focus_input}>
            <div class="transcript" role="log" aria-live="polite">
                { for transcript.iter().map(render_line) }
            </div>
            if *reading {
                <button class="stop-reading" onclick={interrupt.reform(|_: MouseEvent| ())}>{"Stop reading messages (Ctrl-C)"}</button>
            }
            <label class={classes!("input-line", reading.then_some("reading"))}>
                <span class="prompt">{ if *reading { String::new() } else { format!("{} ", *prompt) } }</span>
                <input
                    ref={input}
                    class="command"
                    type="text"
                    aria-label="Command"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    {onkeydown}
                />
            </label>
            <div ref={end} />
        </section>
    }
}

/// "3 s", "1.5 s", "250 ms"
fn duration(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else if ms > 1000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

fn render_line(line: &Line) -> Html {
    match line {
        Line::Note(text) => html! { <div class="line note">{ text.clone() }</div> },
        Line::Input { prompt, text } => html! {
            <div class="line input"><span class="prompt">{ format!("{prompt} ") }</span>{ text.clone() }</div>
        },
        Line::Output(text) => {
            let class = if text.starts_with("(error)") {
                "line output error"
            } else {
                "line output"
            };
            html! { <pre class={class}>{ text.trim_end_matches('\n').to_string() }</pre> }
        }
    }
}
