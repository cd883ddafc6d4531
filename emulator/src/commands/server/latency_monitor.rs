//! The latency monitor (Redis's latency.c): with `latency-monitor-threshold` set, every call
//! that takes at least that many milliseconds is recorded as a `command` event (or
//! `fast-command` for commands flagged fast), one sample per second per event, the last 160
//! seconds kept; and LATENCY, which reports them and the per-command histograms.
//! GRAPH and DOCTOR are written by `latency_report`.

use super::help_reply;
use crate::commands::{flags, spec, CommandSpec};
use crate::resp::Reply;
use crate::server::{Call, Server};

/// Samples kept per event (Redis's LATENCY_TS_LEN).
const SERIES_LEN: usize = 160;

/// One event's time series: `(unix seconds, milliseconds)` in a ring, and the maximum seen.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    samples: [(u64, u64); SERIES_LEN],
    next: usize,
    max: u64,
}

impl Series {
    fn new() -> Series {
        Series {
            samples: [(0, 0); SERIES_LEN],
            next: 0,
            max: 0,
        }
    }

    /// Redis's latencyAddSample: one sample per second, the highest of that second.
    fn add(&mut self, now_secs: u64, latency_ms: u64) {
        self.max = self.max.max(latency_ms);
        let previous = (self.next + SERIES_LEN - 1) % SERIES_LEN;
        if self.samples[previous].0 == now_secs {
            self.samples[previous].1 = self.samples[previous].1.max(latency_ms);
            return;
        }
        self.samples[self.next] = (now_secs, latency_ms);
        self.next = (self.next + 1) % SERIES_LEN;
    }

    fn latest(&self) -> (u64, u64) {
        self.samples[(self.next + SERIES_LEN - 1) % SERIES_LEN]
    }

    /// The highest latency ever recorded for the event.
    pub(super) fn max(&self) -> u64 {
        self.max
    }

    /// Oldest first, skipping unused slots.
    pub(super) fn history(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        (0..SERIES_LEN)
            .map(move |j| self.samples[(self.next + j) % SERIES_LEN])
            .filter(|&(time, _)| time != 0)
    }
}

/// The events recorded so far, in the order they first occurred.
#[derive(Debug, Default)]
pub(crate) struct LatencyEvents {
    events: Vec<(String, Series)>,
}

impl LatencyEvents {
    fn add(&mut self, event: &str, now_secs: u64, latency_ms: u64) {
        match self.events.iter_mut().find(|(name, _)| name == event) {
            Some((_, series)) => series.add(now_secs, latency_ms),
            None => {
                let mut series = Series::new();
                series.add(now_secs, latency_ms);
                self.events.push((event.to_string(), series));
            }
        }
    }

    pub(super) fn all(&self) -> &[(String, Series)] {
        &self.events
    }

    fn find(&self, event: &[u8]) -> Option<&Series> {
        self.events
            .iter()
            .find(|(name, _)| name.as_bytes() == event)
            .map(|(_, series)| series)
    }

    /// Deletes the events named `event` (any case), or all of them; returns how many.
    fn reset(&mut self, event: Option<&[u8]>) -> i64 {
        let before = self.events.len();
        self.events
            .retain(|(name, _)| event.is_some_and(|e| !name.as_bytes().eq_ignore_ascii_case(e)));
        (before - self.events.len()) as i64
    }
}

impl Server {
    /// Redis's latencyAddSampleIfNeeded for the call that just took `elapsed_us`.
    pub(crate) fn record_latency_event(
        &mut self,
        spec: &CommandSpec,
        call: &Call,
        elapsed_us: u64,
    ) {
        let threshold = self.config.latency_monitor_threshold;
        let latency_ms = elapsed_us / 1000;
        if threshold <= 0 || latency_ms < threshold as u64 {
            return;
        }
        let event = if spec.has_flag(flags::FAST) {
            "fast-command"
        } else {
            "command"
        };
        self.monitor
            .latency_events
            .add(event, call.now / 1000, latency_ms);
    }
}

const HELP: &[&str] = &[
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
    "    If no commands are specified then all histograms are replied.",
];

pub(super) fn help(_srv: &mut Server, _call: &mut Call) -> Reply {
    help_reply(b"latency", HELP)
}

/// LATENCY LATEST: `[event, time of the latest sample, its latency, the maximum]` per event.
pub(super) fn latest(srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::Array(
        srv.monitor
            .latency_events
            .events
            .iter()
            .map(|(name, series)| {
                let (time, latency) = series.latest();
                Reply::Array(vec![
                    Reply::Bulk(name.as_bytes().to_vec()),
                    Reply::Integer(time as i64),
                    Reply::Integer(latency as i64),
                    Reply::Integer(series.max as i64),
                ])
            })
            .collect(),
    )
}

/// LATENCY HISTORY event: `[time, latency]` pairs, oldest first (empty for an unknown event).
pub(super) fn history(srv: &mut Server, call: &mut Call) -> Reply {
    let samples = srv
        .monitor
        .latency_events
        .find(call.arg(2))
        .map_or_else(Vec::new, |series| {
            series
                .history()
                .map(|(time, latency)| {
                    Reply::Array(vec![
                        Reply::Integer(time as i64),
                        Reply::Integer(latency as i64),
                    ])
                })
                .collect()
        });
    Reply::Array(samples)
}

/// LATENCY GRAPH event: the event's samples as an ASCII sparkline.
pub(super) fn graph(srv: &mut Server, call: &mut Call) -> Reply {
    let event = call.arg(2);
    let now_secs = call.now / 1000;
    match srv.monitor.latency_events.find(event) {
        Some(series) => {
            let name = String::from_utf8_lossy(event);
            let text = super::latency_report::graph(&name, series, now_secs);
            Reply::Verbatim("txt", text.into_bytes())
        }
        None => Reply::Error(format!(
            "ERR No samples available for event '{}'",
            String::from_utf8_lossy(event)
        )),
    }
}

/// LATENCY DOCTOR: Redis's report on the events recorded, with its advice.
pub(super) fn doctor(srv: &mut Server, call: &mut Call) -> Reply {
    Reply::Verbatim("txt", srv.latency_report(call.now / 1000).into_bytes())
}

/// LATENCY RESET [event ...]: how many events were deleted.
pub(super) fn reset(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() == 2 {
        return Reply::Integer(srv.monitor.latency_events.reset(None));
    }
    let mut resets = 0;
    for i in 2..call.argc() {
        resets += srv.monitor.latency_events.reset(Some(call.arg(i)));
    }
    Reply::Integer(resets)
}

/// LATENCY HISTOGRAM [command ...]: per command (subcommands by their full name), its calls
/// and the cumulative distribution of their durations in microseconds. Unknown names and
/// commands without data are left out.
pub(super) fn histogram(srv: &mut Server, call: &mut Call) -> Reply {
    let mut wanted: Vec<&'static CommandSpec> = Vec::new();
    if call.argc() == 2 {
        for command in spec::COMMANDS {
            wanted.push(command);
            wanted.extend(command.subcommands);
        }
    } else {
        for i in 2..call.argc() {
            let name = call.arg(i);
            let found = match name.iter().position(|&b| b == b'|') {
                Some(bar) => spec::find(&name[..bar]).and_then(|c| c.subcommand(&name[bar + 1..])),
                None => spec::find(name),
            };
            if let Some(command) = found {
                wanted.push(command);
                wanted.extend(command.subcommands);
            }
        }
    }
    let entries = wanted
        .into_iter()
        .filter_map(|command| {
            let histogram = srv.monitor.latency.get(command.name)?;
            let buckets = histogram
                .cumulative_usec()
                .into_iter()
                .map(|(usec, calls)| (Reply::Integer(usec as i64), Reply::Integer(calls as i64)))
                .collect();
            Some((
                Reply::Bulk(command.name.as_bytes().to_vec()),
                Reply::Map(vec![
                    (
                        Reply::bulk("calls"),
                        Reply::Integer(histogram.total() as i64),
                    ),
                    (Reply::bulk("histogram_usec"), Reply::Map(buckets)),
                ]),
            ))
        })
        .collect();
    Reply::Map(entries)
}
