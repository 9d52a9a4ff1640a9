//! Ctrl-C (SIGINT) and SIGTERM: the first asks a run to stop after the
//! batch in flight, so what was measured is verified, printed and written
//! marked `"interrupted": true`; a second one ends the process at once.
//! The exit status is then 130 (SIGINT) or 143 (SIGTERM), as shells expect.
//!
//! The handlers are installed once per process and set one flag, which any
//! wait can poll through [`stop_requested`]: the tuning sweep, the idle-power
//! measurement and the bench itself all end within about a second.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Once};
use std::time::{Duration, Instant};

static STOP: LazyLock<Arc<AtomicBool>> = LazyLock::new(|| Arc::new(AtomicBool::new(false)));
static EXIT_CODE: LazyLock<Arc<AtomicUsize>> = LazyLock::new(|| Arc::new(AtomicUsize::new(0)));
static INSTALL: Once = Once::new();

/// How often a wait looks at the stop flag.
pub const POLL: Duration = Duration::from_millis(100);

pub struct Interrupt {
    stop: Arc<AtomicBool>,
    exit_code: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Installs the handlers (once: a second call shares the first's flag,
    /// so a single signal is never counted twice). Where signals cannot be
    /// handled (not Unix), the default behaviour stays: the process ends.
    pub fn install() -> Self {
        INSTALL.call_once(|| {
            #[cfg(unix)]
            {
                use signal_hook::consts::{SIGINT, SIGTERM};
                use signal_hook::flag;
                for (signal, code) in [(SIGINT, 130), (SIGTERM, 143)] {
                    // Order matters: a second signal finds the flag already set.
                    let _ = flag::register_conditional_shutdown(signal, code as i32, STOP.clone());
                    let _ = flag::register_usize(signal, EXIT_CODE.clone(), code);
                    let _ = flag::register(signal, STOP.clone());
                }
            }
        });
        Interrupt {
            stop: STOP.clone(),
            exit_code: EXIT_CODE.clone(),
        }
    }

    /// Set once a signal arrived.
    pub fn flag(&self) -> &AtomicBool {
        &self.stop
    }

    /// 130 or 143 once a signal arrived.
    pub fn exit_code(&self) -> Option<i32> {
        match self.exit_code.load(Ordering::SeqCst) {
            0 => None,
            code => Some(code as i32),
        }
    }
}

/// Whether a signal asked the run to stop (false until the handlers are
/// installed and one arrives).
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// The stop flag itself, for engine code that takes one.
pub fn stop_flag() -> &'static AtomicBool {
    &STOP
}

/// Sleeps for `duration`, waking every [`POLL`] to look at the stop flag.
/// Returns false when a signal cut the sleep short.
pub fn sleep_unless_stopped(duration: Duration) -> bool {
    let started = Instant::now();
    loop {
        if stop_requested() {
            return false;
        }
        let slept = started.elapsed();
        if slept >= duration {
            return true;
        }
        std::thread::sleep((duration - slept).min(POLL));
    }
}
