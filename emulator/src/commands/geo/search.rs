//! GEOSEARCH, GEOSEARCHSTORE and the older GEORADIUS family: the members within a circle or
//! a box, found by scanning the score ranges of the nine geohash cells that cover it.

use super::sort::{merge_sort, partial_sort};
use super::{
    coordinate_reply, distance_reply, double_to_i64, float_arg, listpack_limits_of, lon_lat_args,
    unit_arg,
};
use crate::commands::string::{is_keyword, reply_of};
use crate::commands::zset::as_zset;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::geohash::{distance_if_within, score_to_lon_lat, search_cells, Shape, ShapeKind};
use crate::types::skiplist::RangeSpec;
use crate::types::{SortedSet, Value};
use crate::util::parse_i64;

/// Which command of the family runs: where its center and size come from and what it
/// accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// GEORADIUS / GEORADIUS_RO: longitude latitude radius unit.
    Radius { store_allowed: bool },
    /// GEORADIUSBYMEMBER / _RO: member radius unit.
    RadiusByMember { store_allowed: bool },
    /// GEOSEARCH / GEOSEARCHSTORE: FROMMEMBER|FROMLONLAT and BYRADIUS|BYBOX options.
    Search { store: bool },
}

pub(super) fn georadius(srv: &mut Server, call: &mut Call) -> Reply {
    run(
        srv,
        call,
        Variant::Radius {
            store_allowed: true,
        },
    )
}

pub(super) fn georadius_ro(srv: &mut Server, call: &mut Call) -> Reply {
    run(
        srv,
        call,
        Variant::Radius {
            store_allowed: false,
        },
    )
}

pub(super) fn georadiusbymember(srv: &mut Server, call: &mut Call) -> Reply {
    run(
        srv,
        call,
        Variant::RadiusByMember {
            store_allowed: true,
        },
    )
}

pub(super) fn georadiusbymember_ro(srv: &mut Server, call: &mut Call) -> Reply {
    run(
        srv,
        call,
        Variant::RadiusByMember {
            store_allowed: false,
        },
    )
}

pub(super) fn geosearch(srv: &mut Server, call: &mut Call) -> Reply {
    run(srv, call, Variant::Search { store: false })
}

pub(super) fn geosearchstore(srv: &mut Server, call: &mut Call) -> Reply {
    run(srv, call, Variant::Search { store: true })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Unsorted,
    Ascending,
    Descending,
}

/// Where results go: to the client, or into a sorted set scored by geohash or distance.
struct Store {
    key: Vec<u8>,
    distances: bool,
}

/// Everything the arguments asked for.
struct Request {
    store: Option<Store>,
    with_dist: bool,
    with_hash: bool,
    with_coord: bool,
    order: Order,
    /// 0 for no limit.
    count: usize,
    /// Stop once `count` matches are found, instead of returning the nearest ones.
    any: bool,
    shape: Shape,
}

/// A member found in the area.
struct Point {
    member: Vec<u8>,
    score: f64,
    longitude: f64,
    latitude: f64,
    /// In meters while searching, in the requested unit once reported.
    distance: f64,
}

fn run(srv: &mut Server, call: &mut Call, variant: Variant) -> Reply {
    reply_of(search_command(srv, call, variant))
}

fn search_command(srv: &mut Server, call: &Call, variant: Variant) -> Result<Reply, Reply> {
    let source_index = if variant == (Variant::Search { store: true }) {
        2
    } else {
        1
    };
    let limits = listpack_limits_of(srv);
    let zset = match srv.lookup_read(call.db, call.arg(source_index), call.now) {
        None => None,
        Some(entry) => Some(as_zset(entry)?),
    };
    let request = parse(call, variant, zset)?;
    let Some(zset) = zset else {
        // No source: nothing is searched, but a destination is still emptied.
        return Ok(match request.store {
            Some(store) => {
                delete_destination(srv, call, &store.key);
                Reply::Integer(0)
            }
            None => Reply::Array(Vec::new()),
        });
    };
    let limit = if request.any { request.count } else { 0 };
    let mut points = points_in_area(zset, &request.shape, limit);
    if points.is_empty() && request.store.is_none() {
        return Ok(Reply::Array(Vec::new()));
    }
    let returned = if request.count == 0 {
        points.len()
    } else {
        points.len().min(request.count)
    };
    let order = sort_order(&points, request.order, returned);
    let conversion = request.shape.conversion;
    for point in &mut points {
        point.distance /= conversion;
    }
    let chosen = order
        .into_iter()
        .take(returned)
        .filter_map(|i| points.get(i));
    match &request.store {
        None => Ok(Reply::Array(
            chosen.map(|point| point_reply(point, &request)).collect(),
        )),
        Some(store) => {
            let mut result = SortedSet::new(false);
            let mut longest = 0;
            for point in chosen {
                let score = if store.distances {
                    point.distance
                } else {
                    point.score
                };
                longest = longest.max(point.member.len());
                match result.score(&point.member) {
                    Some(_) => result.set_score(&point.member, score),
                    None => result.insert(&point.member, score, limits),
                }
            }
            let stored = result.len();
            if stored > 0 {
                result.shrink_if_fits(limits, longest);
                srv.lookup_write(call.db, &store.key, call.now);
                srv.set_value(
                    call.db,
                    &store.key,
                    Value::ZSet(Box::new(result)),
                    false,
                    call.now,
                );
                let event = if matches!(variant, Variant::Search { .. }) {
                    "geosearchstore"
                } else {
                    "georadiusstore"
                };
                srv.notify_keyspace_event(class::ZSET, event, &store.key, call.db);
                srv.add_dirty(returned as u64);
            } else {
                delete_destination(srv, call, &store.key);
            }
            Ok(Reply::Integer(returned as i64))
        }
    }
}

fn delete_destination(srv: &mut Server, call: &Call, key: &[u8]) {
    if srv.delete_key(call.db, key) {
        srv.notify_keyspace_event(class::GENERIC, "del", key, call.db);
        srv.add_dirty(1);
    }
}

/// The position of a member, or Redis's error if it is not in the set.
fn member_position(zset: &SortedSet, member: &[u8]) -> Result<(f64, f64), Reply> {
    zset.score(member)
        .map(score_to_lon_lat)
        .ok_or_else(|| Reply::error("ERR could not decode requested zset member"))
}

/// A radius and its unit: the radius and the meters per unit.
fn radius_args(radius: &[u8], unit: &[u8]) -> Result<(f64, f64), Reply> {
    let radius = float_arg(radius, Some("need numeric radius"))?;
    if radius < 0.0 {
        return Err(Reply::error("ERR radius cannot be negative"));
    }
    Ok((radius, unit_arg(unit)?))
}

/// A box's width, height and unit.
fn box_args(width: &[u8], height: &[u8], unit: &[u8]) -> Result<(f64, f64, f64), Reply> {
    let width = float_arg(width, Some("need numeric width"))?;
    let height = float_arg(height, Some("need numeric height"))?;
    if height < 0.0 || width < 0.0 {
        return Err(Reply::error("ERR height or width cannot be negative"));
    }
    Ok((width, height, unit_arg(unit)?))
}

/// Reads the arguments in Redis's order, reporting the first error it would report.
fn parse(call: &Call, variant: Variant, zset: Option<&SortedSet>) -> Result<Request, Reply> {
    let mut request = Request {
        store: None,
        with_dist: false,
        with_hash: false,
        with_coord: false,
        order: Order::Unsorted,
        count: 0,
        any: false,
        shape: Shape {
            longitude: 0.0,
            latitude: 0.0,
            kind: ShapeKind::Radius(0.0),
            conversion: 0.0,
        },
    };
    let shape = &mut request.shape;
    let (first_option, store_allowed, search) = match variant {
        Variant::Radius { store_allowed } => {
            (shape.longitude, shape.latitude) = lon_lat_args(call.arg(2), call.arg(3))?;
            let (radius, conversion) = radius_args(call.arg(4), call.arg(5))?;
            shape.kind = ShapeKind::Radius(radius);
            shape.conversion = conversion;
            (6, store_allowed, false)
        }
        Variant::RadiusByMember { store_allowed } => {
            // Without a source the center and radius are not even read.
            if let Some(zset) = zset {
                (shape.longitude, shape.latitude) = member_position(zset, call.arg(2))?;
                let (radius, conversion) = radius_args(call.arg(3), call.arg(4))?;
                shape.kind = ShapeKind::Radius(radius);
                shape.conversion = conversion;
            }
            (5, store_allowed, false)
        }
        Variant::Search { store } => {
            if store {
                request.store = Some(Store {
                    key: call.arg(1).to_vec(),
                    distances: false,
                });
                (3, false, true)
            } else {
                (2, false, true)
            }
        }
    };
    let search_store = variant == Variant::Search { store: true };
    let (mut from_member, mut from_lon_lat, mut by_radius, mut by_box) =
        (false, false, false, false);
    let args = &call.argv[first_option.min(call.argc())..];
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let remaining = args.len() - i;
        let shape = &mut request.shape;
        if is_keyword(arg, "withdist") {
            request.with_dist = true;
        } else if is_keyword(arg, "withhash") {
            request.with_hash = true;
        } else if is_keyword(arg, "withcoord") {
            request.with_coord = true;
        } else if is_keyword(arg, "any") {
            request.any = true;
        } else if is_keyword(arg, "asc") {
            request.order = Order::Ascending;
        } else if is_keyword(arg, "desc") {
            request.order = Order::Descending;
        } else if is_keyword(arg, "count") && remaining > 1 {
            let count = parse_i64(&args[i + 1]).ok_or_else(errors::not_integer)?;
            if count <= 0 {
                return Err(Reply::error("ERR COUNT must be > 0"));
            }
            request.count = usize::try_from(count).unwrap_or(usize::MAX);
            i += 1;
        } else if (is_keyword(arg, "store") || is_keyword(arg, "storedist"))
            && remaining > 1
            && store_allowed
        {
            request.store = Some(Store {
                key: args[i + 1].clone(),
                distances: is_keyword(arg, "storedist"),
            });
            i += 1;
        } else if is_keyword(arg, "storedist") && search_store {
            if let Some(store) = &mut request.store {
                store.distances = true;
            }
        } else if is_keyword(arg, "frommember") && remaining > 1 && search && !from_lon_lat {
            if let Some(zset) = zset {
                (shape.longitude, shape.latitude) = member_position(zset, &args[i + 1])?;
            }
            from_member = true;
            i += 1;
        } else if is_keyword(arg, "fromlonlat") && remaining > 2 && search && !from_member {
            (shape.longitude, shape.latitude) = lon_lat_args(&args[i + 1], &args[i + 2])?;
            from_lon_lat = true;
            i += 2;
        } else if is_keyword(arg, "byradius") && remaining > 2 && search && !by_box {
            let (radius, conversion) = radius_args(&args[i + 1], &args[i + 2])?;
            shape.kind = ShapeKind::Radius(radius);
            shape.conversion = conversion;
            by_radius = true;
            i += 2;
        } else if is_keyword(arg, "bybox") && remaining > 3 && search && !by_radius {
            let (width, height, conversion) = box_args(&args[i + 1], &args[i + 2], &args[i + 3])?;
            shape.kind = ShapeKind::Box { width, height };
            shape.conversion = conversion;
            by_box = true;
            i += 3;
        } else {
            return Err(errors::syntax());
        }
        i += 1;
    }

    if request.store.is_some() && (request.with_dist || request.with_hash || request.with_coord) {
        let what = if search_store {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return Err(Reply::error(format!(
            "ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        )));
    }
    let name = || {
        let arg = call.arg(0);
        let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
        String::from_utf8_lossy(&arg[..end]).into_owned()
    };
    if search && !(from_member || from_lon_lat) {
        return Err(Reply::error(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {}",
            name()
        )));
    }
    if search && !(by_radius || by_box) {
        return Err(Reply::error(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {}",
            name()
        )));
    }
    if request.any && request.count == 0 {
        return Err(Reply::error("ERR the ANY argument requires COUNT argument"));
    }
    // The nearest COUNT points need sorting (ANY takes the first found instead).
    if request.count != 0 && request.order == Order::Unsorted && !request.any {
        request.order = Order::Ascending;
    }
    Ok(request)
}

/// Scores from `min` (included) up to `max` (excluded): the members of one geohash cell.
struct CellScores {
    min: f64,
    max: f64,
}

impl RangeSpec for CellScores {
    fn is_empty(&self) -> bool {
        self.min.partial_cmp(&self.max) != Some(std::cmp::Ordering::Less)
    }
    fn above_min(&self, score: f64, _: &[u8]) -> bool {
        score >= self.min
    }
    fn below_max(&self, score: f64, _: &[u8]) -> bool {
        score < self.max
    }
}

/// The members inside the shape, cell after cell; with a `limit`, stops once that many are
/// found.
fn points_in_area(zset: &SortedSet, shape: &Shape, limit: usize) -> Vec<Point> {
    let cells = search_cells(shape).in_order();
    let mut points = Vec::new();
    let enough = |points: &Vec<Point>| limit > 0 && points.len() >= limit;
    // Index of the cell scanned last; 0 also stands for "none yet".
    let mut last_scanned = 0;
    for (i, cell) in cells.iter().enumerate() {
        if cell.is_none() {
            continue;
        }
        // Huge areas make neighbours coincide: a cell equal to the one scanned just before
        // is skipped (Redis does not make that check right after the center cell).
        if last_scanned != 0 && cells.get(last_scanned) == Some(cell) {
            continue;
        }
        if enough(&points) {
            break;
        }
        let (min, max) = cell.score_range();
        let range = CellScores {
            min: min as f64,
            max: max as f64,
        };
        for (member, score) in zset.iter_from_range(&range, false) {
            if !range.below_max(score, member) {
                break;
            }
            let (longitude, latitude) = score_to_lon_lat(score);
            if let Some(distance) = distance_if_within(shape, longitude, latitude) {
                points.push(Point {
                    member: member.to_vec(),
                    score,
                    longitude,
                    latitude,
                    distance,
                });
            }
            if enough(&points) {
                break;
            }
        }
        last_scanned = i;
    }
    points
}

/// The order of the points to report: by distance if asked (fully sorted, or only the first
/// `returned` ranks when fewer are returned), else as found.
fn sort_order(points: &[Point], order: Order, returned: usize) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..points.len()).collect();
    let distance = |i: &usize| points.get(*i).map_or(0.0, |p| p.distance);
    // A C comparator: NaN distances compare as "less" both ways, as in Redis.
    let ascending = |a: &usize, b: &usize| {
        let (a, b) = (distance(a), distance(b));
        if a > b {
            1
        } else if a == b {
            0
        } else {
            -1
        }
    };
    let descending = |a: &usize, b: &usize| -ascending(a, b);
    let compare: &dyn Fn(&usize, &usize) -> i32 = match order {
        Order::Unsorted => return indices,
        Order::Ascending => &ascending,
        Order::Descending => &descending,
    };
    if returned == points.len() {
        merge_sort(&mut indices, &compare);
    } else if returned > 0 {
        partial_sort(&mut indices, &compare, 0, returned - 1);
    }
    indices
}

/// One result: the member alone, or with the distance, hash and coordinates asked for.
fn point_reply(point: &Point, request: &Request) -> Reply {
    let member = Reply::bulk(&point.member);
    if !(request.with_dist || request.with_hash || request.with_coord) {
        return member;
    }
    let mut items = vec![member];
    if request.with_dist {
        items.push(distance_reply(point.distance));
    }
    if request.with_hash {
        items.push(Reply::Integer(double_to_i64(point.score)));
    }
    if request.with_coord {
        items.push(Reply::Array(vec![
            coordinate_reply(point.longitude),
            coordinate_reply(point.latitude),
        ]));
    }
    Reply::Array(items)
}
