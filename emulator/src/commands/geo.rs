//! Geo commands: points stored in sorted sets, scored by their 52-bit geohash (see
//! `types::geohash`).
//!
//! Keyspace events Redis fires: GEOADD is ZADD underneath (`zadd`); the store forms fire
//! `georadiusstore` (GEORADIUS ... STORE) or `geosearchstore` on the destination, or `del`
//! when an empty result replaces it.

mod add;
mod query;
mod search;
mod sort;

use super::Handler;
use crate::commands::string::long_double::LongDouble;
use crate::errors;
use crate::resp::Reply;
use crate::types::geohash::{LAT_MAX, LAT_MIN, LONG_MAX, LONG_MIN};
use crate::util::{eq_ignore_case, parse_f64};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("geoadd", add::geoadd),
    ("geodist", query::geodist),
    ("geohash", query::geohash),
    ("geopos", query::geopos),
    ("georadius", search::georadius),
    ("georadius_ro", search::georadius_ro),
    ("georadiusbymember", search::georadiusbymember),
    ("georadiusbymember_ro", search::georadiusbymember_ro),
    ("geosearch", search::geosearch),
    ("geosearchstore", search::geosearchstore),
];

/// A float argument, with `error` (after `ERR `) if it is not one.
fn float_arg(arg: &[u8], error: Option<&str>) -> Result<f64, Reply> {
    parse_f64(arg).ok_or_else(|| match error {
        Some(message) => Reply::error(format!("ERR {message}")),
        None => errors::not_float(),
    })
}

/// A longitude and a latitude argument, validated against the range scores can encode.
fn lon_lat_args(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), Reply> {
    let longitude = float_arg(lon, None)?;
    let latitude = float_arg(lat, None)?;
    if !(LONG_MIN..=LONG_MAX).contains(&longitude) || !(LAT_MIN..=LAT_MAX).contains(&latitude) {
        return Err(Reply::error(format!(
            "ERR invalid longitude,latitude pair {longitude:.6},{latitude:.6}"
        )));
    }
    Ok((longitude, latitude))
}

/// A unit argument: how many meters it stands for.
fn unit_arg(arg: &[u8]) -> Result<f64, Reply> {
    let units = [("m", 1.0), ("km", 1000.0), ("ft", 0.3048), ("mi", 1609.34)];
    // Compared as C strings: an argument ends at its first NUL byte.
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    units
        .iter()
        .find(|(name, _)| eq_ignore_case(&arg[..end], name))
        .map(|&(_, meters)| meters)
        .ok_or_else(|| Reply::error("ERR unsupported unit provided. please use M, KM, FT, MI"))
}

/// A distance as Redis prints it: fixed point with four decimals, rounded half to even.
fn format_distance(distance: f64) -> String {
    if distance == 0.0 {
        return "0.0000".into();
    }
    // llrint on x86-64: values it cannot represent (NaN included) give i64::MIN.
    let rounded = (distance * 10000.0).round_ties_even();
    let scaled = if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&rounded) {
        rounded as i64
    } else {
        i64::MIN
    };
    let sign = if scaled < 0 { "-" } else { "" };
    let magnitude = scaled.unsigned_abs();
    format!("{sign}{}.{:04}", magnitude / 10000, magnitude % 10000)
}

fn distance_reply(distance: f64) -> Reply {
    Reply::Bulk(format_distance(distance).into_bytes())
}

/// A coordinate as Redis replies with it: the double printed with `%.17Lf`, trailing zeros
/// removed (a RESP3 double, a bulk string in RESP2).
fn coordinate_reply(value: f64) -> Reply {
    Reply::DoubleText(human_double(value))
}

fn human_double(value: f64) -> String {
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    let bits = value.to_bits();
    let biased_exponent = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    let (significand, exponent) = if value == 0.0 || value.is_nan() {
        (0, 0)
    } else if biased_exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased_exponent - 1075)
    };
    LongDouble::Finite {
        negative: value.is_sign_negative(),
        significand,
        exponent,
    }
    .to_human_string()
}

/// The C conversion of a double to `long long` on x86-64 (out of range gives i64::MIN).
fn double_to_i64(value: f64) -> i64 {
    if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&value) {
        value as i64
    } else {
        i64::MIN
    }
}

/// The sorted-set listpack limits, for the sets the store forms create.
fn listpack_limits_of(srv: &crate::server::Server) -> crate::types::zset::ListpackLimits {
    super::zset::listpack_limits(srv)
}

/// The reply for one coordinate pair.
fn position_reply(longitude: f64, latitude: f64) -> Reply {
    Reply::Array(vec![
        coordinate_reply(longitude),
        coordinate_reply(latitude),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_print_like_redis() {
        assert_eq!(format_distance(0.0), "0.0000");
        assert_eq!(format_distance(166274.15156960033), "166274.1516");
        assert_eq!(format_distance(0.00005), "0.0000");
        assert_eq!(format_distance(1.5), "1.5000");
        assert_eq!(format_distance(f64::NAN), "-922337203685477.5808");
    }

    #[test]
    fn coordinates_print_like_redis() {
        assert_eq!(human_double(13.361389338970184), "13.36138933897018433");
        assert_eq!(human_double(180.0), "180");
        assert_eq!(human_double(-0.0), "0");
        assert_eq!(human_double(LAT_MAX), "85.0511287799999991");
    }

    #[test]
    fn units_are_case_insensitive_c_strings() {
        assert_eq!(unit_arg(b"KM").ok(), Some(1000.0));
        assert_eq!(unit_arg(b"mi\0x").ok(), Some(1609.34));
        assert!(unit_arg(b"yd").is_err());
    }
}
