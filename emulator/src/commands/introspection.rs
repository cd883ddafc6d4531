//! The COMMAND command: COUNT, INFO, DOCS, LIST, GETKEYS, built from the command table.

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[];
