//! Command-line arguments.
//!
//! `redis-emu [--port N] [--bind ADDR]` serves the engine; a first argument that does not start
//! with `-` names a subcommand (none exist yet), so tools can be added beside the server.

use std::fmt;

pub const USAGE: &str = "\
Usage: redis-emu [--port <port>] [--bind <address>]

Serves the Redis Playground engine over the Redis protocol (RESP2/RESP3, inline commands).

Options:
  --port <port>     TCP port to listen on (default 6379; 0 picks a free one)
  --bind <address>  address to listen on (default 127.0.0.1)
  -h, --help        print this help
  -v, --version     print the version
";

/// What to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    Serve(ServeOptions),
    Help,
    Version,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    pub bind: String,
    pub port: u16,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            bind: "127.0.0.1".into(),
            port: 6379,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct ArgError(pub String);

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Invocation, ArgError> {
    match args.first().map(String::as_str) {
        Some(sub) if !sub.starts_with('-') => Err(ArgError(format!("unknown subcommand '{sub}'"))),
        _ => parse_serve(args),
    }
}

fn parse_serve(args: &[String]) -> Result<Invocation, ArgError> {
    let mut options = ServeOptions::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        // Both `--port 7000` and `--port=7000`.
        let (name, inline_value) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline_value
                .clone()
                .or_else(|| rest.next().cloned())
                .ok_or_else(|| ArgError(format!("{name} needs a value")))
        };
        match name {
            "-h" | "--help" => return Ok(Invocation::Help),
            "-v" | "--version" => return Ok(Invocation::Version),
            "--port" => {
                let text = value()?;
                options.port = text
                    .parse()
                    .map_err(|_| ArgError(format!("invalid port '{text}'")))?;
            }
            "--bind" => options.bind = value()?,
            other => return Err(ArgError(format!("unknown option '{other}'"))),
        }
    }
    Ok(Invocation::Serve(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Invocation, ArgError> {
        parse(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn parses_options() {
        assert_eq!(
            parse_words(&[]),
            Ok(Invocation::Serve(ServeOptions::default()))
        );
        assert_eq!(
            parse_words(&["--port", "7000", "--bind=0.0.0.0"]),
            Ok(Invocation::Serve(ServeOptions {
                bind: "0.0.0.0".into(),
                port: 7000
            }))
        );
        assert_eq!(parse_words(&["--help"]), Ok(Invocation::Help));
        assert!(parse_words(&["--port", "x"]).is_err());
        assert!(parse_words(&["--port"]).is_err());
        assert!(parse_words(&["--bogus"]).is_err());
        assert!(parse_words(&["nope"]).is_err());
    }
}
