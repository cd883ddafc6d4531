//! The page: the curriculum pane beside the console pane.

use yew::prelude::*;

use crate::console::Console;
use crate::engine::Engine;

#[function_component(App)]
pub fn app() -> Html {
    let engine = use_memo((), |_| Engine::new());
    {
        let engine = (*engine).clone();
        use_effect_with((), move |_| {
            let timer = engine.start_timer();
            move || drop(timer)
        });
    }
    html! {
        <div class="app">
            <header class="topbar">
                <span class="logo" aria-hidden="true">{"◆"}</span>
                <h1>{"Redis Playground"}</h1>
                <span class="tagline">{"Redis 7, running in this page"}</span>
            </header>
            <main class="panes">
                <Curriculum />
                <Console engine={(*engine).clone()} />
            </main>
        </div>
    }
}

#[function_component(Curriculum)]
fn curriculum() -> Html {
    html! {
        <section class="pane curriculum" aria-label="Lesson">
            <p class="level">{"Beginner"}</p>
            <h2>{"Talk to the server"}</h2>
            <p>
                {"The console on the right is connected to a Redis server that runs inside this page. \
                  Type a command and press Enter."}
            </p>
            <pre class="example">{"PING\nSET greeting \"hello world\"\nGET greeting\nECHO \"a b\""}</pre>
            <p>{"PING answers PONG when the server is reachable; SET stores a value; GET reads it back."}</p>
        </section>
    }
}
