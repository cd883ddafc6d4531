//! `benchmark`: a redis-benchmark-like load run inside the host against this engine, with
//! redis-benchmark's flags (-t -n -c -P -r -d -q) and its report layout ("====== SET ======",
//! the two latency distributions, "Summary:").
//!
//! The load runs in rounds: each of the `-c` simulated clients sends a pipeline of `-P`
//! requests, the engine answers them one after the other, and every request of a pipeline is
//! given the time from the start of the round to its pipeline's last reply (redis-benchmark
//! also gives all requests of a pipeline one latency). Throughput counts the time spent
//! running rounds only, so a host may pause between chunks (to keep a page responsive)
//! without lowering the figure. Time comes from a host closure (microseconds).
//!
//! [`ServerTarget`] runs the load through observer clients on an empty database, which it
//! empties again at the end: the learner's keys, statistics and client list stay untouched.

use super::histogram::Histogram;
use crate::client::ClientId;
use crate::resp::Reply;
use crate::server::Server;

/// The tests, in the order redis-benchmark runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Test {
    Set,
    Get,
    Incr,
    Lpush,
    Rpop,
    Sadd,
    Hset,
    Zadd,
}

pub const ALL_TESTS: [Test; 8] = [
    Test::Set,
    Test::Get,
    Test::Incr,
    Test::Lpush,
    Test::Rpop,
    Test::Sadd,
    Test::Hset,
    Test::Zadd,
];

/// What redis-benchmark puts where a random number goes.
const RAND_PLACEHOLDER: &str = "__rand_int__";

impl Test {
    pub fn title(self) -> &'static str {
        match self {
            Test::Set => "SET",
            Test::Get => "GET",
            Test::Incr => "INCR",
            Test::Lpush => "LPUSH",
            Test::Rpop => "RPOP",
            Test::Sadd => "SADD",
            Test::Hset => "HSET",
            Test::Zadd => "ZADD",
        }
    }

    fn parse(name: &str) -> Option<Test> {
        ALL_TESTS
            .into_iter()
            .find(|t| t.title().eq_ignore_ascii_case(name))
    }

    /// The command redis-benchmark sends for this test, before random numbers are filled in.
    fn template(self, data: &str, random_scores: bool) -> Vec<String> {
        let key = format!("key:{RAND_PLACEHOLDER}");
        let element = format!("element:{RAND_PLACEHOLDER}");
        let words: Vec<&str> = match self {
            Test::Set => vec!["SET", &key, data],
            Test::Get => vec!["GET", &key],
            Test::Incr => vec!["INCR", "counter:__rand_int__"],
            Test::Lpush => vec!["LPUSH", "mylist", data],
            Test::Rpop => vec!["RPOP", "mylist"],
            Test::Sadd => vec!["SADD", "myset", &element],
            Test::Hset => vec!["HSET", "myhash", &element, data],
            Test::Zadd => {
                let score = if random_scores { RAND_PLACEHOLDER } else { "0" };
                vec!["ZADD", "myzset", score, &element]
            }
        };
        words.into_iter().map(str::to_string).collect()
    }
}

/// The run's settings, from redis-benchmark's flags.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub tests: Vec<Test>,
    /// -n: requests per test.
    pub requests: u64,
    /// -c: simulated parallel clients.
    pub clients: u32,
    /// -P: requests per pipeline.
    pub pipeline: u32,
    /// -r: random keys from this many (None: the literal `key:__rand_int__`).
    pub keyspace: Option<u64>,
    /// -d: bytes of SET/GET value.
    pub data_size: usize,
    /// -q: one line per test.
    pub quiet: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tests: ALL_TESTS.to_vec(),
            requests: 100_000,
            clients: 50,
            pipeline: 1,
            keyspace: None,
            data_size: 3,
            quiet: false,
        }
    }
}

/// The usage line printed with a bad option.
pub const USAGE: &str = "Usage: benchmark [-t set,get,incr,lpush,rpop,sadd,hset,zadd] [-n <requests>] [-c <clients>] [-P <numreq>] [-r <keyspacelen>] [-d <size>] [-q]\n";

/// Upper bounds that keep a page usable (and its memory within maxmemory in most cases).
const MAX_REQUESTS: u64 = 10_000_000;
const MAX_CLIENTS: u32 = 1_000;
const MAX_PIPELINE: u32 = 10_000;
const MAX_DATA: usize = 1024 * 1024;

/// C's atoi on a flag's argument (leading digits, 0 otherwise).
fn atoi(text: &str) -> i64 {
    let text = text.trim_start();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let value = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |n, d| {
            n.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        });
    if negative {
        -value
    } else {
        value
    }
}

/// Reads redis-benchmark's flags (the words after `benchmark`). Out-of-range numbers are
/// brought into range as redis-benchmark does (-P 0 means 1, -d 0 means 1).
pub fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut i = 0;
    while let Some(flag) = args.get(i) {
        let value = args.get(i + 1);
        let invalid = || format!("Invalid option \"{flag}\" or option argument missing\n{USAGE}");
        let number = || value.map(|v| atoi(v)).ok_or_else(invalid);
        match flag.as_str() {
            "-q" => {
                options.quiet = true;
                i += 1;
                continue;
            }
            "-n" => {
                let n = number()?;
                if n < 1 {
                    return Err("-n must be at least 1\n".into());
                }
                options.requests = (n as u64).min(MAX_REQUESTS);
            }
            "-c" => {
                let n = number()?;
                if n < 1 {
                    return Err("-c must be at least 1\n".into());
                }
                options.clients = u32::try_from(n).unwrap_or(MAX_CLIENTS).min(MAX_CLIENTS);
            }
            "-P" => {
                options.pipeline = u32::try_from(number()?.max(1))
                    .unwrap_or(MAX_PIPELINE)
                    .min(MAX_PIPELINE);
            }
            "-d" => {
                options.data_size = usize::try_from(number()?.max(1))
                    .unwrap_or(MAX_DATA)
                    .min(MAX_DATA);
            }
            "-r" => {
                let text = value.ok_or_else(invalid)?;
                if text.starts_with('-') && !text[1..].starts_with(|c: char| c.is_ascii_digit()) {
                    return Err(invalid());
                }
                options.keyspace = Some(atoi(text).max(0) as u64);
            }
            "-t" => {
                let text = value.ok_or_else(invalid)?;
                let mut chosen = Vec::new();
                for name in text.split(',').filter(|n| !n.is_empty()) {
                    match Test::parse(name) {
                        Some(test) => chosen.push(test),
                        None => {
                            return Err(format!(
                                "Unknown test '{name}': this benchmark runs set, get, incr, lpush, rpop, sadd, hset and zadd\n"
                            ))
                        }
                    }
                }
                if chosen.is_empty() {
                    return Err(invalid());
                }
                // redis-benchmark runs the chosen tests in its own order.
                options.tests = ALL_TESTS
                    .into_iter()
                    .filter(|t| chosen.contains(t))
                    .collect();
            }
            _ => return Err(invalid()),
        }
        i += 2;
    }
    Ok(options)
}

/// The finished figures of one test.
#[derive(Clone, Debug)]
pub struct TestResult {
    pub test: Test,
    pub requests: u64,
    /// Time spent running its rounds, in microseconds.
    pub elapsed_us: u64,
    pub latencies: Histogram,
}

impl TestResult {
    pub fn requests_per_second(&self) -> f64 {
        if self.elapsed_us == 0 {
            // Too fast for the clock: count it as one tick.
            return self.requests as f64 * 1_000_000.0;
        }
        self.requests as f64 * 1_000_000.0 / self.elapsed_us as f64
    }
}

/// The server settings the report's header shows (CONFIG GET save / appendonly).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostConfig {
    pub save: String,
    pub appendonly: String,
}

/// A small deterministic generator standing in for C's random().
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 1
    }
}

/// A benchmark in progress: which test, how many requests are done, the figures so far.
pub struct Benchmark {
    options: Options,
    data: String,
    test_index: usize,
    sent: u64,
    elapsed_us: u64,
    latencies: Histogram,
    results: Vec<TestResult>,
    random: Random,
    error: Option<String>,
}

impl Benchmark {
    pub fn new(options: Options) -> Benchmark {
        let data = "x".repeat(options.data_size);
        Benchmark {
            options,
            data,
            test_index: 0,
            sent: 0,
            elapsed_us: 0,
            latencies: Histogram::default(),
            results: Vec::new(),
            random: Random(0x9E37_79B9_7F4A_7C15),
            error: None,
        }
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn is_done(&self) -> bool {
        self.error.is_some() || self.test_index >= self.options.tests.len()
    }

    /// The error reply that stopped the run, as redis-benchmark prints it.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn results(&self) -> &[TestResult] {
        &self.results
    }

    /// The test running now and the share of its requests done (for a progress line).
    pub fn progress(&self) -> Option<(Test, f64)> {
        let test = *self.options.tests.get(self.test_index)?;
        Some((test, self.sent as f64 / self.options.requests as f64))
    }

    fn command(&mut self, test: Test) -> Vec<Vec<u8>> {
        let template = test.template(&self.data, self.options.keyspace.is_some());
        template
            .into_iter()
            .map(|word| {
                if !word.contains(RAND_PLACEHOLDER) {
                    return word.into_bytes();
                }
                match self.options.keyspace {
                    Some(space) => {
                        let r = if space == 0 {
                            0
                        } else {
                            self.random.next() % space
                        };
                        // Twelve digits, as redis-benchmark writes them (the last twelve).
                        let digits = format!("{:012}", r % 1_000_000_000_000);
                        word.replace(RAND_PLACEHOLDER, &digits).into_bytes()
                    }
                    None => word.into_bytes(),
                }
            })
            .collect()
    }

    /// Runs rounds until about `budget` requests were sent or the current test ends. `send`
    /// delivers one command for the given simulated client and returns its reply; `clock`
    /// reads the host's microseconds. Returns the results of tests finished in this chunk.
    pub fn run_chunk(
        &mut self,
        send: &mut dyn FnMut(usize, Vec<Vec<u8>>) -> Reply,
        clock: &mut dyn FnMut() -> u64,
        budget: u64,
    ) -> Vec<TestResult> {
        let mut finished = Vec::new();
        let Some(&test) = self.options.tests.get(self.test_index) else {
            return finished;
        };
        if self.error.is_some() {
            return finished;
        }
        let chunk_start = clock();
        let mut sent_in_chunk = 0;
        let pipeline = u64::from(self.options.pipeline);
        'rounds: while self.sent < self.options.requests && sent_in_chunk < budget {
            let round_start = clock();
            for client in 0..self.options.clients as usize {
                let batch = pipeline.min(self.options.requests - self.sent);
                if batch == 0 {
                    break;
                }
                for _ in 0..batch {
                    let argv = self.command(test);
                    if let Reply::Error(e) = send(client, argv) {
                        self.error = Some(format!("Error from server: {e}\n"));
                        break 'rounds;
                    }
                }
                let latency = clock().saturating_sub(round_start);
                self.latencies.record_many(latency, batch);
                self.sent += batch;
                sent_in_chunk += batch;
            }
        }
        self.elapsed_us += clock().saturating_sub(chunk_start);
        if self.sent >= self.options.requests && self.error.is_none() {
            let result = TestResult {
                test,
                requests: self.sent,
                elapsed_us: self.elapsed_us,
                latencies: std::mem::take(&mut self.latencies),
            };
            self.results.push(result.clone());
            finished.push(result);
            self.test_index += 1;
            self.sent = 0;
            self.elapsed_us = 0;
        }
        finished
    }
}

/// One test's report, exactly laid out as redis-benchmark 7.0 prints it (or its -q line).
pub fn report(result: &TestResult, options: &Options, host: &HostConfig) -> String {
    let h = &result.latencies;
    let ms = |us: i64| us as f64 / 1000.0;
    let rps = result.requests_per_second();
    let p50 = ms(h.value_at_percentile(50.0));
    if options.quiet {
        return format!(
            "{}: {rps:.2} requests per second, p50={p50:.3} msec\n",
            result.test.title()
        );
    }
    let mut out = format!("====== {} ======\n", result.test.title());
    out.push_str(&format!(
        "  {} requests completed in {:.2} seconds\n",
        result.requests,
        result.elapsed_us as f64 / 1_000_000.0
    ));
    out.push_str(&format!("  {} parallel clients\n", options.clients));
    out.push_str(&format!("  {} bytes payload\n", options.data_size));
    out.push_str("  keep alive: 1\n");
    out.push_str(&format!("  host configuration \"save\": {}\n", host.save));
    out.push_str(&format!(
        "  host configuration \"appendonly\": {}\n",
        host.appendonly
    ));
    out.push_str("  multi-thread: no\n\n");
    out.push_str("Latency by percentile distribution:\n");
    push_rows(&mut out, &h.percentile_rows(), h.total());
    out.push_str("\nCumulative distribution of latencies:\n");
    push_rows(&mut out, &h.cumulative_rows(), h.total());
    out.push_str("\nSummary:\n");
    out.push_str(&format!(
        "  throughput summary: {rps:.2} requests per second\n"
    ));
    out.push_str("  latency summary (msec):\n");
    out.push_str(&format!(
        "    {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
        "avg", "min", "p50", "p95", "p99", "max"
    ));
    out.push_str(&format!(
        "    {:9.3} {:9.3} {:9.3} {:9.3} {:9.3} {:9.3}\n",
        h.mean() / 1000.0,
        ms(h.min()),
        p50,
        ms(h.value_at_percentile(95.0)),
        ms(h.value_at_percentile(99.0)),
        ms(h.max())
    ));
    out
}

/// Prints the rows whose count moved (and every row at the total), as redis-benchmark does.
fn push_rows(out: &mut String, rows: &[super::histogram::Row], total: u64) {
    let mut previous = None;
    for row in rows {
        if previous != Some(row.cumulative) || row.cumulative == total {
            out.push_str(&format!(
                "{:.3}% <= {:.3} milliseconds (cumulative count {})\n",
                row.percent,
                row.upto_us as f64 / 1000.0,
                row.cumulative
            ));
        }
        previous = Some(row.cumulative);
    }
}

/// The load's connection to an engine: observer clients (invisible to the learner) on a
/// database nobody uses.
pub struct ServerTarget {
    clients: Vec<ClientId>,
    pub db: usize,
    pub host: HostConfig,
    now_ms: u64,
}

impl ServerTarget {
    /// Connects `clients` observers to the highest-numbered empty database. Fails when every
    /// database holds keys.
    pub fn open(server: &mut Server, clients: u32, now_ms: u64) -> Result<ServerTarget, String> {
        let db = (0..server.dbs.len())
            .rev()
            .find(|&i| server.dbs.get(i).is_some_and(|d| d.is_empty()))
            .ok_or("benchmark needs an empty database to run in, and every database holds keys")?;
        let select = vec![b"SELECT".to_vec(), db.to_string().into_bytes()];
        let ids = (0..clients.max(1))
            .map(|_| {
                let id = server.connect_observer(now_ms);
                server.execute(id, select.clone(), now_ms);
                id
            })
            .collect();
        let text = |name: &str| {
            String::from_utf8_lossy(&server.config().get(name).unwrap_or_default()).into_owned()
        };
        let host = HostConfig {
            save: text("save"),
            appendonly: text("appendonly"),
        };
        Ok(ServerTarget {
            clients: ids,
            db,
            host,
            now_ms,
        })
    }

    /// Host time for the commands that follow (the engine's clock moves with it).
    pub fn set_now(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
    }

    pub fn send(&self, server: &mut Server, client: usize, argv: Vec<Vec<u8>>) -> Reply {
        let id = self.clients[client % self.clients.len()];
        server
            .execute(id, argv, self.now_ms)
            .pop()
            .unwrap_or(Reply::Null)
    }

    /// Empties the benchmark's database and disconnects its clients.
    pub fn close(self, server: &mut Server) {
        if let Some(&first) = self.clients.first() {
            server.execute(first, vec![b"FLUSHDB".to_vec()], self.now_ms);
        }
        for id in self.clients {
            server.disconnect(id);
        }
    }
}

/// The note printed before the reports: where the load runs.
pub fn preamble(db: usize) -> String {
    format!("(benchmark: running in database {db}, which was empty and is emptied afterwards)\n")
}

/// Runs a whole benchmark at once (for hosts that may block, such as `redis-emu cli` and
/// tests) and returns everything it prints.
pub fn run_blocking(
    server: &mut Server,
    args: &[String],
    now_ms: u64,
    clock: &mut dyn FnMut() -> u64,
) -> (String, Vec<TestResult>) {
    let options = match parse_options(args) {
        Ok(o) => o,
        Err(e) => return (e, Vec::new()),
    };
    let mut target = match ServerTarget::open(server, options.clients, now_ms) {
        Ok(t) => t,
        Err(e) => return (format!("{e}\n"), Vec::new()),
    };
    target.set_now(now_ms);
    let mut out = preamble(target.db);
    let mut bench = Benchmark::new(options);
    while !bench.is_done() {
        let finished = {
            let mut send = |client: usize, argv: Vec<Vec<u8>>| target.send(server, client, argv);
            bench.run_chunk(&mut send, clock, u64::MAX)
        };
        for result in &finished {
            out.push_str(&report(result, bench.options(), &target.host));
            if !bench.options().quiet {
                out.push('\n');
            }
        }
    }
    if let Some(e) = bench.error() {
        out.push_str(e);
    }
    target.close(server);
    (out, bench.results().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    /// A clock that moves 1 µs per reading.
    fn ticking() -> impl FnMut() -> u64 {
        let mut t = 0;
        move || {
            t += 1;
            t
        }
    }

    #[test]
    fn flags_like_redis_benchmark() {
        let o = parse_options(&words("-t set,GET -n 1000 -P 16 -r 10000 -d 8 -c 4 -q")).unwrap();
        assert_eq!(o.tests, vec![Test::Set, Test::Get]);
        assert_eq!(
            (
                o.requests,
                o.pipeline,
                o.keyspace,
                o.data_size,
                o.clients,
                o.quiet
            ),
            (1000, 16, Some(10000), 8, 4, true)
        );
        // Chosen tests run in redis-benchmark's order.
        let o = parse_options(&words("-t zadd,set")).unwrap();
        assert_eq!(o.tests, vec![Test::Set, Test::Zadd]);
        assert_eq!(parse_options(&words("-P 0")).unwrap().pipeline, 1);
        assert!(parse_options(&words("-n"))
            .unwrap_err()
            .starts_with("Invalid option \"-n\" or option argument missing\n"));
        assert!(parse_options(&words("-x 1")).is_err());
        assert!(parse_options(&words("-r -a")).is_err());
        assert!(parse_options(&words("-t nope"))
            .unwrap_err()
            .contains("Unknown test 'nope'"));
        assert_eq!(parse_options(&[]).unwrap(), Options::default());
    }

    #[test]
    fn commands_use_twelve_digit_random_keys() {
        let mut b = Benchmark::new(parse_options(&words("-r 100 -d 5")).unwrap());
        let set = b.command(Test::Set);
        let key = String::from_utf8(set[1].clone()).unwrap();
        assert!(key.starts_with("key:0000000000"), "{key}");
        assert_eq!(key.len(), "key:".len() + 12);
        assert_eq!(set[2], b"xxxxx".to_vec());
        let zadd = b.command(Test::Zadd);
        assert_eq!(zadd[0], b"ZADD".to_vec());
        assert_eq!(zadd[2].len(), 12);
        let mut plain = Benchmark::new(Options::default());
        assert_eq!(plain.command(Test::Get)[1], b"key:__rand_int__".to_vec());
        assert_eq!(plain.command(Test::Zadd)[2], b"0".to_vec());
    }

    #[test]
    fn every_request_is_sent_and_counted() {
        let mut server = Server::new();
        let mut clock = ticking();
        let (out, results) = run_blocking(
            &mut server,
            &words("-t set,get,incr,lpush,rpop,sadd,hset,zadd -n 1000 -P 16 -r 100 -c 3"),
            0,
            &mut clock,
        );
        assert_eq!(results.len(), 8);
        for r in &results {
            assert_eq!(r.requests, 1000);
            assert_eq!(r.latencies.total(), 1000);
        }
        assert!(
            out.starts_with("(benchmark: running in database 15"),
            "{out}"
        );
        assert_eq!(out.matches("====== ").count(), 8);
        // The benchmark's database is emptied and the learner's view is untouched.
        let me = server.connect(0);
        let dbsize = |s: &mut Server, db: &str| {
            s.execute(me, vec![b"SELECT".to_vec(), db.as_bytes().to_vec()], 0);
            s.execute(me, vec![b"DBSIZE".to_vec()], 0)
        };
        assert_eq!(dbsize(&mut server, "15"), vec![Reply::Integer(0)]);
        let stats = server.execute(me, vec![b"INFO".to_vec(), b"commandstats".to_vec()], 0);
        let text = match stats.first() {
            Some(Reply::Verbatim(_, b) | Reply::Bulk(b)) => String::from_utf8_lossy(b).into_owned(),
            other => format!("{other:?}"),
        };
        assert!(text.contains("cmdstat_select"), "{text}");
        assert!(!text.contains("cmdstat_lpush"), "{text}");
    }

    #[test]
    fn uses_a_free_database_and_leaves_keys_alone() {
        let mut server = Server::new();
        let me = server.connect(0);
        server.execute(me, vec![b"SELECT".to_vec(), b"15".to_vec()], 0);
        server.execute(
            me,
            vec![b"SET".to_vec(), b"mine".to_vec(), b"1".to_vec()],
            0,
        );
        let (out, _) = run_blocking(&mut server, &words("-t set -n 10 -q"), 0, &mut ticking());
        assert!(
            out.starts_with("(benchmark: running in database 14"),
            "{out}"
        );
        assert_eq!(
            server.execute(me, vec![b"DBSIZE".to_vec()], 0),
            vec![Reply::Integer(1)]
        );
    }

    #[test]
    fn report_layout_matches_redis_benchmark() {
        let mut latencies = Histogram::default();
        latencies.record_many(100, 500);
        latencies.record_many(300, 500);
        let result = TestResult {
            test: Test::Set,
            requests: 1000,
            elapsed_us: 10_000,
            latencies,
        };
        let options = Options {
            clients: 50,
            ..Options::default()
        };
        let host = HostConfig {
            save: String::new(),
            appendonly: "no".into(),
        };
        let text = report(&result, &options, &host);
        let expected = "====== SET ======
  1000 requests completed in 0.01 seconds
  50 parallel clients
  3 bytes payload
  keep alive: 1
  host configuration \"save\": 
  host configuration \"appendonly\": no
  multi-thread: no

Latency by percentile distribution:
0.000% <= 0.103 milliseconds (cumulative count 500)
75.000% <= 0.303 milliseconds (cumulative count 1000)
100.000% <= 0.303 milliseconds (cumulative count 1000)

Cumulative distribution of latencies:
50.000% <= 0.103 milliseconds (cumulative count 500)
100.000% <= 0.303 milliseconds (cumulative count 1000)

Summary:
  throughput summary: 100000.00 requests per second
  latency summary (msec):
          avg       min       p50       p95       p99       max
        0.200     0.096     0.103     0.303     0.303     0.303
";
        assert_eq!(text, expected);
        let quiet = Options {
            quiet: true,
            ..options
        };
        assert_eq!(
            report(&result, &quiet, &host),
            "SET: 100000.00 requests per second, p50=0.103 msec\n"
        );
    }

    #[test]
    fn errors_stop_the_run() {
        let mut server = Server::new();
        let _ = server.configure("maxmemory", b"1");
        let (out, results) = run_blocking(&mut server, &words("-t set -n 10"), 0, &mut ticking());
        assert!(results.is_empty());
        assert!(
            out.ends_with(
                "Error from server: OOM command not allowed when used memory > 'maxmemory'.\n"
            ),
            "{out}"
        );
    }
}
