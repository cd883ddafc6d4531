//! Redis's glob-style matching (`stringmatchlen`), used by FUNCTION LIST LIBRARYNAME: `*`, `?`,
//! `[set]` with `^` and ranges, and `\` escapes.

/// Whether `text` matches `pattern`; `nocase` compares ASCII letters without case.
pub fn glob_match(pattern: &[u8], text: &[u8], nocase: bool) -> bool {
    let mut give_up = false;
    match_from(pattern, text, nocase, &mut give_up)
}

fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

/// The pattern is read like a C string: past its end there is a NUL.
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

fn match_from(pattern: &[u8], text: &[u8], nocase: bool, give_up: &mut bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    while p < pattern.len() && t < text.len() {
        match pattern[p] {
            b'*' => {
                while p + 1 < pattern.len() && pattern[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == pattern.len() {
                    return true;
                }
                while t < text.len() {
                    if match_from(&pattern[p + 1..], &text[t..], nocase, give_up) {
                        return true;
                    }
                    if *give_up {
                        return false;
                    }
                    t += 1;
                }
                // No match for the rest anywhere: a longer match of an earlier `*` cannot help.
                *give_up = true;
                return false;
            }
            b'?' => t += 1,
            b'[' => {
                p += 1;
                let negate = at(pattern, p) == b'^';
                if negate {
                    p += 1;
                }
                let c = text[t];
                let mut matched = false;
                loop {
                    let left = pattern.len().saturating_sub(p);
                    if at(pattern, p) == b'\\' && left >= 2 {
                        p += 1;
                        if at(pattern, p) == c {
                            matched = true;
                        }
                    } else if at(pattern, p) == b']' {
                        break;
                    } else if left == 0 {
                        // An unterminated set: stay on the last character.
                        p -= 1;
                        break;
                    } else if left >= 3 && at(pattern, p + 1) == b'-' {
                        let (mut start, mut end) = (at(pattern, p), at(pattern, p + 2));
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        let (start, end, ch) =
                            (fold(start, nocase), fold(end, nocase), fold(c, nocase));
                        p += 2;
                        if ch >= start && ch <= end {
                            matched = true;
                        }
                    } else if fold(at(pattern, p), nocase) == fold(c, nocase) {
                        matched = true;
                    }
                    p += 1;
                }
                if matched == negate {
                    return false;
                }
                t += 1;
            }
            ch => {
                let ch = if ch == b'\\' && pattern.len() - p >= 2 {
                    p += 1;
                    pattern[p]
                } else {
                    ch
                };
                if fold(ch, nocase) != fold(text[t], nocase) {
                    return false;
                }
                t += 1;
            }
        }
        p += 1;
        if t == text.len() {
            while at(pattern, p) == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= pattern.len() && t == text.len()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn patterns() {
        assert!(glob_match(b"lib*", b"library1", true));
        assert!(glob_match(b"LIB*", b"library1", true));
        assert!(!glob_match(b"LIB*", b"library1", false));
        assert!(glob_match(b"l?b", b"lib", false));
        assert!(glob_match(b"[a-c]x", b"bx", false));
        assert!(!glob_match(b"[^a-c]x", b"bx", false));
        assert!(glob_match(b"a\\*", b"a*", false));
        // As in Redis, a pattern never matches the empty string.
        assert!(!glob_match(b"*", b"", false));
        assert!(!glob_match(b"a", b"", false));
        assert!(glob_match(b"a*b*c", b"axxbyyc", false));
    }
}
