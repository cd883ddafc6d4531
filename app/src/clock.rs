//! The engine's clock, beyond redis-cli: move time forward to watch TTLs run out, pause it to
//! read a countdown, and see the time the engine is at.

use yew::prelude::*;

use crate::engine::{now_ms, Engine};

#[derive(Properties, PartialEq)]
pub struct ClockProps {
    pub engine: Engine,
}

/// `HH:MM:SS.t` (UTC) of an engine time in milliseconds since the Unix epoch.
fn clock_text(ms: u64) -> String {
    let seconds = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}.{}",
        (seconds / 3600) % 24,
        (seconds / 60) % 60,
        seconds % 60,
        (ms % 1000) / 100
    )
}

#[function_component(ClockBar)]
pub fn clock_bar(props: &ClockProps) -> Html {
    let redraw = use_force_update();
    {
        let redraw = redraw.clone();
        use_effect_with((), move |_| {
            let timer = gloo_timers::callback::Interval::new(250, move || redraw.force_update());
            move || drop(timer)
        });
    }
    let engine = props.engine.clone();
    let advance = |ms: u64, label: &'static str| {
        let (engine, redraw) = (engine.clone(), redraw.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            engine.with(|server| {
                server.advance_clock(ms);
                server.tick(now_ms());
            });
            redraw.force_update();
        });
        html! {
            <button type="button" class="clock-button" {onclick} aria-label={format!("Move the engine clock forward {label}")}>{ format!("+{label}") }</button>
        }
    };
    let (now, paused) = engine.with(|server| {
        server.tick(now_ms());
        (server.now_ms(), server.clock_paused())
    });
    let toggle = {
        let (engine, redraw) = (engine.clone(), redraw.clone());
        Callback::from(move |_: MouseEvent| {
            engine.with(|server| {
                if server.clock_paused() {
                    server.resume_clock();
                } else {
                    server.pause_clock();
                }
            });
            redraw.force_update();
        })
    };
    html! {
        <div class="clock" role="group" aria-label="Engine clock">
            <span class="clock-label">{"Engine time"}</span>
            <time class={classes!("clock-now", paused.then_some("paused"))}>{ clock_text(now) }{ if paused { " (paused)" } else { "" } }</time>
            { advance(1_000, "1 s") }
            { advance(10_000, "10 s") }
            { advance(60_000, "1 min") }
            <button type="button" class="clock-button" onclick={toggle} aria-pressed={paused.to_string()}>{ if paused { "Resume" } else { "Pause" } }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_text_is_utc_time_of_day() {
        assert_eq!(super::clock_text(3_723_456), "01:02:03.4");
    }
}
