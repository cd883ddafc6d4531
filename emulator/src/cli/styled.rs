//! redis-cli's help text carries ANSI styling (bold names, grey syntax, yellow labels) and
//! `\r\n` line ends for the terminal. Elsewhere (the browser) it is shown as styled spans, and
//! its plain text is what a terminal displays.

use super::highlight::{Span, Style};

/// A run of text with one style.
pub type Segment = Span;

/// The text a terminal shows for `text`: ANSI escape sequences and carriage returns removed.
pub fn strip_ansi(text: &str) -> String {
    styled_segments(text).into_iter().map(|s| s.text).collect()
}

/// Splits text with ANSI SGR sequences into styled runs (bold: 1, grey: 90, yellow: 33, reset:
/// 0); carriage returns are dropped.
pub fn styled_segments(text: &str) -> Vec<Segment> {
    let mut segments: Vec<Segment> = Vec::new();
    let mut style = Style::Plain;
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("\x1b[") {
            if let Some(end) = after.find('m') {
                style = match &after[..end] {
                    "1" => Style::Bold,
                    "90" => Style::Dim,
                    "33" => Style::Label,
                    _ => Style::Plain,
                };
                rest = &after[end + 1..];
                continue;
            }
        }
        // The chunk runs to the next escape, past at least one whole character (which may be
        // more than one byte: text after a colour code can start with any character).
        let first = rest.chars().next().map_or(1, char::len_utf8);
        let next = rest[first..].find('\x1b').map_or(rest.len(), |i| i + first);
        let chunk: String = rest[..next].chars().filter(|&c| c != '\r').collect();
        rest = &rest[next..];
        if chunk.is_empty() {
            continue;
        }
        match segments.last_mut() {
            Some(last) if last.style == style => last.text.push_str(&chunk),
            _ => segments.push(Span { style, text: chunk }),
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error reply can carry any bytes a user typed: a non-ASCII character right after an
    /// escape code (or first in the text) is split off whole, never inside its bytes.
    #[test]
    fn text_after_an_escape_may_start_with_any_character() {
        for text in [
            "\x1b[31m\u{202e}boom",
            "\u{202e}x\x1b",
            "é\x1b[1mü\x1bä",
            "\x1b\u{1F600}",
        ] {
            let joined: String = styled_segments(text)
                .iter()
                .map(|s| s.text.as_str())
                .collect();
            assert_eq!(
                joined.replace('\x1b', ""),
                strip_ansi(text).replace('\x1b', ""),
                "{text:?}"
            );
        }
    }

    #[test]
    fn help_text_becomes_styled_runs() {
        let text = "\r\n  \x1b[1mGET\x1b[0m \x1b[90mkey\x1b[0m\r\n  \x1b[33msummary:\x1b[0m x\r\n";
        assert_eq!(strip_ansi(text), "\n  GET key\n  summary: x\n");
        let segments = styled_segments(text);
        assert_eq!(
            segments[0],
            Span {
                style: Style::Plain,
                text: "\n  ".into()
            }
        );
        assert_eq!(
            segments[1],
            Span {
                style: Style::Bold,
                text: "GET".into()
            }
        );
        assert_eq!(
            segments[3],
            Span {
                style: Style::Dim,
                text: "key".into()
            }
        );
        assert_eq!(
            segments[5],
            Span {
                style: Style::Label,
                text: "summary:".into()
            }
        );
        assert_eq!(strip_ansi("plain"), "plain");
        assert_eq!(strip_ansi("\x1b[1"), "\x1b[1");
    }
}
