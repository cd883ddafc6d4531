//! ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX.

use super::as_zset_mut;
use super::query::rank_window;
use super::ranges::{LexRange, ScoreRange};
use crate::commands::string::{int_arg, reply_of};
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};

enum Range {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

impl Range {
    /// The keyspace event of a removal.
    fn event(&self) -> &'static str {
        match self {
            Range::Rank(..) => "zremrangebyrank",
            Range::Score(_) => "zremrangebyscore",
            Range::Lex(_) => "zremrangebylex",
        }
    }
}

pub(super) fn zremrangebyrank(srv: &mut Server, call: &mut Call) -> Reply {
    let range = int_arg(call.arg(2)).and_then(|s| Ok(Range::Rank(s, int_arg(call.arg(3))?)));
    reply_of(range.and_then(|r| remove_range(srv, call, r)))
}

pub(super) fn zremrangebyscore(srv: &mut Server, call: &mut Call) -> Reply {
    let range = ScoreRange::parse(call.arg(2), call.arg(3)).map(Range::Score);
    reply_of(range.and_then(|r| remove_range(srv, call, r)))
}

pub(super) fn zremrangebylex(srv: &mut Server, call: &mut Call) -> Reply {
    let range = LexRange::parse(call.arg(2), call.arg(3)).map(Range::Lex);
    reply_of(range.and_then(|r| remove_range(srv, call, r)))
}

fn remove_range(srv: &mut Server, call: &Call, range: Range) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let Some(entry) = srv.lookup_write(call.db, key, call.now) else {
        return Ok(Reply::Integer(0));
    };
    let zset = as_zset_mut(entry)?;
    let removed = match &range {
        Range::Rank(start, end) => {
            let (first, len) = rank_window(*start, *end, zset.len());
            if len == 0 {
                return Ok(Reply::Integer(0));
            }
            zset.remove_rank_range(first, first + len - 1)
        }
        Range::Score(r) => zset.remove_range(r),
        Range::Lex(r) => zset.remove_range(r),
    };
    let emptied = zset.is_empty();
    if emptied {
        srv.delete_key(call.db, key);
    }
    if removed > 0 {
        srv.key_modified(call.db, key);
        srv.notify_keyspace_event(class::ZSET, range.event(), key, call.db);
        if emptied {
            srv.notify_keyspace_event(class::GENERIC, "del", key, call.db);
        }
    }
    srv.add_dirty(removed as u64);
    Ok(Reply::Integer(removed as i64))
}
