//! `--watts W`: a power the user states (a wall meter's reading, a board
//! power limit) for a device without a sensor. Reported as `stated`, never
//! as measured.

use web_time::Instant;

use super::Meter;
use crate::error::{Error, Result};
use crate::units::require_positive;

pub struct StatedMeter {
    watts: f64,
    source: &'static str,
    started: Option<Instant>,
    seconds: f64,
}

impl StatedMeter {
    pub fn new(watts: f64) -> Result<Self> {
        let watts = require_positive("--watts", watts)?;
        Ok(StatedMeter {
            watts,
            source: "--watts, as stated by the user",
            started: None,
            seconds: 0.0,
        })
    }

    /// A stated power with its source in words (the browser page's field).
    pub fn with_source(watts: f64, source: &'static str) -> Result<Self> {
        Ok(StatedMeter {
            source,
            ..StatedMeter::new(watts)?
        })
    }
}

impl Meter for StatedMeter {
    fn name(&self) -> &str {
        "stated"
    }

    fn source(&self) -> &str {
        self.source
    }

    fn measured(&self) -> bool {
        false
    }

    fn start(&mut self) -> Result<()> {
        self.started = Some(Instant::now());
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        let started = self
            .started
            .take()
            .ok_or_else(|| Error::device("stated meter was not started"))?;
        self.seconds = started.elapsed().as_secs_f64();
        Ok(())
    }

    fn joules(&self) -> f64 {
        self.watts * self.seconds
    }

    fn seconds(&self) -> f64 {
        self.seconds
    }

    fn samples(&self) -> u64 {
        0
    }
}
