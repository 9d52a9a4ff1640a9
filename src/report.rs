//! What hashwatt reports: the JSON documents (`--json`), their schema
//! names, and the number formatting the human tables share.

use serde::{Deserialize, Serialize};

use crate::bench::ShareRecord;
use crate::error::{Error, Result};
use crate::gpu::{DeviceSummary, KernelConfig};
use crate::output::Destination;

pub const BENCH_SCHEMA: &str = "hashwatt.bench/1";

/// The result of `hashwatt bench` on one device.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BenchReport {
    pub schema: String,
    pub hashwatt_version: String,
    /// When the run ended, UTC, RFC 3339.
    pub created: String,
    pub device: DeviceSummary,
    /// The search kernel and its launch settings; null for the CPU reference.
    pub kernel: Option<KernelReport>,
    /// Where the kernel settings came from: "default", "tuned" (the cache
    /// of `hashwatt tune`) or "cpu".
    pub settings: String,
    pub header: HeaderRef,
    /// Nonces hashed in the timed part of the run (warm-up excluded).
    pub nonces: u64,
    /// Wall-clock seconds of the timed part.
    pub seconds: f64,
    pub hashes_per_second: f64,
    /// GPU time of the search passes from timestamp queries; null where the
    /// device has none (the rate above is always wall clock).
    pub gpu_seconds: Option<f64>,
    /// gpu_seconds / seconds: how much of the run the GPU was busy.
    pub gpu_busy_share: Option<f64>,
    pub shares: Shares,
    /// Times the header was rolled (BIP320 version bits, else the time field)
    /// after its 2^32 nonces ran out, warm-up included.
    pub header_rolls: u32,
    pub batches: u64,
    pub batch_nonces: u64,
    /// True when the run was stopped by a signal before its planned end.
    pub interrupted: bool,
    /// Energy drawn during the run; null where no meter was read and no
    /// power was stated.
    pub energy: Option<EnergyReport>,
}

/// Energy over the timed part of a bench run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct EnergyReport {
    /// Which meter: `nvml-energy`, `nvml-power`, `rapl`, `hwmon-energy`,
    /// `hwmon-power` (measured), or `stated` (`--watts`, not measured).
    pub meter: String,
    /// The sensor or device read, in words.
    pub source: String,
    pub measured: bool,
    /// The whole draw during the run: what a site pays for.
    pub joules: f64,
    pub avg_watts: f64,
    /// Average draw while idle before the run, where it was measured.
    pub idle_watts: Option<f64>,
    pub joules_above_idle: Option<f64>,
    /// Readings taken (counter reads or power samples).
    pub samples: u64,
    /// Headline efficiency, from the whole draw.
    pub hashes_per_joule: f64,
    pub joules_per_terahash: f64,
    pub hashes_per_joule_above_idle: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct KernelReport {
    pub variant: String,
    pub workgroup_size: u32,
    pub nonces_per_invocation: u32,
}

impl From<KernelConfig> for KernelReport {
    fn from(config: KernelConfig) -> Self {
        KernelReport {
            variant: config.variant.name().to_string(),
            workgroup_size: config.workgroup_size,
            nonces_per_invocation: config.nonces_per_invocation,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct HeaderRef {
    pub height: Option<u64>,
    /// The block hash of the header as given (before any rolling), display order.
    pub hash: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Shares {
    /// Leading zero bits a hash needs to count as a share.
    pub bits: u32,
    pub found: u64,
    /// Shares the CPU hashed again with sha2 and confirmed.
    pub verified: u64,
    /// Shares expected at this hashrate: nonces / 2^bits.
    pub expected: f64,
    /// The first shares, with the header version and time each was found
    /// on (headers roll after 2^32 nonces); `found` is the exact count.
    #[serde(default)]
    pub records: Vec<ShareRecord>,
}

/// Where a `--json` document goes: standard output (`-`, or the option
/// with no value) or a file checked before the run.
#[derive(Clone, Debug)]
pub enum JsonOut {
    Stdout,
    File(Destination),
}

impl JsonOut {
    /// Reads `--json [PATH]`; a file is checked now (see
    /// [`Destination::prepare`]), before anything is measured.
    pub fn parse(option: Option<&str>, force: bool) -> Result<Option<JsonOut>> {
        match option {
            None => Ok(None),
            Some("-") => Ok(Some(JsonOut::Stdout)),
            Some(path) => Ok(Some(JsonOut::File(Destination::prepare(
                path, force, "--json",
            )?))),
        }
    }

    pub fn is_stdout(&self) -> bool {
        matches!(self, JsonOut::Stdout)
    }
}

/// Writes a JSON document to standard output or, atomically, to its file.
/// When the file cannot be written, the document is kept elsewhere and the
/// error says where (see [`Destination::write_or_keep`]).
pub fn write_json<T: Serialize>(value: &T, out: &JsonOut) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::io(format!("cannot encode JSON: {e}")))?;
    match out {
        JsonOut::Stdout => {
            crate::outln!("{text}");
            Ok(())
        }
        JsonOut::File(destination) => destination.write_or_keep(format!("{text}\n").as_bytes()),
    }
}

/// 1234567.0 -> "1.23 MH/s".
pub fn format_rate(hashes_per_second: f64) -> String {
    format!("{}H/s", format_si(hashes_per_second))
}

/// An SI-prefixed number with three significant digits and a trailing space
/// before the unit: "1.23 G", "950 ", "12.0 k".
pub fn format_si(value: f64) -> String {
    const PREFIXES: [&str; 9] = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"];
    if !value.is_finite() || value == 0.0 {
        return format!("{value} ");
    }
    let mut scaled = value;
    let mut index = 0;
    while scaled.abs() >= 999.5 && index + 1 < PREFIXES.len() {
        scaled /= 1000.0;
        index += 1;
    }
    let digits = if scaled.abs() >= 99.95 {
        0
    } else if scaled.abs() >= 9.995 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$} {}", PREFIXES[index])
}

/// The current time as RFC 3339, UTC, to the second.
pub fn now_rfc3339() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(seconds)
}

/// The UTC date of a Unix time, YYYY-MM-DD.
pub fn date_of(unix_seconds: u64) -> String {
    rfc3339(unix_seconds)[..10].to_string()
}

fn rfc3339(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let secs = unix_seconds % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_formatting() {
        assert_eq!(format_rate(1_234_567.0), "1.23 MH/s");
        assert_eq!(format_rate(950.0), "950 H/s");
        assert_eq!(format_si(12_000.0), "12.0 k");
        assert_eq!(format_si(6.0e20), "600 E");
    }

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_231_006_505), "2009-01-03T18:15:05Z");
        assert_eq!(rfc3339(1_795_478_400), "2026-11-24T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
