//! The in-page benchmark: the Benchmark panel (flags, Run, a bar chart of requests per second,
//! the report) and the consoles' `benchmark` built-in. The load runs in chunks of a few
//! milliseconds with a pause between them so the page keeps responding; it goes through
//! observer clients on an empty database (see `emulator::cli::benchmark`).

use std::cell::RefCell;

use emulator::cli::benchmark::{self, Benchmark, ServerTarget, TestResult};
use yew::prelude::*;

use crate::engine::{now_ms, Engine};
use crate::progress::use_window_event;

const CHANGED_EVENT: &str = "redis-playground:benchmark-changed";
/// Work per chunk before the page gets a turn (milliseconds of host time).
const CHUNK_MS: f64 = 40.0;
/// Requests between clock checks inside a chunk.
const SLICE: u64 = 2_000;
pub const DEFAULT_FLAGS: &str =
    "-t set,get,incr,lpush,rpop,sadd,hset,zadd -n 100000 -P 16 -r 10000";

/// Where a run's text goes.
#[derive(Clone, Copy, PartialEq)]
enum Sink {
    Panel,
    /// The console of this client id.
    Console(u64),
}

struct Run {
    bench: Benchmark,
    target: ServerTarget,
    sink: Sink,
}

/// What the panel shows.
#[derive(Default)]
struct PanelState {
    running: bool,
    report: String,
    /// (title, requests per second, p50 ms) of the last panel run's tests.
    bars: Vec<(String, f64, f64)>,
    status: String,
}

thread_local! {
    static RUN: RefCell<Option<Run>> = const { RefCell::new(None) };
    static PANEL: RefCell<PanelState> = RefCell::new(PanelState::default());
    /// Text waiting for a console (client id, text).
    static CONSOLE_OUT: RefCell<Vec<(u64, String)>> = const { RefCell::new(Vec::new()) };
}

/// Host microseconds from the page's high-resolution clock.
pub fn micros() -> u64 {
    (precise_ms() * 1000.0) as u64
}

pub fn precise_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

fn changed() {
    crate::progress::dispatch(CHANGED_EVENT, "");
}

fn emit(sink: Sink, text: &str) {
    match sink {
        Sink::Panel => PANEL.with(|p| p.borrow_mut().report.push_str(text)),
        Sink::Console(id) => CONSOLE_OUT.with(|o| o.borrow_mut().push((id, text.to_string()))),
    }
    changed();
}

/// The console built-in: `benchmark <flags>` returns the flags' words.
pub fn console_builtin(line: &str) -> Option<Vec<String>> {
    let mut words = line.split_whitespace();
    let first = words.next()?;
    first
        .eq_ignore_ascii_case("benchmark")
        .then(|| words.map(str::to_string).collect())
}

/// Starts `benchmark <args>` for the console of client `client`; returns what to print now.
pub fn start_from_console(engine: &Engine, args: &[String], client: u64) -> String {
    match start(engine, args, Sink::Console(client)) {
        Ok(preamble) => preamble,
        Err(e) => e,
    }
}

/// Text the benchmark produced for the console of `client` since the last call.
pub fn take_console_output(client: u64) -> String {
    CONSOLE_OUT.with(|o| {
        let mut out = o.borrow_mut();
        let mut text = String::new();
        out.retain(|(id, t)| {
            if *id == client {
                text.push_str(t);
                false
            } else {
                true
            }
        });
        text
    })
}

fn start(engine: &Engine, args: &[String], sink: Sink) -> Result<String, String> {
    if RUN.with(|r| r.borrow().is_some()) {
        return Err("A benchmark is already running; wait for it to finish.\n".into());
    }
    let options = benchmark::parse_options(args)?;
    let target = engine.with(|server| {
        server.tick(now_ms());
        ServerTarget::open(server, options.clients, now_ms())
    })?;
    let preamble = benchmark::preamble(target.db);
    RUN.with(|r| {
        *r.borrow_mut() = Some(Run {
            bench: Benchmark::new(options),
            target,
            sink,
        })
    });
    schedule(engine.clone());
    Ok(preamble)
}

fn schedule(engine: Engine) {
    gloo_timers::callback::Timeout::new(0, move || run_chunk(engine)).forget();
}

/// Runs the load for about CHUNK_MS, reports finished tests, and schedules the next chunk.
fn run_chunk(engine: Engine) {
    let Some(mut run) = RUN.with(|r| r.borrow_mut().take()) else {
        return;
    };
    let started = precise_ms();
    let mut finished: Vec<TestResult> = Vec::new();
    engine.with(|server| {
        run.target.set_now(now_ms());
        let mut clock = micros;
        while !run.bench.is_done() && precise_ms() - started < CHUNK_MS {
            let target = &run.target;
            let mut send = |client: usize, argv: Vec<Vec<u8>>| target.send(server, client, argv);
            finished.extend(run.bench.run_chunk(&mut send, &mut clock, SLICE));
        }
    });
    let sink = run.sink;
    for result in &finished {
        let mut text = benchmark::report(result, run.bench.options(), &run.target.host);
        if !run.bench.options().quiet {
            text.push('\n');
        }
        emit(sink, &text);
        let rps = result.requests_per_second();
        crate::progress::on_benchmark_result(
            result.test.title(),
            result.requests,
            run.bench.options().pipeline,
            rps,
        );
        if sink == Sink::Panel {
            let p50 = result.latencies.value_at_percentile(50.0) as f64 / 1000.0;
            PANEL.with(|p| {
                p.borrow_mut()
                    .bars
                    .push((result.test.title().to_string(), rps, p50))
            });
        }
    }
    if run.bench.is_done() {
        if let Some(e) = run.bench.error() {
            emit(sink, e);
        }
        engine.with(|server| run.target.close(server));
        if sink == Sink::Panel {
            PANEL.with(|p| {
                let mut p = p.borrow_mut();
                p.running = false;
                p.status = "Done.".into();
            });
        }
        changed();
        return;
    }
    if let (Sink::Panel, Some((test, share))) = (sink, run.bench.progress()) {
        PANEL.with(|p| {
            p.borrow_mut().status = format!("Running {}: {:.0}%", test.title(), share * 100.0)
        });
        changed();
    }
    RUN.with(|r| *r.borrow_mut() = Some(run));
    schedule(engine);
}

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub engine: Engine,
}

#[function_component(BenchmarkPanel)]
pub fn benchmark_panel(props: &PanelProps) -> Html {
    let redraw = use_force_update();
    use_window_event(
        CHANGED_EVENT,
        Callback::from(move |_| redraw.force_update()),
    );
    let flags = use_state(|| DEFAULT_FLAGS.to_string());
    let oninput = {
        let flags = flags.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                flags.set(input.value());
            }
        })
    };
    let onclick = {
        let (engine, flags) = (props.engine.clone(), flags.clone());
        Callback::from(move |_: MouseEvent| {
            let args: Vec<String> = flags.split_whitespace().map(str::to_string).collect();
            PANEL.with(|p| *p.borrow_mut() = PanelState::default());
            let outcome = start(&engine, &args, Sink::Panel);
            PANEL.with(|p| {
                let mut p = p.borrow_mut();
                match outcome {
                    Ok(preamble) => {
                        p.running = true;
                        p.status = "Starting…".into();
                        p.report = preamble;
                    }
                    Err(e) => p.status = e,
                }
            });
            changed();
        })
    };
    PANEL.with(|p| {
        let p = p.borrow();
        let top = p.bars.iter().map(|b| b.1).fold(1.0_f64, f64::max);
        html! {
            <section class="benchmark-panel">
                <h2>{"Benchmark"}</h2>
                <p class="hint">{"A redis-benchmark-style load against the engine in this page. It runs through hidden clients in an empty database (emptied again afterwards), so your keys, INFO statistics and CLIENT LIST stay as they were. Flags: -t tests, -n requests per test, -c clients, -P pipeline depth, -r random key space, -d value size, -q one line per test. The same runs from a console: benchmark -t set -n 100000 -P 16."}</p>
                <div class="benchmark-form">
                    <label>{"redis-benchmark "}<input class="benchmark-flags" type="text" value={(*flags).clone()} {oninput} aria-label="benchmark flags" spellcheck="false" /></label>
                    <button type="button" class="run-benchmark" {onclick} disabled={p.running}>{"Run"}</button>
                </div>
                <p class="benchmark-status" role="status">{ p.status.clone() }</p>
                if !p.bars.is_empty() {
                    <div class="bar-chart" role="img" aria-label="Requests per second by test">
                        { for p.bars.iter().map(|(title, rps, p50)| html! {
                            <div class="bar-row" data-test={title.clone()} data-rps={format!("{rps:.2}")} data-p50={format!("{p50:.3}")}>
                                <span class="bar-label">{ title.clone() }</span>
                                <span class="bar" style={format!("width: {:.1}%", rps / top * 100.0)}></span>
                                <span class="bar-value">{ format!("{rps:.0} req/s · p50 {p50:.3} ms") }</span>
                            </div>
                        }) }
                    </div>
                }
                <pre class="benchmark-report">{ p.report.clone() }</pre>
            </section>
        }
    })
}
