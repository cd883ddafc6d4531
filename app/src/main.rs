//! Redis Playground's browser app: curriculum steps beside a redis-cli console, both talking to
//! the engine running in this page.

mod benchmark_panel;
mod challenge;
mod checklist;
mod clock;
mod console;
mod engine;
mod key_browser;
mod layout;
mod lesson;
mod markdown;
mod progress;
mod progress_ui;

fn main() {
    yew::Renderer::<layout::App>::new().render();
}
