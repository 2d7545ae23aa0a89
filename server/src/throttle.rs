//! Login throttling: a fixed window of failed attempts per account and per client address.
//!
//! Only failures count, and they are checked before the password is, so a burst of guesses
//! costs the server no argon2 work once it is throttled. A success clears the account's window.
//! The table lives in memory: a restart forgives, which is acceptable for a limit measured in
//! minutes, and each relay node throttles on its own.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Entries kept before expired windows are swept, so memory stays bounded under a flood of
/// distinct logins or addresses.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// Failed-login counters.
#[derive(Debug)]
pub struct LoginThrottle {
    windows: Mutex<HashMap<String, Window>>,
    window: Duration,
    per_account: u32,
    per_ip: u32,
}

impl LoginThrottle {
    /// At most `per_account` failures per account and `per_ip` per address within `window`.
    pub fn new(window: Duration, per_account: u32, per_ip: u32) -> Self {
        Self {
            windows: Mutex::new(HashMap::new()),
            window,
            per_account,
            per_ip,
        }
    }

    fn keys(account: &str, ip: IpAddr) -> [String; 2] {
        [format!("a:{}", account.to_lowercase()), format!("i:{ip}")]
    }

    /// `Err(retry_after)` when either counter is full.
    pub fn check(&self, account: &str, ip: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let Ok(map) = self.windows.lock() else {
            return Ok(());
        };
        let limits = [self.per_account, self.per_ip];
        for (key, limit) in Self::keys(account, ip).iter().zip(limits) {
            if let Some(w) = map.get(key) {
                let age = now.duration_since(w.started);
                if age < self.window && w.failures >= limit {
                    return Err(self.window - age);
                }
            }
        }
        Ok(())
    }

    /// Records a failed attempt.
    pub fn failed(&self, account: &str, ip: IpAddr) {
        let now = Instant::now();
        let Ok(mut map) = self.windows.lock() else {
            return;
        };
        if map.len() >= SWEEP_AT {
            let window = self.window;
            map.retain(|_, w| now.duration_since(w.started) < window);
        }
        for key in Self::keys(account, ip) {
            let w = map.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.duration_since(w.started) >= self.window {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures += 1;
        }
    }

    /// Clears an account's window after a successful login.
    pub fn succeeded(&self, account: &str) {
        if let Ok(mut map) = self.windows.lock() {
            map.remove(&format!("a:{}", account.to_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_fill_the_window_then_it_expires() {
        let t = LoginThrottle::new(Duration::from_millis(50), 3, 100);
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..3 {
            assert!(t.check("13800000001", ip).is_ok());
            t.failed("13800000001", ip);
        }
        assert!(t.check("13800000001", ip).is_err());
        assert!(
            t.check("13800000002", ip).is_ok(),
            "another account is not affected"
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(t.check("13800000001", ip).is_ok());
    }

    #[test]
    fn one_address_is_limited_across_accounts() {
        let t = LoginThrottle::new(Duration::from_secs(60), 100, 5);
        let ip: IpAddr = [10, 0, 0, 1].into();
        for i in 0..5 {
            t.failed(&format!("user{i}"), ip);
        }
        assert!(t.check("someone-else", ip).is_err());
        assert!(t.check("someone-else", [10, 0, 0, 2].into()).is_ok());
    }
}
