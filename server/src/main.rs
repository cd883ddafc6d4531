//! `redis-emu`: the Redis Playground engine served over TCP, speaking RESP2/RESP3 and inline
//! commands like redis-server 7.0, so redis-cli, client libraries and redis-benchmark work
//! against it.

mod args;
mod cli;
mod event_loop;
mod fs_disk;
mod output_limits;
mod signals;

use std::io::Write;
use std::process::ExitCode;

use args::{Invocation, ServeOptions, USAGE};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use event_loop::EventLoop;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args::parse(&args) {
        Ok(Invocation::Serve(options)) => serve(&options),
        Ok(Invocation::Cli(options)) => ExitCode::from(cli::run(&options).clamp(0, 255) as u8),
        Ok(Invocation::Help) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Invocation::Version) => {
            println!("redis-emu {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("redis-emu: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn serve(options: &ServeOptions) -> ExitCode {
    signals::raise_open_files_limit();
    let mut event_loop = match EventLoop::bind(options) {
        Ok(event_loop) => event_loop,
        Err(e) => {
            eprintln!("redis-emu: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match event_loop.local_addr() {
        // Tests and scripts wait for this line (and read the port from it with --port 0).
        Ok(address) => println!(
            "redis-emu {} ready to accept connections on {address}",
            env!("CARGO_PKG_VERSION")
        ),
        Err(e) => eprintln!("redis-emu: {e}"),
    }
    let _ = std::io::stdout().flush();
    match event_loop.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("redis-emu: {e}");
            ExitCode::FAILURE
        }
    }
}
