use std::cell::Cell;
use std::rc::Rc;

use super::*;

fn run(server: &mut Server, client: u64, line: &str) {
    let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
    server.execute(client, argv, 1_000);
}

fn names(state: &State) -> Vec<String> {
    state
        .listing
        .keys
        .iter()
        .map(|k| String::from_utf8_lossy(&k.name).into_owned())
        .collect()
}

#[test]
fn the_browser_reads_again_only_after_a_change() {
    let mut server = Server::new();
    let learner = server.connect(1_000);
    run(&mut server, learner, "SET a 1");
    let mut state = State::new();
    state.reader = Some(Reader::connect(&mut server, 1_000));
    assert!(state.refresh(&mut server, 1_000, true));
    assert_eq!(names(&state), ["a"]);
    // Its own reads are not changes.
    assert!(!state.refresh(&mut server, 1_000, false));
    run(&mut server, learner, "ZADD z 2 two 1 one");
    assert!(state.refresh(&mut server, 1_000, false));
    assert_eq!(names(&state), ["a", "z"]);
    state.select(&mut server, 1_000, b"z".to_vec());
    assert!(matches!(
        state.detail,
        Some((_, ValueView::SortedSet { total: 2, .. }))
    ));
    // The selected key follows changes, and its disappearance.
    run(&mut server, learner, "ZADD z 3 three");
    state.refresh(&mut server, 1_000, false);
    assert!(matches!(
        state.detail,
        Some((_, ValueView::SortedSet { total: 3, .. }))
    ));
    run(&mut server, learner, "DEL z");
    state.refresh(&mut server, 1_000, false);
    assert_eq!(state.detail, None);
    assert_eq!(state.selected, Some(b"z".to_vec()));
}

#[test]
fn the_browser_shows_the_focused_panes_database() {
    let mut server = Server::new();
    let first = server.connect(1_000);
    let second = server.connect(1_000);
    run(&mut server, first, "SET in-0 x");
    run(&mut server, second, "SELECT 2");
    run(&mut server, second, "SET in-2 y");
    let mut state = State::new();
    state.reader = Some(Reader::connect(&mut server, 1_000));
    state.refresh(&mut server, 1_000, true);
    assert_eq!(names(&state), ["in-0"]);
    state.focus = Some(("B".into(), second));
    assert!(state.refresh(&mut server, 1_000, false));
    assert_eq!(names(&state), ["in-2"]);
    // A pane that moves to another database takes the browser along.
    run(&mut server, second, "SELECT 0");
    state.refresh(&mut server, 1_000, false);
    assert_eq!(names(&state), ["in-0"]);
}

#[test]
fn watches_hear_about_uses_until_dropped_but_not_about_observers() {
    let engine = Engine::new();
    let heard = Rc::new(Cell::new(0));
    let watch = {
        let heard = heard.clone();
        engine.watch(move || heard.set(heard.get() + 1))
    };
    engine.with(|server| server.tick(1_000));
    engine.observe(|server| server.tick(1_000));
    assert_eq!(heard.get(), 1);
    drop(watch);
    engine.with(|server| server.tick(1_000));
    assert_eq!(heard.get(), 1);
}
