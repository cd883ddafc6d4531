//! Client-side caching for random runs: the one client switches tracking modes and CACHING,
//! so that its own reads and writes exercise the tracking table and, in RESP3, the
//! invalidations a client receives for its own writes (after the reply, or batched before
//! the event loop sleeps in BCAST mode).

use super::{key, Check, Rng, Template};

pub(super) const TEMPLATES: &[Template] = &[
    Template::new("client|tracking", 2, Check::Exact, tracking),
    Template::new("client|caching", 1, Check::Exact, caching),
    Template::new("client|trackinginfo", 1, Check::Exact, trackinginfo),
];

fn tracking(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv: Vec<Vec<u8>> = vec![b"CLIENT".to_vec(), b"TRACKING".to_vec()];
    argv.push(
        rng.pick(&[&b"on"[..], b"on", b"on", b"off", b"maybe"])
            .to_vec(),
    );
    for _ in 0..rng.below(3) {
        match rng.below(6) {
            0 => argv.push(b"BCAST".to_vec()),
            1 => argv.push(b"OPTIN".to_vec()),
            2 => argv.push(b"OPTOUT".to_vec()),
            3 => argv.push(b"NOLOOP".to_vec()),
            _ => {
                argv.push(b"PREFIX".to_vec());
                let mut prefix = key(rng);
                prefix.truncate(rng.below(prefix.len() as u64 + 1) as usize);
                argv.push(prefix);
            }
        }
    }
    argv
}

fn caching(rng: &mut Rng) -> Vec<Vec<u8>> {
    let answer = rng.pick(&[&b"yes"[..], b"no", b"YES", b"x"]).to_vec();
    vec![b"CLIENT".to_vec(), b"CACHING".to_vec(), answer]
}

fn trackinginfo(_rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![b"CLIENT".to_vec(), b"TRACKINGINFO".to_vec()]
}
