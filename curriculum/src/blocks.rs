//! Fenced code blocks in a step's Markdown, and the commands inside runnable `redis` blocks.

/// What a fenced block is, from the first word of its info string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// Runnable Redis commands (`redis`, optionally `pane=A`); `setup` blocks prepare data and
    /// are not shown.
    Redis { pane: String, setup: bool },
    /// Source shown with highlighting and a copy button (`shell`, `go`, `python`, ...).
    Code { language: String },
    /// A prompt card for a coding agent (`prompt-agent`) or a chat (`prompt-chat`).
    Prompt { chat: bool },
}

/// Languages shown as source.
const CODE_LANGUAGES: &[&str] = &[
    "shell",
    "go",
    "python",
    "javascript",
    "typescript",
    "lua",
    "text",
    "conf",
    "yaml",
    "c",
];

/// The pane a `redis` block runs in when it names none.
pub const DEFAULT_PANE: &str = "A";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The block's text as written (for display and copying).
    pub text: String,
    /// For `redis` blocks: the commands in order.
    pub commands: Vec<CommandLine>,
}

/// One command of a `redis` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandLine {
    /// The command as typed into redis-cli (comments removed).
    pub text: String,
    /// The exact redis-cli output stated after `# ->`, one entry per line, if any.
    pub expect: Option<Vec<String>>,
    /// Milliseconds to move the engine clock forward before this command (`#! advance 61s`).
    pub advance_ms: u64,
    /// Line number within the block, from 1.
    pub line: usize,
}

/// Finds the fenced blocks of a Markdown body.
pub fn parse(markdown: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let mut text = String::new();
        let mut closed = false;
        for (_, body) in lines.by_ref() {
            if body.trim_start().starts_with("```") {
                closed = true;
                break;
            }
            text.push_str(body);
            text.push('\n');
        }
        if !closed {
            return Err(format!(
                "code block opened on line {} is never closed",
                n + 1
            ));
        }
        let kind = block_kind(info.trim()).map_err(|e| format!("line {}: {e}", n + 1))?;
        let commands = match kind {
            BlockKind::Redis { .. } => {
                redis_commands(&text).map_err(|e| format!("block at line {}: {e}", n + 1))?
            }
            _ => Vec::new(),
        };
        blocks.push(Block {
            kind,
            text,
            commands,
        });
    }
    Ok(blocks)
}

fn block_kind(info: &str) -> Result<BlockKind, String> {
    let mut words = info.split_whitespace();
    let kind = words
        .next()
        .ok_or("code block without a kind (write ```redis, ```shell, ...)")?;
    match kind {
        "redis" => {
            let mut pane = DEFAULT_PANE.to_string();
            let mut setup = false;
            for word in words {
                match word.split_once('=') {
                    Some(("pane", p)) if !p.is_empty() => pane = p.to_string(),
                    None if word == "setup" => setup = true,
                    _ => return Err(format!("unknown redis block attribute '{word}'")),
                }
            }
            Ok(BlockKind::Redis { pane, setup })
        }
        "prompt-agent" => Ok(BlockKind::Prompt { chat: false }),
        "prompt-chat" => Ok(BlockKind::Prompt { chat: true }),
        lang if CODE_LANGUAGES.contains(&lang) => Ok(BlockKind::Code {
            language: lang.to_string(),
        }),
        other => Err(format!("unknown code block kind '{other}'")),
    }
}

/// Splits a line into its command and a trailing `# ...` comment: a `#` that follows
/// whitespace outside quotes starts the comment (redis-cli itself would send it as an argument).
fn split_comment(line: &str) -> (&str, Option<&str>) {
    let bytes = line.as_bytes();
    let (mut in_double, mut in_single) = (false, false);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_double || in_single => i += 1,
            b'"' if !in_single => in_double = !in_double,
            b'\'' if !in_double => in_single = !in_single,
            b'#' if !in_double && !in_single && (i == 0 || bytes[i - 1].is_ascii_whitespace()) => {
                return (line[..i].trim_end(), Some(&line[i..]));
            }
            _ => {}
        }
        i += 1;
    }
    (line.trim_end(), None)
}

fn expectation(comment: &str) -> Option<String> {
    let rest = comment.strip_prefix("# ->")?;
    Some(rest.strip_prefix(' ').unwrap_or(rest).to_string())
}

fn redis_commands(text: &str) -> Result<Vec<CommandLine>, String> {
    let mut commands: Vec<CommandLine> = Vec::new();
    let mut advance_ms = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(directive) = line.strip_prefix("#!") {
            advance_ms +=
                parse_advance(directive.trim()).map_err(|e| format!("line {}: {e}", i + 1))?;
            continue;
        }
        if line.starts_with('#') {
            if let Some(expect) = expectation(line) {
                let last = commands
                    .last_mut()
                    .ok_or_else(|| format!("line {}: '# ->' before any command", i + 1))?;
                last.expect.get_or_insert_with(Vec::new).push(expect);
            }
            continue;
        }
        let (command, comment) = split_comment(line);
        let expect = comment.and_then(expectation).map(|e| vec![e]);
        commands.push(CommandLine {
            text: command.to_string(),
            expect,
            advance_ms,
            line: i + 1,
        });
        advance_ms = 0;
    }
    Ok(commands)
}

/// `advance 61s` / `advance 1500ms`
fn parse_advance(directive: &str) -> Result<u64, String> {
    let amount = directive
        .strip_prefix("advance ")
        .ok_or_else(|| format!("unknown directive '#! {directive}'"))?;
    let (number, scale) = if let Some(ms) = amount.strip_suffix("ms") {
        (ms, 1)
    } else if let Some(s) = amount.strip_suffix('s') {
        (s, 1000)
    } else {
        return Err(format!("'{amount}' needs a unit (s or ms)"));
    };
    number
        .trim()
        .parse::<u64>()
        .map(|n| n * scale)
        .map_err(|_| format!("bad duration '{amount}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_blocks_with_inline_and_multiline_expectations() {
        let md = "intro\n```redis pane=B\n# a comment\nSET k \"a # b\" # -> OK\nZRANGE z 0 -1\n# -> 1) \"a\"\n# -> 2) \"b\"\n#! advance 2s\nTTL k\n```\n";
        let blocks = parse(md).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(
            blocks[0].kind,
            BlockKind::Redis {
                pane: "B".into(),
                setup: false
            }
        );
        let c = &blocks[0].commands;
        assert_eq!(c[0].text, "SET k \"a # b\"");
        assert_eq!(c[0].expect, Some(vec!["OK".into()]));
        assert_eq!(
            c[1].expect,
            Some(vec!["1) \"a\"".into(), "2) \"b\"".into()])
        );
        assert_eq!(c[2].advance_ms, 2000);
        assert_eq!(c[2].expect, None);
    }

    #[test]
    fn unknown_kinds_and_unclosed_blocks_are_errors() {
        assert!(parse("```cobol\nx\n```\n").is_err());
        assert!(parse("```redis\nPING\n").is_err());
        assert!(parse("```redis colour=red\nPING\n```\n").is_err());
        assert!(parse("```redis\n# -> PONG\n```\n").is_err());
    }
}
