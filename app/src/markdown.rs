//! Renders a step's Markdown into yew nodes. Content never becomes raw HTML: HTML in the source
//! shows as text, and links go only to other steps (`#/step/...`) or to http(s) pages.
//! Fenced code blocks are handed to the caller, which knows how to show runnable blocks.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use yew::prelude::*;

/// An element being built: its tag and the children collected so far.
struct Open {
    tag: Tag<'static>,
    children: Vec<Html>,
}

/// Renders `markdown`; the n-th fenced code block is rendered by `code_block(n)`. Task-list
/// items (`- [ ]`) become checkboxes whose state is remembered in the browser under
/// `checklist_key` and their position.
pub fn render(markdown: &str, code_block: &dyn Fn(usize) -> Html) -> Html {
    render_with_checklist(markdown, code_block, "")
}

pub fn render_with_checklist(
    markdown: &str,
    code_block: &dyn Fn(usize) -> Html,
    checklist_key: &str,
) -> Html {
    let mut stack: Vec<Open> = vec![Open {
        tag: Tag::Paragraph,
        children: Vec::new(),
    }];
    let mut fence_index = 0;
    let mut in_fence = false;
    let mut task_index = 0;
    for event in Parser::new_ext(markdown, Options::ENABLE_TASKLISTS) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
                in_fence = true;
            }
            Event::End(TagEnd::CodeBlock) if in_fence => {
                in_fence = false;
                push(&mut stack, code_block(fence_index));
                fence_index += 1;
            }
            _ if in_fence => {}
            Event::Start(tag) => stack.push(Open {
                tag: tag.into_static(),
                children: Vec::new(),
            }),
            Event::End(_) => {
                if stack.len() > 1 {
                    let open = stack.pop().expect("stack has an open element");
                    let node = element(open.tag, open.children);
                    push(&mut stack, node);
                }
            }
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                push(&mut stack, html! { { text.to_string() } })
            }
            Event::Code(code) => push(&mut stack, html! { <code>{ code.to_string() }</code> }),
            Event::SoftBreak => push(&mut stack, html! { {" "} }),
            Event::HardBreak => push(&mut stack, html! { <br /> }),
            Event::Rule => push(&mut stack, html! { <hr /> }),
            Event::TaskListMarker(checked) => {
                let key = format!("redis-playground.check.{checklist_key}.{task_index}");
                task_index += 1;
                push(
                    &mut stack,
                    html! { <crate::checklist::Check storage_key={key} initially={checked} /> },
                );
            }
            _ => {}
        }
    }
    let root = stack
        .into_iter()
        .next()
        .map(|o| o.children)
        .unwrap_or_default();
    html! { <>{ for root }</> }
}

fn push(stack: &mut [Open], node: Html) {
    if let Some(top) = stack.last_mut() {
        top.children.push(node);
    }
}

fn element(tag: Tag<'static>, children: Vec<Html>) -> Html {
    let kids = html! { <>{ for children }</> };
    match tag {
        Tag::Paragraph => html! { <p>{ kids }</p> },
        Tag::Heading { level, .. } => match level {
            HeadingLevel::H1 | HeadingLevel::H2 => html! { <h3>{ kids }</h3> },
            HeadingLevel::H3 => html! { <h4>{ kids }</h4> },
            _ => html! { <h5>{ kids }</h5> },
        },
        Tag::BlockQuote(_) => html! { <blockquote>{ kids }</blockquote> },
        Tag::List(Some(_)) => html! { <ol>{ kids }</ol> },
        Tag::List(None) => html! { <ul>{ kids }</ul> },
        Tag::Item => html! { <li>{ kids }</li> },
        Tag::Emphasis => html! { <em>{ kids }</em> },
        Tag::Strong => html! { <strong>{ kids }</strong> },
        Tag::Strikethrough => html! { <s>{ kids }</s> },
        Tag::Link { dest_url, .. } => link(&dest_url, kids),
        Tag::CodeBlock(_) => html! { <pre><code>{ kids }</code></pre> },
        _ => kids,
    }
}

fn link(url: &str, kids: Html) -> Html {
    if url.starts_with("#/") {
        html! { <a href={url.to_string()}>{ kids }</a> }
    } else if url.starts_with("https://") || url.starts_with("http://") {
        html! { <a href={url.to_string()} target="_blank" rel="noopener noreferrer">{ kids }</a> }
    } else {
        kids
    }
}
