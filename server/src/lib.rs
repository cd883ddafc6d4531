//! The parts of `redis-emu` that are useful outside its binary: reading client requests
//! (fuzzed by `fuzz/`, see `fuzz-targets`).

pub mod request;
