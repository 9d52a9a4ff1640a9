//! The smaller documents: `devices --json`, `headers --json` and
//! `search --json`. Data only; the commands fill them in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::gpu::DeviceSummary;
use crate::verify::hits::VerifiedHit;

pub const DEVICES_SCHEMA: &str = "hashwatt.devices/1";
pub const HEADERS_SCHEMA: &str = "hashwatt.headers/1";
pub const SEARCH_SCHEMA: &str = "hashwatt.search/1";

/// `hashwatt devices --json`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct DevicesReport {
    /// `hashwatt.devices/1`.
    pub schema: String,
    pub devices: Vec<DeviceRow>,
    /// The CPU device's search paths and whether this CPU has them.
    pub cpu_paths: Vec<CpuPathRow>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct DeviceRow {
    /// What `--device` takes to pick this device.
    pub select: String,
    #[serde(flatten)]
    pub summary: DeviceSummary,
    /// The device `bench` uses when no `--device` is given.
    pub default: bool,
    /// The power meter `bench` would read, if any.
    pub meter: Option<String>,
    pub meter_source: Option<String>,
    /// Why there is no meter (then `--watts W` states a power).
    pub meter_unavailable: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct CpuPathRow {
    pub path: String,
    pub lanes: usize,
    pub present: bool,
    pub default: bool,
    /// The CPU features the path needs.
    pub needs: String,
}

/// `hashwatt headers --json`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct HeadersReport {
    /// `hashwatt.headers/1`.
    pub schema: String,
    pub headers: Vec<HeaderRow>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct HeaderRow {
    pub height: Option<u64>,
    /// Block hash, display order.
    pub hash: String,
    pub version: String,
    pub time: u32,
    pub bits: String,
    pub difficulty: f64,
    pub nonce: u32,
    /// The 80-byte header, 160 hex characters.
    pub header: String,
}

/// `hashwatt search --json`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct SearchReport {
    /// `hashwatt.search/1`.
    pub schema: String,
    pub device: String,
    pub header: String,
    pub start: u32,
    pub nonces: u64,
    pub target: String,
    pub seconds: f64,
    pub hits: Vec<VerifiedHit>,
}
