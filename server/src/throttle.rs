//! Login throttling that stops guessing without locking the owner out.
//!
//! Failed attempts are counted in fixed windows, per (account, address) pair, per address
//! across accounts, per account across addresses, and per login device. A full pair or
//! address window refuses that pair or address until the window ends. An account is never
//! locked: past `slow_after` failures in its window, each further failure makes the next
//! attempt from any address wait twice as long as the one before (1 s, 2 s, 4 s, … up to
//! [`MAX_DELAY`]). A device that has logged in to the account before (its long-lived device
//! cookie, see `routes::auth`) is not slowed by the account's count, only by its own, so the
//! owner gets in while others guess.
//!
//! Only failures count, and they are checked before the password is, so a burst of guesses
//! costs the server no argon2 work once it is throttled. The table lives in memory: a restart
//! forgives, which is acceptable for limits measured in minutes, and each server process
//! throttles on its own.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv6Addr},
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

/// Entries kept before expired windows are first swept, so memory stays bounded under a flood
/// of distinct logins or addresses. After a sweep the next waits until the table has doubled
/// (so that a flood of live windows costs each attempt a constant share of a sweep, not a
/// sweep each) or a window has passed.
const SWEEP_AT: usize = 10_000;
/// The longest an account's attempts are slowed to.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
    /// For an account past its ceiling: no attempt before this.
    not_before: Option<Instant>,
}

/// Failed-login counters.
#[derive(Debug)]
pub struct LoginThrottle {
    windows: Mutex<HashMap<String, Window>>,
    /// The table's size at which it is next swept, and when it was last swept (changed under
    /// the table's lock).
    sweep_at: AtomicUsize,
    swept: Mutex<Instant>,
    window: Duration,
    per_pair: u32,
    per_ip: u32,
    slow_after: u32,
}

fn account_key(account: &str) -> String {
    format!("a:{}", account.to_lowercase())
}

fn pair_key(account: &str, ip: IpAddr) -> String {
    format!("p:{}|{}", client_net(ip), account.to_lowercase())
}

fn ip_key(ip: IpAddr) -> String {
    format!("i:{}", client_net(ip))
}

/// The address a client is counted by: an IPv4 address as it is (an IPv4-mapped IPv6 address
/// too), an IPv6 address by its /64, which one subscriber usually holds whole.
pub fn client_net(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !(u128::MAX >> 64))),
        v4 => v4,
    }
}

fn device_key(device: &str) -> String {
    format!("d:{device}")
}

impl LoginThrottle {
    /// At most `per_pair` failures per (account, address) and `per_ip` per address within
    /// `window`; an account's attempts slow down past `slow_after` failures.
    pub fn new(window: Duration, per_pair: u32, per_ip: u32, slow_after: u32) -> Self {
        Self {
            windows: Mutex::new(HashMap::new()),
            sweep_at: AtomicUsize::new(SWEEP_AT),
            swept: Mutex::new(Instant::now()),
            window,
            per_pair,
            per_ip,
            slow_after,
        }
    }

    /// The live window of `key`, if any.
    fn live<'a>(&self, map: &'a HashMap<String, Window>, key: &str) -> Option<&'a Window> {
        map.get(key).filter(|w| w.started.elapsed() < self.window)
    }

    /// Counts an attempt before its password is checked, in the same lock as the check, so
    /// that attempts sent in parallel cannot pass a full window together: `Err(retry_after)`
    /// when the pair's or the address's window is full, or the account is slowed down and the
    /// device is not `known` to it (or has failed too often itself). Each attempt is then
    /// [`Self::failed`] or [`Self::succeeded`].
    pub fn attempt(
        &self,
        account: &str,
        ip: IpAddr,
        device: Option<&str>,
        known: bool,
    ) -> Result<(), Duration> {
        let now = Instant::now();
        let Ok(mut map) = self.windows.lock() else {
            return Ok(());
        };
        for (key, limit) in [
            (pair_key(account, ip), self.per_pair),
            (ip_key(ip), self.per_ip),
        ] {
            if let Some(w) = self.live(&map, &key)
                && w.failures >= limit
            {
                return Err(self.window.saturating_sub(w.started.elapsed()));
            }
        }
        let trusted = known
            && device.is_some_and(|d| {
                self.live(&map, &device_key(d))
                    .is_none_or(|w| w.failures < self.per_pair)
            });
        if !trusted
            && let Some(not_before) = self
                .live(&map, &account_key(account))
                .and_then(|w| w.not_before)
            && not_before > now
        {
            return Err(not_before - now);
        }
        // Swept when the table has grown to the mark, and once a window after the last
        // sweep, so that what a flood left behind is let go when it has expired.
        let mut swept = self.swept.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.sweep_at.load(Ordering::Relaxed)
            || now.duration_since(*swept) >= self.window
        {
            let window = self.window;
            map.retain(|_, w| now.duration_since(w.started) < window);
            self.sweep_at
                .store((map.len() * 2).max(SWEEP_AT), Ordering::Relaxed);
            *swept = now;
        }
        drop(swept);
        let mut keys = vec![pair_key(account, ip), ip_key(ip), account_key(account)];
        keys.extend(device.map(device_key));
        for key in keys {
            let w = map.entry(key).or_insert(Window {
                started: now,
                failures: 0,
                not_before: None,
            });
            if now.duration_since(w.started) >= self.window {
                *w = Window {
                    started: now,
                    failures: 0,
                    not_before: None,
                };
            }
            w.failures += 1;
        }
        Ok(())
    }

    /// How long the account's attempts must still wait, when it is slowed down.
    pub fn account_wait(&self, account: &str) -> Option<Duration> {
        let map = self.windows.lock().ok()?;
        let not_before = self.live(&map, &account_key(account))?.not_before?;
        let now = Instant::now();
        (not_before > now).then(|| not_before - now)
    }

    /// The attempt failed (it is already counted): past the account's ceiling, its next
    /// attempt from anywhere waits twice as long as the one before.
    pub fn failed(&self, account: &str) {
        let Ok(mut map) = self.windows.lock() else {
            return;
        };
        if let Some(w) = map.get_mut(&account_key(account))
            && w.failures > self.slow_after
        {
            let doublings = (w.failures - self.slow_after - 1).min(16);
            let delay = Duration::from_secs(1 << doublings).min(MAX_DELAY);
            w.not_before = Some(Instant::now() + delay);
        }
    }

    /// The attempt succeeded: it is not counted, and the pair's window is cleared. The
    /// account's failures stay: they may be someone else's guesses, which the owner's login
    /// must not forgive.
    pub fn succeeded(&self, account: &str, ip: IpAddr, device: Option<&str>) {
        if let Ok(mut map) = self.windows.lock() {
            map.remove(&pair_key(account, ip));
        }
        self.cancel(account, ip, device);
    }

    /// The attempt came to nothing either way (refused for another reason): it is not
    /// counted, and no window is cleared.
    pub fn cancel(&self, account: &str, ip: IpAddr, device: Option<&str>) {
        let Ok(mut map) = self.windows.lock() else {
            return;
        };
        let mut keys = vec![pair_key(account, ip), ip_key(ip), account_key(account)];
        keys.extend(device.map(device_key));
        for key in keys {
            if let Some(w) = map.get_mut(&key) {
                w.failures = w.failures.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One failed attempt, as the login route makes it.
    fn fail(t: &LoginThrottle, account: &str, ip: IpAddr, device: Option<&str>) -> bool {
        let ok = t.attempt(account, ip, device, false).is_ok();
        if ok {
            t.failed(account);
        }
        ok
    }

    #[test]
    fn failures_fill_the_pair_window_then_it_expires() {
        let t = LoginThrottle::new(Duration::from_millis(50), 3, 100, 100);
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..3 {
            assert!(fail(&t, "13800000001", ip, None));
        }
        assert!(t.attempt("13800000001", ip, None, false).is_err());
        assert!(
            t.attempt("13800000002", ip, None, false).is_ok(),
            "another account is not affected"
        );
        assert!(
            t.attempt("13800000001", [127, 0, 0, 2].into(), None, false)
                .is_ok(),
            "nor the same account from elsewhere"
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(t.attempt("13800000001", ip, None, false).is_ok());
    }

    #[test]
    fn attempts_in_flight_count_before_their_outcome() {
        let t = LoginThrottle::new(Duration::from_secs(60), 3, 100, 100);
        let ip: IpAddr = [127, 0, 0, 1].into();
        // Three attempts under way, none decided yet: a fourth is refused.
        for _ in 0..3 {
            assert!(t.attempt("13800000001", ip, None, false).is_ok());
        }
        assert!(t.attempt("13800000001", ip, None, false).is_err());
        // One of them succeeds: its pair window is cleared.
        t.succeeded("13800000001", ip, None);
        assert!(t.attempt("13800000001", ip, None, false).is_ok());
    }

    #[test]
    fn one_address_is_limited_across_accounts() {
        let t = LoginThrottle::new(Duration::from_secs(60), 100, 5, 100);
        let ip: IpAddr = [10, 0, 0, 1].into();
        for i in 0..5 {
            assert!(fail(&t, &format!("user{i}"), ip, None));
        }
        assert!(t.attempt("someone-else", ip, None, false).is_err());
        assert!(
            t.attempt("someone-else", [10, 0, 0, 2].into(), None, false)
                .is_ok()
        );
    }

    #[test]
    fn an_account_slows_down_with_growing_delays_but_a_known_device_passes() {
        let t = LoginThrottle::new(Duration::from_secs(60), 10, 100, 3);
        let account = "13800000001";
        let mut waits = Vec::new();
        for i in 0..6u8 {
            // Each from a new address, each after the delay of the one before.
            if let Some(w) = t.account_wait(account) {
                std::thread::sleep(w);
            }
            assert!(fail(&t, account, [10, 0, 0, i].into(), None));
            waits.push(
                t.account_wait(account)
                    .map(|d| d.as_secs_f64().ceil() as u64),
            );
        }
        assert_eq!(
            waits,
            [None, None, None, Some(1), Some(2), Some(4)],
            "the delay doubles past the ceiling"
        );
        let elsewhere: IpAddr = [10, 0, 0, 50].into();
        assert!(
            t.attempt(account, elsewhere, None, false).is_err(),
            "slowed"
        );
        assert!(
            t.attempt(account, elsewhere, Some("owner"), true).is_ok(),
            "a known device passes"
        );
        t.succeeded(account, elsewhere, Some("owner"));
        assert!(
            t.account_wait(account).is_some(),
            "the owner's login does not forgive the guesses"
        );
        for _ in 0..10 {
            let _ = t.attempt(account, [10, 0, 0, 99].into(), Some("stolen"), true);
            t.failed(account);
        }
        assert!(
            t.attempt(account, [10, 0, 0, 98].into(), Some("stolen"), true)
                .is_err(),
            "a device that guesses is not trusted"
        );
    }

    /// Addresses of one IPv6 /64 are one client; IPv4 addresses stay apart, and an
    /// IPv4-mapped IPv6 address is its IPv4 address.
    #[test]
    fn an_ipv6_client_is_counted_by_its_64() {
        let t = LoginThrottle::new(Duration::from_secs(60), 10, 3, 100);
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        for (i, ip) in [a, b, a].into_iter().enumerate() {
            assert!(fail(&t, &format!("acct{i}"), ip, None), "{ip}");
        }
        assert!(!fail(&t, "acct9", b, None), "the /64 has used its 3");
        assert!(fail(&t, "acct9", other, None), "another /64");
        let v4: IpAddr = [10, 0, 0, 1].into();
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(client_net(mapped), v4);
        assert_eq!(client_net(v4), v4);
        assert_ne!(client_net([10, 0, 0, 2].into()), v4);
    }

    /// A flood of distinct accounts, all in their window: the table is swept when it reaches
    /// the mark, and then only once it has doubled, not at every attempt.
    #[test]
    fn sweeps_wait_for_the_table_to_double() {
        let t = LoginThrottle::new(Duration::from_secs(600), 1_000_000, 1_000_000, 100);
        let ip: IpAddr = [10, 0, 0, 1].into();
        for i in 0..SWEEP_AT {
            fail(&t, &format!("a{i}"), ip, None);
        }
        // Each attempt adds an account and a pair: past the mark, one sweep kept them all.
        let after = t.sweep_at.load(Ordering::Relaxed);
        assert!(after >= 2 * SWEEP_AT, "{after}");
        let len = t.windows.lock().unwrap().len();
        assert!(len < after, "{len} entries, next sweep at {after}");
    }

    /// What a flood left behind goes once its windows have ended, however small the table.
    #[test]
    fn expired_windows_go_a_window_after_the_last_sweep() {
        let t = LoginThrottle::new(Duration::from_millis(50), 10, 1000, 100);
        let ip: IpAddr = [10, 0, 0, 1].into();
        for i in 0..100 {
            fail(&t, &format!("a{i}"), ip, None);
        }
        assert!(t.windows.lock().unwrap().len() > 100);
        std::thread::sleep(Duration::from_millis(60));
        fail(&t, "late", ip, None);
        // Only the late attempt's pair, address and account.
        assert_eq!(t.windows.lock().unwrap().len(), 3);
    }
}
