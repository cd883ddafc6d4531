//! The small part of YAML that `progress.yaml` uses: block maps and lists nested by spaces,
//! plain and quoted scalars, `#` comments, and the empty flow forms `[]` and `{}`. Enough for
//! the fixed schema in `progress.rs`, with line numbers kept for error messages.

/// A parsed value with the line (from 1) it starts on.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Scalar(String, usize),
    List(Vec<(String, usize)>, usize),
    Map(Vec<(String, Node, usize)>, usize),
    /// A key with nothing after it and nothing indented below.
    Empty(usize),
}

impl Node {
    pub fn line(&self) -> usize {
        match self {
            Node::Scalar(_, l) | Node::List(_, l) | Node::Map(_, l) | Node::Empty(l) => *l,
        }
    }
}

struct Line<'a> {
    number: usize,
    indent: usize,
    text: &'a str,
}

/// Parses a document whose top level is a map.
pub fn parse(text: &str) -> Result<Node, String> {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let body = raw.trim_end();
        let content = body.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') || (i == 0 && content == "---") {
            continue;
        }
        if content.starts_with('\t') || body[..body.len() - content.len()].contains('\t') {
            return Err(format!(
                "line {number}: tabs are not allowed for indentation"
            ));
        }
        lines.push(Line {
            number,
            indent: body.len() - content.len(),
            text: content,
        });
    }
    let mut pos = 0;
    let node = block(&lines, &mut pos, 0)?;
    if let Some(extra) = lines.get(pos) {
        return Err(format!(
            "line {}: unexpected indentation or text after the document",
            extra.number
        ));
    }
    Ok(node)
}

/// A map or list whose lines start at exactly `indent` spaces.
fn block(lines: &[Line], pos: &mut usize, indent: usize) -> Result<Node, String> {
    let Some(first) = lines.get(*pos) else {
        return Ok(Node::Empty(0));
    };
    if first.text == "-" || first.text.starts_with("- ") {
        let mut items = Vec::new();
        while let Some(line) = lines.get(*pos).filter(|l| l.indent == indent) {
            let Some(item) = line.text.strip_prefix('-') else {
                return Err(format!(
                    "line {}: expected a list item (\"- value\")",
                    line.number
                ));
            };
            items.push((scalar(item.trim(), line.number)?, line.number));
            *pos += 1;
        }
        return Ok(Node::List(items, first.number));
    }
    let mut entries = Vec::new();
    while let Some(line) = lines.get(*pos).filter(|l| l.indent == indent) {
        let Some((key, rest)) = split_key(line.text) else {
            return Err(format!(
                "line {}: expected \"key: value\", found \"{}\"",
                line.number, line.text
            ));
        };
        let key = scalar(key, line.number)?;
        if entries.iter().any(|(k, _, _)| *k == key) {
            return Err(format!("line {}: '{key}' appears twice", line.number));
        }
        *pos += 1;
        let rest = strip_comment(rest.trim());
        let value = if rest.is_empty() {
            match lines.get(*pos) {
                Some(next) if next.indent > indent => block(lines, pos, next.indent)?,
                _ => Node::Empty(line.number),
            }
        } else if rest == "[]" {
            Node::List(Vec::new(), line.number)
        } else if rest == "{}" {
            Node::Map(Vec::new(), line.number)
        } else {
            Node::Scalar(scalar(rest, line.number)?, line.number)
        };
        entries.push((key, value, line.number));
    }
    if let Some(line) = lines.get(*pos).filter(|l| l.indent > indent) {
        return Err(format!("line {}: unexpected indentation", line.number));
    }
    Ok(Node::Map(entries, first.number))
}

/// `key: rest` (the colon must be followed by a space or end the line).
fn split_key(text: &str) -> Option<(&str, &str)> {
    if text.starts_with('"') || text.starts_with('\'') {
        let quote = text.chars().next()?;
        let end = text[1..].find(quote)? + 1;
        let rest = text[end + 1..].strip_prefix(':')?;
        return (rest.is_empty() || rest.starts_with(' ')).then_some((&text[..=end], rest));
    }
    let colon = text
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| text[i + 1..].is_empty() || text[i + 1..].starts_with(' '))?;
    Some((&text[..colon], &text[colon + 1..]))
}

/// Drops a ` # comment` after a plain value (quoted values keep their `#`).
fn strip_comment(text: &str) -> &str {
    if text.starts_with('"') || text.starts_with('\'') {
        return text;
    }
    match text.find(" #") {
        Some(i) => text[..i].trim_end(),
        None => text,
    }
}

/// A scalar's text: plain, "double quoted" (with \" \\ \n \t escapes) or 'single quoted'.
fn scalar(text: &str, line: usize) -> Result<String, String> {
    let text = strip_comment(text.trim());
    if let Some(inner) = text.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    let rest = chars.as_str().trim();
                    if !rest.is_empty() && !rest.starts_with('#') {
                        return Err(format!("line {line}: text after a closing quote"));
                    }
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    other => {
                        return Err(format!(
                            "line {line}: unknown escape \\{}",
                            other.map(String::from).unwrap_or_default()
                        ))
                    }
                },
                c => out.push(c),
            }
        }
        return Err(format!("line {line}: a quoted value is never closed"));
    }
    if let Some(inner) = text.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\'' {
                out.push(c);
            } else if chars.peek() == Some(&'\'') {
                chars.next();
                out.push('\'');
            } else {
                let rest: String = chars.collect();
                let rest = rest.trim();
                if !rest.is_empty() && !rest.starts_with('#') {
                    return Err(format!("line {line}: text after a closing quote"));
                }
                return Ok(out);
            }
        }
        return Err(format!("line {line}: a quoted value is never closed"));
    }
    if text.starts_with(['[', '{', '&', '*', '!', '|', '>']) {
        return Err(format!(
            "line {line}: \"{text}\" uses YAML this file does not use (write a plain or quoted value)"
        ));
    }
    Ok(text.to_string())
}

/// A scalar as written back: plain when it reads back unchanged, quoted otherwise.
pub fn quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if plain {
        return text.to_string();
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_maps_lists_and_scalars() {
        let doc = "# c\nversion: 1\nsteps:\n  a:\n    - x\n    - \"y z\"\n  b: []\nname: 'it''s' # note\n";
        let Ok(Node::Map(entries, _)) = parse(doc) else {
            panic!("parses");
        };
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].1, Node::Scalar("1".into(), 2));
        let Node::Map(steps, _) = &entries[1].1 else {
            panic!("steps is a map");
        };
        assert_eq!(
            steps[0].1,
            Node::List(vec![("x".into(), 5), ("y z".into(), 6)], 5)
        );
        assert_eq!(steps[1].1, Node::List(vec![], 7));
        assert_eq!(entries[2].1, Node::Scalar("it's".into(), 8));
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            parse("a: 1\n\tb: 2\n").unwrap_err(),
            "line 2: tabs are not allowed for indentation"
        );
        assert_eq!(
            parse("a: 1\nb\n").unwrap_err(),
            "line 2: expected \"key: value\", found \"b\""
        );
        assert_eq!(
            parse("a: \"open\n").unwrap_err(),
            "line 1: a quoted value is never closed"
        );
        assert_eq!(
            parse("a: 1\na: 2\n").unwrap_err(),
            "line 2: 'a' appears twice"
        );
        assert_eq!(
            parse("a:\n    - x\n  - y\n").unwrap_err(),
            "line 3: unexpected indentation"
        );
    }

    #[test]
    fn quoting_round_trips() {
        for text in ["plain", "2026-01-02T03:04:05Z", "a \"b\" \\ c", "", "x # y"] {
            let doc = format!("k: {}\n", quote(text));
            let Ok(Node::Map(entries, _)) = parse(&doc) else {
                panic!("parses {doc}");
            };
            assert_eq!(entries[0].1, Node::Scalar(text.into(), 1), "{doc}");
        }
    }
}
