//! When to send a request again and how long to wait first.
//!
//! - Reads are retried on 429, 502, 503, 504 and transport errors; writes only on 429 and 503,
//!   which Benchling answers without processing the request (see `client` for what happens to a
//!   write whose outcome is unknown).
//! - Waits use full jitter (a random delay up to `base · 2^attempt`, capped), or the server's
//!   hint when it gives one (`Retry-After`, or on a 429 `x-rate-limit-reset`, the seconds left
//!   in Benchling's rate-limit window), also capped so that tests can run with millisecond caps.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// How often and how long to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `max_retries + 1` attempts at most).
    pub max_retries: u32,
    /// The first backoff window; it doubles on every retry.
    pub base: Duration,
    /// No single wait is longer than this, whatever the server asks for.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_retries: 6, base: Duration::from_secs(1), cap: Duration::from_secs(30) }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based): the server's hint if any, else a random
    /// delay in `[0, min(cap, base · 2^attempt)]`; never more than `cap`.
    pub fn delay(&self, attempt: u32, hint: Option<Duration>) -> Duration {
        if let Some(h) = hint {
            return h.min(self.cap);
        }
        let window = self.base.saturating_mul(1u32.checked_shl(attempt.min(30)).unwrap_or(u32::MAX)).min(self.cap);
        let nanos = u64::try_from(window.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        let r = getrandom::u64().unwrap_or(nanos / 2);
        Duration::from_nanos(r % (nanos + 1))
    }
}

/// What a request does, which decides when it may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Safe to repeat.
    Read,
    /// Changes something in place (PATCH, `:set-field-definitions`).
    Write,
    /// Creates something: sending it twice would create it twice.
    Create,
}

/// The server's hint on how long to wait: `Retry-After` (delta seconds), and on a 429 also
/// `x-rate-limit-reset` (seconds left in the rate-limit window). The longer one wins.
pub(super) fn retry_hint(status: u16, headers: &HeaderMap) -> Option<Duration> {
    let secs = |name: &str| {
        headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<f64>().ok()).filter(|s| *s >= 0.0)
    };
    let retry_after = secs("retry-after");
    let reset = if status == 429 { secs("x-rate-limit-reset") } else { None };
    let longest = match (retry_after, reset) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }?;
    Duration::try_from_secs_f64(longest).ok()
}

/// Whether a response with `status` may be sent again for a request of `kind`.
pub(super) fn retryable(status: u16, kind: Kind) -> bool {
    match status {
        429 | 503 => true,
        502 | 504 => kind == Kind::Read,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_stays_in_the_window() {
        let p = RetryPolicy { max_retries: 3, base: Duration::from_millis(100), cap: Duration::from_millis(250) };
        for _ in 0..50 {
            assert!(p.delay(0, None) <= Duration::from_millis(100));
            assert!(p.delay(1, None) <= Duration::from_millis(200));
            assert!(p.delay(5, None) <= Duration::from_millis(250));
            assert!(p.delay(40, None) <= Duration::from_millis(250));
        }
        assert_eq!(p.delay(0, Some(Duration::from_secs(30))), Duration::from_millis(250));
        assert_eq!(p.delay(0, Some(Duration::from_millis(10))), Duration::from_millis(10));
    }

    #[test]
    fn hints_from_headers() {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-reset", "3".parse().unwrap());
        assert_eq!(retry_hint(429, &h), Some(Duration::from_secs(3)));
        assert_eq!(retry_hint(503, &h), None);
        h.insert("retry-after", "5".parse().unwrap());
        assert_eq!(retry_hint(429, &h), Some(Duration::from_secs(5)));
        assert_eq!(retry_hint(503, &h), Some(Duration::from_secs(5)));
        h.insert("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_hint(503, &h), None);
    }

    #[test]
    fn which_statuses_are_retried() {
        for s in [429, 503] {
            assert!(retryable(s, Kind::Read) && retryable(s, Kind::Write) && retryable(s, Kind::Create));
        }
        for s in [502, 504] {
            assert!(retryable(s, Kind::Read) && !retryable(s, Kind::Write) && !retryable(s, Kind::Create));
        }
        for s in [400, 401, 404, 409, 500] {
            assert!(!retryable(s, Kind::Read));
        }
    }
}
