//! Generic key commands (Redis group "generic"): DEL, EXISTS, TYPE, KEYS, SCAN, RENAME, EXPIRE, TTL, OBJECT, ...

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[];
