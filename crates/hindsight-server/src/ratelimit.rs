//! Login rate limiting: failed attempts counted per key (an account name or a
//! client address) in a fixed window; past the limit, attempts are refused
//! until the window ends. Kept in memory: each server replica counts its own.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts per key.
pub struct Limiter {
    max_failures: u32,
    window: Duration,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Entries kept before expired ones are swept out.
const SWEEP_ABOVE: usize = 10_000;

impl Limiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Limiter {
            max_failures,
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` while `key` has used up its failures in the current window.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        match counts.get(key) {
            Some((start, n)) if *n >= self.max_failures && now < *start + self.window => {
                Err(*start + self.window - now)
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt of `key`.
    pub fn fail(&self, key: &str, now: Instant) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() > SWEEP_ABOVE {
            counts.retain(|_, (start, _)| now < *start + self.window);
        }
        let entry = counts.entry(key.to_string()).or_insert((now, 0));
        if now >= entry.0 + self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }

    /// Forgets `key`'s failures (after a successful login).
    pub fn clear(&self, key: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_until_the_window_ends() {
        let l = Limiter::new(2, Duration::from_secs(60));
        let t = Instant::now();
        assert!(l.check("a", t).is_ok());
        l.fail("a", t);
        l.fail("a", t);
        assert!(l.check("a", t + Duration::from_secs(1)).is_err());
        assert!(l.check("b", t).is_ok());
        assert!(l.check("a", t + Duration::from_secs(61)).is_ok());
        l.clear("a");
        assert!(l.check("a", t + Duration::from_secs(1)).is_ok());
    }
}
