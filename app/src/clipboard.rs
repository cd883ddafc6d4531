//! Copying text for the learner: the clipboard API where the browser offers it (a secure
//! context), otherwise the older select-and-copy way, which also works on a classroom server
//! reached over plain http. The Copy button says whether it worked, to sighted and screen
//! reader users alike.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// How long the button says "Copied" (or that copying failed).
const FEEDBACK_MS: u32 = 1500;

/// Copies `text` to the clipboard; true if the browser did it.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    // `navigator.clipboard` is missing outside secure contexts (plain http).
    let navigator = window.navigator();
    let has_api = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .map(|c| !c.is_undefined() && !c.is_null())
        .unwrap_or(false);
    if has_api {
        let promise = navigator.clipboard().write_text(text);
        if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
            return true;
        }
    }
    copy_by_selection(&window, text)
}

/// The select-and-copy fallback: a hidden text area, selected, and `execCommand("copy")`.
fn copy_by_selection(window: &web_sys::Window, text: &str) -> bool {
    let Some(document) = window.document() else {
        return false;
    };
    let Some(body) = document.body() else {
        return false;
    };
    let Some(area) = document
        .create_element("textarea")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    else {
        return false;
    };
    area.set_value(text);
    let _ = area.set_attribute("readonly", "");
    let _ = area.set_attribute("aria-hidden", "true");
    let _ = area.set_attribute(
        "style",
        "position: fixed; top: 0; left: -9999px; opacity: 0;",
    );
    if body.append_child(&area).is_err() {
        return false;
    }
    area.select();
    let copied = document
        .dyn_ref::<web_sys::HtmlDocument>()
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false);
    area.remove();
    copied
}

#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// The text to copy, read when the button is pressed.
    pub text: Callback<(), String>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub title: Option<AttrValue>,
}

/// A Copy button that says "Copied" (announced politely) or "Copy failed" for a moment.
#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let outcome = use_state(|| None::<bool>);
    let onclick = {
        let (outcome, text) = (outcome.clone(), props.text.clone());
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            let text = text.emit(());
            let outcome = outcome.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let copied = copy_text(&text).await;
                outcome.set(Some(copied));
                let outcome = outcome.clone();
                gloo_timers::callback::Timeout::new(FEEDBACK_MS, move || outcome.set(None))
                    .forget();
            });
        })
    };
    let label = match *outcome {
        None => "Copy",
        Some(true) => "Copied",
        Some(false) => "Copy failed: select the text and copy it",
    };
    let announcement = match *outcome {
        Some(true) => "Copied to the clipboard",
        Some(false) => "Copying failed",
        None => "",
    };
    html! {
        <>
            <button type="button" class={props.class.clone()} title={props.title.clone()} {onclick}>{ label }</button>
            <span class="sr-only" role="status" aria-live="polite">{ announcement }</span>
        </>
    }
}
