//! Credentials and the OAuth2 token cache.
//!
//! Benchling accepts an API key as HTTP Basic `key:` on every call, or an app's client id and
//! secret exchanged at `POST /api/v2/token` (client-credentials grant) for a bearer token that
//! expires after `expires_in` seconds. The token is refreshed a little before it expires (10 % of
//! its lifetime, clamped to 1–60 s, as Benchling's own SDK does) and once more if the API answers
//! 401 anyway. Secrets never reach `Debug`, logs or error messages.

use std::fmt;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// How to authenticate against a tenant.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// An app's OAuth2 client credentials, exchanged for a bearer token.
    ClientCredentials { id: String, secret: String },
    /// A user's API key, sent as HTTP Basic `key:`.
    ApiKey(String),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ClientCredentials { id, .. } => {
                f.debug_struct("ClientCredentials").field("id", id).field("secret", &"<redacted>").finish()
            }
            Credentials::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
        }
    }
}

impl Credentials {
    /// The `Authorization` value for the token request (client credentials) or for every request
    /// (API key).
    pub(super) fn basic(&self) -> String {
        let raw = match self {
            Credentials::ClientCredentials { id, secret } => format!("{id}:{secret}"),
            Credentials::ApiKey(key) => format!("{key}:"),
        };
        format!("Basic {}", STANDARD.encode(raw))
    }
}

/// A bearer token and when to stop using it.
#[derive(Clone)]
pub(super) struct Token {
    pub value: String,
    pub refresh_at: Instant,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token").field("value", &"<redacted>").field("refresh_at", &self.refresh_at).finish()
    }
}

impl Token {
    pub(super) fn is_fresh(&self, now: Instant) -> bool {
        now < self.refresh_at
    }
}

/// How long before expiry to refresh: 10 % of the lifetime, clamped to 1–60 s.
pub(super) fn refresh_margin(expires_in: Duration) -> Duration {
    (expires_in / 10).clamp(Duration::from_secs(1), Duration::from_secs(60))
}

impl Token {
    /// A token valid for `lifetime` from `sent_at` (when its request was sent), refreshed
    /// [`refresh_margin`] early.
    pub(super) fn new(value: String, lifetime: Duration, sent_at: Instant) -> Token {
        Token { value, refresh_at: sent_at + lifetime.saturating_sub(refresh_margin(lifetime)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::ClientCredentials { id: "app".into(), secret: "hunter2".into() };
        let k = Credentials::ApiKey("sk_hunter2".into());
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(format!("{c:?}").contains("app"));
        assert!(!format!("{k:?}").contains("hunter2"));
    }

    #[test]
    fn basic_headers() {
        let c = Credentials::ClientCredentials { id: "cid".into(), secret: "s".into() };
        assert_eq!(c.basic(), format!("Basic {}", STANDARD.encode("cid:s")));
        assert_eq!(Credentials::ApiKey("sk".into()).basic(), format!("Basic {}", STANDARD.encode("sk:")));
    }

    #[test]
    fn refresh_margin_is_clamped() {
        assert_eq!(refresh_margin(Duration::from_secs(900)), Duration::from_secs(60));
        assert_eq!(refresh_margin(Duration::from_secs(100)), Duration::from_secs(10));
        assert_eq!(refresh_margin(Duration::from_secs(3)), Duration::from_secs(1));
    }

    #[test]
    fn token_refreshes_before_expiry() {
        let now = Instant::now();
        let t = Token::new("t".into(), Duration::from_secs(100), now);
        assert_eq!(t.refresh_at, now + Duration::from_secs(90));
        assert!(t.is_fresh(now + Duration::from_secs(89)));
        assert!(!t.is_fresh(now + Duration::from_secs(90)));
        assert!(!Token::new("t".into(), Duration::from_secs(1), now).is_fresh(now));
    }
}
