//! SSCAN, and the cursor and option parsing it shares with ZSCAN (Redis's
//! scanGenericCommand).

use super::as_set;
use crate::commands::string::{is_keyword, reply_of};
use crate::errors;
use crate::glob;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::SetValue;
use crate::util::parse_i64;

/// A scan cursor (see `keys::scan::parse_cursor`), with Redis's error for a bad one.
pub(crate) fn parse_cursor(arg: &[u8]) -> Result<u64, Reply> {
    crate::commands::keys::scan::parse_cursor(arg).ok_or_else(|| Reply::error("ERR invalid cursor"))
}

/// The COUNT and MATCH options after a scan's cursor.
pub(crate) struct ScanOptions {
    pub count: usize,
    pub pattern: Option<Vec<u8>>,
}

impl ScanOptions {
    /// Parses the options from argument `first` on.
    pub(crate) fn parse(argv: &[Vec<u8>], first: usize) -> Result<ScanOptions, Reply> {
        let mut options = ScanOptions {
            count: 10,
            pattern: None,
        };
        let mut i = first;
        while i < argv.len() {
            let has_value = i + 1 < argv.len();
            if is_keyword(&argv[i], "count") && has_value {
                let count = parse_i64(&argv[i + 1]).ok_or_else(errors::not_integer)?;
                if count < 1 {
                    return Err(errors::syntax());
                }
                options.count = usize::try_from(count).unwrap_or(usize::MAX);
            } else if is_keyword(&argv[i], "match") && has_value {
                let pattern = &argv[i + 1];
                // A lone `*` matches everything, empty members included.
                options.pattern = (pattern.as_slice() != b"*").then(|| pattern.clone());
            } else {
                return Err(errors::syntax());
            }
            i += 2;
        }
        Ok(options)
    }

    pub(crate) fn matches(&self, member: &[u8]) -> bool {
        self.pattern
            .as_ref()
            .is_none_or(|p| glob::matches(p, member, false))
    }
}

/// A scan reply: the next cursor and the elements.
pub(crate) fn scan_reply(cursor: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![Reply::bulk(cursor.to_string()), Reply::Array(items)])
}

pub(super) fn sscan(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(sscan_reply(srv, call))
}

fn sscan_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let cursor = parse_cursor(call.arg(2))?;
    let Some(entry) = srv.lookup_read(call.db, call.arg(1), call.now) else {
        return Ok(scan_reply(0, Vec::new()));
    };
    let set = as_set(entry)?;
    let options = ScanOptions::parse(&call.argv, 3)?;
    let mut items = Vec::new();
    let next = match set {
        // An intset is small: it is returned whole.
        SetValue::IntSet(_) => {
            for member in set.iter() {
                let bytes = member.to_vec();
                if options.matches(&bytes) {
                    items.push(Reply::Bulk(bytes));
                }
            }
            0
        }
        SetValue::Table(table) => table.scan(cursor, options.count, |member| {
            if options.matches(member) {
                items.push(Reply::bulk(member));
            }
        }),
    };
    Ok(scan_reply(next, items))
}
