//! Command-line arguments.
//!
//! `redis-emu [--port N] [--bind ADDR]` serves the engine; a first argument that does not start
//! with `-` names a subcommand: `redis-emu cli [-h HOST] [-p PORT] [-n DB] [-3] [--raw|--no-raw]`
//! runs the console.

use std::fmt;

use crate::cli::CliOptions;

pub const USAGE: &str = "\
Usage: redis-emu [--port <port>] [--bind <address>] [--dir <path>] [--<config> <value>]...
       redis-emu cli [-h <host>] [-p <port>] [-n <db>] [-3] [--raw | --no-raw]

Serves the Redis Playground engine over the Redis protocol (RESP2/RESP3, inline commands).
`cli` runs redis-cli's console against an engine in this process, or against the server at
-h/-p; it reads commands from standard input when that is not a terminal.

Options:
  --port <port>     TCP port to listen on (default 6379; 0 picks a free one)
  --bind <address>  address to listen on (default 127.0.0.1)
  --dir <path>      keep dump.rdb and the AOF directory there, load them at start and
                    save on SHUTDOWN or SIGTERM as redis-server does (without --dir the
                    files live in memory and end with the process)
  --<parameter> <value>
                    set any configuration parameter (as in redis.conf: --maxclients 100,
                    --protected-mode no, --appendonly yes, --save '') before the dataset
                    is loaded
  -h, --help        print this help
  -v, --version     print the version
";

/// What to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    Serve(ServeOptions),
    Cli(CliOptions),
    Help,
    Version,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    pub bind: String,
    pub port: u16,
    /// Where the persistence files go (`--dir`).
    pub dir: Option<String>,
    /// Configuration parameters given as flags, in order.
    pub config: Vec<(String, String)>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            bind: "127.0.0.1".into(),
            port: 6379,
            dir: None,
            config: Vec::new(),
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
        Some("cli") => parse_cli(&args[1..]),
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
            "--dir" => options.dir = Some(value()?),
            // Like redis-server: any configuration parameter, checked when the engine
            // applies it.
            config if config.len() > 2 && config.starts_with("--") => {
                options.config.push((config[2..].to_string(), value()?));
            }
            other => return Err(ArgError(format!("unknown option '{other}'"))),
        }
    }
    Ok(Invocation::Serve(options))
}

/// `cli`'s options, spelled as redis-cli spells them.
fn parse_cli(args: &[String]) -> Result<Invocation, ArgError> {
    let mut options = CliOptions::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = || {
            rest.next()
                .cloned()
                .ok_or_else(|| ArgError(format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "-h" => options.host = Some(value()?),
            "-p" => {
                let text = value()?;
                let port = text
                    .parse()
                    .map_err(|_| ArgError(format!("invalid port '{text}'")))?;
                options.port = Some(port);
            }
            "-n" => {
                let text = value()?;
                let db = text
                    .parse()
                    .map_err(|_| ArgError(format!("invalid database '{text}'")))?;
                options.db = Some(db);
            }
            "-3" => options.resp3 = true,
            "--raw" => options.raw = Some(true),
            "--no-raw" => options.raw = Some(false),
            "--help" => return Ok(Invocation::Help),
            other => return Err(ArgError(format!("unknown cli option '{other}'"))),
        }
    }
    Ok(Invocation::Cli(options))
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
                port: 7000,
                ..ServeOptions::default()
            }))
        );
        assert_eq!(
            parse_words(&[
                "--dir",
                "/tmp/d",
                "--appendonly",
                "yes",
                "--appendfsync=always"
            ]),
            Ok(Invocation::Serve(ServeOptions {
                dir: Some("/tmp/d".into()),
                config: vec![
                    ("appendonly".into(), "yes".into()),
                    ("appendfsync".into(), "always".into())
                ],
                ..ServeOptions::default()
            }))
        );
        assert_eq!(parse_words(&["--help"]), Ok(Invocation::Help));
        assert!(parse_words(&["--port", "x"]).is_err());
        assert!(parse_words(&["--port"]).is_err());
        // Any configuration parameter, as redis-server takes them; the engine checks it.
        assert_eq!(
            parse_words(&["--maxclients", "5", "--protected-mode=no"]),
            Ok(Invocation::Serve(ServeOptions {
                config: vec![
                    ("maxclients".into(), "5".into()),
                    ("protected-mode".into(), "no".into())
                ],
                ..ServeOptions::default()
            }))
        );
        assert!(parse_words(&["--bogus"]).is_err());
        assert!(parse_words(&["-x", "1"]).is_err());
        assert!(parse_words(&["nope"]).is_err());
        assert_eq!(
            parse_words(&[
                "cli",
                "-h",
                "localhost",
                "-p",
                "7000",
                "-n",
                "2",
                "--no-raw"
            ]),
            Ok(Invocation::Cli(CliOptions {
                host: Some("localhost".into()),
                port: Some(7000),
                db: Some(2),
                raw: Some(false),
                resp3: false,
            }))
        );
        assert_eq!(
            parse_words(&["cli"]),
            Ok(Invocation::Cli(CliOptions::default()))
        );
        assert!(parse_words(&["cli", "-p"]).is_err());
        assert!(parse_words(&["cli", "--bogus"]).is_err());
    }
}
