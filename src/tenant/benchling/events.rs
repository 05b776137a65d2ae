//! What the HTTP client reports while it works, so that a person sees what is happening during
//! long waits: every exchange as it ends, and every wait before a retry with its reason. The
//! library only reports; the command line renders (bars on a terminal, plain lines in CI).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Why a request is sent again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryReason {
    /// 429: Benchling's rate limit.
    RateLimited,
    /// Another status the server answers without processing the request (503), or a read's 502/504.
    Status(u16),
    /// The host (`host[:port]`) could not be reached (connection refused, DNS failure, connect
    /// timeout).
    Unreachable { host: String, message: String },
    /// A read whose answer did not arrive (timeout, broken connection).
    Transport(String),
}

/// One thing the client did or is about to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An exchange starts (the request is being sent).
    Sending { method: String, path: String, write: bool },
    /// An exchange ended; `status` is `None` when no response arrived.
    Answered { method: String, path: String, write: bool, status: Option<u16>, elapsed: Duration },
    /// The client waits `wait` before retry number `retry` (1-based) of at most `of`.
    Retrying { method: String, path: String, reason: RetryReason, wait: Duration, retry: u32, of: u32 },
}

/// Receives the client's events. Called from the tasks that send requests, so it must be cheap
/// and must not block.
pub trait Observer: Send + Sync {
    fn event(&self, event: &Event);
}

/// An observer as configuration holds it.
#[derive(Clone)]
pub struct ObserverHandle(pub Arc<dyn Observer>);

impl fmt::Debug for ObserverHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ObserverHandle")
    }
}
