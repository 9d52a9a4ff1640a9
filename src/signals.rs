//! Ctrl-C (SIGINT) and SIGTERM: the first asks a run to stop after the
//! batch in flight, so what was measured is verified, printed and written
//! marked `"interrupted": true`; a second one ends the process at once.
//! The exit status is then 130 (SIGINT) or 143 (SIGTERM), as shells expect.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

pub struct Interrupt {
    stop: Arc<AtomicBool>,
    exit_code: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Installs the handlers. Where signals cannot be handled (not Unix),
    /// the default behaviour stays: the process ends.
    pub fn install() -> Self {
        let interrupt = Interrupt {
            stop: Arc::new(AtomicBool::new(false)),
            exit_code: Arc::new(AtomicUsize::new(0)),
        };
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGTERM};
            use signal_hook::flag;
            for (signal, code) in [(SIGINT, 130), (SIGTERM, 143)] {
                // Order matters: a second signal finds the flag already set.
                let _ = flag::register_conditional_shutdown(
                    signal,
                    code as i32,
                    interrupt.stop.clone(),
                );
                let _ = flag::register_usize(signal, interrupt.exit_code.clone(), code);
                let _ = flag::register(signal, interrupt.stop.clone());
            }
        }
        interrupt
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
