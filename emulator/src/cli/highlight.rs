//! Syntax colouring for the browser console: the input line (command words, key arguments,
//! other arguments) and redis-cli's printed replies (errors, integers, strings, nil). Only
//! styles are added; the text of the spans joined is exactly the text given.

use super::help::find_command;
use super::split_args;
use crate::commands::CommandSpec;

/// What a run of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    // Input line.
    Command,
    Key,
    Argument,
    /// A repeat count before the command.
    Count,
    /// A first word that is no known command.
    Unknown,
    // Replies.
    Error,
    Integer,
    String,
    Nil,
    /// Array and map positions (`1) `, `2# `).
    Index,
    // Help text (ANSI styling).
    Bold,
    Dim,
    Label,
}

impl Style {
    /// A CSS class name for the style.
    pub fn class(self) -> &'static str {
        match self {
            Style::Plain => "t-plain",
            Style::Command => "t-command",
            Style::Key => "t-key",
            Style::Argument => "t-arg",
            Style::Count => "t-count",
            Style::Unknown => "t-unknown",
            Style::Error => "t-error",
            Style::Integer => "t-integer",
            Style::String => "t-string",
            Style::Nil => "t-nil",
            Style::Index => "t-index",
            Style::Bold => "t-bold",
            Style::Dim => "t-dim",
            Style::Label => "t-label",
        }
    }
}

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub style: Style,
    pub text: String,
}

fn push(spans: &mut Vec<Span>, style: Style, text: &str) {
    if text.is_empty() {
        return;
    }
    match spans.last_mut() {
        Some(last) if last.style == style => last.text.push_str(text),
        _ => spans.push(Span {
            style,
            text: text.to_string(),
        }),
    }
}

/// The words of a line as typed (quotes included), with their byte ranges: the boundaries
/// split_args uses, found leniently so a half-typed quote still colours.
fn word_ranges(line: &str) -> Vec<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut quote: Option<u8> = None;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(_) if b == b'\\' => i += 1,
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b.is_ascii_whitespace() => break,
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None => {}
            }
            i += 1;
        }
        ranges.push((start, i.min(bytes.len())));
    }
    ranges
}

fn is_key_position(spec: &CommandSpec, position: usize) -> bool {
    let (Ok(first), Ok(step)) = (usize::try_from(spec.first_key), usize::try_from(spec.step))
    else {
        return false;
    };
    if first == 0 || step == 0 || position < first || !(position - first).is_multiple_of(step) {
        return false;
    }
    usize::try_from(spec.last_key).map_or(true, |last| position <= last)
}

/// Colours a typed line: the command's words, its key arguments and the other arguments.
pub fn highlight_input(line: &str) -> Vec<Span> {
    let ranges = word_ranges(line);
    let words: Vec<Vec<u8>> = split_args(line.as_bytes()).unwrap_or_else(|_| {
        ranges
            .iter()
            .map(|&(s, e)| line.as_bytes()[s..e].to_vec())
            .collect()
    });
    // A leading repeat count ("3 INCR x") is not part of the command.
    let counted = words.len() > 1
        && words
            .first()
            .is_some_and(|w| !w.is_empty() && w.iter().all(u8::is_ascii_digit));
    let skip = usize::from(counted);
    let command = words.get(skip..).and_then(find_command);
    let mut spans = Vec::new();
    let mut at = 0;
    for (index, &(start, end)) in ranges.iter().enumerate() {
        push(&mut spans, Style::Plain, &line[at..start]);
        let style = if index < skip {
            Style::Count
        } else {
            let position = index - skip;
            match command.and_then(|c| c.spec.map(|s| (c, s))) {
                Some((entry, _)) if position < entry.words.len() => Style::Command,
                Some((_, spec)) if is_key_position(spec, position) => Style::Key,
                Some(_) => Style::Argument,
                None if position == 0 => Style::Unknown,
                None => Style::Argument,
            }
        };
        push(&mut spans, style, &line[start..end]);
        at = end;
    }
    push(&mut spans, Style::Plain, &line[at..]);
    spans
}

/// Colours redis-cli's printed replies line by line: positions, then the value's kind.
pub fn highlight_output(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let value_start = index_prefix_len(body);
        push(&mut spans, Style::Index, &body[..value_start]);
        let value = &body[value_start..];
        push(&mut spans, value_style(value), value);
        push(&mut spans, Style::Plain, newline);
    }
    spans
}

/// Length of the `  1) 2# ` positions at the start of a formatted reply line.
fn index_prefix_len(line: &str) -> usize {
    let bytes = line.as_bytes();
    let mut end = 0;
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let digits = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let is_index = i > digits
            && matches!(bytes.get(i), Some(b')' | b'#' | b'~'))
            && bytes.get(i + 1) == Some(&b' ');
        if !is_index {
            return end;
        }
        i += 2;
        end = i;
    }
}

fn value_style(value: &str) -> Style {
    if value.starts_with("(error)") {
        Style::Error
    } else if value.starts_with("(integer)")
        || value.starts_with("(double)")
        || value.starts_with("(big number)")
        || value == "(true)"
        || value == "(false)"
    {
        Style::Integer
    } else if value.starts_with('"') {
        Style::String
    } else if value == "(nil)" || value.starts_with("(empty ") {
        Style::Nil
    } else {
        Style::Plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(spans: &[Span]) -> Vec<(Style, &str)> {
        spans.iter().map(|s| (s.style, s.text.as_str())).collect()
    }

    #[test]
    fn input_words_by_role() {
        assert_eq!(
            styles(&highlight_input("SET k \"a b\" EX 10")),
            [
                (Style::Command, "SET"),
                (Style::Plain, " "),
                (Style::Key, "k"),
                (Style::Plain, " "),
                (Style::Argument, "\"a b\""),
                (Style::Plain, " "),
                (Style::Argument, "EX"),
                (Style::Plain, " "),
                (Style::Argument, "10"),
            ]
        );
        assert_eq!(
            styles(&highlight_input("3 client  list")),
            [
                (Style::Count, "3"),
                (Style::Plain, " "),
                (Style::Command, "client"),
                (Style::Plain, "  "),
                (Style::Command, "list"),
            ]
        );
        assert_eq!(
            styles(&highlight_input("nosuch x \"open")),
            [
                (Style::Unknown, "nosuch"),
                (Style::Plain, " "),
                (Style::Argument, "x"),
                (Style::Plain, " "),
                (Style::Argument, "\"open"),
            ]
        );
        let text: String = highlight_input(" MSET a 1 b 2 ")
            .iter()
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(text, " MSET a 1 b 2 ");
    }

    #[test]
    fn output_kinds() {
        let out = "1) (integer) 1\n2) \"x\"\n3) (nil)\n4) 1) (error) ERR x\n   2) OK\n";
        let spans = highlight_output(out);
        let text: String = spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(text, out);
        assert!(spans.contains(&Span {
            style: Style::Integer,
            text: "(integer) 1".into()
        }));
        assert!(spans.contains(&Span {
            style: Style::String,
            text: "\"x\"".into()
        }));
        assert!(spans.contains(&Span {
            style: Style::Nil,
            text: "(nil)".into()
        }));
        assert!(spans.contains(&Span {
            style: Style::Index,
            text: "4) 1) ".into()
        }));
        assert!(spans.contains(&Span {
            style: Style::Error,
            text: "(error) ERR x".into()
        }));
        assert_eq!(styles(&highlight_output("OK")), [(Style::Plain, "OK")]);
        assert_eq!(
            styles(&highlight_output("10) \"a\"")),
            [(Style::Index, "10) "), (Style::String, "\"a\"")]
        );
    }
}
