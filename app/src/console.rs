//! The console pane: a redis-cli look-alike over one engine client. Parsing, running and
//! formatting live in `emulator::cli`; this component only shows lines and reads the keyboard.

use emulator::cli::Session;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::{now_ms, Engine};

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub engine: Engine,
}

/// One line of the transcript.
#[derive(Clone, PartialEq)]
enum Line {
    /// A command as typed, after the prompt that was showing.
    Input { prompt: String, text: String },
    /// What redis-cli would print for it.
    Output(String),
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

    {
        let end = end.clone();
        use_effect_with(transcript.len(), move |_| {
            if let Some(el) = end.cast::<web_sys::Element>() {
                el.scroll_into_view();
            }
        });
    }

    let onkeydown = {
        let transcript = transcript.clone();
        let prompt = prompt.clone();
        let input = input.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" {
                return;
            }
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let text = field.value();
            field.set_value("");
            let (output, next_prompt) = engine.with(|server| {
                let mut session = session.borrow_mut();
                let output = session.run_line(server, &text, now_ms());
                (output, session.prompt(server))
            });
            let mut lines = (*transcript).clone();
            lines.push(Line::Input {
                prompt: (*prompt).clone(),
                text,
            });
            if !output.is_empty() {
                lines.push(Line::Output(output));
            }
            transcript.set(lines);
            prompt.set(next_prompt);
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
        <section class="pane console" aria-label="Redis console" onclick={focus_input}>
            <div class="transcript" role="log" aria-live="polite">
                { for transcript.iter().map(render_line) }
                <div ref={end} />
            </div>
            <label class="input-line">
                <span class="prompt">{ format!("{} ", *prompt) }</span>
                <input
                    ref={input}
                    class="command"
                    type="text"
                    aria-label="Command"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    autofocus=true
                    {onkeydown}
                />
            </label>
        </section>
    }
}

fn render_line(line: &Line) -> Html {
    match line {
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
