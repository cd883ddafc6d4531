//! Which TCP connections a server takes, as redis-server decides when it accepts one
//! (`acceptCommonHandler` and `clientAcceptHandler` in Redis's networking.c).

/// Why a connection was refused. The host writes `error_line` and closes the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `maxclients` clients are already connected.
    MaxClients,
    /// Protected mode is on, the default user has no password, and the peer is not on the
    /// loopback interface.
    ProtectedMode,
}

impl Refusal {
    /// The bytes Redis writes before it closes a refused connection.
    pub fn error_line(self) -> &'static [u8] {
        match self {
            Refusal::MaxClients => b"-ERR max number of clients reached\r\n",
            Refusal::ProtectedMode => PROTECTED_MODE_ERROR,
        }
    }
}

const PROTECTED_MODE_ERROR: &[u8] =
    b"-DENIED Redis is running in protected mode because protected \
mode is enabled and no password is set for the default user. In this mode connections are only \
accepted from the loopback interface. If you want to connect from external computers to Redis you \
may adopt one of the following solutions: 1) Just disable protected mode sending the command \
'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same \
host the server is running, however MAKE SURE Redis is not publicly accessible from internet if \
you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just \
disable the protected mode by editing the Redis configuration file, and setting the protected \
mode option to 'no', and then restarting the server. 3) If you started the server manually just \
for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication \
password for the default user. NOTE: You only need to do one of the above things in order for \
the server to start accepting connections from the outside.\r\n";

/// Whether a peer address (`ip:port`, or `[ip]:port` for IPv6) is what Redis counts as the
/// loopback interface: exactly `127.0.0.1` or `::1` (not the rest of 127.0.0.0/8).
pub fn is_loopback_peer(addr: &str) -> bool {
    let ip = match addr.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => addr.rsplit_once(':').map_or(addr, |(ip, _)| ip),
    };
    ip == "127.0.0.1" || ip == "::1"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_loopback_addresses_count_as_local() {
        assert!(is_loopback_peer("127.0.0.1:50000"));
        assert!(is_loopback_peer("[::1]:50000"));
        assert!(!is_loopback_peer("127.0.0.2:50000"));
        assert!(!is_loopback_peer("10.1.2.3:6379"));
        assert!(!is_loopback_peer("[::ffff:127.0.0.1]:50000"));
        assert!(!is_loopback_peer("[fe80::1]:50000"));
        assert!(!is_loopback_peer(""));
    }

    #[test]
    fn the_protected_mode_error_is_one_line() {
        let line = Refusal::ProtectedMode.error_line();
        assert!(line.starts_with(b"-DENIED "));
        assert!(line.ends_with(b"outside.\r\n"));
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
    }
}
