//! Fault injection, set through `POST /__emulator/faults` so tests can exercise retries,
//! partial failures, slow responses and slow tasks.

use serde::{Deserialize, Serialize};

/// The faults in force. A `POST /__emulator/faults` replaces the whole set (absent keys take the
/// defaults below); `DELETE` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Fail the next N API requests (any method, token endpoint included) with `status`,
    /// before authentication and without touching the state.
    pub fail_next: u32,
    /// Status for `fail_next`: 429, 500, 502, 503 or 504 (default 503).
    pub status: u16,
    /// `x-rate-limit-reset` (seconds) on an injected 429 (default 1).
    pub reset_secs: u64,
    /// Fail the k-th authenticated write (POST/PATCH, token requests excluded) from now on,
    /// 1 = the next one, with `write_status`; the write changes nothing. Fires once.
    pub fail_write: Option<u32>,
    /// Status for `fail_write` (default 500).
    pub write_status: u16,
    /// Milliseconds added to every API response.
    pub latency_ms: u64,
    /// Tasks started from now answer `IN_PROGRESS` to their first N polls.
    pub tasks_in_progress: u32,
    /// `:set-field-definitions` calls from now start a task that ends `FAILED` and change nothing.
    pub tasks_fail: bool,
    /// Serve no union schema list (`GET /api/v3/entity-schema/items` answers 404), like a
    /// tenant that does not have it: clients fall back to the per-type lists.
    pub no_union_list: bool,
    /// Writes counted towards `fail_write` so far.
    #[serde(skip_deserializing)]
    pub writes_seen: u32,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            fail_next: 0,
            status: 503,
            reset_secs: 1,
            fail_write: None,
            write_status: 500,
            latency_ms: 0,
            tasks_in_progress: 0,
            tasks_fail: false,
            no_union_list: false,
            writes_seen: 0,
        }
    }
}

const STATUSES: [u16; 5] = [429, 500, 502, 503, 504];

impl Faults {
    /// Reject statuses the API would not answer with for these faults.
    pub fn check(&self) -> Result<(), String> {
        for (key, s) in [("status", self.status), ("write_status", self.write_status)] {
            if !STATUSES.contains(&s) {
                return Err(format!("`{key}` must be one of 429, 500, 502, 503, 504; found {s}"));
            }
        }
        if self.fail_write == Some(0) {
            return Err("`fail_write` counts from 1 (the next write)".into());
        }
        Ok(())
    }

    /// Whether this request is one of the next N to fail, and with which status.
    pub fn take_request_failure(&mut self) -> Option<u16> {
        if self.fail_next == 0 {
            return None;
        }
        self.fail_next -= 1;
        Some(self.status)
    }

    /// Count a write; whether it is the k-th, and with which status it fails.
    pub fn take_write_failure(&mut self) -> Option<u16> {
        let k = self.fail_write?;
        self.writes_seen += 1;
        if self.writes_seen < k {
            return None;
        }
        self.fail_write = None;
        self.writes_seen = 0;
        Some(self.write_status)
    }
}
