//! Splits a command line into arguments exactly as redis-cli does (its `sdssplitargs`).

use std::fmt;

/// The line has an unbalanced quote, or a closing quote followed by something other than a space.
/// redis-cli answers it with `Invalid argument(s)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitError;

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Invalid argument(s)")
    }
}

/// C's isspace in the "C" locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Splits `line` into arguments: whitespace separates them; "double quotes" understand
/// `\xHH`, `\n`, `\r`, `\t`, `\b`, `\a` and `\<any>`; 'single quotes' understand only `\'`.
pub fn split_args(line: &[u8]) -> Result<Vec<Vec<u8>>, SplitError> {
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Ok(args);
        }
        let mut current = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            let c = line.get(i).copied();
            if in_double {
                match c {
                    None => return Err(SplitError),
                    Some(b'\\') if line.get(i + 1) == Some(&b'x') => {
                        let hi = line.get(i + 2).copied().and_then(hex_value);
                        let lo = line.get(i + 3).copied().and_then(hex_value);
                        if let (Some(hi), Some(lo)) = (hi, lo) {
                            current.push(hi * 16 + lo);
                            i += 3;
                        } else {
                            current.push(b'x');
                            i += 1;
                        }
                    }
                    Some(b'\\') if i + 1 < line.len() => {
                        i += 1;
                        current.push(match line[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                    }
                    Some(b'"') => {
                        // The closing quote must be followed by a space or the end.
                        if line.get(i + 1).is_some_and(|&n| !is_space(n)) {
                            return Err(SplitError);
                        }
                        i += 1;
                        break;
                    }
                    Some(other) => current.push(other),
                }
            } else if in_single {
                match c {
                    None => return Err(SplitError),
                    Some(b'\\') if line.get(i + 1) == Some(&b'\'') => {
                        current.push(b'\'');
                        i += 1;
                    }
                    Some(b'\'') => {
                        if line.get(i + 1).is_some_and(|&n| !is_space(n)) {
                            return Err(SplitError);
                        }
                        i += 1;
                        break;
                    }
                    Some(other) => current.push(other),
                }
            } else {
                match c {
                    None => break,
                    Some(b) if is_space(b) => break,
                    Some(b'"') => in_double = true,
                    Some(b'\'') => in_single = true,
                    Some(other) => current.push(other),
                }
            }
            i += 1;
        }
        args.push(current);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Result<Vec<String>, SplitError> {
        split_args(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn splits_like_redis_cli() {
        assert_eq!(split("  SET  k   v ").unwrap(), ["SET", "k", "v"]);
        assert_eq!(split(r#"ECHO "a b""#).unwrap(), ["ECHO", "a b"]);
        assert_eq!(
            split(r#"ECHO "a\nb\x41\"\\" 'it\'s'"#).unwrap(),
            ["ECHO", "a\nbA\"\\", "it's"]
        );
        assert_eq!(split(r#"ECHO "\x4""#).unwrap(), ["ECHO", "x4"]);
        assert_eq!(split(r#"ECHO 'a\nb'"#).unwrap(), ["ECHO", "a\\nb"]);
        assert_eq!(split(r#"ECHO a"b c"d"#), Err(SplitError));
        assert_eq!(split(r#"ECHO a"b c""#).unwrap(), ["ECHO", "ab c"]);
        assert_eq!(split(r#"ECHO """#).unwrap(), ["ECHO", ""]);
        assert_eq!(split("").unwrap(), Vec::<String>::new());
        assert_eq!(split(r#"ECHO "abc"#), Err(SplitError));
        assert_eq!(split("ECHO 'abc"), Err(SplitError));
        assert_eq!(split(r#"ECHO "a"b"#), Err(SplitError));
    }
}
