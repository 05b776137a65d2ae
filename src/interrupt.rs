//! Ctrl-C and SIGTERM during a run: the first asks the run to stop after the request in flight
//! (it records what is known and says how to resume); a second one ends the process at once.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static SIGNALS: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The exit code of a run stopped by a signal (128 + SIGINT, as shells report it).
pub(crate) const EXIT_CODE: u8 = 130;

/// Start listening for the signals (once per process; needs a tokio runtime).
pub(crate) fn install() {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    tokio::spawn(async {
        loop {
            wait_for_signal().await;
            if SIGNALS.fetch_add(1, Ordering::SeqCst) == 0 {
                STOP.store(true, Ordering::SeqCst);
                eprintln!(
                    "\nStopping after the request in flight (interrupt again to stop at once; the next run resumes either way)."
                );
            } else {
                eprintln!("\nStopped at once. Run the same command again: it finds on the tenant what was applied.");
                std::process::exit(i32::from(EXIT_CODE));
            }
        }
    });
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Whether a signal asked the run to stop.
pub(crate) fn requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
