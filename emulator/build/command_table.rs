//! Turns `commands/redis-7.0.json` (what Redis 7.0 answers to COMMAND INFO and COMMAND DOCS)
//! into static Rust data: `$OUT_DIR/command_table.rs`, included by `src/commands/spec.rs`.

use serde_json::{Map, Value};
use std::fmt::Write;

pub fn generate(json: &str) -> String {
    let table: Vec<Value> = serde_json::from_str(json).expect("valid command table JSON");
    let mut out = String::from("pub static COMMANDS: &[CommandSpec] = &[\n");
    for command in &table {
        write_command(&mut out, command);
    }
    out.push_str("];\n");
    out
}

fn str_lit(s: &str) -> String {
    format!("{s:?}")
}

fn str_list(v: Option<&Value>) -> String {
    let items: Vec<String> = v
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|s| str_lit(s.as_str().unwrap())).collect())
        .unwrap_or_default();
    format!("&[{}]", items.join(", "))
}

fn opt_str(v: Option<&Value>) -> String {
    match v.and_then(Value::as_str) {
        Some(s) => format!("Some({})", str_lit(s)),
        None => "None".into(),
    }
}

fn flag_bits(v: &Value) -> String {
    let names: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("flags::{}", f.as_str().unwrap().to_uppercase()))
        .collect();
    if names.is_empty() {
        "0".into()
    } else {
        names.join(" | ")
    }
}

fn write_command(out: &mut String, c: &Value) {
    let get = |k: &str| c.get(k);
    let int = |k: &str| get(k).and_then(Value::as_i64).unwrap();
    let history: Vec<String> = get("history")
        .and_then(Value::as_array)
        .map(|h| {
            h.iter()
                .map(|e| {
                    let e = e.as_array().unwrap();
                    format!(
                        "({}, {})",
                        str_lit(e[0].as_str().unwrap()),
                        str_lit(e[1].as_str().unwrap())
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let _ = write!(
        out,
        "CommandSpec {{ name: {name}, arity: {arity}, flags: {flags}, flag_names: {flag_names}, \
         first_key: {fk}, last_key: {lk}, step: {step}, acl_categories: {acl}, tips: {tips}, \
         key_specs: {key_specs}, summary: {summary}, since: {since}, group: {group}, \
         complexity: {complexity}, doc_flags: {doc_flags}, deprecated_since: {dep}, \
         replaced_by: {rep}, history: {history}, has_history: {has_history}, \
         has_arguments: {has_args}, arguments: &[",
        name = str_lit(get("name").unwrap().as_str().unwrap()),
        arity = int("arity"),
        flags = flag_bits(get("flags").unwrap()),
        flag_names = str_list(get("flags")),
        fk = int("first_key"),
        lk = int("last_key"),
        step = int("step"),
        acl = str_list(get("acl_categories")),
        tips = str_list(get("tips")),
        key_specs = doc(get("key_specs").unwrap()),
        summary = str_lit(get("summary").and_then(Value::as_str).unwrap_or("")),
        since = str_lit(get("since").and_then(Value::as_str).unwrap_or("")),
        group = str_lit(get("group").and_then(Value::as_str).unwrap_or("")),
        complexity = opt_str(get("complexity")),
        doc_flags = str_list(get("doc_flags")),
        dep = opt_str(get("deprecated_since")),
        rep = opt_str(get("replaced_by")),
        history = format!("&[{}]", history.join(", ")),
        has_history = get("history").is_some(),
        has_args = get("arguments").is_some(),
    );
    for arg in get("arguments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        write_arg(out, arg);
    }
    out.push_str("], subcommands: &[\n");
    for sub in get("subcommands")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        write_command(out, sub);
    }
    out.push_str("] },\n");
}

fn write_arg(out: &mut String, a: &Value) {
    let kind = match a["type"].as_str().unwrap() {
        "string" => "String",
        "integer" => "Integer",
        "double" => "Double",
        "key" => "Key",
        "pattern" => "Pattern",
        "unix-time" => "UnixTime",
        "pure-token" => "PureToken",
        "oneof" => "OneOf",
        "block" => "Block",
        other => panic!("unknown argument type {other}"),
    };
    let flags = a.get("flags").and_then(Value::as_array);
    let has = |f: &str| flags.is_some_and(|fl| fl.iter().any(|x| x == f));
    let _ =
        write!(
        out,
        "ArgSpec {{ name: {name}, kind: ArgKind::{kind}, key_spec_index: {ksi}, token: {token}, \
         since: {since}, optional: {opt}, multiple: {mult}, multiple_token: {mt}, \
         deprecated_since: {dep}, arguments: &[",
        name = str_lit(a["name"].as_str().unwrap()),
        ksi = a.get("key_spec_index").and_then(Value::as_i64).unwrap_or(-1),
        token = opt_str(a.get("token")),
        since = opt_str(a.get("since")),
        opt = has("optional"),
        mult = has("multiple"),
        mt = has("multiple_token"),
        dep = opt_str(a.get("deprecated_since")),
    );
    for child in a
        .get("arguments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        write_arg(out, child);
    }
    out.push_str("] },\n");
}

/// A JSON value as a static `Doc` tree (used for key specs, whose shape varies).
fn doc(v: &Value) -> String {
    match v {
        Value::String(s) => format!("Doc::Str({})", str_lit(s)),
        Value::Number(n) => format!("Doc::Int({})", n.as_i64().unwrap()),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(doc).collect();
            format!("Doc::List(&[{}])", items.join(", "))
        }
        Value::Object(m) => doc_map(m),
        other => panic!("unexpected value in key specs: {other}"),
    }
}

fn doc_map(m: &Map<String, Value>) -> String {
    let items: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("({}, {})", str_lit(k), doc(v)))
        .collect();
    format!("Doc::Map(&[{}])", items.join(", "))
}
