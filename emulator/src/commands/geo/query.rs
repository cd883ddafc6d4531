//! GEOPOS, GEODIST and GEOHASH: reading the positions of members.

use super::{distance_reply, position_reply, unit_arg};
use crate::commands::string::reply_of;
use crate::commands::zset::as_zset;
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::geohash::{distance, score_to_geohash_string, score_to_lon_lat};
use crate::types::SortedSet;

/// The sorted set at `key` for reading (None if missing), or WRONGTYPE.
fn read_geo<'a>(
    srv: &'a mut Server,
    call: &Call,
    key: &[u8],
) -> Result<Option<&'a SortedSet>, Reply> {
    match srv.lookup_read(call.db, key, call.now) {
        None => Ok(None),
        Some(entry) => as_zset(entry).map(Some),
    }
}

/// GEOPOS key [member ...]
pub(super) fn geopos(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(read_geo(srv, call, call.arg(1)).map(|zset| {
        let positions =
            call.argv[2..]
                .iter()
                .map(|member| match zset.and_then(|z| z.score(member)) {
                    Some(score) => {
                        let (longitude, latitude) = score_to_lon_lat(score);
                        position_reply(longitude, latitude)
                    }
                    None => Reply::NullArray,
                });
        Reply::Array(positions.collect())
    }))
}

/// GEOHASH key [member ...]
pub(super) fn geohash(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(read_geo(srv, call, call.arg(1)).map(|zset| {
        let hashes = call.argv[2..]
            .iter()
            .map(|member| match zset.and_then(|z| z.score(member)) {
                Some(score) => Reply::bulk(score_to_geohash_string(score)),
                None => Reply::Null,
            });
        Reply::Array(hashes.collect())
    }))
}

/// GEODIST key member1 member2 [M|KM|FT|MI]
pub(super) fn geodist(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(geodist_reply(srv, call))
}

fn geodist_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    // The unit is checked before the key is read.
    let meters_per_unit = match call.argc() {
        5 => unit_arg(call.arg(4))?,
        4 => 1.0,
        _ => return Err(errors::syntax()),
    };
    let Some(zset) = read_geo(srv, call, call.arg(1))? else {
        return Ok(Reply::Null);
    };
    let (Some(first), Some(second)) = (zset.score(call.arg(2)), zset.score(call.arg(3))) else {
        return Ok(Reply::Null);
    };
    let (lon1, lat1) = score_to_lon_lat(first);
    let (lon2, lat2) = score_to_lon_lat(second);
    Ok(distance_reply(
        distance(lon1, lat1, lon2, lat2) / meters_per_unit,
    ))
}
