//! Throttling: how many requests a key (a URL, a client, a user) made within a window.
//! Every store is bounded: past `MAX_KEYS` keys, the ones whose window has passed are swept.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys kept before expired ones are swept (a client chooses its keys: X-Forwarded-For, URLs).
pub const MAX_KEYS: usize = 10_000;

/// A log of the times of recent requests per key (DRF's SimpleRateThrottle keeps one).
pub struct SlidingLog<K> {
    log: Mutex<HashMap<K, VecDeque<Instant>>>,
}

impl<K> Default for SlidingLog<K> {
    fn default() -> Self {
        SlidingLog {
            log: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq> SlidingLog<K> {
    /// Admits a request when fewer than `limit` were admitted within `window`, and logs it;
    /// else `Err(wait)`: whole seconds (at least 1) until the oldest leaves the window. A
    /// refused request is not logged.
    pub fn admit(&self, key: K, limit: usize, window: Duration) -> Result<(), u64> {
        let now = Instant::now();
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        sweep(&mut log, now, window);
        let history = log.entry(key).or_default();
        expire(history, now, window);
        if history.len() >= limit {
            let oldest = history.front().copied().unwrap_or(now);
            return Err(wait_secs(window.saturating_sub(now.duration_since(oldest))));
        }
        history.push_back(now);
        Ok(())
    }

    /// Logs a request, refused ones too, and tells whether more than `limit` requests fell
    /// within `window` (so a client that keeps hammering stays refused).
    pub fn exceeded(&self, key: K, limit: usize, window: Duration) -> bool {
        let now = Instant::now();
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        sweep(&mut log, now, window);
        let history = log.entry(key).or_default();
        expire(history, now, window);
        history.push_back(now);
        // Only whether more than `limit` are recent matters: older entries need not be kept.
        while history.len() > limit.saturating_add(1) {
            history.pop_front();
        }
        history.len() > limit
    }
}

fn expire(history: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while history
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        history.pop_front();
    }
}

fn sweep<K>(log: &mut HashMap<K, VecDeque<Instant>>, now: Instant, window: Duration) {
    if log.len() > MAX_KEYS {
        log.retain(|_, h| h.back().is_some_and(|t| now.duration_since(*t) < window));
    }
    if log.len() > MAX_KEYS {
        // Every key is recent: a flood of new keys. Forget them rather than grow.
        log.clear();
    }
}

/// A count per key in fixed windows (a count, not a time per request: for generous rates).
pub struct FixedWindow<K> {
    windows: Mutex<HashMap<K, (Instant, u32)>>,
}

impl<K> Default for FixedWindow<K> {
    fn default() -> Self {
        FixedWindow {
            windows: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq> FixedWindow<K> {
    /// Admits a request when the key's window has allowance left; else `Err(wait)`: whole
    /// seconds (at least 1) until the window ends.
    pub fn admit(&self, key: K, limit: u32, window: Duration) -> Result<(), u64> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > MAX_KEYS {
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        if windows.len() > MAX_KEYS {
            windows.clear();
        }
        let entry = windows.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            return Err(wait_secs(
                window.saturating_sub(now.duration_since(entry.0)),
            ));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Whole seconds, rounded up, at least 1 (what `Retry-After` and DRF's wait say).
fn wait_secs(remaining: Duration) -> u64 {
    remaining.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sliding_log_admits_its_limit_then_waits() {
        let log = SlidingLog::default();
        let minute = Duration::from_secs(60);
        for _ in 0..5 {
            assert_eq!(log.admit("a", 5, minute), Ok(()));
        }
        let wait = log.admit("a", 5, minute).unwrap_err();
        assert!((59..=60).contains(&wait), "{wait}");
        assert_eq!(log.admit("b", 5, minute), Ok(()));
        assert_eq!(log.admit("c", 0, Duration::ZERO), Err(1));
    }

    #[test]
    fn exceeded_counts_refused_requests_and_stays_bounded() {
        let log = SlidingLog::default();
        let second = Duration::from_secs(1);
        let hits: Vec<bool> = (0..30).map(|_| log.exceeded("u", 10, second)).collect();
        assert!(hits[..10].iter().all(|h| !h));
        assert!(hits[10..].iter().all(|h| *h));
        assert!(log.log.lock().unwrap()["u"].len() <= 11);
        let flood = SlidingLog::default();
        for k in 0..=MAX_KEYS + 1 {
            flood.exceeded(k.to_string(), 10, second);
        }
        assert!(flood.log.lock().unwrap().len() <= MAX_KEYS + 1);
    }

    #[test]
    fn a_fixed_window_counts_to_its_limit() {
        let w = FixedWindow::default();
        let minute = Duration::from_secs(60);
        assert_eq!(w.admit(1u64, 2, minute), Ok(()));
        assert_eq!(w.admit(1, 2, minute), Ok(()));
        assert!(w.admit(1, 2, minute).is_err());
        assert_eq!(w.admit(2, 2, minute), Ok(()));
    }
}
