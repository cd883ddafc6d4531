//! Lua 5.4 and Redis's Lua 5.1 report some of the same mistakes in different words: 5.4
//! names the culprit after the fact ("attempt to call a nil value (field 'x')"), 5.1 before
//! it ("attempt to call field 'x' (a nil value)"). Learners compare messages with Redis's, so
//! runtime errors are given 5.1's wording. docs/lua-differences.md lists what still differs.

/// The operations whose messages name a variable.
const OPERATIONS: &[&str] = &[
    "call",
    "index",
    "perform arithmetic on",
    "concatenate",
    "get length of",
];

/// How 5.4 describes where a value came from; 5.1 uses the same words, except for the ones
/// mapped in [`kind_and_name`].
const KINDS: &[&str] = &["global", "local", "method", "field", "upvalue", "constant"];

/// `message` in Lua 5.1's words where 5.4's differ; other messages are returned unchanged.
pub(crate) fn lua51_wording(message: &str) -> String {
    if let Some(rewritten) = named_operand(message)
        .or_else(|| for_loop(message))
        .or_else(|| string_arithmetic(message))
    {
        return rewritten;
    }
    message.to_string()
}

/// `attempt to <op> a <type> value (<kind> '<name>')` → `attempt to <op> <kind> '<name>' (a
/// <type> value)`; `(for iterator 'for iterator')`, which 5.1 does not add, is dropped.
fn named_operand(message: &str) -> Option<String> {
    let start = message.find("attempt to ")?;
    let (prefix, rest) = message.split_at(start + "attempt to ".len());
    let operation = OPERATIONS
        .iter()
        .find(|op| rest.starts_with(&format!("{op} a ")))?;
    let after = &rest[operation.len() + " a ".len()..];
    let (value_type, after) = after.split_once(" value (")?;
    if value_type.contains(' ') {
        return None;
    }
    let close = after.find("')")?;
    let (described, tail) = (&after[..close], &after[close + 2..]);
    if described.starts_with("for iterator '") {
        return Some(format!("{prefix}{operation} a {value_type} value{tail}"));
    }
    let (kind, name) = described.split_once(" '")?;
    let (kind, name) = kind_and_name(kind, name)?;
    Some(format!(
        "{prefix}{operation} {kind} '{name}' (a {value_type} value){tail}"
    ))
}

/// 5.4 calls a value read with an integer key `field 'integer index'`; 5.1 says `field '?'`.
fn kind_and_name<'a>(kind: &'a str, name: &'a str) -> Option<(&'a str, &'a str)> {
    if !KINDS.contains(&kind) {
        return None;
    }
    Some(match (kind, name) {
        ("field", "integer index") => ("field", "?"),
        other => other,
    })
}

/// `bad 'for' limit (number expected, got nil)` → `'for' limit must be a number`.
fn for_loop(message: &str) -> Option<String> {
    let start = message.find("bad 'for' ")?;
    let (prefix, rest) = message.split_at(start);
    let rest = &rest["bad 'for' ".len()..];
    let (what, after) = rest.split_once(" (number expected, got ")?;
    let close = after.find(')')?;
    if !matches!(what, "initial value" | "limit" | "step") {
        return None;
    }
    Some(format!(
        "{prefix}'for' {what} must be a number{}",
        &after[close + 1..]
    ))
}

/// Arithmetic on a string that is not a number: 5.4's string library says `attempt to add a
/// 'string' with a 'number'`; 5.1 reports the first operand that is not a number, `attempt to
/// perform arithmetic on a string value` (naming its variable, which 5.4's message no longer
/// tells; see docs/lua-differences.md).
fn string_arithmetic(message: &str) -> Option<String> {
    const EVENTS: &[&str] = &["add", "sub", "mul", "mod", "pow", "div", "idiv", "unm"];
    let start = message.find("attempt to ")?;
    let (prefix, rest) = message.split_at(start);
    let rest = &rest["attempt to ".len()..];
    let (event, rest) = rest.split_once(" a '")?;
    if !EVENTS.contains(&event) {
        return None;
    }
    let (first, rest) = rest.split_once("' with a '")?;
    let (second, tail) = rest.split_once('\'')?;
    let arithmetic = |t: &str| t == "string" || t == "number";
    let culprit = [first, second]
        .into_iter()
        .find(|t| !arithmetic(t))
        .unwrap_or("string");
    Some(format!(
        "{prefix}attempt to perform arithmetic on a {culprit} value{tail}"
    ))
}

#[cfg(test)]
mod tests {
    use super::lua51_wording;

    #[test]
    fn named_operands_come_first_as_in_lua_5_1() {
        let cases = [
            (
                "user_script:1: attempt to call a nil value (field 'nosuch')",
                "user_script:1: attempt to call field 'nosuch' (a nil value)",
            ),
            (
                "user_script:1: attempt to index a nil value (upvalue 'up')",
                "user_script:1: attempt to index upvalue 'up' (a nil value)",
            ),
            (
                "user_script:1: attempt to call a table value (local 't')",
                "user_script:1: attempt to call local 't' (a table value)",
            ),
            (
                "user_script:1: attempt to perform arithmetic on a nil value (field 'integer index')",
                "user_script:1: attempt to perform arithmetic on field '?' (a nil value)",
            ),
            (
                "user_script:1: attempt to get length of a nil value (local 'a')",
                "user_script:1: attempt to get length of local 'a' (a nil value)",
            ),
            (
                "user_script:1: attempt to call a nil value (for iterator 'for iterator')",
                "user_script:1: attempt to call a nil value",
            ),
            (
                "user_script:1: attempt to add a 'string' with a 'number'",
                "user_script:1: attempt to perform arithmetic on a string value",
            ),
            (
                "user_script:1: attempt to mul a 'string' with a 'table'",
                "user_script:1: attempt to perform arithmetic on a table value",
            ),
            (
                "user_script:1: bad 'for' limit (number expected, got nil)",
                "user_script:1: 'for' limit must be a number",
            ),
        ];
        for (lua54, lua51) in cases {
            assert_eq!(lua51_wording(lua54), lua51, "{lua54}");
        }
    }

    #[test]
    fn messages_5_1_shares_are_unchanged() {
        for same in [
            "user_script:1: attempt to call a nil value",
            "user_script:1: attempt to compare number with nil",
            "user_script:1: attempt to concatenate a table value",
            "user_script:1: boom",
            "attempt to call a nil value (field",
            "attempt to call a nil value (something 'x')",
        ] {
            assert_eq!(lua51_wording(same), same);
        }
    }
}
