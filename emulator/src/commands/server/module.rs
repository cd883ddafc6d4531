//! MODULE: Redis modules are native libraries loaded into the server process; this server
//! cannot load any, so it answers as Redis does when there are no modules and a library
//! fails to load (and logs why, as Redis logs a failed load).

use super::help_reply;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::eq_ignore_case;

const HELP: &[&str] = &[
    "LIST",
    "    Return a list of loaded modules.",
    "LOAD <path> [<arg> ...]",
    "    Load a module library from <path>, passing to it any optional arguments.",
    "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
    "    Load a module library from <path>, while passing it module configurations and optional arguments.",
    "UNLOAD <name>",
    "    Unload a module.",
];

/// Redis's reply to any failed load; the reason goes to the log.
const LOAD_FAILED: &str = "ERR Error loading the extension. Please check the server logs.";

pub(super) fn help(_srv: &mut Server, _call: &mut Call) -> Reply {
    help_reply(b"module", HELP)
}

/// No module is ever loaded.
pub(super) fn list(_srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::Array(Vec::new())
}

pub(super) fn load(srv: &mut Server, call: &mut Call) -> Reply {
    refuse_load(srv, call.arg(2))
}

/// LOADEX checks its `CONFIG name value` / `ARGS ...` syntax first, as Redis does, logging a
/// syntax error the same way; either way nothing loads.
pub(super) fn loadex(srv: &mut Server, call: &mut Call) -> Reply {
    let mut i = 3;
    while i < call.argc() {
        let arg = call.arg(i);
        if eq_ignore_case(arg, "config") {
            if i + 2 >= call.argc() {
                srv.log_notice("CONFIG specified without name value pair".into());
                return Reply::Error(LOAD_FAILED.into());
            }
            i += 3;
        } else if eq_ignore_case(arg, "args") {
            break;
        } else {
            srv.log_notice(format!(
                "Syntax Error from arguments to loadex around {}.",
                String::from_utf8_lossy(arg)
            ));
            return Reply::Error(LOAD_FAILED.into());
        }
    }
    refuse_load(srv, call.arg(2))
}

fn refuse_load(srv: &mut Server, path: &[u8]) -> Reply {
    srv.log_warning(format!(
        "Module {} failed to load: this server cannot load native modules",
        String::from_utf8_lossy(path)
    ));
    Reply::Error(LOAD_FAILED.into())
}

/// Nothing is loaded, so there is never a module of that name.
pub(super) fn unload(_srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::Error("ERR Error unloading module: no such module with that name".into())
}
