//! Glob-style matching with Redis's rules (`*`, `?`, `[...]`, `[^...]`, ranges, `\` escapes),
//! for CONFIG GET patterns.
//!
//! The search is iterative, resuming from the most recent `*` on a mismatch; this gives the same
//! answers as Redis's recursive matcher with its "skip longer matches" pruning, without
//! recursion depth growing with the number of stars.

/// Whether `string` matches `pattern`. With `nocase`, ASCII letters compare case-insensitively
/// (except escaped characters inside a class, which Redis compares exactly).
pub(crate) fn string_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    // Redis receives both as C strings here.
    let pattern = until_nul(pattern);
    let string = until_nul(string);
    let at = |i: usize| pattern.get(i).copied().unwrap_or(0);
    let (plen, slen) = (pattern.len(), string.len());
    let (mut p, mut s) = (0usize, 0usize);
    // Where to resume after a failure: the pattern position after the latest `*` and the
    // string position that star last started from.
    let mut resume: Option<(usize, usize)> = None;
    if slen == 0 {
        return plen == 0;
    }
    loop {
        let ok = if p >= plen {
            false
        } else {
            match at(p) {
                b'*' => {
                    while p + 1 < plen && at(p + 1) == b'*' {
                        p += 1;
                    }
                    if p + 1 == plen {
                        return true;
                    }
                    resume = Some((p + 1, s));
                    p += 1;
                    continue;
                }
                b'?' => {
                    s += 1;
                    true
                }
                b'[' => {
                    let (matched, end) = match_class(pattern, p + 1, string[s], nocase);
                    p = end;
                    s += 1;
                    matched
                }
                c => {
                    let literal = if c == b'\\' && plen - p >= 2 {
                        p += 1;
                        at(p)
                    } else {
                        c
                    };
                    let ok = same(literal, string[s], nocase);
                    s += 1;
                    ok
                }
            }
        };
        if ok {
            p += 1;
            if s == slen {
                while at(p) == b'*' && p < plen {
                    p += 1;
                }
                if p >= plen {
                    return true;
                }
            } else {
                continue;
            }
        }
        // Mismatch (or string exhausted with pattern left): retry from the latest star, one
        // character further; the star only ever starts from positions inside the string.
        match resume {
            Some((after_star, from)) if from + 1 < slen => {
                resume = Some((after_star, from + 1));
                p = after_star;
                s = from + 1;
            }
            _ => return false,
        }
    }
}

/// Matches one character against the class starting at `p` (just after `[`). Returns whether
/// it matched and the position of the class's closing `]` (or of its last character when the
/// class is unterminated), as Redis's matcher leaves it.
fn match_class(pattern: &[u8], mut p: usize, c: u8, nocase: bool) -> (bool, usize) {
    let plen = pattern.len();
    let at = |i: usize| pattern.get(i).copied().unwrap_or(0);
    let negate = at(p) == b'^';
    if negate {
        p += 1;
    }
    let mut matched = false;
    loop {
        let remaining = plen.saturating_sub(p);
        if at(p) == b'\\' && remaining >= 2 {
            p += 1;
            if at(p) == c {
                matched = true;
            }
        } else if at(p) == b']' {
            break;
        } else if remaining == 0 {
            p -= 1;
            break;
        } else if remaining >= 3 && at(p + 1) == b'-' {
            // C compares these as (signed) chars.
            let (mut start, mut end) = (at(p) as i8 as i32, at(p + 2) as i8 as i32);
            let mut ch = c as i8 as i32;
            if start > end {
                std::mem::swap(&mut start, &mut end);
            }
            if nocase {
                start = lower_i32(start);
                end = lower_i32(end);
                ch = lower_i32(ch);
            }
            p += 2;
            if ch >= start && ch <= end {
                matched = true;
            }
        } else if same(at(p), c, nocase) {
            matched = true;
        }
        p += 1;
    }
    (matched != negate, p)
}

fn same(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

fn lower_i32(c: i32) -> i32 {
    if (b'A' as i32..=b'Z' as i32).contains(&c) {
        c + 32
    } else {
        c
    }
}

fn until_nul(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(i) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::string_match;

    fn m(p: &str, s: &str) -> bool {
        string_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn globs_behave_like_redis() {
        assert!(m("*", "abc"));
        assert!(!m("*", ""));
        assert!(m("", ""));
        assert!(m("a*c", "abc"));
        assert!(m("a*c", "ac"));
        assert!(!m("a*c", "ab"));
        assert!(m("h?llo", "hello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("*a*b*c*", "xaybzc"));
        assert!(!m("*a*b*c*d", "xaybzc"));
        assert!(m("[abc", "a"));
        assert!(m("a*", "a"));
        assert!(m("**", "x"));
        assert!(string_match(b"MAX*", b"maxmemory", true));
        assert!(!string_match(b"MAX*", b"maxmemory", false));
    }

    #[test]
    fn many_stars_do_not_recurse() {
        let pattern = "*a".repeat(20000);
        assert!(!m(&pattern, &"a".repeat(100)));
    }
}
