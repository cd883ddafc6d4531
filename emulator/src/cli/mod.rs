//! What redis-cli does around the protocol: splitting a typed line into arguments and printing
//! replies. Shared by the browser console, `redis-emu cli`, and the tests.

mod format;
mod session;
mod split;

pub use format::{format_reply, quote_bytes};
pub use session::{Session, DEFAULT_ADDRESS, READING_MESSAGES};
pub use split::{split_args, SplitError};
