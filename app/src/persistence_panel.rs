//! The persistence panel: what survives a reload or a crash under the running configuration,
//! the controls a learner uses to see it (save, restart, crash), and the files on the
//! engine's disk to download, plus importing a `dump.rdb`.

use std::rc::Rc;

use emulator::{Protocol, Reply};
use yew::prelude::*;

use crate::engine::{now_ms, Engine};
use crate::files;
use crate::storage::StorageState;

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub engine: Engine,
}

/// A field of INFO persistence.
fn info_field(info: &str, name: &str) -> String {
    info.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .unwrap_or("")
        .trim()
        .to_string()
}

fn reply_text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(b) | Reply::Verbatim(_, b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Simple(s) => s.to_string(),
        Reply::Error(e) => format!("(error) {e}"),
        other => String::from_utf8_lossy(&other.encode(Protocol::Resp2)).into_owned(),
    }
}

fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[function_component(PersistencePanel)]
pub fn persistence_panel(props: &PanelProps) -> Html {
    let engine = props.engine.clone();
    let redraw = use_force_update();
    let message = use_state(Vec::<String>::new);
    let dragging = use_state(|| false);
    let quota = use_state(|| None::<(f64, f64)>);
    {
        // Follow the storage's state and the clock (pending fsyncs, save points).
        let (engine, redraw) = (engine.clone(), redraw.clone());
        use_effect_with((), move |_| {
            if let Some(storage) = engine.storage() {
                let redraw = redraw.clone();
                storage.subscribe(Rc::new(move || redraw.force_update()));
            }
            let timer = gloo_timers::callback::Interval::new(1000, move || redraw.force_update());
            move || drop(timer)
        });
    }
    {
        let quota = quota.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                quota.set(crate::storage::usage_and_quota().await);
            });
        });
    }

    let stopped = engine.is_stopped();
    let durability = engine.with(|s| s.durability());
    let info = if stopped {
        String::new()
    } else {
        reply_text(&engine.observe_command(&["INFO", "persistence"]))
    };
    let (save, appendonly, fsync) = engine.with(|s| {
        let get =
            |name| String::from_utf8_lossy(&s.config().get(name).unwrap_or_default()).into_owned();
        (get("save"), get("appendonly"), get("appendfsync"))
    });
    let unsynced = engine.with(|s| s.aof_unsynced_bytes());
    let files_on_disk: Vec<(String, usize)> = engine
        .disk_files()
        .into_iter()
        .map(|name| {
            let len = engine.disk_file(&name).map_or(0, |b| b.len());
            (name, len)
        })
        .collect();
    let storage_line = match (engine.storage_error(), engine.storage().map(|s| s.state())) {
        (Some(e), _) => format!("Unavailable: {e}. Data lives in this page only and is lost on reload."),
        (None, Some(StorageState::Saved)) => "Saved: the browser holds everything on the server's disk.".into(),
        (None, Some(StorageState::Writing)) => "Writing to browser storage…".into(),
        (None, Some(StorageState::Failed(e))) => format!("Failed: {e}. Free some space (or leave private browsing); the next write retries in full."),
        (None, None) => "Unavailable.".into(),
    };

    let act = |f: fn(&Engine) -> Vec<String>| {
        let (engine, message, redraw) = (engine.clone(), message.clone(), redraw.clone());
        Callback::from(move |_: MouseEvent| {
            message.set(f(&engine));
            redraw.force_update();
        })
    };
    let save_now = act(|e| {
        let reply = e.observe_command(&["SAVE"]);
        vec![format!("SAVE: {}", reply_text(&reply).trim())]
    });
    let restart = act(|e| {
        e.restart();
        e.start_log()
    });
    let crash = act(|e| {
        e.crash();
        e.start_log()
    });
    let start = act(|e| {
        e.start();
        e.start_log()
    });
    let download_rdb = {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| {
            let name = engine.with(|s| {
                String::from_utf8_lossy(&s.config().get("dbfilename").unwrap_or_default())
                    .into_owned()
            });
            if let Some(bytes) = engine.disk_file(&name) {
                files::download(&name, &bytes, "application/octet-stream");
            }
        })
    };
    let download_aof = {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| {
            let dir = engine.with(|s| {
                String::from_utf8_lossy(&s.config().get("appenddirname").unwrap_or_default())
                    .into_owned()
            });
            let prefix = format!("{dir}/");
            let entries: Vec<(String, Vec<u8>)> = engine
                .disk_files()
                .into_iter()
                .filter(|n| n.starts_with(&prefix))
                .filter_map(|n| engine.disk_file(&n).map(|b| (n, b)))
                .collect();
            files::download(
                &format!("{dir}.tar"),
                &files::tar(&entries),
                "application/x-tar",
            );
        })
    };
    let import = {
        let (engine, message, redraw) = (engine.clone(), message.clone(), redraw.clone());
        Rc::new(move |file: web_sys::File| {
            let (engine, message, redraw) = (engine.clone(), message.clone(), redraw.clone());
            files::read_bytes(file, move |name, bytes| {
                message.set(import_rdb(&engine, &name, &bytes));
                redraw.force_update();
            });
        })
    };
    let chosen = {
        let import = import.clone();
        Callback::from(move |e: Event| {
            let file = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|f| f.get(0));
            if let Some(file) = file {
                import(file);
            }
        })
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let (import, dragging) = (import.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(file) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                import(file);
            }
        })
    };
    let rdb_name = engine.with(|s| {
        String::from_utf8_lossy(&s.config().get("dbfilename").unwrap_or_default()).into_owned()
    });
    let has_rdb = files_on_disk.iter().any(|(n, _)| *n == rdb_name);
    let has_aof = files_on_disk.iter().any(|(n, _)| n.contains('/'));

    html! {
        <section class="persistence-panel">
            <h2>{"Persistence"}</h2>
            <dl class="survival">
                <dt>{"A page reload or Restart keeps"}</dt>
                <dd class="survives-restart">{ durability.restart.clone() }</dd>
                <dt>{"A crash loses"}</dt>
                <dd class="survives-crash">{ durability.crash.clone() }</dd>
            </dl>
            <p class="hint">{"A reload is a clean SHUTDOWN and a start, with the same configuration (as if CONFIG REWRITE had saved it). Change the rules with CONFIG SET save, appendonly and appendfsync."}</p>
            <dl class="persistence-state">
                <dt>{"Snapshots (save)"}</dt>
                <dd>{ if save.is_empty() { "off".to_string() } else { save.clone() } }</dd>
                <dt>{"Append-only file"}</dt>
                <dd>{ if appendonly == "yes" { format!("on, appendfsync {fsync}") } else { "off".to_string() } }</dd>
                if !stopped {
                    <dt>{"Changes since the last save"}</dt>
                    <dd class="changes">{ info_field(&info, "rdb_changes_since_last_save") }</dd>
                }
                if appendonly == "yes" {
                    <dt>{"AOF bytes not yet on disk"}</dt>
                    <dd class="unsynced">{ unsynced.to_string() }</dd>
                }
                <dt>{"Browser storage"}</dt>
                <dd class="storage-state">{ storage_line }</dd>
                if let Some((usage, total)) = *quota {
                    <dt>{"Storage used by this site"}</dt>
                    <dd>{ format!("{} of {} available", size(usage as usize), size(total as usize)) }</dd>
                }
            </dl>
            <div class="persistence-actions">
                if stopped {
                    <button type="button" class="start-server" onclick={start}>{"Start server"}</button>
                } else {
                    <button type="button" class="save-now" onclick={save_now}>{"Save now"}</button>
                    <button type="button" class="restart-server" onclick={restart}>{"Restart server"}</button>
                    <button type="button" class="crash-server" onclick={crash}>{"Crash server (lose what is not persisted)"}</button>
                }
            </div>
            if !message.is_empty() {
                <pre class="server-log" role="status">{ message.join("\n") }</pre>
            }
            <h3>{"On the server's disk"}</h3>
            <ul class="disk-files">
                { for files_on_disk.iter().map(|(name, len)| html! { <li><code>{ name.clone() }</code>{ format!(" {}", size(*len)) }</li> }) }
                if files_on_disk.is_empty() {
                    <li>{"Nothing yet."}</li>
                }
            </ul>
            <div class="persistence-actions">
                <button type="button" class="download-rdb" disabled={!has_rdb} onclick={download_rdb}>{ format!("Download {rdb_name}") }</button>
                <button type="button" class="download-aof" disabled={!has_aof} onclick={download_aof}>{"Download the AOF directory (.tar)"}</button>
            </div>
            <h3>{"Import a dump.rdb"}</h3>
            <div class={classes!("drop-zone", dragging.then_some("dragging"))} {ondragover} {ondragleave} {ondrop}>
                <p>{"Drop an RDB file here (from Redis 7.0 or another playground), or choose one:"}</p>
                <input type="file" class="import-rdb" accept=".rdb,application/octet-stream" onchange={chosen} aria-label="Choose an RDB file to load" />
            </div>
        </section>
    }
}

/// Loads an RDB file into the running server, replacing its data, and makes it the server's
/// snapshot (and, with the AOF on, rewrites the AOF from it). An invalid file changes nothing:
/// loading decodes the whole file before it replaces any data.
fn import_rdb(engine: &Engine, name: &str, bytes: &[u8]) -> Vec<String> {
    if engine.is_stopped() {
        return vec!["Start the server first.".into()];
    }
    let result = engine.with(|server| {
        server
            .load_rdb_bytes(bytes)
            .map(|summary| summary.log_lines(now_ms()))
    });
    match result {
        Err(e) => vec![format!("{name} was not loaded: {e}. Nothing changed.")],
        Ok(mut lines) => {
            let save = engine.observe_command(&["SAVE"]);
            lines.push(format!("SAVE: {}", reply_text(&save).trim()));
            if engine.with(|s| s.config().appendonly) {
                let rewrite = engine.observe_command(&["BGREWRITEAOF"]);
                lines.push(format!("BGREWRITEAOF: {}", reply_text(&rewrite).trim()));
            }
            lines.insert(0, format!("Loaded {name}:"));
            lines
        }
    }
}
