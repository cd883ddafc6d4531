//! How the key browser draws keys and values.

use yew::prelude::*;

use super::model::{
    countdown_text, escaped, group_position, memory_text, GroupInfo, KeySummary, StreamEntry,
    StreamId, StreamInfo, ValueView,
};

/// The id of the n-th key's option (for `aria-activedescendant`).
pub fn option_id(index: usize) -> String {
    format!("kb-key-{index}")
}

/// The TTL badge: a countdown on the engine clock, or nothing for a persistent key.
pub fn ttl_badge(summary: &KeySummary, now: u64) -> Html {
    match summary.ttl.remaining(now) {
        None => html! {},
        Some(ms) => html! {
            <span class={classes!("kb-ttl", (ms == 0).then_some("expired"))} title="Time to live (PTTL), on the engine clock">
                <span class="kb-ttl-label">{"TTL "}</span>{ countdown_text(ms) }
            </span>
        },
    }
}

/// One row of the key list.
pub fn key_option(
    index: usize,
    summary: &KeySummary,
    selected: bool,
    now: u64,
    onclick: Callback<MouseEvent>,
) -> Html {
    let memory = summary.memory.map(memory_text).unwrap_or_default();
    html! {
        <li id={option_id(index)} role="option" aria-selected={selected.to_string()}
            class={classes!("kb-key", selected.then_some("selected"))} {onclick}>
            <span class="kb-name">{ escaped(&summary.name) }</span>
            <span class="kb-meta">
                <span class={classes!("kb-type", format!("kb-type-{}", summary.kind))}>{ summary.kind.clone() }</span>
                <span class="kb-encoding" title="OBJECT ENCODING">{ summary.encoding.clone() }</span>
                <span class="kb-memory" title="MEMORY USAGE">{ memory }</span>
                { ttl_badge(summary, now) }
            </span>
        </li>
    }
}

fn count_line(shown: usize, total: u64, unit: &str) -> Html {
    html! { <p class="kb-count-line">{ format!("{shown} of {total} {unit}") }</p> }
}

/// A key's value drawn the way people picture its type.
pub fn value_view(view: &ValueView) -> Html {
    match view {
        ValueView::Text {
            bytes,
            total,
            integer,
        } => html! {
            <div class="kb-string">
                if *integer {
                    <span class="kb-badge kb-integer" title="Stored as a 64-bit integer (int encoding)">{"integer"}</span>
                }
                <pre class="kb-text">{ format!("\"{}{}\"", escaped(bytes), if (bytes.len() as u64) < *total { "…" } else { "" }) }</pre>
                { count_line(bytes.len(), *total, "bytes") }
            </div>
        },
        ValueView::HyperLogLog {
            estimate,
            representation,
            bytes,
        } => html! {
            <div class="kb-hll">
                <span class="kb-badge">{ format!("HyperLogLog, {representation}") }</span>
                <p class="kb-estimate"><strong>{ format!("≈ {estimate}") }</strong>{" distinct items (PFCOUNT)"}</p>
                <p class="kb-count-line">{ format!("a {bytes}-byte string starting with \"HYLL\"") }</p>
            </div>
        },
        ValueView::List { total, items } => {
            let last = total.saturating_sub(1);
            html! {
                <div class="kb-list">
                    <ol class="kb-boxes" aria-label="List items, head first">
                        { for items.iter().map(|(index, item)| html! {
                            <li class={classes!("kb-box", (*index == 0).then_some("head"), (*index == last).then_some("tail"))}>
                                <span class="kb-index">{ index.to_string() }</span>
                                <span class="kb-item">{ escaped(item) }</span>
                                if *index == 0 { <span class="kb-end">{"head"}</span> }
                                if *index == last { <span class="kb-end">{"tail"}</span> }
                            </li>
                        }) }
                    </ol>
                    { count_line(items.len(), *total, "items") }
                </div>
            }
        }
        ValueView::Hash { total, rows, .. } => html! {
            <div class="kb-hash">
                <table class="kb-table">
                    <thead><tr><th scope="col">{"field"}</th><th scope="col">{"value"}</th></tr></thead>
                    <tbody>
                        { for rows.iter().map(|(f, v)| html! { <tr><td>{ escaped(f) }</td><td>{ escaped(v) }</td></tr> }) }
                    </tbody>
                </table>
                { count_line(rows.len(), *total, "fields") }
            </div>
        },
        ValueView::Set { total, members, .. } => html! {
            <div class="kb-set">
                <ul class="kb-chips" aria-label="Members">
                    { for members.iter().map(|m| html! { <li class="kb-chip">{ escaped(m) }</li> }) }
                </ul>
                { count_line(members.len(), *total, "members") }
            </div>
        },
        ValueView::SortedSet { total, rows } => html! {
            <div class="kb-zset">
                <table class="kb-table kb-ranked">
                    <thead><tr><th scope="col">{"rank"}</th><th scope="col">{"member"}</th><th scope="col">{"score"}</th></tr></thead>
                    <tbody>
                        { for rows.iter().map(|r| html! {
                            <tr><td class="kb-rank">{ r.rank.to_string() }</td><td class="kb-member">{ escaped(&r.member) }</td><td class="kb-score">{ r.score.clone() }</td></tr>
                        }) }
                    </tbody>
                </table>
                { count_line(rows.len(), *total, "members") }
            </div>
        },
        ValueView::Stream {
            info,
            entries,
            groups,
        } => stream_view(info, entries, groups),
        ValueView::Unavailable(reason) => html! {
            <p class="kb-unavailable" role="status">{ format!("Cannot show this value: {reason}") }</p>
        },
    }
}

/// Where a consumer group stands, shown after the last entry it was delivered.
fn group_marker(group: &GroupInfo) -> String {
    let name = escaped(&group.name);
    if group.last_delivered_id == (StreamId { ms: 0, seq: 0 }) {
        format!("▲ group {name}: nothing delivered yet")
    } else {
        format!("▲ group {name} has read up to {}", group.last_delivered_id)
    }
}

fn stream_view(info: &StreamInfo, entries: &[StreamEntry], groups: &[GroupInfo]) -> Html {
    let optional = |n: Option<i64>| n.map_or("–".to_string(), |n| n.to_string());
    let positions: Vec<Option<usize>> = groups.iter().map(|g| group_position(entries, g)).collect();
    let markers = |at: Option<usize>| -> Html {
        html! {
            { for groups.iter().zip(&positions).filter(|(_, p)| **p == at).map(|(g, _)| html! {
                <li class="kb-group-marker">{ group_marker(g) }</li>
            }) }
        }
    };
    html! {
        <div class="kb-stream">
            <p class="kb-count-line">
                { format!("{} entries, last id {}", info.length, info.last_generated_id.map_or("-".into(), |id| id.to_string())) }
                if let Some(added) = info.entries_added { { format!(", {added} ever added") } }
            </p>
            if !groups.is_empty() {
                <table class="kb-table kb-groups">
                    <caption>{"Consumer groups"}</caption>
                    <thead><tr>
                        <th scope="col">{"group"}</th><th scope="col">{"consumers"}</th><th scope="col">{"pending"}</th>
                        <th scope="col">{"last delivered"}</th><th scope="col">{"entries read"}</th><th scope="col">{"lag"}</th>
                    </tr></thead>
                    <tbody>
                        { for groups.iter().map(|g| html! {
                            <tr>
                                <td>{ escaped(&g.name) }</td><td>{ g.consumers }</td><td>{ g.pending }</td>
                                <td>{ g.last_delivered_id.to_string() }</td><td>{ optional(g.entries_read) }</td><td>{ optional(g.lag) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            <ol class="kb-entries" aria-label="Entries, oldest first">
                { markers(None) }
                { for entries.iter().enumerate().map(|(i, entry)| html! {
                    <>
                        <li class="kb-entry">
                            <span class="kb-entry-id">{ entry.id.to_string() }</span>
                            <span class="kb-entry-fields">
                                { for entry.fields.iter().map(|(f, v)| html! {
                                    <span class="kb-pair"><span class="kb-field">{ escaped(f) }</span>{" "}<span class="kb-item">{ escaped(v) }</span></span>
                                }) }
                            </span>
                        </li>
                        { markers(Some(i)) }
                    </>
                }) }
            </ol>
        </div>
    }
}
