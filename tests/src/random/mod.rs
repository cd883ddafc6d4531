//! Random differential runs: random valid command sequences over a small key space, run on the
//! real Redis and the engine in lockstep until their replies differ, then shrunk to a short
//! reproduction.
//!
//! Commands come from per-group tables of [`Template`]s (`strings.rs`, `keys.rs`, ...); a new
//! data type is covered by adding a table and listing it in [`all_templates`]. Only templates
//! whose command the engine registers are used, so the runs stay meaningful while commands land.

mod collections;
mod geo;
mod hashes;
mod keys;
mod lists;
mod rng;
mod run;
mod streams;
mod strings;
mod tracking;

pub use rng::Rng;
pub use run::{replay, shrink, Divergence, Reproduction};

use emulator::commands::Registry;

/// How a command's replies are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Exact,
    /// Arrays compared as multisets (KEYS).
    Unordered,
    /// Integer replies may differ by this much: TTLs read at slightly different instants.
    Within(i64),
}

/// A kind of command the generator can produce.
pub struct Template {
    /// The registry name (`get`, `object|encoding`); the template is used only if registered.
    pub command: &'static str,
    /// Relative frequency.
    pub weight: u32,
    pub check: Check,
    pub generate: fn(&mut Rng) -> Vec<Vec<u8>>,
}

impl Template {
    pub const fn new(
        command: &'static str,
        weight: u32,
        check: Check,
        generate: fn(&mut Rng) -> Vec<Vec<u8>>,
    ) -> Template {
        Template {
            command,
            weight,
            check,
            generate,
        }
    }
}

/// One generated command.
#[derive(Clone, Debug)]
pub struct Op {
    pub argv: Vec<Vec<u8>>,
    pub check: Check,
}

/// Every template of every group.
pub fn all_templates() -> Vec<&'static Template> {
    [
        strings::TEMPLATES,
        keys::TEMPLATES,
        collections::TEMPLATES,
        geo::TEMPLATES,
        lists::TEMPLATES,
        hashes::TEMPLATES,
        streams::TEMPLATES,
        tracking::TEMPLATES,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The templates whose command the engine implements.
pub fn available_templates() -> Vec<&'static Template> {
    let registry = Registry::get();
    all_templates()
        .into_iter()
        .filter(|t| registry.command(t.command).is_some())
        .collect()
}

/// `count` random commands drawn from `templates` by weight.
pub fn generate(rng: &mut Rng, templates: &[&Template], count: usize) -> Vec<Op> {
    let total: u64 = templates.iter().map(|t| u64::from(t.weight)).sum();
    if total == 0 {
        return Vec::new();
    }
    (0..count)
        .map(|_| {
            let mut pick = rng.below(total);
            let template = templates
                .iter()
                .find(|t| {
                    let w = u64::from(t.weight);
                    if pick < w {
                        true
                    } else {
                        pick -= w;
                        false
                    }
                })
                .unwrap_or(&templates[0]);
            Op {
                argv: (template.generate)(rng),
                check: template.check,
            }
        })
        .collect()
}

// ----- shared pools the group tables draw from -----

/// The key space: small, so commands keep meeting each other's keys.
pub const KEYS: &[&[u8]] = &[b"k0", b"k1", b"k2", b"k3", b"k4", b"bin\x00key"];

/// Values chosen to hit parsing edges: integers at the i64 limits, almost-numbers, empty and
/// binary strings.
pub const SPECIAL_VALUES: &[&[u8]] = &[
    b"",
    b"0",
    b"1",
    b"-1",
    b"42",
    b"-0",
    b"007",
    b"+1",
    b" 1",
    b"1 ",
    b"0x10",
    b"1e3",
    b"3.5",
    b"abc",
    b"hello world",
    b"9223372036854775807",
    b"9223372036854775806",
    b"-9223372036854775808",
    b"-9223372036854775807",
    b"9223372036854775808",
    b"18446744073709551616",
    b"\x00\xff\x01",
    b"12345678901234567890123456789012345678901234567890",
];

pub fn key(rng: &mut Rng) -> Vec<u8> {
    rng.pick(KEYS).to_vec()
}

/// A value: a special one, a small integer, or a short random string.
pub fn value(rng: &mut Rng) -> Vec<u8> {
    match rng.below(10) {
        0..=3 => rng.pick(SPECIAL_VALUES).to_vec(),
        4..=6 => (rng.below(2001) as i64 - 1000).to_string().into_bytes(),
        _ => {
            let len = rng.below(48) as usize;
            (0..len)
                .map(|_| *rng.pick(b"abcxyz019 -_\x00\xfe".as_slice()))
                .collect()
        }
    }
}

/// An integer argument: usually small, sometimes at the limits, rarely not a number.
pub fn integer(rng: &mut Rng) -> Vec<u8> {
    match rng.below(20) {
        0 => b"9223372036854775807".to_vec(),
        1 => b"-9223372036854775808".to_vec(),
        2 => rng
            .pick(&[&b"x"[..], b"", b"1.5", b" 2", b"9223372036854775808"])
            .to_vec(),
        _ => (rng.below(201) as i64 - 100).to_string().into_bytes(),
    }
}

/// A multiple of `unit` big enough that nothing expires during a run.
pub fn long_ttl(rng: &mut Rng, unit: u64) -> Vec<u8> {
    ((1000 + rng.below(1_000_000)) * unit)
        .to_string()
        .into_bytes()
}

/// A Unix time (seconds times `unit`) far in the future.
pub fn far_future(rng: &mut Rng, unit: u64) -> Vec<u8> {
    ((4_000_000_000 + rng.below(100_000_000)) * unit)
        .to_string()
        .into_bytes()
}

pub fn words(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}
