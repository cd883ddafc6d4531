//! What redis-cli does around the protocol: splitting a typed line into arguments, its
//! built-in commands, help, hints, completion and history, and printing replies. Shared by the
//! browser console, `redis-emu cli`, and the tests.

pub mod benchmark;
mod complete;
mod format;
mod help;
mod highlight;
mod hints;
mod histogram;
mod history;
mod link;
mod repl;
mod session;
mod split;
mod styled;

pub use complete::{completions, Completer};
pub use format::{format_reply, format_reply_raw, quote_bytes};
pub use help::{
    entries as help_entries, find_command, generic_help, help, EntryKind, HelpEntry, CLI_VERSION,
};
pub use highlight::{highlight_input, highlight_output, Span, Style};
pub use hints::{display_hint, hint_for_input};
pub use history::{is_sensitive, should_store, History, HISTORY_CAP};
pub use link::{Link, Local};
pub use repl::{elapsed_line, Mode, Outcome, Repl, READING_MESSAGES};
pub use session::{Session, DEFAULT_ADDRESS};
pub use split::{split_args, SplitError};
pub use styled::{strip_ansi, styled_segments, Segment};
