//! The one measuring loop every sensor shares: a background thread reads a
//! probe at a fixed interval and accumulates joules, either from cumulative
//! energy counters (wraparound handled) or by integrating power readings
//! (trapezoid rule). Reading often keeps a wrapping counter from wrapping
//! twice between two reads, and gives power sampling its resolution.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Meter;
use crate::error::{Error, Result};

/// One cumulative energy counter and the value it wraps at, if it wraps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Counter {
    pub value: u64,
    pub wraps_at: Option<u64>,
}

/// What a probe read: counters (summed, e.g. one per CPU package), or watts.
#[derive(Clone, Debug, PartialEq)]
pub enum Reading {
    Counters(Vec<Counter>),
    Watts(f64),
}

/// A sensor: reads now. Errors are sentences a person can act on.
pub trait Probe: Send {
    fn read(&mut self) -> std::result::Result<Reading, String>;
    /// Joules per counter unit (1e-6 for microjoules); unused for watts.
    fn joules_per_unit(&self) -> f64;
}

/// How far a counter moved, across one wrap if it wrapped.
pub fn counter_delta(before: Counter, after: Counter) -> u64 {
    if after.value >= before.value {
        after.value - before.value
    } else {
        match after.wraps_at {
            Some(range) => range.saturating_sub(before.value) + after.value,
            None => 0, // reset, not a wrap: count nothing rather than guess
        }
    }
}

struct Totals {
    joules: f64,
    seconds: f64,
    samples: u64,
}

struct Running {
    stop: mpsc::Sender<()>,
    /// The joules so far, as f64 bits, updated after every read.
    so_far: Arc<AtomicU64>,
    thread: JoinHandle<(Box<dyn Probe>, std::result::Result<Totals, String>)>,
}

/// A [`Meter`] over any [`Probe`].
pub struct SampledMeter {
    name: String,
    source: String,
    interval: Duration,
    probe: Option<Box<dyn Probe>>,
    running: Option<Running>,
    totals: Totals,
}

impl SampledMeter {
    pub fn new(
        name: impl Into<String>,
        source: impl Into<String>,
        interval: Duration,
        probe: Box<dyn Probe>,
    ) -> Self {
        SampledMeter {
            name: name.into(),
            source: source.into(),
            interval,
            probe: Some(probe),
            running: None,
            totals: Totals {
                joules: 0.0,
                seconds: 0.0,
                samples: 0,
            },
        }
    }

    /// Reads the sensor once, to find out early whether it works.
    pub fn check(&mut self) -> std::result::Result<(), String> {
        match self.probe.as_mut() {
            Some(probe) => probe.read().map(|_| ()),
            None => Err("the meter is running".into()),
        }
    }
}

/// Accumulates from the baseline `first`, read at `started`, until told to
/// stop; the last read comes after the stop request, so the window covers
/// everything up to `stop()`.
fn measure(
    probe: &mut dyn Probe,
    interval: Duration,
    stop: mpsc::Receiver<()>,
    first: Reading,
    started: Instant,
    so_far: &AtomicU64,
) -> std::result::Result<Totals, String> {
    let mut previous = first;
    let mut previous_at = started;
    let mut totals = Totals {
        joules: 0.0,
        seconds: 0.0,
        samples: 1,
    };
    loop {
        let stopping = !matches!(
            stop.recv_timeout(interval),
            Err(mpsc::RecvTimeoutError::Timeout)
        );
        let reading = probe.read()?;
        let now = Instant::now();
        totals.joules += match (&previous, &reading) {
            (Reading::Counters(before), Reading::Counters(after))
                if before.len() == after.len() =>
            {
                let units: u64 = before
                    .iter()
                    .zip(after)
                    .map(|(b, a)| counter_delta(*b, *a))
                    .sum();
                units as f64 * probe.joules_per_unit()
            }
            (Reading::Watts(before), Reading::Watts(after)) => {
                (before + after) / 2.0 * (now - previous_at).as_secs_f64()
            }
            _ => return Err("the sensor changed shape during the run".into()),
        };
        totals.samples += 1;
        so_far.store(totals.joules.to_bits(), Ordering::Relaxed);
        previous = reading;
        previous_at = now;
        if stopping {
            totals.seconds = (now - started).as_secs_f64();
            return Ok(totals);
        }
    }
}

impl Meter for SampledMeter {
    fn name(&self) -> &str {
        &self.name
    }

    fn source(&self) -> &str {
        &self.source
    }

    fn start(&mut self) -> Result<()> {
        let mut probe = self
            .probe
            .take()
            .ok_or_else(|| Error::device(format!("{} meter is already running", self.name)))?;
        // The baseline is read here, not on the thread, so the window starts
        // when start() returns, whenever the thread gets scheduled.
        let started = Instant::now();
        let first = match probe.read() {
            Ok(reading) => reading,
            Err(why) => {
                self.probe = Some(probe);
                return Err(Error::device(format!("{} meter: {why}", self.name)));
            }
        };
        let (stop, stop_rx) = mpsc::channel();
        let interval = self.interval;
        let so_far = Arc::new(AtomicU64::new(0f64.to_bits()));
        let shared = so_far.clone();
        let thread = std::thread::Builder::new()
            .name(format!("{} meter", self.name))
            .spawn(move || {
                let result = measure(&mut *probe, interval, stop_rx, first, started, &shared);
                (probe, result)
            })
            .map_err(|e| {
                Error::device(format!("cannot start the {} meter thread: {e}", self.name))
            })?;
        self.running = Some(Running {
            stop,
            so_far,
            thread,
        });
        Ok(())
    }

    fn stop(&mut self) -> Result<()> {
        let running = self
            .running
            .take()
            .ok_or_else(|| Error::device(format!("{} meter was not started", self.name)))?;
        let _ = running.stop.send(());
        let (probe, result) = running
            .thread
            .join()
            .map_err(|_| Error::device(format!("the {} meter thread panicked", self.name)))?;
        self.probe = Some(probe);
        self.totals = result.map_err(|why| Error::device(format!("{} meter: {why}", self.name)))?;
        // A counter that never moved (or a sensor that reads 0 W) measured
        // nothing: reporting 0 J would turn into "0 H/J" and "0.0 J/TH".
        if !(self.totals.joules > 0.0 && self.totals.joules.is_finite()) {
            return Err(Error::device(format!(
                "energy not measured: the {} sensor ({}) did not move in {:.1} s ({} J read)",
                self.name, self.source, self.totals.seconds, self.totals.joules
            )));
        }
        Ok(())
    }

    fn joules(&self) -> f64 {
        self.totals.joules
    }

    fn seconds(&self) -> f64 {
        self.totals.seconds
    }

    fn samples(&self) -> u64 {
        self.totals.samples
    }

    fn joules_so_far(&self) -> Option<f64> {
        self.running
            .as_ref()
            .map(|r| f64::from_bits(r.so_far.load(Ordering::Relaxed)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A counter that moves `step` units per read, wrapping at `range`:
    /// the totals must not depend on when the reads happen.
    struct Scripted {
        reads: u64,
        start: u64,
        step: u64,
        range: u64,
    }

    impl Probe for Scripted {
        fn read(&mut self) -> std::result::Result<Reading, String> {
            let value = (self.start + self.reads * self.step) % self.range;
            self.reads += 1;
            Ok(Reading::Counters(vec![Counter {
                value,
                wraps_at: Some(self.range),
            }]))
        }

        fn joules_per_unit(&self) -> f64 {
            1e-6
        }
    }

    #[test]
    fn a_running_meter_counts_every_wrap() {
        // 0.7 J per read on a 2 J counter: a wrap every third read or so.
        let probe = Scripted {
            reads: 0,
            start: 1_900_000,
            step: 700_000,
            range: 2_000_000,
        };
        let mut meter = SampledMeter::new(
            "scripted",
            "test",
            Duration::from_millis(1),
            Box::new(probe),
        );
        meter.start().unwrap();
        std::thread::sleep(Duration::from_millis(30));
        meter.stop().unwrap();
        let moves = meter.samples() - 1;
        assert!(moves >= 1, "{} samples", meter.samples());
        let expected = moves as f64 * 0.7;
        assert!(
            (meter.joules() - expected).abs() < 1e-9,
            "{} J over {moves} moves, expected {expected}",
            meter.joules()
        );
        // A second run starts from zero.
        meter.start().unwrap();
        meter.stop().unwrap();
        assert!((meter.joules() - (meter.samples() - 1) as f64 * 0.7).abs() < 1e-9);
    }

    #[test]
    fn a_counter_that_never_moves_measures_nothing() {
        let probe = Scripted {
            reads: 0,
            start: 5,
            step: 0,
            range: 2_000_000,
        };
        let mut meter =
            SampledMeter::new("rapl", "stuck", Duration::from_millis(1), Box::new(probe));
        meter.start().unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let err = meter.stop().unwrap_err();
        assert!(
            err.message.contains("energy not measured"),
            "{}",
            err.message
        );
        assert!(err.message.contains("did not move"), "{}", err.message);
    }

    #[test]
    fn counters_wrap_once() {
        let c = |value| Counter {
            value,
            wraps_at: Some(1000),
        };
        assert_eq!(counter_delta(c(100), c(350)), 250);
        assert_eq!(counter_delta(c(900), c(50)), 150);
        let reset = Counter {
            value: 5,
            wraps_at: None,
        };
        assert_eq!(
            counter_delta(
                Counter {
                    value: 10,
                    wraps_at: None
                },
                reset
            ),
            0
        );
    }
}
