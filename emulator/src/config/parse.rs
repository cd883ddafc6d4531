//! Parsing, validating and printing parameter values with Redis's rules and error texts.

use super::params::{Kind, NumType, Param, MEMORY, MULTI_ARG, OCTAL, PERCENT};
use super::{Config, OutputBufferLimit, SaveRule};

/// Sets `param` from one CONFIG SET / configuration-file value. On failure returns the text
/// Redis puts after "CONFIG SET failed (possibly related to argument '...') - ".
pub(crate) fn set_param(config: &mut Config, param: &Param, value: &[u8]) -> Result<(), String> {
    match &param.kind {
        Kind::Bool { set, check, .. } => {
            let v = yes_no(c_str(value)).ok_or("argument must be 'yes' or 'no'")?;
            if let Some(check) = check {
                check(v)?;
            }
            set(config, v);
        }
        Kind::Str { set, check, .. } => {
            let v = c_str(value);
            if let Some(check) = check {
                check(v, config)?;
            }
            set(config, v.to_vec());
        }
        Kind::Sds { set, .. } => set(config, (!value.is_empty()).then(|| value.to_vec())),
        Kind::Enum {
            set, values, check, ..
        } => {
            let args = split_args(param, value);
            let v = enum_value(values, &args, param.has(MULTI_ARG))
                .ok_or_else(|| enum_error(values))?;
            if let Some(check) = check {
                check(v)?;
            }
            set(config, v);
        }
        Kind::Numeric {
            set,
            ty,
            lower,
            upper,
            format,
            ..
        } => {
            let v = parse_number(c_str(value), *format)?;
            check_bounds(v, *ty, *lower, *upper, *format)?;
            set(config, v);
            // Values Redis adjusts when applying them (and then reports adjusted).
            match param.name {
                "hz" => config.hz = config.hz.clamp(1, 500),
                "repl-backlog-size" => {
                    config.repl_backlog_size = config.repl_backlog_size.max(16 * 1024)
                }
                _ => {}
            }
        }
        Kind::Special { set, .. } => set(config, &split_args(param, value))?,
    }
    Ok(())
}

/// The value as CONFIG GET prints it.
pub(crate) fn format_param(param: &Param, config: &Config) -> Vec<u8> {
    match &param.kind {
        Kind::Bool { get, .. } => yes_no_text(get(config)).into(),
        Kind::Str { get, .. } => get(config).to_vec(),
        Kind::Sds { get, .. } => get(config).unwrap_or_default().to_vec(),
        Kind::Enum { get, values, .. } => {
            enum_names(values, get(config), param.has(MULTI_ARG)).into_bytes()
        }
        Kind::Numeric { get, format, .. } => {
            let v = get(config);
            let text = if format & PERCENT != 0 && v < 0 {
                format!("{}%", v.unsigned_abs())
            } else if format & MEMORY != 0 {
                (v as u64).to_string()
            } else if format & OCTAL != 0 {
                format!("{:o}", v as u64)
            } else {
                v.to_string()
            };
            text.into_bytes()
        }
        Kind::Special { get, .. } => get(config),
    }
}

/// A C string's view: Redis stores these values with `strdup`, which stops at NUL.
fn c_str(v: &[u8]) -> &[u8] {
    match v.iter().position(|&b| b == 0) {
        Some(i) => &v[..i],
        None => v,
    }
}

fn yes_no(v: &[u8]) -> Option<bool> {
    if v.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if v.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}

fn yes_no_text(v: bool) -> &'static str {
    if v {
        "yes"
    } else {
        "no"
    }
}

/// Multi-argument values are split on every single space (an empty value is no arguments).
fn split_args<'a>(param: &Param, value: &'a [u8]) -> Vec<&'a [u8]> {
    if !param.has(MULTI_ARG) {
        return vec![value];
    }
    if value.is_empty() {
        return Vec::new();
    }
    value.split(|&b| b == b' ').collect()
}

fn enum_value(values: &[(&str, i32)], args: &[&[u8]], bitflags: bool) -> Option<i32> {
    if args.is_empty() || (!bitflags && args.len() != 1) {
        return None;
    }
    let mut result = 0;
    for arg in args {
        let arg = c_str(arg);
        let mut matched = false;
        for (name, v) in values {
            if name.as_bytes().eq_ignore_ascii_case(arg) {
                result |= v;
                matched = true;
            }
        }
        if !matched {
            return None;
        }
    }
    Some(result)
}

fn enum_error(values: &[(&str, i32)]) -> String {
    let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
    format!(
        "argument(s) must be one of the following: {}",
        names.join(", ")
    )
}

/// An enumerated value's name; for bit flags, the names of its bits in table order.
fn enum_names(values: &[(&str, i32)], v: i32, bitflags: bool) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut unmatched = v;
    for (name, code) in values {
        if *code == v {
            return name.to_string();
        }
        if bitflags && *code != 0 && *code == unmatched & code {
            names.push(name);
            unmatched &= !code;
        }
    }
    if names.is_empty() || unmatched != 0 {
        return "unknown".into();
    }
    names.join(" ")
}

/// Redis's `memtoull`: digits with an optional unit (b, k, kb, m, mb, g, gb, any case).
/// Overflow saturates then wraps, as the C code does.
pub(crate) fn memtoull(v: &[u8]) -> Option<u64> {
    if v.first() == Some(&b'-') {
        return None;
    }
    let digits = v.iter().take_while(|b| b.is_ascii_digit()).count();
    let unit = &v[digits..];
    let multiplier: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits >= 128 {
        return None;
    }
    let value = v[..digits].iter().fold(0u64, |acc, d| {
        acc.checked_mul(10)
            .and_then(|a| a.checked_add(u64::from(d - b'0')))
            .unwrap_or(u64::MAX)
    });
    Some(value.wrapping_mul(multiplier))
}

/// C's `strtoll(s, &end, base)`: leading whitespace, a sign, digits; saturates on overflow.
/// Returns the value and whether the whole string was consumed (no digits consumes nothing).
pub(crate) fn strtoll(s: &[u8], base: u32) -> (i64, bool) {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let negative = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let start = i;
    let mut magnitude: u128 = 0;
    while let Some(d) = s.get(i).and_then(|&b| (b as char).to_digit(base)) {
        magnitude = (magnitude * u128::from(base) + u128::from(d)).min(1 << 64);
        i += 1;
    }
    if i == start {
        return (0, s.is_empty());
    }
    let value = if negative {
        i64::try_from(-(magnitude as i128)).unwrap_or(i64::MIN)
    } else {
        i64::try_from(magnitude).unwrap_or(i64::MAX)
    };
    (value, i == s.len())
}

fn parse_number(v: &[u8], format: u8) -> Result<i64, String> {
    if format & MEMORY != 0 {
        if let Some(n) = memtoull(v) {
            return Ok(n as i64);
        }
    }
    if format & PERCENT != 0 && v.len() > 1 && v.last() == Some(&b'%') {
        if let Some(n) = crate::util::parse_i64(&v[..v.len() - 1]).filter(|n| *n >= 0) {
            // Percentages are stored negated.
            return Ok(-n);
        }
    }
    if format & OCTAL != 0 {
        let (n, whole) = strtoll(v, 8);
        if whole && !v.is_empty() {
            return Ok(n);
        }
    }
    if format == 0 {
        if let Some(n) = crate::util::parse_i64(v) {
            return Ok(n);
        }
    }
    Err(if format & MEMORY != 0 && format & PERCENT != 0 {
        "argument must be a memory or percent value"
    } else if format & MEMORY != 0 {
        "argument must be a memory value"
    } else if format & OCTAL != 0 {
        "argument couldn't be parsed as an octal number"
    } else {
        "argument couldn't be parsed into an integer"
    }
    .into())
}

fn check_bounds(v: i64, ty: NumType, lower: i64, upper: i64, format: u8) -> Result<(), String> {
    if ty.is_unsigned_checked() {
        let (v, lower, upper) = (v as u64, lower as u64, upper as u64);
        if v > upper || v < lower {
            return Err(if format & OCTAL != 0 {
                format!("argument must be between {lower:o} and {upper:o} inclusive")
            } else {
                format!("argument must be between {lower} and {upper} inclusive")
            });
        }
    } else if format & PERCENT != 0 && v < 0 {
        if v < lower {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                lower.unsigned_abs()
            ));
        }
    } else if v > upper || v < lower {
        return Err(format!(
            "argument must be between {lower} and {upper} inclusive"
        ));
    }
    Ok(())
}

// ----- validity checks of particular parameters -----

pub(super) fn active_defrag_check(enable: bool) -> Result<(), &'static str> {
    if enable {
        // Our allocator is not jemalloc: the same answer as a Redis built without it.
        return Err("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution");
    }
    Ok(())
}

fn is_base_name(v: &[u8]) -> bool {
    !v.contains(&b'/') && !v.contains(&b'\\')
}

pub(super) fn dbfilename_check(v: &[u8], _: &Config) -> Result<(), &'static str> {
    if !is_base_name(v) {
        return Err("dbfilename can't be a path, just a filename");
    }
    Ok(())
}

pub(super) fn appendfilename_check(v: &[u8], _: &Config) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("appendfilename can't be empty");
    }
    if !is_base_name(v) {
        return Err("appendfilename can't be a path, just a filename");
    }
    Ok(())
}

pub(super) fn appenddirname_check(v: &[u8], _: &Config) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("appenddirname can't be empty");
    }
    if !is_base_name(v) {
        return Err("appenddirname can't be a path, just a dirname");
    }
    Ok(())
}

pub(super) fn hostname_check(v: &[u8], _: &Config) -> Result<(), &'static str> {
    if v.len() >= 256 {
        return Err("Hostnames must be less than 256 characters");
    }
    if !v
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
    {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots");
    }
    Ok(())
}

/// A process title template must expand (known `{variables}` only, `{{` for a brace) to
/// something non-blank when the title itself is empty.
pub(super) fn proc_title_check(v: &[u8], config: &Config) -> Result<(), &'static str> {
    const INVALID: &str = "template format is invalid or contains unknown variables";
    let mut out: Vec<u8> = Vec::new();
    let mut rest = v;
    while !rest.is_empty() {
        let Some(open) = rest.iter().position(|&b| b == b'{') else {
            out.extend_from_slice(rest);
            break;
        };
        out.extend_from_slice(&rest[..open]);
        let after = &rest[open + 1..];
        match after.first() {
            None => return Err(INVALID),
            Some(b'{') => {
                out.push(b'{');
                rest = &after[1..];
                continue;
            }
            _ => {}
        }
        let close = after.iter().position(|&b| b == b'}').ok_or(INVALID)?;
        let value: Vec<u8> = match &after[..close] {
            b"title" | b"server-mode" => Vec::new(),
            b"listen-addr" => {
                let addr = config.bind.first().map(Vec::as_slice).unwrap_or(b"*");
                [addr, b":", config.port.to_string().as_bytes()].concat()
            }
            b"config-file" => b"-".to_vec(),
            b"port" => config.port.to_string().into_bytes(),
            b"tls-port" => b"0".to_vec(),
            b"unixsocket" => config.unixsocket.clone(),
            _ => return Err(INVALID),
        };
        out.extend_from_slice(&value);
        rest = &after[close + 1..];
    }
    if out.iter().all(|&b| b == b' ') {
        return Err(INVALID);
    }
    Ok(())
}

pub(super) fn shutdown_flags_check(v: i32) -> Result<(), &'static str> {
    const SAVE: i32 = 1;
    const NOSAVE: i32 = 2;
    if v & SAVE != 0 && v & NOSAVE != 0 {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously");
    }
    Ok(())
}

// ----- parameters with their own syntax -----

pub(super) fn get_dir(c: &Config) -> Vec<u8> {
    c.dir.clone()
}

pub(super) fn set_dir(c: &mut Config, args: &[&[u8]]) -> Result<(), String> {
    let [dir] = args else {
        return Err("wrong number of arguments".into());
    };
    let dir = c_str(dir);
    if dir.is_empty() {
        // What chdir("") reports.
        return Err("No such file or directory".into());
    }
    c.dir = dir.to_vec();
    Ok(())
}

pub(super) fn get_save(c: &Config) -> Vec<u8> {
    let rules: Vec<String> = c
        .save
        .iter()
        .map(|r| format!("{} {}", r.seconds, r.changes))
        .collect();
    rules.join(" ").into_bytes()
}

pub(super) fn set_save(c: &mut Config, args: &[&[u8]]) -> Result<(), String> {
    const INVALID: &str = "Invalid save parameters";
    if args.len() % 2 == 1 {
        return Err(INVALID.into());
    }
    let mut numbers = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        let (v, whole) = strtoll(c_str(arg), 10);
        let minimum = if i % 2 == 0 { 1 } else { 0 };
        if !whole || v < minimum {
            return Err(INVALID.into());
        }
        numbers.push(v);
    }
    c.save = numbers
        .chunks(2)
        .map(|pair| SaveRule {
            seconds: pair[0],
            // C stores the count in an int.
            changes: pair[1] as i32,
        })
        .collect();
    Ok(())
}

const CLIENT_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

pub(super) fn get_client_output_buffer_limit(c: &Config) -> Vec<u8> {
    let classes: Vec<String> = c
        .client_output_buffer_limit
        .iter()
        .zip(CLIENT_CLASSES)
        .map(|(l, name)| {
            format!(
                "{name} {} {} {}",
                l.hard_bytes, l.soft_bytes, l.soft_seconds
            )
        })
        .collect();
    classes.join(" ").into_bytes()
}

pub(super) fn set_client_output_buffer_limit(c: &mut Config, args: &[&[u8]]) -> Result<(), String> {
    if !args.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut limits = c.client_output_buffer_limit;
    for group in args.chunks(4) {
        let class = match c_str(group[0]).to_ascii_lowercase().as_slice() {
            b"normal" => 0,
            b"slave" | b"replica" => 1,
            b"pubsub" => 2,
            _ => {
                return Err("Invalid client class specified in buffer limit configuration.".into())
            }
        };
        let hard = memtoull(c_str(group[1]));
        let soft = memtoull(c_str(group[2]));
        let (seconds, whole) = strtoll(c_str(group[3]), 10);
        // The seconds land in a C int.
        let seconds = seconds as i32;
        let (Some(hard), Some(soft), true, true) = (hard, soft, whole, seconds >= 0) else {
            return Err(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.".into(),
            );
        };
        limits[class] = OutputBufferLimit {
            hard_bytes: hard,
            soft_bytes: soft,
            soft_seconds: i64::from(seconds),
        };
    }
    c.client_output_buffer_limit = limits;
    Ok(())
}

pub(super) fn get_oom_score_adj_values(c: &Config) -> Vec<u8> {
    let values: Vec<String> = c.oom_score_adj_values.iter().map(i32::to_string).collect();
    values.join(" ").into_bytes()
}

pub(super) fn set_oom_score_adj_values(c: &mut Config, args: &[&[u8]]) -> Result<(), String> {
    if args.len() != 3 {
        return Err("wrong number of arguments".into());
    }
    let mut values = [0i32; 3];
    for (slot, arg) in values.iter_mut().zip(args) {
        let (v, whole) = strtoll(c_str(arg), 10);
        if !whole || !(-2000..=2000).contains(&v) {
            return Err(
                "Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into(),
            );
        }
        *slot = v as i32;
    }
    c.oom_score_adj_values = values;
    Ok(())
}

pub(super) fn get_notify_keyspace_events(c: &Config) -> Vec<u8> {
    crate::notify::format_classes(c.notify_keyspace_events).into_bytes()
}

pub(super) fn set_notify_keyspace_events(c: &mut Config, args: &[&[u8]]) -> Result<(), String> {
    let [classes] = args else {
        return Err("wrong number of arguments".into());
    };
    // Letters outside ASCII are as invalid as any unknown letter.
    c.notify_keyspace_events = std::str::from_utf8(c_str(classes))
        .ok()
        .and_then(crate::notify::parse_classes)
        .ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?;
    Ok(())
}

pub(super) fn get_bind(c: &Config) -> Vec<u8> {
    c.bind.join(&b' ')
}

pub(super) fn set_bind(c: &mut Config, args: &[&[u8]]) -> Result<(), String> {
    if args.len() > 16 {
        return Err("Too many bind addresses specified.".into());
    }
    let args = if args.len() == 1 && args[0].is_empty() {
        &[][..]
    } else {
        args
    };
    c.bind = args.iter().map(|a| c_str(a).to_vec()).collect();
    Ok(())
}

pub(super) fn get_replicaof(c: &Config) -> Vec<u8> {
    match &c.replicaof {
        Some((host, port)) => [host.as_slice(), b" ", port.to_string().as_bytes()].concat(),
        None => Vec::new(),
    }
}

pub(super) fn set_replicaof(c: &mut Config, args: &[&[u8]]) -> Result<(), String> {
    let [host, port] = args else {
        return Err("wrong number of arguments".into());
    };
    c.replicaof = None;
    if host.eq_ignore_ascii_case(b"no") && port.eq_ignore_ascii_case(b"one") {
        return Ok(());
    }
    let (port, whole) = strtoll(c_str(port), 10);
    if !whole || !(0..=65535).contains(&port) {
        return Err("Invalid master port".into());
    }
    c.replicaof = Some((c_str(host).to_vec(), port));
    Ok(())
}

pub(super) fn get_latency_tracking_info_percentiles(c: &Config) -> Vec<u8> {
    let values: Vec<String> = c
        .latency_tracking_info_percentiles
        .iter()
        .map(|p| trim_double(&format!("{p:.6}")))
        .collect();
    values.join(" ").into_bytes()
}

pub(super) fn set_latency_tracking_info_percentiles(
    c: &mut Config,
    args: &[&[u8]],
) -> Result<(), String> {
    let args = if args.len() == 1 && args[0].is_empty() {
        &[][..]
    } else {
        args
    };
    let mut values = Vec::with_capacity(args.len());
    for arg in args {
        let p = crate::util::parse_f64(arg)
            .ok_or("Invalid latency-tracking-info-percentiles parameters")?;
        if !(0.0..=100.0).contains(&p) {
            return Err(
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                    .into(),
            );
        }
        values.push(p);
    }
    c.latency_tracking_info_percentiles = values;
    Ok(())
}

/// Redis's `trimDoubleString`: drops trailing zeros of a fraction, then a trailing dot.
pub(crate) fn trim_double(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_values_follow_memtoull() {
        assert_eq!(memtoull(b"1gb"), Some(1 << 30));
        assert_eq!(memtoull(b"5K"), Some(5000));
        assert_eq!(memtoull(b"5kB"), Some(5120));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"010"), Some(10));
        assert_eq!(memtoull(b"-1"), None);
        assert_eq!(memtoull(b"1.5gb"), None);
        assert_eq!(memtoull(b" 5"), None);
        assert_eq!(memtoull(b"99999999999999999999999"), Some(u64::MAX));
        assert_eq!(memtoull(b"17179869184gb"), Some(0));
    }

    #[test]
    fn strtoll_like_c() {
        assert_eq!(strtoll(b" +5", 10), (5, true));
        assert_eq!(strtoll(b"5x", 10), (5, false));
        assert_eq!(strtoll(b"", 10), (0, true));
        assert_eq!(strtoll(b" ", 10), (0, false));
        assert_eq!(strtoll(b"99999999999999999999", 10), (i64::MAX, true));
        assert_eq!(strtoll(b"-99999999999999999999", 10), (i64::MIN, true));
        assert_eq!(strtoll(b"777", 8), (511, true));
    }
}
