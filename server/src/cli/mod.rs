//! `redis-emu cli`: the browser console's redis-cli in a terminal, against an engine in this
//! process (the default) or a server at `-h HOST -p PORT`.
//!
//! On a terminal it is interactive (prompt, history in `~/.redisemu_history`, Tab completion,
//! hints, Ctrl-R); otherwise it reads one command per line from standard input and prints the
//! replies as redis-cli does with piped input: raw when standard output is not a terminal,
//! formatted with `--no-raw`.

mod editor;
mod local;
mod tcp;

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use emulator::cli::{Link, Mode, Repl, DEFAULT_ADDRESS};

use local::LocalLink;
use tcp::TcpLink;

/// Options of `redis-emu cli`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CliOptions {
    /// `-h`/`-p`: a server to connect to instead of an engine in this process.
    pub host: Option<String>,
    pub port: Option<u16>,
    /// `-n`: the database to select first.
    pub db: Option<i64>,
    /// `--raw` / `--no-raw`: force raw or formatted output.
    pub raw: Option<bool>,
    /// `-3`: speak RESP3 from the start (HELLO 3 on connecting).
    pub resp3: bool,
}

/// Either kind of link, so the loops are written once.
pub(crate) enum AnyLink {
    Local(Box<LocalLink>),
    Tcp(TcpLink),
}

impl AnyLink {
    pub(crate) fn link(&mut self) -> &mut dyn Link {
        match self {
            AnyLink::Local(l) => l.as_mut(),
            AnyLink::Tcp(t) => t,
        }
    }

    /// Runs one typed line; `benchmark <flags>` is answered here when the engine is local.
    pub(crate) fn run(&mut self, repl: &mut Repl, line: &str) -> emulator::cli::Outcome {
        let mut words = line.split_whitespace();
        if let (AnyLink::Local(local), Some(first)) = (&mut *self, words.next()) {
            if first.eq_ignore_ascii_case("benchmark") {
                let args: Vec<String> = words.map(str::to_string).collect();
                return emulator::cli::Outcome {
                    text: local.benchmark(&args),
                    ..Default::default()
                };
            }
        }
        repl.run(self.link(), line)
    }

    /// Waits a little for something to arrive (reading mode).
    fn wait(&mut self) {
        match self {
            AnyLink::Local(l) => l.tick(),
            AnyLink::Tcp(t) => t.wait(Duration::from_millis(100)),
        }
        if let AnyLink::Local(_) = self {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether anything could still arrive: another client must exist to publish.
    fn can_receive(&self) -> bool {
        match self {
            AnyLink::Local(_) => false,
            AnyLink::Tcp(t) => t.is_connected(),
        }
    }
}

/// Set by Ctrl-C outside the line editor (reading mode, a blocked command).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

fn catch_interrupts() {
    let handler = on_interrupt as extern "C" fn(libc::c_int);
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
    }
}

/// Runs the console; returns the process exit code.
pub fn run(options: &CliOptions) -> i32 {
    let started = Instant::now();
    let (mut link, address) = match (&options.host, options.port) {
        (None, None) => (
            AnyLink::Local(Box::new(LocalLink::new())),
            DEFAULT_ADDRESS.to_string(),
        ),
        (host, port) => {
            let host = host.clone().unwrap_or_else(|| "127.0.0.1".into());
            let port = port.unwrap_or(6379);
            match TcpLink::connect(&host, port) {
                Ok(tcp) => (AnyLink::Tcp(tcp), format!("{host}:{port}")),
                Err(e) => {
                    eprintln!("Could not connect to Redis at {host}:{port}: {e}");
                    return 1;
                }
            }
        }
    };
    let mut repl = Repl::new(&address);
    repl.set_stopwatch(Box::new(move || started.elapsed().as_micros() as u64));
    repl.raw_output = options.raw.unwrap_or(!io::stdout().is_terminal());
    if let Some(db) = options.db {
        eprint!("{}", repl.select_on_connect(link.link(), db));
    }
    if options.resp3 {
        let hello = vec![b"HELLO".to_vec(), b"3".to_vec()];
        if let Some(emulator::Reply::Error(e)) = link.link().send(hello).last() {
            eprintln!("HELLO 3 failed: {e}");
            return 1;
        }
    }
    catch_interrupts();
    if io::stdin().is_terminal() {
        editor::interactive(repl, link)
    } else {
        piped(repl, &mut link)
    }
}

fn print(text: &str) {
    let mut out = io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// In reading mode (SUBSCRIBE, MONITOR) or while a reply is pending: prints what arrives
/// until Ctrl-C, then reconnects. Returns false when nothing more can arrive.
pub(crate) fn read_arrivals(repl: &mut Repl, link: &mut AnyLink, until_idle: bool) -> bool {
    while repl.mode() != Mode::Prompt {
        if INTERRUPTED.swap(false, Ordering::SeqCst) {
            print(&repl.interrupt(link.link()));
            return true;
        }
        let text = repl.arrivals(link.link());
        print(&text);
        if repl.mode() == Mode::Prompt {
            break;
        }
        if until_idle && text.is_empty() && !link.can_receive() {
            return false;
        }
        link.wait();
    }
    true
}

/// Standard input is not a terminal: one command per line, no prompt, no history.
fn piped(mut repl: Repl, link: &mut AnyLink) -> i32 {
    let stdin = io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let outcome = link.run(&mut repl, &line);
        print(&outcome.text);
        if outcome.quit {
            return 0;
        }
        if outcome.clear {
            print("\x1b[H\x1b[2J");
        }
        if repl.mode() != Mode::Prompt && !read_arrivals(&mut repl, link, true) {
            // Nothing can ever arrive from an engine no one else uses.
            return 0;
        }
    }
    0
}
