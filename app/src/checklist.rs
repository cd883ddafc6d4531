//! A checkbox of a Markdown task list (the Mastery Lab's self-assessment), remembered in the
//! browser's local storage so a learner's answers survive reloads.

use yew::prelude::*;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[derive(Properties, PartialEq)]
pub struct CheckProps {
    pub storage_key: String,
    /// Whether the Markdown source ticks it (`- [x]`).
    pub initially: bool,
}

#[function_component(Check)]
pub fn check(props: &CheckProps) -> Html {
    let checked = use_state({
        let (key, initially) = (props.storage_key.clone(), props.initially);
        move || match storage().and_then(|s| s.get_item(&key).ok().flatten()) {
            Some(v) => v == "1",
            None => initially,
        }
    });
    let onchange = {
        let (checked, key) = (checked.clone(), props.storage_key.clone());
        Callback::from(move |_: Event| {
            let now = !*checked;
            if let Some(s) = storage() {
                let _ = s.set_item(&key, if now { "1" } else { "0" });
            }
            checked.set(now);
        })
    };
    html! { <input type="checkbox" class="task" checked={*checked} {onchange} /> }
}
