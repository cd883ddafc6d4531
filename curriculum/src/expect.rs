//! Expected outputs. Text matches exactly, except for a few narrow placeholders for outputs that
//! vary by nature:
//!
//! - `{int A..B}`: an integer from A to B inclusive (a TTL counting down: `(integer) {int 55..60}`)
//! - `{hex N}`: exactly N lowercase hex digits (a SHA1 from SCRIPT LOAD: `"{hex 40}"`)
//! - `{digits}`: one or more decimal digits (a timestamp, a cursor, a byte count)

/// Whether one line of actual output matches one line of expectation.
pub fn matches(expected: &str, actual: &str) -> bool {
    match_from(expected, actual)
}

fn match_from(expected: &str, actual: &str) -> bool {
    let Some(open) = expected.find('{') else {
        return expected == actual;
    };
    let Some(close) = expected[open..].find('}').map(|c| open + c) else {
        return expected == actual;
    };
    let (literal, placeholder, rest) = (
        &expected[..open],
        &expected[open + 1..close],
        &expected[close + 1..],
    );
    let Some(after_literal) = actual.strip_prefix(literal) else {
        return false;
    };
    // Try every length the placeholder could take, then match the rest. Braces that are not
    // a placeholder (JSON in a reply) are literal text.
    (1..=after_literal.len()).any(|len| {
        after_literal.is_char_boundary(len)
            && fits(placeholder, &after_literal[..len])
            && match_from(rest, &after_literal[len..])
    }) || (placeholder_is_unknown(placeholder) && expected == actual)
}

fn placeholder_is_unknown(p: &str) -> bool {
    !(p.starts_with("int ") || p.starts_with("hex ") || p == "digits")
}

fn fits(placeholder: &str, text: &str) -> bool {
    if placeholder == "digits" {
        return text.bytes().all(|b| b.is_ascii_digit());
    }
    if let Some(n) = placeholder.strip_prefix("hex ") {
        return n.parse::<usize>().is_ok_and(|n| text.len() == n)
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    }
    if let Some(range) = placeholder.strip_prefix("int ") {
        let Some((lo, hi)) = range.split_once("..") else {
            return false;
        };
        let (Ok(lo), Ok(hi), Ok(v)) = (lo.parse::<i64>(), hi.parse::<i64>(), text.parse::<i64>())
        else {
            return false;
        };
        return (lo..=hi).contains(&v) && v.to_string() == text;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert!(matches("(integer) {int 55..60}", "(integer) 60"));
        assert!(!matches("(integer) {int 55..60}", "(integer) 61"));
        assert!(!matches("(integer) {int 55..60}", "(integer) 057"));
        assert!(matches("\"{hex 4}\"", "\"a0f9\""));
        assert!(!matches("\"{hex 4}\"", "\"a0f\""));
        assert!(matches("1) \"{digits}\"", "1) \"17\""));
        assert!(matches("OK", "OK"));
        assert!(!matches("OK", "OK "));
        // Braces that are no placeholder are plain text.
        assert!(matches("2) \"{\\\"id\\\":1}\"", "2) \"{\\\"id\\\":1}\""));
        assert!(!matches("\"{\\\"id\\\":1}\"", "\"{\\\"id\\\":2}\""));
    }
}
