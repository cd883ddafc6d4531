//! ZSCAN.

use super::as_zset;
use crate::commands::set::scan::{parse_cursor, scan_reply, ScanOptions};
use crate::commands::string::reply_of;
use crate::resp::{format_double, Reply};
use crate::server::{Call, Server};
use crate::util::format_g;

pub(super) fn zscan(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(zscan_reply(srv, call))
}

fn zscan_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let cursor = parse_cursor(call.arg(2))?;
    let Some(entry) = srv.lookup_read(call.db, call.arg(1), call.now) else {
        return Ok(scan_reply(0, Vec::new()));
    };
    let zset = as_zset(entry)?;
    let options = ScanOptions::parse(&call.argv, 3)?;
    let mut items = Vec::new();
    let next = if zset.is_listpack() {
        // A listpack is small: it is returned whole, scores as the listpack stores them.
        for (member, score) in zset.iter() {
            if options.matches(member) {
                items.push(Reply::bulk(member));
                items.push(Reply::bulk(listpack_score_text(score)));
            }
        }
        0
    } else {
        zset.scan(cursor, options.count, |member, score| {
            if options.matches(member) {
                items.push(Reply::bulk(member));
                items.push(Reply::bulk(format_double(score)));
            }
        })
    };
    Ok(scan_reply(next, items))
}

/// A score as a listpack holds it (Redis's d2string, or an integer entry): integral values
/// within ±2^62 in plain decimal, others in `%.17g`.
fn listpack_score_text(score: f64) -> String {
    const HALF_RANGE: f64 = (i64::MAX / 2) as f64;
    if score.is_infinite() || score.is_nan() {
        return format_double(score);
    }
    if score == 0.0 {
        return if score.is_sign_negative() { "-0" } else { "0" }.into();
    }
    if (-HALF_RANGE..=HALF_RANGE).contains(&score) && score.fract() == 0.0 {
        return (score as i64).to_string();
    }
    format_g(score, 17)
}

#[cfg(test)]
mod tests {
    use super::listpack_score_text;

    #[test]
    fn listpack_scores_print_like_redis() {
        assert_eq!(listpack_score_text(1e18), "1000000000000000000");
        assert_eq!(listpack_score_text(1.5), "1.5");
        assert_eq!(
            listpack_score_text(123456789012345678.0),
            "123456789012345680"
        );
        assert_eq!(listpack_score_text(5e18), "5e+18");
        assert_eq!(listpack_score_text(f64::NEG_INFINITY), "-inf");
    }
}
