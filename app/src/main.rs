//! Redis Playground's browser app: curriculum steps beside a redis-cli console, both talking to
//! the engine running in this page.

mod benchmark_panel;
mod challenge;
mod checklist;
mod clipboard;
mod clock;
mod console;
mod engine;
mod files;
mod key_browser;
mod layout;
mod lesson;
mod markdown;
mod persistence_panel;
mod progress;
mod progress_ui;
mod storage;
mod theme;
mod transcript;

fn main() {
    // The engine starts on what the page's storage holds, so read it first.
    wasm_bindgen_futures::spawn_local(async {
        let (disk, loaded) = storage::load(&engine::instance_name()).await;
        engine::set_preloaded(engine::Preloaded {
            disk,
            storage_error: loaded.err(),
        });
        yew::Renderer::<layout::App>::new().render();
    });
}
