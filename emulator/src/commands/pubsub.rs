//! Pub/sub commands: SUBSCRIBE, PUBLISH, PUBSUB, ...

use super::Handler;

pub(super) const HANDLERS: &[(&str, Handler)] = &[];
