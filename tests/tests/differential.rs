//! Runs every `tests/differential/*.redis` script against a real redis-server 7.0 and the
//! engine, in RESP2 and in RESP3, comparing raw reply bytes. See `differential/README.md`.
//!
//! `DIFFERENTIAL_FILTER=strings` runs only matching files; `DIFFERENTIAL_PROTOCOL=2|3`, one
//! protocol; `DIFFERENTIAL_VERBOSE=1` prints every case.

use std::path::Path;

use integration_tests::announce;
use integration_tests::differential::{run, Options};
use integration_tests::real_redis::RealRedis;

#[test]
fn differential_scripts() {
    let Some(redis) = RealRedis::start_for_test("differential") else {
        return;
    };
    let default_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("differential");
    let options = Options::from_env(&default_dir);
    let summary = match run(&redis, &options, &mut |line| announce(line)) {
        Ok(summary) => summary,
        Err(e) => panic!("differential: the run broke off: {e}"),
    };
    if summary.files == 0 {
        announce(&format!(
            "differential: no scripts matched in {}",
            options.dir.display()
        ));
    }
    announce(&summary.line());
    assert!(!summary.failed(), "{} (details above)", summary.line());
}
