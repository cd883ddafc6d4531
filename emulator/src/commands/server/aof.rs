//! BGREWRITEAOF, SHUTDOWN, and turning `appendonly` on and off with CONFIG SET.

use crate::errors;
use crate::lifecycle::ShutdownFlags;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::eq_ignore_case;

/// BGREWRITEAOF: the rewrite completes before the reply (there is no fork to wait for).
pub(super) fn bgrewriteaof(srv: &mut Server, call: &mut Call) -> Reply {
    match srv.rewrite_aof(call.now, false) {
        Ok(()) => Reply::simple("Background append only file rewriting started"),
        Err(_) => Reply::error(
            "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.",
        ),
    }
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success there is no reply: the server
/// stops and the host closes every connection.
pub(super) fn shutdown(srv: &mut Server, call: &mut Call) -> Reply {
    let mut flags = ShutdownFlags::default();
    let mut any_flag = false;
    let mut abort = false;
    for arg in &call.argv[1..] {
        if eq_ignore_case(arg, "nosave") {
            flags.nosave = true;
        } else if eq_ignore_case(arg, "save") {
            flags.save = true;
        } else if eq_ignore_case(arg, "now") {
            // No replicas to wait for: NOW changes nothing.
        } else if eq_ignore_case(arg, "force") {
            flags.force = true;
        } else if eq_ignore_case(arg, "abort") {
            abort = true;
            continue;
        } else {
            return errors::syntax();
        }
        any_flag = true;
    }
    if (abort && any_flag) || (flags.nosave && flags.save) {
        return errors::syntax();
    }
    if abort {
        // A shutdown only waits when replicas lag; this server has none.
        return Reply::error("ERR No shutdown in progress.");
    }
    if !flags.nosave {
        // During a busy script only SHUTDOWN NOSAVE goes through.
        if let Some(busy) = srv.scripting.busy_error() {
            return Reply::error(busy);
        }
    }
    match srv.prepare_shutdown(flags, call.now) {
        Ok(()) => {
            srv.stop();
            // The client gets no reply, only its connection closed: the reply is skipped
            // as CLIENT REPLY SKIP would.
            srv.client_mut(call.client).reply_mode = crate::client::ReplyMode::Skip;
            Reply::ok()
        }
        Err(()) => Reply::error("ERR Errors trying to SHUTDOWN. Check logs."),
    }
}

impl Server {
    /// CONFIG SET appendonly: starts the AOF with a rewrite, or stops it.
    pub(super) fn apply_appendonly(&mut self, now: u64) -> Result<(), Reply> {
        if !self.config.appendonly {
            self.stop_append_only(now);
            return Ok(());
        }
        if self.start_append_only(now).is_err() {
            self.config.appendonly = false;
            return Err(Reply::error(
                "ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on AOF. Check server logs.",
            ));
        }
        Ok(())
    }
}
