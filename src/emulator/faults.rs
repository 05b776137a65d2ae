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
    /// Let the k-th authenticated write from now on (1 = the next one) land, then answer it with
    /// `lost_status` as a gateway does when the response is lost. Fires once.
    pub lose_write: Option<u32>,
    /// Status for `lose_write`: 500, 502 or 504 (default 504).
    pub lost_status: u16,
    /// Answer the k-th poll of a `:set-field-definitions` task from now on (1 = the next one)
    /// with 500; the task itself runs as usual. Fires once.
    pub fail_task_poll: Option<u32>,
    /// Serve no union schema list (`GET /api/v3/entity-schema/items` answers 404), like a
    /// tenant that does not have it: clients fall back to the per-type lists.
    pub no_union_list: bool,
    /// Writes counted towards `fail_write` so far.
    #[serde(skip_deserializing)]
    pub writes_seen: u32,
    /// Writes counted towards `lose_write` so far.
    #[serde(skip_deserializing)]
    pub lost_seen: u32,
    /// Task polls counted towards `fail_task_poll` so far.
    #[serde(skip_deserializing)]
    pub polls_seen: u32,
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
            lose_write: None,
            lost_status: 504,
            fail_task_poll: None,
            polls_seen: 0,
            no_union_list: false,
            writes_seen: 0,
            lost_seen: 0,
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
        if [self.fail_write, self.lose_write, self.fail_task_poll].contains(&Some(0)) {
            return Err("`fail_write`, `lose_write` and `fail_task_poll` count from 1 (the next one)".into());
        }
        if ![500, 502, 504].contains(&self.lost_status) {
            return Err(format!("`lost_status` must be one of 500, 502, 504; found {}", self.lost_status));
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
        countdown(&mut self.fail_write, &mut self.writes_seen).then_some(self.write_status)
    }

    /// Count a write; whether it is the one whose response is lost, and with which status.
    pub fn take_lost_write(&mut self) -> Option<u16> {
        countdown(&mut self.lose_write, &mut self.lost_seen).then_some(self.lost_status)
    }

    /// Count a task poll; whether it is the one that fails.
    pub fn take_task_poll_failure(&mut self) -> bool {
        countdown(&mut self.fail_task_poll, &mut self.polls_seen)
    }
}

/// Count one event towards a fault that fires on the k-th (`at`); on that one, disarm the fault
/// and reset the count, and say so.
fn countdown(at: &mut Option<u32>, seen: &mut u32) -> bool {
    let Some(k) = *at else { return false };
    *seen += 1;
    if *seen < k {
        return false;
    }
    *at = None;
    *seen = 0;
    true
}
