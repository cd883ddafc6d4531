//! The host side of wasi-libc, for the browser build.
//!
//! Lua's C code is linked against wasi-libc (for printf-style formatting, strtod and math that
//! match glibc's output exactly). wasi-libc calls WASI system functions through symbols named
//! `__imported_wasi_snapshot_preview1_<name>`; defining them here resolves those calls inside the
//! module, so the page needs no WASI host and the module imports only wasm-bindgen's functions.
//!
//! Nothing here touches the outside world: there are no files, the clock is the engine's
//! injected time, and output to stdout/stderr is kept in a small buffer the engine can drain.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

const ERRNO_SUCCESS: i32 = 0;
const ERRNO_BADF: i32 = 8;
const ERRNO_NOSYS: i32 = 52;

/// At most this much libc output is kept between drains.
const OUTPUT_CAP: usize = 64 * 1024;

static CLOCK_NANOS: AtomicU64 = AtomicU64::new(0);
static RANDOM_STATE: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);

thread_local! {
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Sets the time C code sees (`time()`, `clock()`), in milliseconds since the Unix epoch.
pub fn set_clock_ms(ms: u64) {
    CLOCK_NANOS.store(ms.saturating_mul(1_000_000), Ordering::Relaxed);
}

/// Takes what C code wrote to stdout or stderr since the last call.
pub fn take_output() -> Vec<u8> {
    OUTPUT.with(|o| std::mem::take(&mut *o.borrow_mut()))
}

#[repr(C)]
struct Ciovec {
    buf: *const u8,
    len: usize,
}

#[no_mangle]
unsafe extern "C" fn __imported_wasi_snapshot_preview1_fd_write(
    fd: i32,
    iovs: *const Ciovec,
    iovs_len: usize,
    nwritten: *mut usize,
) -> i32 {
    if fd != 1 && fd != 2 {
        return ERRNO_BADF;
    }
    let mut total = 0;
    OUTPUT.with(|o| {
        let mut out = o.borrow_mut();
        for i in 0..iovs_len {
            let iov = &*iovs.add(i);
            let bytes = std::slice::from_raw_parts(iov.buf, iov.len);
            let room = OUTPUT_CAP.saturating_sub(out.len());
            out.extend_from_slice(&bytes[..bytes.len().min(room)]);
            total += iov.len;
        }
    });
    *nwritten = total;
    ERRNO_SUCCESS
}

#[no_mangle]
unsafe extern "C" fn __imported_wasi_snapshot_preview1_clock_time_get(
    _clock_id: i32,
    _precision: i64,
    time: *mut u64,
) -> i32 {
    *time = CLOCK_NANOS.load(Ordering::Relaxed);
    ERRNO_SUCCESS
}

#[no_mangle]
unsafe extern "C" fn __imported_wasi_snapshot_preview1_random_get(buf: *mut u8, len: usize) -> i32 {
    // xorshift64*: C code only uses this for hash seeds, where any varied bytes will do.
    let mut x = RANDOM_STATE.load(Ordering::Relaxed);
    for i in 0..len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *buf.add(i) = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
    }
    RANDOM_STATE.store(x, Ordering::Relaxed);
    ERRNO_SUCCESS
}

#[no_mangle]
unsafe extern "C" fn __imported_wasi_snapshot_preview1_environ_sizes_get(
    count: *mut usize,
    size: *mut usize,
) -> i32 {
    *count = 0;
    *size = 0;
    ERRNO_SUCCESS
}

#[no_mangle]
extern "C" fn __imported_wasi_snapshot_preview1_environ_get(_environ: i32, _buf: i32) -> i32 {
    ERRNO_SUCCESS
}

#[no_mangle]
extern "C" fn __imported_wasi_snapshot_preview1_proc_exit(_code: i32) -> ! {
    // Only reachable through abort(); Lua's os.exit is never loaded.
    core::arch::wasm32::unreachable()
}

/// File-descriptor calls: there are no files, so every descriptor is bad.
macro_rules! no_such_descriptor {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        #[no_mangle]
        extern "C" fn $name($($arg: $ty),*) -> i32 {
            $(let _ = $arg;)*
            ERRNO_BADF
        }
    )*};
}

no_such_descriptor! {
    __imported_wasi_snapshot_preview1_fd_close(fd: i32);
    __imported_wasi_snapshot_preview1_fd_fdstat_get(fd: i32, stat: i32);
    __imported_wasi_snapshot_preview1_fd_fdstat_set_flags(fd: i32, flags: i32);
    __imported_wasi_snapshot_preview1_fd_prestat_get(fd: i32, prestat: i32);
    __imported_wasi_snapshot_preview1_fd_prestat_dir_name(fd: i32, path: i32, len: i32);
    __imported_wasi_snapshot_preview1_fd_read(fd: i32, iovs: i32, len: i32, nread: i32);
    __imported_wasi_snapshot_preview1_fd_renumber(fd: i32, to: i32);
    __imported_wasi_snapshot_preview1_fd_seek(fd: i32, offset: i64, whence: i32, out: i32);
}

/// Path calls: there is no file system.
macro_rules! no_file_system {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        #[no_mangle]
        extern "C" fn $name($($arg: $ty),*) -> i32 {
            $(let _ = $arg;)*
            ERRNO_NOSYS
        }
    )*};
}

no_file_system! {
    __imported_wasi_snapshot_preview1_path_open(
        fd: i32, dirflags: i32, path: i32, path_len: i32, oflags: i32,
        rights_base: i64, rights_inheriting: i64, fdflags: i32, opened: i32
    );
    __imported_wasi_snapshot_preview1_path_remove_directory(fd: i32, path: i32, len: i32);
    __imported_wasi_snapshot_preview1_path_rename(
        fd: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32
    );
    __imported_wasi_snapshot_preview1_path_unlink_file(fd: i32, path: i32, len: i32);
}
