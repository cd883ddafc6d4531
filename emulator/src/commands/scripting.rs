//! Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT, FCALL, FCALL_RO, FUNCTION.
//! The work is done in `crate::scripting`; this module parses arguments and shapes replies.

use super::Handler;
use crate::resp::Reply;
use crate::scripting;
use crate::server::{Call, Server};
use crate::util::eq_ignore_case;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    // A script is propagated as the commands it ran, never itself; monitors see its own line
    // before the commands it calls.
    ("eval", |srv, call| {
        srv.prevent_propagation();
        srv.feed_monitors_before_script(call);
        scripting::eval(srv, call, false, false)
    }),
    ("evalsha", |srv, call| {
        srv.prevent_propagation();
        srv.feed_monitors_before_script(call);
        scripting::eval(srv, call, true, false)
    }),
    ("eval_ro", |srv, call| {
        srv.prevent_propagation();
        srv.feed_monitors_before_script(call);
        scripting::eval(srv, call, false, true)
    }),
    ("evalsha_ro", |srv, call| {
        srv.prevent_propagation();
        srv.feed_monitors_before_script(call);
        scripting::eval(srv, call, true, true)
    }),
    ("fcall", |srv, call| {
        srv.prevent_propagation();
        srv.feed_monitors_before_script(call);
        scripting::fcall(srv, call, false)
    }),
    ("fcall_ro", |srv, call| {
        srv.prevent_propagation();
        srv.feed_monitors_before_script(call);
        scripting::fcall(srv, call, true)
    }),
    ("script|load", script_load),
    ("script|exists", script_exists),
    ("script|flush", script_flush),
    ("script|kill", kill),
    ("script|help", script_help),
    ("function|load", function_load),
    ("function|list", function_list),
    ("function|delete", function_delete),
    ("function|flush", function_flush),
    ("function|dump", function_dump),
    ("function|restore", function_restore),
    ("function|stats", function_stats),
    ("function|kill", kill),
    ("function|help", function_help),
];

/// Redis's addReplyHelp: a header naming the command, the lines, and HELP itself.
fn help(call: &Call, lines: &[&str]) -> Reply {
    let command = String::from_utf8_lossy(call.arg(0)).to_uppercase();
    let mut out = vec![Reply::Simple(format!(
        "{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    ))];
    out.extend(lines.iter().map(|l| Reply::simple(l)));
    out.push(Reply::simple("HELP"));
    out.push(Reply::simple("    Prints this help."));
    Reply::Array(out)
}

/// Redis's addReplySubcommandSyntaxError.
fn subcommand_syntax_error(call: &Call) -> Reply {
    let sub = String::from_utf8_lossy(scripting_c_str(call.arg(1)));
    let sub: String = sub.chars().take(128).collect();
    Reply::Error(format!(
        "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {} HELP.",
        String::from_utf8_lossy(call.arg(0)).to_uppercase()
    ))
}

fn scripting_c_str(arg: &[u8]) -> &[u8] {
    match arg.iter().position(|&b| b == 0) {
        Some(i) => &arg[..i],
        None => arg,
    }
}

/// SCRIPT KILL and FUNCTION KILL: stop the busy script, if it has not written.
fn kill(srv: &mut Server, call: &mut Call) -> Reply {
    srv.kill_busy_script(call.spec.name == "script|kill")
}

// ----- SCRIPT -----

fn script_load(srv: &mut Server, call: &mut Call) -> Reply {
    srv.scripting.load_script(call.arg(2))
}

fn script_exists(srv: &mut Server, call: &mut Call) -> Reply {
    Reply::Array(
        call.argv[2..]
            .iter()
            .map(|sha| Reply::Integer(i64::from(srv.scripting.script_exists(sha))))
            .collect(),
    )
}

fn script_flush(srv: &mut Server, call: &mut Call) -> Reply {
    let valid = match call.argc() {
        2 => true,
        3 => eq_ignore_case(call.arg(2), "sync") || eq_ignore_case(call.arg(2), "async"),
        _ => false,
    };
    if !valid {
        return Reply::error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    srv.scripting.flush_scripts();
    Reply::ok()
}

fn script_help(_srv: &mut Server, call: &mut Call) -> Reply {
    help(
        call,
        &[
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
        ],
    )
}

// ----- FUNCTION -----

/// Runs `f` with the functions engine taken out of the server.
fn with_functions(
    srv: &mut Server,
    f: impl FnOnce(&mut scripting::FunctionEngine, u64, u64) -> Reply,
) -> Reply {
    let mut engine = match srv.scripting.take_functions() {
        Ok(engine) => engine,
        Err(reply) => return reply,
    };
    let load_budget = srv.scripting.load_budget();
    let run_budget = srv.script_run_budget();
    let reply = f(&mut engine, load_budget, run_budget);
    srv.scripting.put_functions(engine);
    reply
}

fn function_load(srv: &mut Server, call: &mut Call) -> Reply {
    let mut replace = false;
    let last = call.argc() - 1;
    for arg in &call.argv[2..last] {
        if eq_ignore_case(arg, "replace") {
            replace = true;
        } else {
            return Reply::Error(format!(
                "ERR Unknown option given: {}",
                String::from_utf8_lossy(scripting_c_str(arg))
            ));
        }
    }
    let code = call.arg(last).to_vec();
    let reply = with_functions(srv, |engine, load_budget, _| {
        match engine.load(&code, replace, load_budget) {
            Ok(name) => Reply::Bulk(name),
            Err(e) => Reply::Error(format!("ERR {e}")),
        }
    });
    if !reply.is_error() {
        srv.add_dirty(1);
    }
    reply
}

fn function_list(srv: &mut Server, call: &mut Call) -> Reply {
    let mut with_code = false;
    let mut pattern: Option<Vec<u8>> = None;
    let mut i = 2;
    while i < call.argc() {
        let arg = call.arg(i);
        if !with_code && eq_ignore_case(arg, "withcode") {
            with_code = true;
        } else if pattern.is_none() && eq_ignore_case(arg, "libraryname") {
            if i + 1 >= call.argc() {
                return Reply::error("ERR library name argument was not given");
            }
            i += 1;
            pattern = Some(call.arg(i).to_vec());
        } else {
            return Reply::Error(format!(
                "ERR Unknown argument {}",
                String::from_utf8_lossy(scripting_c_str(arg))
            ));
        }
        i += 1;
    }
    with_functions(srv, |engine, _, _| {
        engine.list(pattern.as_deref(), with_code)
    })
}

fn function_delete(srv: &mut Server, call: &mut Call) -> Reply {
    let name = call.arg(2).to_vec();
    let reply = with_functions(srv, |engine, _, _| {
        if engine.delete(&name) {
            Reply::ok()
        } else {
            Reply::error("ERR Library not found")
        }
    });
    if !reply.is_error() {
        srv.add_dirty(1);
    }
    reply
}

fn function_flush(srv: &mut Server, call: &mut Call) -> Reply {
    match call.argc() {
        2 => {}
        3 if eq_ignore_case(call.arg(2), "sync") || eq_ignore_case(call.arg(2), "async") => {}
        3 => return Reply::error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"),
        _ => return subcommand_syntax_error(call),
    }
    let reply = with_functions(srv, |engine, _, _| {
        engine.flush();
        Reply::ok()
    });
    srv.add_dirty(1);
    reply
}

fn function_dump(srv: &mut Server, _call: &mut Call) -> Reply {
    with_functions(srv, |engine, _, _| Reply::Bulk(engine.dump()))
}

fn function_restore(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() > 4 {
        return subcommand_syntax_error(call);
    }
    let (mut flush, mut replace) = (false, false);
    if call.argc() == 4 {
        let policy = call.arg(3);
        if eq_ignore_case(policy, "flush") {
            flush = true;
        } else if eq_ignore_case(policy, "replace") {
            replace = true;
        } else if !eq_ignore_case(policy, "append") {
            return Reply::error(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            );
        }
    }
    let payload = call.arg(2).to_vec();
    let reply = with_functions(srv, |engine, load_budget, _| {
        match engine.restore(&payload, flush, replace, load_budget) {
            Ok(()) => Reply::ok(),
            Err(e) => Reply::Error(format!("ERR {e}")),
        }
    });
    if !reply.is_error() {
        srv.add_dirty(1);
    }
    reply
}

fn function_stats(srv: &mut Server, call: &mut Call) -> Reply {
    // Redis will not describe a busy EVAL script here.
    if srv.scripting.busy_error() == Some(crate::scripting::BUSY_EVAL) {
        return Reply::error(crate::scripting::BUSY_EVAL);
    }
    let (libraries, functions) = srv.scripting.function_counts();
    let lua = Reply::Map(vec![
        (
            Reply::bulk("libraries_count"),
            Reply::Integer(libraries as i64),
        ),
        (
            Reply::bulk("functions_count"),
            Reply::Integer(functions as i64),
        ),
    ]);
    Reply::Map(vec![
        (
            Reply::bulk("running_script"),
            srv.scripting.running_script(call.now),
        ),
        (
            Reply::bulk("engines"),
            Reply::Map(vec![(Reply::bulk("LUA"), lua)]),
        ),
    ])
}

fn function_help(_srv: &mut Server, call: &mut Call) -> Reply {
    help(
        call,
        &[
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
        ],
    )
}
