//! A console pane's transcript, bounded like a terminal's scrollback: the page shows the last
//! [`SCROLLBACK_LINES`] lines, so that one huge reply (`KEYS *` over half a million keys) does
//! not make every later command and keystroke slow; the rest stays available to show, copy or
//! download in full.

use std::cell::RefCell;
use std::rc::Rc;

use emulator::cli::{highlight_input, highlight_output, strip_ansi, styled_segments, Span};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Lines shown at most (older ones are hidden behind a bar that offers them).
pub const SCROLLBACK_LINES: usize = 10_000;

/// One entry of the transcript.
#[derive(Clone, PartialEq)]
pub enum Line {
    /// A command as typed, after the prompt that was showing.
    Input { prompt: String, text: String },
    /// What redis-cli prints for it (help keeps its ANSI styling here).
    Output(String),
    /// A note from the playground itself, not part of redis-cli's output.
    Note(String),
}

impl Line {
    /// How many lines it takes on screen.
    fn height(&self) -> usize {
        match self {
            Line::Input { .. } => 1,
            Line::Output(text) | Line::Note(text) => {
                text.trim_end_matches('\n').matches('\n').count() + 1
            }
        }
    }
}

/// One entry as kept: the line, its height, and what is shown of it (an entry taller than
/// the scrollback shows only its last lines; the full text stays for copying).
struct Entry {
    line: Line,
    height: usize,
    shown: Option<Line>,
    /// Lines of it not shown.
    cut: usize,
}

/// The entries of a pane, and a version that changes with every change (so the view
/// re-renders only when the transcript does, not on every keystroke).
#[derive(Default)]
pub struct Transcript {
    entries: Vec<Rc<Entry>>,
    total_lines: usize,
    version: u64,
}

impl Transcript {
    pub fn push(&mut self, line: Line) {
        let height = line.height();
        let cut = height.saturating_sub(SCROLLBACK_LINES);
        let shown = (cut > 0).then(|| without_first_lines(&line, cut));
        self.total_lines += height;
        self.entries.push(Rc::new(Entry {
            line,
            height,
            shown,
            cut,
        }));
        self.version += 1;
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.total_lines = 0;
        self.version += 1;
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// The transcript as redis-cli shows it in a terminal (for copying).
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for entry in &self.entries {
            match &entry.line {
                Line::Input { prompt, text } => {
                    out.push_str(&format!("{prompt} {text}\n"));
                }
                Line::Output(text) => out.push_str(&strip_ansi(text)),
                Line::Note(_) => {}
            }
        }
        out
    }

    /// The first entry shown and how many lines are hidden: whole entries from the end, as
    /// many as fit in `budget` lines (at least the last one, shortened if need be). Entries
    /// never change once shown, so a new command renders only its own lines.
    fn tail(&self, budget: usize) -> (usize, usize) {
        let mut shown = 0;
        let mut first = self.entries.len();
        for (i, entry) in self.entries.iter().enumerate().rev() {
            let height = entry.height - entry.cut;
            if shown + height > budget && first < self.entries.len() {
                break;
            }
            shown += height;
            first = i;
        }
        (first, self.total_lines - shown)
    }
}

/// A shared transcript: the pane writes it, the view reads it.
pub type SharedTranscript = Rc<RefCell<Transcript>>;

#[derive(Properties)]
pub struct TranscriptProps {
    pub transcript: SharedTranscript,
    /// The transcript's version when the pane rendered.
    pub version: u64,
    /// Names the download ("pane A").
    pub pane: String,
}

impl PartialEq for TranscriptProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.transcript, &other.transcript)
            && self.version == other.version
            && self.pane == other.pane
    }
}

/// The transcript's last lines, with a bar offering the hidden ones.
#[function_component(TranscriptView)]
pub fn transcript_view(props: &TranscriptProps) -> Html {
    let show_all = use_state(|| false);
    let t = props.transcript.borrow();
    let budget = if *show_all {
        usize::MAX
    } else {
        SCROLLBACK_LINES
    };
    let (first, hidden) = t.tail(budget);
    let hidden = if *show_all { 0 } else { hidden };
    let bar = (hidden > 0).then(|| {
        let show = {
            let show_all = show_all.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                show_all.set(true);
            })
        };
        let text = {
            let transcript = props.transcript.clone();
            Callback::from(move |()| transcript.borrow().plain_text())
        };
        let download = {
            let (transcript, pane) = (props.transcript.clone(), props.pane.clone());
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                download_text(
                    &format!("redis-console-{}.txt", pane.to_lowercase()),
                    &transcript.borrow().plain_text(),
                );
            })
        };
        html! {
            <div class="line note scrollback-bar">
                { format!("{hidden} earlier lines hidden ") }
                <button type="button" class="pane-action" onclick={show}>{"Show all"}</button>
                <crate::clipboard::CopyButton class="pane-action" text={text} title="Copy the whole transcript as plain text" />
                <button type="button" class="pane-action" onclick={download}>{"Download"}</button>
            </div>
        }
    });
    html! {
        <div class="transcript" role="region" aria-label={format!("Transcript of pane {}", props.pane)}>
            { for bar }
            { for t.entries[first..].iter().enumerate().map(|(i, entry)| html! {
                <EntryView key={first + i} entry={EntryRef(entry.clone())} full={*show_all} />
            }) }
        </div>
    }
}

/// An entry, compared by identity (entries never change).
#[derive(Clone)]
struct EntryRef(Rc<Entry>);

impl PartialEq for EntryRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
struct EntryProps {
    entry: EntryRef,
    /// Show all of a shortened entry.
    full: bool,
}

/// One entry, rendered once.
#[function_component(EntryView)]
fn entry_view(props: &EntryProps) -> Html {
    let entry = &props.entry.0;
    match (&entry.shown, props.full) {
        (Some(shown), false) => render_line(shown),
        _ => render_line(&entry.line),
    }
}

/// An output or note without its first `cut` lines.
fn without_first_lines(line: &Line, cut: usize) -> Line {
    let drop = |text: &str| {
        let start = text
            .match_indices('\n')
            .nth(cut - 1)
            .map_or(text.len(), |(at, _)| at + 1);
        text[start..].to_string()
    };
    match line {
        Line::Output(text) => Line::Output(drop(text)),
        Line::Note(text) => Line::Note(drop(text)),
        input => input.clone(),
    }
}

/// Saves `text` as a file the browser downloads.
fn download_text(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(link) = link {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

pub fn render_span(span: &Span) -> Html {
    html! { <span class={span.style.class()}>{ span.text.clone() }</span> }
}

fn render_line(line: &Line) -> Html {
    match line {
        Line::Note(text) => html! { <div class="line note">{ text.clone() }</div> },
        Line::Input { prompt, text } => html! {
            <div class="line input"><span class="prompt">{ format!("{prompt} ") }</span>{ for highlight_input(text).iter().map(render_span) }</div>
        },
        Line::Output(text) => {
            let trimmed = text.trim_end_matches('\n');
            let class = if trimmed.starts_with("(error)") {
                "line output error"
            } else {
                "line output"
            };
            if trimmed.len() <= CHUNK_BYTES {
                return html! { <pre class={class}>{ for highlight(trimmed).iter().map(render_span) }</pre> };
            }
            // A long reply in chunks of whole lines that the browser can skip laying out
            // while they are off screen (`content-visibility` in the style sheet), so that the
            // next command is quick.
            html! {
                <div class={class}>
                    { for line_chunks(trimmed).map(|chunk| html! {
                        <pre class="chunk">{ for highlight(chunk).iter().map(render_span) }</pre>
                    }) }
                </div>
            }
        }
    }
}

/// A reply's text as coloured spans (ANSI-styled help, or redis-cli's reply colours).
fn highlight(text: &str) -> Vec<Span> {
    if text.contains('\x1b') {
        styled_segments(text)
    } else {
        highlight_output(text)
    }
}

/// `text` cut after a line end every `CHUNK_BYTES` or so.
fn line_chunks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        // A line end is always a character boundary.
        let cut = rest
            .as_bytes()
            .get(CHUNK_BYTES..)
            .and_then(|after| after.iter().position(|&b| b == b'\n'))
            .map_or(rest.len(), |at| CHUNK_BYTES + at);
        let (chunk, after) = rest.split_at(cut);
        rest = after.strip_prefix('\n').unwrap_or(after);
        Some(chunk)
    })
}

/// Bytes per chunk of a long reply (a few hundred lines).
const CHUNK_BYTES: usize = 16 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_replies_are_cut_between_lines() {
        let line = "1) \"key:ä12345\"\n";
        let text = line.repeat(5_000);
        let text = text.trim_end_matches('\n');
        let chunks: Vec<&str> = line_chunks(text).collect();
        assert!(chunks.len() > 3, "{}", chunks.len());
        assert!(chunks
            .iter()
            .all(|c| c.starts_with("1) ") && c.ends_with('"')));
        assert_eq!(chunks.join("\n"), text);
    }

    #[test]
    fn the_tail_keeps_whole_entries_and_shortens_only_a_huge_last_one() {
        let mut t = Transcript::default();
        t.push(Line::Output("a\n".repeat(6_000)));
        t.push(Line::Output("b\n".repeat(6_000)));
        // The first entry does not fit beside the second: hidden whole.
        assert_eq!(t.tail(SCROLLBACK_LINES), (1, 6_000));
        t.push(Line::Output("c\n".repeat(20_000)));
        // A reply taller than the scrollback shows its last lines only.
        assert_eq!(t.tail(SCROLLBACK_LINES), (2, 22_000));
        assert_eq!(t.tail(usize::MAX), (0, 10_000));
    }
}
