//! Light and dark: the page follows the system's `prefers-color-scheme` unless the learner
//! picks a theme, which is remembered (`data-theme` on <html>; `index.html` applies it before
//! the first paint, so a reload does not flash the other theme).

use yew::prelude::*;

/// Where the chosen theme is kept (`index.html` reads the same key).
const THEME_KEY: &str = "redis-playground.theme";

/// The learner's choice.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Theme {
    /// The system's setting.
    System,
    Light,
    Dark,
}

impl Theme {
    fn saved() -> Theme {
        match storage()
            .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
            .as_deref()
        {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }

    fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }

    /// Applies the theme to the page and remembers it.
    fn apply(self) {
        let root = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element());
        let value = match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        };
        if let Some(root) = root {
            let _ = match value {
                Some(v) => root.set_attribute("data-theme", v),
                None => root.remove_attribute("data-theme"),
            };
        }
        if let Some(storage) = storage() {
            let _ = match value {
                Some(v) => storage.set_item(THEME_KEY, v),
                None => storage.remove_item(THEME_KEY),
            };
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The topbar button that cycles system → light → dark.
#[function_component(ThemeToggle)]
pub fn theme_toggle() -> Html {
    let theme = use_state(Theme::saved);
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let next = theme.next();
            next.apply();
            theme.set(next);
        })
    };
    html! {
        <button type="button" class="topbar-button theme-toggle" {onclick} aria-label={theme.label()}
            title={format!("{}. Click for the next: system, light, dark (remembered)", theme.label())}>
            <span aria-hidden="true">{"◐"}</span>
        </button>
    }
}
