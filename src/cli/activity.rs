//! What a tenant is doing over the network, on stderr, so that no long wait is silent: a
//! spinner on a terminal ("reading prod: 40 requests [3s]"), plain lines when stderr is not a
//! terminal or `CI` is set. It renders the HTTP client's events ([`Event`]): reads counted and
//! summed up, each write, each task poll, each wait before a retry with its reason (Benchling's
//! rate limit, an unreachable host, a 503), and "still waiting" with the elapsed time when a
//! step is long.
//!
//! One [`Activity`] per tenant; [`open_tenant`](super::open_tenant) installs it. Other progress
//! (the plan's operation bar) shares [`multi`] so that the lines and bars do not overwrite
//! each other.

use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::tenant::benchling::events::{Event, Observer, ObserverHandle, RetryReason};

/// The one set of bars on stderr, shared by every progress display of the run.
pub(super) fn multi() -> &'static MultiProgress {
    static MULTI: OnceLock<MultiProgress> = OnceLock::new();
    MULTI.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
}

/// How often the plain output says a long step is still going: `LIMINAL_PROGRESS_EVERY`
/// seconds (default 10), for CI logs that want more or fewer lines.
fn still_every() -> Duration {
    std::env::var("LIMINAL_PROGRESS_EVERY")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .unwrap_or(Duration::from_secs(10))
}
/// Idle this long, a burst of reads is over: its summary is printed.
const IDLE: Duration = Duration::from_millis(400);

pub(super) struct Activity {
    tenant: String,
    interactive: bool,
    still_every: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Requests sent and not answered yet.
    in_flight: usize,
    /// Until when a retry wait lasts.
    waiting_until: Option<Instant>,
    /// The current burst of work: since when, and its counts.
    busy_since: Option<Instant>,
    reads: u64,
    writes: u64,
    /// Polls of the task the last write started, and when that write was answered.
    polls: u64,
    task_since: Option<Instant>,
    /// When the last event came and the last line was printed.
    last_event: Option<Instant>,
    last_line: Option<Instant>,
    spinner: Option<ProgressBar>,
}

fn secs(d: Duration) -> String {
    if d < Duration::from_secs(10) { format!("{:.1} s", d.as_secs_f64()) } else { format!("{} s", d.as_secs()) }
}

fn is_task_poll(path: &str) -> bool {
    path.contains("/tasks/")
}

impl Activity {
    /// An activity display for `tenant`, and a ticker that keeps it current while the run lasts.
    pub(super) fn start(tenant: &str, interactive: bool) -> Arc<Activity> {
        let activity = Arc::new(Activity {
            tenant: tenant.to_string(),
            interactive,
            still_every: still_every(),
            state: Mutex::new(State::default()),
        });
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let weak = Arc::downgrade(&activity);
            handle.spawn(tick(weak, interactive));
        }
        activity
    }

    pub(super) fn observer(self: &Arc<Activity>) -> ObserverHandle {
        ObserverHandle(self.clone())
    }

    /// A line above the bars (or a plain line).
    fn say(&self, line: String) {
        if self.interactive {
            multi().suspend(|| eprintln!("{line}"));
        } else {
            eprintln!("{line}");
        }
    }

    /// What the current burst is doing, in words.
    fn doing(&self, s: &State) -> String {
        let mut parts = Vec::new();
        if s.reads > 0 {
            parts.push(format!("{} read{}", s.reads, if s.reads == 1 { "" } else { "s" }));
        }
        if s.writes > 0 {
            parts.push(format!("{} write{}", s.writes, if s.writes == 1 { "" } else { "s" }));
        }
        let verb = if s.writes > 0 { "updating" } else { "reading" };
        if s.writes == 0 && s.reads > 0 {
            return format!("reading {}: {} request{}", self.tenant, s.reads, plural(s.reads));
        }
        if parts.is_empty() {
            format!("{verb} {}", self.tenant)
        } else {
            format!(
                "{verb} {}: {} request{} ({})",
                self.tenant,
                s.reads + s.writes,
                plural(s.reads + s.writes),
                parts.join(", ")
            )
        }
    }

    fn spinner(&self, s: &mut State) {
        if !self.interactive {
            return;
        }
        let message = self.doing(s);
        match &s.spinner {
            Some(bar) => bar.set_message(message),
            None => {
                let bar = multi().add(ProgressBar::new_spinner());
                if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
                    bar.set_style(style);
                }
                bar.set_message(message);
                bar.enable_steady_tick(Duration::from_millis(120));
                s.spinner = Some(bar);
            }
        }
    }

    fn handle(&self, event: &Event) {
        let Ok(mut s) = self.state.lock() else { return };
        let now = Instant::now();
        s.last_event = Some(now);
        match event {
            Event::Sending { write, path, .. } => {
                s.in_flight += 1;
                s.waiting_until = None;
                if s.busy_since.is_none() {
                    s.busy_since = Some(now);
                    if !self.interactive && !*write && !is_task_poll(path) {
                        let line = format!("reading {}…", self.tenant);
                        s.last_line = Some(now);
                        self.say(line);
                    }
                }
            }
            Event::Answered { method, path, write, status, elapsed } => {
                s.in_flight = s.in_flight.saturating_sub(1);
                let status = status.map_or("no response".to_string(), |c| c.to_string());
                if is_task_poll(path) {
                    s.polls += 1;
                    let since = s.task_since.map_or(Duration::ZERO, |t| now - t);
                    if !self.interactive {
                        s.last_line = Some(now);
                        let line = format!(
                            "{}: polled Benchling's task ({} poll{}, {} since the request)",
                            self.tenant,
                            s.polls,
                            plural(s.polls),
                            secs(since)
                        );
                        self.say(line);
                    }
                } else if *write {
                    s.writes += 1;
                    s.polls = 0;
                    s.task_since = Some(now);
                    if !self.interactive {
                        s.last_line = Some(now);
                        self.say(format!("{}: {method} {path} -> {status} ({})", self.tenant, secs(*elapsed)));
                    }
                } else {
                    s.reads += 1;
                }
            }
            Event::Retrying { method, path, reason, wait, retry, of } => {
                s.waiting_until = Some(now + *wait);
                let what = match reason {
                    RetryReason::RateLimited => "rate limited by Benchling".to_string(),
                    RetryReason::Status(code) => format!("{} answered {code} to {method} {path}", self.tenant),
                    RetryReason::Unreachable { host, message } => {
                        format!("cannot reach {host} (tenant {}): {message}", self.tenant)
                    }
                    RetryReason::Transport(message) => format!("{method} {path} to {}: {message}", self.tenant),
                };
                s.last_line = Some(now);
                self.say(format!("{what}, retrying in {} (retry {retry} of {of})", secs(*wait)));
            }
        }
        self.spinner(&mut s);
    }

    /// Called by the ticker: "still …" lines, the end of a burst, the spinner's removal.
    fn tick(&self) {
        let Ok(mut s) = self.state.lock() else { return };
        let now = Instant::now();
        let Some(since) = s.busy_since else { return };
        let waiting = s.waiting_until.is_some_and(|t| t > now);
        let idle = s.in_flight == 0 && !waiting && s.last_event.is_some_and(|t| now - t >= IDLE);
        if idle {
            let took = s.last_event.map_or(Duration::ZERO, |t| t - since);
            if s.reads > 0 && s.writes == 0 && (!self.interactive || took >= Duration::from_secs(2)) {
                let line = format!("read {}: {} request{} in {}", self.tenant, s.reads, plural(s.reads), secs(took));
                self.say(line);
            }
            if let Some(bar) = s.spinner.take() {
                bar.finish_and_clear();
                multi().remove(&bar);
            }
            *s = State { last_line: s.last_line, polls: s.polls, task_since: s.task_since, ..State::default() };
            return;
        }
        if !self.interactive && s.last_line.is_none_or(|t| now - t >= self.still_every) {
            s.last_line = Some(now);
            let line = format!("still {} [{} elapsed]", self.doing(&s), secs(now - since));
            self.say(line);
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Observer for Activity {
    fn event(&self, event: &Event) {
        self.handle(event);
    }
}

impl Drop for Activity {
    /// The run is over with the tenant: clear the spinner, or sum up a read the ticker did not.
    fn drop(&mut self) {
        let Ok(mut s) = self.state.lock() else { return };
        if let Some(bar) = s.spinner.take() {
            bar.finish_and_clear();
        } else if let Some(since) = s.busy_since
            && s.reads > 0
            && s.writes == 0
        {
            let took = s.last_event.map_or(Duration::ZERO, |t| t - since);
            eprintln!("read {}: {} request{} in {}", self.tenant, s.reads, plural(s.reads), secs(took));
        }
    }
}

/// Keep the display current until the activity is dropped with its tenant.
async fn tick(activity: Weak<Activity>, interactive: bool) {
    let period = if interactive { Duration::from_millis(200) } else { Duration::from_millis(250) };
    let mut interval = tokio::time::interval(period);
    loop {
        interval.tick().await;
        match activity.upgrade() {
            Some(a) => a.tick(),
            None => return,
        }
    }
}
