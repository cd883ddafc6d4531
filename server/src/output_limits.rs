//! `client-output-buffer-limit`: when a client that does not read its replies is
//! disconnected, decided as redis-server 7.0 does (`checkClientOutputBufferLimits`).

use emulator::client::ClientClass;
use emulator::config::{Config, OutputBufferLimit};

/// The limit that applies to a client of `class`. MONITOR clients count as normal ones in
/// Redis 7.0, and a master is limited like a normal client.
fn limit_for(config: &Config, class: ClientClass) -> &OutputBufferLimit {
    let index = match class {
        ClientClass::Normal | ClientClass::Master => 0,
        ClientClass::Replica => 1,
        ClientClass::Pubsub => 2,
    };
    &config.client_output_buffer_limit[index]
}

/// Whether a client holding `used` bytes of unsent output must be disconnected at `now_s`
/// (Unix seconds). The hard limit acts at once; the soft limit once it has been exceeded
/// continuously for more than its seconds, which `soft_since` remembers between checks.
pub fn exceeded(
    config: &Config,
    class: ClientClass,
    used: usize,
    now_s: u64,
    soft_since: &mut Option<u64>,
) -> bool {
    let limit = limit_for(config, class);
    let used = used as u64;
    let hard = limit.hard_bytes != 0 && used >= limit.hard_bytes;
    let soft_reached = limit.soft_bytes != 0 && used >= limit.soft_bytes;
    let soft = if soft_reached {
        match *soft_since {
            None => {
                *soft_since = Some(now_s);
                false
            }
            Some(since) => now_s.saturating_sub(since) > limit.soft_seconds.max(0) as u64,
        }
    } else {
        *soft_since = None;
        false
    };
    hard || soft
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with(pubsub: OutputBufferLimit) -> Config {
        let mut config = Config::default();
        config.client_output_buffer_limit[2] = pubsub;
        config
    }

    #[test]
    fn normal_clients_are_unlimited_by_default() {
        let config = Config::default();
        let mut since = None;
        assert!(!exceeded(
            &config,
            ClientClass::Normal,
            usize::MAX / 2,
            0,
            &mut since
        ));
        assert_eq!(since, None);
    }

    #[test]
    fn the_hard_limit_acts_at_once() {
        let config = config_with(OutputBufferLimit {
            hard_bytes: 1000,
            soft_bytes: 0,
            soft_seconds: 0,
        });
        let mut since = None;
        assert!(!exceeded(&config, ClientClass::Pubsub, 999, 5, &mut since));
        assert!(exceeded(&config, ClientClass::Pubsub, 1000, 5, &mut since));
        assert!(!exceeded(&config, ClientClass::Normal, 5000, 5, &mut since));
    }

    #[test]
    fn the_soft_limit_acts_after_its_seconds_without_a_break() {
        let config = config_with(OutputBufferLimit {
            hard_bytes: 0,
            soft_bytes: 100,
            soft_seconds: 2,
        });
        let mut since = None;
        assert!(!exceeded(&config, ClientClass::Pubsub, 150, 10, &mut since));
        assert_eq!(since, Some(10));
        assert!(!exceeded(&config, ClientClass::Pubsub, 150, 12, &mut since));
        // Below the limit for a moment: the count starts again.
        assert!(!exceeded(&config, ClientClass::Pubsub, 50, 12, &mut since));
        assert_eq!(since, None);
        assert!(!exceeded(&config, ClientClass::Pubsub, 150, 13, &mut since));
        assert!(!exceeded(&config, ClientClass::Pubsub, 150, 15, &mut since));
        assert!(exceeded(&config, ClientClass::Pubsub, 150, 16, &mut since));
    }
}
