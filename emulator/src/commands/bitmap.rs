//! Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD.

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[];
