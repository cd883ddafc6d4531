//! Keyspace notifications: commands report what they did to a key, and the server publishes it
//! on `__keyspace@<db>__:<key>` and/or `__keyevent@<db>__:<event>` when the classes chosen with
//! `notify-keyspace-events` include that kind of event.

use crate::pubsub::ChannelKind;
use crate::server::Server;

/// Event classes, as letters in `notify-keyspace-events`.
pub mod class {
    pub const KEYSPACE: u32 = 1 << 0; // K
    pub const KEYEVENT: u32 = 1 << 1; // E
    pub const GENERIC: u32 = 1 << 2; // g
    pub const STRING: u32 = 1 << 3; // $
    pub const LIST: u32 = 1 << 4; // l
    pub const SET: u32 = 1 << 5; // s
    pub const HASH: u32 = 1 << 6; // h
    pub const ZSET: u32 = 1 << 7; // z
    pub const EXPIRED: u32 = 1 << 8; // x
    pub const EVICTED: u32 = 1 << 9; // e
    pub const STREAM: u32 = 1 << 10; // t
    pub const KEY_MISS: u32 = 1 << 11; // m (not part of A)
    pub const MODULE: u32 = 1 << 12; // d
    pub const NEW: u32 = 1 << 13; // n (not part of A)
    /// What `A` stands for.
    pub const ALL: u32 =
        GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;
}

/// Parses the `notify-keyspace-events` letters; None if a letter is unknown.
pub fn parse_classes(letters: &str) -> Option<u32> {
    letters.chars().try_fold(0, |flags, c| {
        let bit = match c {
            'A' => class::ALL,
            'g' => class::GENERIC,
            '$' => class::STRING,
            'l' => class::LIST,
            's' => class::SET,
            'h' => class::HASH,
            'z' => class::ZSET,
            'x' => class::EXPIRED,
            'e' => class::EVICTED,
            'K' => class::KEYSPACE,
            'E' => class::KEYEVENT,
            't' => class::STREAM,
            'm' => class::KEY_MISS,
            'd' => class::MODULE,
            'n' => class::NEW,
            _ => return None,
        };
        Some(flags | bit)
    })
}

/// The canonical letters for a set of classes, as CONFIG GET shows them.
pub fn format_classes(flags: u32) -> String {
    let mut out = String::new();
    if flags & class::ALL == class::ALL {
        out.push('A');
    } else {
        for (bit, letter) in [
            (class::GENERIC, 'g'),
            (class::STRING, '$'),
            (class::LIST, 'l'),
            (class::SET, 's'),
            (class::HASH, 'h'),
            (class::ZSET, 'z'),
            (class::EXPIRED, 'x'),
            (class::EVICTED, 'e'),
            (class::STREAM, 't'),
            (class::MODULE, 'd'),
            (class::NEW, 'n'),
        ] {
            if flags & bit != 0 {
                out.push(letter);
            }
        }
    }
    for (bit, letter) in [
        (class::KEYSPACE, 'K'),
        (class::KEYEVENT, 'E'),
        (class::KEY_MISS, 'm'),
    ] {
        if flags & bit != 0 {
            out.push(letter);
        }
    }
    out
}

impl Server {
    /// Publishes a keyspace event of class `class` (one of `notify::class`) named `event` for
    /// `key` in `db`, if the configured classes ask for it.
    pub(crate) fn notify_keyspace_event(&mut self, class: u32, event: &str, key: &[u8], db: usize) {
        let enabled = self.config.notify_keyspace_events;
        if enabled & class == 0 {
            return;
        }
        if enabled & class::KEYSPACE != 0 {
            let mut channel = format!("__keyspace@{db}__:").into_bytes();
            channel.extend_from_slice(key);
            self.publish(&channel, event.as_bytes(), ChannelKind::Global);
        }
        if enabled & class::KEYEVENT != 0 {
            let channel = format!("__keyevent@{db}__:{event}");
            self.publish(channel.as_bytes(), key, ChannelKind::Global);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_round_trip_like_redis() {
        assert_eq!(
            parse_classes("KEA").map(format_classes).as_deref(),
            Some("AKE")
        );
        assert_eq!(
            parse_classes("Ex$").map(format_classes).as_deref(),
            Some("$xE")
        );
        assert_eq!(parse_classes("").map(format_classes).as_deref(), Some(""));
        assert_eq!(parse_classes("Kq"), None);
        assert_eq!(
            parse_classes("AKEmn").map(format_classes).as_deref(),
            Some("AKEm")
        );
    }
}
