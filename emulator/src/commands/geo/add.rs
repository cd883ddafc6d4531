//! GEOADD: ZADD with scores computed from coordinates.

use super::lon_lat_args;
use crate::commands::string::is_keyword;
use crate::commands::Registry;
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::geohash::lon_lat_to_score;

/// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
pub(super) fn geoadd(srv: &mut Server, call: &mut Call) -> Reply {
    let zadd_argv = match zadd_arguments(call) {
        Ok(argv) => argv,
        Err(e) => return e,
    };
    let Some(zadd) = Registry::get().command("zadd") else {
        return errors::syntax();
    };
    // Redis rewrites the command into a ZADD and runs it; what the client sent is what
    // MONITOR and the slow log show, so the original arguments are put back afterwards,
    // while the AOF records the ZADD.
    if srv.propagation_wanted() {
        srv.rewrite_argv(zadd_argv.clone());
    }
    let original = std::mem::replace(&mut call.argv, zadd_argv);
    let reply = (zadd.handler)(srv, call);
    call.argv = original;
    reply
}

/// The ZADD command line equivalent to this GEOADD, or GEOADD's error.
fn zadd_arguments(call: &Call) -> Result<Vec<Vec<u8>>, Reply> {
    let mut first_point = 2;
    let (mut nx, mut xx) = (false, false);
    while first_point < call.argc() {
        let opt = call.arg(first_point);
        if is_keyword(opt, "nx") {
            nx = true;
        } else if is_keyword(opt, "xx") {
            xx = true;
        } else if !is_keyword(opt, "ch") {
            break;
        }
        first_point += 1;
    }
    let points = &call.argv[first_point..];
    if !points.len().is_multiple_of(3) || (nx && xx) {
        return Err(errors::syntax());
    }
    let mut argv = Vec::with_capacity(first_point + points.len() / 3 * 2);
    argv.push(b"zadd".to_vec());
    argv.extend(call.argv[1..first_point].iter().cloned());
    for point in points.chunks(3) {
        let (longitude, latitude) = lon_lat_args(&point[0], &point[1])?;
        let score = lon_lat_to_score(longitude, latitude);
        argv.push(score.to_string().into_bytes());
        argv.push(point[2].clone());
    }
    Ok(argv)
}
