//! What the learner sees of their progress: the step checkbox, percentages on the course map,
//! the progress panel (achievements, export and import of progress.yaml), the benchmark panel
//! toggle, and the toast announcing an achievement.

use curriculum::achievements::ACHIEVEMENTS;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::benchmark_panel::BenchmarkPanel;
use crate::engine::Engine;
use crate::progress::{self, use_progress, use_window_event};

#[derive(Properties, PartialEq)]
pub struct StepProps {
    pub step_id: String,
}

/// "Done" checkbox on a step: ticked automatically once all its blocks have run.
#[function_component(StepDone)]
pub fn step_done(props: &StepProps) -> Html {
    use_progress();
    let done = progress::is_step_done(&props.step_id);
    let onchange = {
        let id = props.step_id.clone();
        Callback::from(move |_: Event| progress::set_step_done(&id, !done))
    };
    html! {
        <label class={classes!("step-done", done.then_some("done"))} title="Ticked automatically once every runnable block of this step has run">
            <input type="checkbox" checked={done} {onchange} />
            { if done { " Step done" } else { " Mark step done" } }
        </label>
    }
}

/// A step's tick on the course map.
#[function_component(StepTick)]
pub fn step_tick(props: &StepProps) -> Html {
    use_progress();
    if progress::is_step_done(&props.step_id) {
        html! { <span class="step-tick" title="Done" aria-label="done">{"✓"}</span> }
    } else {
        html! {}
    }
}

#[derive(Properties, PartialEq)]
pub struct ModuleProps {
    pub module_id: String,
}

/// A module's share of steps done, beside its title on the course map.
#[function_component(ModuleProgress)]
pub fn module_progress(props: &ModuleProps) -> Html {
    use_progress();
    let Some(module) = crate::lesson::course()
        .modules
        .iter()
        .find(|m| m.id == props.module_id)
    else {
        return html! {};
    };
    let counts = progress::module_counts(module);
    html! {
        <span class="module-progress" title={format!("{} of {} steps done", counts.0, counts.1)}>
            { format!(" {}%", progress::percent(counts)) }
        </span>
    }
}

/// The whole course's share of steps done, above the course map.
#[function_component(OverallProgress)]
pub fn overall_progress() -> Html {
    use_progress();
    let counts = progress::overall_counts();
    let pct = progress::percent(counts);
    html! {
        <div class="overall-progress" aria-label="Course progress">
            <span class="label">{ format!("Course progress: {pct}%") }</span>
            <span class="detail">{ format!(" ({} of {} steps)", counts.0, counts.1) }</span>
            <div class="bar" role="progressbar" aria-label="Steps done" aria-valuemin="0" aria-valuemax="100" aria-valuenow={pct.to_string()}>
                <div class="fill" style={format!("width: {pct}%")}></div>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub engine: Engine,
}

#[derive(Clone, Copy, PartialEq)]
enum Drawer {
    Closed,
    Progress,
    Benchmark,
    Persistence,
}

/// Moves the keyboard focus to the first element matching `css`.
fn focus_element(css: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(css).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// Top-bar buttons opening the progress and benchmark panels, and the achievement toast.
#[function_component(ProgressToolbar)]
pub fn progress_toolbar(props: &ToolbarProps) -> Html {
    let drawer = use_state(|| Drawer::Closed);
    use_window_event(
        progress::CHALLENGE_PASSED_EVENT,
        Callback::from(|_| progress::refresh_challenges()),
    );
    let toggle = |which: Drawer| {
        let drawer = drawer.clone();
        Callback::from(move |_: MouseEvent| {
            drawer.set(if *drawer == which {
                Drawer::Closed
            } else {
                which
            })
        })
    };
    let close = {
        let drawer = drawer.clone();
        Callback::from(move |_: MouseEvent| drawer.set(Drawer::Closed))
    };
    // Escape closes the panel and gives the keyboard back to the button that opened it.
    let onkeydown = {
        let drawer = drawer.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Escape" {
                return;
            }
            let opener = match *drawer {
                Drawer::Progress => ".open-progress",
                Drawer::Benchmark => ".open-benchmark",
                _ => ".open-persistence",
            };
            drawer.set(Drawer::Closed);
            focus_element(opener);
        })
    };
    // An opened panel takes the keyboard (its close button first).
    use_effect_with(*drawer, |open| {
        if *open != Drawer::Closed {
            focus_element(".drawer .drawer-close");
        }
    });
    html! {
        <>
            <button type="button" class="topbar-button open-progress" aria-pressed={(*drawer == Drawer::Progress).to_string()} onclick={toggle(Drawer::Progress)}>{"Progress"}</button>
            <button type="button" class="topbar-button open-benchmark" aria-pressed={(*drawer == Drawer::Benchmark).to_string()} onclick={toggle(Drawer::Benchmark)}>{"Benchmark"}</button>
            <button type="button" class="topbar-button open-persistence" aria-pressed={(*drawer == Drawer::Persistence).to_string()} onclick={toggle(Drawer::Persistence)}>{"Persistence"}</button>
            <Toast />
            if *drawer != Drawer::Closed {
                <aside class="drawer" {onkeydown} aria-label={match *drawer { Drawer::Progress => "Progress", Drawer::Benchmark => "Benchmark", _ => "Persistence" }}>
                    <button type="button" class="drawer-close" aria-label="Close the panel" onclick={close}>{"×"}</button>
                    if *drawer == Drawer::Progress {
                        <ProgressPanel />
                    } else if *drawer == Drawer::Benchmark {
                        <BenchmarkPanel engine={props.engine.clone()} />
                    } else {
                        <crate::persistence_panel::PersistencePanel engine={props.engine.clone()} />
                    }
                </aside>
            }
        </>
    }
}

/// Achievements, and progress.yaml export and import.
#[function_component(ProgressPanel)]
fn progress_panel() -> Html {
    use_progress();
    let text = use_state(String::new);
    let message = use_state(String::new);
    let area = use_node_ref();
    let file = use_node_ref();
    let export = {
        let (text, message) = (text.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            let yaml = progress::export_yaml();
            crate::files::download("progress.yaml", yaml.as_bytes(), "text/yaml");
            text.set(yaml);
            message.set("Exported progress.yaml (also shown below).".into());
        })
    };
    let import = {
        let (message, area) = (message.clone(), area.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(field) = area.cast::<web_sys::HtmlTextAreaElement>() else {
                return;
            };
            match progress::import_yaml(&field.value()) {
                Ok(()) => message.set("Imported: progress replaced by the file's.".into()),
                Err(e) => message.set(format!("Not imported: {e}")),
            }
        })
    };
    let chosen = {
        let (text, file) = (text.clone(), file.clone());
        Callback::from(move |_: Event| read_file(&file, text.clone()))
    };
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                text.set(t.value());
            }
        })
    };
    let best = progress::with_progress(|p| p.benchmark_best.clone());
    html! {
        <section class="progress-panel">
            <h2>{"Progress"}</h2>
            <OverallProgress />
            <h3>{"Achievements"}</h3>
            <ul class="achievements">
                { for ACHIEVEMENTS.iter().map(|a| {
                    let earned = progress::with_progress(|p| p.achievements.get(a.id).cloned());
                    let state = if earned.is_some() { "unlocked" } else { "locked" };
                    html! {
                        <li class={classes!("achievement", state)} data-id={a.id}>
                            <span class="badge" aria-hidden="true">{ if earned.is_some() { "🔓" } else { "🔒" } }</span>
                            <strong>{ a.title }</strong>
                            <span class="state">{ if earned.is_some() { " unlocked" } else { " locked" } }</span>
                            if let Some(e) = &earned {
                                <span class="date">{ format!(" · {}", e.date) }</span>
                                if !e.detail.is_empty() {
                                    <p class="detail">{ e.detail.clone() }</p>
                                }
                            }
                            <p class="rule">{ a.rule }</p>
                        </li>
                    }
                }) }
            </ul>
            if let Some(b) = best {
                <p class="benchmark-best">{ format!("Best benchmark: {:.0} requests per second ({}, {} requests, pipeline {})", b.ops_per_sec, b.test, b.requests, b.pipeline) }</p>
            }
            <h3>{"Carry your progress"}</h3>
            <p class="hint">{"Progress lives in this browser. Export it as progress.yaml to keep it or move it; importing a file replaces what this browser holds."}</p>
            <div class="progress-actions">
                <button type="button" class="export-progress" onclick={export}>{"Export progress.yaml"}</button>
                <input type="file" accept=".yaml,.yml,text/yaml" ref={file} onchange={chosen} aria-label="Choose a progress.yaml file" />
                <button type="button" class="import-progress" onclick={import}>{"Import"}</button>
            </div>
            <textarea class="progress-yaml" ref={area} value={(*text).clone()} {oninput} rows="10" aria-label="progress.yaml text" spellcheck="false" />
            <p class="progress-message" role="status">{ (*message).clone() }</p>
        </section>
    }
}

/// Loads the chosen file's text into the import box.
fn read_file(input: &NodeRef, text: UseStateHandle<String>) {
    let Some(file) = input
        .cast::<web_sys::HtmlInputElement>()
        .and_then(|i| i.files())
        .and_then(|f| f.get(0))
    else {
        return;
    };
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let done = {
        let reader = reader.clone();
        Closure::once_into_js(move || {
            if let Some(content) = reader.result().ok().and_then(|r| r.as_string()) {
                text.set(content);
            }
        })
    };
    reader.set_onload(Some(done.unchecked_ref()));
    let _ = reader.read_as_text(&file);
}

/// "Achievement unlocked" for a few seconds, announced politely to screen readers.
#[function_component(Toast)]
fn toast() -> Html {
    let shown = use_state(|| None::<(u32, String)>);
    {
        let shown = shown.clone();
        use_window_event(
            progress::ACHIEVEMENT_EVENT,
            Callback::from(move |e: web_sys::CustomEvent| {
                let title = e.detail().as_string().unwrap_or_default();
                let seq = shown.as_ref().map_or(0, |(n, _)| n + 1);
                shown.set(Some((seq, title)));
            }),
        );
    }
    {
        let shown = shown.clone();
        let seq = shown.as_ref().map(|(n, _)| *n);
        use_effect_with(seq, move |seq| {
            let timer =
                seq.map(|_| gloo_timers::callback::Timeout::new(6_000, move || shown.set(None)));
            move || drop(timer)
        });
    }
    html! {
        <div class="toast-region" role="status" aria-live="polite">
            if let Some((_, title)) = &*shown {
                <div class="toast">{ format!("🏆 Achievement unlocked: {title}") }</div>
            }
        </div>
    }
}
