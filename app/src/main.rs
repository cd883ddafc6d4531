//! Redis Playground's browser app: curriculum steps beside a redis-cli console, both talking to
//! the engine running in this page.

mod challenge;
mod checklist;
mod clock;
mod console;
mod engine;
mod layout;
mod lesson;
mod markdown;

fn main() {
    yew::Renderer::<layout::App>::new().render();
}
