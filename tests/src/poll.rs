//! Poll until a condition holds, with a bounded timeout instead of fixed sleeps.

use std::thread;
use std::time::{Duration, Instant};

/// Default bound for [`eventually`]: ingest becomes visible to queries within milliseconds, so this is generous.
pub const POLL_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause between attempts.
pub const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Calls `f` until it returns `Ok`, at most for `timeout`; panics with `what` and the last error otherwise.
pub fn eventually_within<T>(
    timeout: Duration,
    what: &str,
    mut f: impl FnMut() -> Result<T, String>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match f() {
            Ok(v) => return v,
            Err(e) if Instant::now() >= deadline => {
                panic!("{what}: still failing after {timeout:?}: {e}")
            }
            Err(_) => thread::sleep(POLL_INTERVAL),
        }
    }
}

/// [`eventually_within`] with [`POLL_TIMEOUT`].
pub fn eventually<T>(what: &str, f: impl FnMut() -> Result<T, String>) -> T {
    eventually_within(POLL_TIMEOUT, what, f)
}
