//! The interactive console on a terminal: rustyline reads lines (history, Ctrl-R, editing)
//! and asks the console's own completion and hints, so the terminal and the browser behave
//! alike.

use std::borrow::Cow;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use emulator::cli::{completions, display_hint, History, Mode, Repl, HISTORY_CAP};
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};

use super::{print, read_arrivals, AnyLink};

/// What the loop and the editor's callbacks share.
struct State {
    repl: Repl,
    link: AnyLink,
}

struct ConsoleHelper(Rc<RefCell<State>>);

impl Completer for ConsoleHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let Some(before) = line.get(..pos) else {
            return Ok((0, Vec::new()));
        };
        let mut state = self.0.borrow_mut();
        let State { repl, link } = &mut *state;
        let db = usize::try_from(repl.db()).unwrap_or(0);
        let mut keys = |prefix: &[u8]| link.link().keys_with_prefix(db, prefix, 50);
        // Candidates are whole lines, replacing everything before the cursor.
        Ok((0, completions(before, &mut keys)))
    }
}

impl Hinter for ConsoleHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<String> {
        if pos < line.len() || !self.0.borrow().repl.hints {
            return None;
        }
        display_hint(line)
    }
}

impl Highlighter for ConsoleHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        // redis-cli shows hints in grey (colour 90).
        Cow::Owned(format!("\x1b[90m{hint}\x1b[0m"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        false
    }
}

impl Validator for ConsoleHelper {}
impl Helper for ConsoleHelper {}

/// `~/.redisemu_history` (`REDISEMU_HISTFILE` overrides it), like redis-cli's
/// `~/.rediscli_history`.
fn history_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("REDISEMU_HISTFILE") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".redisemu_history"))
}

/// The saved history, also given to the editor for ↑/↓ and Ctrl-R.
fn load_history(editor: &mut Editor<ConsoleHelper, DefaultHistory>) -> History {
    let text = history_file()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let kept = History::from_text(&text);
    for line in kept.lines() {
        let _ = editor.add_history_entry(line);
    }
    kept
}

fn save_history(kept: &History) {
    if let Some(path) = history_file() {
        let _ = std::fs::write(path, kept.to_text());
    }
}

pub(super) fn interactive(repl: Repl, link: AnyLink) -> i32 {
    let state = Rc::new(RefCell::new(State { repl, link }));
    let config = Config::builder()
        .completion_type(CompletionType::Circular)
        .max_history_size(HISTORY_CAP)
        .map(|b| b.auto_add_history(false).build());
    let Ok(config) = config else { return 1 };
    let mut editor = match Editor::<ConsoleHelper, DefaultHistory>::with_config(config) {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("redis-emu cli: {e}");
            return 1;
        }
    };
    editor.set_helper(Some(ConsoleHelper(state.clone())));
    let mut kept = load_history(&mut editor);
    loop {
        let prompt = format!("{} ", state.borrow().repl.prompt());
        let line = match editor.readline(&prompt) {
            Ok(line) => line,
            // Ctrl-C and Ctrl-D at the prompt end redis-cli.
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("redis-emu cli: {e}");
                return 1;
            }
        };
        // Lines with passwords are neither kept nor offered by ↑.
        if kept.add(&line) {
            let _ = editor.add_history_entry(line.as_str());
            save_history(&kept);
        }
        let mut guard = state.borrow_mut();
        let State { repl, link } = &mut *guard;
        let outcome = link.run(repl, &line);
        print(&outcome.text);
        if outcome.quit {
            break;
        }
        if outcome.clear {
            let _ = editor.clear_screen();
        }
        if repl.mode() != Mode::Prompt {
            read_arrivals(repl, link, false);
        }
    }
    0
}
