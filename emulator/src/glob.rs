//! Redis's glob-style matching (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET, ...).
//!
//! The rules, including their odd corners, are those of Redis's `stringmatchlen`:
//! - `*` matches any run of bytes, `?` exactly one byte, `\x` the byte `x`.
//! - `[...]` matches one byte from a set; `[^...]` one byte not in it. Inside a set `\x` is
//!   the literal `x`, `a-z` a range whose ends may come in either order, and the first `]`
//!   closes the set (so `[]` matches nothing and `[^]` any byte).
//! - A set left open (`[abc`, `[a-]`) takes the rest of the pattern as members; `[a-]` is the
//!   range from `a` to `]`.
//! - Range ends compare as C's signed `char` on x86, so bytes >= 0x80 sort below `\0`.
//! - An empty subject matches only an empty pattern: even `*` fails against it (KEYS and SCAN
//!   special-case a lone `*` before matching).
//!
//! Matching never recurses: once the part of the pattern after a `*` has failed at every
//! position, no earlier `*` can make it succeed, so only the latest `*` needs remembering.
//! That keeps hostile patterns linear in stack and quadratic at worst in time, as in Redis.

/// Whether `subject` matches `pattern`. `nocase` folds ASCII letters (CONFIG GET uses it).
pub fn matches(pattern: &[u8], subject: &[u8], nocase: bool) -> bool {
    let fold = |b: u8| if nocase { b.to_ascii_lowercase() } else { b };
    let plen = pattern.len();
    let slen = subject.len();
    let (mut p, mut s) = (0usize, 0usize);
    // Where to resume after a failure: the `*` and the subject position it last tried.
    let mut retry: Option<(usize, usize)> = None;

    loop {
        let mut failed = false;
        if p < plen && s < slen {
            match pattern[p] {
                b'*' => {
                    while p + 1 < plen && pattern[p + 1] == b'*' {
                        p += 1;
                    }
                    if p + 1 == plen {
                        return true;
                    }
                    retry = Some((p, s));
                    p += 1;
                    continue;
                }
                b'?' => s += 1,
                b'[' => {
                    let (matched, last) = match_set(pattern, p + 1, subject[s], nocase);
                    if matched {
                        s += 1;
                        p = last;
                    } else {
                        failed = true;
                    }
                }
                other => {
                    let literal = if other == b'\\' && p + 1 < plen {
                        p += 1;
                        pattern[p]
                    } else {
                        other
                    };
                    if fold(literal) == fold(subject[s]) {
                        s += 1;
                    } else {
                        failed = true;
                    }
                }
            }
            if !failed {
                p += 1;
                if s < slen {
                    continue;
                }
                // The subject is used up: trailing stars may match nothing.
                while p < plen && pattern[p] == b'*' {
                    p += 1;
                }
            }
        }
        if !failed && p == plen && s == slen {
            return true;
        }
        // Let the latest `*` swallow one more byte; it never takes the whole rest.
        match retry {
            Some((star, tried)) if tried + 1 < slen => {
                retry = Some((star, tried + 1));
                p = star + 1;
                s = tried + 1;
            }
            _ => return false,
        }
    }
}

/// Matches one byte against the set whose body starts at `start` (just after `[`). Returns
/// whether it matched and the index of the set's last pattern byte (its `]`, or the pattern's
/// last byte when the set is left open).
fn match_set(pattern: &[u8], start: usize, byte: u8, nocase: bool) -> (bool, usize) {
    let plen = pattern.len();
    let mut i = start;
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    loop {
        if i >= plen {
            // Unterminated set: it ends with the pattern.
            i = plen - 1;
            break;
        }
        let c = pattern[i];
        if c == b'\\' && plen - i >= 2 {
            i += 1;
            matched |= pattern[i] == byte;
        } else if c == b']' {
            break;
        } else if plen - i >= 3 && pattern[i + 1] == b'-' {
            let (mut lo, mut hi) = (as_c_char(c), as_c_char(pattern[i + 2]));
            let mut b = as_c_char(byte);
            if lo > hi {
                std::mem::swap(&mut lo, &mut hi);
            }
            if nocase {
                lo = c_tolower(lo);
                hi = c_tolower(hi);
                b = c_tolower(b);
            }
            matched |= lo <= b && b <= hi;
            i += 2;
        } else if nocase {
            matched |= c.eq_ignore_ascii_case(&byte);
        } else {
            matched |= c == byte;
        }
        i += 1;
    }
    (matched != negate, i)
}

/// A byte as x86's signed `char`.
fn as_c_char(b: u8) -> i16 {
    b as i8 as i16
}

fn c_tolower(c: i16) -> i16 {
    if (b'A' as i16..=b'Z' as i16).contains(&c) {
        c + 32
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    fn m(p: &str, s: &str) -> bool {
        matches(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn stars_and_questions() {
        assert!(m("*", "abc"));
        assert!(!m("*", ""));
        assert!(!m("**", ""));
        assert!(m("a*", "a"));
        assert!(m("a**", "a"));
        assert!(!m("a*?", "a"));
        assert!(m("*a*b*", "xxaxxbxx"));
        assert!(!m("*a*b*c", "xxaxxbxx"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("*llo", "hello"));
        assert!(m("*a", "aaa"));
        assert!(!m("", "a"));
        assert!(!m("a", ""));
        assert!(m("", ""));
    }

    #[test]
    fn sets() {
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(!m("[]", "]"));
        assert!(m("[^]", "x"));
        assert!(m("[\\]]", "]"));
        assert!(m("[a-]", "]"));
        assert!(m("[a-]", "_"));
        assert!(!m("[a-]", "-"));
        assert!(m("[abc", "c"));
        assert!(!m("[abc", "d"));
        assert!(!m("[", "["));
        assert!(m("[^", "x"));
        assert!(m("[\\", "\\"));
        assert!(m("a[a-]b", "ab"));
        assert!(!m("a[a-]b", "a]b"));
    }

    #[test]
    fn escapes() {
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("a\\", "a\\"));
        assert!(m("\\?x", "?x"));
    }

    #[test]
    fn signed_char_ranges() {
        assert!(matches(b"[a-\xff]", b"\xff", false));
        assert!(matches(b"[a-\xff]", b"\x00", false));
        assert!(!matches(b"[a-\xff]", b"\x80", false));
        assert!(!matches(b"[a-\xff]", b"z", false));
    }

    #[test]
    fn nocase() {
        assert!(matches(b"MAX*", b"maxmemory", true));
        assert!(matches(b"[A-C]x", b"bX", true));
        assert!(!matches(b"MAX*", b"maxmemory", false));
    }

    #[test]
    fn hostile_patterns_finish() {
        let pattern = "*a".repeat(50_000);
        let subject = "a".repeat(60_000) + "b";
        assert!(!m(&pattern, &subject));
        assert!(!m(&("a*".repeat(30) + "c"), &("a".repeat(60) + "b")));
    }
}
