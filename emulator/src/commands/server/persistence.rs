//! SAVE, BGSAVE and LASTSAVE (the snapshot machinery is in `persistence::snapshot`).

use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::eq_ignore_case;

const IN_PROGRESS: &str = "ERR Background save already in progress";

pub(super) fn save(srv: &mut Server, call: &mut Call) -> Reply {
    if srv.snapshot.bgsave_in_progress() {
        return Reply::error(IN_PROGRESS);
    }
    srv.snapshot.saves += 1;
    match srv.save_snapshot(call.now) {
        Ok(_) => Reply::ok(),
        // Redis answers a failed save with its bare shared error.
        Err(_) => Reply::error("ERR"),
    }
}

pub(super) fn bgsave(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() > 1 && !(call.argc() == 2 && eq_ignore_case(call.arg(1), "schedule")) {
        return errors::syntax();
    }
    if srv.snapshot.bgsave_in_progress() {
        return Reply::error(IN_PROGRESS);
    }
    // Inside EXEC Redis does not fork: the save starts from the next periodic job.
    if call.nested {
        srv.snapshot.bgsave_scheduled = true;
        return Reply::simple("Background saving scheduled");
    }
    srv.start_background_save(call.now);
    Reply::simple("Background saving started")
}

pub(super) fn lastsave(srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::Integer(i64::try_from(srv.last_save_seconds()).unwrap_or(i64::MAX))
}
