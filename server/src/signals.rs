//! SIGINT and SIGTERM as events of the main loop: the handler writes the signal number to a
//! socket pair (the only async-signal-safe way to wake the loop), whose other end is polled.

use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicI32, Ordering};

use mio::net::UnixStream;

/// Write end of the socket pair, for the handler; -1 before installation.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(signal: libc::c_int) {
    let fd = WAKE_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = signal as u8;
        // SAFETY: write(2) is async-signal-safe; the buffer is a live local byte. A full
        // socket buffer (signals already pending) makes it fail harmlessly.
        unsafe {
            libc::write(fd, (&byte as *const u8).cast(), 1);
        }
    }
}

/// The readable end of the signal pipe.
pub struct Signals {
    receiver: UnixStream,
    /// Kept open for the handler.
    _sender: UnixStream,
}

impl Signals {
    /// Routes SIGINT and SIGTERM to the returned source.
    pub fn install() -> io::Result<Signals> {
        let (receiver, sender) = UnixStream::pair()?;
        WAKE_FD.store(sender.as_raw_fd(), Ordering::Relaxed);
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: a zeroed sigaction with a handler address and SA_RESTART is valid; the
            // handler only does async-signal-safe work.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as usize;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
        }
        Ok(Signals {
            receiver,
            _sender: sender,
        })
    }

    pub fn source(&mut self) -> &mut UnixStream {
        &mut self.receiver
    }

    /// The signals received since the last call.
    pub fn drain(&mut self) -> Vec<libc::c_int> {
        let mut received = Vec::new();
        let mut buf = [0u8; 16];
        while let Ok(n) = self.receiver.read(&mut buf) {
            if n == 0 {
                break;
            }
            received.extend(buf[..n].iter().map(|&b| libc::c_int::from(b)));
        }
        received
    }
}

/// Raises the open-files limit to what the system allows, so many clients can connect (as
/// Redis does for `maxclients`).
pub fn raise_open_files_limit() {
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max.min(65536).max(limit.rlim_cur);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
