//! redis-cli 7.0's read-eval-print step, minus the terminal: built-ins (`help`, `quit`,
//! `clear`, `:set hints`), repeat counts, sending the command over a [`Link`], printing the
//! replies, the client-side state the prompt shows (`[db]`, `(TX)`), reading mode after
//! SUBSCRIBE and MONITOR, and the `(N.NNs)` line after slow commands.

use super::help::help;
use super::link::Link;
use super::{format_reply, format_reply_raw, split_args};
use crate::resp::Reply;
use crate::util::eq_ignore_case;

/// What redis-cli 7.0 prints when a SUBSCRIBE-family command puts it in reading mode.
pub const READING_MESSAGES: &str = "Reading messages... (press Ctrl-C to quit)\n";

/// What running one line produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Exactly what redis-cli prints (replies, built-in output; ANSI styling in help).
    pub text: String,
    /// `clear`: the screen is to be cleared.
    pub clear: bool,
    /// `quit` / `exit`: redis-cli exits here.
    pub quit: bool,
}

/// What the console shows instead of a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Reading commands.
    Prompt,
    /// After SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE: only messages, until Ctrl-C.
    Subscribed,
    /// After MONITOR: only monitor lines, until Ctrl-C.
    Monitoring,
    /// A command was sent and its reply has not come yet (a blocking command).
    Waiting,
}

/// redis-cli's side of a connection: what it remembers about it, and its preferences.
pub struct Repl {
    /// `host:port` shown in the prompt.
    pub address: String,
    /// The database redis-cli believes is selected (it tracks SELECT itself).
    dbnum: i64,
    /// The database to select again after reconnecting.
    input_dbnum: i64,
    in_multi: bool,
    pre_multi_dbnum: i64,
    mode: Mode,
    /// Online hints (`:set hints` / `:set nohints`).
    pub hints: bool,
    /// redis-cli's raw output (its default when stdout is not a terminal, `--raw`): replies
    /// as bare text, no reading-mode notice, no timing line.
    pub raw_output: bool,
    /// Host microseconds, to time commands; None where the host has no clock.
    stopwatch: Option<Box<dyn Fn() -> u64>>,
}

/// The `(N.NNs)` line redis-cli prints after a command that took at least half a second.
pub fn elapsed_line(elapsed_ms: u64) -> Option<String> {
    (elapsed_ms >= 500).then(|| format!("({:.2}s)\n", elapsed_ms as f64 / 1000.0))
}

/// Commands whose text replies redis-cli prints raw (no quotes, no escapes).
fn prints_raw(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, name: &str| argv.get(i).is_some_and(|a| eq_ignore_case(a, name));
    let argc = argv.len();
    is(0, "info")
        || is(0, "lolwut")
        || (is(0, "debug")
            && (is(1, "htstats") || is(1, "htstats-key") || is(1, "client-eviction")))
        || (is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        || (argc == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (is(0, "client") && (is(1, "list") || is(1, "info")))
        || (argc == 3 && is(0, "latency") && is(1, "graph"))
        || (argc == 2 && is(0, "latency") && is(1, "doctor"))
        || (is(0, "proxy") && is(1, "info"))
}

/// C's strtol on a whole argument: Some(value) when all of it is a base-10 number (leading
/// blanks and a sign allowed), None when it does not read entirely as one. Out-of-range
/// values read as Err(()), like strtol's ERANGE.
fn strtol_whole(arg: &[u8]) -> Option<Result<i64, ()>> {
    let text = std::str::from_utf8(arg).ok()?;
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    if digits.is_empty() {
        // No digits: strtol stops at once, so only an empty argument reads "entirely" (as 0).
        return text.is_empty().then_some(Ok(0));
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(trimmed.parse::<i64>().map_err(|_| ()))
}

impl Default for Repl {
    fn default() -> Self {
        Repl::new(super::DEFAULT_ADDRESS)
    }
}

impl Repl {
    pub fn new(address: &str) -> Repl {
        Repl {
            address: address.to_string(),
            dbnum: 0,
            input_dbnum: 0,
            in_multi: false,
            pre_multi_dbnum: 0,
            mode: Mode::Prompt,
            hints: true,
            raw_output: false,
            stopwatch: None,
        }
    }

    /// Gives the console a host clock (microseconds) to time commands with.
    pub fn set_stopwatch(&mut self, micros: Box<dyn Fn() -> u64>) {
        self.stopwatch = Some(micros);
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The database redis-cli believes is selected.
    pub fn db(&self) -> i64 {
        self.dbnum
    }

    /// redis-cli's prompt: `127.0.0.1:6379>`, `[db]` for a non-zero db, `(TX)` inside MULTI.
    /// (redis-cli adds a space after `>`; hosts add it where they show the prompt.)
    pub fn prompt(&self) -> String {
        let mut prompt = self.address.clone();
        if self.dbnum != 0 {
            prompt.push_str(&format!("[{}]", self.dbnum));
        }
        if self.in_multi {
            prompt.push_str("(TX)");
        }
        prompt.push('>');
        prompt
    }

    /// Runs one typed line as redis-cli's interactive loop does.
    pub fn run(&mut self, link: &mut dyn Link, line: &str) -> Outcome {
        let mut outcome = Outcome::default();
        if line.is_empty() {
            return outcome;
        }
        let argv = match split_args(line.as_bytes()) {
            Ok(argv) => argv,
            Err(e) => {
                outcome.text = format!("{e}\n");
                return outcome;
            }
        };
        let Some(first) = argv.first() else {
            return outcome;
        };
        let mut repeat = 1;
        let mut skip = 0;
        if argv.len() > 1 {
            match strtol_whole(first) {
                Some(Ok(n)) if n > 0 => {
                    repeat = n;
                    skip = 1;
                }
                Some(_) => {
                    outcome.text = "Invalid redis-cli repeat command option value.\n".into();
                    return outcome;
                }
                None => {}
            }
        }
        if eq_ignore_case(first, "quit") || eq_ignore_case(first, "exit") {
            outcome.quit = true;
        } else if first.first() == Some(&b':') {
            outcome.text = self.set_preference(&argv);
        } else if eq_ignore_case(first, "restart") {
            outcome.text = "Use 'restart' only in Lua debugging mode.\n".into();
        } else if argv.len() == 1 && eq_ignore_case(first, "clear") {
            outcome.clear = true;
        } else {
            let started = self.stopwatch.as_ref().map(|micros| micros());
            let busy_before = link.busy_us();
            let command = argv[skip..].to_vec();
            outcome.text = self.issue(link, command, repeat);
            let host_us = match (&self.stopwatch, started) {
                (Some(micros), Some(start)) => micros().saturating_sub(start),
                _ => 0,
            };
            let engine_us = link.busy_us().saturating_sub(busy_before);
            if let Some(timing) = elapsed_line(host_us.max(engine_us) / 1000) {
                if !self.raw_output {
                    outcome.text.push_str(&timing);
                }
            }
        }
        outcome
    }

    /// `:set hints`, `:set nohints`.
    fn set_preference(&mut self, argv: &[Vec<u8>]) -> String {
        let text = |a: &[u8]| String::from_utf8_lossy(a).into_owned();
        match argv {
            [set, pref, ..] if eq_ignore_case(set, ":set") => {
                if eq_ignore_case(pref, "hints") {
                    self.hints = true;
                } else if eq_ignore_case(pref, "nohints") {
                    self.hints = false;
                } else {
                    return format!("unknown redis-cli preference '{}'\n", text(pref));
                }
                String::new()
            }
            [other, ..] => format!("unknown redis-cli internal command '{}'\n", text(other)),
            [] => String::new(),
        }
    }

    /// redis-cli's issueCommandRepeat: help is answered locally, anything else is sent.
    fn issue(&mut self, link: &mut dyn Link, argv: Vec<Vec<u8>>, repeat: i64) -> String {
        if argv
            .first()
            .is_some_and(|c| eq_ignore_case(c, "help") || eq_ignore_case(c, "?"))
        {
            return help(&argv[1..]);
        }
        let mut out = String::new();
        for _ in 0..repeat {
            self.send(link, argv.clone(), &mut out);
            if self.mode != Mode::Prompt {
                // Reading mode or a pending reply: nothing more is sent until it ends.
                break;
            }
        }
        out
    }

    /// Sends one command and prints its replies (redis-cli's cliSendCommand).
    fn send(&mut self, link: &mut dyn Link, argv: Vec<Vec<u8>>, out: &mut String) {
        let is = |name: &str| argv.first().is_some_and(|c| eq_ignore_case(c, name));
        let monitors = is("monitor");
        let subscribes = is("subscribe") || is("psubscribe") || is("ssubscribe");
        let raw = prints_raw(&argv);
        let replies = link.send(argv.clone());
        let proto = link.protocol();
        if monitors {
            self.mode = Mode::Monitoring;
        }
        if subscribes {
            if !self.raw_output {
                out.push_str(READING_MESSAGES);
            }
            self.mode = Mode::Subscribed;
        }
        for reply in &replies {
            out.push_str(&self.format(reply, proto, raw));
        }
        let Some(last) = replies.last() else {
            if self.mode == Mode::Prompt {
                self.mode = Mode::Waiting;
            }
            return;
        };
        // An error ends reading mode at once.
        if matches!(self.mode, Mode::Subscribed | Mode::Monitoring) && last.is_error() {
            self.mode = Mode::Prompt;
        }
        self.track_state(&argv, last);
    }

    /// One reply as redis-cli prints it: raw for the commands it always shows raw, raw with a
    /// newline in raw output mode, formatted otherwise.
    fn format(&self, reply: &Reply, proto: crate::resp::Protocol, verbatim: bool) -> String {
        if verbatim {
            format_reply_raw(reply, proto)
        } else if self.raw_output {
            let mut text = format_reply_raw(reply, proto);
            text.push('\n');
            text
        } else {
            format_reply(reply, proto)
        }
    }

    /// The client-side state redis-cli updates after each reply: the selected database and
    /// whether a transaction is open.
    fn track_state(&mut self, argv: &[Vec<u8>], reply: &Reply) {
        let is = |name: &str| argv.first().is_some_and(|c| eq_ignore_case(c, name));
        let failed = reply.is_error();
        let argc = argv.len();
        if is("select") && argc == 2 && !failed {
            // redis-cli reads the number with atoi: leading digits, 0 otherwise.
            let db = atoi(&argv[1]);
            self.dbnum = db;
            self.input_dbnum = db;
        } else if is("multi") && argc == 1 && !failed {
            self.in_multi = true;
            self.pre_multi_dbnum = self.dbnum;
        } else if is("exec") && argc == 1 && self.in_multi {
            self.in_multi = false;
            if failed || matches!(reply, Reply::Null | Reply::NullArray) {
                self.dbnum = self.pre_multi_dbnum;
                self.input_dbnum = self.pre_multi_dbnum;
            }
        } else if is("discard") && argc == 1 && !failed {
            self.in_multi = false;
            self.dbnum = self.pre_multi_dbnum;
            self.input_dbnum = self.pre_multi_dbnum;
        } else if is("reset") && argc == 1 && !failed {
            self.in_multi = false;
            self.dbnum = 0;
            self.input_dbnum = 0;
        }
    }

    /// What arrived since the last call: messages in reading mode, monitor lines, the late
    /// reply of a blocking command. Formatted as redis-cli prints them.
    pub fn arrivals(&mut self, link: &mut dyn Link) -> String {
        let replies = link.arrivals();
        let proto = link.protocol();
        let mut out = String::new();
        for reply in &replies {
            out.push_str(&self.format(reply, proto, false));
            if self.mode == Mode::Waiting {
                self.mode = Mode::Prompt;
            }
        }
        out
    }

    /// Ctrl-C while reading messages or waiting: redis-cli drops the connection and connects
    /// again, which ends subscriptions, monitoring and blocked commands; then it selects the
    /// database it was on. Returns what that prints (nothing unless SELECT fails).
    pub fn interrupt(&mut self, link: &mut dyn Link) -> String {
        link.reconnect();
        self.mode = Mode::Prompt;
        self.reconnected(link)
    }

    /// State after a fresh connection: db 0, no transaction, then SELECT of the remembered db.
    pub fn reconnected(&mut self, link: &mut dyn Link) -> String {
        self.dbnum = 0;
        self.in_multi = false;
        if self.input_dbnum == self.dbnum {
            return String::new();
        }
        let select = vec![
            b"SELECT".to_vec(),
            self.input_dbnum.to_string().into_bytes(),
        ];
        match link.send(select).last() {
            Some(Reply::Error(e)) => format!("SELECT {} failed: {e}\n", self.input_dbnum),
            _ => {
                self.dbnum = self.input_dbnum;
                String::new()
            }
        }
    }

    /// `-n db`: the database to select on connecting (and again after each reconnection).
    pub fn select_on_connect(&mut self, link: &mut dyn Link, db: i64) -> String {
        self.input_dbnum = db;
        self.reconnected(link)
    }

    /// Forgets everything about the connection (quit in the browser: a fresh client).
    pub fn forget(&mut self) {
        self.dbnum = 0;
        self.input_dbnum = 0;
        self.in_multi = false;
        self.pre_multi_dbnum = 0;
        self.mode = Mode::Prompt;
    }
}

/// C's atoi: optional blanks and sign, then digits (wrapping as C would, but without UB).
fn atoi(arg: &[u8]) -> i64 {
    let text = String::from_utf8_lossy(arg);
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let value = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |n, d| {
            n.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        });
    let value = if negative { -value } else { value };
    // atoi returns an int.
    value as i32 as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Local;
    use crate::server::Server;

    struct Fixture {
        server: Server,
        client: crate::ClientId,
        repl: Repl,
    }

    impl Fixture {
        fn new() -> Fixture {
            let mut server = Server::new();
            let client = server.connect(0);
            Fixture {
                server,
                client,
                repl: Repl::default(),
            }
        }

        fn run(&mut self, line: &str) -> String {
            let mut link = Local {
                server: &mut self.server,
                client: &mut self.client,
                now_ms: 1000,
            };
            self.repl.run(&mut link, line).text
        }
    }

    #[test]
    fn replies_and_invalid_lines() {
        let mut f = Fixture::new();
        assert_eq!(f.run("SET a 1"), "OK\n");
        assert_eq!(f.run("GET a"), "\"1\"\n");
        assert_eq!(f.run("GET \"a"), "Invalid argument(s)\n");
        assert_eq!(f.run("   "), "");
        assert_eq!(
            f.run("NOSUCH"),
            "(error) ERR unknown command 'NOSUCH', with args beginning with: \n"
        );
    }

    #[test]
    fn repeat_counts() {
        let mut f = Fixture::new();
        assert_eq!(f.run("3 INCR x"), "(integer) 1\n(integer) 2\n(integer) 3\n");
        assert_eq!(
            f.run("0 INCR x"),
            "Invalid redis-cli repeat command option value.\n"
        );
        assert_eq!(
            f.run("-1 INCR x"),
            "Invalid redis-cli repeat command option value.\n"
        );
        assert_eq!(
            f.run("99999999999999999999 INCR x"),
            "Invalid redis-cli repeat command option value.\n"
        );
        assert_eq!(
            f.run("\"\" INCR x"),
            "Invalid redis-cli repeat command option value.\n"
        );
        // A number alone is a command, not a repeat count.
        assert!(f.run("5").starts_with("(error) ERR unknown command '5'"));
        assert_eq!(
            f.run("2x INCR x").chars().take(7).collect::<String>(),
            "(error)"
        );
    }

    #[test]
    fn prompt_tracks_select_and_transactions_like_redis_cli() {
        let mut f = Fixture::new();
        assert_eq!(f.repl.prompt(), "127.0.0.1:6379>");
        f.run("SELECT 2");
        assert_eq!(f.repl.prompt(), "127.0.0.1:6379[2]>");
        f.run("SELECT 99");
        assert_eq!(f.repl.prompt(), "127.0.0.1:6379[2]>");
        f.run("MULTI");
        assert_eq!(f.repl.prompt(), "127.0.0.1:6379[2](TX)>");
        // Queued, so redis-cli already shows the new db...
        assert_eq!(f.run("SELECT 3"), "QUEUED\n");
        assert_eq!(f.repl.prompt(), "127.0.0.1:6379[3](TX)>");
        f.run("DISCARD");
        // ...and goes back to the one before MULTI on DISCARD.
        assert_eq!(f.repl.prompt(), "127.0.0.1:6379[2]>");
        f.run("MULTI");
        f.run("SELECT 4");
        f.run("EXEC");
        assert_eq!(f.repl.prompt(), "127.0.0.1:6379[4]>");
        f.run("MULTI");
        f.run("SELECT 5");
        f.run("NOSUCH");
        assert!(f.run("EXEC").starts_with("(error) EXECABORT"));
        assert_eq!(f.repl.prompt(), "127.0.0.1:6379[4]>");
        f.run("RESET");
        assert_eq!(f.repl.prompt(), "127.0.0.1:6379>");
    }

    #[test]
    fn builtins() {
        let mut f = Fixture::new();
        assert!(f.run("help").starts_with("redis-cli 7.0.15\n"));
        assert!(f.run("HELP get").contains("\x1b[1mGET\x1b[0m"));
        assert!(f.run("? get").contains("\x1b[1mGET\x1b[0m"));
        assert_eq!(f.run(":set nohints"), "");
        assert!(!f.repl.hints);
        assert_eq!(f.run(":set hints"), "");
        assert!(f.repl.hints);
        assert_eq!(
            f.run(":set colors"),
            "unknown redis-cli preference 'colors'\n"
        );
        assert_eq!(f.run(":foo"), "unknown redis-cli internal command ':foo'\n");
        assert_eq!(
            f.run("restart"),
            "Use 'restart' only in Lua debugging mode.\n"
        );
        let mut link = Local {
            server: &mut f.server,
            client: &mut f.client,
            now_ms: 0,
        };
        assert!(f.repl.run(&mut link, "clear").clear);
        assert!(f.repl.run(&mut link, "QUIT").quit);
        assert!(f.repl.run(&mut link, "exit now").quit);
    }

    #[test]
    fn raw_output_for_info_and_client_list() {
        let mut f = Fixture::new();
        let info = f.run("INFO server");
        assert!(info.starts_with("# Server\r\nredis_version:"), "{info}");
        let list = f.run("CLIENT LIST");
        assert!(list.starts_with("id="), "{list}");
        assert_eq!(f.run("CLIENT LIST x"), "ERR syntax error\n");
    }

    #[test]
    fn raw_output_mode() {
        let mut f = Fixture::new();
        f.repl.raw_output = true;
        assert_eq!(f.run("SET a \"x y\""), "OK\n");
        assert_eq!(f.run("GET a"), "x y\n");
        assert_eq!(f.run("GET nope"), "\n");
        assert_eq!(f.run("INCR n"), "1\n");
        assert_eq!(
            f.run("NOSUCH"),
            "ERR unknown command 'NOSUCH', with args beginning with: \n\n"
        );
    }

    #[test]
    fn slow_commands_print_their_duration() {
        let mut f = Fixture::new();
        let _ = f.server.configure("enable-debug-command", b"yes");
        assert_eq!(f.run("DEBUG SLEEP 0.75"), "OK\n(0.75s)\n");
        assert_eq!(f.run("DEBUG SLEEP 0.1"), "OK\n");
        assert_eq!(elapsed_line(1234).as_deref(), Some("(1.23s)\n"));
        assert_eq!(elapsed_line(499), None);
    }

    #[test]
    fn monitor_mode_shows_other_clients() {
        let mut f = Fixture::new();
        assert_eq!(f.run("MONITOR"), "OK\n");
        assert_eq!(f.repl.mode(), Mode::Monitoring);
        let other = f.server.connect(0);
        f.server.execute(
            other,
            vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()],
            5000,
        );
        let mut link = Local {
            server: &mut f.server,
            client: &mut f.client,
            now_ms: 0,
        };
        let out = f.repl.arrivals(&mut link);
        assert!(out.starts_with("5.000"), "{out}");
        assert!(out.ends_with(":50001] \"SET\" \"k\" \"v\"\n"), "{out}");
        f.repl.interrupt(&mut link);
        assert_eq!(f.repl.mode(), Mode::Prompt);
    }

    #[test]
    fn interrupt_reconnects_and_selects_the_db_again() {
        let mut f = Fixture::new();
        f.run("SELECT 3");
        f.run("SUBSCRIBE ch");
        assert_eq!(f.repl.mode(), Mode::Subscribed);
        let old = f.client;
        let mut link = Local {
            server: &mut f.server,
            client: &mut f.client,
            now_ms: 0,
        };
        assert_eq!(f.repl.interrupt(&mut link), "");
        assert_ne!(f.client, old);
        assert_eq!(f.repl.prompt(), "127.0.0.1:6379[3]>");
        assert_eq!(f.server.client(f.client).map(|c| c.db), Some(3));
    }

    #[test]
    fn atoi_and_strtol() {
        assert_eq!(atoi(b"12abc"), 12);
        assert_eq!(atoi(b" -4"), -4);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(strtol_whole(b"12"), Some(Ok(12)));
        assert_eq!(strtol_whole(b" +7"), Some(Ok(7)));
        assert_eq!(strtol_whole(b"7 "), None);
        assert_eq!(strtol_whole(b"-"), None);
    }
}
